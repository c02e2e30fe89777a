"""The change of address as a citizen previews it (C1-C3), before a procedure sends it.

One call checks every field at once (the move date and the address), and gives La Poste's
form with the changes line by line; a second call turns the citizen's answer ("Je refuse ces
modifications. Ma saisie sera conservée", or not) into the address to declare. The rules are
``msp_portal.domain``'s; this module only puts them in the order a form needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from msp_portal.domain import address, move_date
from msp_portal.domain.address import AddressChoice, DeclaredAddress, Normalisation, TypedAddress
from msp_portal.domain.move_date import MoveDateWindow
from msp_portal.errors import ChangeOfAddressError


@dataclass(frozen=True)
class AddressPreview:
    """What the citizen checks before declaring: the move date and the proposed address."""

    moving_on: date
    window: MoveDateWindow
    normalisation: Normalisation


def preview(move_date_text: str, typed: TypedAddress, today: date) -> AddressPreview:
    """Check the move date (C1, C2) and normalise the address (C3).

    Raises:
        PreviewRefused: every field in error, at once (``errors``).
    """
    errors: list[ChangeOfAddressError] = []
    date_error = move_date.check_move_date(move_date_text, today)
    if date_error is not None:
        errors.append(date_error)
    address_error = address.check_address(typed)
    if address_error is not None:
        errors.append(address_error)
    if errors:
        raise PreviewRefused(errors)
    return AddressPreview(
        moving_on=move_date.parse_move_date(move_date_text, today),
        window=move_date.move_date_window(today),
        normalisation=address.normalise_address(typed),
    )


def declare(typed: TypedAddress, refuse_changes: bool) -> DeclaredAddress:
    """The address to declare: La Poste's form, or what was typed when the changes are refused."""
    choice = AddressChoice.REFUSE if refuse_changes else AddressChoice.ACCEPT
    return address.declare(address.normalise_address(typed), choice)


class PreviewRefused(Exception):
    """Some fields are refused; ``errors`` holds each one's typed error."""

    def __init__(self, errors: list[ChangeOfAddressError]) -> None:
        super().__init__(", ".join(error.code for error in errors))
        self.errors = errors
