"""JPEG structure without decoding: markers, frame and scans, and the metadata to keep or strip."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

from msp_docs._model import Kind
from msp_docs.errors import CorruptImage, Reason, TruncatedInput, UnsupportedVariant

__all__ = ["Component", "Frame", "Jfif", "JpegFile", "parse"]

SOI = b"\xff\xd8"
_EOI = 0xD9
_SOS = 0xDA
_DRI = 0xDD
_SOF_NAMES = {
    0xC0: "baseline",
    0xC1: "extended sequential",
    0xC2: "progressive",
    0xC3: "lossless",
    0xC5: "differential sequential",
    0xC6: "differential progressive",
    0xC7: "differential lossless",
    0xC9: "arithmetic sequential",
    0xCA: "arithmetic progressive",
    0xCB: "arithmetic lossless",
    0xCD: "differential arithmetic sequential",
    0xCE: "differential arithmetic progressive",
    0xCF: "differential arithmetic lossless",
}
_HIERARCHICAL = frozenset({0xC5, 0xC6, 0xC7, 0xCD, 0xCE, 0xCF, 0xDE, 0xDF})  # + DHP, EXP
_ARITHMETIC = frozenset({0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_LOSSLESS = frozenset({0xC3, 0xC7, 0xCB, 0xCF})
_PROGRESSIVE = frozenset({0xC2, 0xC6, 0xCA, 0xCE})
# Table and parameter segments every decoder needs: always kept.
_TABLES = frozenset({0xC4, 0xCC, 0xDB, 0xDC, _DRI})  # DHT, DAC, DQT, DNL, DRI

# The last FF before a marker code: a code is neither a stuffed zero nor another fill byte. No
# quantifier, so a hostile run of FF bytes costs linear time.
_MARKER = re.compile(rb"\xff(?=[^\x00\xff])")
# The end of entropy-coded data: an FF that starts a marker other than a restart marker.
_ECS_END = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")

_RESTART = re.compile(rb"\xff([\xd0-\xd7])")
_RESTART_CYCLE = bytes(range(0xD0, 0xD8))

_XMP_PREFIXES = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")


@dataclass(frozen=True, slots=True)
class Component:
    """One colour component of the frame: its id, sampling factors and quantisation table."""

    ident: int
    h: int
    v: int
    table: int


@dataclass(frozen=True, slots=True)
class Frame:
    """The frame header (SOFn): coding process, precision, size and components."""

    marker: int
    precision: int
    height: int
    width: int
    components: tuple[Component, ...]

    @property
    def name(self) -> str:
        """``SOF0`` ... ``SOF15``."""
        return f"SOF{self.marker - 0xC0}"

    @property
    def process(self) -> str:
        """The coding process in words, e.g. ``progressive``."""
        return _SOF_NAMES[self.marker]

    @property
    def progressive(self) -> bool:
        """True for the progressive processes."""
        return self.marker in _PROGRESSIVE

    @property
    def arithmetic(self) -> bool:
        """True when the entropy coding is arithmetic rather than Huffman."""
        return self.marker in _ARITHMETIC

    @property
    def lossless(self) -> bool:
        """True for the lossless (predictive) processes."""
        return self.marker in _LOSSLESS

    def embeddable(self) -> tuple[Reason, int | None] | None:
        """Why a PDF's DCTDecode cannot carry this frame as it is, or ``None`` if it can.

        The reason comes with the number it names (bits, components), if any. PDF readers
        decode baseline, extended (8-bit) and progressive Huffman JPEGs with 1, 3 or 4
        components; 12-bit, arithmetic and lossless JPEGs are outside what they must support.
        """
        if self.lossless:
            return Reason.LOSSLESS_JPEG, None
        if self.arithmetic:
            return Reason.ARITHMETIC_CODING, None
        if self.precision != 8:
            return Reason.JPEG_PRECISION, self.precision
        if len(self.components) not in (1, 3, 4):
            return Reason.JPEG_COMPONENTS, len(self.components)
        return None


@dataclass(frozen=True, slots=True)
class Jfif:
    """The JFIF APP0 header: version, density and whether it carries a thumbnail."""

    version: tuple[int, int]
    units: int
    x_density: int
    y_density: int
    thumbnail: bool

    def dpi(self) -> tuple[float, float] | None:
        """Declared dots per inch, or ``None`` when the density is only an aspect ratio."""
        if self.x_density <= 0 or self.y_density <= 0:
            return None
        if self.units == 1:
            return (float(self.x_density), float(self.y_density))
        if self.units == 2:  # dots per centimetre
            return (self.x_density * 2.54, self.y_density * 2.54)
        return None


@dataclass(slots=True)
class JpegFile:
    """A parsed JPEG: its first image, what to keep of it and what it declares.

    Attributes:
        frame: The frame header.
        parts: The cleaned copy, as byte ranges of the input or replacement bytes, in order.
        end: Offset just after the EOI marker; the rest of the input is trailing data.
        scans: Number of scans.
        restart_interval: The last DRI value (0 = none).
        jfif: The first JFIF header, if any.
        adobe_transform: The transform flag of the (last) Adobe APP14 segment, if any.
        exif: The TIFF payload of the first EXIF APP1 segment, if any.
        icc: The ICC profile reassembled from its APP2 chunks, if complete.
        icc_problem: Why the APP2 chunks did not give a profile, if they did not.
        removed: Codes of the metadata removed (``exif``, ``xmp``, ``comment``, ``APP12``...), in
            order; ``msp_docs._messages`` names them.
        stray_bytes: Bytes between segments that are not part of any (decoders skip them).
        mpf: Whether a multi-picture (MPF) segment was present.
    """

    frame: Frame
    parts: list[bytes | tuple[int, int]]
    end: int
    scans: int = 0
    restart_interval: int = 0
    jfif: Jfif | None = None
    adobe_transform: int | None = None
    exif: bytes | None = None
    icc: bytes | None = None
    icc_problem: Reason | None = None
    removed: list[str] = field(default_factory=list)
    stray_bytes: int = 0
    mpf: bool = False

    def cleaned(self, data: bytes) -> bytes:
        """The JPEG to embed: the same entropy-coded data, without metadata or trailing bytes."""
        view = memoryview(data)
        return b"".join(p if isinstance(p, bytes) else view[p[0] : p[1]] for p in self.parts)

    @property
    def colour_transform(self) -> bool:
        """Whether decoders convert the samples (YCbCr -> RGB, YCCK -> CMYK), as libjpeg decides."""
        count = len(self.frame.components)
        if count == 3:
            if self.jfif is not None:
                return True
            if self.adobe_transform is not None:
                return self.adobe_transform != 0
            ids = tuple(c.ident for c in self.frame.components)
            return ids != (0x52, 0x47, 0x42)  # "RGB" component ids mean untransformed RGB
        if count == 4:
            return self.adobe_transform is not None and self.adobe_transform != 0
        return False


def parse(data: bytes) -> JpegFile:
    """Walk the markers of the first image in ``data`` (pure; nothing is decoded).

    Every segment is bounds-checked, the frame and scan headers are checked against each other,
    and each scan's entropy-coded data is delimited (and its restart markers counted against
    the number of MCUs when restart intervals are used).

    Raises:
        TruncatedInput: the data stops before the end-of-image marker.
        CorruptImage: a malformed segment or a marker where none may be.
        UnsupportedVariant: a hierarchical or JPEG-LS file.
    """
    if not data.startswith(SOI):
        raise CorruptImage(kind=Kind.JPEG, reason=Reason.NO_SOI)
    return _Parser(data).run()


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.frame: Frame | None = None
        self.parts: list[bytes | tuple[int, int]] = [(0, 2)]
        self.scans = 0
        self.restart_interval = 0
        self.jfif: Jfif | None = None
        self.adobe: int | None = None
        self.exif: bytes | None = None
        self.icc_chunks: list[tuple[int, int, bytes]] = []
        self.removed: list[str] = []
        self.stray = 0
        self.mpf = False

    def run(self) -> JpegFile:
        data = self.data
        pos = 2
        while True:
            at, marker = self._next_marker(pos)
            if marker == _EOI:
                if self.frame is None or self.scans == 0:
                    raise CorruptImage(kind=Kind.JPEG, reason=Reason.NO_IMAGE_DATA)
                self._keep(at, at + 2)
                return self._result(at + 2)
            if marker == 0xD8:
                raise CorruptImage(kind=Kind.JPEG, reason=Reason.SECOND_SOI)
            if 0xD0 <= marker <= 0xD7 or marker == 0x01:
                # A restart or TEM marker outside a scan carries nothing; decoders skip it.
                self.stray += 2
                pos = at + 2
                continue
            end = self._segment_end(at)
            payload = data[at + 4 : end]
            self._segment(marker, at, end, payload)
            pos = end
            if marker == _SOS:
                pos = self._scan(payload, end)

    # --- markers and segments -------------------------------------------------------------------
    def _next_marker(self, pos: int) -> tuple[int, int]:
        found = _MARKER.search(self.data, pos)
        if found is None:
            raise TruncatedInput(kind=Kind.JPEG, reason=Reason.NO_EOI)
        skipped = self.data[pos : found.start()]
        self.stray += len(skipped.rstrip(b"\xff"))  # FF fill bytes before a marker are legal
        return found.start(), self.data[found.start() + 1]

    def _segment_end(self, at: int) -> int:
        if at + 4 > len(self.data):
            raise TruncatedInput(kind=Kind.JPEG, reason=Reason.SEGMENT_CUT)
        length = int.from_bytes(self.data[at + 2 : at + 4], "big")
        if length < 2:
            raise CorruptImage(kind=Kind.JPEG, reason=Reason.SEGMENT_LENGTH)
        end = at + 2 + length
        if end > len(self.data):
            raise TruncatedInput(kind=Kind.JPEG, reason=Reason.SEGMENT_CUT)
        return end

    def _keep(self, start: int, end: int) -> None:
        last = self.parts[-1]
        if isinstance(last, tuple) and last[1] == start:
            self.parts[-1] = (last[0], end)
        else:
            self.parts.append((start, end))

    def _remove(self, name: str) -> None:
        if name not in self.removed:
            self.removed.append(name)

    def _segment(self, marker: int, at: int, end: int, payload: bytes) -> None:
        if marker in _HIERARCHICAL:
            raise UnsupportedVariant(kind=Kind.JPEG, reason=Reason.HIERARCHICAL_JPEG)
        if marker == 0xF7:
            raise UnsupportedVariant(kind=Kind.JPEG, reason=Reason.JPEG_LS)
        if marker in _SOF_NAMES:
            self._frame(marker, payload)
            self._keep(at, end)
        elif marker == _SOS:
            self._keep(at, end)
        elif marker in _TABLES:
            if marker == _DRI:
                if len(payload) < 2:
                    raise CorruptImage(kind=Kind.JPEG, reason=Reason.RESTART_INTERVAL)
                (self.restart_interval,) = struct.unpack_from(">H", payload)
            self._keep(at, end)
        elif 0xE0 <= marker <= 0xEF or marker == 0xFE:
            self._application(marker, at, end, payload)
        else:
            raise CorruptImage(
                kind=Kind.JPEG, reason=Reason.UNEXPECTED_MARKER, value=f"0xFF{marker:02X}"
            )

    def _application(self, marker: int, at: int, end: int, payload: bytes) -> None:
        if marker == 0xE0 and payload.startswith(b"JFIF\x00") and len(payload) >= 14:
            if self.jfif is not None:
                self._remove("jfif")
                return
            units = payload[7]
            x_density, y_density = struct.unpack_from(">HH", payload, 8)
            thumbnail = payload[12] * payload[13] > 0
            self.jfif = Jfif((payload[5], payload[6]), units, x_density, y_density, thumbnail)
            if thumbnail or len(payload) > 14:
                # Keep the header decoders read, without the thumbnail (a picture of its own).
                self.parts.append(b"\xff\xe0\x00\x10" + payload[:12] + b"\x00\x00")
                self._remove("jfif-thumbnail")
            else:
                self._keep(at, end)
        elif marker == 0xE2 and payload.startswith(b"ICC_PROFILE\x00") and len(payload) >= 14:
            self.icc_chunks.append((payload[12], payload[13], payload[14:]))
            self._keep(at, end)
        elif marker == 0xEE and payload.startswith(b"Adobe") and len(payload) >= 12:
            self.adobe = payload[11]
            self._keep(at, end)
        elif marker == 0xE1 and payload.startswith(b"Exif\x00"):
            if self.exif is None:
                self.exif = payload[6:]
            self._remove("exif")
        elif marker == 0xE1 and payload.startswith(_XMP_PREFIXES):
            self._remove("xmp")
        elif marker == 0xE2 and payload.startswith(b"MPF\x00"):
            self.mpf = True
            self._remove("mpf")
        elif marker == 0xED:
            self._remove("iptc")
        elif marker == 0xFE:
            self._remove("comment")
        else:
            self._remove(f"APP{marker - 0xE0}")

    # --- frame and scans ------------------------------------------------------------------------
    def _frame(self, marker: int, payload: bytes) -> None:
        if self.frame is not None:
            raise CorruptImage(kind=Kind.JPEG, reason=Reason.TWO_FRAMES)
        if len(payload) < 6:
            raise CorruptImage(kind=Kind.JPEG, reason=Reason.FRAME_HEADER_CUT)
        precision, height, width, count = struct.unpack_from(">BHHB", payload)
        if count == 0 or len(payload) < 6 + 3 * count:
            raise CorruptImage(kind=Kind.JPEG, reason=Reason.FRAME_HEADER)
        components = []
        for index in range(count):
            ident, sampling, table = payload[6 + 3 * index : 9 + 3 * index]
            h, v = sampling >> 4, sampling & 15
            if not (1 <= h <= 4 and 1 <= v <= 4) or table > 3:
                raise CorruptImage(kind=Kind.JPEG, reason=Reason.COMPONENTS)
            components.append(Component(ident, h, v, table))
        lossless = marker in _LOSSLESS
        if (lossless and not 2 <= precision <= 16) or (not lossless and precision not in (8, 12)):
            raise CorruptImage(kind=Kind.JPEG, reason=Reason.PRECISION, value=precision)
        self.frame = Frame(marker, precision, height, width, tuple(components))

    def _scan(self, header: bytes, start: int) -> int:
        frame = self.frame
        if frame is None:
            raise CorruptImage(kind=Kind.JPEG, reason=Reason.SCAN_BEFORE_FRAME)
        count = header[0] if header else 0
        if not 1 <= count <= 4 or len(header) < 4 + 2 * count:
            raise CorruptImage(kind=Kind.JPEG, reason=Reason.SCAN_HEADER)
        by_id = {c.ident: c for c in frame.components}
        selected = []
        for index in range(count):
            component = by_id.get(header[1 + 2 * index])
            if component is None:
                raise CorruptImage(kind=Kind.JPEG, reason=Reason.SCAN_COMPONENT)
            selected.append(component)
        found = _ECS_END.search(self.data, start)
        if found is None:
            raise TruncatedInput(kind=Kind.JPEG, reason=Reason.DATA_CUT)
        end = found.start()
        if self.restart_interval:
            self._check_restarts(frame, selected, start, end)
        self._keep(start, end)
        self.scans += 1
        return end

    def _check_restarts(
        self, frame: Frame, selected: list[Component], start: int, end: int
    ) -> None:
        intervals = -(-_mcu_count(frame, selected) // self.restart_interval)
        codes = b"".join(_RESTART.findall(self.data, start, end))
        if len(codes) < intervals - 1:
            raise TruncatedInput(
                detail=f"{len(codes) + 1} of {intervals} restart intervals",
                kind=Kind.JPEG,
                reason=Reason.SCAN_INCOMPLETE,
                value=len(codes) + 1,
            )
        cycle = _RESTART_CYCLE * (len(codes) // 8 + 1)
        if len(codes) > intervals or codes != cycle[: len(codes)]:
            raise CorruptImage(kind=Kind.JPEG, reason=Reason.RESTART_ORDER)

    def _result(self, end: int) -> JpegFile:
        assert self.frame is not None
        icc, problem = _assemble_icc(self.icc_chunks)
        return JpegFile(
            frame=self.frame,
            parts=self.parts,
            end=end,
            scans=self.scans,
            restart_interval=self.restart_interval,
            jfif=self.jfif,
            adobe_transform=self.adobe,
            exif=self.exif,
            icc=icc,
            icc_problem=problem,
            removed=self.removed,
            stray_bytes=self.stray,
            mpf=self.mpf,
        )


def _mcu_count(frame: Frame, selected: list[Component]) -> int:
    """MCUs in a scan over ``selected`` (data units are 8x8 blocks, or pixels when lossless)."""
    unit = 1 if frame.lossless else 8
    h_max = max(c.h for c in frame.components)
    v_max = max(c.v for c in frame.components)
    if len(selected) == 1:
        c = selected[0]
        width = -(-frame.width * c.h // h_max)
        height = -(-frame.height * c.v // v_max)
        return -(-width // unit) * -(-height // unit)
    return -(-frame.width // (unit * h_max)) * -(-frame.height // (unit * v_max))


def _assemble_icc(
    chunks: list[tuple[int, int, bytes]],
) -> tuple[bytes | None, Reason | None]:
    """Reassemble an ICC profile split over APP2 segments (sequence numbers 1..count)."""
    if not chunks:
        return None, None
    count = chunks[0][1]
    if count == 0 or any(c[1] != count for c in chunks):
        return None, Reason.ICC_CHUNK_COUNT
    ordered = sorted(chunks, key=lambda c: c[0])
    if [c[0] for c in ordered] != list(range(1, count + 1)):
        return None, Reason.ICC_CHUNKS_MISSING
    return b"".join(c[2] for c in ordered), None
