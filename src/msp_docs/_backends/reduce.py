"""``fit``'s pixel work: an image decoded once, downsampled and JPEG-encoded at each ladder step.

:func:`candidates` runs in an isolated child like every decoder: it decodes the source (a
JPEG or PNG input, or an image stream of a PDF input), downsamples it with Pillow's Lanczos
filter to each resolution of the ladder and encodes it as JPEG at each quality, and returns the
encodings; the pure planner (``msp_docs._fit``) then picks one per image. JPEGs are decoded at
the smallest DCT scale that still gives the resolution needed (libjpeg's scaled decoding:
a 48 MP photo wanted at 150 dpi on A4 is decoded at a quarter of its size, much faster).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from msp_docs._backends import _pillow
from msp_docs._fit import Step
from msp_docs._model import Kind
from msp_docs.limits import Limits

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "Candidate",
    "PdfImage",
    "Prepared",
    "Source",
    "candidates",
    "encode",
    "pdf_images",
    "prepare",
    "replace_pdf_image",
]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a reducible image's pixels come from, and how large it is drawn.

    Attributes:
        form: ``jpeg`` or ``png`` (a whole input file), ``dct`` (a JPEG stream of a PDF) or
            ``flate`` (a Flate image stream of a PDF, 8 bits per component).
        data: The file, or the stream's encoded bytes.
        width: Stored pixel width.
        height: Stored pixel height.
        components: 1 (grey) or 3 (RGB).
        shown_inches: Width and height the image is drawn at on its page (stored axes).
        decode_parms: The stream's ``/DecodeParms`` (``flate`` only).
    """

    form: Literal["jpeg", "png", "dct", "flate"]
    data: bytes
    width: int
    height: int
    components: int
    shown_inches: tuple[float, float]
    decode_parms: dict[str, int] | None = None

    @property
    def native_dpi(self) -> float:
        """The resolution the image has on its page (the lower of its two axes)."""
        return min(self.width / self.shown_inches[0], self.height / self.shown_inches[1])


@dataclass(frozen=True, slots=True)
class Candidate:
    """The image at one ladder step: JPEG bytes and their pixel size."""

    width: int
    height: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Prepared:
    """An image decoded and downsampled to its floor: 8-bit grey or RGB samples."""

    width: int
    height: int
    components: int
    pixels: bytes


#: An image (JPEGs after libjpeg's DCT scaling) is kept at its resolution while that is at most
#: this much above the floor: a Lanczos pass over a 12 MP photo costs 40 ms, and more pixels
#: above the floor only help the page. Ghostscript's ``/ebook`` uses the same threshold.
_RESIZE_ABOVE = 1.5


def prepare(source: Source, dpi: float, limits: Limits) -> Prepared:
    """Decode the image and downsample it to ``dpi`` on its page (in an isolated child).

    JPEGs are decoded at the smallest DCT scale that gives at least ``dpi``; the result is
    resized further only when it is more than 1.5 times larger than needed.

    This is the only part that reads untrusted data; what it returns are plain samples the
    caller encodes as it needs (:func:`encode`), so a JPEG quality the plan never reaches is
    never encoded.
    """
    from PIL import Image

    factor = min(1.0, dpi / source.native_dpi)
    size = (max(1, round(source.width * factor)), max(1, round(source.height * factor)))
    kind = _KINDS[source.form]
    with _pillow.pillow_errors(kind, limits, (source.width, source.height)) as decoding:
        image = _decode(source, size, decoding)
    mode = "L" if source.components == 1 else "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    if image.width > size[0] * _RESIZE_ABOVE:
        ratio = image.width / size[0]
        if round(ratio) >= 2 and abs(ratio - round(ratio)) < 0.01:
            # A scan at 300 dpi brought to 150: a box average of 2 x 2 pixels is exact there.
            image = image.reduce(round(ratio))
        else:
            # A box reduction to within twice the size, then Lanczos: as sharp, much faster.
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    return Prepared(image.width, image.height, source.components, image.tobytes())


def encode(prepared: Prepared, quality: int) -> Candidate:
    """JPEG of prepared samples (our own pixels, not untrusted data: no isolation needed)."""
    from PIL import Image

    mode = "L" if prepared.components == 1 else "RGB"
    image = Image.frombytes(mode, (prepared.width, prepared.height), prepared.pixels)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Candidate(prepared.width, prepared.height, buffer.getvalue())


def candidates(source: Source, steps: Sequence[Step], limits: Limits) -> list[Candidate]:
    """Every step encoded at once (in a child), for when the samples are too many to keep."""
    prepared = prepare(source, steps[0].dpi, limits)
    return [encode(prepared, step.quality) for step in steps]


#: What each form of source is, for the errors its decode may raise.
_KINDS = {"jpeg": Kind.JPEG, "png": Kind.PNG, "dct": Kind.PDF, "flate": Kind.PDF}


