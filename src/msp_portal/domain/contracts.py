"""Rule C4: the organisations a change of address is sent to, and the checks of their numbers.

A declaration covers everyone attached to the citizen's contract at each chosen organisation;
the citizen identifies each contract with the number the organisation gave. What can be checked:

============== ===================== =====================================================
organisation   number                check
============== ===================== =====================================================
ameli          NIR (sécurité sociale) sex digit, month, department, key 97 - (N mod 97)
cnav           NIR                   same (the Assurance retraite identifies people by NIR)
msa            NIR                   same (MSA members are identified by their NIR)
cdc-retraites  NIR                   same (Caisse des Dépôts pension accounts use the NIR)
impots         numéro fiscal (SPI)   13 digits, first 0-3, key: last 3 = first 10 mod 511
caf            numéro allocataire    7 digits (no public check digit)
cesu           numéro CESU           6-20 letters or digits (no public format or check)
pajemploi      numéro Pajemploi      6-20 letters or digits (no public format or check)
============== ===================== =====================================================

NIR (INSEE's "numéro d'inscription au répertoire"): 13 characters and a 2-digit key. Character 1
is the sex (1, 2; 7 and 8 are temporary numbers built the same way), 2-3 the year, 4-5 the month
of birth (01-12, or 20-42 and 50-99 given when the civil-status record has no month), 6-7 the
department of birth (01-99 and, for Corsica since 1976, 2A / 2B; 96-99 for births abroad and
before independence), 8-10 the commune or country, 11-13 the order number. The key is
97 - (N mod 97) where N is the 13-character number read as an integer, 2A and 2B counted as 19
and 18. Spaces, dots and hyphens typed between groups are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from msp_portal.domain.partners import partner
from msp_portal.errors import InvalidContractNumber, UnknownOrganisation

__all__ = [
    "ContractOrganisation",
    "NumberKind",
    "check_contract_number",
    "contract_organisation",
    "contract_organisations",
    "nir_key",
    "normalise_contract_number",
    "tax_number_key",
]


class NumberKind(StrEnum):
    """The kinds of contract numbers, each with its own check."""

    NIR = "nir"
    CAF = "caf"
    TAX = "tax"
    CESU = "cesu"
    PAJEMPLOI = "pajemploi"


@dataclass(frozen=True)
class _KindText:
    label_en: str
    label_fr: str
    form_en: str
    form_fr: str
    checked: bool  # a key or structure is checked, not only the characters


_KINDS = {
    NumberKind.NIR: _KindText(
        "social security number",
        "numéro de sécurité sociale",
        "15 characters: the 13 of the number (2A or 2B in 6th and 7th place for Corsica) "
        "followed by its 2-digit key",
        "15 caractères : les 13 du numéro (2A ou 2B en 6e et 7e position pour la Corse) suivis "
        "de sa clé à 2 chiffres",
        True,
    ),
    NumberKind.CAF: _KindText(
        "CAF allocataire number", "numéro allocataire", "7 digits", "7 chiffres", False
    ),
    NumberKind.TAX: _KindText(
        "tax number",
        "numéro fiscal",
        "13 digits, the first one 0, 1, 2 or 3",
        "13 chiffres, dont le premier est 0, 1, 2 ou 3",
        True,
    ),
    NumberKind.CESU: _KindText(
        "CESU number",
        "numéro CESU",
        "6 to 20 letters or digits",
        "6 à 20 lettres ou chiffres",
        False,
    ),
    NumberKind.PAJEMPLOI: _KindText(
        "Pajemploi number",
        "numéro Pajemploi",
        "6 to 20 letters or digits",
        "6 à 20 lettres ou chiffres",
        False,
    ),
}


@dataclass(frozen=True)
class ContractOrganisation:
    """An organisation (of the partner list, rule L3) that holds contracts, and its number."""

    code: str
    """The partner code of :mod:`msp_portal.domain.partners` (``ameli``, ``caf``...)."""
    name: str
    number_kind: NumberKind

    @property
    def number_label(self) -> tuple[str, str]:
        """The number's name (English, French), e.g. ``numéro de sécurité sociale``."""
        text = _KINDS[self.number_kind]
        return text.label_en, text.label_fr

    @property
    def checked(self) -> bool:
        """Whether the number has a real check (a key); otherwise its characters only."""
        return _KINDS[self.number_kind].checked


