"""Opening PDFs: junk, trailing data, repair, damage, passwords, limits and metadata."""

from __future__ import annotations

import base64
import binascii
import io
import shutil
import subprocess
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader

import msp_docs
from msp_docs.errors import (
    CorruptPdf,
    DecompressionBomb,
    InternalError,
    MspDocsError,
    NoPages,
    PasswordRequired,
    TooManyObjects,
    TooManyPages,
    WrongPassword,
)
from msp_docs.limits import Limits
from msp_docs.options import Options
from msp_docs.report import InputReport
from tests.pdfcheck import active_content, metadata_leaks, page_count
from tests.pdffixtures import build, text_page


def convert(
    data: bytes, *, limits: Limits | None = None, options: Options | None = None
) -> tuple[bytes, InputReport]:
    out = io.BytesIO()
    report = msp_docs.convert(data, out, limits=limits or Limits(), options=options or Options())
    return out.getvalue(), report.inputs[0]


def codes(notes: list[msp_docs.Note]) -> list[str]:
    return [note.code for note in notes]


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def qpdf_check(data: bytes, tmp_path: Path) -> None:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf command not installed")
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    done = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- before and after the PDF -------------------------------------------------------------------
def test_leading_junk_is_ignored_and_reported() -> None:
    junk = b"Content-Type: application/pdf\r\n\r\n" + b"x" * 500
    output, entry = convert(junk + build(2))
    assert entry.accepted
    (note,) = [n for n in entry.actions if n.code == "leading-junk-removed"]
    assert note.facts == {"bytes": len(junk)}
    assert page_texts(output) == ["Page 1", "Page 2"]
    assert b"Content-Type" not in output


def test_appended_zip_never_reaches_the_output(tmp_path: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("payload.sh", "rm -rf ~  # appended script\n")
    appended = archive.getvalue()
    output, entry = convert(build(1) + appended)
    (note,) = [n for n in entry.actions if n.code == "trailing-data-removed"]
    assert note.facts == {"bytes": len(appended), "kind": "pdf"}
    assert b"PK\x03\x04" not in output and b"payload.sh" not in output
    assert page_texts(output) == ["Page 1"]
    qpdf_check(output, tmp_path)


def test_end_of_line_after_eof_is_not_trailing_data() -> None:
    _, entry = convert(build(1) + b"\r\n")
    assert "trailing-data-removed" not in codes(entry.actions)


# --- repair and damage --------------------------------------------------------------------------
def test_broken_xref_is_repaired_and_reported(tmp_path: Path) -> None:
    data = bytearray(build(2, object_streams=False))
    start = data.rindex(b"startxref") + len(b"startxref\n")
    end = data.index(b"\n", start)
    data[start:end] = b"12"  # the cross-reference table is now nowhere to be found
    output, entry = convert(bytes(data))
    (note,) = [n for n in entry.actions if n.code == "repaired"]
    assert note.facts["count"] >= 1
    assert page_texts(output) == ["Page 1", "Page 2"]
    qpdf_check(output, tmp_path)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n" + b"\x00garbage" * 50,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-1.4\ntrailer << /Root 9 0 R >>\n%%EOF\n",
    ],
    ids=["garbage", "no-pages-tree", "missing-root"],
)
def test_unreadable_pdf_is_corrupt(data: bytes) -> None:
    with pytest.raises(CorruptPdf) as caught:
        convert(data)
    assert caught.value.code == "corrupt-pdf"
    assert "0x" not in (caught.value.detail or "")  # no memory address in the details


def test_pdf_without_pages() -> None:
    buffer = io.BytesIO()
    pikepdf.new().save(buffer)
    with pytest.raises(NoPages):
        convert(buffer.getvalue())


def test_page_tree_loop_is_corrupt_not_a_hang() -> None:
    raw = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    with pytest.raises(CorruptPdf) as caught:
        convert(raw)
    assert caught.value.facts["reason"] == "page-tree-loop"


