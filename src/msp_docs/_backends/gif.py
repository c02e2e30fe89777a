"""GIF normalisation: frames decoded, composed as a viewer shows them, stored as indexed Flate."""

from __future__ import annotations

import struct
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from msp_docs._backends import _pillow
from msp_docs._formats import gif as gif_format
from msp_docs._formats.common import metadata_note, reencoded_note, trailing_note
from msp_docs._model import (
    DeviceColour,
    ImagePage,
    ImageResult,
    IndexedColour,
    Kind,
    Note,
    RasterImage,
)
from msp_docs.errors import Reason
from msp_docs.limits import Limits
from msp_docs.options import Options

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["normalise_gif"]

# An identity grey palette: Pillow then decodes a frame as mode "L" whose values are the indices.
_IDENTITY = bytes(v for i in range(256) for v in (i, i, i))
_WHITE = b"\xff\xff\xff"


def normalise_gif(data: bytes, *, offset: int, limits: Limits, options: Options) -> ImageResult:
    """Validate a GIF and turn its first frame (or every frame) into pages.

    Our block parser checks the structure, every frame's extent and the frame count before
    anything is decoded. Each frame needed is decoded by Pillow from a one-frame GIF that ends
    right after the frame's data, so truncated or invalid LZW data is an error, never pixels
    invented from the following blocks. Frames are composed on the canvas as browsers show
    them: the canvas starts transparent, transparent pixels leave what is below, and disposal
    methods 2 (restore to transparent) and 3 (restore to previous) are applied. A page keeps
    the palette (Indexed colour space, Flate) while every frame drawn so far shares it, else
    it becomes RGB.

    Raises:
        MspDocsError: see ``formats.gif.parse``; ``TruncatedInput``/``CorruptImage`` when a
            frame's LZW data does not decode.
    """
    gif = gif_format.parse(data, limits)
    _pillow.guard(limits)
    actions: list[Note] = []
    warnings: list[Note] = []
    count = len(gif.frames)
    wanted = count if options.all_frames else 1
    first = gif.frames[0]
    width = max(gif.width, first.left + first.width)
    height = max(gif.height, first.top + first.height)
    canvas = _Canvas(width, height)
    invented = False
    pages: list[ImagePage] = []
    for frame in gif.frames[:wanted]:
        palette = frame.palette or gif.palette
        if palette is None:
            palette = _grey_ramp(frame.code_size)
            invented = True
        canvas.draw(frame, _decode_frame(data, frame, limits), palette)
        pages.append(ImagePage(image=canvas.page(options)))
        canvas.dispose(frame)

    if invented:
        warnings.append(Note("palette-invented"))
    actions.append(reencoded_note("GIF (LZW)", "Flate", Reason.GIF_LZW))
    for code in canvas.transparency:
        actions.append(Note(code))
    if count > 1 and options.all_frames:
        actions.append(Note("frames-as-pages", {"frames": count}))
    elif count > 1:
        warnings.append(Note("animation-first-frame", {"frames": count}))
    removed = _metadata(gif)
    if removed:
        actions.append(metadata_note(removed))
    trailing = trailing_note(len(data) - gif.end, "gif")
    if trailing is not None:
        actions.append(trailing)
    return ImageResult(
        pages=pages,
        width=width,
        height=height,
        dpi=None,
        actions=actions,
        warnings=warnings,
        details=_details(gif, pages, invented, len(data) - gif.end),
    )


