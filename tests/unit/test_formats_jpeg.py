"""The JPEG marker walker (formats.jpeg), EXIF reading and ICC header checks: pure functions."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from msp_docs._formats import jpeg
from msp_docs._formats.common import orientation
from msp_docs._formats.exif import read_exif
from msp_docs._formats.icc import icc_components
from msp_docs.errors import CorruptImage, Reason, TruncatedInput, UnsupportedVariant
from tests.integration._images_support import insert_segments, jpeg_segments


def _jpeg(size: tuple[int, int] = (40, 30), mode: str = "RGB", **save: object) -> bytes:
    image = Image.new(mode, size)
    for x in range(size[0]):
        for y in range(size[1]):
            value = (x * 7 + y * 3) % 256
            image.putpixel((x, y), value if mode == "L" else (value, 255 - value, x % 256))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **save)
    return out.getvalue()


def _tiff(entries: list[tuple[int, int, int, bytes]], order: str = "<") -> bytes:
    """A little TIFF IFD0 with (tag, type, count, 4-byte value) entries."""
    head = (b"II*\x00" if order == "<" else b"MM\x00*") + struct.pack(order + "I", 8)
    body = struct.pack(order + "H", len(entries))
    for tag, kind, count, value in entries:
        body += struct.pack(order + "HHI", tag, kind, count) + value
    return head + body + b"\x00\x00\x00\x00"


def test_baseline_structure() -> None:
    data = _jpeg()
    parsed = jpeg.parse(data)
    assert parsed.frame.name == "SOF0"
    assert (parsed.frame.width, parsed.frame.height) == (40, 30)
    assert len(parsed.frame.components) == 3
    assert parsed.end == len(data)
    assert parsed.scans == 1
    assert parsed.jfif is not None
    assert parsed.colour_transform
    assert parsed.cleaned(data) == data  # nothing to strip in Pillow's plain output


def test_progressive_counts_scans() -> None:
    parsed = jpeg.parse(_jpeg(progressive=True))
    assert parsed.frame.progressive
    assert parsed.scans > 1


def test_metadata_is_stripped_but_icc_and_adobe_kept() -> None:
    icc = bytes(200)
    data = _jpeg(icc_profile=icc)
    data = insert_segments(
        data,
        [
            (0xE1, b"Exif\x00\x00" + _tiff([(0x0112, 3, 1, b"\x06\x00\x00\x00")])),
            (0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>"),
            (0xED, b"Photoshop 3.0\x00IPTC"),
            (0xFE, b"a comment"),
            (0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01"),
            (0xE5, b"vendor data"),
        ],
    )
    parsed = jpeg.parse(data)
    assert parsed.removed == ["exif", "xmp", "iptc", "comment", "APP5"]
    assert parsed.icc == icc
    assert parsed.adobe_transform == 1
    kept = [marker for marker, _ in jpeg_segments(parsed.cleaned(data))]
    assert 0xE1 not in kept and 0xED not in kept and 0xFE not in kept and 0xE5 not in kept
    assert 0xE2 in kept and 0xEE in kept
    assert read_exif(parsed.exif or b"").orientation == 6


def test_icc_split_over_many_segments_is_reassembled_in_order() -> None:
    profile = bytes(range(256)) * 1000  # 256 000 bytes: four APP2 segments
    parsed = jpeg.parse(_jpeg(icc_profile=profile))
    assert parsed.icc == profile


def test_icc_with_missing_chunk_is_reported() -> None:
    body = b"ICC_PROFILE\x00\x02\x03" + bytes(10)  # chunk 2 of 3 only
    parsed = jpeg.parse(insert_segments(_jpeg(), [(0xE2, body)]))
    assert parsed.icc is None
    assert parsed.icc_problem is Reason.ICC_CHUNKS_MISSING


def test_jfif_thumbnail_is_dropped() -> None:
    data = _jpeg()
    jfif = b"JFIF\x00\x01\x01\x01\x00\x48\x00\x48\x02\x02" + bytes(12)  # 2x2 thumbnail
    start = data.index(b"\xff\xe0")
    (length,) = struct.unpack_from(">H", data, start + 2)
    data = data[:start] + b"\xff\xe0" + struct.pack(">H", len(jfif) + 2) + jfif
    data += _jpeg()[start + 2 + length :]
    parsed = jpeg.parse(data)
    assert parsed.jfif is not None and parsed.jfif.thumbnail
    assert parsed.jfif.dpi() == (72.0, 72.0)
    segments = jpeg_segments(parsed.cleaned(data))
    assert segments[0] == (0xE0, jfif[:12] + b"\x00\x00")


def test_trailing_data_and_second_image_are_outside_the_end() -> None:
    first = _jpeg()
    data = first + _jpeg((8, 8))
    parsed = jpeg.parse(data)
    assert parsed.end == len(first)
    assert parsed.cleaned(data) == first


def test_stray_bytes_between_segments_are_skipped_and_counted() -> None:
    data = _jpeg()
    cut = data.index(b"\xff\xdb")
    data = data[:cut] + b"\x00junk\xff\x00" + data[cut:]
    parsed = jpeg.parse(data)
    assert parsed.stray_bytes == 7
    assert b"junk" not in parsed.cleaned(data)


@pytest.mark.parametrize("cut", [3, 10, 200, -40, -2, -1])
def test_truncation_is_detected(cut: int) -> None:
    data = _jpeg()
    with pytest.raises((TruncatedInput, CorruptImage)):
        jpeg.parse(data[:cut])


def test_no_eoi_is_truncated() -> None:
    with pytest.raises(TruncatedInput):
        jpeg.parse(_jpeg()[:-2])


def test_restart_markers_counted_against_mcus() -> None:
    image = Image.new("RGB", (64, 64), (10, 200, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", restart_marker_blocks=1)
    data = out.getvalue()
    parsed = jpeg.parse(data)
    assert parsed.restart_interval > 0
    # Cut a scan short by removing everything after the third restart marker but keep EOI.
    third = [i for i in range(len(data) - 1) if data[i] == 0xFF and 0xD0 <= data[i + 1] <= 0xD7][2]
    with pytest.raises(TruncatedInput, match="scan"):
        jpeg.parse(data[:third] + b"\xff\xd9")
    # Restart markers out of sequence.
    swapped = bytearray(data)
    swapped[third + 1] = 0xD7
    with pytest.raises(CorruptImage, match="restart"):
        jpeg.parse(bytes(swapped))


def test_hierarchical_and_jpeg_ls_are_unsupported_variants() -> None:
    data = _jpeg()
    sof = data.index(b"\xff\xc0")
    with pytest.raises(UnsupportedVariant):
        jpeg.parse(data[: sof + 1] + b"\xc5" + data[sof + 2 :])
    with pytest.raises(UnsupportedVariant):
        jpeg.parse(data[: sof + 1] + b"\xf7" + data[sof + 2 :])


def test_embeddable_decisions() -> None:
    data = _jpeg()
    sof = data.index(b"\xff\xc0")
    arithmetic = data[: sof + 1] + b"\xc9" + data[sof + 2 :]
    assert jpeg.parse(arithmetic).frame.embeddable() == (Reason.ARITHMETIC_CODING, None)
    twelve = bytearray(data)
    twelve[sof + 4] = 12
    assert jpeg.parse(bytes(twelve)).frame.embeddable() == (Reason.JPEG_PRECISION, 12)
    assert jpeg.parse(data).frame.embeddable() is None


@pytest.mark.parametrize(
    ("patch", "error"),
    [
        (lambda d, s: d[: s + 4] + b"\x07" + d[s + 5 :], CorruptImage),  # 7-bit precision
        (lambda d, s: d[: s + 9] + b"\x00" + d[s + 10 :], CorruptImage),  # no components
        (lambda d, s: d[:s] + b"\xff\xd8" + d[s:], CorruptImage),  # second SOI
        (lambda d, s: d[: s + 2] + b"\x00\x01" + d[s + 4 :], CorruptImage),  # length 1
        (lambda d, s: d[: s + 1] + b"\x02" + d[s + 2 :], CorruptImage),  # reserved marker
    ],
)
def test_malformed_headers(patch: object, error: type[Exception]) -> None:
    data = _jpeg()
    sof = data.index(b"\xff\xc0")
    with pytest.raises(error):
        jpeg.parse(patch(data, sof))  # type: ignore[operator]


def test_colour_transform_follows_libjpeg() -> None:
    grey = jpeg.parse(_jpeg(mode="L"))
    assert not grey.colour_transform
    cmyk = jpeg.parse(_jpeg(mode="CMYK"))
    assert cmyk.adobe_transform == 0 and not cmyk.colour_transform
    # 3 components, no JFIF, no Adobe, ids "RGB": not transformed.
    data = _jpeg()
    start = data.index(b"\xff\xe0")
    (length,) = struct.unpack_from(">H", data, start + 2)
    data = data[:start] + data[start + 2 + length :]
    sof = data.index(b"\xff\xc0")
    sos = data.index(b"\xff\xda")
    patched = bytearray(data)
    for index, ident in enumerate(b"RGB"):
        patched[sof + 10 + 3 * index] = ident
        patched[sos + 5 + 2 * index] = ident
    assert not jpeg.parse(bytes(patched)).colour_transform
    # The same with an Adobe segment saying "transformed" (YCbCr).
    adobe = insert_segments(bytes(patched), [(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01")])
    assert jpeg.parse(adobe).colour_transform


def test_exif_reading_is_robust() -> None:
    ok = read_exif(_tiff([(0x0112, 3, 1, b"\x08\x00\x00\x00")]))
    assert ok.orientation == 8 and ok.problem is None
    big = read_exif(_tiff([(0x0112, 3, 1, b"\x00\x03\x00\x00")], order=">"))
    assert big.orientation == 3
    assert read_exif(b"garbage").problem is Reason.EXIF_NOT_TIFF
    assert read_exif(b"II*\x00\xff\xff\xff\xff").problem is Reason.EXIF_IFD_OUTSIDE
    cut = _tiff([(0x0112, 3, 1, b"\x01\x00\x00\x00")] * 3)[:-20]
    assert read_exif(cut).problem is Reason.EXIF_IFD_CUT


def test_exif_resolution_zero_over_zero_is_no_resolution() -> None:
    rationals = struct.pack("<IIII", 0, 0, 0, 0)
    tiff = _tiff([(0x011A, 5, 1, struct.pack("<I", 50)), (0x011B, 5, 1, struct.pack("<I", 58))])
    tiff = tiff + bytes(50 - len(tiff)) + rationals
    facts = read_exif(tiff)
    assert facts.dpi is None and facts.problem is None


def test_exif_resolution_in_centimetres() -> None:
    tiff = _tiff(
        [
            (0x011A, 5, 1, struct.pack("<I", 60)),
            (0x011B, 5, 1, struct.pack("<I", 68)),
            (0x0128, 3, 1, b"\x03\x00\x00\x00"),
        ]
    )
    tiff = tiff + bytes(60 - len(tiff)) + struct.pack("<IIII", 100, 1, 100, 1)
    dpi = read_exif(tiff).dpi
    assert dpi is not None and dpi == pytest.approx((254.0, 254.0))


@pytest.mark.parametrize(
    ("value", "applied", "warning"),
    [(None, 1, None), (1, 1, None), (6, 6, None), (2, 2, None), (0, 1, 0), (9, 1, 9)],
)
def test_orientation_decision(value: int | None, applied: int, warning: int | None) -> None:
    turn, action, warn = orientation(value)
    assert turn == applied
    assert (action is not None) == (applied != 1)
    assert (warn.facts["value"] if warn else None) == warning


def test_icc_header_checks() -> None:
    header = bytearray(132)
    header[0:4] = struct.pack(">I", 132)
    header[12:16] = b"mntr"
    header[16:20] = b"RGB "
    header[36:40] = b"acsp"
    assert icc_components(bytes(header)) == (3, None, None)
    header[16:20] = b"CMYK"
    assert icc_components(bytes(header))[0] == 4
    header[12:16] = b"link"
    assert icc_components(bytes(header))[:3] == (None, Reason.ICC_CLASS, "link")
    assert icc_components(b"short")[1] is Reason.ICC_SHORT
    header[12:16] = b"mntr"
    header[0:4] = struct.pack(">I", 5000)
    assert icc_components(bytes(header))[1] is Reason.ICC_TRUNCATED
