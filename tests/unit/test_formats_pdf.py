"""The object counts a PDF declares, read from its raw bytes (msp_docs._formats.pdf)."""

from __future__ import annotations

import io
import re
import zlib

import pikepdf
import pytest

from msp_docs._formats.pdf import DeclaredObjects, declared_objects
from tests import bombs
from tests.conftest import SAMPLES
from tests.pdffixtures import build

ENOUGH = 100_000


def test_classic_file_counts_its_headers_and_trailer() -> None:
    data = bombs.raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< >>", 3: b"null"})
    assert declared_objects(data, enough=ENOUGH) == DeclaredObjects(
        largest_size=4, headers=3, packed=0
    )


def test_object_streams_count_what_they_declare() -> None:
    data = bombs.pdf_million_dictionaries(count=2_500, per_stream=1_000)
    found = declared_objects(data, enough=ENOUGH)
    # 2 500 packed objects, 3 object streams and the xref stream, 4 plain page objects.
    assert found.packed == 2_500 + 3 + 1
    assert found.largest_size == found.objects == 2_500 + 3 + 1 + 4 + 10 - 4
    assert found.objects >= 2_500


@pytest.mark.parametrize("name", ["pdf-1000000-objects", "pdf-1000000-dictionaries"])
def test_a_million_packed_objects_are_seen_without_parsing(name: str) -> None:
    assert declared_objects(bombs.PDF_BOMBS[name](), enough=ENOUGH).objects > 1_000_000


def test_a_lying_size_does_not_hide_the_objects() -> None:
    data = bombs.pdf_million_dictionaries(count=5_000, per_stream=500)
    liar, replaced = re.subn(rb"/Type /XRef /Size \d+", b"/Type /XRef /Size 9", data)
    assert replaced == 1
    found = declared_objects(liar, enough=ENOUGH)
    assert found.largest_size < 5_000 < found.objects


def test_classic_xref_entries_count_even_when_the_trailer_says_less() -> None:
    data = bombs.raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< >>"})
    entries = b"".join(b"0000000000 65535 f \n" for _ in range(300))
    forged = data.replace(b"xref\n0 3\n", b"xref\n0 3\n").replace(
        b"trailer", b"300 300\n" + entries + b"trailer"
    )
    assert declared_objects(forged, enough=ENOUGH).largest_size == 303


def test_the_sample_letter_declares_what_qpdf_builds() -> None:
    data = (SAMPLES / "4-letter.pdf").read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        built = len(pdf.objects)
    assert built <= declared_objects(data, enough=ENOUGH).objects <= built + 2


@pytest.mark.parametrize("object_streams", [False, True])
def test_generated_files_declare_at_least_what_qpdf_builds(object_streams: bool) -> None:
    data = build(7, object_streams=object_streams)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        built = len(pdf.objects)
    assert built <= declared_objects(data, enough=ENOUGH).objects <= built + 2


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7\n",
        b"trailer " * 100_000,
        b"/Type/ObjStm " * 50_000,
        b"xref\n" + b"0 0\n" * 200_000,
        b"1 0 obj " * 150_000,
        b"1234567890 " * 100_000,
        zlib.compress(b"junk" * 100_000),
    ],
    ids=["empty", "header", "trailers", "objstm-keys", "xref-rows", "headers", "digits", "zlib"],
)
def test_any_bytes_give_a_count(data: bytes) -> None:
    found = declared_objects(data, enough=ENOUGH)
    assert found.objects >= 0


def test_counting_stops_once_the_answer_is_known() -> None:
    # More object-stream keys than the limit: each is an object, nothing else is read.
    found = declared_objects(b"/Type/ObjStm /N 5 " * 2_000, enough=1_000)
    assert found == DeclaredObjects(largest_size=0, headers=0, packed=2_000)
