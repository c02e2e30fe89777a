"""PDF forms (AcroForm): list a form's fields, fill them with visible values, flatten, blank copies.

This is the generic engine, keyed by the fields' PDF names; :mod:`msp_docs.cerfa` adds the
catalogue of CERFA forms, their field maps (labels, formats, profile keys) and the checks that
come with them. Every form goes through the same sanitising as an upload (JavaScript, launch
actions, embedded files and metadata are removed; see ``docs/security.md``) before anything is
filled, and the result is a new, complete PDF.

- :func:`read_fields` lists the fields: name, kind, current value, on-states, options, length
  limits, and where each widget sits.
- :func:`fill` checks values against what the PDF says of each field (kind, states, options,
  ``/MaxLen``, characters a font can draw (standard Helvetica, or an embedded subset of
  Liberation Sans for names beyond WinAnsi), whether it fits its box), sets them, draws
  a real appearance stream for each widget (``/NeedAppearances`` is not relied on), and can
  flatten the result for printing: the appearances become page content and no field remains.
- :func:`blank` gives the form emptied of its values, optionally flattened or fitted to A4 for
  printing (a form meant to be filled by hand).
- :func:`prepare` does the sanitising once and gives a :class:`PreparedForm`, which the three
  functions above take in place of the file: what a service filling the same form many times
  keeps (the CERFA :class:`~msp_docs.cerfa.Catalogue` keeps one per version of each file).

Adobe usage rights (``/Perms /UR3``) are removed with a note, since filling invalidates their
signature and Reader would report the document as altered; XFA is dropped from hybrid forms and
a dynamic XFA-only form is refused (:class:`~msp_docs.errors.XfaOnlyForm`), and so is a file
that is not a PDF (:class:`~msp_docs.errors.FormNotPdf`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias

from msp_docs._detect import detect
from msp_docs._forms_model import FieldKind, FieldValue, FormField, Widget
from msp_docs._model import Kind, Note
from msp_docs._sources import InputLike, as_inputs, read_inputs
from msp_docs._version import __version__
from msp_docs._write import OutputTarget, describe_target, write_output
from msp_docs.errors import FormNotPdf, InternalError, MspDocsError
from msp_docs.limits import Limits

__all__ = [
    "FORM_SCHEMA",
    "FieldKind",
    "FieldValue",
    "FilledForm",
    "FormField",
    "FormLike",
    "FormReport",
    "PreparedForm",
    "Widget",
    "blank",
    "fill",
    "prepare",
    "read_fields",
]

#: Schema name of :meth:`FormReport.to_dict`.
FORM_SCHEMA = "msp-docs/form-report/1"

_DEFAULT_LIMITS = Limits(max_files=1)


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


class PreparedForm:
    """A form read and sanitised once by :func:`prepare`, ready to be filled many times.

    It holds the sanitised PDF (what every fill starts from), the SHA-256 of the file it was
    made from, and the notes of what sanitising did (repairs, scripts removed...), which each
    report made from it repeats. Only :func:`prepare` makes one: the functions that take it
    trust its bytes to be sanitised already.

    Attributes:
        name: Display name of the form (its file name).
        data: The sanitised PDF.
        digest: SHA-256 (hex) of the original file's bytes.
        actions: What sanitising did.
        warnings: What sanitising warns about.
    """

    __slots__ = ("actions", "data", "digest", "name", "warnings")

    name: str
    data: bytes
    digest: str
    actions: tuple[Note, ...]
    warnings: tuple[Note, ...]

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError("a PreparedForm is made by msp_docs.forms.prepare()")

    @classmethod
    def _make(
        cls,
        name: str,
        data: bytes,
        digest: str,
        actions: tuple[Note, ...],
        warnings: tuple[Note, ...],
    ) -> PreparedForm:
        made = object.__new__(cls)
        for key, value in (
            ("name", name), ("data", data), ("digest", digest), ("actions", actions),
            ("warnings", warnings),
        ):  # fmt: skip
            object.__setattr__(made, key, value)
        return made

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError("a PreparedForm cannot be changed")

    def __repr__(self) -> str:
        return f"PreparedForm({self.name!r}, {len(self.data)} bytes, sha256={self.digest[:12]}…)"


#: What :func:`read_fields`, :func:`fill` and :func:`blank` take: a file, or a prepared form.
FormLike: TypeAlias = InputLike | PreparedForm


def prepare(form: InputLike, *, limits: Limits = _DEFAULT_LIMITS) -> PreparedForm:
    """Read and sanitise ``form`` (a path, bytes or stream) once, to fill it many times.

    :func:`read_fields`, :func:`fill` and :func:`blank` take the result in place of the file
    and skip the sanitising, which is most of the time a fill takes. Their output holds the
    same content as when given the file (not the same bytes: the file is processed in memory
    without being saved first), and is the same for every fill of one prepared form.

    Raises:
        MspDocsError: the PDF cannot be read (damaged, encrypted...) or is an XFA-only form.
    """
    from msp_docs._backends import acroform

    name, data = _load(form, limits)
    upload = _guarded(name, lambda: _upload(data))
    prepared = _guarded(name, lambda: acroform.prepare(upload, limits=limits))
    return PreparedForm._make(
        name, prepared.data, hashlib.sha256(data).hexdigest(), prepared.actions, prepared.warnings
    )


def read_fields(form: FormLike, *, limits: Limits = _DEFAULT_LIMITS) -> list[FormField]:
    """List the fields of ``form`` (a path, bytes, stream or prepared form), in tree order.

    A form without fields (to print and fill by hand) gives an empty list.

    Raises:
        MspDocsError: the PDF cannot be read (damaged, encrypted...) or is an XFA-only form.
    """
    from msp_docs._backends import acroform

    name, source = _source(form, limits)
    found: list[FormField] = _guarded(name, lambda: acroform.describe(source, limits=limits))
    return found


def fill(
    form: FormLike,
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
        form: The blank form: a path, bytes, a binary stream, or a :class:`PreparedForm`.
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
    from msp_docs._backends import acroform

    name, source = _source(form, limits)
    report = FormReport(form=name, operation="fill", lang=lang)
    request = acroform.Request(
        values=dict(values),
        flatten=flatten,
        fit_a4=fit_a4,
        labels=dict(labels or {}),
        title=title or name,
        clear=False,
    )
    result = _guarded(name, lambda: acroform.process(source, request, limits=limits))
    return _finish(result, report, output)


def blank(
    form: FormLike,
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
    from msp_docs._backends import acroform

    name, source = _source(form, limits)
    report = FormReport(form=name, operation="blank", lang=lang)
    request = acroform.Request(
        values={}, flatten=flatten, fit_a4=fit_a4, labels={}, title=title or name, clear=True
    )
    result = _guarded(name, lambda: acroform.process(source, request, limits=limits))
    return _finish(result, report, output)


def _source(form: FormLike, limits: Limits) -> tuple[str, Any]:
    """The form's name, and what the backend opens: a file's bytes, or the prepared form."""
    if isinstance(form, PreparedForm):
        from msp_docs._backends import acroform

        return form.name, acroform.Prepared(form.data, form.actions, form.warnings)
    name, data = _load(form, limits)
    return name, _guarded(name, lambda: _upload(data))


def _upload(data: bytes) -> Any:
    """A form file's bytes for the backend: a PDF, from its header on (junk before is allowed).

    Raises:
        FormNotPdf: an image given as a form.
        MspDocsError: empty, or not a kind of file we take at all (what :func:`detect` says).
    """
    from msp_docs._backends import acroform

    detected = detect(data)
    if detected.kind is not Kind.PDF:
        raise FormNotPdf(kind=detected.kind)
    return acroform.Upload(data, detected.offset)


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
        raise InternalError(detail=f"{type(exc).__name__}: {exc}", input_name=name) from exc
