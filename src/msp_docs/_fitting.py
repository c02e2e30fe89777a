"""The ``fit`` stage: when the merged PDF is over the size asked for, reduce images until it fits.

Runs after the merge, only when ``Options.fit`` is set and the output is too large:

1. collect the images that may be reduced (image inputs, and image streams of PDF inputs);
2. measure each at every step of its ladder, in isolated children (``_backends/reduce``);
3. plan a step per image (``_fit.plan``, pure); if even the bottom of every ladder is too
   large, refuse with :class:`CannotFit` naming the smallest size reachable;
4. apply the plan and merge again; the output is measured, and should the PDF's own overhead
   have moved by a few bytes, the plan is made again for a target lowered by the excess.

Inputs and images that fit stay as they are. Text, vector content, forms and bookmarks of PDF
inputs are not touched: only image streams are replaced, in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from msp_docs import _fit
from msp_docs import _isolation as isolation
from msp_docs._geometry import layout
from msp_docs._model import (
    DeviceColour,
    ICCColour,
    ImagePage,
    ImageResult,
    InputSpans,
    Note,
    PdfResult,
    RasterImage,
)
from msp_docs.errors import CannotFit, MspDocsError
from msp_docs.limits import Limits
from msp_docs.options import Options

__all__ = ["FitInput", "fit_target", "floor_samples", "image_source", "make_fit"]

#: Re-plans allowed when the merged output comes out a few bytes over the plan.
_ATTEMPTS = 3
#: Downsampled samples kept in this process for encoding on demand (see ``_measure``).
_KEPT_SAMPLES = 256 * 1024 * 1024


@dataclass(slots=True)
class FitInput:
    """One accepted input, as the fit stage sees it."""

    data: bytes
    kind: str
    result: ImageResult | PdfResult
    actions: list[Note]
    prepared: Any = None  # samples at the floor, made by the child that validated the input


@dataclass(slots=True)
class _Item:
    """A reducible image: where it lives, its pixel source, ladder and encodings."""

    owner: FitInput
    page: int | None  # index of the page of an image input; None for a PDF image
    objgen: tuple[int, int] | None
    source: Any  # reduce.Source
    current: int
    steps: list[_fit.Step]
    encodings: Sequence[Any]  # reduce.Candidate, one per step (made on demand)
    original: ImagePage | None = None


class _Encodings(Sequence[Any]):
    """An image's encoding at each ladder step, made the first time the plan looks at it."""

    def __init__(self, prepared: Any, steps: Sequence[_fit.Step]) -> None:
        self.prepared = prepared
        self.steps = steps
        self.made: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: Any) -> Any:
        from msp_docs._backends.reduce import encode

        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index not in self.made:
            self.made[index] = encode(self.prepared, self.steps[index].quality)
        return self.made[index]


class _Sizes(Sequence[int]):
    """The byte size at each step, read through :class:`_Encodings` (so, on demand too)."""

    def __init__(self, encodings: Sequence[Any]) -> None:
        self.encodings = encodings

    def __len__(self) -> int:
        return len(self.encodings)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [len(e.data) for e in self.encodings[index]]
        return len(self.encodings[index].data)


def fit_target(limits: Limits, options: Options) -> int | None:
    """The size the output must meet under ``fit``, or ``None`` without it."""
    if options.fit is None:
        return None
    return min(options.fit, limits.max_output_bytes)


def make_fit(
    inputs: Sequence[FitInput],
    merged: bytes | None,
    target: int,
    *,
    remerge: Callable[[], bytes],
    limits: Limits,
    options: Options,
) -> bytes:
    """Reduce images until the output is at most ``target``; return the output.

    ``merged`` is the output as merged without reduction, or ``None`` when the caller skipped
    that merge (the inputs alone exceeded the target): what cannot be reduced is then measured
    on a merge with the image inputs' pictures left empty, which copies none of their bytes.

    Raises:
        CannotFit: with every image at the bottom of its ladder the output is still too large.
    """
    items = _collect(inputs, options)
    _measure(items, limits, options)
    items = [item for item in items if item.encodings]
    if merged is None:
        _apply_placeholders(items)
        light = remerge()
        fixed = len(light) - sum(item.current for item in items if item.objgen is not None)
    else:
        fixed = len(merged) - sum(item.current for item in items)
    goal = target
    data = b""
    for _ in range(_ATTEMPTS):
        reducible = [
            _fit.Reducible(key=index, current=item.current, sizes=_Sizes(item.encodings))
            for index, item in enumerate(items)
        ]
        chosen = _fit.plan(reducible, fixed, goal)
        if not chosen.fits:
            raise CannotFit(
                target=target, smallest=chosen.total, min_dpi=options.min_dpi, fixed=fixed
            )
        _apply(items, chosen.choice, options)
        data = remerge()
        if len(data) <= target:
            _report(items, chosen.choice)
            return data
        goal -= len(data) - target
    raise CannotFit(target=target, smallest=len(data), min_dpi=options.min_dpi, fixed=fixed)