_ORGANISATIONS = (
    ("caf", NumberKind.CAF),
    ("ameli", NumberKind.NIR),
    ("cnav", NumberKind.NIR),
    ("msa", NumberKind.NIR),
    ("impots", NumberKind.TAX),
    ("cdc-retraites", NumberKind.NIR),
    ("cesu", NumberKind.CESU),
    ("pajemploi", NumberKind.PAJEMPLOI),
)


def _organisations() -> tuple[ContractOrganisation, ...]:
    found = []
    for code, kind in _ORGANISATIONS:
        known = partner(code)
        assert known is not None, code  # the L3 directory lists every one of them
        found.append(ContractOrganisation(code, known.name, kind))
    return tuple(found)


_CONTRACT_ORGANISATIONS = _organisations()
_BY_CODE = {org.code: org for org in _CONTRACT_ORGANISATIONS}
_SEPARATORS = re.compile(r"[\s.\-]+")  # typed between groups of digits: ignored
_NIR = re.compile(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}")
_ALNUM = re.compile(r"[A-Z0-9]{6,20}")


def contract_organisations() -> tuple[ContractOrganisation, ...]:
    """The organisations a change of address can be sent to, in the FAQ's order."""
    return _CONTRACT_ORGANISATIONS


def contract_organisation(code: str) -> ContractOrganisation:
    """The organisation with this partner code, or raise :class:`UnknownOrganisation`."""
    found = _BY_CODE.get(code) if isinstance(code, str) else None
    if found is None:
        raise UnknownOrganisation(organisation=str(code)[:40])
    return found


def nir_key(body: str) -> int:
    """The key of a 13-character NIR body: 97 - (N mod 97), Corsica's 2A/2B counted as 19/18."""
    digits = body[:5] + {"2A": "19", "2B": "18"}.get(body[5:7], body[5:7]) + body[7:13]
    return 97 - int(digits) % 97


def tax_number_key(first_ten: str) -> int:
    """The key of a numéro fiscal: its first 10 digits modulo 511 (the last 3 digits)."""
    return int(first_ten) % 511


def _nir_problem(number: str) -> str | None:
    if len(number) != 15:
        return "length"
    if not _NIR.fullmatch(number):
        return "format"
    if number[0] not in "1278":
        return "sex"
    month = int(number[3:5])
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return "month"
    if number[5:7] == "00":
        return "department"
    if nir_key(number[:13]) != int(number[13:]):
        return "key"
    return None


def _problem(kind: NumberKind, number: str) -> tuple[str, int] | None:
    """``(reason, expected length)`` when ``number`` (compact, upper case) fails its check."""
    if kind is NumberKind.NIR:
        reason = _nir_problem(number)
        return None if reason is None else (reason, 15)
    if kind is NumberKind.CAF:
        if not (number.isascii() and number.isdigit()):
            return "format", 7
        return None if len(number) == 7 else ("length", 7)
    if kind is NumberKind.TAX:
        if not (number.isascii() and number.isdigit()) or number[:1] not in ("0", "1", "2", "3"):
            return "format", 13
        if len(number) != 13:
            return "length", 13
        return None if tax_number_key(number[:10]) == int(number[10:]) else ("key", 13)
    return None if _ALNUM.fullmatch(number) else ("format", 0)


def _compact(text: str) -> str:
    # NFKC: full-width digits and letters (some phone keyboards) become ASCII.
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def check_contract_number(organisation: str, text: str) -> InvalidContractNumber | None:
    """Validator: None when ``text`` passes ``organisation``'s check, else the error (not raised).

    Raises :class:`UnknownOrganisation` for a code that is not a contract organisation (that is
    a mistake of the procedure's definition, not of the citizen).
    """
    org = contract_organisation(organisation)
    if not isinstance(text, str) or len(text) > 100:
        problem: tuple[str, int] | None = ("format", 0)
    else:
        problem = _problem(org.number_kind, _compact(text))
    if problem is None:
        return None
    reason, expected = problem
    kind = _KINDS[org.number_kind]
    return InvalidContractNumber(
        organisation=org.code,
        organisation_name=org.name,
        kind=str(org.number_kind),
        reason=reason,
        expected=expected,
        number_label_en=kind.label_en,
        number_label_fr=kind.label_fr,
        form_en=kind.form_en,
        form_fr=kind.form_fr,
    )


def normalise_contract_number(organisation: str, text: str) -> str:
    """The number as stored and sent (no separators, capitals), or raise the check's error."""
    problem = check_contract_number(organisation, text)
    if problem is not None:
        raise problem
    return _compact(text)
