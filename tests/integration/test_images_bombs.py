"""Hostile images built with code: refused with the right code, without large allocations."""

from __future__ import annotations

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
from tests import bombs
from tests.integration._images_support import (
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


def test_zeros_stream_is_what_it_claims() -> None:
    stream = bombs.zeros_stream(8 << 20)
    assert zlib.decompress(stream) == bytes(8 << 20)


def test_png_header_of_225000_by_225000() -> None:
    error = _refused(_png(bombs.png_huge_header()), ImageTooLarge)
    assert error.facts["width"] == 225_000


def test_png_chunk_length_of_2_31_minus_1() -> None:
    _refused(_png(bombs.png_chunk_length(2**31 - 1)), TruncatedInput)
    _refused(_png(bombs.png_chunk_length(2**32 - 1)), CorruptImage)


@pytest.mark.parametrize("kind", [b"zTXt", b"iTXt"])
def test_text_chunk_inflating_to_more_than_a_gigabyte(kind: bytes) -> None:
    error = _refused(_png(bombs.png_text_bomb(kind)), DecompressionBomb)
    assert error.facts["what"] == "text-chunks"


def test_many_text_chunks_count_together() -> None:
    one = png_chunk(b"zTXt", b"k\x00\x00" + bombs.zeros_stream(1 << 20))
    small = make_png(1, 1, 8, 0, [b"\x00"], extra=(one,) * 3)
    normalise_png(small, offset=0, limits=Limits(), options=Options())
    many = make_png(1, 1, 8, 0, [b"\x00"], extra=(one,) * 5)
    _refused(_png(many), DecompressionBomb)


def test_icc_profile_inflating_to_more_than_a_gigabyte() -> None:
    error = _refused(_png(bombs.png_icc_bomb()), DecompressionBomb)
    assert error.facts["what"] == "icc-profile"


def test_image_data_inflating_far_past_the_declared_size() -> None:
    _refused(_png(bombs.png_image_data_bomb()), CorruptImage)


def test_gif_frame_of_65535_by_65535() -> None:
    data = bombs.gif_huge_frame()
    error = _refused(
        lambda: normalise_gif(data, offset=0, limits=Limits(), options=Options()),
        ImageTooLarge,
    )
    assert error.facts["width"] == 65535


def test_gif_with_thousands_of_frames() -> None:
    data = bombs.gif_many_frames()
    error = _refused(
        lambda: normalise_gif(data, offset=0, limits=Limits(), options=Options()),
        TooManyFrames,
    )
    assert error.facts["limit"] == Limits().max_frames


def test_jpeg_claiming_65000_by_65000_in_a_kilobyte() -> None:
    data = bombs.jpeg_huge_sof()
    assert len(data) < 1024
    _refused(
        lambda: normalise_jpeg(data, offset=0, limits=Limits(), options=Options()),
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
