"""Pages: the CERFA forms (F1-F4): list, fill online, print blank, send online as dossiers.

A form filled online is prefilled from the profile's contact details. It is downloaded (to keep
or to print and post), or sent online to the form's organisation as a dossier of the procedures
model (``portal.cerfa``, F3-F4): its values are kept as they are typed, the check names each
field in error beside it, "Enregistrer le brouillon" gives a file number, and "Transmettre ma
demande" the A-2 reference, in Mon suivi with the others. Everything decided is the desk's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from msp_docs.errors import FormError
from msp_portal.domain.cerfa_procedures import FormProblem
from msp_portal.errors import AnswersIncomplete, FormValuesInvalid, PortalError, UnknownProcedure
from msp_portal.web.deps import CerfaDep, CsrfChecked, PageSession
from msp_portal.web.downloads import file_response
from msp_portal.web.rendering import redirect, render
from msp_portal.web.routers.api_cerfa import _pdf_name

router = APIRouter(include_in_schema=False)
PRINT = "imprimer"


def _html_fields(form: Any) -> list[dict[str, Any]]:
    """The map's entries with the HTML names the page gives them (``c0``, ``c1``...)."""
    return [{"html": f"c{i}", "entry": entry} for i, entry in enumerate(form.fields)]


def _from_form(fields: list[dict[str, Any]], submitted: FormData) -> tuple[dict[str, Any], ...]:
    """The values keyed by the map's names, and the inputs as typed (shown again on refusal)."""
    values: dict[str, Any] = {}
    shown: dict[str, str] = {}
    for field in fields:
        entry, raw = field["entry"], submitted.get(field["html"])
        text = raw if isinstance(raw, str) else ""
        shown[field["html"]] = text
        if entry.type.value == "checkbox":
            values[entry.name] = text == "on"
        elif entry.type.value == "radio":
            values[entry.name] = text or None
        else:
            values[entry.name] = text
    return values, shown


def _shown(fields: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, str]:
    """A dossier's values as the inputs show them (a ticked checkbox is ``on``)."""
    shown: dict[str, str] = {}
    for field in fields:
        value = values.get(field["entry"].name)
        if field["entry"].type.value == "checkbox":
            shown[field["html"]] = "on" if value is True else ""
        else:
            shown[field["html"]] = "" if value is None else str(value)
    return shown


def _messages(fields: list[dict[str, Any]], found: Sequence[FormProblem]) -> list[dict[str, str]]:
    """The desk's problems as the page shows them: beside each field, and in the summary."""
    html = {f["entry"].name: f["html"] for f in fields}
    return [
        {"field": html.get(p.field, ""), "label": p.label, "message": p.message_fr} for p in found
    ]


def _sendable(cerfa: Any, number: str) -> bool:
    """Whether this form can be sent online as a dossier (a fillable form, a desk that sends)."""
    try:
        cerfa.procedure(number)
    except (UnknownProcedure, FormError):
        return False
    return True


@router.get("/formulaires", name="page_cerfa_list")
def cerfa_list(request: Request, cerfa: CerfaDep) -> Response:
    """The catalogue: forms to fill online, forms to print."""
    forms = [(form, cerfa.available(form)) for form in cerfa.forms()]
    return render(request, "formulaires.html", forms=forms)


@router.get("/formulaires/{numero}", name="page_cerfa_form")
def cerfa_form(request: Request, numero: str, session: PageSession, cerfa: CerfaDep) -> Response:
    """A form to fill online, prefilled from the profile."""
    form = cerfa.form(numero[:40])
    prefill = cerfa.prefill(session)
    values = {f["html"]: prefill.get(f["entry"].profile or "", "") for f in _html_fields(form)}
    return render(
        request,
        "formulaire.html",
        form=form,
        fields=_html_fields(form),
        values=values,
        prefilled={f["html"] for f in _html_fields(form) if values[f["html"]]},
        sendable=_sendable(cerfa, str(form.number)),
    )


