"""What a PDF form's fields are: their kinds, values and widgets (values shared by the layers).

:mod:`msp_docs.forms` exports these; they live here so that the form backend
(``_backends/acroform``), which :mod:`msp_docs.forms` calls, does not import it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias

__all__ = ["FieldKind", "FieldValue", "FormField", "Widget"]

#: A value for one field: text, a checkbox state as a boolean, an on-state name, or None (empty).
FieldValue: TypeAlias = str | bool | None


class FieldKind(StrEnum):
    """What a field takes, as the PDF defines it."""

    TEXT = "text"
    COMB = "comb"  # one character per cell, at most max_length
    CHECKBOX = "checkbox"  # on (its own on-state) or off
    RADIO = "radio"  # one of its states, or none (also checkboxes sharing a name)
    CHOICE = "choice"  # one of its options (list or combo box)
    SIGNATURE = "signature"  # not fillable here
    BUTTON = "button"  # a push button: no value


@dataclass(frozen=True, slots=True)
class Widget:
    """One place where a field is shown.

    Attributes:
        page: Page number, from 1 (0 when the widget is on no page).
        rect: ``(x0, y0, x1, y1)`` in PDF points, origin at the page's lower left.
        state: The on-state this widget shows when selected (checkboxes and radios).
    """

    page: int
    rect: tuple[float, float, float, float]
    state: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form."""
        return {"page": self.page, "rect": [round(v, 2) for v in self.rect], "state": self.state}


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of a form, identified by its fully qualified PDF name.

    Attributes:
        name: Fully qualified name (``parent.child``), the key of :func:`fill`'s values.
        kind: What it takes.
        value: Its current value as text (an on-state name for buttons), or None.
        states: On-states of a checkbox (one) or radio group (each choice), e.g. ``("0",)``.
        options: For a choice field, ``(export value, displayed text)`` pairs.
        max_length: ``/MaxLen``, if any (the number of cells of a comb field).
        multiline: A text field of several lines.
        read_only: The form forbids changing it.
        required: The form marks it required.
        font_size: The ``/DA`` font size (0 means automatic), for text fields.
        alignment: ``/Q``: 0 left, 1 centred, 2 right.
        widgets: Where it is shown.
    """

    name: str
    kind: FieldKind
    value: str | None = None
    states: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    multiline: bool = False
    read_only: bool = False
    required: bool = False
    font_size: float | None = None
    alignment: int = 0
    widgets: tuple[Widget, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form (what ``msp-docs cerfa fields --json`` prints)."""
        return {
            "name": self.name,
            "kind": self.kind.value,
            "value": self.value,
            "states": list(self.states),
            "options": [list(o) for o in self.options],
            "max_length": self.max_length,
            "multiline": self.multiline,
            "read_only": self.read_only,
            "required": self.required,
            "font_size": self.font_size,
            "alignment": self.alignment,
            "widgets": [w.to_dict() for w in self.widgets],
        }
