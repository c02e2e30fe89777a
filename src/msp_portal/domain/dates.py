"""Dates as citizens type them (rule C2): JJ/MM/AAAA exactly, and nothing else."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

__all__ = ["DateProblem", "format_date_fr", "parse_date_fr"]

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
