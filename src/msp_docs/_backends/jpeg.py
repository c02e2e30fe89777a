"""JPEG normalisation: the entropy-coded data embedded as it is (DCTDecode), metadata stripped."""

from __future__ import annotations

from typing import Any

from msp_docs._backends import _pillow
from msp_docs._formats import jpeg as jpeg_format
from msp_docs._formats.common import (
    check_dimensions,
    metadata_note,
    orientation,
    reencoded_note,
    trailing_note,
)
from msp_docs._formats.exif import ExifFacts, exif_warning, read_exif
from msp_docs._geometry import oriented_size
from msp_docs._model import ICCColour, ImagePage, ImageResult, InputSpans, Kind, Note, RasterImage
from msp_docs.errors import MspDocsError, Reason, UnsupportedVariant
from msp_docs.limits import Limits
from msp_docs.options import Options

__all__ = ["normalise_jpeg", "prove_decodes"]

# Adobe applications store CMYK inverted; Pillow (and libjpeg users generally) read every
# 4-component JPEG that way, so the PDF is told to invert the samples back.
_INVERTED_CMYK = (1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0)


def normalise_jpeg(
    data: bytes, *, offset: int, limits: Limits, options: Options, prove: bool = True
) -> ImageResult:
    """Validate a JPEG completely and prepare its first image for a PDF page.

    The header is parsed by our own marker walker (``formats.jpeg``); the declared size is
    checked before anything is decoded. A JPEG that PDF readers can decode (baseline,
    extended 8-bit or progressive, Huffman-coded) is embedded as it is, minus its metadata
    segments; its entropy-coded data is still decoded once, at 1/8 scale, to prove it is
    complete. Other variants (arithmetic, lossless, 12-bit) are decoded and re-encoded
    losslessly, or refused when they cannot be decoded.

    With ``prove`` False the caller takes on the decode that proves the data complete (``fit``
    decodes the image anyway, at a larger scale: :func:`prove_decodes` or that decode must
    follow before the result is used).

    Raises:
        MspDocsError: see ``formats.jpeg.parse``; ``ImageTooLarge`` and ``InvalidDimensions``
            for the declared size; ``TruncatedInput``/``CorruptImage`` when the image data
            does not decode; ``UnsupportedVariant`` for what cannot be decoded at all.
    """
    parsed = jpeg_format.parse(data)
    frame = parsed.frame
    check_dimensions(frame.width, frame.height, limits)
    _pillow.guard(limits)
    actions: list[Note] = []
    warnings: list[Note] = []
    cleaned = parsed.cleaned(data)

    exif = read_exif(parsed.exif) if parsed.exif is not None else None
    if exif is not None and exif.problem is not None:
        warnings.append(exif_warning(exif))
    turn, turned, invalid = orientation(exif.orientation if exif is not None else None)
    dpi = parsed.jfif.dpi() if parsed.jfif is not None else None
    if dpi is None and exif is not None:
        dpi = exif.dpi

    components = len(frame.components)
    icc, ignored = _pillow.icc_colour(parsed.icc, components, parsed.icc_problem)
    if ignored is not None:
        warnings.append(ignored)

    unembeddable = frame.embeddable()
    if unembeddable is None:
        if prove:
            prove_decodes(cleaned, (frame.width, frame.height), limits)
        image = _passthrough(parsed, icc)
        actions.append(Note("passthrough", {"encoding": f"JPEG, {frame.process}"}))
    else:
        image = _reencode(parsed, cleaned, icc, unembeddable, limits)
        actions.append(reencoded_note(f"JPEG {frame.process}", "Flate", *unembeddable))
    if parsed.removed:
        actions.append(metadata_note(parsed.removed))
    if parsed.stray_bytes:
        actions.append(Note("stray-bytes-removed", {"bytes": parsed.stray_bytes}))
    for note in (turned, trailing_note(len(data) - parsed.end, "jpeg")):
        if note is not None:
            actions.append(note)
    if invalid is not None:
        warnings.append(invalid)

    width, height = oriented_size(frame.width, frame.height, turn)
    return ImageResult(
        pages=[ImagePage(image=image, orientation=turn, dpi=dpi)],
        width=width,
        height=height,
        dpi=dpi,
        actions=actions,
        warnings=warnings,
        details=_details(parsed, exif, len(data) - parsed.end, unembeddable),
    )


