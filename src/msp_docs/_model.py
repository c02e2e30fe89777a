"""The values that flow between pipeline stages: kinds, notes, images ready for a PDF page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

__all__ = [
    "DeviceColour",
    "ICCColour",
    "ImagePage",
    "ImageResult",
    "IndexedColour",
    "InputSpans",
    "Kind",
    "Note",
    "PdfResult",
    "RasterImage",
]


class Kind(StrEnum):
    """The kinds of file the wallet accepts (rule D1), decided from the bytes."""

    PDF = "pdf"
    PNG = "png"
    GIF = "gif"
    JPEG = "jpeg"


@dataclass(frozen=True, slots=True)
class Note:
    """An action taken on an input, or a warning about it: a stable code plus facts.

    The message is rendered from the code and facts in the report's language; see
    ``msp_docs._messages`` for the list of codes.
    """

    code: str
    facts: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        """Render this note in ``lang``."""
        from msp_docs._messages import render_note

        return render_note(self.code, self.facts, lang)


# --- colour spaces of PDF image XObjects --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DeviceColour:
    """A device colour space: ``DeviceGray``, ``DeviceRGB`` or ``DeviceCMYK``."""

    name: Literal["DeviceGray", "DeviceRGB", "DeviceCMYK"]

    @property
    def components(self) -> int:
        """Number of colour components."""
        return {"DeviceGray": 1, "DeviceRGB": 3, "DeviceCMYK": 4}[self.name]


@dataclass(frozen=True, slots=True)
class ICCColour:
    """An ``ICCBased`` colour space: the embedded profile, its component count and fallback."""

    profile: bytes
    components: int
    alternate: DeviceColour


@dataclass(frozen=True, slots=True)
class IndexedColour:
    """An ``Indexed`` colour space: a palette of ``hival + 1`` entries over a base space."""

    base: DeviceColour | ICCColour
    hival: int
    lookup: bytes


ColourSpace = DeviceColour | ICCColour | IndexedColour


@dataclass(frozen=True, slots=True)
class InputSpans:
    """Image data given as byte ranges of the input itself, concatenated: ``data[a:b] + ...``.

    A passthrough backend (a JPEG minus its metadata segments, a PNG's IDAT chunks) can answer
    with spans instead of bytes; an isolated child then sends back a few numbers instead of
    megabytes, and the caller, which holds the input, rebuilds the data
    (:func:`msp_docs._pipeline.resolve_spans`). A part may also be literal bytes (a rewritten
    header between two ranges of the input).
    """

    spans: tuple[tuple[int, int] | bytes, ...]

    def join(self, source: bytes) -> bytes:
        """The data these spans select from ``source``."""
        view = memoryview(source)
        return b"".join(p if isinstance(p, bytes) else view[p[0] : p[1]] for p in self.spans)


@dataclass(frozen=True, slots=True, kw_only=True)
class RasterImage:
    """An image XObject ready to be written into a PDF, its data already encoded.

    Attributes:
        width: Width in pixels, as stored (before any orientation is applied).
        height: Height in pixels, as stored.
        bits_per_component: 1, 2, 4, 8 or 16.
        colour_space: The PDF colour space of the samples.
        data: The encoded sample data (the stream's content), or spans of the input that hold
            it (resolved to bytes by the pipeline before the merge).
        filter: ``DCTDecode`` (JPEG passed through), ``FlateDecode`` or ``None`` (raw).
        decode_parms: ``/DecodeParms`` of the filter (PNG predictors), if any.
        decode: ``/Decode`` array, e.g. the inverted ranges of an Adobe CMYK JPEG.
        soft_mask: Greyscale alpha as an ``/SMask`` image, same width and height.
        colour_key_mask: ``/Mask`` colour-key ranges (min, max per component) for a
            transparent colour or palette index, as PNG tRNS and GIF transparency give them.
    """

    width: int
    height: int
    bits_per_component: int
    colour_space: ColourSpace
    data: bytes | InputSpans
    filter: Literal["DCTDecode", "FlateDecode"] | None
    decode_parms: Mapping[str, int] | None = None
    decode: tuple[float, ...] | None = None
    soft_mask: RasterImage | None = None
    colour_key_mask: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ImagePage:
    """One page made of one image.

    Attributes:
        image: The image to draw.
        orientation: EXIF orientation 1..8 to apply when drawing (1 = as stored). Mirrored
            orientations are applied by the drawing matrix, so the data stays untouched.
        dpi: Resolution the file declares (x, y), if it declares a usable one.
    """

    image: RasterImage
    orientation: int = 1
    dpi: tuple[float, float] | None = None


@dataclass(slots=True, kw_only=True)
class ImageResult:
    """What an image backend gives for one input: its pages and what it did.

    Attributes:
        pages: One page per image (one per frame when all frames were asked for).
        width: Pixel width as displayed (after orientation).
        height: Pixel height as displayed.
        dpi: Declared DPI (x, y) or ``None``.
        actions: What was done (e.g. ``metadata-removed``, ``exif-rotated``, ``reencoded``).
        warnings: What the user should know (e.g. ``animation-first-frame``).
        details: Format facts for ``inspect`` (colour type, bit depth, SOF type...).
    """

    pages: list[ImagePage]
    width: int
    height: int
    dpi: tuple[float, float] | None = None
    actions: list[Note] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class PdfResult:
    """What the PDF backend gives for one input: an opened, repaired, sanitised document.

    Attributes:
        document: The backend's document handle (a ``pikepdf.Pdf``); only backends touch it.
        pages: Number of pages.
        actions: What was done (``repaired``, ``javascript-removed``, ``decrypted``...).
        warnings: What the user should know (``signature-invalidated``...).
        details: Facts for ``inspect`` (version, encryption, form fields, page sizes...).
    """

    document: Any
    pages: int
    actions: list[Note] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
