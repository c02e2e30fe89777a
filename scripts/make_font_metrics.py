"""Write src/msp_docs/_formats/helvetica.py: Helvetica advance widths for WinAnsiEncoding.

Form appearances are drawn in the standard Helvetica font with WinAnsiEncoding (no font file
embedded: every viewer has Helvetica or a metric-compatible substitute). Laying text out needs
the width of each glyph; they are read once from URW's Nimbus Sans, which is metric-compatible
with Helvetica (Debian package fonts-urw-base35), and written as a table.

Usage: apt-get install fonts-urw-base35 && .venv/bin/python scripts/make_font_metrics.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import ImageFont

FONT = Path("/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf")
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src/msp_docs/_formats/helvetica.py"

HEADER = '''"""Helvetica glyph widths for WinAnsiEncoding (generated: do not edit).

Written by ``scripts/make_font_metrics.py`` from URW's Nimbus Sans (metric-compatible with
Helvetica). ``HELVETICA_WIDTHS[code - 32]`` is the advance width, in thousandths of the font
size, of the glyph that code 32..255 names in WinAnsiEncoding (0 where the encoding has none).
"""

from __future__ import annotations

__all__ = ["HELVETICA_ASCENT", "HELVETICA_DESCENT", "HELVETICA_WIDTHS"]

#: Ascender and descender of Helvetica (thousandths of the font size; from its AFM).
HELVETICA_ASCENT = 718
HELVETICA_DESCENT = -207

'''


def main() -> int:
    if not FONT.is_file():
        print(f"{FONT} not found: apt-get install fonts-urw-base35", file=sys.stderr)
        return 1
    font = ImageFont.truetype(str(FONT), 1000, layout_engine=ImageFont.Layout.BASIC)
    widths = []
    for code in range(32, 256):
        try:
            char = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            widths.append(0)
            continue
        widths.append(round(font.getlength(char)))
    rows = [", ".join(str(w) for w in widths[i : i + 16]) for i in range(0, len(widths), 16)]
    body = "HELVETICA_WIDTHS: tuple[int, ...] = (\n" + "".join(f"    {r},\n" for r in rows) + ")\n"
    TARGET.write_text(HEADER + body, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
