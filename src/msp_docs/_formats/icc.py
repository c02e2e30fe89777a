"""ICC profile headers: can a profile serve as an ICCBased colour space, for how many inks."""

from __future__ import annotations

import struct

__all__ = ["icc_components"]

_SPACES = {b"GRAY": 1, b"RGB ": 3, b"CMYK": 4}
# Device link, abstract and named-colour profiles describe no colour space of their own.
_CLASSES = {b"scnr", b"mntr", b"prtr", b"spac"}


def icc_components(profile: bytes) -> tuple[int | None, str | None]:
    """Return (number of components, problem) for ``profile``, read from its header (pure).

    ``None`` components come with the reason the profile cannot be used.
    """
    if len(profile) < 132:
        return None, "profile shorter than its header"
    if profile[36:40] != b"acsp":
        return None, "not an ICC profile"
    (declared,) = struct.unpack_from(">I", profile, 0)
    if declared > len(profile) or declared < 132:
        return None, "profile truncated"
    if profile[12:16] not in _CLASSES:
        return None, f"profile class {profile[12:16].decode('latin-1')!r}"
    components = _SPACES.get(profile[16:20])
    if components is None:
        return None, f"colour space {profile[16:20].decode('latin-1')!r}"
    return components, None
