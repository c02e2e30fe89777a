"""Pure parts of the CERFA support: numbers, strict dates, map loading, value checks, layout."""

from __future__ import annotations

from datetime import date

import pytest

from msp_docs._formats.appearance import (
    AUTO_MAX_SIZE,
    MIN_FONT_SIZE,
    Box,
    DefaultAppearance,
    DoesNotFit,
    Unencodable,
    encode_winansi,
    layout_text,
    text_width,
)
from msp_docs.cerfa import CerfaNumber, MapType, load_map, parse_date, resolve_values
from msp_docs.errors import (
    InvalidFieldValue,
    InvalidFormMap,
    UnknownField,
    UnknownForm,
    UsageError,
)

MAP = """
schema = "msp-docs/cerfa/1"
number = "11580*05"
title = "Reçu"
kind = "fillable"
organisation = "DGFiP"

[[fields]]
name = "Nom"
type = "text"
label = "Nom"
profile = "last_name"

[[fields]]
name = "d35"
type = "date"
label = "Date du don"
parts = ["d35-1", "d35-2", "d35-3"]
year_digits = 2

[[fields]]
name = "CAC2"
type = "checkbox"
label = "Association cultuelle"
on = "0"

[[fields]]
name = "CAC0"
type = "radio"
label = "Statut"
states = { "0" = "Association loi 1901", "1" = "Fondation" }

[[fields]]
name = "cp"
type = "text"
label = "Code postal"
format = "postcode"
profile = "postcode"
"""


@pytest.mark.parametrize(
    "text", ["11580*05", "11580_05", "11580-05", "cerfa_11580_05.pdf", "N°11580*05", "11580 * 05"]
)
def test_cerfa_numbers_in_every_spelling(text: str) -> None:
    assert CerfaNumber.parse(text) == CerfaNumber("11580", "05")
    assert str(CerfaNumber.parse(text)) == "11580*05"


@pytest.mark.parametrize("text", ["1158*05", "115800*05", "11580*5", "abc", ""])
def test_not_cerfa_numbers(text: str) -> None:
    with pytest.raises(UnknownForm) as caught:
        CerfaNumber.parse(text)
    assert caught.value.facts["reason"] == "invalid-number"


def test_dates_are_strict_jj_mm_aaaa() -> None:
    assert parse_date("05/03/2024") == date(2024, 3, 5)
    assert parse_date("29/02/2024") == date(2024, 2, 29)
    bad_dates = ["5/3/2024", "05/03/24", "05-03-2024", " 05/03/2024", "05/03/2024 "]
    bad_dates += ["29/02/2023", "00/01/2024", "05/13/2024", "０５/03/2024", "05/03/٢٠٢٤"]
    for bad in bad_dates:
        with pytest.raises(ValueError):
            parse_date(bad)


def test_map_loads_and_resolves_values() -> None:
    form = load_map(MAP)
    assert [f.type for f in form.fields] == [
        MapType.TEXT, MapType.DATE, MapType.CHECKBOX, MapType.RADIO, MapType.TEXT,
    ]  # fmt: skip
    values, prefilled = resolve_values(
        form,
        {"d35": "05/03/2024", "CAC2": True, "CAC0": "Fondation", "Nom": ""},
        {"last_name": "Martin", "postcode": "75011"},
    )
    assert values == {
        "Nom": None,  # typed empty wins over the profile
        "d35-1": "05", "d35-2": "03", "d35-3": "24",
        "CAC2": "0", "CAC0": "1", "cp": "75011",
    }  # fmt: skip
    assert prefilled == ["cp"]


