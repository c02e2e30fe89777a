"""Identifiers, email addresses, phone numbers and contact details: what is accepted, normalised."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum

from msp_portal.errors import InvalidContactDetails, InvalidEmail, InvalidIdentifier, InvalidPhone

IDENTIFIER_MIN = 3
IDENTIFIER_MAX = 64
# ASCII only: identifiers are case-sensitive (A10) and look-alike letters would make two
# identifiers impossible to tell apart on screen.
_IDENTIFIER = re.compile(r"[A-Za-z0-9._@-]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
EMAIL_MAX = 254


def check_identifier(identifier: str) -> str:
    """Return ``identifier`` if it can name a new account, else raise InvalidIdentifier."""
    if not IDENTIFIER_MIN <= len(identifier) <= IDENTIFIER_MAX:
        raise InvalidIdentifier(reason="length", minimum=IDENTIFIER_MIN, maximum=IDENTIFIER_MAX)
    if not _IDENTIFIER.fullmatch(identifier):
        raise InvalidIdentifier(reason="characters", minimum=IDENTIFIER_MIN, maximum=IDENTIFIER_MAX)
    return identifier


def could_be_identifier(text: str) -> bool:
    """Whether ``text`` has the form of an identifier (anything else names no account)."""
    return IDENTIFIER_MIN <= len(text) <= IDENTIFIER_MAX and bool(_IDENTIFIER.fullmatch(text))


def check_email(email: str) -> str:
    """Return the address without surrounding blanks, or raise InvalidEmail.

    Line breaks and control characters are refused: the address goes into mail headers.
    """
    email = email.strip()
    if len(email) > EMAIL_MAX or _CONTROL.search(email) or not _EMAIL.fullmatch(email):
        raise InvalidEmail
    return email


def email_key(email: str) -> str:
    """The form under which addresses are looked up: NFKC, then case-folded.

    Mail providers ignore case in practice, so lookups do too; but two addresses with the same
    key may still be different mailboxes (``straße@`` and ``strasse@``, ``\u212aevin@`` and
    ``kevin@``). The key finds accounts; mail goes only to each account's stored address, never
    to the one typed (the pattern of Django's CVE-2019-19844).
    """
    return unicodedata.normalize("NFKC", email.strip()).casefold()


# The French numbering plan: metropolitan France and the overseas departments and collectivities.
FRENCH_REGIONS = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"})


def normalise_phone(
    phone: str, *, mobile: bool = True, regions: Collection[str] | None = None
) -> str:
    """Return a phone number in E.164 form (``+33612345678``), or raise InvalidPhone.

    The number is parsed and validated with Google's libphonenumber metadata (the
    ``phonenumbers`` package): it must be a number in service, not merely well formed. National
    forms are read as French (``06 12 34 56 78``); other countries need the international form
    (``+`` or ``00``). With ``mobile``, only mobile numbers (the ones that receive SMS) are
    accepted, so no SMS goes to premium-rate, shared-cost or fixed lines; with ``regions``,
    only numbers of those regions (ISO 3166 codes) are.

    Raises:
        InvalidPhone: facts ``reason``: ``invalid``, ``not-mobile`` or ``region``.
    """
    import phonenumbers

    try:
        number = phonenumbers.parse(phone, "FR")
    except phonenumbers.NumberParseException:
        raise InvalidPhone(reason="invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(reason="invalid")
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if mobile and phonenumbers.number_type(number) not in kinds:
        raise InvalidPhone(reason="not-mobile")
    if regions is not None and phonenumbers.region_code_for_number(number) not in regions:
        raise InvalidPhone(reason="region")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def mask_phone(phone: str) -> str:
    """Show only the last two digits of a number, as SMS screens do (``•• •• •• •• 78``)."""
    return "•• •• •• •• " + phone[-2:]


class Civility(StrEnum):
    """Civility as the service's forms offer it."""

    MONSIEUR = "M."
    MADAME = "Mme"


@dataclass(frozen=True)
class ContactDetails:
    """Profile > contact details (A7), kept to prefill procedures; every field is optional.

    The email address is not here: it changes only through the confirmed email-change flow.
    """

    civility: Civility | None = None
    family_name: str = ""
    given_names: str = ""
    birth_date: date | None = None
    address_line1: str = ""
    address_line2: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    phone: str = ""


_TEXT_LIMITS = {
    "family_name": 100,
    "given_names": 150,
    "address_line1": 200,
    "address_line2": 200,
    "postcode": 10,
    "city": 100,
    "country": 100,
}


def check_contact_details(details: ContactDetails, *, today: date) -> ContactDetails:
    """Return ``details`` trimmed and with the phone normalised, or raise InvalidContactDetails."""
    values: dict[str, object] = {}
    for f in fields(details):
        value = getattr(details, f.name)
        if f.name == "civility":
            try:
                value = None if value is None else Civility(value)
            except ValueError:
                raise InvalidContactDetails(field="civility", reason="M. or Mme") from None
        elif f.name == "birth_date":
            if value is not None and (type(value) is not date):
                raise InvalidContactDetails(field=f.name, reason="not a date")
        else:
            if not isinstance(value, str):
                raise InvalidContactDetails(field=f.name, reason="text expected")
            if _SURROGATES.search(value):
                raise InvalidContactDetails(field=f.name, reason="characters that cannot be kept")
            value = value.strip()
            limit = _TEXT_LIMITS.get(f.name)
            if limit is not None and len(value) > limit:
                raise InvalidContactDetails(field=f.name, reason=f"{limit} characters at most")
            if _CONTROL.search(value):
                raise InvalidContactDetails(field=f.name, reason="control characters")
        values[f.name] = value
    if details.birth_date is not None and not date(1900, 1, 1) <= details.birth_date <= today:
        raise InvalidContactDetails(field="birth_date", reason="not a possible birth date")
    if values["phone"]:
        try:
            values["phone"] = normalise_phone(str(values["phone"]), mobile=False)
        except InvalidPhone:
            raise InvalidContactDetails(field="phone", reason="not a phone number") from None
    return ContactDetails(**values)  # type: ignore[arg-type]
