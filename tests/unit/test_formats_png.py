"""The PNG chunk walker and image-data checker (formats.png): pure functions on built fixtures."""

from __future__ import annotations

import struct
import zlib

import pytest

from msp_docs._formats import png
from msp_docs.errors import (
    ChecksumMismatch,
    CorruptImage,
    DecompressionBomb,
    InvalidDimensions,
    Part,
    TruncatedInput,
)
from tests.integration._images_support import PNG_SIGNATURE, ihdr, make_png, png_chunk


def _grey(width: int = 5, height: int = 4, **kwargs: object) -> bytes:
    rows = [bytes((x * 40 + y) % 256 for x in range(width)) for y in range(height)]
    return make_png(width, height, 8, 0, rows, **kwargs)  # type: ignore[arg-type]


def test_chunks_and_header() -> None:
    data = _grey(extra=(png_chunk(b"tEXt", b"Author\x00me"),))
    parsed = png.parse(data)
    assert parsed.header == png.Header(5, 4, 8, 0, 0)
    assert parsed.chunk_types() == ["IHDR", "tEXt", "IDAT", "IEND"]
    assert parsed.end == len(data)
    checked = png.check_image_data(parsed, data)
    assert checked.extra == 0
    assert checked.used == len(parsed.image_data(data))


def test_every_crc_is_checked() -> None:
    data = _grey(extra=(png_chunk(b"tEXt", b"k\x00v", crc=1),))
    with pytest.raises(ChecksumMismatch) as caught:
        png.parse(data)
    assert caught.value.facts["chunk"] == "tEXt"


@pytest.mark.parametrize(
    ("length", "error"),
    [(2**31 - 1, TruncatedInput), (2**31, CorruptImage), (2**32 - 1, CorruptImage)],
)
def test_extreme_chunk_lengths_are_refused_without_reading(
    length: int, error: type[Exception]
) -> None:
    data = PNG_SIGNATURE + ihdr(1, 1, 8, 0) + struct.pack(">I", length) + b"IDAT" + bytes(20)
    with pytest.raises(error):
        png.parse(data)


def test_missing_iend_is_truncated() -> None:
    data = _grey()
    with pytest.raises(TruncatedInput):
        png.parse(data[:-12])


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (struct.pack(">IIBBBBB", 0, 4, 8, 0, 0, 0, 0), InvalidDimensions),
        (struct.pack(">IIBBBBB", 4, 0, 8, 0, 0, 0, 0), InvalidDimensions),
        (struct.pack(">IIBBBBB", 2**31, 4, 8, 0, 0, 0, 0), InvalidDimensions),
        (struct.pack(">IIBBBBB", 4, 4, 8, 1, 0, 0, 0), CorruptImage),
        (struct.pack(">IIBBBBB", 4, 4, 3, 0, 0, 0, 0), CorruptImage),
        (struct.pack(">IIBBBBB", 4, 4, 16, 3, 0, 0, 0), CorruptImage),
        (struct.pack(">IIBBBBB", 4, 4, 8, 0, 1, 0, 0), CorruptImage),
        (struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 2), CorruptImage),
        (struct.pack(">IIBBBB", 4, 4, 8, 0, 0, 0), CorruptImage),
    ],
)
def test_invalid_headers(body: bytes, error: type[Exception]) -> None:
    data = PNG_SIGNATURE + png_chunk(b"IHDR", body) + png_chunk(b"IEND", b"")
    with pytest.raises(error):
        png.parse(data)


def test_chunk_order_rules() -> None:
    before = PNG_SIGNATURE + png_chunk(b"fAKE", b"") + _grey()[8:]
    assert png.parse(before).before_header == ["fAKE"]
    critical_first = PNG_SIGNATURE + png_chunk(b"IDAT", b"") + _grey()[8:]
    with pytest.raises(CorruptImage):
        png.parse(critical_first)
    palette = png_chunk(b"PLTE", bytes(6))
    rows = [b"\x00\x01"]
    with pytest.raises(CorruptImage, match="palette"):
        png.parse(make_png(2, 1, 8, 3, rows, extra=(palette, palette)))
    with pytest.raises(CorruptImage, match="palette"):
        png.parse(make_png(2, 1, 8, 3, rows))
    with pytest.raises(CorruptImage, match="palette length"):
        png.parse(make_png(2, 1, 8, 3, rows, extra=(png_chunk(b"PLTE", bytes(7)),)))
    with pytest.raises(CorruptImage, match="critical"):
        png.parse(_grey(extra=(png_chunk(b"ABCD", b""),)))


def test_split_image_data_is_refused() -> None:
    data = _grey()
    parsed = png.parse(data)
    idat = parsed.image_chunks()[0].body(data)
    split = (
        PNG_SIGNATURE
        + ihdr(5, 4, 8, 0)
        + png_chunk(b"IDAT", idat[:10])
        + png_chunk(b"tEXt", b"k\x00v")
        + png_chunk(b"IDAT", idat[10:])
        + png_chunk(b"IEND", b"")
    )
    with pytest.raises(CorruptImage, match="split"):
        png.parse(split)


def test_no_image_data() -> None:
    with pytest.raises(CorruptImage, match="no image data"):
        png.parse(PNG_SIGNATURE + ihdr(1, 1, 8, 0) + png_chunk(b"IEND", b""))


def _with_idat(raw: bytes, width: int = 5, height: int = 4, depth: int = 8) -> bytes:
    return (
        PNG_SIGNATURE
        + ihdr(width, height, depth, 0)
        + png_chunk(b"IDAT", raw)
        + png_chunk(b"IEND", b"")
    )


