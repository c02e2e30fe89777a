"""The GIF block walker (formats.gif): structure, limits, code sizes, on built fixtures."""

from __future__ import annotations

import struct
from dataclasses import replace

import pytest

from msp_docs._formats import gif
from msp_docs.errors import (
    CorruptImage,
    ImageTooLarge,
    InvalidDimensions,
    Reason,
    TooManyFrames,
    TruncatedInput,
)
from msp_docs.limits import Limits
from tests.integration._images_support import GifFrame, make_gif

PALETTE = bytes((0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255))
LIMITS = Limits()


def _frame(**kwargs: object) -> GifFrame:
    return GifFrame(width=4, height=3, indices=bytes(i % 4 for i in range(12)), **kwargs)  # type: ignore[arg-type]


def test_structure() -> None:
    data = make_gif(4, 3, [_frame(transparent=2, disposal=2), _frame(left=1)], palette=PALETTE)
    parsed = gif.parse(data, LIMITS)
    assert (parsed.version, parsed.width, parsed.height) == ("89a", 4, 3)
    assert parsed.palette == PALETTE
    assert len(parsed.frames) == 2
    first, second = parsed.frames
    assert first.control == gif.Control(disposal=2, transparent=2, delay=10)
    assert second.control is None
    assert second.left == 1
    assert parsed.end == len(data) and parsed.trailer


def test_extensions_are_walked() -> None:
    data = make_gif(4, 3, [_frame()], palette=PALETTE)
    comment = b"\x21\xfe\x05hello\x00"
    app = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    text = b"\x21\x01\x0c" + bytes(12) + b"\x02hi\x00"
    body = data[:25] + app + comment + text + data[25:-1] + comment + b";"
    parsed = gif.parse(body, LIMITS)
    assert parsed.comments == 2
    assert parsed.applications == ["NETSCAPE2.0"]
    assert parsed.plain_text == 1


def test_missing_trailer_after_complete_image() -> None:
    data = make_gif(4, 3, [_frame()], palette=PALETTE, trailer=b"")
    parsed = gif.parse(data, LIMITS)
    assert not parsed.trailer and len(parsed.frames) == 1


def test_trailing_data_after_trailer() -> None:
    data = make_gif(4, 3, [_frame()], palette=PALETTE)
    assert gif.parse(data + b"extra", LIMITS).end == len(data)


@pytest.mark.parametrize("cut", [5, 12, 14, 30, 40])
def test_truncation(cut: int) -> None:
    data = make_gif(4, 3, [_frame()], palette=PALETTE, trailer=b"")
    with pytest.raises(TruncatedInput):
        gif.parse(data[:cut], LIMITS)


def test_unknown_block_and_version() -> None:
    data = make_gif(4, 3, [_frame()], palette=PALETTE)
    with pytest.raises(CorruptImage, match="unknown block"):
        gif.parse(data[:-1] + b"\x99;", LIMITS)
    with pytest.raises(CorruptImage):
        gif.parse(b"GIF90a" + data[6:], LIMITS)


@pytest.mark.parametrize("code_size", [0, 1, 9, 12])
def test_lzw_code_size_outside_2_to_8(code_size: int) -> None:
    data = bytearray(make_gif(4, 3, [_frame()], palette=PALETTE))
    at = data.index(b"\x2c") + 10
    data[at] = code_size
    with pytest.raises(CorruptImage, match="code size"):
        gif.parse(bytes(data), LIMITS)


def test_zero_sizes() -> None:
    with pytest.raises(InvalidDimensions):
        gif.parse(make_gif(0, 3, [_frame()], palette=PALETTE), LIMITS)
    with pytest.raises(InvalidDimensions):
        empty = replace(_frame(), width=0, indices=b"")
        gif.parse(make_gif(4, 3, [empty], palette=PALETTE), LIMITS)


def test_frame_extents_are_checked_before_decoding() -> None:
    header = make_gif(100, 100, [_frame()], palette=PALETTE)
    # A second frame placed at 65535,65535 makes a 4.3-gigapixel canvas.
    far = b"\x2c" + struct.pack("<HHHHB", 65535, 65535, 1, 1, 0) + b"\x02\x02\x4c\x01\x00"
    data = header[:-1] + far + b";"
    with pytest.raises(ImageTooLarge) as caught:
        gif.parse(data, LIMITS)
    assert caught.value.facts["width"] == 65536


def test_huge_screen() -> None:
    data = make_gif(65535, 65535, [_frame()], palette=PALETTE)
    with pytest.raises(ImageTooLarge):
        gif.parse(data, LIMITS)


def test_thousands_of_frames_are_refused_at_the_limit() -> None:
    one = _frame()
    data = make_gif(4, 3, [one] * 5000, palette=PALETTE)
    with pytest.raises(TooManyFrames) as caught:
        gif.parse(data, LIMITS)
    assert caught.value.facts["limit"] == LIMITS.max_frames
    assert len(gif.parse(data, replace(LIMITS, max_frames=5000)).frames) == 5000


def test_image_without_data() -> None:
    data = bytearray(make_gif(4, 3, [_frame()], palette=PALETTE))
    at = data.index(b"\x2c") + 11
    data[at:] = b"\x00;"
    with pytest.raises(CorruptImage) as caught:
        gif.parse(bytes(data), LIMITS)
    assert caught.value.reason is Reason.NO_IMAGE_DATA
