"""Polyglots and trailing payloads (issue 3): read as the first bytes say, the rest never kept."""

from __future__ import annotations

import io
import zipfile

import pikepdf
import pytest

import msp_docs
from tests.fixtures import gif_bytes, jpeg_bytes, pdf_bytes, png_bytes
from tests.pdfcheck import active_content


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.sh", "#!/bin/sh\necho owned\n")
    return buffer.getvalue()


def _output(data: bytes, name: str) -> tuple[msp_docs.InputReport, bytes]:
    sink = io.BytesIO()
    report = msp_docs.convert(msp_docs.Input(data, name=name), sink)
    return report.inputs[0], sink.getvalue()


def _streams(pdf: bytes) -> bytes:
    """Everything the output holds, every stream decoded where it can be."""
    parts = [pdf]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    parts.append(obj.read_bytes())
                except pikepdf.PdfError:
                    parts.append(obj.read_raw_bytes())
    return b"".join(parts)


@pytest.mark.parametrize(
    ("make", "name"),
    [(jpeg_bytes, "photo.jpg"), (png_bytes, "scan.png"), (gif_bytes, "anim.gif"),
     (lambda: pdf_bytes(1), "letter.pdf")],
)  # fmt: skip
def test_an_appended_zip_never_reaches_the_output(make, name) -> None:
    payload = _zip()
    entry, pdf = _output(make() + payload, name)
    assert entry.accepted
    codes = {n.code for n in entry.actions} | {n.code for n in entry.warnings}
    assert "trailing-data-removed" in codes
    assert "polyglot" in codes  # it is also a ZIP archive, and the report says so
    everything = _streams(pdf)
    assert b"payload.sh" not in everything and b"echo owned" not in everything
    assert active_content(pdf) == []


def test_a_jpeg_that_is_also_a_pdf_is_handled_as_a_jpeg() -> None:
    # A PDF header in a comment segment, within the first KiB: PDF readers would accept it.
    jpeg = jpeg_bytes()
    comment = b"%PDF-1.4 1 0 obj << /Type /Catalog >> endobj"
    data = jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]
    entry, pdf = _output(data, "photo.jpg")
    assert entry.kind == "jpeg" and entry.accepted
    assert [n.code for n in entry.warnings] == ["polyglot"]
    assert b"/Type /Catalog >> endobj" not in _streams(pdf)  # the comment was removed
