"""PNG structure without Pillow: chunks, CRCs, header, bounded inflation, image-data check."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from msp_docs._model import Kind
from msp_docs.errors import (
    ChecksumMismatch,
    CorruptImage,
    DecompressionBomb,
    InvalidDimensions,
    Part,
    Reason,
    TruncatedInput,
)

__all__ = [
    "MAX_CHUNK_LENGTH",
    "SIGNATURE",
    "Chunk",
    "Header",
    "ImageData",
    "PngFile",
    "build",
    "check_image_data",
    "check_inflated",
    "inflate_limited",
    "inflated_size",
    "parse",
]

SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The PNG specification caps a chunk length at 2^31 - 1.
MAX_CHUNK_LENGTH = 2**31 - 1
_MAX_SIDE = 2**31 - 1

_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# Adam7 passes: (first column, first row, column step, row step).
_ADAM7 = (
    (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)
)  # fmt: skip
_CRITICAL = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND"})
_INFLATE_STEP = 256 * 1024


@dataclass(frozen=True, slots=True)
class Header:
    """The IHDR chunk."""

    width: int
    height: int
    bit_depth: int
    colour_type: int
    interlace: int

    @property
    def channels(self) -> int:
        """Samples per pixel (1 for palette indices)."""
        return _CHANNELS[self.colour_type]

    @property
    def has_alpha(self) -> bool:
        """True for grey+alpha and RGBA."""
        return self.colour_type in (4, 6)

    def row_bytes(self, width: int) -> int:
        """Bytes of one row of ``width`` pixels, without its filter byte."""
        return (width * self.channels * self.bit_depth + 7) // 8

    def passes(self) -> list[tuple[int, int]]:
        """(width, height) of each pass: the whole image, or the seven Adam7 sub-images."""
        if not self.interlace:
            return [(self.width, self.height)]
        return [
            ((self.width - x0 + dx - 1) // dx if self.width > x0 else 0,
             (self.height - y0 + dy - 1) // dy if self.height > y0 else 0)
            for x0, y0, dx, dy in _ADAM7
        ]  # fmt: skip

    def raw_size(self) -> int:
        """Bytes the image data inflates to: every row of every pass with its filter byte."""
        return sum(h * (1 + self.row_bytes(w)) for w, h in self.passes() if w and h)

    def decode_parms(self) -> dict[str, int]:
        """``/DecodeParms`` that make a PDF reader undo the PNG filters of this image data."""
        return {
            "Predictor": 15,
            "Colors": self.channels,
            "BitsPerComponent": self.bit_depth,
            "Columns": self.width,
        }


@dataclass(frozen=True, slots=True)
class Chunk:
    """One chunk: its type and where it sits (``start`` is the offset of its length field)."""

    type: bytes
    start: int
    length: int

    @property
    def data_start(self) -> int:
        """Offset of the chunk's data."""
        return self.start + 8

    @property
    def data_end(self) -> int:
        """Offset just after the chunk's data (where its CRC starts)."""
        return self.start + 8 + self.length

    def body(self, data: bytes) -> bytes:
        """The chunk's data."""
        return data[self.data_start : self.data_end]


@dataclass(slots=True)
class PngFile:
    """A PNG whose chunk structure and checksums are valid.

    Attributes:
        header: The IHDR chunk.
        chunks: Every chunk up to IEND, in order.
        end: Offset just after IEND; the rest of the input is trailing data.
        before_header: Types of the ancillary chunks found before IHDR.
    """

    header: Header
    chunks: list[Chunk]
    end: int
    before_header: list[str]

    def all(self, kind: bytes) -> list[Chunk]:
        """The chunks of type ``kind``."""
        return [c for c in self.chunks if c.type == kind]

    def first(self, kind: bytes) -> Chunk | None:
        """The first chunk of type ``kind``, if any."""
        return next((c for c in self.chunks if c.type == kind), None)

    def image_chunks(self) -> list[Chunk]:
        """The IDAT chunks."""
        return self.all(b"IDAT")

    def image_data(self, data: bytes) -> bytes:
        """The IDAT data concatenated: one zlib stream."""
        view = memoryview(data)
        return b"".join(view[c.data_start : c.data_end] for c in self.image_chunks())

    def chunk_types(self) -> list[str]:
        """The chunk types in order, repeated types counted once (for reports)."""
        types: list[str] = []
        for chunk in self.chunks:
            name = chunk.type.decode("latin-1")
            if name not in types:
                types.append(name)
        return types


