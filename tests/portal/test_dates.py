"""Rule C2: dates typed JJ/MM/AAAA exactly."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msp_portal.domain.dates import DateProblem, format_date_fr, parse_date_fr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/02/2024", date(2024, 2, 1)),
        ("29/02/2024", date(2024, 2, 29)),
        ("31/12/1999", date(1999, 12, 31)),
        ("01/01/0001", date(1, 1, 1)),
    ],
)
def test_valid_dates(text: str, expected: date) -> None:
    assert parse_date_fr(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1/2/2024",
        "01/2/2024",
        "01/02/24",
        " 01/02/2024",
        "01/02/2024 ",
        "01 /02/2024",
        "01-02-2024",
        "2024/02/01",
        "01/02/2024\n",
        "０１/０２/２０２４",  # full-width digits
        "٠١/٠٢/٢٠٢٤",  # Arabic-Indic digits
        "01/02/20245",
        "",
        "01∕02∕2024",  # division slash, not a solidus
    ],
)
def test_wrong_format(text: str) -> None:
    assert parse_date_fr(text) is DateProblem.FORMAT


@pytest.mark.parametrize(
    "text", ["31/02/2024", "29/02/2023", "29/02/1900", "00/01/2024", "01/13/2024", "01/01/0000"]
)
def test_impossible_dates(text: str) -> None:
    assert parse_date_fr(text) is DateProblem.IMPOSSIBLE


@given(st.dates())
def test_format_then_parse_gives_the_same_date(value: date) -> None:
    assert parse_date_fr(format_date_fr(value)) == value


@given(st.text(max_size=20))
def test_any_text_gives_a_date_or_a_reason(text: str) -> None:
    result = parse_date_fr(text)
    assert isinstance(result, (date, DateProblem))
    if isinstance(result, date):
        assert format_date_fr(result) == text
