"""EXIF (TIFF IFD0) reading: orientation and resolution only, never failing on damaged data."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from msp_docs._model import Note
from msp_docs.errors import Reason

__all__ = ["ExifFacts", "exif_warning", "read_exif"]

_ORIENTATION = 0x0112
_X_RESOLUTION = 0x011A
_Y_RESOLUTION = 0x011B
_RESOLUTION_UNIT = 0x0128
_MAX_ENTRIES = 1024  # IFD0 of real cameras holds a few dozen; more is damage

# TIFF field types we read: BYTE, SHORT, LONG, RATIONAL -> size of one value.
_SIZES = {1: 1, 3: 2, 4: 4, 5: 8}


@dataclass(frozen=True, slots=True)
class ExifFacts:
    """What IFD0 of an EXIF block says about display.

    Attributes:
        orientation: The Orientation value as stored (may be invalid, e.g. 0 or 9), or ``None``.
        dpi: X and Y resolution in dots per inch, when both are declared and positive.
        problem: Why (part of) the block could not be read, or ``None``.
        problem_tag: The tag that could not be read, when that is the problem.
    """

    orientation: int | None = None
    dpi: tuple[float, float] | None = None
    problem: Reason | None = None
    problem_tag: str | None = None


def read_exif(tiff: bytes) -> ExifFacts:
    """Read orientation and resolution from a TIFF structure (the EXIF payload after its header).

    Damaged data gives what could be read and a ``problem``; this function never raises.
    """
    if len(tiff) < 8 or tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        return ExifFacts(problem=Reason.EXIF_NOT_TIFF)
    order = "<" if tiff[:2] == b"II" else ">"
    (ifd,) = struct.unpack_from(order + "I", tiff, 4)
    if ifd < 8 or ifd + 2 > len(tiff):
        return ExifFacts(problem=Reason.EXIF_IFD_OUTSIDE)
    (count,) = struct.unpack_from(order + "H", tiff, ifd)
    if count > _MAX_ENTRIES:
        return ExifFacts(problem=Reason.EXIF_IFD_COUNT)
    values: dict[int, tuple[float, ...]] = {}
    problem: Reason | None = None
    problem_tag: str | None = None
    for index in range(count):
        at = ifd + 2 + 12 * index
        if at + 12 > len(tiff):
            problem = Reason.EXIF_IFD_CUT
            break
        tag, kind, number = struct.unpack_from(order + "HHI", tiff, at)
        if tag not in (_ORIENTATION, _X_RESOLUTION, _Y_RESOLUTION, _RESOLUTION_UNIT):
            continue
        read = _values(tiff, order, kind, number, at + 8)
        if read is None:
            problem, problem_tag = Reason.EXIF_TAG, f"0x{tag:04x}"
            continue
        values[tag] = read
    orientation = values.get(_ORIENTATION, (None,))[0]
    return ExifFacts(
        orientation=int(orientation) if orientation is not None else None,
        dpi=_dpi(values),
        problem=problem,
        problem_tag=problem_tag if problem is Reason.EXIF_TAG else None,
    )


def _values(
    tiff: bytes, order: str, kind: int, number: int, field: int
) -> tuple[float, ...] | None:
    size = _SIZES.get(kind)
    if size is None or number < 1:
        return None
    if size * number <= 4:
        start = field
    else:
        (start,) = struct.unpack_from(order + "I", tiff, field)
    if start + size > len(tiff):
        return None
    if kind == 1:
        return (float(tiff[start]),)
    if kind == 3:
        return (float(struct.unpack_from(order + "H", tiff, start)[0]),)
    if kind == 4:
        return (float(struct.unpack_from(order + "I", tiff, start)[0]),)
    numerator, denominator = struct.unpack_from(order + "II", tiff, start)
    if denominator == 0:
        return (0.0,)  # 0/0 resolutions exist in the wild: no resolution, not a division by zero
    return (numerator / denominator,)


def _dpi(values: dict[int, tuple[float, ...]]) -> tuple[float, float] | None:
    if _X_RESOLUTION not in values or _Y_RESOLUTION not in values:
        return None
    x, y = values[_X_RESOLUTION][0], values[_Y_RESOLUTION][0]
    unit = values.get(_RESOLUTION_UNIT, (2.0,))[0]
    if unit == 3:  # per centimetre
        x, y = x * 2.54, y * 2.54
    elif unit != 2:  # 1 = no absolute unit
        return None
    if x <= 0 or y <= 0:
        return None
    return (x, y)


def exif_warning(exif: ExifFacts) -> Note:
    """The ``exif-unreadable`` warning for EXIF data that could be read only in part."""
    facts: dict[str, object] = {"reason": exif.problem}
    if exif.problem_tag is not None:
        facts["value"] = exif.problem_tag
    return Note("exif-unreadable", facts)
