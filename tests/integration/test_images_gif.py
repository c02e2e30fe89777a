"""GIF to PDF: indexed pixels kept, frames composed as browsers show them, LZW damage refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from msp_docs import CorruptImage, Options, TruncatedInput, inspect
from msp_docs._backends.gif import normalise_gif
from msp_docs.limits import Limits
from tests.conftest import corpus_path
from tests.integration._images_support import (
    GifFrame,
    colour_info,
    lzw_encode,
    make_gif,
    page_images,
    pdf_indices,
    pdf_rgba,
    same_visible_pixels,
    sub_blocks,
    to_pdf,
)

# 0 black, 1 red, 2 green, 3 blue
PALETTE = bytes((0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255))
BLACK, RED, GREEN, BLUE = (0, 0, 0, 255), (255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255)
CLEAR = (255, 255, 255, 0)  # transparent: only the alpha matters


def _pages(data: bytes, **options: object) -> list[Image.Image]:
    return [pdf_rgba(image) for image in page_images(to_pdf(data, **options))]


def _visible(image: Image.Image) -> list[tuple[int, int, int, int]]:
    return [p if p[3] else CLEAR for p in image.get_flattened_data()]  # type: ignore[misc]


def _solid(width: int, height: int, index: int, **kwargs: object) -> GifFrame:
    return GifFrame(width, height, bytes([index]) * (width * height), **kwargs)  # type: ignore[arg-type]


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name",
    [
        "gif-static-128.gif",
        "gif-transparent.gif",
        "gif-87a-25x7.gif",
        "gif-interlaced-static.gif",
        "gif-plain-text-ext.gif",
        "gif-no-trailer.gif",
        "gif-comment-after-frame.gif",
        "gif-animated-dispose-prev.gif",
    ],
)
def test_corpus_first_frame_pixels(name: str) -> None:
    data = corpus_path(name).read_bytes()
    expected = Image.open(io.BytesIO(data))
    expected.load()
    (got, *_rest) = _pages(data)
    assert same_visible_pixels(got, expected.convert("RGBA"))


@pytest.mark.corpus
def test_palette_indices_are_kept() -> None:
    data = corpus_path("gif-static-128.gif").read_bytes()
    (image,) = page_images(to_pdf(data))
    name, _components, lookup = colour_info(image)
    assert name == "/DeviceRGB" and lookup is not None
    source = Image.open(io.BytesIO(data))
    source.load()
    assert pdf_indices(image) == source.tobytes()
    palette = source.getpalette() or []
    assert lookup[: len(palette)] == bytes(palette)[: len(lookup)]
    assert int(image.BitsPerComponent) <= 8


def test_small_frame_on_a_bigger_canvas() -> None:
    data = make_gif(4, 3, [_solid(2, 1, 1, left=1, top=1)], palette=PALETTE)
    (page,) = _pages(data)
    expected = [CLEAR] * 12
    expected[5] = expected[6] = RED
    assert _visible(page) == expected
    (flat,) = _pages(data, flatten=True)
    assert [p[:3] for p in flat.get_flattened_data()].count((255, 255, 255)) == 10


def test_transparent_pixels_show_what_is_below_and_disposal_methods() -> None:
    frames = [
        _solid(4, 1, 1),  # red everywhere
        GifFrame(4, 1, bytes((2, 0, 2, 0)), transparent=0, disposal=2),  # green where not 0
        _solid(1, 1, 3, left=3, disposal=3),  # blue at x=3, then restored
        _solid(1, 1, 3, left=0),  # blue at x=0
    ]
    data = make_gif(4, 1, frames, palette=PALETTE)
    pages = _pages(data, all_frames=True)
    assert [_visible(p) for p in pages] == [
        [RED, RED, RED, RED],
        [GREEN, RED, GREEN, RED],
        # frame 2 was disposed of to transparent, then frame 3 draws blue at x=3
        [CLEAR, CLEAR, CLEAR, BLUE],
        # frame 3 restored what was before it (transparent), frame 4 draws blue at x=0
        [BLUE, CLEAR, CLEAR, CLEAR],
    ]
    report = inspect(data, options=Options(all_frames=True))
    assert report.pages == 4
    assert "frames-as-pages" in [n.code for n in report.actions]


def test_default_is_the_first_frame_with_a_warning() -> None:
    data = make_gif(2, 1, [_solid(2, 1, 1), _solid(2, 1, 2)], palette=PALETTE)
    report = inspect(data)
    assert report.pages == 1
    assert [(n.code, n.facts) for n in report.warnings] == [
        ("animation-first-frame", {"frames": 2})
    ]
    (page,) = _pages(data)
    assert _visible(page) == [RED, RED]


def test_a_frame_with_its_own_palette_turns_the_page_to_rgb() -> None:
    other = bytes((9, 9, 9, 200, 100, 50))
    data = make_gif(2, 1, [_solid(2, 1, 1), _solid(1, 1, 1, palette=other)], palette=PALETTE)
    images = page_images(to_pdf(data, all_frames=True))
    assert colour_info(images[0])[2] is not None  # indexed
    assert colour_info(images[1])[2] is None  # RGB
    assert _visible(pdf_rgba(images[1])) == [(200, 100, 50, 255), RED]


def test_full_palette_without_spare_index_uses_an_unused_one_or_a_soft_mask() -> None:
    palette = bytes(range(256)) * 3
    every = bytes(range(256))
    data = make_gif(
        256, 2, [GifFrame(256, 1, every), GifFrame(1, 1, b"\x05", top=1)], palette=palette
    )
    images = page_images(to_pdf(data, all_frames=True))
    # Row 1 is transparent but for one pixel, and row 0 uses all 256 indices: no index is
    # left for a colour key, so the transparency becomes a soft mask.
    assert "/SMask" in images[1] and "/Mask" not in images[1]
    got = pdf_rgba(images[1])
    alphas = [p[3] for p in got.get_flattened_data()]  # type: ignore[index]
    assert alphas[:256] == [255] * 256
    assert alphas[256] == 255 and alphas[257:] == [0] * 255
    # With a spare index (an unused one), a colour key instead.
    used = bytes(range(255)) + b"\x00"
    data = make_gif(256, 2, [GifFrame(256, 1, used)], palette=palette)
    (image,) = page_images(to_pdf(data))
    assert [int(v) for v in image.Mask] == [255, 255]


def test_interlaced_frame() -> None:
    indices = bytes((y % 4) for y in range(10) for _x in range(3))
    data = make_gif(3, 10, [GifFrame(3, 10, indices, interlaced=True)], palette=PALETTE)
    (image,) = page_images(to_pdf(data))
    assert pdf_indices(image) == indices


def test_no_palette_gets_a_grey_ramp_with_a_warning() -> None:
    data = make_gif(4, 1, [GifFrame(4, 1, bytes((0, 1, 2, 3)), code_size=2)])
    report = inspect(data)
    assert "palette-invented" in [n.code for n in report.warnings]
    (page,) = _pages(data)
    assert [p[0] for p in page.get_flattened_data()] == [0, 85, 170, 255]  # type: ignore[index]


def _frame_data(payload: bytes, code_size: int = 2) -> bytes:
    return bytes((code_size,)) + sub_blocks(payload)


def _single(width: int, height: int, lzw: bytes, code_size: int = 2) -> bytes:
    import struct

    head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x81, 0, 0) + PALETTE
    descriptor = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return head + descriptor + _frame_data(lzw, code_size) + b";"


def test_lzw_damage_is_refused() -> None:
    good = lzw_encode(bytes((1, 2, 3, 0) * 4), 2)
    normalise_gif(_single(4, 4, good), offset=0, limits=Limits(), options=Options())
    # Codes beyond the table: invalid.
    with pytest.raises(CorruptImage):
        normalise_gif(_single(4, 4, b"\xff" * 8), offset=0, limits=Limits(), options=Options())
    # The data stops early: fewer pixels than the frame has.
    with pytest.raises(TruncatedInput):
        normalise_gif(_single(4, 4, good[:3]), offset=0, limits=Limits(), options=Options())
    # An end code after 4 of 16 pixels.
    early = lzw_encode(bytes((1, 2, 3, 0)), 2)
    with pytest.raises(TruncatedInput):
        normalise_gif(_single(4, 4, early), offset=0, limits=Limits(), options=Options())


def test_later_frames_are_not_decoded_by_default() -> None:
    broken = GifFrame(2, 1, b"\x01\x01")
    data = make_gif(2, 1, [_solid(2, 1, 1), broken], palette=PALETTE)
    start = data.rindex(b"\x2c") + 11
    damaged = data[:start] + b"\x02\xff\xff\x00;"  # second frame: invalid LZW codes
    assert inspect(damaged).accepted
    with pytest.raises(CorruptImage):
        normalise_gif(damaged, offset=0, limits=Limits(), options=Options(all_frames=True))


def test_comments_and_xmp_do_not_reach_the_output() -> None:
    data = make_gif(2, 1, [_solid(2, 1, 1)], palette=PALETTE)
    secret = b"48.8566N 2.3522E"
    comment = b"\x21\xfe" + sub_blocks(secret)
    xmp = b"\x21\xff\x0bXMP DataXMP" + sub_blocks(b"<x:xmpmeta>" + secret)
    data = data[:25] + comment + xmp + data[25:]
    assert secret not in to_pdf(data)
    (note,) = [n for n in inspect(data).actions if n.code == "metadata-removed"]
    assert note.facts["items"] == ["comments", "xmp"]


def test_trailing_data_after_the_trailer() -> None:
    data = make_gif(2, 1, [_solid(2, 1, 1)], palette=PALETTE) + b"hidden"
    (note,) = [n for n in inspect(data).actions if n.code == "trailing-data-removed"]
    assert note.facts == {"bytes": 6, "kind": "gif"}


def test_pages_open_in_a_second_parser() -> None:
    import pypdf

    frames = [_solid(3, 2, i) for i in range(4)]
    pdf = to_pdf(make_gif(3, 2, frames, palette=PALETTE), all_frames=True)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 4
    assert [image.image.size for page in reader.pages for image in page.images] == [(3, 2)] * 4
