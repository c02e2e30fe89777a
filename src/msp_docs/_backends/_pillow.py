"""Pillow at the boundary of the image backends: bomb guard, exceptions, images to PDF streams."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from msp_docs._formats.icc import icc_components
from msp_docs._model import ColourSpace, DeviceColour, ICCColour, Kind, Note, RasterImage
from msp_docs.errors import CorruptImage, ImageTooLarge, MspDocsError, Reason, TruncatedInput
from msp_docs.limits import Limits

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "Decoding",
    "device_colour",
    "encode",
    "flate_raster",
    "guard",
    "icc_colour",
    "icc_unreadable",
    "pillow_errors",
]

# Exceptions Pillow (and the struct calls inside its plugins) raise on bad data (zlib's own
# error is told apart: see pillow_errors).
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


class Decoding:
    """One image given to Pillow, which remembers whether Pillow asked for data past its end."""

    def __init__(self) -> None:
        self.source: _Source | None = None

    def open(self, data: bytes, fmt: str) -> Image.Image:
        """Open ``data`` with exactly one Pillow plugin (never a guess among all of them)."""
        from PIL import Image

        self.source = _Source(data)
        return Image.open(self.source, formats=[fmt])

    @property
    def exhausted(self) -> bool:
        """Whether Pillow read to the end of the data and asked for more."""
        return self.source is not None and self.source.exhausted


class _Source(io.BytesIO):
    exhausted = False

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        if not data and size != 0:
            self.exhausted = True
        return data


@contextmanager
def pillow_errors(kind: Kind, limits: Limits, size: tuple[int, int]) -> Iterator[Decoding]:
    """Decode with Pillow and turn what it (or zlib under it) raises into our errors.

    Our parsers check the structure first, so what still fails in Pillow is damage inside the
    compressed image data. It is told apart by what happened, never by Pillow's messages
    (kept in the error's ``detail``): Pillow asked for data past the end (truncated), zlib
    refused the data, or the decoder refused it. ``size`` is the image's declared size, for
    Pillow's own bomb guard (which our checks of the same size make unreachable in practice)::

        with pillow_errors(Kind.PNG, limits, (width, height)) as decoding:
            image = decoding.open(data, "PNG")
            image.load()
    """
    from PIL import Image

    decoding = Decoding()
    try:
        yield decoding
    except MspDocsError:
        raise
    except Image.DecompressionBombError as exc:
        width, height = size
        raise ImageTooLarge(
            detail=str(exc), kind=kind, width=width, height=height, limit=limits.max_image_pixels
        ) from exc
    except zlib.error as exc:
        raise CorruptImage(detail=str(exc), kind=kind, reason=Reason.COMPRESSED_DATA) from exc
    except _DATA_ERRORS as exc:
        if isinstance(exc, EOFError) or decoding.exhausted:
            raise TruncatedInput(detail=str(exc), kind=kind, reason=Reason.DATA_CUT) from exc
        raise CorruptImage(detail=str(exc), kind=kind, reason=Reason.DECODER) from exc


def icc_unreadable(profile: bytes) -> bool:
    """Whether littleCMS cannot read ``profile`` (a viewer would fail on it too)."""
    from PIL import ImageCms

    try:
        ImageCms.getOpenProfile(io.BytesIO(profile))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return True
    return False


def device_colour(components: int) -> DeviceColour:
    """The device colour space of ``components`` (1, 3 or 4) samples per pixel."""
    if components == 1:
        return DeviceColour("DeviceGray")
    if components == 4:
        return DeviceColour("DeviceCMYK")
    return DeviceColour("DeviceRGB")


def icc_colour(
    profile: bytes | None, components: int, problem: Reason | None = None
) -> tuple[ICCColour | None, Note | None]:
    """The ICCBased colour space for ``profile``, or why it is not used (a warning note).

    A profile is used only if its header describes ``components`` inks of an input, display,
    output or colour-space profile and littleCMS can read it; otherwise the image keeps its
    device colour space, which is what viewers show for a profile they cannot use.
    """
    if profile is None:
        return None, _ignored(problem, None) if problem else None
    count, why, value = icc_components(profile)
    if count is not None and count != components:
        why, value = Reason.ICC_COMPONENTS, str(count)
    if why is None and icc_unreadable(profile):
        why = Reason.ICC_UNREADABLE
    if why is not None:
        return None, _ignored(why, value)
    return ICCColour(profile, components, device_colour(components)), None


def _ignored(reason: Reason, value: str | None) -> Note:
    facts: dict[str, object] = {"reason": reason}
    if value is not None:
        facts["value"] = value
    return Note("icc-profile-ignored", facts)


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
