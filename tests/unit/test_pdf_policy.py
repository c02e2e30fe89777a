"""The pure parts of the PDF backend: what is active, how removals are reported, qpdf's words."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msp_docs._backends.pdf import corrupt_reason, count_problems, trailing_bytes
from msp_docs._backends.sanitize import (
    ACTION_KINDS,
    TRIGGER_PATTERN,
    Removed,
    classify_action,
    decoded_on_write,
    uri_scheme,
    worst_case_size,
)
from msp_docs._backends.scrub import ascii_decode
from msp_docs.errors import Reason


@pytest.mark.parametrize(
    ("action", "uri", "names_file", "kind"),
    [
        ("JavaScript", None, False, "javascript"),
        ("Launch", None, False, "launch"),
        ("SubmitForm", None, False, "submit-form"),
        ("ImportData", None, False, "import-data"),
        ("GoToR", None, False, "remote-goto"),
        ("GoToE", None, False, "embedded-goto"),
        ("Rendition", None, False, "multimedia"),
        ("RichMediaExecute", None, False, "multimedia"),
        ("GoTo", None, False, None),
        ("Named", None, False, None),
        ("ResetForm", None, False, None),
        ("Thread", None, False, None),
        ("Thread", None, True, "remote-goto"),
        ("URI", "https://www.service-public.fr/", False, None),
        ("URI", "HTTP://example.org", False, None),
        ("URI", "mailto:contact@example.org", False, None),
        ("URI", "javascript:alert(1)", False, "javascript"),
        ("URI", " JavaScript:alert(1)", False, "javascript"),
        ("URI", "file:///c:/windows/system32/calc.exe", False, "unsafe-uri"),
        ("URI", "smb://host/share", False, "unsafe-uri"),
        ("URI", "../relative/path", False, "unsafe-uri"),
        ("URI", "", False, None),
    ],
)
def test_classify_action(action: str, uri: str | None, names_file: bool, kind: str | None) -> None:
    assert classify_action(action, uri=uri, names_file=names_file) == kind


@pytest.mark.parametrize(
    ("uri", "scheme"),
    [
        ("https://x", "https"),
        ("Mailto:a@b", "mailto"),
        ("c:\\path", "c"),
        ("no scheme", None),
        (":nothing", None),
        ("1http://x", None),
        ("ht tp://x", None),
    ],
)
def test_uri_scheme(uri: str, scheme: str | None) -> None:
    assert uri_scheme(uri) == scheme


def test_trigger_pattern_matches_whole_names_only() -> None:
    pattern = re.compile(TRIGGER_PATTERN)
    for text in (b"<< /JS (x) >>", b"/S /JavaScript>>", b"/AA<<", b"/A 3 0 R", b"/Launch", b"/A"):
        assert pattern.search(text), text
    for text in (b"/JSX 1", b"/Aa 1", b"/AAB 1", b"/Annots [1 0 R]", b"/Author (x)", b"(JS)"):
        assert not pattern.search(text), text


def test_every_removed_action_type_triggers_the_walk() -> None:
    pattern = re.compile(TRIGGER_PATTERN)
    for action in ACTION_KINDS:
        assert pattern.search(f"<< /S /{action} >>".encode())


def test_worst_case_size() -> None:
    assert worst_case_size(10, []) == 10
    assert worst_case_size(10, ["ASCIIHexDecode", "LZWDecode"]) == 14_000
    assert worst_case_size(10, ["DCTDecode"]) == 10


@pytest.mark.parametrize(
    ("filters", "decoded"),
    [
        ([], False),
        (["FlateDecode"], False),
        (["LZWDecode"], True),
        (["ASCII85Decode", "FlateDecode"], True),
        (["ASCIIHexDecode", "DCTDecode"], False),
        (["RunLengthDecode"], True),
        (["JBIG2Decode"], False),
    ],
)
def test_decoded_on_write(filters: list[str], decoded: bool) -> None:
    assert decoded_on_write(filters) is decoded


@pytest.mark.parametrize(
    ("name", "data", "decoded"),
    [
        ("ASCIIHexDecode", b"48 65 6c\n6c 6f>", b"Hello"),
        ("AHx", b"414>", b"A@"),
        ("ASCII85Decode", b'87cURD]i,"Ebo80~>', b"Hello World!"),
        ("A85", b"<~z~>", b"\x00\x00\x00\x00"),
    ],
)
def test_ascii_decode(name: str, data: bytes, decoded: bytes) -> None:
    assert ascii_decode(name, data) == decoded


@pytest.mark.parametrize(("name", "data"), [("AHx", b"zz>"), ("A85", b"{{{~>")])
def test_ascii_decode_refuses_invalid_data(name: str, data: bytes) -> None:
    with pytest.raises(ValueError):
        ascii_decode(name, data)


def test_notes_for_removed_content() -> None:
    removed = Removed(
        actions=Counter({"javascript": 3, "launch": 1, "submit-form": 2, "multimedia": 1}),
        embedded_files=2,
        multimedia_annotations=1,
        signatures=1,
        usage_rights=1,
        xfa=True,
        info=True,
        xmp=True,
        object_metadata=2,
    )
    actions, warnings = removed.notes()
    assert [(n.code, dict(n.facts)) for n in actions] == [
        ("javascript-removed", {"count": 3}),
        ("actions-removed", {"kinds": "Launch (1), SubmitForm (2)", "count": 3}),
        ("attachments-removed", {"count": 2}),
        ("multimedia-removed", {"count": 2}),
        ("xfa-removed", {}),
        ("signature-removed", {"count": 1}),
        ("usage-rights-removed", {}),
        (
            "pdf-metadata-removed",
            {"info": True, "xmp": True, "objects": 2, "private": 0, "dates": 0},
        ),
    ]
    assert [n.code for n in warnings] == ["signature-invalidated"]
    assert actions[-1].message("fr") == (
        "métadonnées du document supprimées (informations du document, métadonnées XMP, "
        "métadonnées de 2 objets)"
    )
    assert removed.counts() == {
        "embedded-file": 2,
        "info-dictionary": 1,
        "javascript": 3,
        "launch": 1,
        "multimedia": 1,
        "multimedia-annotation": 1,
        "object-metadata": 2,
        "signature": 1,
        "submit-form": 2,
        "usage-rights": 1,
        "xfa": 1,
        "xmp-metadata": 1,
    }


def test_nothing_removed_gives_no_note() -> None:
    assert Removed().notes() == ([], [])
    assert Removed().counts() == {}


def test_count_problems_counts_objects_once() -> None:
    warnings = [
        "input (object 12 0, offset 5): stream dictionary lacks /Length key",
        "input (object 12 0, offset 5): attempting to recover stream length",
        "input (object 12 0, offset 5): recovered stream length: 40",
        "input (object 4,0, offset 444): LZWDecoder: bad code received",
        "input: file is damaged",
        "input (offset 100): xref not found",
        "input (offset 200): xref not found",
    ]
    assert count_problems(warnings) == 4
    assert count_problems([]) == 0


@pytest.mark.parametrize(
    ("tail", "count"),
    [(b"", 0), (b"\n", 0), (b"\r\n", 0), (b"\r\n\x00\x00", 0), (b"\nPK\x03\x04zip", 7)],
)
def test_trailing_bytes(tail: bytes, count: int) -> None:
    assert trailing_bytes(b"%PDF-1.4\n...\n%%EOF" + tail) == count


def test_trailing_bytes_after_the_last_revision() -> None:
    assert trailing_bytes(b"%PDF-1.4 %%EOF\n update %%EOF\nabc") == 3
    assert trailing_bytes(b"%PDF-1.4 no end marker") == 0


@given(st.binary(max_size=200))
def test_trailing_bytes_never_exceeds_the_input(data: bytes) -> None:
    assert 0 <= trailing_bytes(data) <= len(data)


def test_corrupt_reason() -> None:
    assert corrupt_reason("x (object 2 0): Loop detected in /Pages structure") == (
        Reason.PAGE_TREE_LOOP
    )
    assert corrupt_reason("something new") is None
