"""Fonts that form values are drawn in: what each can print, glyph widths, and string encoding.

Two kinds, chosen per value by :func:`choose_font` (pure, no PDF or font library here):

- :class:`StandardFont`: standard Helvetica (or Courier) with WinAnsiEncoding. Nothing is
  embedded, so it is the choice whenever it can print the whole value: everything French needs
  (every accented letter, the oe and ae ligatures, the euro sign, guillemets, the typographic
  apostrophe) and most of Western Europe.
- :class:`CidFont`: an embedded TrueType font (Liberation Sans, metric-compatible with
  Helvetica) used as a Type0 font with Identity-H encoding, for the values WinAnsiEncoding
  cannot hold (Łukasz, Őzil, Nguyễn, Šťastný, Ğökay, Greek, Cyrillic). Its character codes are
  the characters' own Unicode code points (CIDs, two bytes, mapped to glyphs by a
  ``/CIDToGIDMap``), so the ``/ToUnicode`` map gives back exactly the text that was written,
  even for two characters drawn with one glyph.

Text is drawn glyph by glyph, left to right, without shaping: characters that need more
(right-to-left scripts, bidirectional and other invisible format characters, controls) are
refused as unprintable rather than drawn wrong. Widths are in thousandths of the font size, as
PDF's ``/W`` and AFM files give them; the fonts' own numbers are used for layout.

This module also makes the pure parts of the embedded font's PDF objects: the ``/W`` array, the
``/CIDToGIDMap`` stream, the ``/ToUnicode`` CMap and the subset's name tag.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from msp_docs._formats.helvetica import HELVETICA_ASCENT, HELVETICA_DESCENT, HELVETICA_WIDTHS

__all__ = [
    "COURIER",
    "HELVETICA",
    "CidFont",
    "StandardFont",
    "TextFont",
    "Unencodable",
    "choose_font",
    "cid_to_gid_map",
    "encode_winansi",
    "subset_tag",
    "to_unicode_cmap",
    "widths_array",
]

# Helvetica's width of each character WinAnsiEncoding can print (codes 32-255, defined ones).
_WINANSI_WIDTHS: dict[str, int] = {
    char: HELVETICA_WIDTHS[code - 32]
    for code in range(32, 256)
    if code != 0x7F  # DEL, a control
    for char in bytes([code]).decode("cp1252", "ignore")  # nothing for the 5 undefined codes
}
# Unicode categories never drawn: controls, format characters (bidirectional overrides,
# zero-width characters), surrogates, private use, unassigned, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Right-to-left letters and Arabic digits: drawn left to right they would read backwards.
_REFUSED_BIDI = frozenset({"R", "AL", "AN"})


class Unencodable(ValueError):
    """The value holds characters no available font can draw (listed in ``chars``)."""

    def __init__(self, chars: str) -> None:
        super().__init__(chars)
        self.chars = chars


class TextFont(Protocol):
    """What laying out and drawing a value needs from a font."""

    @property
    def ascent(self) -> float:
        """Height above the baseline, in thousandths of the size."""
        ...

    @property
    def descent(self) -> float:
        """Depth below the baseline (negative), in thousandths of the size."""
        ...

    @property
    def monospaced(self) -> bool:
        """Every glyph has the same width."""
        ...

    def unprintable(self, text: str) -> str:
        """The characters of ``text`` this font cannot draw, sorted, each once."""
        ...

    def width(self, text: str) -> float:
        """Advance width of ``text`` in thousandths of the size (text assumed printable)."""
        ...

    def encode(self, text: str) -> bytes:
        """The bytes of ``text`` in a content stream's string operand."""
        ...


@dataclass(frozen=True, slots=True)
class StandardFont:
    """A standard Type 1 font (Helvetica or Courier) with WinAnsiEncoding: nothing embedded."""

    name: str
    monospaced: bool = False
    ascent: float = HELVETICA_ASCENT
    descent: float = HELVETICA_DESCENT

    def unprintable(self, text: str) -> str:
        """Characters outside WinAnsiEncoding, and controls."""
        return "".join(sorted({c for c in text if c not in _WINANSI_WIDTHS}))

    def width(self, text: str) -> float:
        """Advance width from Helvetica's metrics (600 per glyph for Courier)."""
        if self.monospaced:
            return 600.0 * len(text)
        return float(sum(map(_WINANSI_WIDTHS.__getitem__, text)))

    def encode(self, text: str) -> bytes:
        """WinAnsiEncoding (Windows code page 1252)."""
        return text.encode("cp1252")