@router.post("/formulaires/{numero}", dependencies=[CsrfChecked])
async def cerfa_fill(
    request: Request, numero: str, session: PageSession, cerfa: CerfaDep
) -> Response:
    """Fill the form; answer the PDF, or the page again with the field in error."""
    form = cerfa.form(numero[:40])
    submitted = await request.form()
    fields = _html_fields(form)
    values, shown = _from_form(fields, submitted)
    flatten = submitted.get("mode") == PRINT
    try:
        result = await run_in_threadpool(cerfa.fill, session, numero, values, flatten=flatten)
    except FormError as error:
        bad = str(error.facts.get("field", ""))
        html = next(
            (f["html"] for f in fields if bad in {f["entry"].name, *f["entry"].pdf_names}), None
        )
        return render(
            request,
            "formulaire.html",
            form=form,
            fields=fields,
            values=shown,
            prefilled=set(),
            error=error,
            error_field=html,
            sendable=_sendable(cerfa, str(form.number)),
        )
    name = _pdf_name(str(form.number), "-imprimable" if flatten else "")
    return file_response(
        iter([result.data]), filename=name, media_type="application/pdf", size=len(result.data)
    )


@router.get("/formulaires/{numero}/vierge", name="page_cerfa_blank")
async def cerfa_blank(numero: str, cerfa: CerfaDep) -> Response:
    """A blank copy, fitted to A4, to print and fill by hand."""
    result = await run_in_threadpool(cerfa.blank, numero[:40], fit_a4=True)
    name = _pdf_name(str(cerfa.form(numero[:40]).number), "-vierge")
    return file_response(
        iter([result.data]), filename=name, media_type="application/pdf", size=len(result.data)
    )


# --- sent online as a dossier (F3, F4) -----------------------------------------------------------
def _dossier_page(
    request: Request, cerfa: Any, dossier: Any, shown: dict[str, str], **context: Any
) -> Response:
    fields = _html_fields(dossier.form)
    prefilled = {f["html"] for f in fields if f["entry"].name in dossier.prefilled}
    return render(
        request,
        "formulaire_dossier.html",
        form=dossier.form,
        dossier=dossier.dossier,
        fields=fields,
        values=shown,
        prefilled=prefilled,
        **context,
    )


@router.post("/formulaires/{numero}/envoyer", name="page_cerfa_send", dependencies=[CsrfChecked])
async def cerfa_start(
    request: Request, numero: str, session: PageSession, cerfa: CerfaDep
) -> Response:
    """Start sending the form online (one procedure at a time, P4).

    The values typed so far are kept in the new dossier when the map accepts them, else the
    dossier's form shows why.
    """
    form = cerfa.form(numero[:40])
    submitted = await request.form()
    values, shown = _from_form(_html_fields(form), submitted)
    try:
        dossier = await run_in_threadpool(cerfa.start, session, str(form.number))
    except PortalError as error:
        if error.code == "session-invalid":
            raise
        return render(
            request,
            "formulaire.html",
            status=409 if error.code == "procedure-in-progress" else 422,
            form=form,
            fields=_html_fields(form),
            values=shown,
            prefilled=set(),
            error=error,
            sendable=True,
            in_progress=str(error.facts.get("dossier", "")) or None,
        )
    dossier_id = dossier.dossier.dossier_id
    try:
        await run_in_threadpool(cerfa.update, session, dossier_id, values)
    except FormValuesInvalid as error:
        problems = _messages(_html_fields(form), error.facts.get("problems", ()))
        return _dossier_page(request, cerfa, dossier, shown, problems=problems, status=422)
    return redirect(request, "page_cerfa_check", params={"dossier_id": dossier_id})


@router.get("/formulaires/dossier/{dossier_id}", name="page_cerfa_dossier")
def cerfa_dossier(
    request: Request, dossier_id: str, session: PageSession, cerfa: CerfaDep
) -> Response:
    """The dossier's form, with its values as they were typed (or its receipt once sent)."""
    dossier = cerfa.dossier(session, dossier_id[:64])
    if str(dossier.dossier.state) == "transmitted":
        return redirect(request, "page_dossier", params={"dossier_id": dossier.dossier.dossier_id})
    shown = _shown(_html_fields(dossier.form), dossier.values)
    return _dossier_page(request, cerfa, dossier, shown)


