"""PDF forms (AcroForm): list a form's fields, fill them with visible values, flatten, blank copies.

This is the generic engine, keyed by the fields' PDF names; :mod:`msp_docs.cerfa` adds the
catalogue of CERFA forms, their field maps (labels, formats, profile keys) and the checks that
come with them. Every form goes through the same sanitising as an upload (JavaScript, launch
actions, embedded files and metadata are removed; see ``docs/security.md``) before anything is
filled, and the result is a new, complete PDF.

- :func:`read_fields` lists the fields: name, kind, current value, on-states, options, length
  limits, and where each widget sits.
- :func:`fill` checks values against what the PDF says of each field (kind, states, options,
  ``/MaxLen``, characters the standard fonts can draw, whether it fits its box), sets them, draws
  a real appearance stream for each widget (``/NeedAppearances`` is not relied on), and can
  flatten the result for printing: the appearances become page content and no field remains.
- :func:`blank` gives the form emptied of its values, optionally flattened or fitted to A4 for
  printing (a form meant to be filled by hand).

Adobe usage rights (``/Perms /UR3``) are removed with a note, since filling invalidates their
signature and Reader would report the document as altered; XFA is dropped from hybrid forms and
a dynamic XFA-only form is refused (:class:`~msp_docs.errors.XfaOnlyForm`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from msp_docs._model import Note
from msp_docs._sources import InputLike, as_inputs, read_inputs
from msp_docs._version import __version__
from msp_docs._write import OutputTarget, describe_target, write_output
from msp_docs.errors import InternalError, MspDocsError
from msp_docs.limits import Limits

__all__ = [
    "FORM_SCHEMA",
    "FieldKind",
    "FieldValue",
    "FilledForm",
    "FormField",
    "FormReport",
    "Widget",
    "blank",
    "fill",
    "read_fields",
]

#: Schema name of :meth:`FormReport.to_dict`.
FORM_SCHEMA = "msp-docs/form-report/1"

#: A value for one field: text, a checkbox state as a boolean, an on-state name, or None (empty).
FieldValue: TypeAlias = str | bool | None

_DEFAULT_LIMITS = Limits(max_files=1)


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


@dataclass(slots=True, kw_only=True)
class FormReport:
    """What was done to a form: the fields written, what sanitising removed, the output.

    Attributes:
        form: Display name of the form (its file name or CERFA number).
        operation: ``fill`` or ``blank``.
        pages: Pages of the output.
        fields: Fields the form has.
        filled: Names of the fields given a value, in the form's order.
        prefilled: Those whose value came from the profile (see :mod:`msp_docs.cerfa`).
        flattened: The fields became page content; no field remains.
        actions: What was done (``form-filled``, ``javascript-removed``,
            ``form-usage-rights-removed``, ``xfa-removed``, ``form-flattened``...).
        warnings: What the user should know (``text-shrunk``...).
        bytes: Size of the output.
        target: Where it was written (a path or ``<stream>``), or None when only returned.
        lang: Language of the messages.
    """

    form: str
    operation: Literal["fill", "blank"]
    pages: int = 0
    fields: int = 0
    filled: list[str] = field(default_factory=list)
    prefilled: list[str] = field(default_factory=list)
    flattened: bool = False
    actions: list[Note] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    bytes: int = 0
    target: str | None = None
    lang: str = "en"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form (schema ``msp-docs/form-report/1``)."""
        return {
            "schema": FORM_SCHEMA,
            "tool": {"name": "msp-docs", "version": __version__},
            "form": self.form,
            "operation": self.operation,
            "pages": self.pages,
            "fields": self.fields,
            "filled": list(self.filled),
            "prefilled": list(self.prefilled),
            "flattened": self.flattened,
            "actions": [{"code": n.code, "message": n.message(self.lang)} for n in self.actions],
            "warnings": [{"code": n.code, "message": n.message(self.lang)} for n in self.warnings],
            "bytes": self.bytes,
            "target": self.target,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Serialise to JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class FilledForm:
    """The PDF produced by :func:`fill` or :func:`blank`, and its report."""

    data: bytes
    report: FormReport


def read_fields(form: InputLike, *, limits: Limits = _DEFAULT_LIMITS) -> list[FormField]:
    """List the fields of ``form`` (a path, bytes or stream), in the order of the form's tree.

    A form without fields (to print and fill by hand) gives an empty list.

    Raises:
        MspDocsError: the PDF cannot be read (damaged, encrypted...) or is an XFA-only form.
    """
    from msp_docs._backends import _acroform

    name, data = _load(form, limits)
    found: list[FormField] = _guarded(name, lambda: _acroform.describe(data, limits=limits))
    return found


def fill(
    form: InputLike,
    values: Mapping[str, FieldValue],
    *,
    flatten: bool = False,
    fit_a4: bool = False,
    output: OutputTarget | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    limits: Limits = _DEFAULT_LIMITS,
    lang: str = "en",
) -> FilledForm:
    """Fill ``form`` with ``values`` (keyed by field name) and draw every value.

    Text goes in text, comb and editable choice fields; a checkbox takes a boolean or its
    on-state name; a radio group takes one of its states (None or "Off" for none); a choice
    field takes one of its options. None or "" empties a field. Fields not named keep their
    value.

    Args:
        form: The blank form: a path, bytes or a binary stream.
        values: Field name -> value.
        flatten: Make the filled appearances page content, with no field or form left (for
            "print and post"); the text stays extractable.
        fit_a4: Scale pages that are not A4 to fit A4 (for printing).
        output: Also write the PDF there (a path, written atomically, or a stream).
        labels: Readable labels of fields, used in error messages.
        title: Document title of the output (default: the form's name).
        limits: Bounds on reading the form (size, objects, depth, streams).
        lang: Language of the report's messages.

    Returns:
        The filled PDF and its report.

    Raises:
        UnknownField: a value names a field the form does not have.
        InvalidFieldValue: a value the field cannot take (facts name the field and the reason).
        ValueTooLong: more characters than ``/MaxLen``, or too long to fit its box.
        NotFillable: the form has no field at all.
        XfaOnlyForm: a dynamic XFA form.
        MspDocsError: the form cannot be read, or the output written.
    """
    from msp_docs._backends import _acroform

    name, data = _load(form, limits)
    report = FormReport(form=name, operation="fill", lang=lang)
    request = _acroform.Request(
        values=dict(values),
        flatten=flatten,
        fit_a4=fit_a4,
        labels=dict(labels or {}),
        title=title or name,
        clear=False,
    )
    result = _guarded(name, lambda: _acroform.process(data, request, limits=limits))
    return _finish(result, report, output)


def blank(
    form: InputLike,
    *,
    flatten: bool = False,
    fit_a4: bool = False,
    output: OutputTarget | None = None,
    title: str | None = None,
    limits: Limits = _DEFAULT_LIMITS,
    lang: str = "en",
) -> FilledForm:
    """Give ``form`` with every field emptied (a form without fields is given as it is).

    Either way the form is sanitised like any document. ``flatten`` draws the empty fields
    into the pages and removes the form (a copy to print and fill by hand); ``fit_a4`` scales
    pages that are not A4 to fit A4.
    """
    from msp_docs._backends import _acroform

    name, data = _load(form, limits)
    report = FormReport(form=name, operation="blank", lang=lang)
    request = _acroform.Request(
        values={}, flatten=flatten, fit_a4=fit_a4, labels={}, title=title or name, clear=True
    )
    result = _guarded(name, lambda: _acroform.process(data, request, limits=limits))
    return _finish(result, report, output)


def _finish(result: Any, report: FormReport, output: OutputTarget | None) -> FilledForm:
    report.pages = result.pages
    report.fields = result.fields
    report.filled = list(result.filled)
    report.flattened = result.flattened
    report.actions = list(result.actions)
    report.warnings = list(result.warnings)
    report.bytes = len(result.data)
    if output is not None:
        write_output(output, result.data)
        report.target = describe_target(output)
    return FilledForm(result.data, report)


def _load(form: InputLike, limits: Limits) -> tuple[str, bytes]:
    (item,) = as_inputs([form], at_most=1)
    (loaded,) = read_inputs([item], replace(limits, max_files=1))
    return loaded.name, loaded.data


def _guarded(name: str, work: Any) -> Any:
    """Run ``work``; errors name the form, and nothing but our errors escapes."""
    try:
        return work()
    except MspDocsError as error:
        error.for_input(name)
        raise
    except Exception as exc:  # a bug of ours or an unwrapped library error: never raw
        raise InternalError(f"{type(exc).__name__}: {exc}", input_name=name) from exc
