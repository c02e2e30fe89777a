"""Page geometry for images: page size, placement and the matrix that applies EXIF orientation.

Everything here is pure arithmetic on numbers, property-tested in ``tests/unit``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from msp_docs.options import PageSize

__all__ = [
    "MAX_PAGE_SIDE",
    "MIN_PAGE_SIDE",
    "PAPER",
    "Layout",
    "Matrix",
    "layout",
    "orientation_matrix",
    "oriented_size",
    "usable_dpi",
]

#: PDF viewers' limits on a page side, in points (PDF 32000-1, annex C: 3 to 14 400 units).
MIN_PAGE_SIDE = 3.0
MAX_PAGE_SIDE = 14_400.0

#: Paper sizes in points, portrait (1 pt = 1/72 inch).
PAPER: dict[PageSize, tuple[float, float]] = {
    PageSize.A4: (210 / 25.4 * 72, 297 / 25.4 * 72),
    PageSize.LETTER: (612.0, 792.0),
}

#: Below or above these, a declared DPI is treated as absent (0/0 EXIF, 1 dpi, typos).
MIN_DPI = 10.0
MAX_DPI = 10_000.0

Matrix = tuple[float, float, float, float, float, float]

# EXIF orientation -> the transform of the unit square (PDF's image space, y up) that shows the
# stored image upright. Derived from the EXIF definitions: 2 mirror, 3 rotate 180, 4 flip,
# 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise.
_UNIT: dict[int, Matrix] = {
    1: (1, 0, 0, 1, 0, 0),
    2: (-1, 0, 0, 1, 1, 0),
    3: (-1, 0, 0, -1, 1, 1),
    4: (1, 0, 0, -1, 0, 1),
    5: (0, -1, -1, 0, 1, 1),
    6: (0, -1, 1, 0, 0, 1),
    7: (0, 1, 1, 0, 0, 0),
    8: (0, 1, -1, 0, 1, 0),
}


def oriented_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """Return the size as displayed: orientations 5-8 swap width and height."""
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def orientation_matrix(orientation: int, x: float, y: float, width: float, height: float) -> Matrix:
    """Return the ``cm`` matrix drawing an image upright into the box (x, y, width, height).

    ``width`` and ``height`` are the displayed box's, after orientation.
    """
    a, b, c, d, e, f = _UNIT.get(orientation, _UNIT[1])
    return (a * width, b * height, c * width, d * height, e * width + x, f * height + y)


def usable_dpi(dpi: tuple[float, float] | None) -> tuple[float, float] | None:
    """Return ``dpi`` if both values are plausible, else ``None`` (pure)."""
    if dpi is None:
        return None
    x, y = dpi
    if not all(math.isfinite(v) and MIN_DPI <= v <= MAX_DPI for v in (x, y)):
        return None
    return (float(x), float(y))


@dataclass(frozen=True, slots=True)
class Layout:
    """Where an image goes: the page box and the drawing matrix, in points.

    Attributes:
        page_width: MediaBox width.
        page_height: MediaBox height.
        box: The displayed image's box on the page (x, y, width, height).
        matrix: The ``cm`` matrix that draws the stored image upright into ``box``.
        dpi_assumed: The DPI used when the image declared none usable (``original`` only).
    """

    page_width: float
    page_height: float
    box: tuple[float, float, float, float]
    matrix: Matrix
    dpi_assumed: float | None = None


def _clamp(value: float) -> float:
    return min(MAX_PAGE_SIDE, max(MIN_PAGE_SIDE, value))


def _fit(
    content_w: float, content_h: float, page_w: float, page_h: float
) -> tuple[float, float, float, float]:
    """Scale (up or down) to fit inside the page keeping the aspect ratio, centred."""
    scale = min(page_w / content_w, page_h / content_h)
    w, h = content_w * scale, content_h * scale
    return ((page_w - w) / 2, (page_h - h) / 2, w, h)


def _round(values: tuple[float, ...]) -> tuple[float, ...]:
    # Four decimals: well below a printer dot, and the same text on every platform.
    return tuple(round(v, 4) + 0.0 for v in values)


def layout(
    width: int,
    height: int,
    *,
    orientation: int = 1,
    dpi: tuple[float, float] | None = None,
    page_size: PageSize = PageSize.A4,
    default_dpi: float = 150.0,
) -> Layout:
    """Compute the page for an image of ``width`` x ``height`` stored pixels.

    Paper sizes are turned landscape for a landscape image (after orientation); the image is
    scaled to fit and centred. ``ORIGINAL`` makes the page the image's physical size at its
    DPI (``default_dpi`` when it declares none usable), kept within PDF's page-size limits;
    a page side forced to a limit keeps the image's aspect ratio and centres it.
    """
    if width <= 0 or height <= 0:
        raise ValueError("image dimensions must be positive")
    shown_w, shown_h = oriented_size(width, height, orientation)
    assumed: float | None = None
    if page_size is PageSize.ORIGINAL:
        usable = usable_dpi(dpi)
        if usable is None:
            assumed = default_dpi
            usable = (default_dpi, default_dpi)
        # The DPI pair belongs to the stored axes; swap it with the axes.
        dpi_x, dpi_y = (usable[1], usable[0]) if orientation in (5, 6, 7, 8) else usable
        natural_w, natural_h = shown_w * 72.0 / dpi_x, shown_h * 72.0 / dpi_y
        page_w, page_h = natural_w, natural_h
        if max(page_w, page_h) > MAX_PAGE_SIDE:
            shrink = MAX_PAGE_SIDE / max(page_w, page_h)
            page_w, page_h = page_w * shrink, page_h * shrink
        page_w, page_h = _clamp(page_w), _clamp(page_h)
        box = _fit(natural_w, natural_h, page_w, page_h)
    else:
        paper_w, paper_h = PAPER[page_size]
        if shown_w > shown_h:
            paper_w, paper_h = paper_h, paper_w
        page_w, page_h = paper_w, paper_h
        box = _fit(float(shown_w), float(shown_h), page_w, page_h)
    x, y, w, h = _round(box)
    matrix = _round(orientation_matrix(orientation, x, y, w, h))
    pw, ph = _round((page_w, page_h))
    return Layout(pw, ph, (x, y, w, h), matrix, assumed)  # type: ignore[arg-type]
