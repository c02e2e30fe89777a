"""The confirmation of a change-of-address declaration (rules C4, C5), from shipped templates.

The wording is data (``data/change_of_address/confirmation.toml``, French and English) so that
the procedure engine and a reviewer can change it without touching code. The confirmation says
which organisations the declaration went to, who it covers (everyone attached to those
contracts), that household members with contracts of their own declare from their own accounts
(C4), and that the profile's contact details are not changed, with the link to change them (C5).

Contract numbers are sensitive (a NIR identifies a person): the email shows only their last four
characters.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib.resources import files

from msp_portal.domain.address import DeclaredAddress
from msp_portal.domain.contracts import contract_organisation
from msp_portal.domain.dates import format_date_fr
from msp_portal.domain.emails import SERVICE, Email
from msp_portal.domain.paris import paris_date, paris_time

__all__ = ["LANGUAGES", "DeclaredContract", "confirmation", "confirmation_templates"]

LANGUAGES = ("fr", "en")
_SHOWN = 4  # characters of a contract number shown in the email


@dataclass(frozen=True)
class DeclaredContract:
    """One organisation of the declaration: its partner code, the contract number, the people.

    ``people`` are the names the citizen listed as attached to this contract.
    """

    organisation: str
    number: str
    people: tuple[str, ...] = ()


@cache
def confirmation_templates() -> dict[str, dict[str, str]]:
    """The templates by language (``fr``, ``en``), read once from the package's data."""
    raw = (
        files("msp_portal").joinpath("data/change_of_address/confirmation.toml").read_text("utf-8")
    )
    data = tomllib.loads(raw)
    return {lang: {key: str(value) for key, value in data[lang].items()} for lang in LANGUAGES}


def confirmation(
    *,
    to: str,
    reference: str,
    transmitted_at: datetime,
    move_date: date,
    address: DeclaredAddress,
    contracts: Sequence[DeclaredContract],
    profile_url: str,
    lang: str = "fr",
) -> Email:
    """The confirmation email of a transmitted declaration, in French (default) or English.

    ``transmitted_at`` is an aware instant (rendered in Paris time); ``profile_url`` is where
    the profile's contact details are changed ("Mon profil > Mes coordonnées").
    """
    english = str(lang).lower().startswith("en")
    t = confirmation_templates()["en" if english else "fr"]
    common = {"service": SERVICE, "reference": reference}
    when = {"date": paris_date(transmitted_at), "time": paris_time(transmitted_at)}
    parts = [t["greeting"], t["intro"].format(**common, **when)]
    parts.append(t["move_date"].format(move_date=format_date_fr(move_date)))
    address_block = [t["address_heading"]]
    address_block += [t["address_line"].format(line=line) for line in address.lines]
    parts.append("\n".join(address_block))
    if not address.normalised:
        parts.append(t["address_refused"])
    parts += [
        t["address_warning"].format(warning=w.message("en" if english else "fr"))
        for w in address.warnings
    ]
    organisations = [t["organisations_heading"]]
    for contract in contracts:
        org = contract_organisation(contract.organisation)
        label_en, label_fr = org.number_label
        organisations.append(
            t["organisation_line"].format(
                organisation=org.name,
                number_label=label_en if english else label_fr,
                number_end=contract.number[-_SHOWN:],
            )
        )
    parts.append("\n".join(organisations))
    people = list(dict.fromkeys(p for contract in contracts for p in contract.people))
    if people:
        parts.append(
            "\n".join([t["people_heading"]] + [t["person_line"].format(person=p) for p in people])
        )
    parts += [
        t["household"],
        t["profile"].format(**common, profile_url=profile_url),
        t["tracking"].format(**common),
        t["final"],
        t["signature"].format(**common),
    ]
    return Email(to, t["subject"].format(**common), "\n\n".join(parts) + "\n")
