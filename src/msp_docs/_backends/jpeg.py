"""JPEG normalisation (placeholder: DCT passthrough of the whole file)."""

from __future__ import annotations

import io

from msp_docs.errors import CorruptImage
from msp_docs.limits import Limits
from msp_docs.model import DeviceColour, ImagePage, ImageResult, InputSpans, RasterImage
from msp_docs.options import Options

__all__ = ["normalise_jpeg"]


def normalise_jpeg(data: bytes, *, offset: int, limits: Limits, options: Options) -> ImageResult:
    """Validate and normalise a JPEG."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            mode = im.mode
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptImage(str(exc), kind="jpeg", reason=str(exc)) from exc
    colour = {"L": "DeviceGray", "CMYK": "DeviceCMYK"}.get(mode, "DeviceRGB")
    image = RasterImage(
        width=width,
        height=height,
        bits_per_component=8,
        colour_space=DeviceColour(colour),  # type: ignore[arg-type]
        data=InputSpans(((0, len(data)),)),
        filter="DCTDecode",
    )
    return ImageResult(pages=[ImagePage(image=image)], width=width, height=height)
