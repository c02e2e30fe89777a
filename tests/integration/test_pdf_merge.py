"""Merging PDFs: order, bookmarks, form fields, page geometry, metadata and determinism."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader, PdfWriter

import msp_docs
from msp_docs import Input
from msp_docs._version import __version__
from msp_docs.options import Options
from msp_docs.report import Report
from tests.conftest import CERFA, ROOT, shared_file
from tests.pdfcheck import active_content, metadata_leaks
from tests.pdffixtures import bookmarks, build, goto, link, text_field, text_page


def merge(inputs: list[object], **options: object) -> tuple[bytes, Report]:
    out = io.BytesIO()
    report = msp_docs.merge(inputs, out, options=Options(**options))  # type: ignore[arg-type]
    return out.getvalue(), report


def cerfa(name: str) -> Path:
    return shared_file(CERFA / name)


def outline(reader: PdfReader, items: list[object] | None = None) -> list[object]:
    """The outline as nested [title, page, [children]] lists."""
    items = reader.outline if items is None else items
    tree: list[object] = []
    for item in items:
        if isinstance(item, list):
            tree[-1][2] = outline(reader, item)  # type: ignore[index]
        else:
            tree.append([item.title, reader.get_destination_page_number(item), []])
    return tree


def first_with_bookmarks(pdf: pikepdf.Pdf) -> None:
    bookmarks(pdf, [("Intro", 0), ("Annex", 1)])


def second_with_nested_bookmarks(pdf: pikepdf.Pdf) -> None:
    with pdf.open_outline() as tree:
        part = pikepdf.OutlineItem("Part B", 0)
        part.children.append(pikepdf.OutlineItem("Section B.2", 2))
        tree.root.append(part)
    link(pdf, 0, goto(pdf, 2))


def test_pages_in_input_order_with_nested_bookmarks() -> None:
    first = build(2, first_with_bookmarks)
    second = build(3, second_with_nested_bookmarks)
    plain = build(1)
    data, report = merge(
        [Input(first, name="a.pdf", label="Lettre"), Input(second, name="b.pdf"), plain]
    )
    reader = PdfReader(io.BytesIO(data))
    texts = [page.extract_text() for page in reader.pages]
    assert texts == ["Page 1", "Page 2", "Page 1", "Page 2", "Page 3", "Page 1"]
    assert outline(reader) == [
        ["Lettre", 0, [["Intro", 0, []], ["Annex", 1, []]]],
        ["b.pdf", 2, [["Part B", 2, [["Section B.2", 4, []]]]]],
        [report.inputs[2].name, 5, []],
    ]
    # The internal link of the second input leads to its own third page, now page 5.
    annots = [a.get_object() for a in reader.pages[2]["/Annots"]]
    assert reader.get_page_number(annots[0]["/A"]["/D"][0].get_object()) == 4


def named_destinations(pdf: pikepdf.Pdf) -> None:
    """Links to named destinations: one in the /Names tree, one in the legacy /Dests."""
    tree = pikepdf.NameTree.new(pdf)
    tree["sec"] = pdf.make_indirect(Dictionary(D=Array([pdf.pages[2].obj, Name.Fit])))
    pdf.Root.Names = Dictionary(Dests=tree.obj)
    pdf.Root.Dests = Dictionary(old=Array([pdf.pages[1].obj, Name.Fit]))
    link(pdf, 0, Dictionary(S=Name.GoTo, D=String("sec")))
    annot = Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 9, 9]), Dest=Name("/old")
    )
    pdf.pages[0].obj.Annots.append(pdf.make_indirect(annot))


def test_links_to_named_destinations_of_two_inputs_lead_to_their_own_pages() -> None:
    source = build(3, named_destinations)
    data, _ = merge([source, source])
    reader = PdfReader(io.BytesIO(data))
    for first in (0, 3):
        goto_link, dest_link = (a.get_object() for a in reader.pages[first]["/Annots"])
        page = reader.get_page_number(goto_link["/A"]["/D"][0].get_object())
        assert page == first + 2
        assert reader.get_page_number(dest_link["/Dest"][0].get_object()) == first + 1


def test_without_bookmarks_option_the_inputs_outlines_stay_at_the_top() -> None:
    data, _ = merge([build(2, first_with_bookmarks), build(1)], bookmarks=False)
    assert outline(PdfReader(io.BytesIO(data))) == [["Intro", 0, []], ["Annex", 1, []]]


def test_same_field_names_in_two_inputs_are_renamed() -> None:
    def form(value: str) -> bytes:
        return build(1, lambda pdf: text_field(pdf, 0, "nom", value=value))

    data, report = merge([form("Dupont"), form("Martin")])
    renamed = [n for n in report.inputs[1].actions if n.code == "form-fields-renamed"]
    assert [n.facts for n in renamed] == [{"count": 1}]
    assert not [n for n in report.inputs[0].actions if n.code == "form-fields-renamed"]
    fields = PdfReader(io.BytesIO(data)).get_fields()
    assert fields is not None
    assert sorted((name, str(f["/V"])) for name, f in fields.items()) == [
        ("nom", "Dupont"),
        ("nom+1", "Martin"),
    ]


def _terminal_fields(data: bytes) -> dict[str, object]:
    fields = PdfReader(io.BytesIO(data)).get_fields()
    assert fields is not None
    return {name: f for name, f in fields.items() if "/Kids" not in f or f.get("/FT")}


def test_same_cerfa_twice_keeps_both_sets_of_fields_working() -> None:
    form = cerfa("cerfa_16216_01.pdf")
    other = cerfa("cerfa_11580_05.pdf")
    single = {path.name: len(PdfReader(path).get_fields() or {}) for path in (form, other)}
    data, report = merge([form, form, other])
    fields = PdfReader(io.BytesIO(data)).get_fields()
    assert fields is not None
    assert len(fields) == 2 * single["cerfa_16216_01.pdf"] + single["cerfa_11580_05.pdf"]
    renamed = [
        n.facts["count"]
        for e in report.inputs
        for n in e.actions
        if n.code == "form-fields-renamed"
    ]
    assert renamed[0] == single["cerfa_16216_01.pdf"]
    # Each copy is a field of its own: filling one leaves the other as it was.
    name = next(n for n in fields if "+" not in n and fields[n].get("/FT") == "/Tx")
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.update_page_form_field_values(None, {name: "copie 1", f"{name}+1": "copie 2"})
    filled = io.BytesIO()
    writer.write(filled)
    after = PdfReader(io.BytesIO(filled.getvalue())).get_fields()
    assert after is not None
    assert (after[name]["/V"], after[f"{name}+1"]["/V"]) == ("copie 1", "copie 2")
    assert active_content(data) == []
    assert metadata_leaks(data) == []


def _font(appearance: str) -> str:
    """The font resource a default appearance string selects (``/Helv 0 Tf 0 g`` -> /Helv)."""
    found = re.search(r"(/[^\s/]+)\s+[-\d.]+\s+Tf", appearance)
    assert found, appearance
    return found.group(1)


def test_merged_acroform_is_coherent() -> None:
    data, _ = merge([cerfa("cerfa_16216_01.pdf"), cerfa("cerfa_11580_05.pdf")])
    pdf = pikepdf.open(io.BytesIO(data))
    form = pdf.Root.AcroForm
    fonts = set(form.DR.Font.keys())
    assert _font(str(form.DA)) in fonts
    field_objgens = set()
    for field in pdf.acroform.fields:
        field_objgens.add(field.obj.objgen)
        appearance = field.obj
        while "/DA" not in appearance and "/Parent" in appearance:
            appearance = appearance.Parent
        if field.field_type in (Name.Tx, Name.Ch):
            da = str(appearance.get("/DA", form.DA))
            assert _font(da) in fonts, (field.fully_qualified_name, da)
    # Every widget on a page belongs to a field listed in the form.
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") == Name.Widget:
                assert annot.objgen in field_objgens
    assert "/XFA" not in form and "/SigFlags" not in form
    assert "/Perms" not in pdf.Root


def test_need_appearances_is_carried() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        text_field(pdf, 0, "ville", value="Lyon")
        pdf.Root.AcroForm.NeedAppearances = True

    data, _ = merge([build(1), build(1, change)])
    assert pikepdf.open(io.BytesIO(data)).Root.AcroForm.NeedAppearances is True
    data, _ = merge([build(1, lambda pdf: text_field(pdf, 0, "ville"))])
    assert "/NeedAppearances" not in pikepdf.open(io.BytesIO(data)).Root.AcroForm


def test_pages_keep_their_size_rotation_and_annotations() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        text_page(pdf, "Letter", size=(612, 792))
        text_page(pdf, "Landscape", size=(842, 595))
        pdf.pages[1].obj.Rotate = 90
        pdf.pages[2].obj.Rotate = 270
        note = Dictionary(
            Type=Name.Annot, Subtype=Name.Text, Rect=Array([10, 10, 30, 30]),
            Contents=String("Remarque"),
        )  # fmt: skip
        pdf.pages[2].obj.Annots = Array([pdf.make_indirect(note)])

    source = build(1, change)
    data, _ = merge([build(1), source])
    pages = PdfReader(io.BytesIO(data)).pages
    assert [[float(v) for v in p.mediabox] for p in pages] == [
        [0, 0, 595, 842],
        [0, 0, 595, 842],
        [0, 0, 612, 792],
        [0, 0, 842, 595],
    ]
    assert [p.rotation for p in pages] == [0, 0, 90, 270]
    assert [a.get_object()["/Contents"] for a in pages[3]["/Annots"]] == ["Remarque"]


def test_output_info_is_only_ours() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.docinfo["/Title"] = "Titre de l'entrée"
        pdf.docinfo["/Author"] = "Jean Dupont"

    data, _ = merge([build(1, change)], title="Justificatif de domicile")
    info = PdfReader(io.BytesIO(data)).metadata
    assert info is not None
    assert dict(info) == {
        "/Title": "Justificatif de domicile",
        "/Producer": f"msp-docs {__version__}",
    }


def test_output_version_is_at_least_the_inputs() -> None:
    data = build(1, lambda pdf: None, min_version="1.7")
    assert data.startswith(b"%PDF-1.7")
    out, _ = merge([build(1), data])
    assert out.startswith(b"%PDF-1.7")


# --- determinism --------------------------------------------------------------------------------
def _inputs() -> list[object]:
    forms = build(2, lambda pdf: (first_with_bookmarks(pdf), text_field(pdf, 1, "nom", value="A")))
    return [forms, build(3, second_with_nested_bookmarks), forms]


def test_same_inputs_give_the_same_bytes() -> None:
    first, _ = merge(_inputs(), title="Dossier")
    second, _ = merge(_inputs(), title="Dossier")
    assert first == second


def test_same_bytes_with_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first, _ = merge(_inputs(), title="Dossier")
    second, _ = merge(_inputs(), title="Dossier")
    assert first == second
    info = PdfReader(io.BytesIO(first)).metadata
    assert info is not None and info["/CreationDate"] == "D:20231114221320Z"


def test_same_bytes_across_processes(tmp_path: Path) -> None:
    sources = []
    for index, data in enumerate(_inputs()):
        path = tmp_path / f"in{index}.pdf"
        path.write_bytes(data)
        sources.append(str(path))
    script = (
        "import sys, msp_docs, io\n"
        "out = io.BytesIO()\n"
        "msp_docs.merge(sys.argv[1:], out)\n"
        "sys.stdout.buffer.write(out.getvalue())\n"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, *sources],
            capture_output=True, check=True, env=env, cwd=ROOT,
        )  # fmt: skip
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith(b"%PDF-")


def test_looping_outline_is_cut_not_followed_forever() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        first = pdf.make_indirect(
            Dictionary(Title=String("A"), Dest=Array([pdf.pages[0].obj, Name.Fit]))
        )
        second = pdf.make_indirect(
            Dictionary(Title=String("B"), Dest=Array([pdf.pages[1].obj, Name.Fit]))
        )
        root = pdf.make_indirect(Dictionary(Type=Name.Outlines, First=first, Last=second, Count=2))
        first.Parent = second.Parent = root
        first.Next, second.Next, second.Prev = second, first, first  # B leads back to A
        first.First = first.Last = first  # A is its own child
        pdf.Root.Outlines = root

    data, _ = merge([build(2, change)])
    tree = outline(PdfReader(io.BytesIO(data)))
    assert tree[0][0] == "input-1"
    titles = [item[0] for item in tree[0][2]]  # type: ignore[index]
    assert titles == ["A", "B"]


@pytest.mark.parametrize(
    "name",
    [
        "cerfa_11580_05.pdf",
        "cerfa_16216_01.pdf",
        "cerfa_12596_04-flat.pdf",
        "cerfa_13750_05-flat.pdf",
    ],
)
def test_each_cerfa_comes_out_clean(name: str, tmp_path: Path) -> None:
    path = cerfa(name)
    data, report = merge([path])
    entry = report.inputs[0]
    assert active_content(data) == []
    assert metadata_leaks(data) == []
    before = PdfReader(path).get_fields() or {}
    after = PdfReader(io.BytesIO(data)).get_fields() or {}
    assert sorted(after) == sorted(before)
    assert {k: after[k].get("/V") for k in after} == {k: before[k].get("/V") for k in before}
    codes = [n.code for n in entry.actions]
    if name == "cerfa_16216_01.pdf":
        assert "usage-rights-removed" in codes
    qpdf = shutil.which("qpdf")
    if qpdf is not None:
        (tmp_path / "out.pdf").write_bytes(data)
        done = subprocess.run([qpdf, "--check", str(tmp_path / "out.pdf")], capture_output=True)
        assert done.returncode == 0, done.stderr
