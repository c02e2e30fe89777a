"""JSON API for and about partner organisations: the directory, and the partners' own calls."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from msp_portal.errors import PartnerNotAuthorised
from msp_portal.web.deps import PortalDep
from msp_portal.web.schemas import ErrorOut, PartnerOut

ERRORS = {code: {"model": ErrorOut} for code in (401, 404, 422)}
router = APIRouter(prefix="/api/v1/partners", tags=["partners"], responses=ERRORS)  # type: ignore[arg-type]


def _partner_key(request: Request) -> str:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise PartnerNotAuthorised("no partner key")
    return key.strip()


@router.get("")
def directory(portal: PortalDep) -> list[PartnerOut]:
    """The partner organisations and how to reach them (L3)."""
    return [PartnerOut.of(partner) for partner in portal.partner_directory()]


@router.delete("/{partner}/links/{reference}", status_code=status.HTTP_204_NO_CONTENT)
def partner_deletes_link(partner: str, reference: str, request: Request, portal: PortalDep) -> None:
    """Partner-side call (L2): the partner deletes its link (``Authorization: Bearer <key>``)."""
    portal.partner_delete_link(partner, _partner_key(request), reference)
