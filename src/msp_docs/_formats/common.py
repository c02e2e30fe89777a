"""Checks shared by the image parsers: declared dimensions against the limits, trailing data."""

from __future__ import annotations

from msp_docs._model import Note
from msp_docs.errors import ImageTooLarge, InvalidDimensions, Reason
from msp_docs.limits import Limits

__all__ = ["check_dimensions", "metadata_note", "orientation", "reencoded_note", "trailing_note"]


def check_dimensions(width: int, height: int, limits: Limits) -> None:
    """Refuse a zero or over-limit size, as declared, before anything is decoded.

    Raises:
        InvalidDimensions: a side is zero (or negative).
        ImageTooLarge: more pixels than ``limits.max_image_pixels`` or a side longer than
            ``limits.max_image_side``.
    """
    if width <= 0 or height <= 0:
        raise InvalidDimensions(width=width, height=height)
    if width * height > limits.max_image_pixels or max(width, height) > limits.max_image_side:
        raise ImageTooLarge(width=width, height=height, limit=limits.max_image_pixels)


def trailing_note(count: int, kind: str) -> Note | None:
    """The note for ``count`` bytes found after the end of ``kind``, or ``None`` for none.

    ``kind`` is what ended: ``jpeg``, ``png``, ``gif``, ``pdf`` or ``png-image-data``.
    """
    if count <= 0:
        return None
    return Note("trailing-data-removed", {"bytes": count, "kind": kind})


def metadata_note(items: list[str]) -> Note:
    """The ``metadata-removed`` note listing the codes of what was removed (``exif``...)."""
    return Note("metadata-removed", {"items": list(items)})


def reencoded_note(source: str, target: str, reason: Reason, value: int | None = None) -> Note:
    """The ``reencoded`` note: from what, to what (technical names), and why."""
    facts: dict[str, object] = {"source": source, "target": target, "reason": reason}
    if value is not None:
        facts["value"] = value
    return Note("reencoded", facts)


def orientation(value: int | None) -> tuple[int, Note | None, Note | None]:
    """Decide what to do with a declared EXIF orientation (pure).

    Returns:
        (orientation to apply, action note or None, warning note or None). Values outside 1..8
        (0, 9, garbage) are ignored with an ``invalid-orientation`` warning.
    """
    if value is None or value == 1:
        return 1, None, None
    if not 2 <= value <= 8:
        return 1, None, Note("invalid-orientation", {"value": value})
    return value, Note("exif-oriented", {"orientation": value}), None
