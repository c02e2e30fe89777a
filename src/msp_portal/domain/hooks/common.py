"""Hooks any procedure type may name: dates in the past, birth dates, French postal addresses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from msp_portal.domain.dates import format_date_fr
from msp_portal.domain.hooks import FieldHook, Findings, HookContext

_POSTCODE_FR = re.compile(r"[0-9]{5}")
_EARLIEST_BIRTH = date(1900, 1, 1)


def past_date(value: Any, ctx: HookContext) -> Findings:
    """``past-date``: the date is today or before (Paris date)."""
    if isinstance(value, date) and value > ctx.today:
        return ctx.problem("date-in-future", latest=format_date_fr(ctx.today))
    return Findings()


def birth_date(value: Any, ctx: HookContext) -> Findings:
    """``birth-date``: from 01/01/1900 to today."""
    if isinstance(value, date) and not _EARLIEST_BIRTH <= value <= ctx.today:
        return ctx.problem(
            "impossible-birth-date",
            earliest=format_date_fr(_EARLIEST_BIRTH),
            latest=format_date_fr(ctx.today),
        )
    return Findings()


def french_postal_address(value: Any, ctx: HookContext) -> Findings:
    """``french-postal-address``: in France (no country, or "France"), a 5-digit postcode."""
    if not isinstance(value, Mapping):
        return Findings()
    country = str(value.get("country") or "").strip().casefold()
    postcode = str(value.get("postcode") or "").replace(" ", "")
    if country in ("", "france") and not _POSTCODE_FR.fullmatch(postcode):
        return ctx.problem("postcode-fr")
    return Findings()


FIELD_HOOKS: dict[str, FieldHook] = {
    "past-date": past_date,
    "birth-date": birth_date,
    "french-postal-address": french_postal_address,
}
