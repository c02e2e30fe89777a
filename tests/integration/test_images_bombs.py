"""Hostile images built with code: refused with the right code, without large allocations."""

from __future__ import annotations

import struct
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from PIL import Image

from msp_docs import (
    CorruptImage,
    DecompressionBomb,
    ImageTooLarge,
    Options,
    TooManyFrames,
    TruncatedInput,
)
from msp_docs._backends.gif import normalise_gif
from msp_docs._backends.jpeg import normalise_jpeg
from msp_docs._backends.png import normalise_png
from msp_docs.limits import Limits
from tests.integration._images_support import (
    PNG_SIGNATURE,
    GifFrame,
    ihdr,
    make_gif,
    make_png,
    png_chunk,
)

GIB = 1 << 30
PEAK_LIMIT = 64 << 20  # no refusal below may allocate more than this


@contextmanager
def _small_footprint() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_LIMIT, f"peak Python allocation {peak / 2**20:.0f} MiB"


def _refused(call: Callable[[], object], error: type[Exception]) -> Exception:
    with _small_footprint(), pytest.raises(error) as caught:
        call()
    return caught.value


def _png(data: bytes) -> Callable[[], object]:
    return lambda: normalise_png(data, offset=0, limits=Limits(), options=Options())


def zeros_stream(size: int) -> bytes:
    """A zlib stream inflating to ``size`` zero bytes, built in a few milliseconds.

    One MiB of zeros is deflated once, ending on a full flush (so it refers to nothing before
    it); the same block repeated inflates to as many MiB. Then an empty final block and the
    Adler-32 of ``size`` zeros (a = 1, b = size mod 65521).
    """
    mib = 1 << 20
    assert size % mib == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(mib)) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    adler = ((size % 65521) << 16) | 1
    return b"\x78\xda" + block * (size // mib) + final + struct.pack(">I", adler)


def test_zeros_stream_is_what_it_claims() -> None:
    stream = zeros_stream(8 << 20)
    assert zlib.decompress(stream) == bytes(8 << 20)


def test_png_header_of_225000_by_225000() -> None:
    data = PNG_SIGNATURE + ihdr(225_000, 225_000, 8, 2) + png_chunk(b"IDAT", zlib.compress(b""))
    data += png_chunk(b"IEND", b"")
    error = _refused(_png(data), ImageTooLarge)
    assert error.facts["width"] == 225_000


def test_png_chunk_length_of_2_31_minus_1() -> None:
    data = PNG_SIGNATURE + ihdr(1, 1, 8, 0) + struct.pack(">I", 2**31 - 1) + b"tEXt" + bytes(100)
    _refused(_png(data), TruncatedInput)
    data = PNG_SIGNATURE + ihdr(1, 1, 8, 0) + struct.pack(">I", 2**32 - 1) + b"tEXt" + bytes(100)
    _refused(_png(data), CorruptImage)


@pytest.mark.parametrize("kind", [b"zTXt", b"iTXt"])
def test_text_chunk_inflating_to_more_than_a_gigabyte(kind: bytes) -> None:
    stream = zeros_stream(GIB + (1 << 20))
    if kind == b"zTXt":
        body = b"Comment\x00\x00" + stream
    else:
        body = b"Comment\x00\x01\x00en\x00Commentaire\x00" + stream
    data = make_png(1, 1, 8, 0, [b"\x00"], extra=(png_chunk(kind, body),))
    error = _refused(_png(data), DecompressionBomb)
    assert error.facts["what"] == "text chunks"


def test_many_text_chunks_count_together() -> None:
    one = png_chunk(b"zTXt", b"k\x00\x00" + zeros_stream(1 << 20))
    small = make_png(1, 1, 8, 0, [b"\x00"], extra=(one,) * 3)
    normalise_png(small, offset=0, limits=Limits(), options=Options())
    many = make_png(1, 1, 8, 0, [b"\x00"], extra=(one,) * 5)
    _refused(_png(many), DecompressionBomb)


def test_icc_profile_inflating_to_more_than_a_gigabyte() -> None:
    iccp = png_chunk(b"iCCP", b"bomb\x00\x00" + zeros_stream(GIB + (1 << 20)))
    data = make_png(1, 1, 8, 2, [bytes(3)], extra=(iccp,))
    error = _refused(_png(data), DecompressionBomb)
    assert error.facts["what"] == "ICC profile"


def test_image_data_inflating_far_past_the_declared_size() -> None:
    data = (
        PNG_SIGNATURE
        + ihdr(1, 1, 8, 0)
        + png_chunk(b"IDAT", zeros_stream(GIB))
        + png_chunk(b"IEND", b"")
    )
    _refused(_png(data), CorruptImage)


def test_gif_frame_of_65535_by_65535() -> None:
    frame = GifFrame(1, 1, b"\x01")
    data = bytearray(make_gif(10, 10, [frame], palette=bytes(6)))
    at = data.index(b"\x2c")
    data[at + 5 : at + 9] = struct.pack("<HH", 65535, 65535)
    error = _refused(
        lambda: normalise_gif(bytes(data), offset=0, limits=Limits(), options=Options()),
        ImageTooLarge,
    )
    assert error.facts["width"] == 65535


def test_gif_with_thousands_of_frames() -> None:
    data = make_gif(2, 2, [GifFrame(2, 2, bytes(4))] * 20_000, palette=bytes(6))
    error = _refused(
        lambda: normalise_gif(data, offset=0, limits=Limits(), options=Options()),
        TooManyFrames,
    )
    assert error.facts["limit"] == Limits().max_frames


def test_jpeg_claiming_65000_by_65000_in_a_kilobyte() -> None:
    import io

    out = io.BytesIO()
    Image.new("L", (8, 8), 128).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65000, 65000)
    assert len(data) < 1024
    _refused(
        lambda: normalise_jpeg(bytes(data), offset=0, limits=Limits(), options=Options()),
        ImageTooLarge,
    )


def test_pillow_guard_never_fires_first() -> None:
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = 100  # as if another library had lowered it
    try:
        rows = [bytes(range(4 * 40))] * 30  # RGBA: decoded by Pillow
        result = normalise_png(
            make_png(40, 30, 8, 6, rows), offset=0, limits=Limits(), options=Options()
        )
        assert result.width == 40
    finally:
        Image.MAX_IMAGE_PIXELS = previous
