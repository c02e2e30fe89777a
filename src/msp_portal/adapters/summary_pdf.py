"""The dossier summary as an A4 PDF, laid out with fpdf2; DejaVu Sans embedded (accents, œ, €).

fpdf2 is imported when a summary is rendered, never at ``import msp_portal``.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime
from importlib import resources
from typing import Any

from msp_portal.domain.summary import Summary

__all__ = ["FpdfSummaryRenderer"]

_MARGIN = 18.0  # mm
_FONT = "DejaVu"


class FpdfSummaryRenderer:
    """Renders :class:`~msp_portal.domain.summary.Summary` values (the ``SummaryRenderer`` port)."""

    def __init__(self) -> None:
        # fpdf2 reads fonts from files: keep them open as files for the renderer's life (they
        # are plain files in an installed package; as_file extracts them from a zip otherwise).
        self._stack = ExitStack()
        fonts = resources.files("msp_portal.adapters.fonts")
        self._regular = str(self._stack.enter_context(resources.as_file(fonts / "DejaVuSans.ttf")))
        self._bold = str(
            self._stack.enter_context(resources.as_file(fonts / "DejaVuSans-Bold.ttf"))
        )

    def render(self, summary: Summary, *, created_at: datetime) -> bytes:
        """The summary as PDF bytes."""
        from fpdf import FPDF
        from fpdf.fonts import FontFace

        class _Pdf(FPDF):
            def footer(self) -> None:
                self.set_y(-12)
                self.set_font(_FONT, "", 8)
                self.set_text_color(90, 90, 90)
                self.cell(
                    0,
                    5,
                    f"{summary.service} — {summary.reference} — page {self.page_no()}/{{nb}}",
                    align="C",
                )

        pdf = _Pdf(orientation="portrait", unit="mm", format="A4")
        pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
        pdf.set_auto_page_break(True, margin=_MARGIN)
        pdf.add_font(_FONT, "", fname=self._regular)
        pdf.add_font(_FONT, "B", fname=self._bold)
        pdf.set_lang("fr-FR")
        pdf.set_title(summary.pdf_title)
        pdf.set_subject(f"Récapitulatif de la démarche {summary.reference}")
        pdf.set_author(summary.service)
        pdf.set_creator(summary.service)
        pdf.set_creation_date(created_at)
        pdf.add_page()
        width = pdf.epw

        pdf.set_font(_FONT, "", 9)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(
            width,
            5,
            f"{summary.service} — Récapitulatif de votre démarche",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)
        pdf.set_font(_FONT, "B", 16)
        pdf.multi_cell(width, 8, summary.procedure, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font(_FONT, "", 11)
        pdf.cell(40, 7, "Référence :")
        pdf.set_font(_FONT, "B", 13)
        pdf.cell(width - 40, 7, summary.reference, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FONT, "", 11)
        pdf.multi_cell(width, 6, f"Transmise {summary.transmitted}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        _heading(pdf, "Organismes destinataires")
        pdf.set_font(_FONT, "", 10)
        for name in summary.organisations:
            pdf.multi_cell(width, 5.5, f"• {name}", new_x="LMARGIN", new_y="NEXT")
        bold = FontFace(emphasis="BOLD")
        for section in summary.sections:
            _heading(pdf, section.heading)
            _rows(pdf, [(r.label, r.value) for r in section.rows], bold)
        _heading(pdf, "Pièces jointes")
        if summary.attachments:
            _rows(pdf, [(r.label, r.value) for r in summary.attachments], bold)
        else:
            pdf.set_font(_FONT, "", 10)
            pdf.multi_cell(width, 5.5, "Aucune pièce jointe.", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(_FONT, "", 9)
        pdf.multi_cell(width, 4.8, summary.notice, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def _heading(pdf: Any, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(_FONT, "B", 12)
    pdf.set_fill_color(232, 236, 244)
    pdf.multi_cell(pdf.epw, 7, text, fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _rows(pdf: Any, rows: list[tuple[str, str]], bold: Any) -> None:
    pdf.set_font(_FONT, "", 10)
    with pdf.table(
        col_widths=(0.38, 0.62),
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        line_height=5.2,
        text_align="LEFT",
        padding=1.2,
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=bold)
            row.cell(value)
