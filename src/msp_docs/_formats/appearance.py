"""Drawing form field values: text layout and appearance stream content (pure, no PDF library).

A filled field must show its value in every viewer, including those that never regenerate
appearances (pypdf issues #355 and #1618: values set without an appearance stream are invisible).
This module turns a value, the widget's box and its default appearance (``/DA``) into the
content of an appearance stream; the backend wraps it in a Form XObject.

Decisions:

- Text is drawn in the standard Helvetica font (Courier when ``/DA`` names a Courier font) with
  WinAnsiEncoding whenever it can print the whole value, which covers French (every accented
  letter, the oe and ae ligatures, the euro sign, guillemets and the typographic apostrophe);
  nothing is embedded, so the output stays small. Other values (Łukasz, Nguyễn, Greek,
  Cyrillic) are drawn in the embedded font of :mod:`msp_docs._formats.textfont`; a character
  no font can draw is refused (:class:`Unencodable`) rather than drawn as a wrong glyph. The
  chosen font's own metrics drive the layout.
- The ``/DA`` font size is used as it is. Size 0 means automatic: the size that fills the box's
  height, at most 12 pt, shrunk until the text fits. When a fixed size would overflow the box,
  the text is shrunk to fit instead of being cut off (what a printed form needs), down to
  :data:`MIN_FONT_SIZE`; a value that does not fit even then is refused (:class:`DoesNotFit`).
- ``/Q`` alignment (left, centre, right), comb fields (one character centred in each of
  ``/MaxLen`` cells), multiline fields (words wrapped, explicit line breaks kept), the widget's
  background and border colours (``/MK /BG``, ``/MK /BC``, ``/BS /W``) are honoured.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from msp_docs._formats.textfont import (
    COURIER,
    HELVETICA,
    TextFont,
    Unencodable,
    encode_winansi,
)

__all__ = [
    "AUTO_MAX_SIZE",
    "MIN_FONT_SIZE",
    "Box",
    "DefaultAppearance",
    "DoesNotFit",
    "Layout",
    "Unencodable",
    "check_appearance",
    "empty_appearance",
    "encode_winansi",
    "layout_text",
    "standard_font",
    "text_appearance",
    "text_width",
]

#: Smallest font size text is shrunk to (points); still legible on a printed page.
MIN_FONT_SIZE = 5.0
#: Largest automatic font size (``/DA`` size 0), as Acrobat's for one-line fields.
AUTO_MAX_SIZE = 12.0
#: Line height as a multiple of the font size (multiline fields).
LEADING = 1.15

_TOKEN = re.compile(r"/[^\s/\[\]()<>{}%]*|[-+]?(?:\d+\.?\d*|\.\d+)|[A-Za-z*'\"]+")


class DoesNotFit(ValueError):
    """The value does not fit in the box even at :data:`MIN_FONT_SIZE`."""


@dataclass(frozen=True, slots=True)
class DefaultAppearance:
    """What a field's ``/DA`` string says: font resource name, size (0 = auto) and colour."""

    font: str = "Helv"
    size: float = 0.0
    colour: tuple[float, ...] = (0.0,)

    @classmethod
    def parse(cls, da: str | None) -> DefaultAppearance:
        """Read ``/Helv 10 Tf 0 g`` and the like; what cannot be read keeps its default."""
        if not da:
            return cls()
        tokens = _TOKEN.findall(da)
        font, size = "Helv", 0.0
        colour: tuple[float, ...] = (0.0,)
        operands: list[str] = []
        for token in tokens:
            if token[0].isalpha() or token[0] in "*'\"":
                if token == "Tf" and len(operands) >= 2 and operands[-2].startswith("/"):  # noqa: S105
                    font = operands[-2][1:] or "Helv"
                    size = _number(operands[-1], 0.0)
                elif token in ("g", "rg", "k"):
                    count = {"g": 1, "rg": 3, "k": 4}[token]
                    values = operands[-count:]
                    if len(values) == count and not any(v.startswith("/") for v in values):
                        colour = tuple(min(max(_number(v, 0.0), 0.0), 1.0) for v in values)
                operands = []
            else:
                operands.append(token)
        return cls(font=font, size=max(size, 0.0), colour=colour)

    @property
    def monospaced(self) -> bool:
        """True when the font is a Courier (the standard monospaced font)."""
        return self.font.lower().startswith(("cour", "cou"))


@dataclass(frozen=True, slots=True)
class Box:
    """A widget's drawing area (after its rotation) and decoration.

    Attributes:
        width: Width in points.
        height: Height in points.
        border: Border width (0 when no border is drawn).
        background: ``/MK /BG`` colour, if any.
        border_colour: ``/MK /BC`` colour, if any.
        alignment: ``/Q``: 0 left, 1 centred, 2 right.
    """

    width: float
    height: float
    border: float = 0.0
    background: tuple[float, ...] | None = None
    border_colour: tuple[float, ...] | None = None
    alignment: int = 0


