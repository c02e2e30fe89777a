"""ICC profile headers: can a profile serve as an ICCBased colour space, for how many inks."""

from __future__ import annotations

import struct

from msp_docs.errors import Reason

__all__ = ["icc_components"]

_SPACES = {b"GRAY": 1, b"RGB ": 3, b"CMYK": 4}
# Device link, abstract and named-colour profiles describe no colour space of their own.
_CLASSES = {b"scnr", b"mntr", b"prtr", b"spac"}


def icc_components(profile: bytes) -> tuple[int | None, Reason | None, str | None]:
    """Return (components, problem, its value) for ``profile``, read from its header (pure).

    ``None`` components come with the reason the profile cannot be used, and the value that
    reason names (the class or colour space found), if any.
    """
    if len(profile) < 132:
        return None, Reason.ICC_SHORT, None
    if profile[36:40] != b"acsp":
        return None, Reason.ICC_NOT_A_PROFILE, None
    (declared,) = struct.unpack_from(">I", profile, 0)
    if declared > len(profile) or declared < 132:
        return None, Reason.ICC_TRUNCATED, None
    if profile[12:16] not in _CLASSES:
        return None, Reason.ICC_CLASS, _printable(profile[12:16])
    components = _SPACES.get(profile[16:20])
    if components is None:
        return None, Reason.ICC_COLOUR_SPACE, _printable(profile[16:20])
    return components, None, None


def _printable(raw: bytes) -> str:
    """A four-character code from the file as text that cannot disturb a terminal."""
    return "".join(chr(b) if 0x20 < b < 0x7F else "?" for b in raw.rstrip(b" "))
