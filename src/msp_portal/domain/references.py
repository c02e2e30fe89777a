"""Numbers citizens read aloud and retype: dossier references (P6), file numbers, draft passwords.

Every such number is drawn at random from an alphabet of 19 characters chosen to survive a phone
call and a bad handwriting: the digits 2 to 9 and the letters A C E F H K M R T X Y. Left out:
0/O/Q, 1/I/L, 5/S, 2/Z (look alike); U/V/W, B/D/P/G/J/N (sound alike in French: "bé, dé, pé",
"gé, ji", "èm, èn"). 19 is prime, which is what the check character needs:

The last character is a check character: the weighted sum of the values of every character (the
series digit included, position ``j`` counted from the right with the check at ``j = 0`` having
weight ``j + 1``) is 0 modulo 19. Because 19 is prime and the weights 1..n are non-zero and
distinct from their neighbours modulo 19 (n < 19), changing any one character changes the sum by
``w * d != 0`` and swapping two adjacent different characters changes it by ``+-(a - b) != 0``:
every single mistyped character and every adjacent transposition is detected (ISBN-10 works the
same way modulo 11, with an eleventh symbol ``X`` that we do not need).

A reference looks like ``A-1-K7H3-9RXF-C4M``: the series (``A-1`` for online procedures, ``A-2``
for CERFA forms sent online), ten random characters (19^10, about 42.5 bits: nothing about one
reference tells another), and the check character. Input is read leniently: case, spaces,
dashes and dots are ignored.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from enum import IntEnum

__all__ = [
    "ALPHABET",
    "FILE_NUMBER_LENGTH",
    "PASSWORD_LENGTH",
    "REFERENCE_LENGTH",
    "ReferenceSeries",
    "check_character",
    "is_well_formed",
    "new_draft_password",
    "new_file_number",
    "new_reference",
    "normalise_code",
    "parse_file_number",
    "parse_reference",
]

ALPHABET = "23456789ACEFHKMRTXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_P = len(ALPHABET)  # 19, prime
REFERENCE_LENGTH = 10  # random characters of a reference, before its check character
FILE_NUMBER_LENGTH = 8  # random characters of a file number ("numéro de télédossier")
PASSWORD_LENGTH = 12  # characters of a draft password (about 51 bits)
_SEPARATORS = str.maketrans("", "", " -.\u00a0\u202f_")

RandomBelow = Callable[[int], int]
"""Returns a uniform integer in ``[0, n)``; :func:`secrets.randbelow` unless a test passes one."""


class ReferenceSeries(IntEnum):
    """The digit after ``A-``: which kind of sending the reference belongs to (P6, F4)."""

    PROCEDURE = 1
    """An online procedure ("démarche en ligne")."""
    CERFA = 2
    """A CERFA form filled and sent online."""


def _weighted_sum(values: list[int]) -> int:
    # Position j from the right, the check character (not in ``values``) being j = 0.
    n = len(values)
    return sum((n - i + 1) * v for i, v in enumerate(values)) % _P


def check_character(body: str, *, series: int | None = None) -> str:
    """The check character of ``body`` (characters of :data:`ALPHABET`), after ``series``."""
    values = ([series] if series is not None else []) + [_VALUE[ch] for ch in body]
    if len(values) + 1 >= _P:
        raise ValueError("too long for a check character modulo 19")
    return ALPHABET[(-_weighted_sum(values)) % _P]


def _valid(values: list[int]) -> bool:
    n = len(values) - 1
    total = sum((n - i + 1) * v for i, v in enumerate(values[:-1])) + values[-1]
    return total % _P == 0


def _draw(length: int, randbelow: RandomBelow) -> str:
    return "".join(ALPHABET[randbelow(_P)] for _ in range(length))


def _group(text: str, size: int = 4) -> str:
    return "-".join(text[i : i + size] for i in range(0, len(text), size))


def new_reference(series: ReferenceSeries, randbelow: RandomBelow = secrets.randbelow) -> str:
    """A fresh reference ``A-<series>-XXXX-XXXX-XXC`` (random body, check character last)."""
    body = _draw(REFERENCE_LENGTH, randbelow)
    full = body + check_character(body, series=int(series))
    return f"A-{int(series)}-{_group(full)}"


def normalise_code(text: str) -> str:
    """``text`` in upper case without spaces, dashes, dots or underscores (how it was read)."""
    return text.upper().translate(_SEPARATORS)


def is_well_formed(code: str, *, series: int | None = None) -> bool:
    """Whether ``code`` (normalised, without series) has only alphabet characters and checks."""
    if not code or any(ch not in _VALUE for ch in code):
        return False
    values = ([series] if series is not None else []) + [_VALUE[ch] for ch in code]
    return _valid(values)


def parse_reference(text: str) -> str | None:
    """The canonical form of a reference typed or read aloud, or None when it cannot be one.

    ``a1 k7h3 9rxf c4m`` and ``A-1-K7H3-9RXF-C4M`` are the same reference; a reference with one
    wrong character or two adjacent characters swapped is refused (None), never mistaken for
    another.
    """
    if not isinstance(text, str) or len(text) > 64:
        return None
    compact = normalise_code(text)
    if len(compact) != 2 + REFERENCE_LENGTH + 1 or compact[0] != "A" or compact[1] not in "12":
        return None
    series, rest = int(compact[1]), compact[2:]
    if not is_well_formed(rest, series=series):
        return None
    return f"A-{series}-{_group(rest)}"


def new_file_number(randbelow: RandomBelow = secrets.randbelow) -> str:
    """A fresh file number ("numéro de télédossier") ``XXXX-XXXX-C``."""
    body = _draw(FILE_NUMBER_LENGTH, randbelow)
    return _group(body + check_character(body))


def parse_file_number(text: str) -> str | None:
    """The canonical form of a typed file number, or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    compact = normalise_code(text)
    if len(compact) != FILE_NUMBER_LENGTH + 1 or not is_well_formed(compact):
        return None
    return _group(compact)


def new_draft_password(randbelow: RandomBelow = secrets.randbelow) -> str:
    """A fresh draft password ``XXXX-XXXX-XXXX`` (about 51 random bits), sent by email."""
    return _group(_draw(PASSWORD_LENGTH, randbelow))
