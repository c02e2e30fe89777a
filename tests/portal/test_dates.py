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


@pytest.mark.parametrize(
    ("text", "expected"),
    [("29/02/2000", date(2000, 2, 29)), ("28/02/2100", date(2100, 2, 28))],
)
def test_leap_centuries(text: str, expected: date) -> None:
    assert parse_date_fr(text) == expected  # 2000 is a leap year (divisible by 400)
    assert parse_date_fr("29/02/2100") is DateProblem.IMPOSSIBLE  # 2100 is not


@pytest.mark.parametrize(
    "text",
    [
        "01/02/2024\r",
        "\u200b01/02/2024",  # zero-width space
        "01/02/2024\x00",
        "01/02/２０２４",  # full-width year only
        "+1/02/2024",
        "-1/02/2024",
        " 1/02/2024",
        "1_/02/2024",
        "01/02/2024" * 100_000,  # a megabyte: refused without a backtracking cost
    ],
)
def test_more_wrong_formats(text: str) -> None:
    assert parse_date_fr(text) is DateProblem.FORMAT


@given(st.from_regex(r"[0-9]{2}/[0-9]{2}/[0-9]{4}", fullmatch=True))
def test_every_well_formed_text_is_a_date_or_impossible(text: str) -> None:
    result = parse_date_fr(text)
    if isinstance(result, date):
        assert format_date_fr(result) == text
    else:
        assert result is DateProblem.IMPOSSIBLE


def test_typed_errors_carry_the_field_and_reason_with_messages() -> None:
    from msp_portal import InvalidDate
    from msp_portal.domain.dates import check_date_fr, parse_date_field

    assert check_date_fr("05/03/2025", field="birth_date") is None
    wrong = check_date_fr("5/3/2025", field="birth_date")
    assert isinstance(wrong, InvalidDate)
    assert wrong.code == "invalid-date"
    assert wrong.facts == {"field": "birth_date", "reason": "format"}
    assert "JJ/MM/AAAA" in wrong.message("fr") and "sans espace" in wrong.message("fr")
    assert "DD/MM/YYYY" in wrong.message("en")
    impossible = check_date_fr("31/02/2025", field="birth_date")
    assert impossible is not None and impossible.facts["reason"] == "impossible"
    assert "n'existe pas" in impossible.message("fr")
    assert "does not exist" in impossible.message("en")
    assert parse_date_field("05/03/2025", field="x") == date(2025, 3, 5)
    with pytest.raises(InvalidDate) as info:
        parse_date_field("2025-03-05", field="x")
    assert info.value.facts == {"field": "x", "reason": "format"}
    assert check_date_fr(None, field="x") is not None  # type: ignore[arg-type]