def test_page_content_that_does_not_decode_is_corrupt() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[1].obj
        page.Contents = pdf.make_stream(b"")
        page.Contents.write(b"\x78\x9c" + b"\xff" * 40, filter=Name.FlateDecode)

    with pytest.raises(CorruptPdf) as caught:
        convert(build(2, change))
    assert caught.value.facts == {"reason": "page-content-undecodable", "value": 2}


def test_missing_content_object_is_corrupt() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].obj.Contents = Array([pdf.pages[0].obj.Contents, None])

    with pytest.raises(CorruptPdf) as caught:
        convert(build(1, change))
    assert caught.value.facts == {"reason": "page-content-missing", "value": 1}


def test_wrong_checksum_at_the_end_of_content_is_tolerated() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        packed = bytearray(zlib.compress(b"BT /F1 24 Tf 72 720 Td (Page 1) Tj ET"))
        packed[-1] ^= 0xFF
        page = pdf.pages[0].obj
        page.Contents = pdf.make_stream(b"")
        page.Contents.write(bytes(packed), filter=Name.FlateDecode)

    output, _ = convert(build(1, change))
    assert page_texts(output) == ["Page 1"]


def test_content_bomb_is_refused() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0].obj
        page.Contents = pdf.make_stream(b"")
        page.Contents.write(zlib.compress(b"0 0 m " * 20_000), filter=Name.FlateDecode)

    data = build(1, change)
    with pytest.raises(DecompressionBomb) as caught:
        convert(data, limits=Limits(max_content_bytes=50_000))
    assert caught.value.facts == {"what": "page-content", "value": 1, "limit": 50_000}
    convert(data)  # 120 KB is nothing under the default limit


def test_content_limit_counts_every_page_and_a_shared_stream_once() -> None:
    content = zlib.compress(b"0 0 m " * 5_000)  # 30 000 bytes inflated

    def shared(pdf: pikepdf.Pdf) -> None:
        stream = pdf.make_stream(b"")
        stream.write(content, filter=Name.FlateDecode)
        for page in pdf.pages:
            page.obj.Contents = stream

    def distinct(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages:
            page.obj.Contents = pdf.make_stream(b"")
            page.obj.Contents.write(content, filter=Name.FlateDecode)

    limits = Limits(max_content_bytes=50_000)
    output, _ = convert(build(3, shared), limits=limits)  # 30 000 bytes, decoded once
    assert len(PdfReader(io.BytesIO(output)).pages) == 3
    with pytest.raises(DecompressionBomb) as caught:
        convert(build(3, distinct), limits=limits)  # 30 000 + 30 000 > 50 000: page 2 crosses
    assert caught.value.facts == {"what": "page-content", "value": 2, "limit": 50_000}


# 9 bytes of LZW that decode to "-----A---B" (the TIFF specification's example).
LZW = b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01"


def test_lzw_content_beyond_its_worst_case_bound_is_refused() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0].obj
        page.Contents = pdf.make_stream(b"")
        page.Contents.write(LZW, filter=Name.LZWDecode)

    data = build(1, change, compress_streams=False)
    with pytest.raises(DecompressionBomb):
        convert(data, limits=Limits(max_stream_bytes=1000))
    output, _ = convert(data)
    assert b"/LZWDecode" not in output  # qpdf re-encoded it with Flate


def test_lzw_image_is_bounded_before_qpdf_decodes_it_on_write() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        image = pdf.make_stream(b"", Width=10, Height=1, BitsPerComponent=8)
        image.write(LZW, filter=Name.LZWDecode)
        image.Type, image.Subtype, image.ColorSpace = Name.XObject, Name.Image, Name.DeviceGray
        page = pdf.pages[0].obj
        page.Resources.XObject = Dictionary(Im0=image)

    data = build(1, change, compress_streams=False)
    assert b"/LZWDecode" in data
    with pytest.raises(DecompressionBomb) as caught:
        convert(data, limits=Limits(max_stream_bytes=1000))
    assert caught.value.facts["what"] == "stream"
    output, _ = convert(data)
    image = PdfReader(io.BytesIO(output)).pages[0]["/Resources"]["/XObject"]["/Im0"]
    assert image.get_data() == b"-----A---B"


