"""The content of a dossier's PDF summary (P5), decided here; the PDF adapter only lays it out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from msp_portal.domain.answers import chosen_organisations, is_empty
from msp_portal.domain.dossiers import AttachedDocument
from msp_portal.domain.emails import SERVICE
from msp_portal.domain.paris import paris_date, paris_time
from msp_portal.domain.procedure_types import FieldKind, FieldSpec, ProcedureType

__all__ = ["NOT_ANSWERED", "Summary", "SummaryRow", "SummarySection", "build_summary"]

NOT_ANSWERED = "Non renseigné"
_CATEGORY_FR = {
    "identity": "Identité",
    "proof-of-address": "Justificatif de domicile",
    "income": "Revenus",
    "family": "Famille",
    "other": "Autre",
}


@dataclass(frozen=True)
class SummaryRow:
    """A question and its answer (the answer may hold several lines)."""

    label: str
    value: str


@dataclass(frozen=True)
class SummarySection:
    """A heading and its rows."""

    heading: str
    rows: tuple[SummaryRow, ...]


@dataclass(frozen=True)
class Summary:
    """Everything the summary shows, in French, in reading order."""

    service: str
    procedure: str
    reference: str
    transmitted: str
    organisations: tuple[str, ...]
    sections: tuple[SummarySection, ...]
    attachments: tuple[SummaryRow, ...]
    notice: str
    pdf_title: str


def _value_text(spec: FieldSpec, value: Any) -> str:
    if spec.kind is FieldKind.BOOLEAN and isinstance(value, bool):
        return "Oui" if value else "Non"
    if is_empty(value):
        return NOT_ANSWERED
    if spec.kind is FieldKind.CHOICE:
        return spec.choice_label(value)
    if spec.kind is FieldKind.MULTI_CHOICE:
        return ", ".join(spec.choice_label(v) for v in value)
    if spec.kind is FieldKind.ADDRESS:
        parts = {k: (value.get(k) or "").strip() for k in value}
        town = " ".join(p for p in (parts.get("postcode", ""), parts.get("city", "")) if p)
        lines = [parts.get("line1", ""), parts.get("line2", ""), town, parts.get("country", "")]
        return "\n".join(line for line in lines if line)
    return str(value).strip()


def _rows(specs: Sequence[FieldSpec], values: Mapping[str, Any]) -> list[SummaryRow]:
    return [
        SummaryRow(spec.label, _value_text(spec, values.get(spec.id)))
        for spec in specs
        if spec.kind is not FieldKind.GROUP
    ]


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size} octets"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} Ko".replace(".", ",")
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


def build_summary(
    ptype: ProcedureType,
    answers: Mapping[str, Any],
    *,
    reference: str,
    transmitted_at: datetime,
    attachments: Sequence[AttachedDocument],
    main_document: tuple[str, int] | None = None,
) -> Summary:
    """The summary of a dossier being transmitted: every answer, every attachment, who gets it.

    ``main_document`` is the (SHA-256, size) of the dossier's main PDF when the type has one.
    """
    fields = answers.get("fields", {})
    sections = [SummarySection("Vos réponses", tuple(_rows(ptype.fields, fields)))]
    for spec in ptype.fields:
        if spec.kind is not FieldKind.GROUP:
            continue
        items = fields.get(spec.id) or []
        if not items:
            sections.append(SummarySection(spec.label, (SummaryRow("", NOT_ANSWERED),)))
        for i, item in enumerate(items, 1):
            sections.append(SummarySection(f"{spec.label} — {i}", tuple(_rows(spec.fields, item))))
    names = []
    for code in chosen_organisations(ptype, answers):
        org = ptype.recipients.spec(code)
        assert org is not None
        names.append(org.organisation.name)
        if org.fields:
            own = (answers.get("organisations") or {}).get(code) or {}
            sections.append(SummarySection(org.organisation.name, tuple(_rows(org.fields, own))))
    documents = []
    if main_document is not None:
        sha, size = main_document
        documents.append(
            SummaryRow(ptype.main_document or "Document principal", f"{_size_text(size)}\n{sha}")
        )
    for doc in attachments:
        slot = ptype.attachment(doc.slot)
        label = slot.label if slot else doc.slot
        category = _CATEGORY_FR.get(doc.category, doc.category)
        documents.append(
            SummaryRow(label, f"{doc.title} ({category}, {_size_text(doc.size)})\n{doc.sha256}")
        )
    when = f"le {paris_date(transmitted_at)} à {paris_time(transmitted_at)} (heure de Paris)"
    notice = (
        "Ce dossier a été transmis aux organismes destinataires indiqués ci-dessus. Il ne peut "
        "être ni annulé ni modifié : signalez directement à ces organismes les modifications à "
        f"opérer. {SERVICE} peut vous dire si votre dossier leur a bien été transmis ; seuls ces "
        "organismes peuvent vous informer de sa prise en compte et de l'avancement de son "
        "traitement. Les pièces jointes sont identifiées par leur empreinte SHA-256."
    )
    return Summary(
        service=SERVICE,
        procedure=ptype.title,
        reference=reference,
        transmitted=when,
        organisations=tuple(names),
        sections=tuple(sections),
        attachments=tuple(documents),
        notice=notice,
        pdf_title=f"{ptype.title} — {reference}",
    )
