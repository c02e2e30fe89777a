"""Detection decides from bytes; names and extensions only produce warnings (or strict errors)."""

from __future__ import annotations

import pytest

from msp_docs._detect import _describe, check_extension, detect, sniff
from msp_docs._messages import describe_format
from msp_docs._model import Kind
from msp_docs.errors import (
    CorruptImage,
    CorruptPdf,
    EmptyInput,
    ExtensionMismatch,
    OtherFormat,
    TruncatedInput,
    UnsupportedKind,
)


@pytest.mark.parametrize(
    ("data", "kind", "offset"),
    [
        (b"\xff\xd8\xff\xe0rest", Kind.JPEG, 0),
        (b"\x89PNG\r\n\x1a\nrest", Kind.PNG, 0),
        (b"GIF87a....", Kind.GIF, 0),
        (b"GIF89a....", Kind.GIF, 0),
        (b"%PDF-1.7\n", Kind.PDF, 0),
        (b"junk" * 10 + b"%PDF-1.4\n", Kind.PDF, 40),
    ],
)
def test_sniff_kinds(data: bytes, kind: Kind, offset: int) -> None:
    found = sniff(data)
    assert found is not None
    assert (found.kind, found.offset) == (kind, offset)


def test_pdf_header_beyond_1024_bytes_is_not_a_pdf() -> None:
    assert sniff(b"x" * 1025 + b"%PDF-1.4") is None


def test_first_bytes_win_for_polyglots() -> None:
    found = sniff(b"\xff\xd8\xff\xe0" + b"%PDF-1.4 hidden")
    assert found is not None and found.kind is Kind.JPEG


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyInput),
        (b"\x89PNG\r\r\n\x1a\r", CorruptImage),
        (b"\x09PNG\r\n\x1a\n....", CorruptImage),
        (b"\x89PNG\r", TruncatedInput),
        (b"GIF8", TruncatedInput),
        (b"GIF90a....", CorruptImage),
        (b"UPDF-1.4\n%....", CorruptPdf),
    ],
)
def test_damaged_signatures(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        sniff(data)


def test_unsupported_kinds_are_named() -> None:
    with pytest.raises(UnsupportedKind) as info:
        detect(b"PK\x03\x04" + b"\0" * 26 + b"mimetypeapplication/zip" + b"\0" * 100)
    assert info.value.facts["format"] in (OtherFormat.ZIP, OtherFormat.WORD, OtherFormat.UNKNOWN)
    assert "only PDF, PNG, GIF and JPEG" in info.value.message()
    assert "seuls les fichiers PDF" in info.value.message("fr")


@pytest.mark.parametrize(
    ("mime", "text", "expected"),
    [
        (
            "image/heic",
            "ISO Media, HEIF Image HEVC Main or Main Still Picture Profile",
            "a HEIC photo",
        ),
        ("application/zip", "Zip archive data", "a ZIP archive"),
        ("image/svg+xml", "SVG Scalable Vector Graphics image", "an SVG drawing"),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Microsoft Word 2007+",
            "a Word document",
        ),
        ("application/msword", "Composite Document File V2 Document", "a Word document"),
        ("text/plain", "ASCII text", "a text file"),
        ("application/octet-stream", "data", "a file of unknown type"),
    ],
)
def test_describe(mime: str, text: str, expected: str) -> None:
    assert describe_format(_describe(mime, text)) == expected


def test_extension_checks() -> None:
    assert check_extension("jpg", Kind.JPEG, strict=False) is None
    assert check_extension(None, Kind.PDF, strict=True) is None
    assert check_extension("final", Kind.PDF, strict=False) is None  # not a known format
    note = check_extension("jpg", Kind.PNG, strict=False)
    assert note is not None and note.code == "extension-mismatch"
    assert "PNG" in note.message() and "PNG" in note.message("fr")
    with pytest.raises(ExtensionMismatch):
        check_extension("jpg", Kind.PNG, strict=True)


def test_polyglots_are_named() -> None:
    from msp_docs._detect import also_valid_as

    assert also_valid_as(b"\xff\xd8\xff\xe0" + b"%PDF-1.4", Kind.JPEG) == "pdf"
    zipped = b"%PDF-1.4 ..." + b"PK\x03\x04" + b"\0" * 30 + b"PK\x05\x06" + b"\0" * 18
    assert also_valid_as(zipped, Kind.PDF) == "zip"
    assert also_valid_as(b"%PDF-1.4 plain", Kind.PDF) is None
