"""Password policy (NIST SP 800-63B §5.1.1.2): length, NFKC, blocklist; no composition rules."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from msp_portal.errors import (
    PasswordContainsIdentifier,
    PasswordTooCommon,
    PasswordTooLong,
    PasswordTooShort,
)

# Words a user of this service is likely to build a password from (NIST's "context-specific
# words"), and French favourites that the English-centred breach list ranks low.
CONTEXT_WORDS = frozenset(
    {
        "monservicepublic",
        "servicepublic",
        "servicepublicfr",
        "monservicepublicfr",
        "motdepasse",
        "monmotdepasse",
        "azerty",
        "azertyuiop",
        "soleil",
        "bonjour",
        "doudou",
        "chouchou",
        "loulou",
        "marseille",
        "jetaime",
        "france",
        "amelie",
        "impots",
        "impotsgouv",
    }
)

_SEQUENCES = (
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "a1z2e3r4t5y6u7i8o9p0",
)
_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise_password(password: str) -> str:
    """NFKC form of ``password``: the same characters typed on any device hash the same."""
    return unicodedata.normalize("NFKC", password)


@cache
def _blocklist() -> frozenset[str]:
    # zxcvbn ships the 30 000 most common passwords of public breach corpora (MIT licence).
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.casefold() for p in FREQUENCY_LISTS["passwords"]) | CONTEXT_WORDS


def blocklist_size() -> int:
    """Number of distinct blocked passwords (the breach list plus the context words)."""
    return len(_blocklist())


def _is_sequence(text: str) -> bool:
    for seq in _SEQUENCES:
        ring = seq * 4
        if text in ring or text in ring[::-1]:
            return True
    return False


def _smallest_unit(text: str) -> str:
    """The shortest string whose repetition is ``text`` ("abcabc" -> "abc")."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def is_common(password: str) -> bool:
    """Whether ``password`` is, or is built from, a common/breached password or a pattern.

    Caught: the breach list and context words (any case), with digits or symbols added at either
    end ("Motdepasse2024!"), repeated ("azertyazerty"), keyboard or alphabet runs, and passwords
    of three distinct characters or fewer.
    """
    folded = password.casefold()
    blocked = _blocklist()
    if folded in blocked:
        return True
    letters = _NOT_ALNUM.sub("", folded)
    if len(set(letters)) <= 3 or _is_sequence(letters):
        return True
    stem = letters.strip("0123456789")
    unit = _smallest_unit(stem)
    return any(
        candidate in blocked or _is_sequence(candidate) for candidate in {stem, unit} if candidate
    )


def check_new_password(
    password: str, *, identifier: str, minimum: int = 12, maximum: int = 1024
) -> str:
    """Return the NFKC form of ``password`` if the policy accepts it, else raise.

    Raises:
        PasswordTooShort: fewer than ``minimum`` characters (after normalisation).
        PasswordTooLong: more than ``maximum`` characters.
        PasswordContainsIdentifier: the identifier appears in it, in any case.
        PasswordTooCommon: see :func:`is_common`.
    """
    normalised = normalise_password(password)
    length = len(normalised)
    if length < minimum:
        raise PasswordTooShort(length=length, minimum=minimum)
    if length > maximum:
        raise PasswordTooLong(length=length, maximum=maximum)
    if identifier and identifier.casefold() in normalised.casefold():
        raise PasswordContainsIdentifier
    if is_common(normalised):
        raise PasswordTooCommon
    return normalised
