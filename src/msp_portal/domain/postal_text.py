"""Text as La Poste prints it on address lines 4 to 6: capitals A–Z, digits and single spaces."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold"]

# Letters that NFKD does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {
        "Œ": "OE",
        "œ": "oe",
        "Æ": "AE",
        "æ": "ae",
        "ß": "ss",
        "ẞ": "SS",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "Ð": "D",
        "ð": "d",
        "Ł": "L",
        "ł": "l",
        "Þ": "TH",
        "þ": "th",
        "Ħ": "H",
        "ħ": "h",
        "ı": "i",
    }
)
# Combining marks left by NFKD (accents, cedillas...): removed, so "É" becomes "E".
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Everything else that is not A–Z or 0–9 separates words: apostrophes, hyphens, dots, commas,
# letters of other scripts, control characters.
_SEPARATORS = re.compile(r"[^A-Z0-9]+")


def fold(text: str) -> str:
    """``text`` in capitals without accents or punctuation: A–Z, 0–9 and single spaces.

    ``"Allée de l'Église-Saint-Œuvre"`` becomes ``"ALLEE DE L EGLISE SAINT OEUVRE"``. Full-width
    and other compatibility digits become ASCII digits; characters that have no Latin letter
    equivalent separate words like punctuation does.
    """
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_LETTERS)))
    return " ".join(_SEPARATORS.sub(" ", text.upper()).split())