def _rows(width: int = 5, height: int = 4, filter_type: int = 0) -> bytes:
    return b"".join(bytes((filter_type,)) + bytes(width) for _ in range(height))


def test_image_data_checks() -> None:
    ok = _with_idat(zlib.compress(_rows()))
    png.check_image_data(png.parse(ok), ok)
    short = _with_idat(zlib.compress(_rows()[:-1]))
    with pytest.raises(CorruptImage, match="less image data"):
        png.check_image_data(png.parse(short), short)
    long = _with_idat(zlib.compress(_rows() + b"\x00"))
    with pytest.raises(CorruptImage, match="more image data"):
        png.check_image_data(png.parse(long), long)
    bad_filter = _with_idat(zlib.compress(_rows(filter_type=5)))
    with pytest.raises(CorruptImage, match="filter"):
        png.check_image_data(png.parse(bad_filter), bad_filter)
    cut = _with_idat(zlib.compress(_rows())[:-6])
    with pytest.raises(TruncatedInput):
        png.check_image_data(png.parse(cut), cut)
    stream = bytearray(zlib.compress(_rows()))
    stream[-1] ^= 1
    bad_adler = _with_idat(bytes(stream))
    with pytest.raises(ChecksumMismatch):
        png.check_image_data(png.parse(bad_adler), bad_adler)
    garbage = _with_idat(b"\x78\x9c\xff\xff\xff\xff")
    with pytest.raises(CorruptImage):
        png.check_image_data(png.parse(garbage), garbage)


def test_bytes_after_the_zlib_stream_are_counted_not_used() -> None:
    stream = zlib.compress(_rows())
    data = (
        PNG_SIGNATURE
        + ihdr(5, 4, 8, 0)
        + png_chunk(b"IDAT", stream + b"junk")
        + png_chunk(b"IDAT", b"more junk")
        + png_chunk(b"IEND", b"")
    )
    checked = png.check_image_data(png.parse(data), data)
    assert checked.used == len(stream)
    assert checked.extra == 4 + 9


def test_filter_bytes_checked_across_inflate_steps_and_passes() -> None:
    # Large enough for several inflate steps; a bad filter byte in the last row.
    width, height = 1000, 700
    raw = bytearray(_rows(width, height))
    raw[(height - 1) * (width + 1)] = 7
    data = _with_idat(zlib.compress(bytes(raw)), width, height)
    with pytest.raises(CorruptImage, match="filter"):
        png.check_image_data(png.parse(data), data)


def test_interlaced_layout() -> None:
    header = png.Header(9, 9, 8, 0, 1)
    assert header.passes() == [(2, 2), (1, 2), (3, 1), (2, 3), (5, 2), (4, 5), (9, 4)]
    assert header.raw_size() == sum(h * (1 + w) for w, h in header.passes())
    tiny = png.Header(1, 1, 1, 3, 1)
    assert [p for p in tiny.passes() if p[0] and p[1]] == [(1, 1)]


def test_inflate_limited() -> None:
    stream = zlib.compress(bytes(10_000))
    assert png.inflate_limited(stream, 10_000, what=Part.TEXT_CHUNKS) == bytes(10_000)
    with pytest.raises(DecompressionBomb):
        png.inflate_limited(stream, 9_999, what=Part.TEXT_CHUNKS)
    assert png.inflated_size(stream, 10_000, what=Part.TEXT_CHUNKS) == 10_000
    with pytest.raises(zlib.error):
        png.inflate_limited(stream[:-5], 10_000, what=Part.TEXT_CHUNKS)


def test_build_round_trips() -> None:
    header = png.Header(5, 4, 8, 0, 0)
    data = png.build(header, [(b"IDAT", zlib.compress(_rows()))])
    parsed = png.parse(data)
    assert parsed.header == header
    png.check_image_data(parsed, data)


def test_bad_signature() -> None:
    with pytest.raises(CorruptImage):
        png.parse(b"\x89PNG\n\x1a\n" + bytes(30))
    with pytest.raises(TruncatedInput):
        png.parse(PNG_SIGNATURE[:5])


def test_check_inflated_vouches_only_for_a_stream_that_ends_with_the_image_data() -> None:
    """The one-call check agrees with the step-by-step one, and leaves every doubt to it."""
    import struct as _struct
    import zlib as _zlib

    from msp_docs._formats import png as png_format

    rows = b"".join(b"\x00" + bytes([y] * 12) for y in range(5))

    def png_of(idat: bytes) -> bytes:
        def chunk(kind: bytes, body: bytes) -> bytes:
            crc = _zlib.crc32(kind + body)
            return _struct.pack(">I", len(body)) + kind + body + _struct.pack(">I", crc)

        ihdr = _struct.pack(">IIBBBBB", 4, 5, 8, 2, 0, 0, 0)
        return (
            png_format.SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
        )

    stream = _zlib.compress(rows)
    good = png_of(stream)
    parsed = png_format.parse(good)
    assert png_format.check_inflated(parsed, good, rows) == png_format.check_image_data(
        parsed, good
    )
    trailing = png_of(stream + b"junk")
    parsed = png_format.parse(trailing)
    assert png_format.check_inflated(parsed, trailing, rows) is None
    assert png_format.check_image_data(parsed, trailing).extra == 4
    assert png_format.check_inflated(png_format.parse(good), good, rows[:-1]) is None
    bad_filter = b"\x07" + rows[1:]
    bad = png_of(_zlib.compress(bad_filter))
    assert png_format.check_inflated(png_format.parse(bad), bad, bad_filter) is None
