"""JSON API: the CERFA catalogue, forms filled for the signed-in holder, blank forms (F1, F2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from msp_portal.web.deps import BearerToken, CerfaDep
from msp_portal.web.downloads import file_response
from msp_portal.web.schemas import ErrorOut

ERRORS = {code: {"model": ErrorOut} for code in (401, 404, 409, 422)}
router = APIRouter(prefix="/api/v1/cerfa", tags=["cerfa"], responses=ERRORS)  # type: ignore[arg-type]
Number = Annotated[str, Path(max_length=40, description="11580-05 (or 11580*05)")]
FieldValue = str | bool | None


class CerfaFormOut(BaseModel):
    """A form of the catalogue, with its field map (labels in French)."""

    number: str
    title: str
    kind: str
    organisation: str
    available: bool
    fields: list[dict[str, Any]]


class CerfaFill(BaseModel):
    """Values keyed by the map's field names; ``flatten`` for a copy to print and post."""

    model_config = ConfigDict(extra="forbid")

    values: dict[Annotated[str, Field(max_length=200)], FieldValue] = Field(max_length=500)
    flatten: bool = False


def _pdf_name(number: str, suffix: str = "") -> str:
    return "cerfa_" + number.replace("*", "_").replace("-", "_") + suffix + ".pdf"


@router.get("")
def catalogue(cerfa: CerfaDep) -> list[CerfaFormOut]:
    """Every form of the catalogue; ``available`` says whether its PDF is installed."""
    return [
        CerfaFormOut(
            number=str(form.number),
            title=form.title,
            kind=form.kind.value,
            organisation=form.organisation,
            available=cerfa.available(form),
            fields=[entry.to_dict() for entry in form.fields],
        )
        for form in cerfa.forms()
    ]


@router.get("/{number}/prefill")
def prefill(number: Number, token: BearerToken, cerfa: CerfaDep) -> dict[str, str]:
    """The holder's profile as prefill values (keyed by profile key)."""
    cerfa.form(number)
    return cerfa.prefill(token)


@router.post("/{number}/fill", response_class=Response)
async def fill(number: Number, body: CerfaFill, token: BearerToken, cerfa: CerfaDep) -> Response:
    """The filled form as a PDF, prefilled from the profile for the fields not given."""
    result = await run_in_threadpool(
        cerfa.fill, token, number, dict(body.values), flatten=body.flatten
    )
    name = _pdf_name(str(cerfa.form(number).number), "-imprimable" if body.flatten else "")
    return file_response(
        iter([result.data]), filename=name, media_type="application/pdf", size=len(result.data)
    )


@router.get("/{number}/blank", response_class=Response)
async def blank(number: Number, cerfa: CerfaDep, a4: Annotated[bool, Query()] = False) -> Response:
    """A blank copy to print and fill by hand; ``a4`` fits every page to A4."""
    result = await run_in_threadpool(cerfa.blank, number, fit_a4=a4)
    name = _pdf_name(str(cerfa.form(number).number), "-vierge")
    return file_response(
        iter([result.data]), filename=name, media_type="application/pdf", size=len(result.data)
    )
