"""PNG normalisation: image data passed through with PNG predictors, or re-encoded losslessly."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from msp_docs._backends import _deflate, _pillow
from msp_docs._formats import png as png_format
from msp_docs._formats.common import (
    check_dimensions,
    metadata_note,
    orientation,
    reencoded_note,
    trailing_note,
)
from msp_docs._formats.exif import ExifFacts, exif_warning, read_exif
from msp_docs._geometry import oriented_size
from msp_docs._model import (
    DeviceColour,
    ICCColour,
    ImagePage,
    ImageResult,
    IndexedColour,
    InputSpans,
    Kind,
    Note,
    RasterImage,
)
from msp_docs.errors import DecompressionBomb, Part, Reason, TooManyFrames
from msp_docs.limits import Limits
from msp_docs.options import Options

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["normalise_png"]

_COLOUR_TYPES = {0: "grey", 2: "RGB", 3: "palette", 4: "grey+alpha", 6: "RGBA"}
# Ancillary chunks whose content is about the person or the making of the file.
_PERSONAL = {
    b"tEXt": "text",
    b"zTXt": "text",
    b"iTXt": "text",
    b"eXIf": "exif",
    b"tIME": "modification-time",
}
#: Image data that inflates to at most this is checked in one call, and kept for decoding.
_FAST_CHECK_BYTES = 64 * 1024 * 1024
# Chunks that shape what the output shows: used, not ignored.
_USED = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"iCCP", b"pHYs", b"eXIf", b"acTL"}


@dataclass(slots=True)
class _Context:
    """What one PNG brings and what was done with it, filled as the steps run."""

    data: bytes
    parsed: png_format.PngFile
    limits: Limits
    options: Options
    idat: bytes = b""
    inflated: bytes | bytearray | None = None
    idat_spans: tuple[tuple[int, int], ...] = ()
    icc: ICCColour | None = None
    actions: list[Note] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    transparency: str = "none"

    @property
    def header(self) -> png_format.Header:
        return self.parsed.header

    def body(self, kind: bytes) -> bytes | None:
        chunk = self.parsed.first(kind)
        return chunk.body(self.data) if chunk is not None else None


def normalise_png(data: bytes, *, offset: int, limits: Limits, options: Options) -> ImageResult:
    """Validate a PNG completely and prepare it for a PDF page.

    Every chunk's CRC and the chunk order are checked, the declared size is checked before
    any decoding, text chunks are measured with a bounded inflater (never kept), the ICC
    profile is inflated with a bound, and the image data is inflated in bounded steps to
    prove it complete. Non-interlaced images without an alpha channel are embedded as they
    are (the IDAT stream with PNG predictors); the others are decoded and re-encoded
    losslessly, 16-bit samples staying 16-bit.

    Raises:
        MspDocsError: see ``formats.png.parse`` and ``check_image_data``;
            ``DecompressionBomb`` for text or ICC data inflating past the limits;
            ``ImageTooLarge``/``InvalidDimensions`` for the declared size.
    """
    parsed = png_format.parse(data)
    header = parsed.header
    check_dimensions(header.width, header.height, limits)
    _pillow.guard(limits)
    context = _Context(data, parsed, limits, options)
    frames = _animation(context)
    _measure_text(context)
    _colour_profile(context)
    checked = _check_image_data(context)
    context.idat = parsed.image_data(data)[: checked.used]
    context.idat_spans = _spans(parsed, checked.used)
    if checked.extra:
        extra = trailing_note(checked.extra, "png-image-data")
        assert extra is not None
        context.actions.append(extra)

    image = _image(context)

    exif = _exif(context)
    turn, turned, invalid = orientation(exif.orientation if exif is not None else None)
    removed = sorted({_PERSONAL[c.type] for c in parsed.chunks if c.type in _PERSONAL})
    if removed:
        context.actions.append(metadata_note(removed))
    for note in (turned, trailing_note(len(data) - parsed.end, "png")):
        if note is not None:
            context.actions.append(note)
    if invalid is not None:
        context.warnings.append(invalid)
    dpi = _dpi(context.body(b"pHYs"))
    width, height = oriented_size(header.width, header.height, turn)
    return ImageResult(
        pages=[ImagePage(image=image, orientation=turn, dpi=dpi)],
        width=width,
        height=height,
        dpi=dpi,
        actions=context.actions,
        warnings=context.warnings,
        details=_details(context, frames, exif),
    )


def _check_image_data(context: _Context) -> png_format.ImageData:
    """Prove the image data complete: one fast inflate when it is small enough, else in steps.

    The fast path keeps what it inflated, so a re-encoded image is not inflated a second time
    by Pillow (which then only undoes the filters of a stored copy). Whatever the fast path
    does not vouch for goes through :func:`png_format.check_image_data`, which says exactly
    what is wrong.
    """
    parsed = context.parsed
    expected = parsed.header.raw_size()
    if expected <= _FAST_CHECK_BYTES:
        inflated = _deflate.inflate(parsed.image_data(context.data), expected + 1)
        if inflated is not None:
            checked = png_format.check_inflated(parsed, context.data, inflated)
            if checked is not None:
                context.inflated = inflated
                return checked
    return png_format.check_image_data(parsed, context.data)


# --- metadata -----------------------------------------------------------------------------------
def _animation(context: _Context) -> int:
    """Frames of an APNG (1 for a still image); only the default image is used."""
    control = context.body(b"acTL")
    if control is None or len(control) != 8:
        return 1
    frames: int = struct.unpack(">II", control)[0]
    if frames > context.limits.max_frames:
        raise TooManyFrames(kind=Kind.PNG, frames=frames, limit=context.limits.max_frames)
    if frames > 1:
        context.warnings.append(Note("animation-first-frame", {"frames": frames}))
    return max(frames, 1)


def _measure_text(context: _Context) -> None:
    """Inflate compressed text chunks without keeping them, to refuse text bombs.

    Text is never copied to the output; it is inflated only to measure it, in bounded steps,
    all text chunks together against ``max_metadata_bytes``.
    """
    budget = context.limits.max_metadata_bytes
    for chunk in context.parsed.chunks:
        if chunk.type not in (b"zTXt", b"iTXt"):
            continue
        stream = _text_stream(chunk.type, chunk.body(context.data))
        if stream is None:
            continue
        try:
            size = png_format.inflated_size(stream, budget, what=Part.TEXT_CHUNKS)
        except DecompressionBomb:
            limit = context.limits.max_metadata_bytes
            raise DecompressionBomb(kind=Kind.PNG, what=Part.TEXT_CHUNKS, limit=limit) from None
        except zlib.error:
            continue  # damaged text is dropped with the rest of the text
        budget -= size


def _text_stream(kind: bytes, body: bytes) -> bytes | None:
    """The compressed part of a zTXt or iTXt chunk (None for uncompressed iTXt)."""
    keyword_end = body.find(b"\x00")
    if keyword_end < 0:
        return None
    if kind == b"zTXt":
        return body[keyword_end + 2 :]
    if len(body) < keyword_end + 3 or body[keyword_end + 1] != 1:
        return None  # an iTXt chunk that is not compressed
    # Skip the compression method, then the language tag and translated keyword.
    rest = body[keyword_end + 3 :]
    language_end = rest.find(b"\x00")
    keyword_end2 = rest.find(b"\x00", language_end + 1) if language_end >= 0 else -1
    return rest[keyword_end2 + 1 :] if keyword_end2 >= 0 else None


def _colour_profile(context: _Context) -> None:
    body = context.body(b"iCCP")
    if body is None:
        return
    name_end = body.find(b"\x00")
    if name_end < 1 or len(body) < name_end + 2 or body[name_end + 1] != 0:
        context.warnings.append(Note("icc-profile-ignored", {"reason": Reason.ICC_MALFORMED_CHUNK}))
        return
    limit = context.limits.max_metadata_bytes
    try:
        profile = png_format.inflate_limited(body[name_end + 2 :], limit, what=Part.ICC_PROFILE)
    except DecompressionBomb:
        raise DecompressionBomb(kind=Kind.PNG, what=Part.ICC_PROFILE, limit=limit) from None
    except zlib.error:
        context.warnings.append(Note("icc-profile-ignored", {"reason": Reason.ICC_COMPRESSED_DATA}))
        return
    components = 1 if context.header.colour_type in (0, 4) else 3
    context.icc, ignored = _pillow.icc_colour(profile, components)
    if ignored is not None:
        context.warnings.append(ignored)


def _exif(context: _Context) -> ExifFacts | None:
    body = context.body(b"eXIf")
    if body is None:
        return None
    if body.startswith(b"Exif\x00\x00"):  # some writers keep the JPEG APP1 prefix
        body = body[6:]
    exif = read_exif(body)
    if exif.problem is not None:
        context.warnings.append(exif_warning(exif))
    return exif


def _dpi(body: bytes | None) -> tuple[float, float] | None:
    if body is None or len(body) != 9:
        return None
    x, y, unit = struct.unpack(">IIB", body)
    if unit != 1 or x == 0 or y == 0:  # unit 0: only an aspect ratio
        return None
    return (x * 0.0254, y * 0.0254)


# --- the image ----------------------------------------------------------------------------------
def _base_colour(context: _Context) -> DeviceColour | ICCColour:
    if context.icc is not None:
        return context.icc
    grey = context.header.colour_type in (0, 4)
    return DeviceColour("DeviceGray" if grey else "DeviceRGB")


def _image(context: _Context) -> RasterImage:
    header = context.header
    if header.colour_type == 3:
        return _palette_image(context)
    if header.interlace or header.has_alpha:
        return _reencoded(context)
    return _plain_image(context)


def _spans(parsed: png_format.PngFile, used: int) -> tuple[tuple[int, int], ...]:
    """Where the first ``used`` bytes of the image data lie in the input, chunk by chunk."""
    spans = []
    for chunk in parsed.image_chunks():
        if used <= 0:
            break
        take = min(used, chunk.data_end - chunk.data_start)
        spans.append((chunk.data_start, chunk.data_start + take))
        used -= take
    return tuple(spans)


def _passthrough(context: _Context, colour: Any, **extra: Any) -> RasterImage:
    header = context.header
    context.actions.append(Note("passthrough", {"encoding": "PNG image data, Flate"}))
    return RasterImage(
        width=header.width,
        height=header.height,
        bits_per_component=header.bit_depth,
        colour_space=colour,
        # As ranges of the input: an isolated child sends back numbers, not megabytes.
        data=InputSpans(context.idat_spans),
        filter="FlateDecode",
        decode_parms=header.decode_parms(),
        **extra,
    )


def _plain_image(context: _Context) -> RasterImage:
    """Grey or RGB, not interlaced: embedded as it is, a tRNS colour as a colour-key mask."""
    key = _colour_key(context)
    if key is not None and context.options.flatten:
        return _reencoded(context)
    if key is not None:
        context.transparency = "colour key"
        context.actions.append(Note("transparency-colour-key"))
        mask = tuple(v for value in key for v in (value, value))
        return _passthrough(context, _base_colour(context), colour_key_mask=mask)
    return _passthrough(context, _base_colour(context))


def _colour_key(context: _Context) -> tuple[int, ...] | None:
    """The transparent grey level or RGB colour a tRNS chunk names, in sample units."""
    body = context.body(b"tRNS")
    header = context.header
    if body is None or header.colour_type not in (0, 2):
        return None
    count = 1 if header.colour_type == 0 else 3
    if len(body) != 2 * count:
        return None
    values = struct.unpack(f">{count}H", body)
    if any(v >= 1 << header.bit_depth for v in values):
        return None  # outside the sample range: no pixel can match it
    return values


def _palette(context: _Context) -> tuple[bytes, list[int]]:
    """The palette as PDF lookup bytes and the alpha of each entry.

    The palette is padded with black to cover every index the bit depth allows: an index
    past the palette shows black, as libpng and Pillow show it.
    """
    palette = context.body(b"PLTE") or b""
    entries = 1 << context.header.bit_depth
    if len(palette) < 3 * entries:
        palette = palette + bytes(3 * entries - len(palette))
    trns = context.body(b"tRNS") or b""
    alphas = [trns[i] if i < len(trns) else 255 for i in range(len(palette) // 3)]
    return palette, alphas


def _palette_image(context: _Context) -> RasterImage:
    """Indexed colour, with tRNS as a colour-key mask or a soft mask.

    A colour key serves when the fully transparent indices form one range and no index is
    partly transparent; otherwise the soft mask is computed from the decoded indices.
    """
    header = context.header
    lookup, alphas = _palette(context)
    if context.options.flatten and any(a < 255 for a in alphas):
        lookup = _blend_palette_on_white(lookup, alphas)
        alphas = [255] * len(alphas)
        context.transparency = "flattened"
        context.actions.append(Note("transparency-flattened"))
    transparent = [i for i, a in enumerate(alphas) if a == 0]
    partial = any(0 < a < 255 for a in alphas)
    key = None
    if transparent and not partial and transparent[-1] - transparent[0] + 1 == len(transparent):
        key = (transparent[0], transparent[-1])
    needs_smask = partial or (bool(transparent) and key is None)
    colour = IndexedColour(_base_colour(context), len(lookup) // 3 - 1, lookup)
    if header.interlace:
        decoded: Image.Image | None = _decode(context)
        assert decoded is not None
        image = _pillow.encode(_with_palette(decoded, lookup), colour)
        context.actions.append(
            reencoded_note("PNG palette, interlaced", "Flate", Reason.INTERLACED)
        )
    else:
        decoded = _decode(context) if needs_smask else None
        image = _passthrough(context, colour)
    if key is not None:
        context.transparency = "colour key"
        context.actions.append(Note("transparency-colour-key"))
        return replace(image, colour_key_mask=key)
    if needs_smask:
        assert decoded is not None
        context.transparency = "soft mask"
        context.actions.append(Note("transparency-soft-mask"))
        return replace(image, soft_mask=_palette_alpha(decoded, alphas))
    return image


def _blend_palette_on_white(lookup: bytes, alphas: list[int]) -> bytes:
    out = bytearray(lookup)
    for index, alpha in enumerate(alphas):
        for at in range(3 * index, 3 * index + 3):
            out[at] = (lookup[at] * alpha + 255 * (255 - alpha) + 127) // 255
    return bytes(out)


def _palette_alpha(image: Image.Image, alphas: list[int]) -> RasterImage:
    from PIL import Image

    indices = Image.frombytes("L", image.size, image.tobytes())
    table = alphas + [255] * (256 - len(alphas))
    return _pillow.encode(indices.point(table))


def _with_palette(image: Image.Image, lookup: bytes) -> Image.Image:
    image = image.copy()
    image.putpalette(lookup)
    return image


# --- decoding (Pillow) and re-encoding ----------------------------------------------------------
def _clean_png(context: _Context) -> bytes:
    """A minimal PNG of the same image: header, palette and checked image data only.

    Pillow then sees nothing it might misread (text, APNG chunks, a tRNS it would apply).
    """
    chunks: list[tuple[bytes, bytes]] = []
    palette = context.body(b"PLTE")
    if context.header.colour_type == 3 and palette is not None:
        chunks.append((b"PLTE", palette))
    if context.inflated is not None:
        # Stored blocks: Pillow copies them instead of inflating the data a second time.
        chunks.append((b"IDAT", _deflate.compress(context.inflated, 0)))
    else:
        chunks.append((b"IDAT", context.idat))
    return png_format.build(context.header, chunks)


def _decode(context: _Context, rawmode: str | None = None) -> Image.Image:
    """Decode the image with Pillow, optionally reading the samples with another raw mode.

    Raw modes with the same bits per pixel unfilter identically, so ``RGB;16L`` read on
    big-endian data gives the low bytes where Pillow's default ``RGB;16B`` gives the high ones:
    two decodes give all 16 bits that Pillow would otherwise reduce to 8.
    """
    size = (context.header.width, context.header.height)
    with _pillow.pillow_errors(Kind.PNG, context.limits, size) as decoding:
        image = decoding.open(_clean_png(context), "PNG")
        if rawmode is not None:
            tiles = image.tile  # type: ignore[attr-defined]
            image.tile = [tiles[0]._replace(args=rawmode)]  # type: ignore[attr-defined]
        image.load()
    return image


def _interleave(high: bytes, low: bytes) -> bytes:
    out = bytearray(2 * len(high))
    out[0::2] = high
    out[1::2] = low
    return bytes(out)


@dataclass(slots=True)
class _Samples:
    """Decoded samples: colour and alpha, each as big-endian bytes (16-bit) or a Pillow image."""

    colour: Image.Image | bytes
    alpha: Image.Image | bytes | None
    bits: int


def _decode_samples(context: _Context) -> _Samples:
    header = context.header
    kind = header.colour_type
    if header.bit_depth < 16:
        image = _decode(context)
        if kind == 4:
            return _Samples(image.getchannel("L"), image.getchannel("A"), 8)
        if kind == 6:
            return _Samples(image.convert("RGB"), image.getchannel("A"), 8)
        return _Samples(image, None, 8)
    if kind == 0:
        return _Samples(_decode(context).tobytes("raw", "I;16B"), None, 16)
    if kind == 4:
        # Grey+alpha at 16 bits is 4 bytes a pixel, like RGBA at 8: read it that way, as is.
        image = _decode(context, "RGBA")
        grey = _interleave(image.getchannel("R").tobytes(), image.getchannel("G").tobytes())
        alpha = _interleave(image.getchannel("B").tobytes(), image.getchannel("A").tobytes())
        return _Samples(grey, alpha, 16)
    raw = "RGB" if kind == 2 else "RGBA"
    high, low = _decode(context), _decode(context, f"{raw};16L")
    colour = _interleave(high.convert("RGB").tobytes(), low.convert("RGB").tobytes())
    if kind == 2:
        return _Samples(colour, None, 16)
    alpha = _interleave(high.getchannel("A").tobytes(), low.getchannel("A").tobytes())
    return _Samples(colour, alpha, 16)


def _reencoded(context: _Context) -> RasterImage:
    """Decode (interlaced, alpha, or a colour key to flatten) and re-encode losslessly."""
    header = context.header
    samples = _decode_samples(context)

    if samples.alpha is not None and _opaque(samples.alpha):
        samples.alpha = None  # an alpha channel that hides nothing
    key = _colour_key(context)
    colour = samples.colour
    if key is not None and not isinstance(colour, bytes) and colour.mode == "L":
        # Pillow scales 2- and 4-bit grey to 0..255: scale the key the same way.
        key = tuple(v * 255 // ((1 << header.bit_depth) - 1) for v in key)
    flattened = context.options.flatten and (samples.alpha is not None or key is not None)
    # Why it was decoded at all, as the output shows it: flattening changes the pixels (and
    # leaves no alpha to keep), so it comes first.
    if flattened:
        reason = Reason.TRANSPARENCY_FLATTENED if key is None else Reason.COLOUR_KEY_FLATTENED
    elif header.interlace:
        reason = Reason.INTERLACED
    elif samples.alpha is not None:
        reason = Reason.ALPHA_CHANNEL
    else:
        reason = Reason.ALPHA_UNUSED
    if flattened:
        samples = _flattened(context, samples, key)
        key = None
    encoded = _encode_colour(context, samples)
    smask = _encode_grey(context, samples.alpha) if samples.alpha is not None else None
    context.actions.append(
        reencoded_note(
            f"PNG {_COLOUR_TYPES[header.colour_type]}, {header.bit_depth}-bit",
            "Flate" + (" + soft mask" if smask is not None else ""),
            reason,
        )
    )
    if flattened:
        context.transparency = "flattened"
        context.actions.append(Note("transparency-flattened"))
    mask = None
    if smask is not None:
        context.transparency = "soft mask"
        context.actions.append(Note("transparency-soft-mask"))
    elif key is not None:
        context.transparency = "colour key"
        context.actions.append(Note("transparency-colour-key"))
        mask = tuple(v for value in key for v in (value, value))
    return replace(encoded, soft_mask=smask, colour_key_mask=mask)


def _opaque(alpha: Image.Image | bytes) -> bool:
    if isinstance(alpha, bytes):
        return alpha.count(b"\xff") == len(alpha)
    return alpha.getextrema() == (255, 255)


def _encode_colour(context: _Context, samples: _Samples) -> RasterImage:
    header = context.header
    colour = samples.colour
    if isinstance(colour, bytes):
        if header.colour_type in (0, 4):
            return _encode_grey(context, colour, _base_colour(context))
        return _pillow.flate_raster(
            colour,
            width=header.width,
            height=header.height,
            bits=16,
            channels=3,
            colour_space=_base_colour(context),
        )
    return _pillow.encode(colour, _base_colour(context))


def _encode_grey(
    context: _Context,
    samples: Image.Image | bytes,
    colour: DeviceColour | ICCColour | None = None,
) -> RasterImage:
    """One grey plane: a Pillow image, or 16-bit big-endian samples."""
    from PIL import Image

    if isinstance(samples, bytes):
        size = (context.header.width, context.header.height)
        samples = Image.frombytes("I;16", size, samples, "raw", "I;16B")
    return _pillow.encode(samples, colour)


def _flattened(context: _Context, samples: _Samples, key: tuple[int, ...] | None) -> _Samples:
    """Composite onto white: alpha blending, or the colour-key pixels made white."""
    from PIL import Image

    size = (context.header.width, context.header.height)
    if samples.bits == 16:
        return _flattened16(context, samples, key)
    colour = samples.colour
    assert not isinstance(colour, bytes)
    if colour.mode == "1":
        colour = colour.convert("L")  # 0 and 255: the key follows
        key = tuple(255 * v for v in key) if key is not None else None
    if key is not None:
        mask = _key_mask8(colour, key)
    else:
        assert isinstance(samples.alpha, Image.Image)
        mask = samples.alpha
    white = Image.new(colour.mode, size, (255,) * len(colour.getbands()))
    if key is not None:
        colour = colour.copy()
        colour.paste(white, mask=mask)
        return _Samples(colour, None, 8)
    white.paste(colour, mask=mask)
    return _Samples(white, None, 8)


def _key_mask8(colour: Image.Image, key: tuple[int, ...]) -> Image.Image:
    """255 where every band equals the key, else 0."""
    from PIL import ImageChops

    bands = [
        band.point([255 if v == k else 0 for v in range(256)])
        for band, k in zip(colour.split(), key, strict=True)
    ]
    mask = bands[0]
    for band in bands[1:]:
        mask = ImageChops.multiply(mask, band)
    return mask


def _flattened16(context: _Context, samples: _Samples, key: tuple[int, ...] | None) -> _Samples:
    """16-bit compositing onto white, in floating point (exact for opaque pixels)."""
    from PIL import Image, ImageChops, ImageMath

    size = (context.header.width, context.header.height)
    colour = samples.colour
    assert isinstance(colour, bytes)
    channels = 1 if context.header.colour_type in (0, 4) else 3
    planes = [_plane16(colour, channels, c, size) for c in range(channels)]
    if key is not None:
        masks = [_equal_mask(plane, k) for plane, k in zip(planes, key, strict=True)]
        mask = masks[0]
        for other in masks[1:]:
            mask = ImageChops.multiply(mask, other)
        white = Image.new("I", size, 65535)
        for plane in planes:
            plane.paste(white, mask=mask)
        result = planes
    else:
        assert isinstance(samples.alpha, bytes)
        alpha = Image.frombytes("I;16", size, samples.alpha, "raw", "I;16B").convert("F")
        result = [
            ImageMath.lambda_eval(
                lambda a: (a["c"] * a["w"] + 65535.0 * (65535.0 - a["w"])) / 65535.0 + 0.5,
                c=plane.convert("F"),
                w=alpha,
            ).convert("I")
            for plane in planes
        ]
    packed = [p.convert("I;16").tobytes("raw", "I;16B") for p in result]
    if channels == 1:
        return _Samples(packed[0], None, 16)
    out = bytearray(6 * size[0] * size[1])
    for index, plane_bytes in enumerate(packed):
        out[2 * index :: 6] = plane_bytes[0::2]
        out[2 * index + 1 :: 6] = plane_bytes[1::2]
    return _Samples(bytes(out), None, 16)


def _equal_mask(plane: Image.Image, value: int) -> Image.Image:
    """255 where a 32-bit integer plane equals ``value``, else 0."""
    from PIL import ImageMath

    equal = ImageMath.lambda_eval(lambda a: a["p"] == value, p=plane)
    assert not isinstance(equal, int)
    mask: Image.Image = equal.convert("L").point([0] + [255] * 255)
    return mask


def _plane16(colour: bytes, channels: int, index: int, size: tuple[int, int]) -> Image.Image:
    from PIL import Image

    step = 2 * channels
    plane = _interleave(colour[2 * index :: step], colour[2 * index + 1 :: step])
    return Image.frombytes("I;16", size, plane, "raw", "I;16B").convert("I")


# --- report -------------------------------------------------------------------------------------
def _details(context: _Context, frames: int, exif: ExifFacts | None) -> dict[str, Any]:
    header = context.header
    parsed = context.parsed
    ignored = [
        name
        for name in parsed.chunk_types()
        if name.encode("latin-1") not in _USED and name.encode("latin-1") not in _PERSONAL
    ]
    return {
        "format": "PNG",
        "colour_type": header.colour_type,
        "colour": _COLOUR_TYPES[header.colour_type],
        "bit_depth": header.bit_depth,
        "interlace": "Adam7" if header.interlace else "none",
        "chunks": parsed.chunk_types(),
        "chunks_before_header": parsed.before_header,
        "icc_bytes": len(context.icc.profile) if context.icc is not None else 0,
        "palette_entries": len(context.body(b"PLTE") or b"") // 3,
        "transparency": context.transparency,
        "frames": frames,
        "exif_orientation": exif.orientation if exif is not None else None,
        # Gamma and chromaticities are not applied: PDF has no place for them, and viewers
        # show PNGs as sRGB anyway.
        "ignored_chunks": ignored,
        "trailing_bytes": len(context.data) - parsed.end,
        "embedded": "FlateDecode (as it is)"
        if any(n.code == "passthrough" for n in context.actions)
        else "FlateDecode (re-encoded)",
    }
