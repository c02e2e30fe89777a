"""Checks shared by the image parsers: declared dimensions against the limits, trailing data."""

from __future__ import annotations

from msp_docs._model import Note
from msp_docs.errors import ImageTooLarge, InvalidDimensions
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


def trailing_note(count: int, kind: str, kind_fr: str | None = None) -> Note | None:
    """The note for ``count`` bytes found after the end of the image, or ``None`` for none."""
    if count <= 0:
        return None
    facts: dict[str, object] = {"bytes": count, "kind": kind}
    if kind_fr is not None:
        facts["kind_fr"] = kind_fr
    return Note("trailing-data-removed", facts)


# Names of removed metadata, in French.
_FRENCH = {
    "comment": "commentaire",
    "comments": "commentaires",
    "text": "texte",
    "modification time": "date de modification",
    "JFIF thumbnail": "vignette JFIF",
    "application data": "données d'application",
}


def metadata_note(names: list[str]) -> Note:
    """The ``metadata-removed`` note naming what was removed, in both languages."""
    return Note(
        "metadata-removed",
        {"what": ", ".join(names), "what_fr": ", ".join(_FRENCH.get(n, n) for n in names)},
    )


def reencoded_note(source: str, target: str, reason: str, reason_fr: str) -> Note:
    """The ``reencoded`` note: from what, to what, and why (in both languages)."""
    facts = {"source": source, "target": target, "reason": reason, "reason_fr": reason_fr}
    return Note("reencoded", facts)


# EXIF orientation -> what the viewer does to show the stored image upright (English, French).
_TRANSFORMS = {
    2: ("mirrored left to right", "retourné gauche-droite"),
    3: ("turned 180°", "tourné de 180°"),
    4: ("mirrored top to bottom", "retourné haut-bas"),
    5: ("mirrored and turned 90° counter-clockwise", "retourné et tourné de 90° à gauche"),
    6: ("turned 90° clockwise", "tourné de 90° à droite"),
    7: ("mirrored and turned 90° clockwise", "retourné et tourné de 90° à droite"),
    8: ("turned 90° counter-clockwise", "tourné de 90° à gauche"),
}


def orientation(value: int | None) -> tuple[int, Note | None, Note | None]:
    """Decide what to do with a declared EXIF orientation (pure).

    Returns:
        (orientation to apply, action note or None, warning note or None). Values outside 1..8
        (0, 9, garbage) are ignored with an ``invalid-orientation`` warning.
    """
    if value is None or value == 1:
        return 1, None, None
    if value not in _TRANSFORMS:
        return 1, None, Note("invalid-orientation", {"value": value})
    english, french = _TRANSFORMS[value]
    facts = {"orientation": value, "transform": english, "transform_fr": french}
    return value, Note("exif-oriented", facts), None