def _grey_ramp(code_size: int) -> bytes:
    """A palette for a GIF without any: black to white over the indices the code size allows."""
    entries = 1 << code_size
    return bytes(v for i in range(entries) for v in (i * 255 // (entries - 1),) * 3)


def _decode_frame(data: bytes, frame: gif_format.Frame, limits: Limits) -> Image.Image:
    """The frame's palette indices, decoded by Pillow from a one-frame GIF of its own.

    The GIF given to Pillow ends right after the frame's block terminator (no trailer, no
    other block), so LZW data that stops early or ends before the image is complete leaves
    Pillow without data: it reports truncation instead of reading the next blocks as pixels.
    """
    from PIL import Image

    single = b"".join(
        (
            b"GIF89a",
            struct.pack("<HHBBB", frame.width, frame.height, 0xF7, 0, 0),
            _IDENTITY,
            struct.pack(
                "<BHHHHB", 0x2C, 0, 0, frame.width, frame.height, 0x40 if frame.interlaced else 0
            ),
            bytes((frame.code_size,)),
            data[frame.data_start : frame.data_end],
        )
    )
    with _pillow.pillow_errors(Kind.GIF, limits, (frame.width, frame.height)) as decoding:
        image = decoding.open(single, "GIF")
        image.load()
    if image.mode != "L":
        image = Image.frombytes("L", image.size, image.tobytes())
    return image


class _Canvas:
    """The logical screen as frames are drawn on it: indices and alpha, or RGBA.

    While every frame drawn uses the same palette the canvas keeps palette indices (lossless
    and small); a frame with another palette turns it into RGBA for the rest of the file.
    """

    def __init__(self, width: int, height: int) -> None:
        from PIL import Image

        self.size = (width, height)
        self.palette: bytes | None = None
        self.entries = 0
        self.indices: Image.Image | None = Image.new("L", self.size, 0)
        self.alpha = Image.new("L", self.size, 0)
        self.rgb: Image.Image | None = None
        self.saved: tuple[Any, ...] | None = None
        self.transparency: list[str] = []

    # --- drawing --------------------------------------------------------------------------------
    def draw(self, frame: gif_format.Frame, indices: Image.Image, palette: bytes) -> None:
        """Draw ``frame`` over what is there, its transparent pixels leaving it visible."""
        from PIL import Image

        entries = max(len(palette) // 3, 1 << frame.code_size)
        if self.indices is not None and self.palette not in (None, palette):
            self._to_rgb()
        if self.palette is None:
            self.palette = palette
        self.entries = max(self.entries, entries)
        box = self._box(frame)
        if box is None:
            self.saved = None
            return
        if frame.control is not None and frame.control.disposal == 3:
            self.saved = (box, *(layer.crop(box) for layer in self._layers()))
        else:
            self.saved = None
        transparent = frame.control.transparent if frame.control is not None else None
        mask = None
        if transparent is not None:
            mask = indices.point([0 if i == transparent else 255 for i in range(256)])
        position = (frame.left, frame.top)
        if self.indices is not None:
            self.indices.paste(indices, position, mask)
        else:
            assert self.rgb is not None
            coloured = Image.frombytes("P", indices.size, indices.tobytes())
            coloured.putpalette(_padded(palette, 256))
            self.rgb.paste(coloured.convert("RGB"), position, mask)
        opaque = Image.new("L", indices.size, 255)
        self.alpha.paste(opaque, position, mask)

    def dispose(self, frame: gif_format.Frame) -> None:
        """Apply the frame's disposal method before the next frame is drawn."""
        disposal = frame.control.disposal if frame.control is not None else 0
        box = self._box(frame)
        if box is None:
            return
        if disposal == 2:
            self.alpha.paste(0, box)
        elif disposal == 3 and self.saved is not None:
            saved_box, *crops = self.saved
            for layer, crop in zip(self._layers(), crops, strict=True):
                layer.paste(crop, saved_box)

    def _box(self, frame: gif_format.Frame) -> tuple[int, int, int, int] | None:
        """The frame's rectangle clipped to the canvas (None if it lies wholly outside)."""
        right = min(frame.left + frame.width, self.size[0])
        bottom = min(frame.top + frame.height, self.size[1])
        if frame.left >= right or frame.top >= bottom:
            return None
        return (frame.left, frame.top, right, bottom)

    def _layers(self) -> list[Image.Image]:
        colour = self.indices if self.indices is not None else self.rgb
        assert colour is not None
        return [colour, self.alpha]

    def _to_rgb(self) -> None:
        from PIL import Image

        assert self.indices is not None and self.palette is not None
        coloured = Image.frombytes("P", self.size, self.indices.tobytes())
        coloured.putpalette(_padded(self.palette, 256))
        self.rgb = coloured.convert("RGB")
        self.indices = None
        if self.saved is not None:
            box, crop, alpha = self.saved
            crop_coloured = Image.frombytes("P", crop.size, crop.tobytes())
            crop_coloured.putpalette(_padded(self.palette, 256))
            self.saved = (box, crop_coloured.convert("RGB"), alpha)

    # --- output ---------------------------------------------------------------------------------
    def page(self, options: Options) -> RasterImage:
        """The canvas as it is now, as an image for one page."""
        opaque = self.alpha.getextrema() == (255, 255)
        if self.indices is not None:
            return self._indexed_page(options, opaque)
        return self._rgb_page(options, opaque)

    def _note(self, code: str) -> None:
        if code not in self.transparency:
            self.transparency.append(code)

    def _indexed_page(self, options: Options, opaque: bool) -> RasterImage:
        from PIL import ImageChops

        assert self.indices is not None and self.palette is not None
        lookup = _padded(self.palette, self.entries)
        if opaque:
            return self._encode_indexed(self.indices, lookup)
        hidden = ImageChops.invert(self.alpha)
        indices = self.indices.copy()
        if options.flatten:
            white = _find(lookup, _WHITE)
            if white is None and len(lookup) < 768:
                white, lookup = len(lookup) // 3, lookup + _WHITE
            if white is None:
                return self._rgb_page(options, opaque, self._indexed_rgb())
            indices.paste(white, mask=hidden)
            self._note("transparency-flattened")
            return self._encode_indexed(indices, lookup)
        key: int | None
        if len(lookup) < 768:
            # A spare index for what is transparent; white, for viewers that ignore the mask.
            key, lookup = len(lookup) // 3, lookup + _WHITE
        else:
            used = indices.histogram(mask=self.alpha)
            key = next((i for i, n in enumerate(used) if n == 0), None)
        if key is None:
            self._note("transparency-soft-mask")
            image = self._encode_indexed(indices, lookup)
            return replace(image, soft_mask=_pillow.encode(self.alpha))
        indices.paste(key, mask=hidden)
        self._note("transparency-colour-key")
        return replace(self._encode_indexed(indices, lookup), colour_key_mask=(key, key))

    def _encode_indexed(self, indices: Image.Image, lookup: bytes) -> RasterImage:
        from PIL import Image

        image = Image.frombytes("P", indices.size, indices.tobytes())
        image.putpalette(lookup)
        colour = IndexedColour(DeviceColour("DeviceRGB"), len(lookup) // 3 - 1, lookup)
        return _pillow.encode(image, colour)

    def _indexed_rgb(self) -> Image.Image:
        from PIL import Image

        assert self.indices is not None and self.palette is not None
        coloured = Image.frombytes("P", self.size, self.indices.tobytes())
        coloured.putpalette(_padded(self.palette, 256))
        return coloured.convert("RGB")

    def _rgb_page(
        self, options: Options, opaque: bool, rgb: Image.Image | None = None
    ) -> RasterImage:
        from PIL import Image

        rgb = rgb or self.rgb
        assert rgb is not None
        if opaque:
            return _pillow.encode(rgb)
        if options.flatten:
            white = Image.new("RGB", self.size, (255, 255, 255))
            white.paste(rgb, mask=self.alpha)
            self._note("transparency-flattened")
            return _pillow.encode(white)
        self._note("transparency-soft-mask")
        return replace(_pillow.encode(rgb), soft_mask=_pillow.encode(self.alpha))


def _padded(palette: bytes, entries: int) -> bytes:
    """``palette`` padded with black to ``entries`` colours (indices past it show black)."""
    return palette[: 3 * entries] + bytes(max(0, 3 * entries - len(palette)))


def _find(lookup: bytes, colour: bytes) -> int | None:
    for index in range(len(lookup) // 3):
        if lookup[3 * index : 3 * index + 3] == colour:
            return index
    return None


def _metadata(gif: gif_format.GifFile) -> list[str]:
    removed = []
    if gif.comments:
        removed.append("comments")
    if any(a.startswith("XMP Data") for a in gif.applications):
        removed.append("xmp")
    others = [a for a in gif.applications if not a.startswith(("XMP Data", "NETSCAPE", "ANIMEXTS"))]
    if others:
        removed.append("application-data")
    return removed


def _details(
    gif: gif_format.GifFile, pages: list[ImagePage], invented: bool, trailing: int
) -> dict[str, Any]:
    first = gif.frames[0]
    return {
        "format": "GIF",
        "version": gif.version,
        "screen": [gif.width, gif.height],
        "frames": len(gif.frames),
        "pages": len(pages),
        "global_palette_entries": len(gif.palette) // 3 if gif.palette else 0,
        "palette_invented": invented,
        "interlaced": first.interlaced,
        "transparent_index": first.control.transparent if first.control else None,
        "background_index": gif.background,
        "comments": gif.comments,
        "applications": gif.applications,
        # Plain-text extensions are not drawn: no current viewer draws them.
        "plain_text_extensions": gif.plain_text,
        "trailer": gif.trailer,
        "trailing_bytes": trailing,
        "embedded": "FlateDecode (re-encoded from LZW)",
    }