def test_ascii_layers_are_undone_so_qpdf_never_inflates_a_bomb_on_write() -> None:
    bomb = zlib.compress(b"\x00" * 20_000_000, 9)  # 20 MB of zeros in 20 KB

    def change(pdf: pikepdf.Pdf) -> None:
        hexed = pdf.make_stream(b"", Width=5000, Height=4000, BitsPerComponent=8)
        hexed.write(
            binascii.hexlify(bomb) + b">", filter=Array([Name.ASCIIHexDecode, Name.FlateDecode])
        )
        a85 = pdf.make_stream(b"", Width=10, Height=1, BitsPerComponent=8)
        a85.write(base64.a85encode(LZW) + b"~>", filter=Array([Name.A85, Name.LZW]))
        for image in (hexed, a85):
            image.Type, image.Subtype = Name.XObject, Name.Image
            image.ColorSpace = Name.DeviceGray
        pdf.pages[0].obj.Resources.XObject = Dictionary(Im0=hexed, Im1=a85)

    data = build(1, change, compress_streams=False)
    output, _ = convert(data, limits=Limits(max_stream_bytes=1_000_000))
    images = PdfReader(io.BytesIO(output)).pages[0]["/Resources"]["/XObject"]
    assert images["/Im1"].get_data() == b"-----A---B"
    result = pikepdf.open(io.BytesIO(output))
    hexed = result.pages[0].Resources.XObject.Im0
    assert hexed.Filter == Name.FlateDecode
    assert hexed.read_raw_bytes() == bomb  # written as it was, never inflated


def test_one_filter_arrays_are_written_as_they_are() -> None:
    # qpdf would inflate /Filter [/FlateDecode] to compress it again: a bomb, and slow.
    bomb = zlib.compress(b"\x00" * 20_000_000, 9)

    def change(pdf: pikepdf.Pdf) -> None:
        image = pdf.make_stream(b"", Width=5000, Height=4000, BitsPerComponent=8)
        image.write(bomb, filter=Name.FlateDecode)
        image.Filter = Array([Name.FlateDecode])  # write() would make it a name
        image.DecodeParms = Array([Dictionary(Predictor=1)])
        image.Type, image.Subtype, image.ColorSpace = Name.XObject, Name.Image, Name.DeviceGray
        pdf.pages[0].obj.Resources.XObject = Dictionary(Im0=image)

    data = build(1, change, compress_streams=False, object_streams=False)
    assert b"/Filter [ /FlateDecode ]" in data
    output, _ = convert(data, limits=Limits(max_stream_bytes=1_000_000))
    result = pikepdf.open(io.BytesIO(output))
    image = result.pages[0].Resources.XObject.Im0
    assert image.Filter == Name.FlateDecode
    assert image.DecodeParms == Dictionary(Predictor=1)
    assert image.read_raw_bytes() == bomb


def test_too_many_pages() -> None:
    with pytest.raises(TooManyPages) as caught:
        convert(build(3), limits=Limits(max_pages=2))
    assert caught.value.facts == {"pages": 3, "limit": 2}


def test_too_many_objects() -> None:
    with pytest.raises(TooManyObjects) as caught:
        convert(build(3), limits=Limits(max_pdf_objects=5))
    assert caught.value.facts["limit"] == 5


# --- passwords ----------------------------------------------------------------------------------
def encrypted(user: str, owner: str, **permissions: bool) -> bytes:
    allow = pikepdf.Permissions(**permissions)
    return build(2, encryption=pikepdf.Encryption(user=user, owner=owner, R=6, allow=allow))


def test_user_password_is_required() -> None:
    with pytest.raises(PasswordRequired):
        convert(encrypted("lecture", "maitre"))


def test_wrong_password() -> None:
    with pytest.raises(WrongPassword):
        convert(encrypted("lecture", "maitre"), options=Options(password="autre"))


