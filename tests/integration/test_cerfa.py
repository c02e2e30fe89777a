"""CERFA forms on the real files of ../shared/cerfa: fields, fill, render, flatten, F2, sanitising.

Every outcome is checked with parsers other than the one that wrote the file: pypdf reads the
values and the structure back, poppler renders the pages (pdftoppm) and extracts the text of
flattened forms (pdftotext).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from msp_docs import forms
from msp_docs.cerfa import Catalogue
from msp_docs.errors import (
    InvalidFieldValue,
    NotFillable,
    UnknownField,
    ValueTooLong,
    XfaOnlyForm,
)
from msp_docs.forms import FieldKind, FormField
from tests.conftest import CERFA, shared_file
from tests.pdfcheck import active_content

FILLABLE = {"cerfa_11580_05.pdf": (75, 41, 34), "cerfa_16216_01.pdf": (59, 38, 21)}
ACCENTS = "Éloïse Œuvre à Noël, ça coûte 12 € — œ"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils not installed",
)


def form(name: str) -> Path:
    return shared_file(CERFA / name)


def catalogue() -> Catalogue:
    shared_file(CERFA / "cerfa_11580_05.pdf")
    return Catalogue.load(CERFA)


def value_for(f: FormField) -> str | bool:
    """A value that fits the field: accents everywhere, shortened to its box and /MaxLen."""
    if f.kind is FieldKind.CHECKBOX:
        return True
    if f.kind is FieldKind.RADIO:
        return f.states[-1]
    x0, _, x1, _ = f.widgets[0].rect
    width = x1 - x0
    text = ACCENTS if width > 250 else "Zoé ç €" if width > 45 else "été"[: max(1, int(width // 8))]
    return text[: f.max_length] if f.max_length else text


def all_values(path: Path) -> dict[str, str | bool]:
    return {f.name: value_for(f) for f in forms.read_fields(path)}


def render(data: bytes, tmp: Path, stem: str) -> list[Image.Image]:
    pdf = tmp / f"{stem}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", str(pdf), str(tmp / stem)], check=True)
    return [Image.open(p) for p in sorted(tmp.glob(f"{stem}-*.pgm"))]


def region(
    page: Image.Image, rect: tuple[float, float, float, float], height: float
) -> Image.Image:
    scale = 100 / 72
    x0, y0, x1, y1 = rect
    box = (
        int(x0 * scale) + 1,
        int((height - y1) * scale) + 1,
        int(x1 * scale),
        int((height - y0) * scale),
    )
    return page.crop(box)


def changed(a: Image.Image, b: Image.Image) -> int:
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 60 else 0)
    return sum(1 for v in diff.get_flattened_data() if v)


# --- fields -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FILLABLE))
def test_fields_counted(name: str) -> None:
    total, text, buttons = FILLABLE[name]
    found = forms.read_fields(form(name))
    assert len(found) == total
    assert sum(f.kind is FieldKind.TEXT for f in found) == text
    assert sum(f.kind in (FieldKind.CHECKBOX, FieldKind.RADIO) for f in found) == buttons
    # On-states are the form's own names (/0, /1...), never an assumed /Yes.
    states = {s for f in found for s in f.states}
    assert "Yes" not in states and {"0", "1"} <= states
    assert all(w.page >= 1 for f in found for w in f.widgets)


def test_flat_forms_have_no_field() -> None:
    for name in ("cerfa_13750_05-flat.pdf", "cerfa_12596_04-flat.pdf"):
        assert forms.read_fields(form(name)) == []
        with pytest.raises(NotFillable):
            forms.fill(form(name), {"x": "y"})


# --- fill: read back by pypdf, rendered by poppler ---------------------------------------------
@pytest.mark.parametrize("name", sorted(FILLABLE))
def test_every_field_filled_and_read_back(name: str) -> None:
    path = form(name)
    values = all_values(path)
    result = forms.fill(path, values)
    reader = PdfReader(io.BytesIO(result.data))
    fields = reader.get_fields()
    assert fields is not None
    read = {n: f.get("/V") for n, f in fields.items()}
    states = {f.name: f for f in forms.read_fields(path)}
    for field_name, value in values.items():
        if value is True:
            assert read[field_name] == "/" + states[field_name].states[0], field_name
        elif isinstance(value, str) and states[field_name].kind is FieldKind.RADIO:
            assert read[field_name] == "/" + value, field_name
        else:
            assert read[field_name] == value, field_name
    # Appearances are real: nothing asks the viewer to make them.
    acroform = reader.trailer["/Root"]["/AcroForm"]
    assert "/NeedAppearances" not in acroform
    assert sorted(result.report.filled) == sorted(values)
    # Every widget of a button shows the state of its field (/AS), named as the form names it.
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/FT") == "/Btn" or annot.get("/Parent", {}).get("/FT") == "/Btn":
                assert annot["/AS"] in annot["/AP"]["/N"], annot


@needs_poppler
@pytest.mark.parametrize("name", sorted(FILLABLE))
def test_rendered_pages_show_every_value(name: str, tmp_path: Path) -> None:
    path = form(name)
    fields = forms.read_fields(path)
    empty = render(forms.blank(path).data, tmp_path, "empty")
    filled = render(forms.fill(path, all_values(path)).data, tmp_path, "filled")
    heights = [float(p.mediabox.height) for p in PdfReader(path).pages]
    unseen = []
    for f in fields:
        for widget in f.widgets:
            if f.kind is FieldKind.RADIO and widget.state != f.states[-1]:
                continue  # only the chosen button of a group shows a mark
            page = widget.page - 1
            before = region(empty[page], widget.rect, heights[page])
            after = region(filled[page], widget.rect, heights[page])
            if changed(before, after) < 3:
                unseen.append(f.name)
    assert unseen == []


@needs_poppler
def test_unchecked_boxes_stay_empty_and_checked_ones_show(tmp_path: Path) -> None:
    path = form("cerfa_11580_05.pdf")
    fields = {f.name: f for f in forms.read_fields(path)}
    empty = render(forms.blank(path).data, tmp_path, "empty")
    filled = render(forms.fill(path, {"CAC2": True, "CAC3": False}).data, tmp_path, "one")
    height = 842.0
    for name, expected in (("CAC2", True), ("CAC3", False)):
        rect = fields[name].widgets[0].rect
        assert (
            changed(region(empty[0], rect, height), region(filled[0], rect, height)) > 3
        ) is expected


# --- flatten ------------------------------------------------------------------------------------
@needs_poppler
@pytest.mark.parametrize("name", sorted(FILLABLE))
def test_flattened_form_has_no_field_and_keeps_text(name: str, tmp_path: Path) -> None:
    path = form(name)
    values = all_values(path)
    result = forms.fill(path, values, flatten=True)
    assert result.report.flattened
    reader = PdfReader(io.BytesIO(result.data))
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert reader.get_fields() in (None, {})
    for page in reader.pages:
        subtypes = [a.get_object().get("/Subtype") for a in page.get("/Annots", [])]
        assert "/Widget" not in subtypes
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert "/AcroForm" not in pdf.Root
    out = tmp_path / "flat.pdf"
    out.write_bytes(result.data)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True)
    words = set(text.stdout.split())
    for value in values.values():
        if isinstance(value, str) and len(value) > 2:
            for word in value.split():
                assert word in words, word
    assert "Œuvre" in words and "€" in words and "œ" in words


# --- accents, lengths, states -------------------------------------------------------------------
def test_characters_no_font_has_are_refused_with_the_field() -> None:
    with pytest.raises(InvalidFieldValue) as caught:
        forms.fill(form("cerfa_11580_05.pdf"), {"Nom": "Łukasz 山田"}, labels={"Nom": "Nom"})
    assert caught.value.facts["field"] == "Nom"
    assert "山田" in caught.value.message("en") and "Ł" not in caught.value.message("en")
    assert caught.value.exit_code == 10


def test_wrong_states_and_unknown_fields_are_refused() -> None:
    path = form("cerfa_11580_05.pdf")
    with pytest.raises(InvalidFieldValue):
        forms.fill(path, {"CAC0": "9"})
    with pytest.raises(InvalidFieldValue):
        forms.fill(path, {"CAC2": "Yes"})
    with pytest.raises(UnknownField):
        forms.fill(path, {"nope": "x"})
    with pytest.raises(ValueTooLong) as caught:
        forms.fill(path, {"a27": "1" * 16})
    assert caught.value.facts["max_length"] == 15


def test_text_too_long_for_its_box_is_refused() -> None:
    with pytest.raises(ValueTooLong) as caught:
        forms.fill(form("cerfa_11580_05.pdf"), {"d13-1": "1234567890"})
    assert caught.value.facts["field"] == "d13-1"


def with_pdf(name: str, change: Callable[[pikepdf.Pdf], None]) -> bytes:
    with pikepdf.open(form(name)) as pdf:
        change(pdf)
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def make_comb(pdf: pikepdf.Pdf) -> None:
    for field in pdf.Root.AcroForm.Fields:
        if str(field.get("/T")) == "Siren":
            field["/Ff"] = int(field.get("/Ff", 0)) | (1 << 24)


@needs_poppler
def test_comb_field_one_character_per_cell_and_too_long(tmp_path: Path) -> None:
    data = with_pdf("cerfa_16216_01.pdf", make_comb)
    siren = {f.name: f for f in forms.read_fields(data)}["Siren"]
    assert siren.kind is FieldKind.COMB and siren.max_length == 9
    with pytest.raises(ValueTooLong) as caught:
        forms.fill(data, {"Siren": "1234567890"})
    assert caught.value.facts == {
        "field": "Siren", "label": "Siren", "reason": "too-long", "length": 10, "max_length": 9,
    }  # fmt: skip
    result = forms.fill(data, {"Siren": "123456789"}, flatten=True)
    out = tmp_path / "comb.pdf"
    out.write_bytes(result.data)
    text = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "1 2 3 4 5 6 7 8 9" in text or "123456789" in text


# --- usage rights, XFA, JavaScript --------------------------------------------------------------
def test_usage_rights_are_removed_with_a_note() -> None:
    path = form("cerfa_16216_01.pdf")
    with pikepdf.open(path) as original:
        assert "/UR3" in original.Root.Perms
    result = forms.fill(path, {"a1": "42"})
    codes = [n.code for n in result.report.actions]
    assert "form-usage-rights-removed" in codes
    reader = PdfReader(io.BytesIO(result.data))
    root = reader.trailer["/Root"]
    assert "/Perms" not in root
    assert "/SigFlags" not in root["/AcroForm"]
    assert b"/UR3" not in result.data and b"/ByteRange" not in result.data


def add_xfa(pdf: pikepdf.Pdf) -> None:
    xdp = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'><template/></xdp:xdp>")
    pdf.Root.AcroForm["/XFA"] = pikepdf.Array([pikepdf.String("template"), xdp])


def test_hybrid_xfa_form_drops_xfa_and_fills_the_acroform() -> None:
    data = with_pdf("cerfa_11580_05.pdf", add_xfa)
    result = forms.fill(data, {"Nom": "Dupré"})
    assert "xfa-removed" in [n.code for n in result.report.actions]
    reader = PdfReader(io.BytesIO(result.data))
    assert "/XFA" not in reader.trailer["/Root"]["/AcroForm"]
    assert reader.get_fields()["Nom"]["/V"] == "Dupré"


def xfa_only(pdf: pikepdf.Pdf) -> None:
    add_xfa(pdf)
    for page in pdf.pages:
        if "/Annots" in page.obj:
            del page.obj["/Annots"]
    pdf.Root.AcroForm["/Fields"] = pikepdf.Array()


def dynamic_xfa(pdf: pikepdf.Pdf) -> None:
    add_xfa(pdf)
    pdf.Root["/NeedsRendering"] = True


@pytest.mark.parametrize("change", [xfa_only, dynamic_xfa])
def test_xfa_only_forms_are_refused(change: Callable[[pikepdf.Pdf], None]) -> None:
    data = with_pdf("cerfa_11580_05.pdf", change)
    for call in (lambda: forms.fill(data, {}), lambda: forms.read_fields(data)):
        with pytest.raises(XfaOnlyForm) as caught:
            call()
        assert caught.value.code == "xfa-only-form" and caught.value.exit_code == 4
        assert "XFA" in caught.value.message("fr")


def add_javascript(pdf: pikepdf.Pdf) -> None:
    script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    pdf.Root["/OpenAction"] = pdf.make_indirect(script)
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
    for field in pdf.Root.AcroForm.Fields:
        if str(field.get("/T")) == "Nom":
            field["/AA"] = pikepdf.Dictionary(K=script, F=launch)
            field["/A"] = launch


@pytest.mark.parametrize("flatten", [False, True])
def test_javascript_and_launch_actions_never_reach_the_output(flatten: bool) -> None:
    data = with_pdf("cerfa_11580_05.pdf", add_javascript)
    assert active_content(data)  # the test form really carries them
    result = forms.fill(data, {"Nom": "Dupré"}, flatten=flatten)
    assert active_content(result.data) == []
    codes = [n.code for n in result.report.actions]
    assert "javascript-removed" in codes and "actions-removed" in codes
    assert active_content(forms.blank(data).data) == []


# --- blank forms --------------------------------------------------------------------------------
def test_blank_copy_of_a_filled_form_has_no_value() -> None:
    path = form("cerfa_11580_05.pdf")
    filled = forms.fill(path, all_values(path)).data
    emptied = forms.blank(filled)
    fields = PdfReader(io.BytesIO(emptied.data)).get_fields()
    assert fields is not None
    assert all(f.get("/V") in (None, "", "/Off") for f in fields.values())
    assert "form-cleared" in [n.code for n in emptied.report.actions]


def test_flat_form_fitted_to_a4() -> None:
    result = catalogue().blank("12596*04", fit_a4=True)
    reader = PdfReader(io.BytesIO(result.data))
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == (
            595.3,
            841.9,
        )
    assert "pages-fitted-to-a4" in [n.code for n in result.report.actions]
    # Served as it is: the A4 form is left alone.
    same = catalogue().blank("13750*05", fit_a4=True)
    assert "pages-fitted-to-a4" not in [n.code for n in same.report.actions]


@needs_poppler
def test_fitted_pages_keep_their_text(tmp_path: Path) -> None:
    result = catalogue().blank("12596*04", fit_a4=True)
    out = tmp_path / "a4.pdf"
    out.write_bytes(result.data)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Premier certificat de santé" in text
    pages = render(result.data, tmp_path, "a4")
    assert all(p.getextrema()[0] < 128 for p in pages)  # something is drawn on every page


# --- the catalogue ------------------------------------------------------------------------------
def test_shipped_maps_describe_their_pdfs() -> None:
    cat = catalogue()
    assert {str(f.number) for f in cat} >= {"11580*05", "16216*01", "13750*05", "12596*04"}
    for entry in cat:
        assert cat.check(entry) == []  # every PDF field of the fillable forms is mapped


def test_catalogue_fill_with_prefill_overridden_by_the_user() -> None:
    cat = catalogue()
    profile = {"last_name": "Martin", "first_names": "Zoé", "postcode": "75011", "city": "Paris"}
    result = cat.fill(
        "11580*05",
        {"Nom": "Dupré", "d35": "05/03/2024", "CAC0": "Musée de France", "CAC21": True},
        prefill=profile,
    )
    fields = PdfReader(io.BytesIO(result.data)).get_fields()
    assert fields is not None
    assert fields["Nom"]["/V"] == "Dupré"  # typed wins over the profile
    assert fields["Prenom"]["/V"] == "Zoé"
    assert fields["a21"]["/V"] == "75011"
    assert [fields[f"d35-{i}"]["/V"] for i in (1, 2, 3)] == ["05", "03", "2024"]
    assert fields["CAC0"]["/V"] == "/4"
    assert fields["CAC21"]["/V"] == "/0"
    assert result.report.prefilled == ["Prenom", "a21", "a22"]
    assert "Nom" in result.report.filled and "d35" in result.report.filled


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"d35": "5/3/2024"}, "invalid-field-value", "d35"),
        ({"d35": "31/02/2024"}, "invalid-field-value", "d35"),
        ({"d35": "05/03/٢٠٢٤"}, "invalid-field-value", "d35"),
        ({"a21": "7501"}, "invalid-field-value", "a21"),
        ({"a27": "douze"}, "invalid-field-value", "a27"),
        ({"CAC21": "oui"}, "invalid-field-value", "CAC21"),
        ({"missing": "x"}, "unknown-field", "missing"),
    ],
)
def test_catalogue_refuses_values_with_typed_errors(
    values: dict[str, str], code: str, field: str
) -> None:
    with pytest.raises(Exception) as caught:
        catalogue().fill("11580*05", values)
    error = caught.value
    assert getattr(error, "code", None) == code
    assert error.facts["field"] == field  # type: ignore[attr-defined]
    assert error.exit_code == 10  # type: ignore[attr-defined]
    assert error.message("fr") and "{" not in error.message("fr")  # type: ignore[attr-defined]


def test_profile_value_refused_says_it_came_from_the_profile() -> None:
    with pytest.raises(InvalidFieldValue) as caught:
        catalogue().fill("11580*05", {}, prefill={"postcode": "75 011"})
    assert caught.value.facts["source"] == "profile"


def test_blank_forms_cannot_be_filled_and_unknown_numbers_are_named() -> None:
    cat = catalogue()
    with pytest.raises(NotFillable):
        cat.fill("13750*05", {})
    with pytest.raises(Exception) as caught:
        cat.get("99999*01")
    assert getattr(caught.value, "code", None) == "unknown-form"
