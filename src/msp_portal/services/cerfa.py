"""CERFA forms for the portal's citizens (F1, F2): catalogue, prefilled filling, blank copies.

Forms are filled online with the profile's contact details as prefill, or given blank to print.

The forms themselves are ``msp_docs.cerfa``'s (catalogue, maps, fill, flatten); this module
only brings the portal's profile to them. Sending a filled form as a dossier (F3, F4) belongs
to the procedures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from msp_portal.domain.dates import format_date_fr
from msp_portal.domain.model import AccountView

if TYPE_CHECKING:
    from msp_docs.cerfa import Catalogue, CerfaForm
    from msp_docs.forms import FilledForm
    from msp_portal.portal import Portal

_NUMBERED_STREET = re.compile(r"\s*(\d+\s*(?:bis|ter|quater|[A-Za-z])?)[\s,]+(.+)", re.IGNORECASE)


def profile_for_forms(view: AccountView) -> dict[str, str]:
    """The profile as ``msp_docs.cerfa`` prefill keys (empty values left out)."""
    contact = view.contact
    values = {
        "last_name": contact.family_name,
        "first_names": contact.given_names,
        "birth_date": format_date_fr(contact.birth_date) if contact.birth_date else "",
        "address_line1": contact.address_line1,
        "address_line2": contact.address_line2,
        "postcode": contact.postcode,
        "city": contact.city,
        "country": contact.country,
        "email": view.email,
        "phone": contact.phone,
    }
    street = _NUMBERED_STREET.fullmatch(contact.address_line1)
    if street:
        values["address_number"] = street.group(1).strip()
        values["address_street"] = street.group(2).strip()
    elif contact.address_line1:
        values["address_street"] = contact.address_line1
    return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class CerfaDesk:
    """The CERFA catalogue as the portal offers it.

    Blank forms are public; filled forms are for the signed-in holder, prefilled from their
    profile (what they type wins).
    """

    portal: Portal
    catalogue: Catalogue

    def forms(self) -> list[CerfaForm]:
        """Every form of the catalogue, by number."""
        return sorted(self.catalogue, key=lambda form: str(form.number))

    def available(self, form: CerfaForm) -> bool:
        """Whether the form's PDF is in the forms directory."""
        from msp_docs.errors import UnknownForm

        try:
            self.catalogue.path(form)
        except UnknownForm:
            return False
        return True

    def form(self, number: str) -> CerfaForm:
        """The form of that number (``11580*05`` or ``11580-05``); raises ``UnknownForm``."""
        return self.catalogue.get(number)

    def prefill(self, session_token: str) -> dict[str, str]:
        """The signed-in holder's profile as prefill values."""
        return profile_for_forms(self.portal.view_account(session_token))

    def fill(
        self, session_token: str, number: str, values: dict[str, Any], *, flatten: bool
    ) -> FilledForm:
        """Fill a form for the signed-in holder, prefilled from their profile.

        Raises:
            SessionInvalid; msp_docs' ``FormError`` subclasses (unknown form, not fillable,
            unknown field, invalid value naming its field and label).
        """
        prefill = self.prefill(session_token)
        return self.catalogue.fill(number, values, prefill=prefill, flatten=flatten, lang="fr")

    def blank(self, number: str, *, fit_a4: bool) -> FilledForm:
        """A blank copy to print and fill by hand (a fillable form comes flattened, empty)."""
        from msp_docs.cerfa import FormKind

        form = self.catalogue.get(number)
        flatten = form.kind is FormKind.FILLABLE
        return self.catalogue.blank(form, flatten=flatten, fit_a4=fit_a4, lang="fr")