def parse(data: bytes) -> PngFile:
    """Walk the chunks of ``data`` up to IEND, checking every CRC and the chunk order (pure).

    Raises:
        CorruptImage: bad signature, a chunk length over 2^31-1, an invalid chunk type, an
            impossible header, a critical chunk out of place, no IDAT.
        ChecksumMismatch: a chunk whose CRC does not match (facts: ``chunk``).
        TruncatedInput: the data stops inside a chunk or before IEND.
        InvalidDimensions: a zero width or height.
    """
    if not data.startswith(SIGNATURE):
        if len(data) < len(SIGNATURE) and SIGNATURE.startswith(data):
            raise TruncatedInput(kind=Kind.PNG, reason=Reason.SIGNATURE_CUT)
        raise CorruptImage(kind=Kind.PNG, reason=Reason.PNG_SIGNATURE)
    view = memoryview(data)
    chunks: list[Chunk] = []
    header: Header | None = None
    before: list[str] = []
    seen_palette = seen_data = data_ended = False
    pos = len(SIGNATURE)
    while True:
        chunk = _chunk_at(data, view, pos)
        kind = chunk.type
        name = kind.decode("latin-1")
        if header is None and kind != b"IHDR":
            if kind in _CRITICAL or _is_critical(kind):
                raise CorruptImage(kind=Kind.PNG, reason=Reason.CHUNK_BEFORE_HEADER, value=name)
            before.append(name)
            pos = chunk.data_end + 4
            continue
        if kind == b"IHDR":
            if header is not None:
                raise CorruptImage(kind=Kind.PNG, reason=Reason.TWO_HEADERS)
            header = _header(chunk.body(data))
        elif kind == b"PLTE":
            if seen_palette:
                raise CorruptImage(kind=Kind.PNG, reason=Reason.TWO_PALETTES)
            if seen_data:
                raise CorruptImage(kind=Kind.PNG, reason=Reason.PALETTE_AFTER_DATA)
            if chunk.length % 3 or not 3 <= chunk.length <= 768:
                raise CorruptImage(kind=Kind.PNG, reason=Reason.PALETTE_LENGTH)
            seen_palette = True
        elif kind == b"IDAT":
            if data_ended:
                raise CorruptImage(kind=Kind.PNG, reason=Reason.DATA_SPLIT)
            seen_data = True
        elif kind == b"IEND":
            chunks.append(chunk)
            break
        elif _is_critical(kind):
            raise CorruptImage(kind=Kind.PNG, reason=Reason.UNKNOWN_CRITICAL_CHUNK, value=name)
        if seen_data and kind != b"IDAT":
            data_ended = True
        chunks.append(chunk)
        pos = chunk.data_end + 4
    assert header is not None
    if not seen_data:
        raise CorruptImage(kind=Kind.PNG, reason=Reason.NO_IMAGE_DATA)
    if header.colour_type == 3 and not seen_palette:
        raise CorruptImage(kind=Kind.PNG, reason=Reason.NO_PALETTE)
    return PngFile(header=header, chunks=chunks, end=chunks[-1].data_end + 4, before_header=before)


def _is_critical(kind: bytes) -> bool:
    return not kind[0] & 0x20


def _chunk_at(data: bytes, view: memoryview, pos: int) -> Chunk:
    if pos + 8 > len(data):
        raise TruncatedInput(kind=Kind.PNG, reason=Reason.NO_END_CHUNK)
    length, kind = struct.unpack_from(">I4s", data, pos)
    if length > MAX_CHUNK_LENGTH:
        raise CorruptImage(kind=Kind.PNG, reason=Reason.CHUNK_LENGTH)
    if not kind.isalpha() or not kind.isascii():
        raise CorruptImage(kind=Kind.PNG, reason=Reason.CHUNK_TYPE)
    chunk = Chunk(kind, pos, length)
    if chunk.data_end + 4 > len(data):
        name = kind.decode("latin-1")
        raise TruncatedInput(kind=Kind.PNG, reason=Reason.CHUNK_CUT, value=name)
    (stored,) = struct.unpack_from(">I", data, chunk.data_end)
    if zlib.crc32(view[pos + 4 : chunk.data_end]) != stored:
        raise ChecksumMismatch(kind=Kind.PNG, chunk=kind.decode("latin-1"))
    return chunk