# --- 1. what can be reduced ---------------------------------------------------------------------
def _collect(inputs: Sequence[FitInput], options: Options) -> list[_Item]:
    from msp_docs._backends import reduce

    items: list[_Item] = []
    for owner in inputs:
        result = owner.result
        if isinstance(result, PdfResult):
            for found in reduce.pdf_images(result.document):
                items.append(
                    _item(owner, None, found.objgen, found.source, found.bytes, options=options)
                )
            continue
        source = image_source(owner.kind, owner.data, result, options)
        if source is None:
            continue
        page = result.pages[0]
        item = _item(owner, 0, None, source, _size(page.image.data), options=options)
        item.original = page
        if owner.prepared is not None:
            item.encodings = _Encodings(owner.prepared, item.steps)
        items.append(item)
    return items


def image_source(kind: str, data: bytes, result: ImageResult, options: Options) -> Any:
    """Where the pixels of an image input come from, if ``fit`` may reduce it, else ``None``.

    Reducible: a JPEG or PNG of one page, grey or RGB, without a colour key, of at least
    ``reduce.MIN_REDUCIBLE_BYTES``. A JPEG's source is its data as embedded (metadata and stray
    bytes removed: what validation proved decodes), a PNG's the whole file. Works in a child
    (image data still given as spans of ``data``) and in the caller.
    """
    from msp_docs._backends import reduce

    if kind not in ("jpeg", "png") or len(result.pages) != 1:
        return None  # GIF frames and animations: small, palette-based, left lossless
    page = result.pages[0]
    image = page.image
    components = _components(image)
    if (
        components is None
        or image.colour_key_mask is not None
        or _size(image.data) < reduce.MIN_REDUCIBLE_BYTES
    ):
        return None
    geometry = layout(
        image.width,
        image.height,
        orientation=page.orientation,
        dpi=page.dpi,
        page_size=options.page_size,
        default_dpi=options.default_dpi,
    )
    _x, _y, box_w, box_h = geometry.box
    if page.orientation in (5, 6, 7, 8):
        box_w, box_h = box_h, box_w  # back to the stored axes
    if kind == "jpeg" and image.filter == "DCTDecode":
        pixels = image.data.join(data) if isinstance(image.data, InputSpans) else image.data
    else:
        pixels = data
    return reduce.Source(
        "jpeg" if kind == "jpeg" else "png",
        pixels,
        image.width,
        image.height,
        components,
        (box_w / 72.0, box_h / 72.0),
    )


def floor_samples(source: Any, options: Options) -> int:
    """Bytes of the samples ``source`` has at the floor (what :func:`reduce.prepare` returns)."""
    floor = _fit.ladder(source.native_dpi, options.min_dpi)[0].dpi
    factor = min(1.0, floor / source.native_dpi)
    return int(source.width * source.height * factor * factor * source.components)


def _size(data: bytes | InputSpans) -> int:
    if isinstance(data, bytes):
        return len(data)
    return sum(p[1] - p[0] if isinstance(p, tuple) else len(p) for p in data.spans)


def _item(
    owner: FitInput,
    page: int | None,
    objgen: tuple[int, int] | None,
    source: Any,
    current: int,
    *,
    options: Options,
) -> _Item:
    steps = _fit.ladder(source.native_dpi, options.min_dpi)
    return _Item(owner, page, objgen, source, current, steps, [])


def _components(image: RasterImage) -> int | None:
    space = image.colour_space
    if image.bits_per_component not in (8, 16):
        return None
    if isinstance(space, DeviceColour) and space.name in ("DeviceGray", "DeviceRGB"):
        return space.components
    if isinstance(space, ICCColour) and space.components in (1, 3):
        return space.components
    return None


