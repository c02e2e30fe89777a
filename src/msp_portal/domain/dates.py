"""Dates as citizens type them (rule C2): JJ/MM/AAAA exactly, and nothing else."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from msp_portal.errors import InvalidDate

__all__ = ["DateProblem", "check_date_fr", "format_date_fr", "parse_date_field", "parse_date_fr"]

# Explicit ASCII classes: ``\d`` would also match full-width and Arabic-Indic digits.
_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")


class DateProblem(StrEnum):
    """Why a typed date was refused (the ``reason`` fact of ``invalid-date``)."""

    FORMAT = "format"
    """Not two digits, slash, two digits, slash, four digits (ASCII), with nothing around."""
    IMPOSSIBLE = "impossible"
    """The format is right but no such day exists (31/02, 29/02 outside leap years, 00/01)."""


def parse_date_fr(text: str) -> date | DateProblem:
    """The date typed as ``JJ/MM/AAAA``, or why it is refused.

    Exactly ten ASCII characters: no spaces (not even around), no other digits (full-width,
    Arabic-Indic...), no short forms such as ``1/2/2024``, no impossible day. Year 0000 is
    refused as impossible (there is no year 0 in the calendar Python uses).
    """
    match = _DATE.fullmatch(text)
    if match is None:
        return DateProblem.FORMAT
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return DateProblem.IMPOSSIBLE


def format_date_fr(value: date) -> str:
    """``value`` as ``JJ/MM/AAAA``, the form :func:`parse_date_fr` reads back."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def check_date_fr(text: str, *, field: str) -> InvalidDate | None:
    """Validator: None when ``text`` is a date typed ``JJ/MM/AAAA``, else the error (not raised).

    The error's facts are ``field`` (named by the caller, e.g. ``move_date``) and ``reason``
    (``format`` or ``impossible``); its message says how to type the date, in French or English.
    """
    result = parse_date_fr(text) if isinstance(text, str) else DateProblem.FORMAT
    return InvalidDate(field=field, reason=str(result)) if isinstance(result, DateProblem) else None


def parse_date_field(text: str, *, field: str) -> date:
    """The date typed in ``field``, or raise :class:`~msp_portal.errors.InvalidDate`."""
    result = parse_date_fr(text) if isinstance(text, str) else DateProblem.FORMAT
    if isinstance(result, DateProblem):
        raise InvalidDate(field=field, reason=str(result))
    return result