def test_right_password_decrypts() -> None:
    output, entry = convert(encrypted("lecture", "maitre"), options=Options(password="lecture"))
    assert "decrypted-with-password" in codes(entry.actions)
    reader = PdfReader(io.BytesIO(output))
    assert not reader.is_encrypted
    assert page_texts(output) == ["Page 1", "Page 2"]


def test_empty_user_password_and_restrictions_are_removed() -> None:
    data = encrypted("", "maitre", extract=False, modify_other=False, print_highres=False)
    assert pikepdf.open(io.BytesIO(data)).is_encrypted
    output, entry = convert(data)
    assert "encryption-removed" in codes(entry.actions)
    assert not PdfReader(io.BytesIO(output)).is_encrypted
    assert b"/Encrypt" not in output
    assert page_texts(output) == ["Page 1", "Page 2"]


# --- metadata and page keys ---------------------------------------------------------------------
def test_input_metadata_does_not_leak() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:creator"] = ["Jean Dupont"]
        pdf.docinfo["/Author"] = "Jean Dupont"
        pdf.docinfo["/Creator"] = "Scanner 3000"
        page = pdf.pages[0].obj
        page.Metadata = pdf.make_stream(b"<x:xmpmeta>Jean Dupont page</x:xmpmeta>")
        page.PieceInfo = Dictionary(Illustrator=Dictionary(Private=String("Jean Dupont")))
        page.LastModified = String("D:20240101120000Z")
        image = pdf.make_stream(b"\x00" * 4, Width=2, Height=2, BitsPerComponent=8)
        image.Type, image.Subtype, image.ColorSpace = Name.XObject, Name.Image, Name.DeviceGray
        image.Metadata = pdf.make_stream(b"<x:xmpmeta>camera owner Jean Dupont</x:xmpmeta>")
        page.Resources.XObject = Dictionary(Im0=image)

    data = build(1, change)
    assert metadata_leaks(data)
    output, entry = convert(data)
    assert metadata_leaks(output) == []
    assert b"Jean Dupont" not in output
    (note,) = [n for n in entry.actions if n.code == "pdf-metadata-removed"]
    assert note.message() == (
        "document metadata removed (document information, XMP metadata, metadata of 2 objects, "
        "private application data (1), page modification dates (1))"
    )
    assert "informations du document" in note.message("fr")


def test_page_keeps_only_what_shows_it() -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0].obj
        page.Rotate = 90
        page.CropBox = Array([10, 10, 500, 800])
        page.Other = pdf.make_stream(b"private data of some editor")
        page.Thumb = pdf.make_stream(b"old thumbnail")

    output, _ = convert(build(1, change))
    page = PdfReader(io.BytesIO(output)).pages[0]
    assert page.rotation == 90
    assert [float(v) for v in page.cropbox] == [10, 10, 500, 800]
    assert "/Other" not in page and "/Thumb" not in page
    assert b"private data" not in output


def test_report_details_for_inspect() -> None:
    entry = msp_docs.inspect(build(3))
    assert entry.details["pages"] == 3
    assert entry.details["page_sizes"] == [[595.0, 842.0]]
    assert entry.details["encrypted"] is False


# --- anything in, a typed answer out ------------------------------------------------------------
def _small_pdf() -> bytes:
    pdf = pikepdf.new()
    text_page(pdf, "Hello")
    pdf.pages[0].obj.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String("x")))
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
    return buffer.getvalue()


SMALL = _small_pdf()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    st.lists(
        st.tuples(st.integers(0, len(SMALL) - 1), st.integers(0, 255), st.sampled_from("rdi")),
        min_size=1,
        max_size=8,
    )
)
def test_mutated_pdfs_get_a_typed_answer(edits: list[tuple[int, int, str]]) -> None:
    data = bytearray(SMALL)
    for position, value, kind in edits:
        position %= len(data)
        if kind == "r":
            data[position] = value
        elif kind == "d":
            del data[position]
        else:
            data.insert(position, value)
    try:
        output, _ = convert(bytes(data))
    except InternalError:
        raise
    except MspDocsError:
        return
    assert page_count(output) == 1
    assert active_content(output) == []
