"""Page geometry: orientation matrices against Pillow, fit and page-size properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msp_docs._geometry import (
    MAX_PAGE_SIDE,
    MIN_PAGE_SIDE,
    PAPER,
    layout,
    orientation_matrix,
    oriented_size,
    usable_dpi,
)
from msp_docs.options import PageSize


def _apply(matrix: tuple[float, ...], u: float, v: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return (a * u + c * v + e, b * u + d * v + f)


def _render(pixels: list[list[int]], orientation: int) -> list[list[int]]:
    """Show a stored image as a PDF viewer would with our matrix, sampling pixel centres.

    The stored image fills PDF's unit square with row 0 at the top (v = 1); the matrix maps it
    into a box of the displayed size; we read back each displayed pixel centre.
    """
    height, width = len(pixels), len(pixels[0])
    shown_w, shown_h = oriented_size(width, height, orientation)
    matrix = orientation_matrix(orientation, 0, 0, shown_w, shown_h)
    a, b, c, d, e, f = matrix
    det = a * d - b * c
    out = []
    for row in range(shown_h):
        line = []
        for col in range(shown_w):
            x, y = col + 0.5, shown_h - row - 0.5  # displayed pixel centre, y up
            u = (d * (x - e) - c * (y - f)) / det
            v = (-b * (x - e) + a * (y - f)) / det
            line.append(pixels[int((1 - v) * height)][int(u * width)])
        out.append(line)
    return out


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_matrix_matches_pillow_exif_transpose(orientation: int) -> None:
    from PIL import Image, ImageOps

    width, height = 5, 3
    stored = Image.new("L", (width, height))
    stored.putdata(list(range(width * height)))
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.info["exif"] = exif.tobytes()
    stored.getexif()[0x0112] = orientation
    expected = ImageOps.exif_transpose(stored)
    assert expected is not None
    want = [
        [expected.getpixel((x, y)) for x in range(expected.width)] for y in range(expected.height)
    ]
    pixels = [[stored.getpixel((x, y)) for x in range(width)] for y in range(height)]
    assert _render(pixels, orientation) == want


sizes = st.integers(min_value=1, max_value=200_000)
orientations = st.integers(min_value=1, max_value=8)
dpis = st.one_of(
    st.none(),
    st.tuples(
        st.one_of(st.floats(min_value=0, max_value=1e6), st.just(float("nan"))),
        st.one_of(st.floats(min_value=0, max_value=1e6), st.just(float("inf"))),
    ),
)


@given(
    width=sizes,
    height=sizes,
    orientation=orientations,
    dpi=dpis,
    page_size=st.sampled_from(list(PageSize)),
)
def test_layout_is_always_a_valid_page_with_the_image_inside(
    width: int,
    height: int,
    orientation: int,
    dpi: tuple[float, float] | None,
    page_size: PageSize,
) -> None:
    result = layout(width, height, orientation=orientation, dpi=dpi, page_size=page_size)
    assert MIN_PAGE_SIDE <= result.page_width <= MAX_PAGE_SIDE
    assert MIN_PAGE_SIDE <= result.page_height <= MAX_PAGE_SIDE
    x, y, w, h = result.box
    assert w > 0 and h > 0
    tolerance = 1e-3
    assert x >= -tolerance and y >= -tolerance
    assert x + w <= result.page_width + tolerance
    assert y + h <= result.page_height + tolerance
    # The image keeps its aspect ratio (unless a side is pinned to PDF's 3 pt minimum).
    shown_w, shown_h = oriented_size(width, height, orientation)
    if min(w, h) > 1:
        assert math.isclose(w / h, shown_w / shown_h, rel_tol=1e-2)
    # The four corners of the stored image land on the box's corners.
    corners = {_apply(result.matrix, u, v) for u in (0, 1) for v in (0, 1)}
    expected = {(x, y), (x + w, y), (x, y + h), (x + w, y + h)}
    for cx, cy in corners:
        assert any(abs(cx - ex) < 1e-2 and abs(cy - ey) < 1e-2 for ex, ey in expected)


@given(width=sizes, height=sizes, orientation=orientations)
def test_paper_sizes_follow_the_displayed_orientation(
    width: int, height: int, orientation: int
) -> None:
    result = layout(width, height, orientation=orientation, page_size=PageSize.A4)
    shown_w, shown_h = oriented_size(width, height, orientation)
    portrait_w, portrait_h = PAPER[PageSize.A4]
    if shown_w > shown_h:
        assert (result.page_width, result.page_height) == (
            round(portrait_h, 4),
            round(portrait_w, 4),
        )
    else:
        assert (result.page_width, result.page_height) == (
            round(portrait_w, 4),
            round(portrait_h, 4),
        )
    # Scaled to fit: it touches two opposite sides of the page.
    _, _, w, h = result.box
    assert math.isclose(w, result.page_width, abs_tol=1e-2) or math.isclose(
        h, result.page_height, abs_tol=1e-2
    )


def test_original_size_uses_dpi_and_defaults_when_absent_or_absurd() -> None:
    at_300 = layout(2480, 3508, dpi=(300, 300), page_size=PageSize.ORIGINAL)
    assert (round(at_300.page_width), round(at_300.page_height)) == (595, 842)
    assert at_300.dpi_assumed is None
    for bad in (None, (0, 0), (1, 1), (float("nan"), 300), (1e9, 1e9)):
        result = layout(300, 150, dpi=bad, page_size=PageSize.ORIGINAL, default_dpi=150)
        assert result.dpi_assumed == 150
        assert (result.page_width, result.page_height) == (144, 72)


def test_tiny_and_huge_images_give_valid_pages() -> None:
    tiny = layout(1, 1, page_size=PageSize.ORIGINAL)
    assert tiny.page_width == tiny.page_height == MIN_PAGE_SIDE
    huge = layout(200_000, 10, dpi=(10, 10), page_size=PageSize.ORIGINAL)
    assert huge.page_width == MAX_PAGE_SIDE
    assert huge.page_height >= MIN_PAGE_SIDE


def test_dpi_swaps_with_the_axes_for_rotated_images() -> None:
    result = layout(200, 100, orientation=6, dpi=(100, 50), page_size=PageSize.ORIGINAL)
    # Stored 200 px wide at 100 dpi = 2 in; displayed as the height.
    assert (result.page_width, result.page_height) == (144, 144)


def test_usable_dpi() -> None:
    assert usable_dpi((300, 300)) == (300.0, 300.0)
    assert usable_dpi((0, 0)) is None
    assert usable_dpi(None) is None