def _header(body: bytes) -> Header:
    if len(body) != 13:
        raise CorruptImage(kind=Kind.PNG, reason=Reason.HEADER_CHUNK)
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", body
    )
    if width == 0 or height == 0 or width > _MAX_SIDE or height > _MAX_SIDE:
        raise InvalidDimensions(kind=Kind.PNG, width=width, height=height)
    if colour not in _DEPTHS:
        raise CorruptImage(kind=Kind.PNG, reason=Reason.COLOUR_TYPE, value=colour)
    if depth not in _DEPTHS[colour]:
        raise CorruptImage(kind=Kind.PNG, reason=Reason.BIT_DEPTH, value=depth)
    if compression != 0 or filtering != 0 or interlace not in (0, 1):
        raise CorruptImage(kind=Kind.PNG, reason=Reason.HEADER_METHODS)
    return Header(width, height, depth, colour, interlace)


# --- inflation ----------------------------------------------------------------------------------
class _Inflater:
    """A zlib stream fed piece by piece, giving output in bounded steps.

    The two-byte zlib header is read here and the deflate data inflated raw, its Adler-32
    computed as the output comes: whether the stream ends with the right checksum is then a
    fact (:meth:`checksum_matches`), never a reading of zlib's error messages.
    """

    def __init__(self) -> None:
        self.stream = zlib.decompressobj(-zlib.MAX_WBITS)
        self.header = b""
        self.adler = 1

    def feed(self, piece: bytes | memoryview, room: int) -> Iterator[bytes]:
        """Inflate ``piece``, yielding at most ``room + 1`` bytes (one more shows an excess).

        Raises:
            zlib.error: a bad zlib header, or deflate data that is corrupt.
        """
        pending: bytes | memoryview = piece
        if len(self.header) < 2:
            need = 2 - len(self.header)
            self.header += bytes(pending[:need])
            pending = pending[need:]
            if len(self.header) < 2:
                return
            _check_zlib_header(self.header)
        while not self.stream.eof:
            step = min(_INFLATE_STEP, room + 1)
            out = self.stream.decompress(pending, step)
            self.adler = zlib.adler32(out, self.adler)
            room -= len(out)
            yield out
            if room < 0:
                return
            pending = self.stream.unconsumed_tail
            if not pending and len(out) < step:
                return

    def checksum_matches(self, trailer: bytes) -> bool:
        """Whether ``trailer`` (what follows the deflate data) starts with the right Adler-32."""
        return trailer[:4] == self.adler.to_bytes(4, "big")


def _check_zlib_header(header: bytes) -> None:
    """Deflate (method 8, window up to 32 KiB), a valid check value, no preset dictionary."""
    cmf, flg = header
    if cmf & 0x0F != 8 or cmf >> 4 > 7 or (cmf * 256 + flg) % 31 or flg & 0x20:
        raise zlib.error("invalid zlib header")


def inflate_limited(stream: bytes, limit: int, *, what: Part) -> bytes:
    """Inflate a zlib ``stream`` but never past ``limit`` bytes (pure).

    Raises:
        DecompressionBomb: the stream inflates to more than ``limit`` bytes (facts: ``what``).
        zlib.error: the stream is corrupt, incomplete or fails its checksum.
    """
    out: list[bytes] = []
    _inflate_counted(stream, limit, what, out)
    return b"".join(out)


def inflated_size(stream: bytes, limit: int, *, what: Part) -> int:
    """The size ``stream`` inflates to, measured in bounded steps and dropped as it comes.

    Raises:
        DecompressionBomb: more than ``limit`` bytes.
        zlib.error: the stream is corrupt, incomplete or fails its checksum.
    """
    return _inflate_counted(stream, limit, what, None)


def _inflate_counted(stream: bytes, limit: int, what: Part, keep: list[bytes] | None) -> int:
    inflater = _Inflater()
    total = 0
    for piece in inflater.feed(stream, limit):
        total += len(piece)
        if total > limit:
            raise DecompressionBomb(what=what, limit=limit)
        if keep is not None:
            keep.append(piece)
    if not inflater.stream.eof or not inflater.checksum_matches(inflater.stream.unused_data):
        raise zlib.error("incomplete compressed stream, or a wrong checksum")
    return total


@dataclass(frozen=True, slots=True)
class ImageData:
    """The result of checking IDAT: compressed bytes the zlib stream used, and bytes after it."""

    used: int
    extra: int


