"""The embedded font of form appearances: Liberation Sans, read and subsetted with fontTools.

Values that standard Helvetica cannot print with WinAnsiEncoding (Łukasz, Nguyễn, Greek,
Cyrillic...) are drawn in Liberation Sans Regular 2.1.5, shipped in ``msp_docs/_fonts`` with
its licence (SIL Open Font License 1.1): metric-compatible with Helvetica/Arial, so a field looks
and measures the same whichever font draws it, and covering Latin Extended-A/B, Latin Extended
Additional (Vietnamese), Greek and Cyrillic.

- :func:`metrics` reads what layout needs from the font file itself (its cmap, advance widths
  and typographic ascender/descender), once per process.
- :func:`embed` writes the font into a document as a Type0 font (Identity-H, CIDFontType2)
  holding a subset of just the glyphs used: no hinting, no layout tables (PDF viewers use
  neither for drawn text), ``/W`` widths, a ``/CIDToGIDMap`` from code points to the subset's
  glyphs and a ``/ToUnicode`` CMap, so the text extracts exactly as it was written. The output is
  deterministic: the subset's name tag comes from the characters, its timestamps are the font's.

fontTools is imported here only, and only when a value needs this font.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from msp_docs._formats.textfont import (
    CidFont,
    cid_to_gid_map,
    subset_tag,
    to_unicode_cmap,
    widths_array,
)

__all__ = ["FONT_FILE", "embed", "font_bytes", "metrics"]

#: The font file in the package's ``_fonts`` directory.
FONT_FILE = "LiberationSans-Regular.ttf"

# Tables a PDF viewer does not use for drawn text; dropped before subsetting (which also spares
# fontTools parsing them): layout features, kerning, hinting programs, the FontForge stamp.
_DROPPED = ("GSUB", "GPOS", "GDEF", "kern", "FFTM", "gasp", "DSIG", "fpgm", "prep", "cvt ")
# Names kept in the subset: family, style, version, PostScript name, copyright and licence.
_NAME_IDS = (0, 1, 2, 3, 4, 5, 6, 13, 14)
_NONSYMBOLIC = 1 << 5  # font descriptor flag: Latin text font


@dataclass(frozen=True, slots=True)
class _Descriptor:
    """Font-wide numbers of the ``/FontDescriptor``, in thousandths of the size."""

    bbox: tuple[int, ...]
    ascent: int
    descent: int
    cap_height: int
    italic_angle: float
    stem_v: int


@functools.cache
def font_bytes() -> bytes:
    """The font file shipped with the package."""
    return resources.files("msp_docs").joinpath("_fonts", FONT_FILE).read_bytes()


def metrics() -> CidFont:
    """The font's metrics for layout (read once per process)."""
    return _loaded()[0]


@functools.cache
def _loaded() -> tuple[CidFont, _Descriptor]:
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(font_bytes()), lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    advances = font["hmtx"].metrics
    widths = {
        code: round(advances[glyph][0] * scale)
        for code, glyph in font.getBestCmap().items()
        if code <= 0xFFFF
    }
    os2, head, hhea = font["OS/2"], font["head"], font["hhea"]
    name = font["name"].getDebugName(6) or "LiberationSans"
    cid = CidFont(
        name=name,
        widths=widths,
        ascent=os2.sTypoAscender * scale,
        descent=os2.sTypoDescender * scale,
    )
    descriptor = _Descriptor(
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        ascent=round(hhea.ascent * scale),
        descent=round(hhea.descent * scale),
        cap_height=round(getattr(os2, "sCapHeight", os2.sTypoAscender) * scale),
        italic_angle=float(font["post"].italicAngle),
        stem_v=80,  # TrueType fonts do not record it; a regular weight's usual value
    )
    return cid, descriptor


def _subset(code_points: Iterable[int]) -> tuple[bytes, dict[int, int]]:
    """A TrueType subset with the glyphs of ``code_points``, and code point -> its glyph index."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    wanted = sorted(set(code_points))
    # The glyphs are copied as they are: their bounds, and the font's (then a little large),
    # need not be computed again, which halves the time a subset takes.
    font = TTFont(io.BytesIO(font_bytes()), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    for tag in _DROPPED:
        if tag in font:
            del font[tag]
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.layout_closure = False
    options.notdef_outline = True
    options.glyph_names = False
    options.name_IDs = list(_NAME_IDS)
    options.name_languages = [0x409]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    cmap = font.getBestCmap()
    glyphs = {code: font.getGlyphID(cmap[code]) for code in wanted if code in cmap}
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue(), glyphs


def embed(pdf: pikepdf.Pdf, target: Dictionary, code_points: Iterable[int]) -> None:
    """Make ``target`` (an indirect dictionary of ``pdf``) the Type0 font of ``code_points``.

    The appearance streams refer to ``target`` before it is filled: the subset can only be made
    once every value drawn in it is known.
    """
    cid, described = _loaded()
    codes = sorted(set(code_points))
    data, glyphs = _subset(codes)
    base = Name("/" + subset_tag(codes) + "+" + cid.name)
    font_file = Stream(pdf, data)
    font_file["/Length1"] = len(data)
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=base,
        Flags=_NONSYMBOLIC,
        FontBBox=Array(list(described.bbox)),
        ItalicAngle=described.italic_angle,
        Ascent=described.ascent,
        Descent=described.descent,
        CapHeight=described.cap_height,
        StemV=described.stem_v,
        FontFile2=font_file,
    )
    widths: list[Any] = [
        Array(entry) if isinstance(entry, list) else entry
        for entry in widths_array({code: cid.widths[code] for code in glyphs})
    ]
    descendant = Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType2,
        BaseFont=base,
        CIDSystemInfo=Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=0,
        W=Array(widths),
        CIDToGIDMap=Stream(pdf, cid_to_gid_map(glyphs)),
    )
    target["/Type"] = Name.Font
    target["/Subtype"] = Name.Type0
    target["/BaseFont"] = base
    target["/Encoding"] = Name("/Identity-H")
    target["/DescendantFonts"] = Array([pdf.make_indirect(descendant)])
    target["/ToUnicode"] = Stream(pdf, to_unicode_cmap(codes))
