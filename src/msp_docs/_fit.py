"""Planning ``fit``: which images to reduce, and how far, for the output to meet its size (pure).

Nothing here touches pixels. The backends measure, for each image that could be reduced, the
bytes it takes at each step of a ladder (:func:`ladder`: JPEG at decreasing resolution and
quality, never below the legibility floor); :func:`plan` then chooses a step per image so that
the whole output is at most the target. It starts from every image as it is (a JPEG that fits
passes through untouched, a lossless image stays lossless) and, while the total is over the
target, moves the image that currently takes the most bytes one step down its ladder: the
largest images give way first, small ones are left alone, and images end up at similar sizes
rather than one of them ruined. The plan meets the target by construction (the sizes are
measured, not guessed), or it reports the smallest total reachable, with every image at the
bottom of its ladder.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["QUALITIES", "FitPlan", "Reducible", "Step", "ladder", "plan"]

#: JPEG qualities tried, best first: fine steps where the eye sees them, coarse below.
QUALITIES = (95, 90, 85, 80, 75, 70, 65, 55, 45, 35, 25, 15)


@dataclass(frozen=True, slots=True)
class Step:
    """One way to store an image: its resolution on the page and JPEG quality."""

    dpi: float
    quality: int


@dataclass(frozen=True, slots=True)
class Reducible:
    """An image the plan may reduce: its bytes as it is, and its bytes at each step.

    Attributes:
        key: Anything that names the image for the caller.
        current: Bytes it takes as it is (step "as is", index -1).
        sizes: Bytes at each step of its ladder, best first.
    """

    key: object
    current: int
    sizes: Sequence[int]


@dataclass(frozen=True, slots=True)
class FitPlan:
    """The chosen step of each image (-1: as it is), and what the output then weighs.

    ``fits`` is False when even every image at the bottom of its ladder leaves the output over
    the target; ``total`` is then that smallest reachable size.
    """

    choice: Mapping[object, int]
    total: int
    fits: bool


def ladder(native_dpi: float, min_dpi: float) -> list[Step]:
    """The steps tried for an image shown at ``native_dpi`` on its page, best first.

    An image that has to give way is downsampled to the floor (the legibility floor, or its own
    resolution when it has less: it is never upsampled), then stored at the highest JPEG
    quality that fits. The floor is also the resolution of Ghostscript's ``/ebook`` setting;
    a resolution step above it was measured to cost more time (a Lanczos pass over the whole
    photo) than it gave in fidelity on pages read at screen resolution (docs/fit.md).
    """
    floor = min(native_dpi, min_dpi)
    return [Step(floor, q) for q in QUALITIES]


def plan(images: Sequence[Reducible], fixed: int, target: int) -> FitPlan:
    """Choose a step per image so that ``fixed`` + the images' bytes is at most ``target``.

    Args:
        images: The reducible images (keys unique). A step that would not make an image smaller
            than where it stands is skipped over.
        fixed: Bytes of everything else in the output (text, vector content, structure, images
            that are not reduced).
        target: The size to meet.
    """
    choice = {image.key: -1 for image in images}
    sizes = {image.key: image.current for image in images}
    total = fixed + sum(sizes.values())
    # Largest current size first; the index breaks ties so that keys are never compared.
    heap = [(-image.current, index) for index, image in enumerate(images)]
    heapq.heapify(heap)
    while total > target and heap:
        _, index = heapq.heappop(heap)
        image = images[index]
        step = _next_smaller(image, choice[image.key], sizes[image.key])
        if step is None:
            continue  # at the bottom of its ladder: it leaves the heap
        total += image.sizes[step] - sizes[image.key]
        sizes[image.key] = image.sizes[step]
        choice[image.key] = step
        heapq.heappush(heap, (-sizes[image.key], index))
    if total <= target:
        return FitPlan(choice, total, True)
    bottom = fixed + sum(min([image.current, *image.sizes]) for image in images)
    return FitPlan(choice, bottom, False)


def _next_smaller(image: Reducible, step: int, size: int) -> int | None:
    """The first step below ``step`` that takes fewer bytes than ``size``."""
    for candidate in range(step + 1, len(image.sizes)):
        if image.sizes[candidate] < size:
            return candidate
    return None
