"""JSON API: the change of address's rules (C1-C4).

The move-date window, La Poste's form with the changes line by line, the declared address
(changes accepted or refused), contract numbers.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from msp_portal.domain import address, contracts, move_date
from msp_portal.services import address_preview
from msp_portal.web.deps import BearerToken, Today
from msp_portal.web.schemas import ErrorOut, Short

ERRORS = {code: {"model": ErrorOut} for code in (401, 404, 422)}
router = APIRouter(prefix="/api/v1/address", tags=["change of address"], responses=ERRORS)  # type: ignore[arg-type]


class AddressIn(BaseModel):
    """The address as typed, field by field (La Poste's lines 1-6)."""

    model_config = ConfigDict(extra="forbid")

    recipient: Short = ""
    line2: Short = ""
    line3: Short = ""
    number: Short = ""
    suffix: Short = ""
    street: Short = ""
    line5: Short = ""
    postcode: Short = ""
    locality: Short = ""

    def typed(self) -> address.TypedAddress:
        """As the portal's value."""
        return address.TypedAddress(**self.model_dump())


class DeclareIn(AddressIn):
    """The address and the citizen's answer to the proposed changes."""

    choice: Literal["accept", "refuse"]


class MoveDateIn(BaseModel):
    """A move date typed JJ/MM/AAAA."""

    model_config = ConfigDict(extra="forbid")
    move_date: Short


class ContractNumberIn(BaseModel):
    """A contract number at one of the organisations."""

    model_config = ConfigDict(extra="forbid")
    organisation: Short
    number: Short


class WindowOut(BaseModel):
    """The move dates accepted today (C1), both included."""

    earliest: date
    latest: date


@router.get("/move-date-window")
def window(token: BearerToken, today: Today) -> WindowOut:
    """Today's window: one month back to three months ahead, in Paris."""
    found = move_date.move_date_window(today)
    return WindowOut(earliest=found.earliest, latest=found.latest)


@router.post("/move-date")
def check_move_date(body: MoveDateIn, token: BearerToken, today: Today) -> dict[str, date]:
    """The move date if it is JJ/MM/AAAA and in the window; else 422 with the bound crossed."""
    return {"move_date": move_date.parse_move_date(body.move_date, today)}


@router.post("/normalise")
def normalise(body: AddressIn, token: BearerToken) -> dict[str, Any]:
    """La Poste's form of the address: the lines, the changes line by line, the warnings."""
    found = address.normalise_address(body.typed())
    result = found.to_dict("fr")
    result["warnings"] = [
        {
            "code": w.code,
            "facts": dict(w.facts),
            "message": {"en": w.message("en"), "fr": w.message("fr")},
        }
        for w in found.warnings
    ]
    return result


@router.post("/declare")
def declare(body: DeclareIn, token: BearerToken) -> dict[str, Any]:
    """The address to send: La Poste's lines, or exactly what was typed when refused.

    ``choice = "refuse"`` is "Je refuse ces modifications. Ma saisie sera conservée".
    """
    typed = address.TypedAddress(**body.model_dump(exclude={"choice"}))
    return address_preview.declare(typed, body.choice == "refuse").to_dict()


@router.get("/organisations")
def organisations(token: BearerToken) -> list[dict[str, str]]:
    """The organisations a declaration goes to, and the number each asks for (C4)."""
    return [
        {"code": o.code, "name": o.name, "number_kind": str(o.number_kind)}
        for o in contracts.contract_organisations()
    ]


@router.post("/contract-number")
def contract_number(body: ContractNumberIn, token: BearerToken) -> dict[str, str]:
    """The number, normalised, if it has the organisation's form (and key); else 422."""
    return {"number": contracts.normalise_contract_number(body.organisation, body.number)}
