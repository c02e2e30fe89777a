"""Pillow at the boundary of the image backends: bomb guard, exceptions, images to PDF streams."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from msp_docs._formats import png as png_format
from msp_docs._formats.icc import icc_components
from msp_docs._model import ColourSpace, DeviceColour, ICCColour, Note, RasterImage
from msp_docs.errors import CorruptImage, ImageTooLarge, MspDocsError, TruncatedInput
from msp_docs.limits import Limits

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "FLATE_LEVEL",
    "device_colour",
    "encode",
    "guard",
    "icc_colour",
    "icc_problem",
    "open_image",
    "pillow_errors",
    "raw_flate",
]

#: zlib level of what we re-encode: zlib's default balance (level 9 was ~15 % smaller on a
#: screenshot, for twice the time).
FLATE_LEVEL = 6

# Exceptions Pillow (and the zlib and struct calls inside its plugins) raise on bad data.
_DATA_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, struct.error)


def guard(limits: Limits) -> None:
    """Keep Pillow's own decompression-bomb guard above our limit, so it never fires first.

    Our declared-size checks run before Pillow sees the data; Pillow's guard (a warning above
    ``MAX_IMAGE_PIXELS``, an error above twice that) stays as a second line only for sizes our
    limits already refuse.
    """
    from PIL import Image

    current = Image.MAX_IMAGE_PIXELS
    if current is not None and current < limits.max_image_pixels:
        Image.MAX_IMAGE_PIXELS = limits.max_image_pixels


@contextmanager
def pillow_errors(kind: str, limits: Limits) -> Iterator[None]:
    """Turn what Pillow (or zlib under it) raises on bad data into our errors."""
    from PIL import Image

    try:
        yield
    except MspDocsError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(
            str(exc), kind=kind, width="?", height="?", limit=limits.max_image_pixels
        ) from exc
    except zlib.error as exc:
        raise CorruptImage(str(exc), kind=kind, reason=str(exc)) from exc
    except _DATA_ERRORS as exc:
        text = str(exc)
        if "truncated" in text.lower() or isinstance(exc, EOFError):
            raise TruncatedInput(text, kind=kind, reason="the image data stops early") from exc
        raise CorruptImage(text, kind=kind, reason=text) from exc


def icc_problem(profile: bytes) -> str | None:
    """Why littleCMS cannot read ``profile`` (a viewer would fail on it too), or ``None``."""
    from PIL import ImageCms

    try:
        ImageCms.getOpenProfile(io.BytesIO(profile))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        return f"unreadable profile ({exc})"
    return None


def device_colour(components: int) -> DeviceColour:
    """The device colour space of ``components`` (1, 3 or 4) samples per pixel."""
    if components == 1:
        return DeviceColour("DeviceGray")
    if components == 4:
        return DeviceColour("DeviceCMYK")
    return DeviceColour("DeviceRGB")


def icc_colour(
    profile: bytes | None, components: int, problem: str | None = None
) -> tuple[ICCColour | None, Note | None]:
    """The ICCBased colour space for ``profile``, or why it is not used (a warning note).

    A profile is used only if its header describes ``components`` inks of an input, display,
    output or colour-space profile and littleCMS can read it; otherwise the image keeps its
    device colour space, which is what viewers show for a profile they cannot use.
    """
    if profile is None:
        return None, Note("icc-profile-ignored", {"reason": problem}) if problem else None
    count, why = icc_components(profile)
    if count is not None and count != components:
        why = f"a profile for {count} components on an image of {components}"
    if why is None:
        why = icc_problem(profile)
    if why is not None:
        return None, Note("icc-profile-ignored", {"reason": why})
    return ICCColour(profile, components, device_colour(components)), None


def open_image(data: bytes, fmt: str) -> Image.Image:
    """Open ``data`` with exactly one Pillow plugin (never a guess among all of them)."""
    from PIL import Image

    return Image.open(io.BytesIO(data), formats=[fmt])


def encode(
    image: Image.Image, colour_space: ColourSpace | None = None, *, level: int = FLATE_LEVEL
) -> RasterImage:
    """Flate-encode a decoded image losslessly, with PNG predictors when Pillow can write it.

    Pillow's PNG encoder picks a filter per row (what PNG predictors in a PDF undo), so its
    IDAT stream is the best Flate stream we can get cheaply; we take it as it is. CMYK, which
    PNG cannot hold, is deflated without a predictor.

    Args:
        image: An image in mode ``1``, ``L``, ``I;16``, ``RGB``, ``P`` or ``CMYK``.
        colour_space: The colour space to declare; default the device space of the mode. For
            ``P`` images it is required (the ``Indexed`` space with the palette).
        level: zlib compression level.
    """
    width, height = image.size
    if image.mode == "CMYK":
        return RasterImage(
            width=width,
            height=height,
            bits_per_component=8,
            colour_space=colour_space or DeviceColour("DeviceCMYK"),
            data=zlib.compress(image.tobytes(), level),
            filter="FlateDecode",
        )
    if image.mode == "P" and colour_space is None:
        raise ValueError("an indexed image needs its Indexed colour space")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=level)
    written = png_format.parse(buffer.getvalue())
    header = written.header
    default = DeviceColour("DeviceGray" if header.channels == 1 else "DeviceRGB")
    return RasterImage(
        width=width,
        height=height,
        bits_per_component=header.bit_depth,
        colour_space=colour_space or default,
        data=written.image_data(buffer.getvalue()),
        filter="FlateDecode",
        decode_parms=header.decode_parms(),
    )


def raw_flate(
    data: bytes,
    width: int,
    height: int,
    bits: int,
    colour_space: ColourSpace,
    *,
    level: int = FLATE_LEVEL,
) -> RasterImage:
    """Flate-encode raw samples (e.g. 16-bit RGB, which Pillow cannot write as PNG)."""
    return RasterImage(
        width=width,
        height=height,
        bits_per_component=bits,
        colour_space=colour_space,
        data=zlib.compress(data, level),
        filter="FlateDecode",
    )
