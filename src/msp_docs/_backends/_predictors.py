"""Lossless image streams: PNG predictors where they pay, chosen per image, then fast deflate.

An image we re-encode (PNG with alpha, 16-bit or interlaced, GIF, a JPEG PDF readers cannot
decode, a soft mask) becomes a ``/FlateDecode`` stream. Before deflating, PNG predictors (PDF's
``/Predictor 15``) can turn smooth or flat rows into small numbers that compress better; on
noise they only add entropy. Which one pays is decided per image by a cheap test:
:func:`sample_rows` takes a few bands of rows spread over the image, each candidate filter is
applied to them and deflated at the fastest level, and :func:`plan` (pure) picks the smallest,
and a deflate level from how well the sample compressed: flat content (screenshots, scans of
clean pages) deflates fast even at a high level, noise is slow to search and gains nothing, so
it gets the fastest level. Filters run at C speed with Pillow's ``ImageChops`` on the rows seen
as one byte per pixel, which is how PNG defines them (``bpp`` bytes to the left, the byte above).

Paeth is not a candidate: it cannot be computed with Pillow's operations, and on our sets
(``benchmarks/bench_deflate.py``) the best of the three others came within 1 % of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from msp_docs._backends import _deflate

__all__ = [
    "Encoded",
    "Filter",
    "Plan",
    "encode_rows",
    "filtered",
    "plan",
    "sample_rows",
]


class Filter(IntEnum):
    """PNG filter types (the byte that starts each row under ``/Predictor 15``)."""

    NONE = 0
    SUB = 1
    UP = 2
    AVERAGE = 3


#: Candidates tried on the sample, cheapest to decode first (ties keep the earlier one).
CANDIDATES = (Filter.NONE, Filter.SUB, Filter.UP, Filter.AVERAGE)
#: A filter is used only when its sample is this much smaller than the unfiltered one.
FILTER_MARGIN = 0.02
#: Level used to compare candidates on the sample, and for noisy content.
FAST_LEVEL = 1
#: Level for content that deflates well: fast there, and it pays (see :func:`plan`).
FLAT_LEVEL = 9
#: Sample ratio (compressed / raw) under which content counts as flat.
FLAT_RATIO = 0.25
#: Below this many raw bytes the whole image is the sample.
WHOLE_IMAGE_BYTES = 256 * 1024
#: Rows per sampled band, and one row in SAMPLED_SHARE is sampled.
BAND_ROWS = 8
SAMPLED_SHARE = 32


@dataclass(frozen=True, slots=True)
class Plan:
    """How to encode one image: a filter for every row (or none at all) and a deflate level."""

    filter: Filter
    level: int


@dataclass(frozen=True, slots=True)
class Encoded:
    """A zlib stream of the image and whether its rows carry PNG filter bytes."""

    data: bytes
    predictor: bool
    plan: Plan


def plan(sample_sizes: Mapping[Filter, int], raw_size: int) -> Plan:
    """Choose the filter whose sample deflated smallest, and the level its ratio calls for (pure).

    Args:
        sample_sizes: Deflated size of the sample under each candidate filter (at least one).
        raw_size: Bytes of the sample before filtering (without filter bytes).
    """
    if not sample_sizes:
        raise ValueError("no candidate was measured")
    order = {f: i for i, f in enumerate(CANDIDATES)}
    best = min(sample_sizes, key=lambda f: (sample_sizes[f], order.get(f, len(order))))
    plain = sample_sizes.get(Filter.NONE)
    if plain is not None and sample_sizes[best] * (1 + FILTER_MARGIN) > plain:
        best = Filter.NONE  # a filter costs a byte a row and slower reading: it must pay
    ratio = sample_sizes[best] / raw_size if raw_size > 0 else 0.0
    return Plan(best, FLAT_LEVEL if ratio < FLAT_RATIO else FAST_LEVEL)


def sample_rows(height: int, row_bytes: int) -> list[tuple[int, int]]:
    """The (first, end) rows of the bands tested, spread evenly over the image (pure)."""
    if height * row_bytes <= WHOLE_IMAGE_BYTES or height <= BAND_ROWS * 4:
        return [(0, height)]
    bands = max(4, height // (BAND_ROWS * SAMPLED_SHARE))
    step = height / bands
    out = []
    for index in range(bands):
        first = int(index * step + step / 2) - BAND_ROWS // 2
        first = min(max(first, 0), height - BAND_ROWS)
        out.append((first, first + BAND_ROWS))
    return out


def filtered(raw: bytes, row_bytes: int, bpp: int, kind: Filter) -> bytes:
    """Rows of ``raw`` filtered with ``kind``, each preceded by its filter-type byte.

    The row above the first and the bytes left of each row's first pixel count as zeros, as at
    the top and left edges of a PNG image.

    Args:
        raw: Whole rows of ``row_bytes`` bytes each.
        row_bytes: Bytes per row (PNG's packing: samples big-endian, rows padded to a byte).
        bpp: Bytes per complete pixel, at least 1 (PNG's "bpp" for bit depths under 8 too).
        kind: The filter of every row.
    """
    from PIL import Image, ImageChops

    rows = len(raw) // row_bytes
    image = Image.frombytes("L", (row_bytes, rows), raw)
    if kind == Filter.NONE:
        body = image
    else:
        # Out of the image, crop() reads zeros: the left neighbour and the row above.
        left = image.crop((-bpp, 0, row_bytes - bpp, rows))
        up = image.crop((0, -1, row_bytes, rows - 1))
        if kind == Filter.SUB:
            predictor = left
        elif kind == Filter.UP:
            predictor = up
        else:  # add() gives (left + up) / 2 truncated: PNG's floor of the mean
            predictor = ImageChops.add(left, up, scale=2.0)
        body = ImageChops.subtract_modulo(image, predictor)
    out = Image.new("L", (row_bytes + 1, rows), int(kind))
    out.paste(body, (1, 0))
    return out.tobytes()


def encode_rows(raw: bytes, row_bytes: int, bpp: int, *, bits: int = 8) -> Encoded:
    """Deflate whole rows with the filter and level a sample of them calls for.

    With :attr:`Filter.NONE` chosen the rows are deflated as they are, without filter bytes
    (no ``/Predictor`` then: smaller and faster to read). Below 8 bits per sample (palette
    indices, bi-level) no filter is tried: they rarely pay on such images, and readers differ
    there (pypdf reads the "byte to the left" differently from the PNG specification).
    """
    height = len(raw) // row_bytes if row_bytes else 0
    if height == 0:
        return Encoded(_deflate.compress(raw, FAST_LEVEL), False, Plan(Filter.NONE, FAST_LEVEL))
    candidates = CANDIDATES if bits >= 8 else (Filter.NONE,)
    sizes = _measure(raw, row_bytes, bpp, sample_rows(height, row_bytes), candidates)
    chosen = plan(sizes, _sampled_bytes(height, row_bytes))
    if chosen.filter == Filter.NONE:
        return Encoded(_deflate.compress(raw, chosen.level), False, chosen)
    rows = filtered(raw, row_bytes, bpp, chosen.filter)
    return Encoded(_deflate.compress(rows, chosen.level), True, chosen)


def _sampled_bytes(height: int, row_bytes: int) -> int:
    return sum(end - first for first, end in sample_rows(height, row_bytes)) * row_bytes


def _measure(
    raw: bytes,
    row_bytes: int,
    bpp: int,
    bands: list[tuple[int, int]],
    candidates: tuple[Filter, ...],
) -> dict[Filter, int]:
    """Deflated size of the sampled bands under each candidate filter, at the fast level.

    Each band is taken with the row above it, so that the filters see what they would see in
    the whole image; those context rows are filtered but not counted.
    """
    view = memoryview(raw)
    whole = bands == [(0, len(raw) // row_bytes)]
    parts: list[bytes | memoryview] = []
    for first, end in bands:
        if not whole:
            parts.append(
                view[(first - 1) * row_bytes : first * row_bytes] if first else bytes(row_bytes)
            )
        parts.append(view[first * row_bytes : end * row_bytes])
    sample = raw if whole else b"".join(parts)
    # Without a filter the rows are deflated as they are, without filter bytes or context.
    plain = raw if whole else b"".join(parts[1::2])
    sizes: dict[Filter, int] = {Filter.NONE: len(_deflate.compress(plain, FAST_LEVEL))}
    stride = row_bytes + 1
    for kind in candidates:
        if kind == Filter.NONE:
            continue
        rows = filtered(sample, row_bytes, bpp, kind)
        if not whole:
            view_rows = memoryview(rows)
            pieces, at = [], 0
            for first, end in bands:
                at += stride  # the context row
                pieces.append(view_rows[at : at + (end - first) * stride])
                at += (end - first) * stride
            rows = b"".join(pieces)
        sizes[kind] = len(_deflate.compress(rows, FAST_LEVEL))
    return sizes
