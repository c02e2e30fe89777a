"""JSON API: the CERFA catalogue, filled and blank forms, forms sent online as dossiers.

Forms are filled for the signed-in holder or given blank (F1, F2), or sent online as dossiers
of the procedures model (F3, F4: A-2 references, Mon suivi).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from msp_portal.web.deps import BearerToken, CerfaDep
from msp_portal.web.downloads import file_response
from msp_portal.web.schemas import ErrorOut

ERRORS = {code: {"model": ErrorOut} for code in (401, 404, 409, 422)}
router = APIRouter(prefix="/api/v1/cerfa", tags=["cerfa"], responses=ERRORS)  # type: ignore[arg-type]
Number = Annotated[str, Path(max_length=40, description="11580-05 (or 11580*05)")]
DossierId = Annotated[str, Path(max_length=64)]
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


class CerfaValues(BaseModel):
    """A dossier's values keyed by the map's field names.

    A value given, even empty, wins over the profile's prefill; the fields left out keep it.
    """

    model_config = ConfigDict(extra="forbid")

    values: dict[Annotated[str, Field(max_length=200)], FieldValue] = Field(max_length=500)


def _json(value: object) -> dict[str, Any]:
    encoded: dict[str, Any] = jsonable_encoder(value)
    return encoded


def _dossier_json(dossier: Any) -> dict[str, Any]:
    """A CERFA dossier: its form's number, the dossier (state, reference...), values, prefill."""
    return {
        "number": str(dossier.form.number),
        "dossier": _json(dossier.dossier),
        "values": _json(dossier.values),
        "prefilled": list(dossier.prefilled),
    }


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


# --- sent online as a dossier (F3, F4); declared before "/{number}/..." --------------------------
@router.get("/dossiers/{dossier_id}")
def dossier(dossier_id: DossierId, token: BearerToken, cerfa: CerfaDep) -> dict[str, Any]:
    """A CERFA dossier of the holder, in any state, with its values by the map's names."""
    return _dossier_json(cerfa.dossier(token, dossier_id))


@router.put("/dossiers/{dossier_id}/values")
def update(
    dossier_id: DossierId, body: CerfaValues, token: BearerToken, cerfa: CerfaDep
) -> dict[str, Any]:
    """Replace the values (``form-values-invalid`` names every refused field)."""
    return _dossier_json(cerfa.update(token, dossier_id, dict(body.values)))


@router.get("/dossiers/{dossier_id}/check")
def check(dossier_id: DossierId, token: BearerToken, cerfa: CerfaDep) -> dict[str, Any]:
    """What still blocks transmission, one problem per field (``ok`` when none)."""
    found = cerfa.check(token, dossier_id)
    return {"ok": found.ok, "problems": _json(found.problems)}


@router.post("/dossiers/{dossier_id}/save")
def save(dossier_id: DossierId, token: BearerToken, cerfa: CerfaDep) -> dict[str, Any]:
    """Save as a draft (P1): file number, password and resume link (also emailed)."""
    return _json(cerfa.save(token, dossier_id))


@router.post("/dossiers/{dossier_id}/transmit")
async def transmit(dossier_id: DossierId, token: BearerToken, cerfa: CerfaDep) -> dict[str, Any]:
    """Transmettre ma demande: the filled, flattened form to its organisation, an A-2 reference."""
    return _json(await run_in_threadpool(cerfa.transmit, token, dossier_id))


@router.get("/dossiers/{dossier_id}/print", response_class=Response)
async def print_copy(dossier_id: DossierId, token: BearerToken, cerfa: CerfaDep) -> Response:
    """The dossier's form filled and flattened, to print and post; nothing is sent."""
    found = cerfa.dossier(token, dossier_id)
    result = await run_in_threadpool(cerfa.print_copy, token, dossier_id)
    return file_response(
        iter([result.data]),
        filename=_pdf_name(str(found.form.number), "-imprimable"),
        media_type="application/pdf",
        size=len(result.data),
    )


@router.post("/{number}/dossiers", status_code=status.HTTP_201_CREATED)
def start(number: Number, token: BearerToken, cerfa: CerfaDep) -> dict[str, Any]:
    """Start sending the form online (one procedure at a time), prefilled from the profile."""
    return _dossier_json(cerfa.start(token, number))


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