def test_values_refused_by_the_map() -> None:
    form = load_map(MAP)
    with pytest.raises(UnknownField):
        resolve_values(form, {"nope": "x"})
    for bad in ({"cp": "7501"}, {"CAC0": "2"}, {"CAC2": "yes"}, {"d35": "2024-03-05"}):
        with pytest.raises(InvalidFieldValue) as caught:
            resolve_values(form, bad)
        assert caught.value.facts["source"] == "user"
        assert caught.value.message("fr")
    with pytest.raises(UsageError) as usage:  # a caller's mistake, typed (exit 2)
        resolve_values(form, {}, {"shoe_size": "42"})
    assert usage.value.code == "invalid-call" and usage.value.facts["given"] == "shoe_size"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (('schema = "msp-docs/cerfa/1"', 'schema = "x"'), "<map>"),
        (('number = "11580*05"', 'number = "11580_05"'), "number"),
        (('kind = "fillable"', 'kind = "online"'), "kind"),
        (('on = "0"', 'on = "Off"'), "CAC2"),
        (('profile = "last_name"', 'profile = "nickname"'), "Nom"),
        (('format = "postcode"', 'format = "zip"'), "cp"),
        (("year_digits = 2", "year_digits = 3"), "d35"),
        (('name = "cp"', 'name = "Nom"'), "Nom"),
        (('label = "Statut"', 'colour = "red"'), "CAC0"),
    ],
)
def test_invalid_maps_name_the_entry(change: tuple[str, str], where: str) -> None:
    with pytest.raises(InvalidFormMap) as caught:
        load_map(MAP.replace(*change))
    assert caught.value.facts["where"] == where
    assert caught.value.exit_code == 10


def test_winansi_covers_french_and_refuses_the_rest() -> None:
    assert encode_winansi("é è à ç œ Œ € « » ’ Ÿ") == "é è à ç œ Œ € « » ’ Ÿ".encode("cp1252")
    with pytest.raises(Unencodable) as caught:
        encode_winansi("Łódź\tx")
    assert caught.value.chars == "\tŁź"


def test_layout_auto_size_alignment_and_shrink() -> None:
    box = Box(width=100, height=16, alignment=2)
    auto = layout_text("12", box, DefaultAppearance.parse("/Helv 0 Tf 0 g"))
    assert auto.size == pytest.approx(min((16 - 2) / 1.15, AUTO_MAX_SIZE))
    line = auto.lines[0]
    assert line.x + text_width("12", auto.size) == pytest.approx(100 - 2)  # right-aligned
    fixed = layout_text("W" * 12, box, DefaultAppearance.parse("/Helv 10 Tf 0 g"))
    assert fixed.shrunk and MIN_FONT_SIZE <= fixed.size < 10
    with pytest.raises(DoesNotFit):
        layout_text("W" * 60, box, DefaultAppearance.parse("/Helv 10 Tf 0 g"))


def test_comb_layout_one_character_per_cell() -> None:
    box = Box(width=90, height=16)
    layout = layout_text("123", box, DefaultAppearance.parse("/Helv 10 Tf 0 g"), comb=9)
    centres = [line.x + text_width(line.text, layout.size) / 2 for line in layout.lines]
    assert centres == pytest.approx([5, 15, 25])
    with pytest.raises(DoesNotFit):
        layout_text("1234567890", box, DefaultAppearance(), comb=9)


def test_multiline_wraps_words() -> None:
    box = Box(width=60, height=60)
    layout = layout_text(
        "un deux trois quatre cinq", box, DefaultAppearance.parse("/Helv 10 Tf 0 g"),
        multiline=True,
    )  # fmt: skip
    assert len(layout.lines) > 1
    assert all(text_width(line.text, layout.size) <= 56 for line in layout.lines)
    ys = [line.y for line in layout.lines]
    assert ys == sorted(ys, reverse=True)


def test_default_appearance_parsing() -> None:
    da = DefaultAppearance.parse("0.2 0.4 0.6 rg /Cour 9 Tf")
    assert (da.font, da.size, da.colour, da.monospaced) == ("Cour", 9.0, (0.2, 0.4, 0.6), True)
    assert DefaultAppearance.parse("garbage") == DefaultAppearance()