HELVETICA = StandardFont("Helvetica")
COURIER = StandardFont("Courier", monospaced=True)


@dataclass(frozen=True, slots=True, eq=False)
class CidFont:
    """An embedded TrueType font addressed by Unicode code points (CIDs), Identity-H encoded.

    Attributes:
        name: PostScript name of the font (``LiberationSans``).
        widths: Code point -> advance width in thousandths of the size, for every character
            the font has a glyph for (the ``/W`` entries of the characters used).
        ascent: Typographic ascender, thousandths of the size (vertical placement).
        descent: Typographic descender (negative).
    """

    name: str
    widths: Mapping[int, int]
    ascent: float
    descent: float
    monospaced: bool = field(default=False)

    def unprintable(self, text: str) -> str:
        """Characters without a glyph, beyond two bytes, or that need more than left-to-right."""
        return "".join(sorted({c for c in text if not self._printable(c)}))

    def _printable(self, char: str) -> bool:
        code = ord(char)
        if code > 0xFFFF or code not in self.widths:
            return False
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return False
        return unicodedata.bidirectional(char) not in _REFUSED_BIDI

    def width(self, text: str) -> float:
        """Sum of the glyphs' advances (combining marks advance by 0)."""
        widths = self.widths
        return float(sum(widths[ord(c)] for c in text))

    def encode(self, text: str) -> bytes:
        """Two bytes per character: its code point, which is its CID."""
        return text.encode("utf-16-be")


def encode_winansi(text: str) -> bytes:
    """Encode ``text`` for a standard font with WinAnsiEncoding.

    Raises:
        Unencodable: characters WinAnsiEncoding has no glyph for (controls included).
    """
    bad = HELVETICA.unprintable(text)
    if bad:
        raise Unencodable(bad)
    return text.encode("cp1252")


def choose_font(text: str, standard: TextFont, embedded: Callable[[], TextFont]) -> TextFont:
    """The font to draw ``text`` in: ``standard`` when it can, else the embedded font.

    ``embedded`` is called only when needed (loading it reads a font file).

    Raises:
        Unencodable: characters neither font can draw, listed.
    """
    if not standard.unprintable(text):
        return standard
    font = embedded()
    missing = font.unprintable(text)
    if missing:
        raise Unencodable(missing)
    return font


# --- the embedded font's PDF objects (pure) -----------------------------------------------------
def widths_array(widths: Mapping[int, int]) -> list[int | list[int]]:
    """The ``/W`` array of a CIDFont: ``[first [w1 w2 ...] first [...] ...]`` by runs of CIDs."""
    out: list[int | list[int]] = []
    run: list[int] = []
    start = previous = -2
    for cid in sorted(widths):
        if cid != previous + 1:
            if run:
                out += [start, run]
            start, run = cid, []
        run.append(widths[cid])
        previous = cid
    if run:
        out += [start, run]
    return out


def cid_to_gid_map(glyphs: Mapping[int, int]) -> bytes:
    """The ``/CIDToGIDMap`` stream: two bytes per CID from 0, its glyph's index (0: none)."""
    if not glyphs:
        return b"\x00\x00"
    table = bytearray(2 * (max(glyphs) + 1))
    for cid, gid in glyphs.items():
        table[2 * cid : 2 * cid + 2] = gid.to_bytes(2, "big")
    return bytes(table)


def to_unicode_cmap(code_points: Iterable[int]) -> bytes:
    """A ``/ToUnicode`` CMap mapping each two-byte code (a code point) to that character."""
    codes = sorted(set(code_points))
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(codes), 100):  # at most 100 entries per block (PDF's limit)
        chunk = codes[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:04X}> <{code:04X}>" for code in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(lines) + "\n").encode("ascii")


def subset_tag(code_points: Iterable[int]) -> str:
    """Six capital letters naming a subset (``ABCDEF+Font``), the same for the same characters."""
    digest = hashlib.sha256(",".join(map(str, sorted(set(code_points)))).encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])