@router.post("/formulaires/dossier/{dossier_id}", dependencies=[CsrfChecked])
async def cerfa_dossier_update(
    request: Request, dossier_id: str, session: PageSession, cerfa: CerfaDep
) -> Response:
    """Keep the values typed (every refused one beside its field).

    Then the check, or the draft saved (``action=enregistrer``).
    """
    dossier = cerfa.dossier(session, dossier_id[:64])
    submitted = await request.form()
    fields = _html_fields(dossier.form)
    values, shown = _from_form(fields, submitted)
    dossier_id = dossier.dossier.dossier_id
    try:
        await run_in_threadpool(cerfa.update, session, dossier_id, values)
    except FormValuesInvalid as error:
        problems = _messages(fields, error.facts.get("problems", ()))
        return _dossier_page(request, cerfa, dossier, shown, problems=problems, status=422)
    except PortalError as error:
        if error.code == "session-invalid":
            raise
        return _dossier_page(request, cerfa, dossier, shown, error=error, status=409)
    if submitted.get("action") == "enregistrer":
        draft = cerfa.save(session, dossier_id)
        return render(request, "dossier_enregistre.html", draft=draft)
    return redirect(request, "page_cerfa_check", params={"dossier_id": dossier_id})


@router.get("/formulaires/dossier/{dossier_id}/verification", name="page_cerfa_check")
def cerfa_check(
    request: Request, dossier_id: str, session: PageSession, cerfa: CerfaDep
) -> Response:
    """Before sending: the fields still in error on the form, or the values and the buttons."""
    dossier = cerfa.dossier(session, dossier_id[:64])
    found = cerfa.check(session, dossier.dossier.dossier_id)
    fields = _html_fields(dossier.form)
    if not found.ok:
        shown = _shown(fields, dossier.values)
        return _dossier_page(
            request, cerfa, dossier, shown, problems=_messages(fields, found.problems)
        )
    return _check_page(request, dossier)


def _check_page(request: Request, dossier: Any, **context: Any) -> Response:
    fields = _html_fields(dossier.form)
    answers = []
    for field in fields:
        entry, value = field["entry"], dossier.values.get(field["entry"].name)
        if value in (None, "", False):
            continue
        text = (
            "Oui"
            if value is True
            else entry.states.get(value, value)
            if entry.type.value == "radio"
            else value
        )
        answers.append((entry.label, str(text)))
    return render(
        request,
        "formulaire_verification.html",
        form=dossier.form,
        dossier=dossier.dossier,
        answers=answers,
        **context,
    )


@router.post(
    "/formulaires/dossier/{dossier_id}/transmettre",
    name="page_cerfa_transmit",
    dependencies=[CsrfChecked],
)
async def cerfa_transmit(
    request: Request, dossier_id: str, session: PageSession, cerfa: CerfaDep
) -> Response:
    """Transmettre ma demande (F3, F4): the filled form goes to its organisation (A-2).

    Refused: the form again, with each field in error.
    """
    dossier = cerfa.dossier(session, dossier_id[:64])
    fields = _html_fields(dossier.form)
    try:
        receipt = await run_in_threadpool(cerfa.transmit, session, dossier.dossier.dossier_id)
    except (AnswersIncomplete, FormValuesInvalid) as error:
        found = cerfa.check(session, dossier.dossier.dossier_id).problems
        if not found and isinstance(error, FormValuesInvalid):
            found = tuple(error.facts.get("problems", ()))
        shown = _shown(fields, dossier.values)
        return _dossier_page(
            request, cerfa, dossier, shown, problems=_messages(fields, found), status=422
        )
    view = cerfa.dossier(session, receipt.dossier_id).dossier
    return render(request, "dossier_transmis.html", receipt=receipt, view=view, ptype=None)


@router.get("/formulaires/dossier/{dossier_id}/imprimer", name="page_cerfa_print")
async def cerfa_print(
    request: Request, dossier_id: str, session: PageSession, cerfa: CerfaDep
) -> Response:
    """The dossier's form filled and flattened, to print and post; nothing is sent (F1)."""
    dossier = cerfa.dossier(session, dossier_id[:64])
    result = await run_in_threadpool(cerfa.print_copy, session, dossier.dossier.dossier_id)
    name = _pdf_name(str(dossier.form.number), "-imprimable")
    return file_response(
        iter([result.data]), filename=name, media_type="application/pdf", size=len(result.data)
    )
