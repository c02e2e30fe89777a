"""GIF structure without Pillow: header, screen, colour tables, blocks and sub-block chains."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from msp_docs._formats.common import check_dimensions
from msp_docs._model import Kind
from msp_docs.errors import CorruptImage, InvalidDimensions, Reason, TooManyFrames, TruncatedInput
from msp_docs.limits import Limits

__all__ = ["Control", "Frame", "GifFile", "parse"]

_VERSIONS = (b"GIF87a", b"GIF89a")
_IMAGE = 0x2C
_EXTENSION = 0x21
_TRAILER = 0x3B
_CONTROL = 0xF9
_COMMENT = 0xFE
_APPLICATION = 0xFF
_PLAIN_TEXT = 0x01


@dataclass(frozen=True, slots=True)
class Control:
    """A Graphic Control Extension: how the next frame is disposed of, and its transparency."""

    disposal: int = 0
    transparent: int | None = None
    delay: int = 0


@dataclass(frozen=True, slots=True)
class Frame:
    """One image of the file: where it sits, its colours and its LZW data.

    Attributes:
        left: Column of its top-left corner on the canvas.
        top: Row of its top-left corner.
        width: Width in pixels.
        height: Height in pixels.
        interlaced: Rows stored in the four-pass interlaced order.
        palette: Its local colour table (RGB triples), if it has one.
        code_size: The LZW minimum code size (2..8).
        data_start: Offset of its first data sub-block (after the code size byte).
        data_end: Offset just after its block terminator.
        control: The Graphic Control Extension that precedes it, if any.
    """

    left: int
    top: int
    width: int
    height: int
    interlaced: bool
    palette: bytes | None
    code_size: int
    data_start: int
    data_end: int
    control: Control | None


@dataclass(slots=True)
class GifFile:
    """A GIF whose block structure is valid and whose sizes are within the limits.

    Attributes:
        version: ``87a`` or ``89a``.
        width: Logical screen width.
        height: Logical screen height.
        palette: The global colour table, if any.
        background: The background colour index.
        frames: Every image, in order.
        end: Offset just after the trailer (or the end of the data when it is missing).
        trailer: Whether the trailer byte was present.
        comments: Number of comment extensions.
        applications: Identifiers of the application extensions (e.g. ``NETSCAPE2.0``).
        plain_text: Number of plain-text extensions (skipped, as modern viewers do).
    """

    version: str
    width: int
    height: int
    palette: bytes | None
    background: int
    frames: list[Frame]
    end: int
    trailer: bool = True
    comments: int = 0
    applications: list[str] = field(default_factory=list)
    plain_text: int = 0


def parse(data: bytes, limits: Limits) -> GifFile:
    """Walk every block of ``data`` (pure; the LZW data is delimited, not decoded).

    The logical screen and each frame's extent on it are checked against the limits as they
    are met, and the frame count against ``limits.max_frames``, so a hostile file is refused
    before any pixel is decoded.

    Raises:
        TruncatedInput: the data stops inside the header, a table or a block.
        CorruptImage: an unknown version or block, an LZW code size outside 2..8, an image
            without data.
        InvalidDimensions: a zero-sized screen or frame.
        ImageTooLarge: a screen or frame extent over the limits.
        TooManyFrames: more frames than ``limits.max_frames``.
    """
    if len(data) < 13:
        raise TruncatedInput(kind=Kind.GIF, reason=Reason.HEADER_CUT)
    if data[:6] not in _VERSIONS:
        raise CorruptImage(kind=Kind.GIF, reason=Reason.GIF_VERSION)
    width, height, packed, background, _aspect = struct.unpack_from("<HHBBB", data, 6)
    check_dimensions(width, height, limits)
    pos = 13
    palette = None
    if packed & 0x80:
        palette, pos = _table(data, pos, packed)
    gif = GifFile(
        version=data[3:6].decode("ascii"),
        width=width,
        height=height,
        palette=palette,
        background=background,
        frames=[],
        end=len(data),
    )
    control: Control | None = None
    while True:
        if pos >= len(data):
            if not gif.frames:
                raise TruncatedInput(kind=Kind.GIF, reason=Reason.NO_IMAGE_BEFORE_END)
            gif.trailer = False  # every image is complete; only the final byte is missing
            return gif
        introducer = data[pos]
        if introducer == _TRAILER:
            gif.end = pos + 1
            if not gif.frames:
                raise CorruptImage(kind=Kind.GIF, reason=Reason.NO_IMAGE)
            return gif
        if introducer == _IMAGE:
            frame, pos = _frame(data, pos, control, gif, limits)
            gif.frames.append(frame)
            if len(gif.frames) > limits.max_frames:
                raise TooManyFrames(kind=Kind.GIF, frames=len(gif.frames), limit=limits.max_frames)
            control = None
        elif introducer == _EXTENSION:
            if pos + 2 > len(data):
                raise TruncatedInput(kind=Kind.GIF, reason=Reason.EXTENSION_CUT)
            label = data[pos + 1]
            start = pos + 2
            pos = _skip_sub_blocks(data, start)
            if label == _CONTROL:
                control = _control(data[start:pos])
            elif label == _COMMENT:
                gif.comments += 1
            elif label == _APPLICATION and data[start] == 11:
                gif.applications.append(data[start + 1 : start + 12].decode("latin-1"))
            elif label == _PLAIN_TEXT:
                gif.plain_text += 1
                control = None  # a control extension applies to the plain text, not an image
        else:
            raise CorruptImage(
                detail=f"at byte {pos}",
                kind=Kind.GIF,
                reason=Reason.UNKNOWN_BLOCK,
                value=f"0x{introducer:02X}",
            )


def _table(data: bytes, pos: int, packed: int) -> tuple[bytes, int]:
    size = 3 << ((packed & 7) + 1)
    if pos + size > len(data):
        raise TruncatedInput(kind=Kind.GIF, reason=Reason.COLOUR_TABLE_CUT)
    return data[pos : pos + size], pos + size


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    """Offset just after the terminator of the sub-block chain starting at ``pos``."""
    end = len(data)
    while True:
        if pos >= end:
            raise TruncatedInput(kind=Kind.GIF, reason=Reason.BLOCK_CUT)
        size = data[pos]
        if size == 0:
            return pos + 1
        pos += size + 1


def _control(chain: bytes) -> Control | None:
    """Read a Graphic Control Extension's sub-block chain (first sub-block: 4 bytes)."""
    if len(chain) < 6 or chain[0] < 4:
        return None  # malformed: ignored, as viewers do
    packed, delay, transparent = struct.unpack_from("<BHB", chain, 1)
    return Control(
        disposal=(packed >> 2) & 7,
        transparent=transparent if packed & 1 else None,
        delay=delay,
    )