# --- 2. measuring, in children ------------------------------------------------------------------
def _measure(items: list[_Item], limits: Limits, options: Options) -> None:
    """Decode and downsample every image in children; encode on demand here.

    Samples come back to this process while they total at most ``_KEPT_SAMPLES``; past that,
    children encode every step themselves and only the JPEGs come back (memory stays bounded
    for a PDF of hundreds of scans, at the price of encodings the plan may not need).
    """
    from msp_docs._backends.reduce import candidates, prepare

    items = [item for item in items if not item.encodings]  # prepared by their first child
    if not items:
        return
    budget = _KEPT_SAMPLES
    calls: list[tuple[Any, tuple[Any, ...]]] = []
    for item in items:
        floor = item.steps[0].dpi
        factor = min(1.0, floor / item.source.native_dpi)
        samples = item.source.width * item.source.height * factor * factor * item.source.components
        if samples <= budget:
            budget -= int(samples)
            calls.append((prepare, (item.source, floor, limits)))
        else:
            calls.append((candidates, (item.source, item.steps, limits)))
    values: list[Any]
    if options.isolate and isolation.available():
        jobs = [
            isolation.Job(function, args, cost=item.source.width * item.source.height)
            for (function, args), item in zip(calls, items, strict=True)
        ]
        outcomes = isolation.run_jobs(
            jobs, seconds=limits.max_seconds_per_input, memory_bytes=limits.max_memory_bytes
        )
        # An image that cannot be measured (it decoded before: only a time or memory limit can
        # stop it now) stays as it is and counts as fixed.
        values = [outcome.value for outcome in outcomes]
    else:
        values = []
        for function, args in calls:
            try:
                values.append(function(*args))
            except MspDocsError:
                values.append(None)
    for item, value in zip(items, values, strict=True):
        if value is None:
            item.encodings = []
        elif isinstance(value, list):
            item.encodings = value
        else:
            item.encodings = _Encodings(value, item.steps)


def _apply_placeholders(items: list[_Item]) -> None:
    """Empty the image inputs' pictures (a merge then weighs everything else)."""
    for item in items:
        if item.objgen is None and item.original is not None and item.page is not None:
            result = item.owner.result
            assert isinstance(result, ImageResult)
            empty = replace(item.original.image, data=b"")
            result.pages[item.page] = replace(item.original, image=empty)


# --- 4. applying the plan -----------------------------------------------------------------------
def _apply(items: list[_Item], choice: Any, options: Options) -> None:
    from msp_docs._backends.reduce import replace_pdf_image

    for index, item in enumerate(items):
        step = choice[index]
        if item.objgen is not None:
            if step >= 0:
                result = item.owner.result
                assert isinstance(result, PdfResult)
                replace_pdf_image(result.document, item.objgen, item.encodings[step])
            continue
        result = item.owner.result
        assert (
            isinstance(result, ImageResult) and item.original is not None and item.page is not None
        )
        if step < 0:
            result.pages[item.page] = item.original
            continue
        encoded = item.encodings[step]
        original = item.original
        image = original.image
        scale = encoded.width / image.width
        # The page keeps its size when it comes from the image's own resolution (``original``).
        dpi = original.dpi or (options.default_dpi, options.default_dpi)
        result.pages[item.page] = replace(
            original,
            image=replace(
                image,
                width=encoded.width,
                height=encoded.height,
                bits_per_component=8,
                data=encoded.data,
                filter="DCTDecode",
                decode_parms=None,
                decode=None,
            ),
            dpi=(dpi[0] * scale, dpi[1] * scale),
        )


def _report(items: list[_Item], choice: Any) -> None:
    for index, item in enumerate(items):
        step = choice[index]
        if step < 0:
            continue
        encoded = item.encodings[step]
        image_input = item.objgen is None
        item.owner.actions.append(
            Note(
                "fit-reduced",
                {
                    "what": "image" if image_input else "pdf-image",
                    "from_width": item.source.width,
                    "from_height": item.source.height,
                    "from_bytes": item.current,
                    "to_width": encoded.width,
                    "to_height": encoded.height,
                    "to_bytes": len(encoded.data),
                    # What it has on its page: the floor, or up to 1.5 times it (see reduce).
                    "dpi": round(item.source.native_dpi * encoded.width / item.source.width),
                    "quality": item.steps[step].quality,
                },
            )
        )
