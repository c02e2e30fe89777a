"""Pages: online procedures (P1-P9), the change of address among them (C1-C5).

The catalogue, a dossier's form (answers kept exactly; repeated groups grow and shrink with
buttons, no script), the check before sending (each problem beside its field, in French; the
proposals to accept or refuse, such as La Poste's form of a new address), "Enregistrer" (file
number, password, resume link), "Transmettre ma demande" (the A-1/A-2 reference, the PDF), Mon
suivi, resuming a draft from its link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from msp_portal.domain.hooks import Problem
from msp_portal.errors import AnswersIncomplete, PortalError, UnknownProcedure
from msp_portal.web._messages import ATTACHMENT_REQUIRED, problem_message
from msp_portal.web.deps import CsrfChecked, PageSession, PortalDep, web_context
from msp_portal.web.downloads import file_response
from msp_portal.web.procedure_forms import (
    ADDRESS_PARTS,
    answers_from_form,
    form_values,
    input_id,
    locate,
    submitted_values,
    without_row,
)
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
# What La Poste's form changed on a line, in the words of the page (docs/address.md, C3).
ADDRESS_REASONS = {
    "format": "mise en forme (majuscules, accents, ponctuation)",
    "abbreviated": "abrégée pour tenir sur une ligne",
    "number": "numéro séparé de la voie",
    "hamlet": "lieu-dit ajouté",
    "locality": "commune écrite comme La Poste l'achemine",
}
FormText = Annotated[str, Form(max_length=200)]
PROPOSAL_ANCHOR = "proposition"


def _type(request: Request, procedure: str) -> Any:
    """The procedure type of that id (the catalogue is the portal's, loaded at start)."""
    for ptype in web_context(request).portal.procedure_types():
        if ptype.id == procedure:
            return ptype
    raise UnknownProcedure(procedure=procedure)


def _problems(ptype: Any, details: Sequence[Problem]) -> tuple[list[dict[str, str]], ...]:
    """The engine's problems as messages: those of the form's fields, and the others.

    Each is ``{"field": input id, "label", "message"}``; the message is the rule's own French
    text when it has a typed error (the move date's window with both dates, a contract number's
    check...), else the plain reason's.
    """
    on_form: list[dict[str, str]] = []
    elsewhere: list[dict[str, str]] = []
    slots = {f"attachments.{a.id}": a.label for a in ptype.attachments}
    for problem in details:
        place = locate(ptype, problem.path)
        if problem.error is not None:
            message = problem.error.message("fr")
        elif problem.path in slots and problem.reason == "required":
            message = ATTACHMENT_REQUIRED.format(label=slots[problem.path])
        else:
            message = problem_message(problem.reason, dict(problem.facts))
        if place.asked and place.id:
            on_form.append({"field": place.id, "label": place.label, "message": message})
        else:
            field = PROPOSAL_ANCHOR if problem.path.startswith("fields.") else ""
            label = slots.get(problem.path, "" if field else place.label)
            elsewhere.append({"field": field, "label": label, "message": message})
    return on_form, elsewhere


def _form_page(
    request: Request,
    view: Any,
    ptype: Any,
    values: dict[str, Any],
    *,
    add_row: str | None = None,
    **context: Any,
) -> Response:
    added = None
    if add_row is not None and isinstance(values.get(f"{add_row}.count"), int):
        added = input_id(f"{add_row}.{values[f'{add_row}.count'] - 1}")
    return render(
        request,
        "dossier.html",
        view=view,
        ptype=ptype,
        values=values,
        address_parts=ADDRESS_PARTS,
        added_row=added,
        **context,
    )


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
        in_progress = str(error.facts.get("dossier", "")) or None
        return render(
            request,
            "demarches.html",
            types=portal.procedure_types(),
            error=error,
            in_progress=in_progress,
        )
    return redirect(request, "page_dossier", params={"dossier_id": view.dossier_id})


@router.get("/changement-adresse", name="page_address")
def change_of_address(request: Request, session: PageSession) -> Response:
    """Where the change of address starts: what it does (C1-C5), then the procedure itself."""
    ptype = _type(request, "changement-coordonnees")
    return render(request, "changement_adresse.html", ptype=ptype)


@router.get("/demarches/dossier/{dossier_id}", name="page_dossier")
def dossier(
    request: Request,
    dossier_id: str,
    session: PageSession,
    portal: PortalDep,
    ajouter: str | None = None,
) -> Response:
    """The dossier: its form (answers kept), or its receipt once transmitted.

    ``ajouter`` names a repeated group shown with one empty row more.
    """
    view = portal.view_dossier(session, dossier_id[:64])
    ptype = _type(request, view.procedure)
    if ptype.form and str(view.state) != "transmitted":
        return redirect(request, "page_cerfa_dossier", params={"dossier_id": view.dossier_id})
    add_row = ajouter[:200] if ajouter else None
    values = form_values(ptype, view.answers, add_row=add_row)
    return _form_page(request, view, ptype, values, add_row=add_row)


@router.post("/demarches/dossier/{dossier_id}", dependencies=[CsrfChecked])
async def answer(
    request: Request, dossier_id: str, session: PageSession, portal: PortalDep
) -> Response:
    """Keep the answers typed; then the check before sending (or a row more, or fewer).

    The button pressed is ``action``: ``continuer`` (the default, also Enter in a field),
    ``enregistrer`` (keep and save as a draft, P1), ``ajouter:<group>``, ``retirer:<row>``.
    """
    submitted = await request.form()
    form = {key: [v for v in submitted.getlist(key) if isinstance(v, str)] for key in submitted}
    action = (form.pop("action", None) or ["continuer"])[-1][:200]
    view = portal.view_dossier(session, dossier_id[:64])
    ptype = _type(request, view.procedure)
    group = ""
    if action.startswith("retirer:"):
        row = action.removeprefix("retirer:")
        form = without_row(form, row)
        group = row.rpartition(".")[0]
    answers = answers_from_form(ptype, form, kept=view.answers)
    try:
        portal.update_answers(session, view.dossier_id, answers)
    except PortalError as error:
        if error.code == "session-invalid":
            raise
        return _form_page(request, view, ptype, submitted_values(ptype, form), error=error)
    if action == "enregistrer":
        draft = portal.save_procedure(session, view.dossier_id)
        return render(request, "dossier_enregistre.html", draft=draft)
    if action.startswith("ajouter:"):
        group = action.removeprefix("ajouter:")
        moved = redirect(
            request, "page_dossier", params={"dossier_id": view.dossier_id}, ajouter=group
        )
        moved.headers["location"] += "#" + input_id(group)
        return moved
    if group:
        moved = redirect(request, "page_dossier", params={"dossier_id": view.dossier_id})
        moved.headers["location"] += "#" + input_id(group)
        return moved
    return redirect(request, "page_dossier_check", params={"dossier_id": view.dossier_id})


def _summary(ptype: Any, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The answers as the citizen reads them back: (question, answer) for each answered one."""
    rows: list[tuple[str, str]] = []

    def text(spec: Any, value: Any) -> str:
        kind = str(spec.kind)
        if kind == "boolean":
            return "Oui" if value else "Non"
        if kind == "choice":
            return str(spec.choice_label(value))
        if kind == "multi-choice":
            return ", ".join(spec.choice_label(v) for v in value)
        if kind == "address" and isinstance(value, dict):
            return ", ".join(str(value[p]) for p, _ in ADDRESS_PARTS if value.get(p))
        if kind == "group" and isinstance(value, list):
            items = [
                ", ".join(text(s, i.get(s.id)) for s in spec.fields if i.get(s.id)) for i in value
            ]
            return " ; ".join(items)
        return str(value)

    fields = answers.get("fields") or {}
    for spec in ptype.fields:
        if spec.asked and fields.get(spec.id) not in (None, "", [], {}):
            rows.append((spec.label, text(spec, fields[spec.id])))
    chosen = answers.get("organisations") or {}
    for offered in ptype.recipients.organisations:
        own = chosen.get(offered.organisation.code)
        if own is None:
            continue
        if str(ptype.recipients.mode) == "chosen":
            rows.append(("Organisme destinataire", offered.organisation.name))
        for spec in offered.fields:
            if spec.asked and own.get(spec.id) not in (None, "", []):
                label = f"{offered.organisation.name} : {spec.label}"
                rows.append((label, text(spec, own[spec.id])))
    return rows


def _check_page(request: Request, view: Any, ptype: Any, result: Any, **context: Any) -> Response:
    _, pending = _problems(ptype, result.details) if result is not None else ([], [])
    return render(
        request,
        "dossier_verification.html",
        view=view,
        dossier_id=view.dossier_id,
        ptype=ptype,
        result=result,
        pending=pending,
        answers=_summary(ptype, view.answers),
        reasons=ADDRESS_REASONS,
        **context,
    )


@router.get("/demarches/dossier/{dossier_id}/verification", name="page_dossier_check")
def check(request: Request, dossier_id: str, session: PageSession, portal: PortalDep) -> Response:
    """What still blocks the sending, and what is proposed; then save or send.

    The form's fields in error are shown on the form again, each message beside its field;
    otherwise the answers, the proposals to accept or refuse, and "Enregistrer" / "Transmettre
    ma demande".
    """
    view = portal.view_dossier(session, dossier_id[:64])
    ptype = _type(request, view.procedure)
    if ptype.form and str(view.state) != "transmitted":
        return redirect(request, "page_cerfa_check", params={"dossier_id": view.dossier_id})
    result = portal.check_procedure(session, view.dossier_id)
    on_form, _ = _problems(ptype, result.details)
    if on_form:
        values = form_values(ptype, view.answers)
        return _form_page(request, view, ptype, values, problems=on_form)
    return _check_page(request, view, ptype, result)


@router.post(
    "/demarches/dossier/{dossier_id}/proposition",
    name="page_dossier_proposal",
    dependencies=[CsrfChecked],
)
async def answer_proposal(
    request: Request, dossier_id: str, session: PageSession, portal: PortalDep
) -> Response:
    """Accept a proposal, or refuse it ("Je refuse ces modifications. Ma saisie sera conservée").

    The page carries the answers each choice saves (``accept.<field>``, ``refuse.<field>``:
    the proposal's own ``accept`` and ``refuse``); the ticked box picks one set, merged into the
    fields that type answers on proposals (``FieldSpec.answered_by``), nothing else. What the
    citizen saw is what is saved: a proposal that changed since (the address edited in another
    tab) is not accepted in its stead; the engine then asks again (``address-choice-needed``).
    """
    submitted = await request.form()
    choice = "refuse" if submitted.get("refuser") == "oui" else "accept"
    view = portal.view_dossier(session, dossier_id[:64])
    ptype = _type(request, view.procedure)
    allowed = {spec.id for spec in ptype.fields if spec.answered_by is not None}
    chosen = {
        key.removeprefix(choice + "."): value
        for key, value in submitted.multi_items()
        if isinstance(value, str)
        and key.removeprefix(choice + ".") in allowed
        and key.startswith(choice + ".")
    }
    answers = dict(view.answers)
    answers["fields"] = {**(answers.get("fields") or {}), **chosen}
    try:
        portal.update_answers(session, view.dossier_id, answers)
    except PortalError as error:
        if error.code == "session-invalid":
            raise
        return render(request, "erreur.html", error=error)
    moved = redirect(request, "page_dossier_check", params={"dossier_id": view.dossier_id})
    moved.headers["location"] += "#" + PROPOSAL_ANCHOR
    return moved


@router.post("/demarches/dossier/{dossier_id}/enregistrer", dependencies=[CsrfChecked])
def save(request: Request, dossier_id: str, session: PageSession, portal: PortalDep) -> Response:
    """Save as a draft (P1): file number, password and resume link, shown and emailed."""
    draft = portal.save_procedure(session, dossier_id[:64])
    return render(request, "dossier_enregistre.html", draft=draft)


@router.post("/demarches/dossier/{dossier_id}/transmettre", dependencies=[CsrfChecked])
def transmit(
    request: Request, dossier_id: str, session: PageSession, portal: PortalDep
) -> Response:
    """Transmettre ma demande (P5): the reference and the PDF; a failure can be retried (P9).

    Refused (``answers-incomplete``): the fields in error on the form, each with its message;
    or, when only a proposal's answer or an attachment is missing, the check page with them.
    """
    try:
        receipt = portal.transmit_procedure(session, dossier_id[:64])
    except AnswersIncomplete as error:
        view = portal.view_dossier(session, dossier_id[:64])
        ptype = _type(request, view.procedure)
        on_form, elsewhere = _problems(ptype, tuple(error.facts.get("details", ())))
        if on_form:
            values = form_values(ptype, view.answers)
            return _form_page(request, view, ptype, values, problems=on_form, status=422)
        result = portal.check_procedure(session, view.dossier_id)
        return _check_page(request, view, ptype, result, problems=elsewhere, status=422)
    except PortalError as error:
        if error.code == "session-invalid":
            raise
        return render(request, "erreur.html", error=error)
    view = portal.view_dossier(session, receipt.dossier_id)
    return render(
        request,
        "dossier_transmis.html",
        receipt=receipt,
        view=view,
        ptype=_type(request, view.procedure),
    )


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
