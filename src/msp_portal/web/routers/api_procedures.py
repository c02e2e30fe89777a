"""JSON API: online procedures (P1-P9) and Mon suivi; the organisations' status reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from msp_portal.errors import PartnerNotAuthorised
from msp_portal.web.deps import BearerToken, PortalDep
from msp_portal.web.downloads import file_response
from msp_portal.web.schemas import ErrorOut, Short, Token

ERRORS = {code: {"model": ErrorOut} for code in (401, 404, 409, 410, 422, 423, 503)}
router = APIRouter(prefix="/api/v1", tags=["procedures"], responses=ERRORS)  # type: ignore[arg-type]
DossierId = Annotated[str, Path(max_length=64)]
JSON = dict[str, Any]


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class StartIn(Body):
    """The procedure type to start."""

    procedure: Short


class AnswersIn(Body):
    """The answers: ``{"fields": {...}, "organisations": {...}}`` (checked by the portal)."""

    answers: dict[str, Any]


class AttachIn(Body):
    """A wallet document put in an attachment place."""

    slot: Short
    document_id: Short


class ResumeIn(Body):
    """The draft's file number and password (where its type asks for them)."""

    file_number: Short | None = None
    password: Short | None = None


class StatusIn(Body):
    """A status reported by a receiving organisation (P8)."""

    reference: Short
    status: Short
    message: Annotated[str, Field(max_length=4000)] = ""


def _json(value: object) -> JSON:
    encoded: JSON = jsonable_encoder(value)
    return encoded


@router.get("/procedures/types")
def types(portal: PortalDep) -> list[JSON]:
    """The procedure types offered: fields, attachments, recipients (data, not code)."""
    return [_json(ptype) for ptype in portal.procedure_types()]


@router.post("/procedures", status_code=status.HTTP_201_CREATED)
def start(body: StartIn, token: BearerToken, portal: PortalDep) -> JSON:
    """Start a procedure; one at a time per account (P4: ``procedure-in-progress``)."""
    return _json(portal.start_procedure(token, body.procedure))


@router.get("/procedures/{dossier_id}")
def view(dossier_id: DossierId, token: BearerToken, portal: PortalDep) -> JSON:
    """A dossier in any state."""
    return _json(portal.view_dossier(token, dossier_id))


@router.put("/procedures/{dossier_id}/answers")
def answers(dossier_id: DossierId, body: AnswersIn, token: BearerToken, portal: PortalDep) -> JSON:
    """Replace the answers of the dossier in progress."""
    return _json(portal.update_answers(token, dossier_id, body.answers))


@router.get("/procedures/{dossier_id}/check")
def check(dossier_id: DossierId, token: BearerToken, portal: PortalDep) -> JSON:
    """What still blocks transmission, and what is proposed."""
    return _json(portal.check_procedure(token, dossier_id))


@router.post("/procedures/{dossier_id}/attachments")
def attach(dossier_id: DossierId, body: AttachIn, token: BearerToken, portal: PortalDep) -> JSON:
    """Attach a wallet document (D5)."""
    return _json(portal.attach_document(token, dossier_id, body.slot, body.document_id))


@router.delete("/procedures/{dossier_id}/attachments/{slot}/{document_id}")
def detach(
    dossier_id: DossierId, slot: str, document_id: str, token: BearerToken, portal: PortalDep
) -> JSON:
    """Take a document out of an attachment place."""
    return _json(portal.detach_document(token, dossier_id, slot, document_id))


@router.post("/procedures/{dossier_id}/save")
def save(dossier_id: DossierId, token: BearerToken, portal: PortalDep) -> JSON:
    """Save as a draft (P1): file number, password, resume link (valid 15 days, P3)."""
    return _json(portal.save_procedure(token, dossier_id))


@router.post("/procedures/{dossier_id}/resume")
def resume(dossier_id: DossierId, body: ResumeIn, token: BearerToken, portal: PortalDep) -> JSON:
    """Resume a draft (P2): its saved answers come back exactly."""
    resumed = portal.resume_procedure(
        token, dossier_id, file_number=body.file_number, password=body.password
    )
    return _json(resumed)


@router.post("/procedures/{dossier_id}/abandon", status_code=status.HTTP_204_NO_CONTENT)
def abandon(dossier_id: DossierId, token: BearerToken, portal: PortalDep) -> None:
    """Abandon the procedure in progress or a draft."""
    portal.abandon_procedure(token, dossier_id)


@router.post("/procedures/{dossier_id}/transmit")
def transmit(dossier_id: DossierId, token: BearerToken, portal: PortalDep) -> JSON:
    """Transmettre ma demande (P5): the receipt with its A-1/A-2 reference (idempotent, P9)."""
    return _json(portal.transmit_procedure(token, dossier_id))


@router.get("/procedures/{dossier_id}/pdf", response_class=Response)
def pdf(
    dossier_id: DossierId, token: BearerToken, portal: PortalDep, summary: bool = False
) -> Response:
    """The transmitted dossier's PDF (or its summary alone), checked as it streams."""
    chunks = portal.dossier_pdf(token, dossier_id, summary_only=summary)
    name = "recapitulatif.pdf" if summary else "dossier.pdf"
    return file_response(chunks, filename=name, media_type="application/pdf")


@router.get("/tracking")
def tracking(token: BearerToken, portal: PortalDep, page: Token | None = None) -> JSON:
    """Mon suivi, newest first; pass ``next_page`` back as ``page``."""
    return _json(portal.my_tracking(token, page=page))


@router.post("/partners/{organisation}/statuses", status_code=status.HTTP_204_NO_CONTENT)
def report_status(
    organisation: Annotated[str, Path(max_length=64)],
    body: StatusIn,
    request: Request,
    portal: PortalDep,
) -> None:
    """Organisation-side call (P8): a dossier's status, with ``Authorization: Bearer <key>``."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise PartnerNotAuthorised("no partner key")
    portal.report_status(organisation, key.strip(), body.reference, body.status, body.message)
