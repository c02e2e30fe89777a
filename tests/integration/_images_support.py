"""Test helpers for the image backends: build fixtures with code, read images back out of PDFs.

Everything here is independent of the code under test: the PNG and GIF writers, the PNG
reference decoder and the PDF image reader are written from the format specifications.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import pikepdf
from PIL import Image

from msp_docs import Options, convert

# --- PNG ----------------------------------------------------------------------------------------
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, body: bytes, *, crc: int | None = None) -> bytes:
    value = zlib.crc32(kind + body) if crc is None else crc
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", value)


def ihdr(width: int, height: int, depth: int, colour: int, interlace: int = 0) -> bytes:
    return png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    )


def make_png(
    width: int,
    height: int,
    depth: int,
    colour: int,
    rows: list[bytes],
    *,
    extra: tuple[bytes, ...] = (),
    after: tuple[bytes, ...] = (),
    filter_type: int = 0,
    interlace: bool = False,
) -> bytes:
    """A PNG from raw rows (packed samples); ``extra`` chunks before IDAT, ``after`` after it.

    Rows are filtered with one filter type (None, Sub or Up); ``interlace`` writes the seven
    Adam7 passes.
    """
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    bits_per_pixel = channels * depth
    bpp = max(1, bits_per_pixel // 8)
    if interlace:
        passes = []
        for x0, y0, dx, dy in ADAM7:
            sub_rows = [
                _pick(rows[y], range(x0, width, dx), bits_per_pixel) for y in range(y0, height, dy)
            ]
            if x0 < width and sub_rows:
                passes.append(sub_rows)
    else:
        passes = [rows]
    raw = bytearray()
    for pass_rows in passes:
        previous = bytes(len(pass_rows[0]))
        for row in pass_rows:
            raw.append(filter_type)
            if filter_type == 1:
                raw += bytes(
                    (row[i] - (row[i - bpp] if i >= bpp else 0)) & 255 for i in range(len(row))
                )
            elif filter_type == 2:
                raw += bytes((row[i] - previous[i]) & 255 for i in range(len(row)))
            else:
                raw += row
            previous = row
    return (
        PNG_SIGNATURE
        + ihdr(width, height, depth, colour, 1 if interlace else 0)
        + b"".join(extra)
        + png_chunk(b"IDAT", zlib.compress(bytes(raw)))
        + b"".join(after)
        + png_chunk(b"IEND", b"")
    )


ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)


def _pick(row: bytes, columns: range, bits_per_pixel: int) -> bytes:
    """The pixels of ``row`` at ``columns``, packed again (byte-aligned pixels only)."""
    assert bits_per_pixel % 8 == 0, "interlaced fixtures use whole-byte pixels"
    size = bits_per_pixel // 8
    return b"".join(row[c * size : (c + 1) * size] for c in columns)


def png_samples(data: bytes) -> tuple[dict[str, int], list[list[int]]]:
    """Reference decoder: a PNG's header and its samples per row, at their full bit depth.

    Slow (pure Python) but independent of Pillow and of msp_docs; for small images only.
    """
    pos = 8
    idat = b""
    header: dict[str, int] = {}
    while pos < len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            w, h, d, c, _, _, i = struct.unpack(">IIBBBBB", body)
            header = {"width": w, "height": h, "depth": d, "colour": c, "interlace": i}
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert header["interlace"] == 0, "reference decoder reads non-interlaced PNGs"
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[header["colour"]]
    depth = header["depth"]
    raw = zlib.decompress(idat)
    row_bytes = (header["width"] * channels * depth + 7) // 8
    bpp = max(1, channels * depth // 8)
    previous = bytearray(row_bytes)
    rows = []
    for y in range(header["height"]):
        start = y * (row_bytes + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + row_bytes])
        for i in range(row_bytes):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + predictor) & 255
        rows.append(unpack_samples(bytes(line), header["width"] * channels, depth))
        previous = line
    return header, rows


def unpack_samples(line: bytes, count: int, depth: int) -> list[int]:
    if depth == 16:
        return list(struct.unpack(f">{count}H", line[: 2 * count]))
    if depth == 8:
        return list(line[:count])
    per_byte = 8 // depth
    mask = (1 << depth) - 1
    out = []
    for index in range(count):
        byte = line[index // per_byte]
        shift = 8 - depth * (index % per_byte + 1)
        out.append((byte >> shift) & mask)
    return out


# --- GIF ----------------------------------------------------------------------------------------
def lzw_encode(indices: bytes, code_size: int) -> bytes:
    """GIF LZW data that never grows its table: a clear code before the table would grow.

    Valid for any decoder and simple enough to be obviously right.
    """
    clear, end = 1 << code_size, (1 << code_size) + 1
    width = code_size + 1
    codes = [clear]
    emitted = 0
    for value in indices:
        # After a clear, each code adds a table entry; clear again before the width would grow.
        if emitted == (1 << width) - (1 << code_size) - 3:
            codes.append(clear)
            emitted = 0
        codes.append(value)
        emitted += 1
    codes.append(end)
    bits = 0
    count = 0
    out = bytearray()
    for code in codes:
        bits |= code << count
        count += width
        while count >= 8:
            out.append(bits & 255)
            bits >>= 8
            count -= 8
    if count:
        out.append(bits & 255)
    return bytes(out)


def sub_blocks(data: bytes) -> bytes:
    out = bytearray()
    for i in range(0, len(data), 255):
        piece = data[i : i + 255]
        out.append(len(piece))
        out += piece
    out.append(0)
    return bytes(out)


@dataclass
class GifFrame:
    width: int
    height: int
    indices: bytes
    left: int = 0
    top: int = 0
    palette: bytes | None = None
    transparent: int | None = None
    disposal: int = 0
    interlaced: bool = False
    code_size: int = 8


def make_gif(
    width: int,
    height: int,
    frames: list[GifFrame],
    *,
    palette: bytes | None = None,
    trailer: bytes = b";",
    version: bytes = b"GIF89a",
) -> bytes:
    """A GIF from frames of palette indices (tables padded to a power of two)."""
    out = bytearray(version)
    packed = 0
    table = b""
    if palette is not None:
        table, size_bits = _table(palette)
        packed = 0x80 | size_bits
    out += struct.pack("<HHBBB", width, height, packed, 0, 0) + table
    for frame in frames:
        if frame.transparent is not None or frame.disposal:
            flags = (frame.disposal << 2) | (1 if frame.transparent is not None else 0)
            out += (
                b"\x21\xf9\x04" + struct.pack("<BHB", flags, 10, frame.transparent or 0) + b"\x00"
            )
        local = 0
        local_table = b""
        if frame.palette is not None:
            local_table, size_bits = _table(frame.palette)
            local = 0x80 | size_bits
        if frame.interlaced:
            local |= 0x40
        out += b"\x2c" + struct.pack(
            "<HHHHB", frame.left, frame.top, frame.width, frame.height, local
        )
        out += local_table
        rows = [frame.indices[y * frame.width : (y + 1) * frame.width] for y in range(frame.height)]
        if frame.interlaced:
            order = [*range(0, frame.height, 8), *range(4, frame.height, 8)]
            order += [*range(2, frame.height, 4), *range(1, frame.height, 2)]
            rows = [rows[y] for y in order]
        out += bytes((frame.code_size,)) + sub_blocks(lzw_encode(b"".join(rows), frame.code_size))
    out += trailer
    return bytes(out)


def _table(palette: bytes) -> tuple[bytes, int]:
    entries = len(palette) // 3
    bits = max(1, (entries - 1).bit_length())
    return palette + bytes(3 * (1 << bits) - len(palette)), bits - 1


# --- JPEG ---------------------------------------------------------------------------------------
def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of the segments before the first scan, read naively."""
    out = []
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA:
            break
        (length,) = struct.unpack_from(">H", data, pos + 2)
        out.append((marker, data[pos + 4 : pos + 2 + length]))
        pos += 2 + length
    return out


