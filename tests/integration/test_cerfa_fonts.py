"""Names beyond WinAnsiEncoding on the real CERFA forms: an embedded, subsetted font.

Each script a citizen may write their name in is filled into a text field of the real forms of
../shared/cerfa, then checked with tools other than the one that wrote it: pypdf reads the
values back, poppler renders the widgets (pdftoppm) and lists the fonts (pdffonts), pdftotext
and pypdf extract the text of the flattened form, and fontTools opens the embedded font file.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from msp_docs import forms
from msp_docs.errors import InvalidFieldValue, ValueTooLong
from msp_docs.forms import FieldKind, FormField
from tests.conftest import CERFA, shared_file

# One name per script the issue names; each holds letters WinAnsiEncoding lacks.
SCRIPTS = {
    "polish": "Łukasz Żółć",
    "hungarian": "Őzil Gyűrű",
    "vietnamese": "Nguyễn Thị Ánh",
    "czech": "Šťastný Řehoř",
    "turkish": "Ğül Işık",
    "latin-extended-b": "Ǆoković Țepeș",
    "greek": "Αλέξανδρος Ψυχής",
    "cyrillic": "Дмитрий Шостакович",
}
FORMS = ("cerfa_11580_05.pdf", "cerfa_16216_01.pdf")
FONT_FILE_SIZE = 410_712  # LiberationSans-Regular.ttf as shipped

needs_poppler = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("pdftoppm", "pdftotext", "pdffonts")),
    reason="poppler-utils not installed",
)


def form(name: str) -> Path:
    return shared_file(CERFA / name)


def wide_text_fields(path: Path) -> list[FormField]:
    """One-line text fields at least 190 pt wide, on the page where they are, in form order."""
    return [
        f
        for f in forms.read_fields(path)
        if f.kind is FieldKind.TEXT
        and not f.multiline
        and f.max_length is None
        and f.widgets[0].rect[2] - f.widgets[0].rect[0] >= 190
    ]


def script_values(path: Path) -> dict[str, str]:
    """Field name -> name in one script, one field per script."""
    fields = wide_text_fields(path)
    assert len(fields) >= len(SCRIPTS)
    return {f.name: value for f, value in zip(fields, SCRIPTS.values(), strict=False)}


def render(data: bytes, tmp: Path, stem: str) -> list[Image.Image]:
    pdf = tmp / f"{stem}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", str(pdf), str(tmp / stem)], check=True)
    return [Image.open(p) for p in sorted(tmp.glob(f"{stem}-*.pgm"))]


def ink_changed(before: Image.Image, after: Image.Image, rect: tuple[float, ...], h: float) -> int:
    scale = 100 / 72
    x0, y0, x1, y1 = rect
    box = (int(x0 * scale) + 1, int((h - y1) * scale) + 1, int(x1 * scale), int((h - y0) * scale))
    diff = ImageChops.difference(before.crop(box), after.crop(box)).point(
        lambda v: 255 if v > 60 else 0
    )
    return sum(1 for v in diff.get_flattened_data() if v)


def pdffonts(data: bytes, tmp: Path) -> list[list[str]]:
    pdf = tmp / "fonts.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:]]


def embedded_fonts(data: bytes) -> list[tuple[str, bytes, dict[int, int]]]:
    """Each Type0 font reachable from the catalogue: base name, font file, CID -> glyph (pypdf)."""
    found: dict[str, tuple[str, bytes, dict[int, int]]] = {}
    stack: list[Any] = [PdfReader(io.BytesIO(data)).trailer["/Root"]]
    seen: set[int] = set()
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                continue
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            if obj.get("/Subtype") == "/Type0":
                cid_font = obj["/DescendantFonts"][0].get_object()
                font_file = cid_font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
                table = cid_font["/CIDToGIDMap"].get_object().get_data()
                gids = {
                    i // 2: int.from_bytes(table[i : i + 2], "big")
                    for i in range(0, len(table), 2)
                    if table[i : i + 2] != b"\x00\x00"
                }
                found[str(obj["/BaseFont"])] = (str(obj["/BaseFont"]), font_file, gids)
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return list(found.values())


@needs_poppler
@pytest.mark.parametrize("name", FORMS)
def test_every_script_is_filled_shown_and_extracted_exactly(name: str, tmp_path: Path) -> None:
    path = form(name)
    values = script_values(path)
    fields = {f.name: f for f in forms.read_fields(path)}
    filled = forms.fill(path, values)

    # Read back by pypdf: the exact text in /V.
    read = PdfReader(io.BytesIO(filled.data)).get_fields()
    assert read is not None
    assert {n: read[n].get("/V") for n in values} == values

    # Rendered by poppler: every widget shows ink where the blank form has none.
    heights = [float(p.mediabox.height) for p in PdfReader(path).pages]
    empty = render(forms.blank(path).data, tmp_path, "empty")
    pages = render(filled.data, tmp_path, "filled")
    for field_name in values:
        widget = fields[field_name].widgets[0]
        page = widget.page - 1
        assert ink_changed(empty[page], pages[page], widget.rect, heights[page]) > 40, field_name

    # Flattened: pdftotext and pypdf both give back each value exactly.
    flat = forms.fill(path, values, flatten=True)
    out = tmp_path / "flat.pdf"
    out.write_bytes(flat.data)
    # -raw: in content order (the default layout mode may split a value across columns of
    # the printed form that it overlaps)
    poppler_text = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    pypdf_text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    for value in values.values():
        assert value in poppler_text, value
        assert value in pypdf_text, value
    assert PdfReader(out).get_fields() in (None, {})


@needs_poppler
@pytest.mark.parametrize("flatten", [False, True])
def test_the_font_is_embedded_as_a_small_subset(flatten: bool, tmp_path: Path) -> None:
    path = form("cerfa_16216_01.pdf")
    values = script_values(path)
    data = forms.fill(path, values, flatten=flatten).data
    rows = [r for r in pdffonts(data, tmp_path) if "LiberationSans" in r[0]]
    assert len(rows) == 1, rows  # one font for every field that needs it
    row = rows[0]
    assert re.fullmatch(r"[A-Z]{6}\+LiberationSans", row[0])
    assert row[1:3] == ["CID", "TrueType"] and row[3] == "Identity-H"
    assert row[4:7] == ["yes", "yes", "yes"]  # embedded, subset, ToUnicode

    ((base, font_file, gids),) = embedded_fonts(data)
    assert base == "/" + row[0]
    used = {ord(c) for v in values.values() for c in v}
    assert set(gids) == used  # every character drawn has its glyph, and nothing else
    font = TTFont(io.BytesIO(font_file))
    order = font.getGlyphOrder()
    # The glyphs used, the parts accented letters are built of, and .notdef: of the font's 2,300.
    assert len(used) < len(order) < 2 * len(used)
    glyf = font["glyf"]
    for code, gid in gids.items():
        if not unicodedata.category(chr(code)).startswith("Z"):
            assert glyf[order[gid]].numberOfContours != 0, chr(code)  # a real outline
    assert "fpgm" not in font and "GSUB" not in font
    assert len(font_file) < 12_000 < FONT_FILE_SIZE  # ~60 glyphs: a few KB, not 400


@needs_poppler
def test_winansi_values_embed_nothing(tmp_path: Path) -> None:
    path = form("cerfa_11580_05.pdf")
    data = forms.fill(path, {"Nom": "Dupré", "Prenom": "Zoé Œuvre €"}).data
    names = [r[0] for r in pdffonts(data, tmp_path)]
    assert "Helvetica" in names
    assert not any("LiberationSans" in n for n in names)
    assert embedded_fonts(data) == []


def test_standard_path_does_not_load_fonttools() -> None:
    path = form("cerfa_11580_05.pdf")
    code = (
        "import sys\nfrom msp_docs import forms\n"
        f"forms.fill({str(path)!r}, {{'Nom': 'Dupré'}}, flatten=True)\n"
        "print('fontTools' in sys.modules)\n"
        f"forms.fill({str(path)!r}, {{'Nom': 'Łukasz'}})\n"
        "print('fontTools' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_mixed_fields_use_each_font_and_the_output_is_deterministic() -> None:
    path = form("cerfa_11580_05.pdf")
    values = {"Nom": "Nguyễn", "Prenom": "Zoé"}
    first = forms.fill(path, values, flatten=True).data
    assert forms.fill(path, values, flatten=True).data == first
    with pikepdf.open(io.BytesIO(forms.fill(path, values).data)) as pdf:
        fonts = {}
        for f in pdf.Root.AcroForm.Fields:
            name = str(f.get("/T", ""))
            if name in values:
                widget = f if "/AP" in f else f.Kids[0]
                resources = widget.AP.N.Resources.Font
                fonts[name] = str(next(iter(resources.values())).Subtype)
    assert fonts == {"Nom": "/Type0", "Prenom": "/Type1"}


@pytest.mark.parametrize(
    ("value", "unprintable"),
    [
        ("Łukasz 😀", "😀"),
        ("山田 太郎", "太山田郎"),  # no CJK glyphs
        ("שלום", "ושלם"),  # Hebrew has glyphs, but drawn left to right it would read backwards
        ("Dupont\u202eZoé", "\u202e"),  # a right-to-left override would reorder what one reads
    ],
)
def test_characters_no_font_can_draw_are_refused_by_name(value: str, unprintable: str) -> None:
    with pytest.raises(InvalidFieldValue) as caught:
        forms.fill(form("cerfa_11580_05.pdf"), {"Nom": value}, labels={"Nom": "Nom"})
    error = caught.value
    assert error.facts["field"] == "Nom" and error.exit_code == 10
    assert error.facts["reason"] == "unprintable"
    named = error.facts["value"]
    assert set(named) - {" "} == set(unprintable) - {" "}
    assert "Ł" not in named  # what the embedded font prints is not blamed
    assert error.message("fr")


def test_combining_accents_are_stored_and_drawn_composed(tmp_path: Path) -> None:
    path = form("cerfa_11580_05.pdf")
    typed = "Nguye\u0302\u0303n Zoe\u0301"  # as a macOS keyboard may give it
    composed = unicodedata.normalize("NFC", typed)
    assert composed == "Nguyễn Zoé" and composed != typed
    data = forms.fill(path, {"Nom": typed}).data
    fields = PdfReader(io.BytesIO(data)).get_fields()
    assert fields is not None and fields["Nom"]["/V"] == composed
    flat = forms.fill(path, {"Nom": typed}, flatten=True).data
    assert composed in "".join(p.extract_text() for p in PdfReader(io.BytesIO(flat)).pages)


def with_pdf(name: str, change: object) -> bytes:
    with pikepdf.open(form(name)) as pdf:
        change(pdf)  # type: ignore[operator]
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def comb_and_multiline(pdf: pikepdf.Pdf) -> None:
    for field in pdf.Root.AcroForm.Fields:
        if str(field.get("/T")) == "Siren":
            field["/Ff"] = int(field.get("/Ff", 0)) | (1 << 24)


@needs_poppler
def test_comb_multiline_and_right_aligned_fields_lay_out_the_embedded_font(
    tmp_path: Path,
) -> None:
    data = with_pdf("cerfa_16216_01.pdf", comb_and_multiline)
    fields = {f.name: f for f in forms.read_fields(data)}
    assert fields["Siren"].kind is FieldKind.COMB and fields["a26"].multiline
    assert fields["a27"].alignment == 2
    values = {
        "Siren": "ДМИТРИЙ",
        "a26": "Αλέξανδρος Παπαδόπουλος, οδός Ερμού 12\nΑθήνα Ελλάδα — Łódź Nguyễn",
        "a27": "Šťastný",
    }
    result = forms.fill(data, values, flatten=True)
    out = tmp_path / "layout.pdf"
    out.write_bytes(result.data)
    raw = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Д М И Т Р И Й" in raw or "ДМИТРИЙ" in raw
    assert "Αλέξανδρος Παπαδόπουλος, οδός Ερμού 12" in raw
    assert "Αθήνα Ελλάδα — Łódź Nguyễn" in raw
    assert "Šťastný" in raw
    # Each comb character sits in its own cell: 9 cells across the widget, 7 used from the left.
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    x0, _, x1, _ = fields["Siren"].widgets[0].rect
    cell = (x1 - x0) / 9
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.)</word>', bbox)
    placed = [(float(a), float(b), ch) for a, b, ch in words if ch in "ДМИТРИЙ"]
    assert len(placed) == 7
    for index, (left, right, _) in enumerate(sorted(placed)):
        centre = (left + right) / 2
        assert abs(centre - (x0 + (index + 0.5) * cell)) < 1.5
    # Right-aligned: the value ends at the right padding of its box.
    a27 = fields["a27"].widgets[0].rect
    row = [
        (float(a), float(b))
        for a, b, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]+)</word>', bbox
        )
        if w == "Šťastný"
    ]
    assert row and abs(row[0][1] - (a27[2] - 2)) < 1.5


def foreign_value(pdf: pikepdf.Pdf) -> None:
    for field in pdf.Root.AcroForm.Fields:
        if str(field.get("/T")) == "Prenom":
            field["/V"] = pikepdf.String("山田")


def test_a_value_the_form_already_had_keeps_its_appearance_when_no_font_has_it() -> None:
    data = with_pdf("cerfa_11580_05.pdf", foreign_value)
    result = forms.fill(data, {"Nom": "Łukasz"})  # Prenom untouched: not refused
    fields = PdfReader(io.BytesIO(result.data)).get_fields()
    assert fields is not None
    assert fields["Nom"]["/V"] == "Łukasz" and fields["Prenom"]["/V"] == "山田"


@functools.cache
def prepared_receipt() -> forms.PreparedForm:
    return forms.prepare(form("cerfa_11580_05.pdf"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(min_size=1, max_size=24),  # anything: mostly refused
        # Latin, Greek and Cyrillic (with combining accents): mostly written
        st.text(st.characters(max_codepoint=0x52F), min_size=1, max_size=24),
        st.text(st.characters(min_codepoint=0x1E00, max_codepoint=0x1EFF), min_size=1, max_size=12),
    )
)
def test_any_text_is_written_exactly_or_refused_with_a_typed_error(text: str) -> None:
    try:
        result = forms.fill(prepared_receipt(), {"Nom": text})
    except (InvalidFieldValue, ValueTooLong) as error:
        assert error.exit_code == 10 and error.facts["field"] == "Nom"
        event(f"refused: {error.code}")
        return
    event("written")
    fields = PdfReader(io.BytesIO(result.data)).get_fields()
    assert fields is not None
    assert fields["Nom"].get("/V") == (unicodedata.normalize("NFC", text) or None)
