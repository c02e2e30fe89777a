"""PNG normalisation (placeholder until the format backend lands: Pillow decode, Flate)."""

from __future__ import annotations

import io
import zlib

from msp_docs.errors import CorruptImage, ImageTooLarge, TruncatedInput
from msp_docs.limits import Limits
from msp_docs.model import DeviceColour, ImagePage, ImageResult, RasterImage
from msp_docs.options import Options

__all__ = ["normalise_png"]


def normalise_png(data: bytes, *, offset: int, limits: Limits, options: Options) -> ImageResult:
    """Validate and normalise a PNG."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as opened:
            width, height = opened.size
            if width * height > limits.max_image_pixels:
                raise ImageTooLarge(width=width, height=height, limit=limits.max_image_pixels)
            rgba = opened.convert("RGBA")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        if "truncated" in str(exc):
            raise TruncatedInput(str(exc)) from exc
        raise CorruptImage(str(exc), reason=str(exc)) from exc
    alpha = RasterImage(
        width=width,
        height=height,
        bits_per_component=8,
        colour_space=DeviceColour("DeviceGray"),
        data=zlib.compress(rgba.getchannel("A").tobytes()),
        filter="FlateDecode",
    )
    image = RasterImage(
        width=width,
        height=height,
        bits_per_component=8,
        colour_space=DeviceColour("DeviceRGB"),
        data=zlib.compress(rgba.convert("RGB").tobytes()),
        filter="FlateDecode",
        soft_mask=alpha,
    )
    return ImageResult(pages=[ImagePage(image=image)], width=width, height=height)