def insert_segments(jpeg: bytes, segments: list[tuple[int, bytes]]) -> bytes:
    """Insert APPn/COM segments right after SOI."""
    extra = b"".join(
        bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body for marker, body in segments
    )
    return jpeg[:2] + extra + jpeg[2:]


# --- reading the output -------------------------------------------------------------------------
def to_pdf(data: bytes, **options: Any) -> bytes:
    out = io.BytesIO()
    convert(data, out, options=Options(**options))
    return out.getvalue()


def page_images(pdf_bytes: bytes) -> list[pikepdf.Stream]:
    """The image XObject of every page, in order (opened with pikepdf, a second parser)."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    _OPEN.append(pdf)  # the streams need their document alive for the rest of the test run
    return [page.obj.Resources.XObject.Im0 for page in pdf.pages]


_OPEN: list[pikepdf.Pdf] = []


def colour_info(xobject: pikepdf.Stream) -> tuple[str, int, bytes | None]:
    """(base space name, components, Indexed lookup or None)."""
    space = xobject.ColorSpace
    lookup = None
    if isinstance(space, pikepdf.Array) and space[0] == pikepdf.Name.Indexed:
        raw = space[3]
        lookup = bytes(raw.read_bytes() if isinstance(raw, pikepdf.Stream) else raw)
        space = space[1]
    if isinstance(space, pikepdf.Array):  # ICCBased
        return "ICCBased", int(space[1].N), lookup
    name = str(space)
    return name, {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4}[name], lookup


def decoded_samples(xobject: pikepdf.Stream) -> tuple[int, int, int, bytes]:
    """(width, height, bits, samples) of a Flate image, predictors undone by qpdf."""
    return (
        int(xobject.Width),
        int(xobject.Height),
        int(xobject.BitsPerComponent),
        xobject.read_bytes(),
    )


def pdf_image_to_pil(xobject: pikepdf.Stream) -> Image.Image:
    """An 8-bit-or-less PDF image (not DCT) as a Pillow image: L, RGB or (Indexed) RGB."""
    width, height, bits, raw = decoded_samples(xobject)
    _name, components, lookup = colour_info(xobject)
    if lookup is not None:
        rawmode = {1: "P;1", 2: "P;2", 4: "P;4", 8: "P"}[bits]
        image = Image.frombytes("P", (width, height), raw, "raw", rawmode)
        image.putpalette(lookup + bytes(768 - len(lookup)))
        return image.convert("RGB")
    if components == 1:
        if bits == 8:
            return Image.frombytes("L", (width, height), raw)
        rawmode = {1: "P;1", 2: "P;2", 4: "P;4"}[bits]
        image = Image.frombytes("P", (width, height), raw, "raw", rawmode)
        scale = 255 // ((1 << bits) - 1)
        return Image.frombytes("L", (width, height), image.tobytes()).point(lambda v: v * scale)
    assert bits == 8
    return Image.frombytes("RGB" if components == 3 else "CMYK", (width, height), raw)


def pdf_indices(xobject: pikepdf.Stream) -> bytes:
    """The palette indices of an Indexed PDF image, one byte each."""
    width, height, bits, raw = decoded_samples(xobject)
    rawmode = {1: "P;1", 2: "P;2", 4: "P;4", 8: "P"}[bits]
    return Image.frombytes("P", (width, height), raw, "raw", rawmode).tobytes()


def pdf_rgba(xobject: pikepdf.Stream) -> Image.Image:
    """An 8-bit-or-less PDF image with its /SMask or colour-key /Mask applied, as RGBA."""
    colour = pdf_image_to_pil(xobject).convert("RGB")
    alpha = Image.new("L", colour.size, 255)
    if "/SMask" in xobject:
        alpha = pdf_image_to_pil(xobject.SMask).convert("L")
    elif "/Mask" in xobject:
        ranges = [int(v) for v in xobject.Mask]
        _name, components, lookup = colour_info(xobject)
        if lookup is not None:
            values = [[v] for v in pdf_indices(xobject)]
        else:
            width, height, bits, raw = decoded_samples(xobject)
            values = _rows_of_samples(raw, width, height, bits, components)
        hidden = [
            all(ranges[2 * c] <= pixel[c] <= ranges[2 * c + 1] for c in range(len(pixel)))
            for pixel in values
        ]
        alpha = Image.frombytes("L", colour.size, bytes(0 if h else 255 for h in hidden))
    rgba = colour.convert("RGBA")
    rgba.putalpha(alpha)
    return rgba


def _rows_of_samples(
    raw: bytes, width: int, height: int, bits: int, components: int
) -> list[list[int]]:
    row_bytes = (width * components * bits + 7) // 8
    pixels = []
    for y in range(height):
        samples = unpack_samples(raw[y * row_bytes : (y + 1) * row_bytes], width * components, bits)
        pixels += [samples[x * components : (x + 1) * components] for x in range(width)]
    return pixels


def pdf_samples(xobject: pikepdf.Stream) -> list[list[int]]:
    """Samples of a PDF image per row, at its own bit depth (16-bit included)."""
    width, height, bits, raw = decoded_samples(xobject)
    _name, components, _lookup = colour_info(xobject)
    row_bytes = (width * components * bits + 7) // 8
    return [
        unpack_samples(raw[y * row_bytes : (y + 1) * row_bytes], width * components, bits)
        for y in range(height)
    ]


def same_visible_pixels(got: Image.Image, want: Image.Image) -> bool:
    """RGBA images equal in alpha everywhere and in colour wherever alpha is not 0."""
    assert got.size == want.size
    got_pixels = got.convert("RGBA").get_flattened_data()
    want_pixels = want.convert("RGBA").get_flattened_data()
    for a, b in zip(got_pixels, want_pixels, strict=True):
        if a[3] != b[3] or (b[3] and a[:3] != b[:3]):
            return False
    return True
