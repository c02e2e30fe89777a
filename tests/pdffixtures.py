"""Small PDFs built with pikepdf for tests: pages with text, forms, links, bookmarks, actions."""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf
from pikepdf import Array, Dictionary, Name, String


def text_page(pdf: pikepdf.Pdf, text: str, *, size: tuple[float, float] = (595, 842)) -> Dictionary:
    """Append a page showing ``text`` in Helvetica and return its dictionary."""
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, size[0], size[1]]),
        Resources=Dictionary(Font=Dictionary(F1=font)),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))
    return pdf.pages[-1].obj


def build(
    pages: int = 2,
    change: Callable[[pikepdf.Pdf], None] | None = None,
    *,
    object_streams: bool = True,
    **save: object,
) -> bytes:
    """A PDF of ``pages`` text pages, changed by ``change``, saved with object streams.

    With object streams (the default), every dictionary that can be is written inside a
    compressed object stream, where a byte search of the file cannot see it.
    """
    pdf = pikepdf.new()
    for number in range(pages):
        text_page(pdf, f"Page {number + 1}")
    if change is not None:
        change(pdf)
    buffer = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    # Deterministic unless encrypted (qpdf cannot derive an ID then); streams kept as built.
    if "encryption" not in save:
        save.setdefault("deterministic_id", True)
        save.setdefault("stream_decode_level", pikepdf.StreamDecodeLevel.none)
    pdf.save(buffer, object_stream_mode=mode, **save)  # type: ignore[arg-type]
    return buffer.getvalue()


def js(code: str = "app.alert('hi')") -> Dictionary:
    """A JavaScript action."""
    return Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(code))


def goto(pdf: pikepdf.Pdf, page: int) -> Dictionary:
    """A GoTo action to ``page`` (0-based)."""
    return Dictionary(S=Name.GoTo, D=Array([pdf.pages[page].obj, Name.Fit]))


def link(
    pdf: pikepdf.Pdf, page: int, action: Dictionary, *, rect: tuple[int, ...] = (72, 600, 300, 640)
) -> Dictionary:
    """Add a link annotation running ``action`` to ``page``; return it (indirect)."""
    annot = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=Array(list(rect)),
            Border=Array([0, 0, 0]),
            A=action,
        )
    )
    _annotate(pdf, page, annot)
    return annot


def _annotate(pdf: pikepdf.Pdf, page: int, annot: Dictionary) -> None:
    obj = pdf.pages[page].obj
    if "/Annots" not in obj:
        obj.Annots = Array()
    obj.Annots.append(annot)


def text_field(
    pdf: pikepdf.Pdf, page: int, name: str, *, value: str = "", y: int = 500, **extra: object
) -> Dictionary:
    """Add a text field (field and widget in one dictionary) to ``page``; return it."""
    appearance = pdf.make_stream(
        b"/Tx BMC BT /Helv 12 Tf 2 6 Td (" + value.encode() + b") Tj ET EMC",
        Dictionary(Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 200, 20])),
    )
    widget = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String(name),
            V=String(value),
            DA=String("/Helv 12 Tf 0 g"),
            Rect=Array([72, y, 272, y + 20]),
            P=pdf.pages[page].obj,
            AP=Dictionary(N=appearance),
            **extra,
        )
    )
    _annotate(pdf, page, widget)
    form = _acroform(pdf)
    form.Fields.append(widget)
    return widget


def _acroform(pdf: pikepdf.Pdf) -> Dictionary:
    if "/AcroForm" not in pdf.Root:
        helv = pdf.make_indirect(
            Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
        )
        pdf.Root.AcroForm = pdf.make_indirect(
            Dictionary(
                Fields=Array(),
                DA=String("/Helv 0 Tf 0 g"),
                DR=Dictionary(Font=Dictionary(Helv=helv)),
            )
        )
    return pdf.Root.AcroForm


def bookmarks(pdf: pikepdf.Pdf, titles: list[tuple[str, int]]) -> None:
    """Top-level bookmarks (title, 0-based page)."""
    with pdf.open_outline() as outline:
        for title, page in titles:
            outline.root.append(pikepdf.OutlineItem(title, page))


def embedded_file_spec(
    pdf: pikepdf.Pdf, name: str = "payload.exe", data: bytes = b"MZ\x90\x00evil"
) -> Dictionary:
    """A file specification with an embedded file stream."""
    stream = pdf.make_stream(data, Dictionary(Type=Name.EmbeddedFile))
    return pdf.make_indirect(
        Dictionary(Type=Name.Filespec, F=String(name), UF=String(name), EF=Dictionary(F=stream))
    )
