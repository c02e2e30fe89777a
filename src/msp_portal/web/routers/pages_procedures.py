"""Pages: online procedures (P1-P9).

The catalogue, a dossier's form (answers kept exactly), the check before sending, "Enregistrer"
(file number, password, resume link), "Transmettre ma demande" (the A-1/A-2 reference, the
PDF), Mon suivi, resuming a draft from its link.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from msp_portal.errors import PortalError, UnknownProcedure
from msp_portal.web.deps import CsrfChecked, PageSession, PortalDep, web_context
from msp_portal.web.downloads import file_response
from msp_portal.web.procedure_forms import ADDRESS_PARTS, answers_from_form, form_values
from msp_portal.web.rendering import redirect, render

router = APIRouter(include_in_schema=False)
STATES = {
    "in-progress": "En cours de saisie",
    "saved": "Enregistrée, non transmise",
    "transmitted": "Transmise",
}
DELIVERIES = {
    "pending": "envoi en cours",
    "delivered": "reçue par l'organisme",
    "failed": "envoi échoué",
}
STATUSES = {
    "received": "prise en compte",
    "in-progress": "en cours de traitement",
    "accepted": "acceptée",
    "rejected": "refusée",
}
FormText = Annotated[str, Form(max_length=200)]


REASONS = {
    "required": "à renseigner",
    "too-long": "trop long",
    "too-short": "trop court",
    "too-few": "pas assez d'éléments",
    "too-many": "trop d'éléments",
    "too-many-items": "trop d'éléments",
    "pattern": "format non reconnu",
    "invalid": "valeur non valable",
    "date-in-future": "date dans le futur",
    "postcode-fr": "code postal non valable",
}


def _type(request: Request, procedure: str) -> Any:
    """The procedure type of that id (the catalogue is the portal's, loaded at start)."""
    for ptype in web_context(request).portal.procedure_types():
        if ptype.id == procedure:
            return ptype
    raise UnknownProcedure(procedure=procedure)


def _labels(ptype: Any) -> dict[str, str]:
    """What each answer's path is called on the page (``fields.x`` -> its label)."""
    labels = {f"fields.{spec.id}": spec.label for spec in ptype.fields}
    for offered in ptype.recipients.organisations:
        for spec in offered.fields:
            path = f"organisations.{offered.organisation.code}.{spec.id}"
            labels[path] = f"{offered.organisation.name} : {spec.label}"
    labels["organisations"] = "Organismes destinataires"
    return labels


@router.get("/demarches", name="page_procedures")
def procedures(request: Request, portal: PortalDep) -> Response:
    """The procedures a citizen can start."""
    return render(request, "demarches.html", types=portal.procedure_types())


@router.post("/demarches/commencer", name="page_procedure_start", dependencies=[CsrfChecked])
def start(
    request: Request, session: PageSession, portal: PortalDep, demarche: FormText = ""
) -> Response:
    """Start a procedure (one at a time, P4)."""
    try:
        view = portal.start_procedure(session, demarche)
    except PortalError as error:
        if error.code == "session-invalid":
            raise
        return render(request, "demarches.html", types=portal.procedure_types(), error=error)
    return redirect(request, "page_dossier", params={"dossier_id": view.dossier_id})


@router.get("/demarches/dossier/{dossier_id}", name="page_dossier")
def dossier(request: Request, dossier_id: str, session: PageSession, portal: PortalDep) -> Response:
    """The dossier: its form (answers kept), or its receipt once transmitted."""
    view = portal.view_dossier(session, dossier_id[:64])
    ptype = _type(request, view.procedure)
    return render(
        request,
        "dossier.html",
        view=view,
        ptype=ptype,
        values=form_values(ptype, view.answers),
        address_parts=ADDRESS_PARTS,
    )


@router.post("/demarches/dossier/{dossier_id}", dependencies=[CsrfChecked])
async def answer(
    request: Request, dossier_id: str, session: PageSession, portal: PortalDep
) -> Response:
    """Keep the answers typed; then the check before sending."""
    submitted = await request.form()
    form = {key: [v for v in submitted.getlist(key) if isinstance(v, str)] for key in submitted}
    view = portal.view_dossier(session, dossier_id[:64])
    ptype = _type(request, view.procedure)
    answers = answers_from_form(ptype, form)
    try:
        portal.update_answers(session, dossier_id[:64], answers)
    except PortalError as error:
        if error.code == "session-invalid":
            raise
        values: dict[str, Any] = {k: (v if len(v) > 1 else v[0]) for k, v in form.items() if v}
        values["org"] = form.get("org", [])
        return render(
            request,
            "dossier.html",
            view=view,
            ptype=ptype,
            values=values,
            address_parts=ADDRESS_PARTS,
            error=error,
        )
    return redirect(request, "page_dossier_check", params={"dossier_id": dossier_id[:64]})


@router.get("/demarches/dossier/{dossier_id}/verification", name="page_dossier_check")
def check(request: Request, dossier_id: str, session: PageSession, portal: PortalDep) -> Response:
    """What still blocks the sending, and what is proposed; then save or send."""
    result = portal.check_procedure(session, dossier_id[:64])
    view = portal.view_dossier(session, dossier_id[:64])
    return render(
        request,
        "dossier_verification.html",
        dossier_id=dossier_id[:64],
        result=result,
        labels=_labels(_type(request, view.procedure)),
        reasons=REASONS,
    )


@router.post("/demarches/dossier/{dossier_id}/enregistrer", dependencies=[CsrfChecked])
def save(request: Request, dossier_id: str, session: PageSession, portal: PortalDep) -> Response:
    """Save as a draft (P1): file number, password and resume link, shown and emailed."""
    draft = portal.save_procedure(session, dossier_id[:64])
    return render(request, "dossier_enregistre.html", draft=draft)


@router.post("/demarches/dossier/{dossier_id}/transmettre", dependencies=[CsrfChecked])
def transmit(
    request: Request, dossier_id: str, session: PageSession, portal: PortalDep
) -> Response:
    """Transmettre ma demande (P5): the reference and the PDF; a failure can be retried (P9)."""
    try:
        receipt = portal.transmit_procedure(session, dossier_id[:64])
    except PortalError as error:
        if error.code == "session-invalid":
            raise
        return render(
            request,
            "dossier_verification.html",
            dossier_id=dossier_id[:64],
            result=None,
            labels={},
            reasons=REASONS,
            error=error,
        )
    return render(request, "dossier_transmis.html", receipt=receipt)


@router.post("/demarches/dossier/{dossier_id}/abandonner", dependencies=[CsrfChecked])
def abandon(request: Request, dossier_id: str, session: PageSession, portal: PortalDep) -> Response:
    """Abandon the procedure in progress or a draft."""
    portal.abandon_procedure(session, dossier_id[:64])
    return redirect(request, "page_tracking", info="demarche-abandonnee")


@router.get("/demarches/dossier/{dossier_id}/pdf", name="page_dossier_pdf")
def pdf(
    dossier_id: str, session: PageSession, portal: PortalDep, recapitulatif: bool = False
) -> Response:
    """The transmitted dossier's PDF, or its summary alone."""
    chunks = portal.dossier_pdf(session, dossier_id[:64], summary_only=recapitulatif)
    name = "recapitulatif.pdf" if recapitulatif else "dossier.pdf"
    return file_response(chunks, filename=name, media_type="application/pdf")


@router.get("/mon-suivi", name="page_tracking")
def tracking(
    request: Request, session: PageSession, portal: PortalDep, page: str | None = None
) -> Response:
    """Mon suivi: drafts with their resume link, sent dossiers with their statuses."""
    found = portal.my_tracking(session, page=page[:200] if page else None)
    return render(
        request,
        "mon_suivi.html",
        tracking=found,
        states=STATES,
        deliveries=DELIVERIES,
        statuses=STATUSES,
    )


@router.get("/mon-suivi/reprendre", name="page_resume")
def resume_form(request: Request, session: PageSession, dossier: str = "") -> Response:
    """The resume link (P2): the file number and password of the draft."""
    return render(request, "reprendre.html", values={"dossier": dossier[:64]})


@router.post("/mon-suivi/reprendre", dependencies=[CsrfChecked])
def resume(
    request: Request,
    session: PageSession,
    portal: PortalDep,
    dossier: FormText = "",
    numero: FormText = "",
    mot_de_passe: FormText = "",
) -> Response:
    """Resume the draft; its saved answers come back exactly."""
    try:
        view = portal.resume_procedure(
            session, dossier, file_number=numero or None, password=mot_de_passe or None
        )
    except PortalError as error:
        if error.code == "session-invalid":
            raise
        values = {"dossier": dossier, "numero": numero}
        return render(request, "reprendre.html", values=values, error=error)
    return redirect(request, "page_dossier", params={"dossier_id": view.dossier_id})


@router.get("/demarches/dossier/{dossier_id}/pieces", name="page_dossier_attachments")
def attachments(
    request: Request, dossier_id: str, session: PageSession, portal: PortalDep
) -> Response:
    """The attachment places of the dossier, and the wallet documents that fit each (D5)."""
    view = portal.view_dossier(session, dossier_id[:64])
    return render(
        request,
        "dossier_pieces.html",
        view=view,
        ptype=_type(request, view.procedure),
        documents=portal.documents(session),
    )


@router.post("/demarches/dossier/{dossier_id}/pieces", dependencies=[CsrfChecked])
def attach(
    request: Request,
    dossier_id: str,
    session: PageSession,
    portal: PortalDep,
    place: FormText = "",
    document: FormText = "",
    action: FormText = "joindre",
) -> Response:
    """Attach a wallet document to a place, or take it out."""
    call = portal.detach_document if action == "retirer" else portal.attach_document
    try:
        call(session, dossier_id[:64], place, document)
    except PortalError as error:
        if error.code == "session-invalid":
            raise
        return render(request, "erreur.html", error=error)
    return redirect(request, "page_dossier_attachments", params={"dossier_id": dossier_id[:64]})
