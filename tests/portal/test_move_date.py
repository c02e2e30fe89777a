"""Rule C1: today - 1 month <= move date <= today + 3 months, today in Paris, months clamped."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msp_portal import InvalidDate, MoveDateOutOfWindow
from msp_portal.domain.move_date import (
    MoveDateWindow,
    add_months,
    check_move_date,
    move_date_window,
    parse_move_date,
)
from msp_portal.domain.paris import paris_today


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 5, 31), -1, date(2025, 4, 30)),  # clamped to April's last day
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),  # leap year
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2025, 1, 31), -1, date(2024, 12, 31)),  # across the year
        (date(2025, 12, 15), 3, date(2026, 3, 15)),
        (date(2024, 2, 29), -1, date(2024, 1, 29)),
        (date(2024, 2, 29), 3, date(2024, 5, 29)),
        (date(2025, 6, 15), 0, date(2025, 6, 15)),
    ],
)
def test_calendar_months_with_end_of_month_clamping(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@given(st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)), st.integers(-24, 24))
def test_add_months_lands_in_the_right_month_on_the_closest_day(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    last = calendar.monthrange(moved.year, moved.month)[1]
    assert moved.day == min(day.day, last)


def test_window_bounds_are_included() -> None:
    today = date(2025, 5, 31)
    window = move_date_window(today)
    assert window == MoveDateWindow(date(2025, 4, 30), date(2025, 8, 31))
    assert check_move_date("30/04/2025", today) is None
    assert check_move_date("31/08/2025", today) is None
    assert check_move_date("31/05/2025", today) is None
    too_early = check_move_date("29/04/2025", today)
    too_late = check_move_date("01/09/2025", today)
    assert isinstance(too_early, MoveDateOutOfWindow) and too_early.facts["reason"] == "too-early"
    assert isinstance(too_late, MoveDateOutOfWindow) and too_late.facts["reason"] == "too-late"


def test_the_error_says_which_bound_and_gives_both_dates() -> None:
    problem = check_move_date("01/01/2025", date(2025, 5, 31))
    assert isinstance(problem, MoveDateOutOfWindow)
    assert problem.code == "move-date-out-of-window"
    assert problem.facts["earliest"] == date(2025, 4, 30)
    assert problem.facts["latest"] == date(2025, 8, 31)
    french = problem.message("fr")
    assert "au plus tard un mois après" in french
    assert "entre le 30/04/2025 et le 31/08/2025" in french
    assert "01/01/2025" in french
    english = check_move_date("01/12/2025", date(2025, 5, 31))
    assert english is not None
    assert "at the earliest three months before" in english.message("en")
    assert "between 30/04/2025 and 31/08/2025" in english.message("en")
    assert problem.to_dict()["facts"]["earliest"] == "2025-04-30"  # ISO for machines


def test_badly_typed_dates_are_date_errors_with_the_field_name() -> None:
    for text, reason in [("1/5/2025", "format"), ("31/04/2025", "impossible"), ("", "format")]:
        problem = check_move_date(text, date(2025, 5, 1))
        assert isinstance(problem, InvalidDate)
        assert problem.facts == {"field": "move_date", "reason": reason}
    other = check_move_date("05-05-2025", date(2025, 5, 1), field="date_demenagement")
    assert other is not None and other.facts["field"] == "date_demenagement"
    assert check_move_date(None, date(2025, 5, 1)) is not None  # type: ignore[arg-type]


# --- today is the day in Paris ------------------------------------------------------------------
def test_today_changes_at_midnight_paris_time_in_winter() -> None:
    # 31/01/2025 23:00 UTC is 01/02/2025 00:00 in Paris (UTC+1).
    just_before = datetime(2025, 1, 31, 22, 59, 59, tzinfo=UTC)
    midnight = datetime(2025, 1, 31, 23, 0, tzinfo=UTC)
    assert paris_today(just_before) == date(2025, 1, 31)
    assert paris_today(midnight) == date(2025, 2, 1)
    # On 31/01 the earliest move is 31/12; from Paris midnight on, it is 01/01.
    assert check_move_date("31/12/2024", just_before) is None
    late = check_move_date("31/12/2024", midnight)
    assert isinstance(late, MoveDateOutOfWindow) and late.facts["earliest"] == date(2025, 1, 1)
    # And three months ahead: 30/04 (clamped) then 01/05.
    assert move_date_window(just_before).latest == date(2025, 4, 30)
    assert move_date_window(midnight).latest == date(2025, 5, 1)


def test_today_changes_at_midnight_paris_time_in_summer() -> None:
    # 30/06/2025 22:00 UTC is 01/07/2025 00:00 in Paris (UTC+2).
    before = datetime(2025, 6, 30, 21, 59, tzinfo=UTC)
    after = datetime(2025, 6, 30, 22, 0, tzinfo=UTC)
    assert move_date_window(before) == MoveDateWindow(date(2025, 5, 30), date(2025, 9, 30))
    assert move_date_window(after) == MoveDateWindow(date(2025, 6, 1), date(2025, 10, 1))


@pytest.mark.parametrize(
    ("instant", "paris_day"),
    [
        # Spring forward: 30/03/2025 02:00 CET becomes 03:00 CEST (01:00 UTC).
        (datetime(2025, 3, 29, 22, 59, tzinfo=UTC), date(2025, 3, 29)),
        (datetime(2025, 3, 29, 23, 0, tzinfo=UTC), date(2025, 3, 30)),
        (datetime(2025, 3, 30, 21, 59, tzinfo=UTC), date(2025, 3, 30)),
        (datetime(2025, 3, 30, 22, 0, tzinfo=UTC), date(2025, 3, 31)),
        # Fall back: 26/10/2025 03:00 CEST becomes 02:00 CET (01:00 UTC).
        (datetime(2025, 10, 25, 21, 59, tzinfo=UTC), date(2025, 10, 25)),
        (datetime(2025, 10, 25, 22, 0, tzinfo=UTC), date(2025, 10, 26)),
        (datetime(2025, 10, 26, 22, 59, tzinfo=UTC), date(2025, 10, 26)),
        (datetime(2025, 10, 26, 23, 0, tzinfo=UTC), date(2025, 10, 27)),
    ],
)
def test_the_day_across_daylight_saving_changes(instant: datetime, paris_day: date) -> None:
    assert paris_today(instant) == paris_day
    assert move_date_window(instant) == move_date_window(paris_day)


def test_a_whole_dst_day_moves_the_window_once() -> None:
    # Every minute of the 23-hour day of 30/03/2025 in Paris gives the same window.
    start = datetime(2025, 3, 29, 23, 0, tzinfo=UTC)  # 00:00 Paris
    windows = {move_date_window(start + timedelta(minutes=m)) for m in range(0, 23 * 60, 7)}
    assert windows == {MoveDateWindow(date(2025, 2, 28), date(2025, 6, 30))}
    next_day = start + timedelta(hours=23)  # 00:00 Paris on 31/03, only 23 hours later
    assert paris_today(next_day) == date(2025, 3, 31)
    # Clamping: 31/03 - 1 month and 30/03 - 1 month are both 28/02; + 3 months both 30/06.
    assert move_date_window(next_day) == move_date_window(start)
    assert move_date_window(start + timedelta(hours=47)).earliest == date(2025, 3, 1)


def test_instants_in_other_zones_are_read_in_paris() -> None:
    from zoneinfo import ZoneInfo

    tokyo = datetime(2025, 7, 1, 6, 30, tzinfo=ZoneInfo("Asia/Tokyo"))  # 30/06 23:30 in Paris
    assert paris_today(tokyo) == date(2025, 6, 30)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        move_date_window(datetime(2025, 7, 1, 12, 0))


def test_parse_move_date_returns_the_date_or_raises() -> None:
    assert parse_move_date("15/06/2025", date(2025, 6, 1)) == date(2025, 6, 15)
    assert parse_move_date(date(2025, 6, 15), date(2025, 6, 1)) == date(2025, 6, 15)
    with pytest.raises(MoveDateOutOfWindow):
        parse_move_date("15/12/2025", date(2025, 6, 1))
    with pytest.raises(InvalidDate):
        parse_move_date("15/6/2025", date(2025, 6, 1))


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2200, 10, 1)), st.integers(-200, 200))
def test_a_date_is_accepted_exactly_when_it_is_inside_the_window(today: date, shift: int) -> None:
    day = today + timedelta(days=shift)
    window = move_date_window(today)
    assert window.earliest <= today <= window.latest
    problem = check_move_date(f"{day.day:02d}/{day.month:02d}/{day.year:04d}", today)
    assert (problem is None) == (window.earliest <= day <= window.latest)
