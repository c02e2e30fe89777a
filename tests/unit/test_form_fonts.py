"""Fonts of form appearances: font choice, metrics from the font file, layout, the CID pieces."""

from __future__ import annotations

import re

import pytest

from msp_docs._backends import _truetype
from msp_docs._formats.appearance import (
    Box,
    DefaultAppearance,
    layout_text,
    text_appearance,
    text_width,
)
from msp_docs._formats.textfont import (
    COURIER,
    HELVETICA,
    CidFont,
    Unencodable,
    choose_font,
    cid_to_gid_map,
    subset_tag,
    to_unicode_cmap,
    widths_array,
)

SCRIPTS = ["Łukasz", "Őzil", "Nguyễn", "Šťastný", "Ğül", "Ǆoković Țepeș", "Αλέξανδρος", "Дмитрий"]


def test_metrics_come_from_the_font_file() -> None:
    font = _truetype.metrics()
    assert font.name == "LiberationSans"
    # Liberation Sans is metric-compatible with Helvetica: WinAnsi text measures the same.
    for text in ("Dupont", "Zoé Œuvre 12 €", "WAVE"):
        assert font.width(text) == pytest.approx(HELVETICA.width(text), abs=len(text))
    assert font.widths[ord("Ł")] == 556 and font.widths[ord("Д")] > 0
    assert font.widths[0x0301] == 0  # a combining accent does not advance
    assert 700 < font.ascent < 750 and -220 < font.descent < -200


@pytest.mark.parametrize("name", SCRIPTS)
def test_names_beyond_winansi_choose_the_embedded_font(name: str) -> None:
    assert HELVETICA.unprintable(name)
    assert choose_font(name, HELVETICA, _truetype.metrics) is _truetype.metrics()


def test_winansi_text_keeps_the_standard_font_without_loading_the_other() -> None:
    def never() -> CidFont:
        raise AssertionError("the embedded font was loaded")

    assert choose_font("Zoé Œuvre à Noël — 12 €", HELVETICA, never) is HELVETICA
    assert choose_font("ABC", COURIER, never) is COURIER


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Łukasz 😀", "😀"),  # beyond two bytes, and no glyph
        ("山田", "山田"),  # no glyph
        ("שלום", "ושלם"),  # right to left
        ("a\u202eb", "\u202e"),  # bidirectional override
        ("a\u200bb", "\u200b"),  # invisible format character
        ("a\tb", "\t"),  # control
    ],
)
def test_what_no_font_draws_is_refused_and_named(text: str, refused: str) -> None:
    with pytest.raises(Unencodable) as caught:
        choose_font(text, HELVETICA, _truetype.metrics)
    assert caught.value.chars == "".join(sorted(set(refused)))


def test_layout_uses_the_embedded_fonts_widths() -> None:
    font = _truetype.metrics()
    box = Box(width=120, height=16, alignment=2)
    da = DefaultAppearance.parse("/Helv 10 Tf 0 g")
    layout = layout_text("Šťastný", box, da, font=font)
    (line,) = layout.lines
    assert layout.font is font and layout.size == 10
    assert line.x + text_width("Šťastný", 10, font) == pytest.approx(120 - 2)
    content = text_appearance(layout, box, da, "MspSans").decode()
    # Two bytes per character, its code point: Š is <0160>.
    assert re.search(r"<0160[0-9a-f]{24}> Tj", content)
    assert "/MspSans 10 Tf" in content
    shrunk = layout_text("Αλέξανδρος Παπαδόπουλος", box, da, font=font)
    assert shrunk.shrunk and shrunk.size < 10


def test_comb_and_multiline_with_the_embedded_font() -> None:
    font = _truetype.metrics()
    da = DefaultAppearance.parse("/Helv 10 Tf 0 g")
    comb = layout_text("ДМИТРИЙ", Box(width=90, height=16), da, comb=9, font=font)
    centres = [line.x + text_width(line.text, comb.size, font) / 2 for line in comb.lines]
    assert centres == pytest.approx([5 + 10 * i for i in range(7)])
    lines = layout_text(
        "Αλέξανδρος Παπαδόπουλος\nΑθήνα", Box(width=80, height=60), da, multiline=True, font=font
    ).lines
    assert [line.text for line in lines][-1] == "Αθήνα" and len(lines) >= 3
    assert all(text_width(line.text, 10, font) <= 76 for line in lines)


def test_widths_array_groups_consecutive_cids() -> None:
    assert widths_array({}) == []
    assert widths_array({65: 667, 66: 667, 67: 722, 321: 556, 322: 222}) == [
        65, [667, 667, 722], 321, [556, 222],
    ]  # fmt: skip


def test_cid_to_gid_map_is_two_bytes_per_cid() -> None:
    table = cid_to_gid_map({0x41: 3, 0x141: 7})
    assert len(table) == 2 * 0x142
    assert table[2 * 0x41 : 2 * 0x41 + 2] == b"\x00\x03"
    assert table[2 * 0x141 :] == b"\x00\x07"
    assert set(table[:0x82]) == {0}


def test_to_unicode_maps_each_code_to_itself_in_blocks_of_100() -> None:
    cmap = to_unicode_cmap(range(0x400, 0x400 + 150)).decode()
    assert "<0000> <FFFF>" in cmap
    assert cmap.count("beginbfchar") == 2 and "100 beginbfchar" in cmap
    assert "<0414> <0414>" in cmap  # Д


def test_subset_tag_is_six_letters_fixed_by_the_characters() -> None:
    tag = subset_tag([0x141, 0x75])
    assert re.fullmatch(r"[A-Z]{6}", tag)
    assert subset_tag([0x75, 0x141, 0x75]) == tag != subset_tag([0x141])


def test_embedded_subset_is_deterministic() -> None:
    import io

    import pikepdf

    def make() -> bytes:
        pdf = pikepdf.new()
        font = pdf.make_indirect(pikepdf.Dictionary())
        _truetype.embed(pdf, font, [ord(c) for c in "Łukasz Дмитрий"])
        pdf.Root["/F"] = font
        out = io.BytesIO()
        pdf.save(out, static_id=True, deterministic_id=False)
        return out.getvalue()

    assert make() == make()


def test_importing_the_form_modules_does_not_load_fonttools() -> None:
    import subprocess
    import sys

    code = "import sys, msp_docs, msp_docs.forms, msp_docs.cerfa\nprint('fontTools' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