def _decode(source: Source, wanted: tuple[int, int], decoding: _pillow.Decoding) -> Image.Image:
    from PIL import Image

    if source.form in ("jpeg", "dct"):
        image = decoding.open(source.data, "JPEG")
        image.draft("L" if source.components == 1 else "RGB", wanted)
        image.load()
        return image
    if source.form == "png":
        image = decoding.open(source.data, "PNG")
        image.load()
        if image.mode in ("RGBA", "LA", "PA"):  # the alpha stays in the soft mask as it was
            image = image.convert("RGB" if image.mode != "LA" else "L")
        elif image.mode in ("I;16", "I;16B", "I"):
            image = image.point(lambda v: v / 256).convert("L")
        return image
    return Image.frombytes(
        "L" if source.components == 1 else "RGB",
        (source.width, source.height),
        _inflate_stream(source),
    )


def _inflate_stream(source: Source) -> bytes:
    """A Flate image stream decoded by qpdf (predictors included), bounded by its pixel size."""
    import pikepdf

    expected = source.width * source.height * source.components
    pdf = pikepdf.new()
    stream = pdf.make_stream(source.data)
    stream.Filter = pikepdf.Name.FlateDecode
    if source.decode_parms:
        parms: dict[str, Any] = {"/" + k: v for k, v in source.decode_parms.items()}
        stream.DecodeParms = pikepdf.Dictionary(parms)
    data = stream.read_bytes()
    if len(data) < expected:
        raise ValueError("image stream shorter than its size")
    return data[:expected]


# --- PDF inputs (in the caller, on the opened document) -----------------------------------------
@dataclass(frozen=True, slots=True)
class PdfImage:
    """An image XObject of a PDF input that ``fit`` may recompress."""

    objgen: tuple[int, int]
    source: Source
    bytes: int


#: Image streams smaller than this are left alone: not worth a JPEG's artefacts.
MIN_REDUCIBLE_BYTES = 64 * 1024


def pdf_images(document: Any) -> list[PdfImage]:
    """The image XObjects of an opened PDF that can be recompressed as JPEG.

    Only 8-bit grey or RGB images (device or ICC-based), DCT- or Flate-encoded, without a
    ``/Decode`` array, colour-key ``/Mask`` or stencil flag, and at least
    :data:`MIN_REDUCIBLE_BYTES` large. Each image is measured against the largest page it is
    used on, as if drawn over the whole page: its real resolution can only be higher, so the
    floor holds. Images in forms and patterns are left alone.
    """
    import pikepdf

    found: dict[tuple[int, int], PdfImage] = {}
    for page in document.pages:
        box = page.obj.get("/MediaBox")
        try:
            x0, y0, x1, y1 = (float(v) for v in box)
        except (TypeError, ValueError):
            continue
        inches = (abs(x1 - x0) / 72.0, abs(y1 - y0) / 72.0)
        resources = page.obj.get("/Resources")
        xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(xobjects, pikepdf.Dictionary):
            continue
        for _name, xobject in xobjects.items():
            described = _describe(xobject, inches)
            if described is None:
                continue
            known = found.get(described.objgen)
            if known is None or described.source.native_dpi < known.source.native_dpi:
                found[described.objgen] = described
    return list(found.values())


def _describe(xobject: Any, inches: tuple[float, float]) -> PdfImage | None:
    import pikepdf

    if not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != pikepdf.Name.Image:
        return None
    if any(key in xobject for key in ("/Decode", "/Mask", "/ImageMask")) or not xobject.is_indirect:
        return None
    filters = xobject.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        filters = filters[0] if len(filters) == 1 else None
    form = {"/DCTDecode": "dct", "/FlateDecode": "flate"}.get(str(filters))
    components = _components(xobject.get("/ColorSpace"))
    if form is None or components is None or int(xobject.get("/BitsPerComponent", 0)) != 8:
        return None
    raw = xobject.read_raw_bytes()
    if len(raw) < MIN_REDUCIBLE_BYTES:
        return None
    width, height = int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
    if width <= 0 or height <= 0:
        return None
    # The image is stored with its own axes; a landscape image on a portrait page is most
    # likely drawn turned, so match the long side with the long side.
    shown = inches if (width >= height) == (inches[0] >= inches[1]) else (inches[1], inches[0])
    parms = xobject.get("/DecodeParms")
    decode_parms: dict[str, int] | None = None
    if isinstance(parms, pikepdf.Dictionary):
        values: dict[str, Any] = {str(k)[1:]: v for k, v in parms.items()}
        decode_parms = {k: int(v) for k, v in values.items() if isinstance(v, int)}
    return PdfImage(
        xobject.objgen,
        Source(form, raw, width, height, components, shown, decode_parms),  # type: ignore[arg-type]
        len(raw),
    )


def _components(space: Any) -> int | None:
    import pikepdf

    if space == pikepdf.Name.DeviceGray:
        return 1
    if space == pikepdf.Name.DeviceRGB:
        return 3
    if isinstance(space, pikepdf.Array) and len(space) == 2 and space[0] == pikepdf.Name.ICCBased:
        n = space[1].get("/N")
        return int(n) if n in (1, 3) else None
    return None


def replace_pdf_image(document: Any, objgen: tuple[int, int], candidate: Candidate) -> None:
    """Store ``candidate`` in place of the image ``objgen`` (same object: every use follows)."""
    import pikepdf

    xobject = document.get_object(objgen)
    xobject.write(candidate.data, filter=pikepdf.Name.DCTDecode)
    xobject.Width = candidate.width
    xobject.Height = candidate.height
    xobject.BitsPerComponent = 8
    if "/DecodeParms" in xobject:
        del xobject["/DecodeParms"]