@dataclass(frozen=True, slots=True)
class _Line:
    x: float
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each line (or comb character) of a value goes, in which font, at what size."""

    size: float
    lines: tuple[_Line, ...]
    shrunk: bool
    font: TextFont


def standard_font(da: DefaultAppearance) -> TextFont:
    """The standard font ``/DA`` asks for: Courier for a Courier font, Helvetica otherwise."""
    return COURIER if da.monospaced else HELVETICA


def text_width(text: str, size: float, font: TextFont = HELVETICA) -> float:
    """Width in points of ``text`` drawn in ``font`` at ``size``."""
    return font.width(text) * size / 1000


def layout_text(
    value: str,
    box: Box,
    da: DefaultAppearance,
    *,
    multiline: bool = False,
    comb: int | None = None,
    font: TextFont | None = None,
) -> Layout:
    """Place ``value`` in ``box``, in ``font`` (default: the standard font of ``/DA``).

    Raises:
        Unencodable: a character the font cannot draw (line breaks of multiline fields aside).
        DoesNotFit: the value does not fit even at :data:`MIN_FONT_SIZE` (or, for a comb
            field, has more characters than cells).
    """
    font = font or standard_font(da)
    drawn = value.replace("\r", "").replace("\n", "") if multiline and not comb else value
    missing = font.unprintable(drawn)
    if missing:
        raise Unencodable(missing)
    pad_x = box.border + 2.0
    pad_y = box.border + 1.0
    inner_w = max(box.width - 2 * pad_x, 1.0)
    inner_h = max(box.height - 2 * pad_y, 1.0)
    if comb:
        return _layout_comb(value, box, da, font, cells=comb, inner_h=inner_h)
    if multiline:
        return _layout_multiline(value, box, da, font, pad=(pad_x, pad_y), inner=(inner_w, inner_h))
    auto = min(inner_h / LEADING, AUTO_MAX_SIZE)
    size = da.size or auto
    width = text_width(value, size, font)
    shrunk = False
    if width > inner_w:
        size = size * inner_w / width
        shrunk = bool(da.size)
        width = text_width(value, size, font)
    if size < MIN_FONT_SIZE - 1e-9:
        raise DoesNotFit(value)
    x = _aligned_x(box.alignment, width, pad_x, box.width)
    y = _centred_baseline(box.height, size, font)
    return Layout(size, (_Line(x, y, value),), shrunk, font)


def _layout_comb(
    value: str, box: Box, da: DefaultAppearance, font: TextFont, *, cells: int, inner_h: float
) -> Layout:
    if len(value) > cells:
        raise DoesNotFit(value)
    cell = box.width / cells
    widest = max((text_width(c, 1.0, font) for c in value), default=0.5)
    fit = (cell - 1.0) / widest if widest else AUTO_MAX_SIZE
    size = da.size or min(inner_h / LEADING, AUTO_MAX_SIZE)
    shrunk = False
    if size > fit:
        shrunk = bool(da.size)
        size = fit
    if size < MIN_FONT_SIZE - 1e-9:
        raise DoesNotFit(value)
    y = _centred_baseline(box.height, size, font)
    # Characters fill cells from the left whatever /Q says (as Acrobat draws comb fields).
    lines = []
    for index, char in enumerate(value):
        w = text_width(char, size, font)
        lines.append(_Line(index * cell + (cell - w) / 2, y, char))
    return Layout(size, tuple(lines), shrunk, font)


def _layout_multiline(
    value: str,
    box: Box,
    da: DefaultAppearance,
    font: TextFont,
    *,
    pad: tuple[float, float],
    inner: tuple[float, float],
) -> Layout:
    pad_x, pad_y = pad
    inner_w, inner_h = inner
    paragraphs = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    size = da.size or AUTO_MAX_SIZE
    shrunk = False
    while True:
        lines = [line for p in paragraphs for line in _wrap(p, size, inner_w, font)]
        if len(lines) * size * LEADING <= inner_h + 1e-6 or size <= MIN_FONT_SIZE:
            break
        size = max(size - 0.5, MIN_FONT_SIZE)
        shrunk = bool(da.size)
    ascent, descent = font.ascent / 1000, font.descent / 1000
    # One line may still overflow a little in a very low box: allowed only for one line.
    if len(lines) * size * LEADING > inner_h + 1e-6 and (
        len(lines) > 1 or size * (ascent - descent) > box.height
    ):
        raise DoesNotFit(value)
    placed = []
    top = box.height - pad_y - ascent * size
    if len(lines) == 1:
        top = _centred_baseline(box.height, size, font) if box.height < 2 * size else top
    for index, line in enumerate(lines):
        width = text_width(line, size, font)
        x = _aligned_x(box.alignment, width, pad_x, box.width)
        placed.append(_Line(x, top - index * size * LEADING, line))
    return Layout(size, tuple(placed), shrunk, font)


def _wrap(text: str, size: float, width: float, font: TextFont) -> list[str]:
    """Break ``text`` into lines no wider than ``width``: at spaces, or inside long words."""
    if not text:
        return [""]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = word if not current else current + " " + word
        if text_width(candidate, size, font) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        rest = word
        while text_width(rest, size, font) > width and len(rest) > 1:
            cut = len(rest) - 1
            while cut > 1 and text_width(rest[:cut], size, font) > width:
                cut -= 1
            lines.append(rest[:cut])
            rest = rest[cut:]
        current = rest
    lines.append(current)
    return lines


def _aligned_x(alignment: int, width: float, pad: float, box_width: float) -> float:
    if alignment == 1:
        return (box_width - width) / 2
    if alignment == 2:
        return box_width - pad - width
    return pad


def _centred_baseline(height: float, size: float, font: TextFont) -> float:
    ascent, descent = font.ascent / 1000, font.descent / 1000
    return (height - size * (ascent - descent)) / 2 - descent * size


def _number(text: str, default: float) -> float:
    try:
        return float(text)
    except ValueError:
        return default


def _fmt(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _colour(colour: Sequence[float], *, stroke: bool) -> str:
    numbers = " ".join(_fmt(c) for c in colour)
    op = {1: "g", 3: "rg", 4: "k"}.get(len(colour), "g")
    return f"{numbers} {op.upper() if stroke else op}"


def _decoration(box: Box) -> list[str]:
    ops = []
    if box.background:
        ops.append(f"{_colour(box.background, stroke=False)} 0 0 {_fmt(box.width)} "
                   f"{_fmt(box.height)} re f")  # fmt: skip
    if box.border_colour and box.border > 0:
        half = box.border / 2
        ops.append(
            f"{_colour(box.border_colour, stroke=True)} {_fmt(box.border)} w {_fmt(half)} "
            f"{_fmt(half)} {_fmt(box.width - box.border)} {_fmt(box.height - box.border)} re S"
        )
    return ops


def empty_appearance(box: Box) -> bytes:
    """The appearance of an empty text field: its background and border only."""
    return ("\n".join([*_decoration(box), "/Tx BMC EMC"]) + "\n").encode("ascii")


def text_appearance(layout: Layout, box: Box, da: DefaultAppearance, font_resource: str) -> bytes:
    """Content of a text field's appearance stream for a laid-out value.

    ``font_resource`` is the name under which the stream's resources hold the font.
    """
    clip = box.border + 1.0
    ops = [
        *_decoration(box),
        "/Tx BMC",
        "q",
        f"{_fmt(clip)} {_fmt(clip)} {_fmt(box.width - 2 * clip)} "
        f"{_fmt(box.height - 2 * clip)} re W n",
        "BT",
        f"/{font_resource} {_fmt(layout.size)} Tf",
        _colour(da.colour, stroke=False),
    ]
    x0 = y0 = 0.0
    for line in layout.lines:
        encoded = layout.font.encode(line.text)
        ops.append(f"{_fmt(line.x - x0)} {_fmt(line.y - y0)} Td <{encoded.hex()}> Tj")
        x0, y0 = line.x, line.y
    ops += ["ET", "Q", "EMC"]
    return ("\n".join(ops) + "\n").encode("ascii")


def check_appearance(box: Box, char: str, da: DefaultAppearance, font_resource: str) -> bytes:
    """Content of a checkbox or radio button's "on" appearance: a ZapfDingbats mark.

    ``char`` is the ZapfDingbats character (``/MK /CA``; "4" is a check mark, "l" a dot).
    """
    glyph = (char or "4")[:1]
    code = glyph.encode("latin-1", "replace")
    side = min(box.width, box.height)
    size = da.size or side * 0.8
    width = 0.85 * size  # ZapfDingbats marks are about this wide
    x = (box.width - width) / 2
    y = (box.height - 0.7 * size) / 2
    ops = [
        *_decoration(box),
        "q",
        "BT",
        f"/{font_resource} {_fmt(size)} Tf",
        _colour(da.colour, stroke=False),
        f"{_fmt(x)} {_fmt(y)} Td <{code.hex()}> Tj",
        "ET",
        "Q",
    ]
    return ("\n".join(ops) + "\n").encode("ascii")