def prove_decodes(cleaned: bytes, size: tuple[int, int], limits: Limits) -> None:
    """Decode the entropy-coded data once, at the smallest scale libjpeg offers.

    At 1/8 scale libjpeg still Huffman-decodes every coefficient of every scan (that is what
    detects truncated or broken data) but computes only the DC term of each block, roughly
    half the time of a full decode. What libjpeg treats as a mere warning (corrupt bits that
    still form valid codes, a scan ended early by a marker) Pillow does not report; the marker
    walk has already checked the structure and counted the restart markers. ``size`` is the
    frame's declared (width, height).
    """
    with _pillow.pillow_errors(Kind.JPEG, limits, size) as decoding:
        image = decoding.open(cleaned, "JPEG")
        image.draft("L" if image.mode == "RGB" else image.mode, (1, 1))
        image.load()


def _passthrough(parsed: jpeg_format.JpegFile, icc: ICCColour | None) -> RasterImage:
    frame = parsed.frame
    components = len(frame.components)
    parms = None
    if components in (3, 4):
        # Say explicitly what libjpeg decided, so no reader guesses differently.
        parms = {"ColorTransform": 1 if parsed.colour_transform else 0}
    return RasterImage(
        width=frame.width,
        height=frame.height,
        bits_per_component=8,
        colour_space=icc or _pillow.device_colour(components),
        # As ranges of the input: an isolated child sends back numbers, not megabytes.
        data=InputSpans(tuple(parsed.parts)),
        filter="DCTDecode",
        decode_parms=parms,
        decode=_INVERTED_CMYK if components == 4 else None,
    )


def _reencode(
    parsed: jpeg_format.JpegFile,
    cleaned: bytes,
    icc: ICCColour | None,
    why: tuple[Reason, int | None],
    limits: Limits,
) -> RasterImage:
    frame = parsed.frame
    reason, value = why
    try:
        with _pillow.pillow_errors(Kind.JPEG, limits, (frame.width, frame.height)) as decoding:
            image = decoding.open(cleaned, "JPEG")
            image.load()
    except MspDocsError as exc:
        if frame.precision != 8 or frame.lossless or len(frame.components) not in (1, 3, 4):
            # Pillow drives libjpeg's 8-bit interface only, into L, RGB or CMYK: deeper
            # samples or other component counts cannot be decoded at all.
            raise UnsupportedVariant(
                detail=exc.detail, kind=Kind.JPEG, reason=reason, value=value
            ) from exc
        raise
    if image.mode not in ("L", "RGB", "CMYK") or image.size != (frame.width, frame.height):
        raise UnsupportedVariant(detail=image.mode, kind=Kind.JPEG, reason=reason, value=value)
    return _pillow.encode(image, icc)


def _details(
    parsed: jpeg_format.JpegFile,
    exif: ExifFacts | None,
    trailing: int,
    why: tuple[Reason, int | None] | None,
) -> dict[str, Any]:
    frame = parsed.frame
    components = len(frame.components)
    if components == 3:
        transform = "YCbCr" if parsed.colour_transform else "RGB"
    elif components == 4:
        transform = "YCCK" if parsed.colour_transform else "CMYK"
    else:
        transform = "grey"
    return {
        "format": "JPEG",
        "sof": frame.name,
        "process": frame.process,
        "progressive": frame.progressive,
        "arithmetic": frame.arithmetic,
        "precision": frame.precision,
        "components": components,
        "sampling": [f"{c.h}x{c.v}" for c in frame.components],
        "colour_transform": transform,
        "adobe_transform": parsed.adobe_transform,
        "jfif": ".".join(map(str, parsed.jfif.version)) if parsed.jfif else None,
        "icc_bytes": len(parsed.icc) if parsed.icc else 0,
        "exif_orientation": exif.orientation if exif is not None else None,
        "scans": parsed.scans,
        "restart_interval": parsed.restart_interval,
        "multi_picture": parsed.mpf,
        "metadata_removed": list(parsed.removed),
        "stray_bytes": parsed.stray_bytes,
        "trailing_bytes": trailing,
        "embedded": "DCTDecode (as it is)" if why is None else f"FlateDecode ({why[0]})",
    }
