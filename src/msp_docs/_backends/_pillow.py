"""Pillow at the boundary of the image backends: bomb guard, exceptions, images to PDF streams."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from msp_docs._formats.icc import icc_components
from msp_docs._model import ColourSpace, DeviceColour, ICCColour, Note, RasterImage
from msp_docs.errors import CorruptImage, ImageTooLarge, MspDocsError, TruncatedInput
from msp_docs.limits import Limits

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "device_colour",
    "encode",
    "flate_raster",
    "guard",
    "icc_colour",
    "icc_problem",
    "open_image",
    "pillow_errors",
]

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


def encode(image: Image.Image, colour_space: ColourSpace | None = None) -> RasterImage:
    """Flate-encode a decoded image losslessly, with PNG predictors where they pay.

    Palette images whose indices all fit in 1, 2 or 4 bits are packed that tightly (as PNG
    writers do); see :mod:`msp_docs._backends._predictors` for the filter and level choice.

    Args:
        image: An image in mode ``1``, ``L``, ``I;16``, ``RGB``, ``P`` or ``CMYK``.
        colour_space: The colour space to declare; default the device space of the mode. For
            ``P`` images it is required (the ``Indexed`` space with the palette).
    """
    mode = image.mode
    if mode == "P" and colour_space is None:
        raise ValueError("an indexed image needs its Indexed colour space")
    if mode == "P":
        extrema = image.getextrema()
        high = int(extrema[1]) if isinstance(extrema[1], int | float) else 255
        bits = next(b for b in (1, 2, 4, 8) if high < 1 << b)
        raw = image.tobytes("raw", f"P;{bits}") if bits < 8 else image.tobytes()
        assert colour_space is not None
        return flate_raster(
            raw,
            width=image.width,
            height=image.height,
            bits=bits,
            channels=1,
            colour_space=colour_space,
        )
    if mode == "I;16":
        raw, bits, channels = image.tobytes("raw", "I;16B"), 16, 1
    elif mode in _MODES:
        bits, channels = _MODES[mode]
        raw = image.tobytes()
    else:
        raise ValueError(f"cannot encode mode {mode}")
    space = colour_space or device_colour(channels)
    return flate_raster(
        raw,
        width=image.width,
        height=image.height,
        bits=bits,
        channels=channels,
        colour_space=space,
    )


# mode -> (bits per component, components), for modes whose tobytes() is PDF's packing.
_MODES = {"1": (1, 1), "L": (8, 1), "RGB": (8, 3), "CMYK": (8, 4)}


def flate_raster(
    raw: bytes, *, width: int, height: int, bits: int, channels: int, colour_space: ColourSpace
) -> RasterImage:
    """A ``/FlateDecode`` image of raw samples (rows padded to a byte, 16-bit big-endian)."""
    from msp_docs._backends._predictors import encode_rows

    row_bytes = (width * channels * bits + 7) // 8
    bpp = max(1, channels * bits // 8)
    encoded = encode_rows(raw, row_bytes, bpp, bits=bits)
    parms = None
    if encoded.predictor:
        parms = {"Predictor": 15, "Colors": channels, "BitsPerComponent": bits, "Columns": width}
    return RasterImage(
        width=width,
        height=height,
        bits_per_component=bits,
        colour_space=colour_space,
        data=encoded.data,
        filter="FlateDecode",
        decode_parms=parms,
    )