def check_image_data(png: PngFile, data: bytes) -> ImageData:
    """Inflate the image data in bounded steps and prove it is complete and well formed (pure).

    The stream must end (zlib end marker and Adler-32), inflate to exactly the size the header
    implies, and every row must start with a valid filter type (0-4). After that the image
    decodes, since unfiltering cannot fail. Memory stays bounded: the output is checked and
    dropped step by step.

    Raises:
        TruncatedInput: the stream stops before its end.
        ChecksumMismatch: its Adler-32 does not match (``chunk`` = ``IDAT``).
        CorruptImage: corrupt deflate data, too much or too little data, a bad filter type.
    """
    header = png.header
    view = memoryview(data)
    pieces = [view[c.data_start : c.data_end] for c in png.image_chunks()]
    expected = header.raw_size()
    layout = _row_layout(header)
    inflater = _Inflater()
    produced = 0
    ended_in = len(pieces)
    try:
        for index, piece in enumerate(pieces):
            for out in inflater.feed(piece, expected - produced):
                if produced + len(out) > expected:
                    raise CorruptImage(kind=Kind.PNG, reason=Reason.TOO_MUCH_DATA)
                if not _filters_valid(out, produced, layout):
                    raise CorruptImage(kind=Kind.PNG, reason=Reason.ROW_FILTER)
                produced += len(out)
            if inflater.stream.eof:
                ended_in = index
                break
    except zlib.error as exc:
        raise CorruptImage(detail=str(exc), kind=Kind.PNG, reason=Reason.COMPRESSED_DATA) from exc
    trailer = inflater.stream.unused_data + b"".join(bytes(p) for p in pieces[ended_in + 1 :])
    if not inflater.stream.eof or len(trailer) < 4:
        raise TruncatedInput(kind=Kind.PNG, reason=Reason.DATA_CUT)
    if not inflater.checksum_matches(trailer):
        raise ChecksumMismatch(kind=Kind.PNG, chunk="IDAT")
    if produced < expected:
        raise CorruptImage(kind=Kind.PNG, reason=Reason.TOO_LITTLE_DATA)
    extra = len(trailer) - 4
    return ImageData(used=sum(len(p) for p in pieces) - extra, extra=extra)


def check_inflated(png: PngFile, data: bytes, inflated: bytes | bytearray) -> ImageData | None:
    """What :func:`check_image_data` proves, for image data someone else inflated (pure).

    ``inflated`` must be what the IDAT stream inflates to, its checksum verified. Returns
    ``None`` (leaving the step-by-step check to judge) unless it has exactly the declared size,
    every row a valid filter type, and the stream ends exactly where the image data does:
    its last four bytes are the Adler-32 of ``inflated`` (bytes after the stream would sit
    there instead).
    """
    header = png.header
    if len(inflated) != header.raw_size():
        return None
    if not _filters_valid(inflated, 0, _row_layout(header)):
        return None
    chunks = png.image_chunks()
    total = sum(c.length for c in chunks)
    tail = b"".join(data[max(c.data_start, c.data_end - 4) : c.data_end] for c in chunks)[-4:]
    if total < 6 or tail != zlib.adler32(inflated).to_bytes(4, "big"):
        return None
    return ImageData(used=total, extra=0)


def _row_layout(header: Header) -> list[tuple[int, int, int]]:
    """(offset, stride, rows) of each non-empty pass in the inflated data."""
    layout = []
    offset = 0
    for width, height in header.passes():
        if width and height:
            stride = 1 + header.row_bytes(width)
            layout.append((offset, stride, height))
            offset += stride * height
    return layout


def _filters_valid(out: bytes | bytearray, base: int, layout: list[tuple[int, int, int]]) -> bool:
    """Whether every filter-type byte inside ``out`` (at offset ``base``) is 0..4."""
    top = base + len(out)
    for start, stride, rows in layout:
        low, high = max(base, start), min(top, start + stride * rows)
        if low >= high:
            continue
        first = low + (start - low) % stride
        if first < high and max(out[first - base : high - base : stride]) > 4:
            return False
    return True


# --- writing ------------------------------------------------------------------------------------
def build(header: Header, chunks: list[tuple[bytes, bytes]]) -> bytes:
    """A minimal PNG: signature, IHDR from ``header``, then ``chunks`` (type, data), then IEND."""
    ihdr = struct.pack(
        ">IIBBBBB",
        header.width,
        header.height,
        header.bit_depth,
        header.colour_type,
        0,
        0,
        header.interlace,
    )
    parts = [SIGNATURE]
    for kind, body in [(b"IHDR", ihdr), *chunks, (b"IEND", b"")]:
        parts.append(struct.pack(">I", len(body)) + kind)
        parts.append(body)
        parts.append(struct.pack(">I", zlib.crc32(kind + body)))
    return b"".join(parts)
