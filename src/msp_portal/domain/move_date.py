"""Rule C1: a move is declared at most one month after it and at most three months before it.

Allowed move dates: ``today - 1 month <= move date <= today + 3 months``, both bounds included,
where "today" is the calendar day in Europe/Paris at the injected instant. Months are calendar
months; when the target month is shorter, the day is clamped to its last day: 31/05 - 1 month is
30/04, 31/03 - 1 month is 28/02 (29/02 in a leap year), 30/11 + 3 months is 28/02 (or 29/02).
So a move on 31/03 can be declared until 30/04 (not "2 May"), and a declaration made on 31/05
can go back to 30/04.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from msp_portal.domain.dates import DateProblem, parse_date_fr
from msp_portal.domain.paris import paris_today
from msp_portal.errors import InvalidDate, MoveDateOutOfWindow

__all__ = [
    "MONTHS_AFTER_MOVE",
    "MONTHS_BEFORE_MOVE",
    "MoveDateProblem",
    "MoveDateWindow",
    "add_months",
    "check_move_date",
    "move_date_window",
    "parse_move_date",
]

MONTHS_AFTER_MOVE = 1
"""A move can be declared until one month after it (the window starts a month before today)."""
MONTHS_BEFORE_MOVE = 3
"""A move can be declared from three months before it (the window ends three months ahead)."""

MoveDateProblem = InvalidDate | MoveDateOutOfWindow
"""What :func:`check_move_date` returns for a refused move date."""


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class MoveDateWindow:
    """The move dates that can be declared on a given day, both bounds included."""

    earliest: date
    latest: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.earliest <= day <= self.latest


def _day(today: date | datetime) -> date:
    # A datetime is an instant (the injected clock): its day is the day in Paris.
    return paris_today(today) if isinstance(today, datetime) else today


def move_date_window(today: date | datetime) -> MoveDateWindow:
    """The window of rule C1 for ``today`` (a Paris calendar day, or an aware instant)."""
    day = _day(today)
    return MoveDateWindow(
        earliest=add_months(day, -MONTHS_AFTER_MOVE), latest=add_months(day, MONTHS_BEFORE_MOVE)
    )


def check_move_date(
    value: str | date, today: date | datetime, *, field: str = "move_date"
) -> MoveDateProblem | None:
    """Validator: None when ``value`` is an allowed move date, else the error (not raised).

    ``value`` is the text typed (``JJ/MM/AAAA``, rule C2) or a date; ``today`` is the calendar
    day in Paris, or the current instant (an aware datetime) from which it is taken. The error
    is :class:`~msp_portal.errors.InvalidDate` (facts ``field``, ``reason``) or
    :class:`~msp_portal.errors.MoveDateOutOfWindow` (facts ``move_date``, ``reason``,
    ``earliest``, ``latest``, ``field``).
    """
    if isinstance(value, date):
        moved: date | DateProblem = value.date() if isinstance(value, datetime) else value
    else:  # the text typed; anything else is refused like a badly typed date
        moved = parse_date_fr(value) if isinstance(value, str) else DateProblem.FORMAT
    if isinstance(moved, DateProblem):
        return InvalidDate(field=field, reason=str(moved))
    window = move_date_window(today)
    if moved in window:
        return None
    return MoveDateOutOfWindow(
        field=field,
        move_date=moved,
        reason="too-early" if moved < window.earliest else "too-late",
        earliest=window.earliest,
        latest=window.latest,
    )


def parse_move_date(value: str | date, today: date | datetime, *, field: str = "move_date") -> date:
    """The allowed move date typed in ``value``; raises what :func:`check_move_date` returns."""
    problem = check_move_date(value, today, field=field)
    if problem is not None:
        raise problem
    moved = value if isinstance(value, date) else parse_date_fr(value)
    assert isinstance(moved, date)  # checked above
    return moved.date() if isinstance(moved, datetime) else moved
