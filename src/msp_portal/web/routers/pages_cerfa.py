"""Pages: the CERFA forms (F1): the list, forms filled online, blank forms to print.

A form filled online is prefilled from the profile's contact details.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from msp_docs.errors import FormError
from msp_portal.web.deps import CerfaDep, CsrfChecked, PageSession
from msp_portal.web.downloads import file_response
from msp_portal.web.rendering import render
from msp_portal.web.routers.api_cerfa import _pdf_name

router = APIRouter(include_in_schema=False)
PRINT = "imprimer"


def _html_fields(form: Any) -> list[dict[str, Any]]:
    """The map's entries with the HTML names the page gives them (``c0``, ``c1``...)."""
    return [{"html": f"c{i}", "entry": entry} for i, entry in enumerate(form.fields)]


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
    )


@router.post("/formulaires/{numero}", dependencies=[CsrfChecked])
async def cerfa_fill(
    request: Request, numero: str, session: PageSession, cerfa: CerfaDep
) -> Response:
    """Fill the form; answer the PDF, or the page again with the field in error."""
    form = cerfa.form(numero[:40])
    submitted = await request.form()
    fields = _html_fields(form)
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
