"""Render instants as citizens of the service read them: Europe/Paris wall-clock time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_time(instant: datetime) -> str:
    """``HH:MM`` of ``instant`` (an aware datetime) in Europe/Paris, daylight saving included."""
    return instant.astimezone(PARIS).strftime("%H:%M")


def paris_date(instant: datetime) -> str:
    """``JJ/MM/AAAA`` of ``instant`` (an aware datetime) in Europe/Paris."""
    return instant.astimezone(PARIS).strftime("%d/%m/%Y")


def paris_today(now: datetime) -> date:
    """The calendar day it is in Europe/Paris at the instant ``now`` (an aware datetime)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("paris_today needs an aware datetime (the injected clock gives UTC)")
    return now.astimezone(PARIS).date()