def _frame(
    data: bytes, pos: int, control: Control | None, gif: GifFile, limits: Limits
) -> tuple[Frame, int]:
    if pos + 10 > len(data):
        raise TruncatedInput(kind=Kind.GIF, reason=Reason.DESCRIPTOR_CUT)
    left, top, width, height, packed = struct.unpack_from("<HHHHB", data, pos + 1)
    if width == 0 or height == 0:
        raise InvalidDimensions(kind=Kind.GIF, width=width, height=height)
    # The canvas a viewer needs to show this frame: the screen, or more if it sticks out.
    check_dimensions(max(gif.width, left + width), max(gif.height, top + height), limits)
    pos += 10
    palette = None
    if packed & 0x80:
        palette, pos = _table(data, pos, packed)
    if pos >= len(data):
        raise TruncatedInput(kind=Kind.GIF, reason=Reason.NO_IMAGE_DATA)
    code_size = data[pos]
    if not 2 <= code_size <= 8:
        raise CorruptImage(kind=Kind.GIF, reason=Reason.LZW_CODE_SIZE, value=code_size)
    start = pos + 1
    end = _skip_sub_blocks(data, start)
    if end == start + 1:
        raise CorruptImage(kind=Kind.GIF, reason=Reason.NO_IMAGE_DATA)
    frame = Frame(
        left=left,
        top=top,
        width=width,
        height=height,
        interlaced=bool(packed & 0x40),
        palette=palette,
        code_size=code_size,
        data_start=start,
        data_end=end,
        control=control,
    )
    return frame, end
