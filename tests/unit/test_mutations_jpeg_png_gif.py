"""Hypothesis: structured mutations of valid PNG, GIF and JPEG files give a result or our error."""

from __future__ import annotations

import io
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from msp_docs import InternalError, MspDocsError, Options, convert
from tests.integration._images_support import GifFrame, make_gif, make_png, png_chunk


def _pngs() -> list[bytes]:
    palette = png_chunk(b"PLTE", bytes(range(12)))
    trns = png_chunk(b"tRNS", bytes((0, 128)))
    text = png_chunk(b"zTXt", b"k\x00\x00" + bytes((0x78, 0x9C, 3, 0, 0, 0, 0, 1)))
    return [
        make_png(6, 4, 8, 0, [bytes(range(y, y + 6)) for y in range(4)], extra=(text,)),
        make_png(6, 4, 8, 3, [bytes((0, 1, 2, 3, 1, 0))] * 4, extra=(palette, trns)),
        make_png(5, 3, 16, 6, [bytes(range(40))] * 3, filter_type=2),
        make_png(9, 9, 8, 2, [bytes(range(27))] * 9, interlace=True),
    ]


def _gifs() -> list[bytes]:
    palette = bytes(range(12))
    frames = [
        GifFrame(4, 3, bytes(i % 4 for i in range(12))),
        GifFrame(2, 2, bytes((1, 2, 3, 0)), left=1, top=1, transparent=0, disposal=2),
        GifFrame(3, 3, bytes(9), interlaced=True, disposal=3, code_size=2),
    ]
    return [make_gif(4, 3, frames, palette=palette)]


def _jpegs() -> list[bytes]:
    image = Image.new("RGB", (24, 16))
    for x in range(24):
        image.putpixel((x, x % 16), (x * 10, 255 - x * 10, 128))
    out = []
    for options in ({}, {"progressive": True}, {"restart_marker_blocks": 1}):
        buffer = io.BytesIO()
        image.save(
            buffer, "JPEG", quality=80, exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08", **options
        )
        out.append(buffer.getvalue())
    grey = io.BytesIO()
    image.convert("L").save(grey, "JPEG")
    out.append(grey.getvalue())
    return out


SEEDS = {"png": _pngs(), "gif": _gifs(), "jpeg": _jpegs()}


def _fields(data: bytes) -> list[tuple[int, int]]:
    """(offset, size) of the length fields of the file's chunks, segments or blocks."""
    fields: list[tuple[int, int]] = []
    if data.startswith(b"\x89PNG"):
        pos = 8
        while pos + 8 <= len(data):
            fields.append((pos, 4))
            (length,) = struct.unpack_from(">I", data, pos)
            pos += 12 + length
    elif data.startswith(b"GIF"):
        fields += [(6, 2), (8, 2)]
        fields += [(i, 1) for i in range(13, len(data)) if data[i] in (0x2C, 0x21)]
    else:
        pos = 2
        while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] != 0xDA:
            fields.append((pos + 2, 2))
            (length,) = struct.unpack_from(">H", data, pos + 2)
            pos += 2 + length
    return fields or [(0, 1)]


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS[kind])))
    for _ in range(draw(st.integers(1, 3))):
        operation = draw(st.sampled_from(["truncate", "flip", "duplicate", "length", "insert"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if operation == "truncate":
            del data[at:]
        elif operation == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif operation == "duplicate":
            end = draw(st.integers(at, min(len(data), at + 64)))
            data[end:end] = data[at:end]
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            offset, size = draw(st.sampled_from(_fields(bytes(data))))
            value = draw(
                st.sampled_from([0, 1, 2, (1 << (8 * size)) - 1, (1 << (8 * size - 1)) - 1])
            )
            data[offset : offset + size] = value.to_bytes(size, "big")[:size]
    return bytes(data)


def _check(data: bytes, options: Options) -> None:
    try:
        convert(data, io.BytesIO(), options=options)
    except InternalError as error:  # a raw exception escaped a backend
        raise AssertionError(f"internal error: {error.detail}") from error
    except MspDocsError:
        pass


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_seeds_are_valid(kind: str) -> None:
    for seed in SEEDS[kind]:
        convert(seed, io.BytesIO(), options=Options(all_frames=True))


MUTATION_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@MUTATION_SETTINGS
@given(data=mutated("png"), flatten=st.booleans())
def test_png_mutations(data: bytes, flatten: bool) -> None:
    _check(data, Options(flatten=flatten))


@MUTATION_SETTINGS
@given(data=mutated("gif"), all_frames=st.booleans(), flatten=st.booleans())
def test_gif_mutations(data: bytes, all_frames: bool, flatten: bool) -> None:
    _check(data, Options(all_frames=all_frames, flatten=flatten))


@MUTATION_SETTINGS
@given(data=mutated("jpeg"))
def test_jpeg_mutations(data: bytes) -> None:
    _check(data, Options())
