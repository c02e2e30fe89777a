"""The CERFA catalogue: forms by number, their field maps, and filling them from user values.

A CERFA form is identified by its number, ``NNNNN*VV`` (:class:`CerfaNumber`: five digits, a
star, two digits of version; file names write the star as ``_`` or ``-``). Each form of the
catalogue is described by a TOML file (schema ``msp-docs/cerfa/1``, see ``docs/cerfa.md``):
its title, its kind (rule F1: ``fillable`` online, or ``blank`` to print and fill by hand), the
organisation that receives it, its PDF file in the forms directory the operator configures, and
its field map. Maps are data, validated when they are loaded; the ones of this package are in
``msp_docs/cerfa_forms/`` and an operator adds others from a directory of their own.

A field map entry gives, for each field a citizen fills, the PDF field's name, its type
(``text``, ``comb``, ``checkbox`` with its own on-state, ``radio`` with its states and their
labels, ``choice``, or ``date`` for a date split over three PDF fields), a readable label, an
optional format checked on the value (``date`` JJ/MM/AAAA, ``postcode``, ``email``, ``phone``,
``digits``, ``amount``) and the profile key it is prefilled from (plain names such as
``last_name`` or ``postcode``: this package knows nothing of accounts; the portal maps its
profile to them).

:meth:`Catalogue.fill` checks every value against the map, prefills from the profile values it is
given (what the user typed wins), and fills the PDF with :func:`msp_docs.forms.fill`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import total_ordering
from importlib import resources
from pathlib import Path
from typing import Any

from msp_docs import forms
from msp_docs._model import Note
from msp_docs._write import OutputTarget
from msp_docs.errors import (
    InvalidFieldValue,
    InvalidFormMap,
    NotFillable,
    UnknownField,
    UnknownForm,
    ValueTooLong,
)
from msp_docs.forms import FieldKind, FieldValue, FilledForm, FormField
from msp_docs.limits import Limits

__all__ = [
    "MAP_SCHEMA",
    "PROFILE_KEYS",
    "Catalogue",
    "CerfaForm",
    "CerfaNumber",
    "FormKind",
    "MapField",
    "MapType",
    "TextFormat",
    "check_map",
    "load_map",
    "parse_date",
    "resolve_values",
]

#: Schema name every catalogue file declares.
MAP_SCHEMA = "msp-docs/cerfa/1"

#: The profile keys a field may be prefilled from (the portal maps its profile to these).
PROFILE_KEYS = frozenset(
    {
        "last_name", "birth_name", "first_names", "birth_date", "birth_place",
        "address_number", "address_street", "address_line1", "address_line2", "address_line3",
        "postcode", "city", "country", "email", "phone",
    }
)  # fmt: skip

_LIMITS = Limits(max_files=1)
_NUMBER = re.compile(r"(?<![0-9])([0-9]{5})\s*[*_-]\s*([0-9]{2})(?![0-9])")
_EXACT = re.compile(r"([0-9]{5})\*([0-9]{2})")
_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_PHONE = re.compile(r"(?:\+33 ?|0)[1-9](?:[ .]?[0-9]{2}){4}")
_AMOUNT = re.compile(r"[0-9]{1,3}(?:[  ]?[0-9]{3})*(?:,[0-9]{1,2})?|[0-9]+(?:[.,][0-9]{1,2})?")
_DIGITS = re.compile(r"[0-9]+")
_POSTCODE = re.compile(r"[0-9]{5}")


@total_ordering
@dataclass(frozen=True, slots=True)
class CerfaNumber:
    """A CERFA number: ``11580*05`` is form 11580, version 05."""

    form: str
    version: str

    @classmethod
    def parse(cls, text: str) -> CerfaNumber:
        """Read ``11580*05``, ``11580_05``, ``11580-05``, ``cerfa_11580_05.pdf``, ``N°11580*05``.

        Raises:
            UnknownForm: no CERFA number in ``text`` (reason ``invalid-number``).
        """
        found = _NUMBER.search(text)
        if found is None:
            raise UnknownForm(form=text, reason="invalid-number")
        return cls(found.group(1), found.group(2))

    @classmethod
    def parse_exact(cls, text: str) -> CerfaNumber:
        """Read exactly ``NNNNN*VV`` (as catalogue files must write it), or raise ValueError."""
        found = _EXACT.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"not a CERFA number NNNNN*VV: {text!r}")
        return cls(found.group(1), found.group(2))

    def __str__(self) -> str:
        return f"{self.form}*{self.version}"

    @property
    def slug(self) -> str:
        """The number as file names write it: ``11580_05``."""
        return f"{self.form}_{self.version}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, CerfaNumber):
            return NotImplemented
        return (self.form, self.version) < (other.form, other.version)


class FormKind(StrEnum):
    """Rule F1: forms filled in online, and blank forms printed and filled in by hand."""

    FILLABLE = "fillable"
    BLANK = "blank"


class MapType(StrEnum):
    """Types of field map entries."""

    TEXT = "text"
    COMB = "comb"
    CHECKBOX = "checkbox"
    RADIO = "radio"
    CHOICE = "choice"
    DATE = "date"  # JJ/MM/AAAA typed once, written into three PDF fields (day, month, year)


class TextFormat(StrEnum):
    """Formats checked on text values."""

    DATE = "date"  # JJ/MM/AAAA: two ASCII digits, two, four; a real date
    POSTCODE = "postcode"  # five digits
    EMAIL = "email"
    PHONE = "phone"  # French number: 0X XX XX XX XX or +33 X XX XX XX XX
    DIGITS = "digits"
    AMOUNT = "amount"  # 1234,56 or 1 234,56 or 1234.56


@dataclass(frozen=True, slots=True)
class MapField:
    """One entry of a field map.

    Attributes:
        name: The key of the value: the PDF field's name (for ``date``, a name of its own).
        type: What the field takes.
        label: What a citizen reads (used in forms and in error messages).
        profile: The profile key it is prefilled from, if any.
        format: A format checked on text values.
        max_length: Most characters (for ``comb``, the PDF's number of cells).
        on: A checkbox's on-state, as the PDF names it (often ``0`` or ``1``).
        states: A radio group's states (PDF names) and their labels.
        options: A choice field's options (export values).
        parts: For ``date``: the PDF names of the day, month and year fields.
        year_digits: For ``date``: 4, or 2 when the form prints two-digit years.
        required: The value must be given for the form to be complete.
    """

    name: str
    type: MapType
    label: str
    profile: str | None = None
    format: TextFormat | None = None
    max_length: int | None = None
    on: str | None = None
    states: Mapping[str, str] = field(default_factory=dict)
    options: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    year_digits: int = 4
    required: bool = False

    @property
    def pdf_names(self) -> tuple[str, ...]:
        """The PDF fields this entry writes."""
        return self.parts if self.type is MapType.DATE else (self.name,)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form."""
        out: dict[str, Any] = {"name": self.name, "type": self.type.value, "label": self.label}
        optional = {
            "profile": self.profile,
            "format": self.format.value if self.format else None,
            "max_length": self.max_length,
            "on": self.on,
            "states": dict(self.states) or None,
            "options": list(self.options) or None,
            "parts": list(self.parts) or None,
            "required": self.required or None,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        return out


@dataclass(frozen=True, slots=True)
class CerfaForm:
    """A form of the catalogue."""

    number: CerfaNumber
    title: str
    kind: FormKind
    organisation: str
    file: str | None
    fields: tuple[MapField, ...] = ()
    source: str = ""

    def field(self, name: str) -> MapField:
        """The map entry ``name``.

        Raises:
            UnknownField: the map has no such entry.
        """
        for entry in self.fields:
            if entry.name == name:
                return entry
        raise UnknownField(field=name, form=str(self.number))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form (what ``msp-docs cerfa list --json`` prints)."""
        return {
            "number": str(self.number),
            "title": self.title,
            "kind": self.kind.value,
            "organisation": self.organisation,
            "file": self.file,
            "fields": [f.to_dict() for f in self.fields],
        }


# --- loading maps --------------------------------------------------------------------------------
def load_map(text: str, *, source: str = "<map>") -> CerfaForm:
    """Parse and validate a catalogue file (TOML, schema ``msp-docs/cerfa/1``).

    Raises:
        InvalidFormMap: not TOML, or not a valid description (``where`` says which entry).
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidFormMap(form=source, where=source, reason=f"not TOML: {exc}") from exc
    return _form(raw, source)


def _bad(form: str, where: str, reason: str) -> InvalidFormMap:
    return InvalidFormMap(form=form, where=where, reason=reason)


def _form(raw: Mapping[str, Any], source: str) -> CerfaForm:
    if raw.get("schema") != MAP_SCHEMA:
        raise _bad(source, source, f"schema must be {MAP_SCHEMA!r}")
    try:
        number = CerfaNumber.parse_exact(str(raw.get("number", "")))
    except ValueError as exc:
        raise _bad(source, "number", str(exc)) from None
    name = str(number)
    allowed = {"schema", "number", "title", "kind", "organisation", "file", "fields"}
    _no_unknown_keys(raw, allowed, name, source)
    title, organisation = raw.get("title"), raw.get("organisation")
    if not isinstance(title, str) or not title.strip():
        raise _bad(name, "title", "a title is required")
    if not isinstance(organisation, str) or not organisation.strip():
        raise _bad(name, "organisation", "the receiving organisation is required")
    try:
        kind = FormKind(str(raw.get("kind")))
    except ValueError:
        raise _bad(name, "kind", "kind must be 'fillable' or 'blank'") from None
    file = raw.get("file")
    if file is not None and (not isinstance(file, str) or Path(file).name != file or not file):
        raise _bad(name, "file", "a plain file name in the forms directory")
    entries = raw.get("fields", [])
    if not isinstance(entries, list):
        raise _bad(name, "fields", "fields must be an array of tables ([[fields]])")
    fields = tuple(_map_field(entry, name, index) for index, entry in enumerate(entries))
    if kind is FormKind.BLANK and fields:
        raise _bad(name, "fields", "a blank form (printed, filled by hand) has no field map")
    if kind is FormKind.FILLABLE and not fields:
        raise _bad(name, "fields", "a fillable form needs its field map")
    seen_names: set[str] = set()
    seen_pdf: set[str] = set()
    for entry in fields:
        if entry.name in seen_names:
            raise _bad(name, entry.name, "two entries have this name")
        seen_names.add(entry.name)
        for pdf_name in entry.pdf_names:
            if pdf_name in seen_pdf:
                raise _bad(name, entry.name, f"PDF field {pdf_name!r} is mapped twice")
            seen_pdf.add(pdf_name)
    return CerfaForm(number, title.strip(), kind, organisation.strip(), file, fields, source)


def _no_unknown_keys(raw: Mapping[str, Any], allowed: set[str], form: str, where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _bad(form, where, f"unknown keys: {', '.join(unknown)}")


def _map_field(raw: Any, form: str, index: int) -> MapField:
    where = f"fields[{index}]"
    if not isinstance(raw, dict):
        raise _bad(form, where, "each field is a table")
    allowed = {
        "name", "type", "label", "profile", "format", "max_length", "on", "states", "options",
        "parts", "year_digits", "required",
    }  # fmt: skip
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise _bad(form, where, "name is required")
    where = name
    _no_unknown_keys(raw, allowed, form, where)
    try:
        kind = MapType(str(raw.get("type")))
    except ValueError:
        types = ", ".join(t.value for t in MapType)
        raise _bad(form, where, f"type must be one of {types}") from None
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _bad(form, where, "label is required")
    profile = raw.get("profile")
    if profile is not None and profile not in PROFILE_KEYS:
        raise _bad(form, where, f"unknown profile key {profile!r}")
    text_format = None
    if "format" in raw:
        if kind not in (MapType.TEXT, MapType.COMB):
            raise _bad(form, where, "format applies to text fields")
        try:
            text_format = TextFormat(raw["format"])
        except ValueError:
            formats = ", ".join(f.value for f in TextFormat)
            raise _bad(form, where, f"format must be one of {formats}") from None
    max_length = raw.get("max_length")
    if max_length is not None and (not isinstance(max_length, int) or max_length <= 0):
        raise _bad(form, where, "max_length must be a positive integer")
    if kind is MapType.COMB and max_length is None:
        raise _bad(form, where, "a comb field needs max_length (its number of cells)")
    on = raw.get("on")
    if kind is MapType.CHECKBOX:
        if not isinstance(on, str) or not on or on == "Off":
            raise _bad(form, where, "a checkbox needs its on-state ('on', from /AP /N)")
    elif on is not None:
        raise _bad(form, where, "'on' applies to checkboxes")
    states = raw.get("states", {})
    if kind is MapType.RADIO:
        if not isinstance(states, dict) or not states:
            raise _bad(form, where, "a radio group needs its states and their labels")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in states.items()):
            raise _bad(form, where, "states map state names to labels (text)")
    elif states:
        raise _bad(form, where, "'states' applies to radio groups")
    options = raw.get("options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise _bad(form, where, "options must be a list of text")
    parts = raw.get("parts", [])
    if kind is MapType.DATE:
        if not (
            isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, str) for p in parts)
        ):
            raise _bad(form, where, "a date needs parts = [day, month, year] (PDF names)")
    elif parts:
        raise _bad(form, where, "'parts' applies to dates")
    year_digits = raw.get("year_digits", 4)
    if year_digits not in (2, 4):
        raise _bad(form, where, "year_digits must be 2 or 4")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise _bad(form, where, "required must be true or false")
    return MapField(
        name=name,
        type=kind,
        label=label.strip(),
        profile=profile,
        format=text_format,
        max_length=max_length,
        on=on,
        states=dict(states),
        options=tuple(options),
        parts=tuple(parts),
        year_digits=year_digits,
        required=required,
    )


# --- checking a map against its PDF --------------------------------------------------------------
_COMPATIBLE = {
    MapType.TEXT: (FieldKind.TEXT, FieldKind.COMB),
    MapType.COMB: (FieldKind.COMB,),
    MapType.CHECKBOX: (FieldKind.CHECKBOX,),
    MapType.RADIO: (FieldKind.RADIO,),
    MapType.CHOICE: (FieldKind.CHOICE,),
    MapType.DATE: (FieldKind.TEXT, FieldKind.COMB),
}


def check_map(form: CerfaForm, pdf_fields: Iterable[FormField]) -> list[str]:
    """The PDF fields the map leaves out (for the operator to decide about).

    Raises:
        InvalidFormMap: a map entry names a field the PDF lacks, or does not match its kind,
            on-state, states or number of cells.
        NotFillable: a fillable form whose PDF has no field.
    """
    by_name = {f.name: f for f in pdf_fields}
    name = str(form.number)
    if form.kind is FormKind.FILLABLE and not by_name:
        raise NotFillable(form=name)
    if form.kind is FormKind.BLANK:
        return []
    for entry in form.fields:
        for pdf_name in entry.pdf_names:
            found = by_name.get(pdf_name)
            if found is None:
                raise _bad(name, entry.name, f"the PDF has no field {pdf_name!r}")
            if found.kind not in _COMPATIBLE[entry.type]:
                raise _bad(
                    name, entry.name, f"the PDF field is a {found.kind.value}, not {entry.type}"
                )
        pdf_field = by_name[entry.pdf_names[0]]
        if entry.type is MapType.CHECKBOX and entry.on not in pdf_field.states:
            states = ", ".join(pdf_field.states)
            raise _bad(name, entry.name, f"on-state {entry.on!r} is not the PDF's ({states})")
        if entry.type is MapType.RADIO and set(entry.states) != set(pdf_field.states):
            states = ", ".join(pdf_field.states)
            raise _bad(name, entry.name, f"states differ from the PDF's ({states})")
        if entry.type is MapType.COMB and entry.max_length != pdf_field.max_length:
            raise _bad(
                name, entry.name, f"max_length differs from the PDF's {pdf_field.max_length}"
            )
    mapped = {n for entry in form.fields for n in entry.pdf_names}
    return [n for n in by_name if n not in mapped]


# --- values --------------------------------------------------------------------------------------
def parse_date(text: str) -> date:
    """Read a date written JJ/MM/AAAA strictly: two ASCII digits, slash, two, slash, four.

    Raises:
        ValueError: another shape (spaces, other separators, other digits) or no such day.
    """
    found = _DATE.fullmatch(text)
    if found is None:
        raise ValueError("not JJ/MM/AAAA")
    day, month, year = (int(g) for g in found.groups())
    return date(year, month, day)


def _invalid(entry: MapField, source: str, reason: str, reason_fr: str) -> InvalidFieldValue:
    return InvalidFieldValue(
        field=entry.name, label=entry.label, reason=reason, reason_fr=reason_fr, source=source
    )


def _check_format(entry: MapField, value: str, source: str) -> None:
    fmt = entry.format
    if fmt is TextFormat.DATE:
        try:
            parse_date(value)
        except ValueError:
            raise _invalid(
                entry, source, "a date is written JJ/MM/AAAA (e.g. 05/03/2024) and must exist",
                "une date s'écrit JJ/MM/AAAA (par exemple 05/03/2024) et doit exister",
            ) from None  # fmt: skip
    elif fmt is TextFormat.POSTCODE and not _POSTCODE.fullmatch(value):
        raise _invalid(
            entry, source, "a postcode is five digits", "un code postal compte cinq chiffres"
        )
    elif fmt is TextFormat.EMAIL and not _EMAIL.fullmatch(value):
        raise _invalid(
            entry, source, "not an email address", "ce n'est pas une adresse électronique"
        )
    elif fmt is TextFormat.PHONE and not _PHONE.fullmatch(value):
        raise _invalid(
            entry, source, "a phone number is written 0X XX XX XX XX or +33 X XX XX XX XX",
            "un numéro de téléphone s'écrit 0X XX XX XX XX ou +33 X XX XX XX XX",
        )  # fmt: skip
    elif fmt is TextFormat.DIGITS and not _DIGITS.fullmatch(value):
        raise _invalid(
            entry, source, "only digits are expected", "seuls des chiffres sont attendus"
        )
    elif fmt is TextFormat.AMOUNT and not _AMOUNT.fullmatch(value):
        raise _invalid(
            entry, source, "an amount is written like 1234,56 or 1 234,56",
            "un montant s'écrit comme 1234,56 ou 1 234,56",
        )  # fmt: skip


def _resolve(entry: MapField, value: Any, source: str) -> dict[str, FieldValue]:
    """The PDF values of one map entry's value, checked against the map."""
    if entry.type is MapType.CHECKBOX:
        if value in (True, entry.on):
            return {entry.name: entry.on}
        if value in (False, None, "", "Off"):
            return {entry.name: False}
        raise _invalid(
            entry, source, "a checkbox takes true or false", "une case à cocher vaut vrai ou faux"
        )
    if entry.type is MapType.RADIO:
        if value in (None, "", "Off"):
            return {entry.name: None}
        if isinstance(value, str) and value in entry.states:
            return {entry.name: value}
        if isinstance(value, str):
            # The label itself is accepted too: what a citizen saw on the form.
            for state, label in entry.states.items():
                if value == label:
                    return {entry.name: state}
        choices = ", ".join(f"{k} ({v})" for k, v in entry.states.items())
        raise _invalid(entry, source, f"choose one of: {choices}", f"choisissez parmi : {choices}")
    if isinstance(value, date):
        value = value.strftime("%d/%m/%Y")
    if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
        raise _invalid(entry, source, "text is expected", "un texte est attendu")
    text = "" if value is None else str(value)
    if entry.type is MapType.DATE:
        if not text:
            return dict.fromkeys(entry.parts)
        try:
            day = parse_date(text)
        except ValueError:
            raise _invalid(
                entry, source, "a date is written JJ/MM/AAAA (e.g. 05/03/2024) and must exist",
                "une date s'écrit JJ/MM/AAAA (par exemple 05/03/2024) et doit exister",
            ) from None  # fmt: skip
        year = f"{day.year:04d}"[-entry.year_digits :]
        return dict(zip(entry.parts, (f"{day.day:02d}", f"{day.month:02d}", year), strict=True))
    if text and entry.max_length is not None and len(text) > entry.max_length:
        raise ValueTooLong(
            field=entry.name,
            label=entry.label,
            length=len(text),
            max_length=entry.max_length,
            source=source,
        )
    if text and entry.format is not None:
        _check_format(entry, text, source)
    if entry.type is MapType.CHOICE and text and entry.options and text not in entry.options:
        choices = ", ".join(entry.options)
        raise _invalid(entry, source, f"choose one of: {choices}", f"choisissez parmi : {choices}")
    return {entry.name: text or None}


def resolve_values(
    form: CerfaForm,
    values: Mapping[str, Any],
    prefill: Mapping[str, Any] | None = None,
) -> tuple[dict[str, FieldValue], list[str]]:
    """Check values against the map and turn them into PDF field values (pure).

    ``values`` are keyed by map entry names (what the user typed); ``prefill`` by profile keys.
    A field with a profile key that the user did not give takes the profile's value; what the
    user typed wins, even an empty value (the user cleared it).

    Returns:
        The PDF values, and the names of the map entries filled from the profile.

    Raises:
        UnknownField: a value for a field the map does not have.
        InvalidFieldValue: a value the field cannot take (``source`` says ``user`` or
            ``profile``); ValueTooLong when it is too long.
    """
    entries = {entry.name: entry for entry in form.fields}
    for name in values:
        if name not in entries:
            raise UnknownField(field=name, form=str(form.number))
    unknown_keys = sorted(set(prefill or {}) - PROFILE_KEYS)
    if unknown_keys:
        raise ValueError(f"unknown profile keys: {', '.join(unknown_keys)}")
    out: dict[str, FieldValue] = {}
    prefilled: list[str] = []
    for entry in form.fields:
        if entry.name in values:
            out.update(_resolve(entry, values[entry.name], "user"))
        elif prefill and entry.profile and prefill.get(entry.profile) not in (None, ""):
            out.update(_resolve(entry, prefill[entry.profile], "profile"))
            prefilled.append(entry.name)
    return out, prefilled


# --- the catalogue -------------------------------------------------------------------------------
class Catalogue:
    """The forms an operator offers: maps from this package and from their own directories.

    Args:
        forms_dir: Where the forms' PDF files are (the operator's directory).
        forms: The catalogue entries (see :meth:`load`).
    """

    def __init__(self, forms_dir: str | os.PathLike[str], forms: Iterable[CerfaForm]) -> None:
        self.forms_dir = Path(forms_dir)
        self._forms: dict[CerfaNumber, CerfaForm] = {}
        for entry in forms:
            if entry.number in self._forms:
                raise _bad(str(entry.number), entry.source, "the catalogue has it twice")
            self._forms[entry.number] = entry
        self._checked: dict[tuple[CerfaNumber, str, int, int], list[str]] = {}

    @classmethod
    def load(
        cls,
        forms_dir: str | os.PathLike[str],
        *,
        maps: Iterable[str | os.PathLike[str]] = (),
        builtin: bool = True,
    ) -> Catalogue:
        """Load this package's maps (unless ``builtin`` is False) and those of ``maps``.

        ``maps`` are directories of ``*.toml`` files: an operator's own forms. A number given
        twice is an error.

        Raises:
            InvalidFormMap: a map that is not valid.
        """
        loaded: list[CerfaForm] = []
        if builtin:
            package = resources.files("msp_docs").joinpath("cerfa_forms")
            for item in sorted(package.iterdir(), key=lambda p: p.name):
                if item.name.endswith(".toml"):
                    loaded.append(load_map(item.read_text("utf-8"), source=item.name))
        for directory in maps:
            for path in sorted(Path(directory).glob("*.toml")):
                try:
                    text = path.read_text("utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise _bad(path.name, str(path), f"cannot be read: {exc}") from exc
                loaded.append(load_map(text, source=str(path)))
        return cls(forms_dir, loaded)

    def __iter__(self) -> Iterator[CerfaForm]:
        return iter(sorted(self._forms.values(), key=lambda f: f.number))

    def __len__(self) -> int:
        return len(self._forms)

    def get(self, number: str | CerfaNumber) -> CerfaForm:
        """The form of that number (``11580*05``, ``11580_05``, ``cerfa_11580-05.pdf``...).

        Raises:
            UnknownForm: not a CERFA number, or not in the catalogue.
        """
        key = number if isinstance(number, CerfaNumber) else CerfaNumber.parse(number)
        found = self._forms.get(key)
        if found is None:
            raise UnknownForm(form=str(key), reason="not-in-catalogue")
        return found

    def path(self, form: CerfaForm) -> Path:
        """The form's PDF in the forms directory: its ``file``, or a PDF named by its number.

        Raises:
            UnknownForm: the file is missing (reason ``file-missing``).
        """
        if form.file is not None:
            path = self.forms_dir / form.file
            if path.is_file():
                return path
        elif self.forms_dir.is_dir():
            for candidate in sorted(self.forms_dir.glob("*.pdf")):
                found = _NUMBER.search(candidate.name)
                if found and CerfaNumber(found.group(1), found.group(2)) == form.number:
                    return candidate
        raise UnknownForm(form=str(form.number), reason="file-missing")

    def fields(self, form: CerfaForm, *, limits: Limits = _LIMITS) -> list[FormField]:
        """The fields of the form's PDF (not of its map)."""
        return forms.read_fields(self.path(form), limits=limits)

    def check(self, form: CerfaForm, *, limits: Limits = _LIMITS) -> list[str]:
        """Check the form's map against its PDF (once per version of the file).

        Returns:
            The names of the PDF fields the map leaves out.

        Raises:
            InvalidFormMap: the map does not describe the PDF.
        """
        path = self.path(form)
        stat = path.stat()
        key = (form.number, str(path), stat.st_size, stat.st_mtime_ns)
        if key not in self._checked:
            self._checked[key] = check_map(form, self.fields(form, limits=limits))
        return self._checked[key]

    def fill(
        self,
        form: CerfaForm | str,
        values: Mapping[str, Any],
        *,
        prefill: Mapping[str, Any] | None = None,
        flatten: bool = False,
        output: OutputTarget | None = None,
        limits: Limits = _LIMITS,
        lang: str = "en",
    ) -> FilledForm:
        """Fill a fillable form: values checked against its map, prefilled from ``prefill``.

        Args:
            form: The form, or its number.
            values: Map entry name -> what the user typed (text, booleans for checkboxes,
                a state or its label for radio groups, JJ/MM/AAAA for dates).
            prefill: Profile key -> value (``last_name``, ``postcode``...), used for the
                fields the user left out.
            flatten: For "print and post": the values become page content, no field remains.
            output: Also write the PDF there (a path, written atomically, or a stream).
            limits: Bounds on reading the form.
            lang: Language of the report's messages.

        Returns:
            The PDF and its report (``report.prefilled`` names the entries from the profile).

        Raises:
            UnknownForm: not in the catalogue, or its PDF is missing.
            NotFillable: a blank form (to print and fill by hand).
            UnknownField, InvalidFieldValue, ValueTooLong: a value the map refuses.
            InvalidFormMap: the map does not describe the PDF (an operator's error).
        """
        entry = form if isinstance(form, CerfaForm) else self.get(form)
        if entry.kind is FormKind.BLANK:
            raise NotFillable(form=str(entry.number))
        pdf_values, prefilled = resolve_values(entry, values, prefill)
        self.check(entry, limits=limits)
        labels = {n: f.label for f in entry.fields for n in f.pdf_names}
        result = forms.fill(
            self.path(entry),
            pdf_values,
            flatten=flatten,
            output=output,
            labels=labels,
            title=f"Cerfa {entry.number} – {entry.title}",
            limits=limits,
            lang=lang,
        )
        report = result.report
        report.form = str(entry.number)
        written = set(report.filled)
        report.filled = [f.name for f in entry.fields if written & set(f.pdf_names)]
        report.prefilled = prefilled
        report.actions = [
            Note("form-filled", {"count": len(report.filled), "prefilled": len(prefilled)})
            if note.code == "form-filled"
            else note
            for note in report.actions
        ]
        return result

    def blank(
        self,
        form: CerfaForm | str,
        *,
        flatten: bool = False,
        fit_a4: bool = False,
        output: OutputTarget | None = None,
        limits: Limits = _LIMITS,
        lang: str = "en",
    ) -> FilledForm:
        """The form with no value: as it is (sanitised), flattened, and/or fitted to A4."""
        entry = form if isinstance(form, CerfaForm) else self.get(form)
        result = forms.blank(
            self.path(entry),
            flatten=flatten,
            fit_a4=fit_a4,
            output=output,
            title=f"Cerfa {entry.number} – {entry.title}",
            limits=limits,
            lang=lang,
        )
        result.report.form = str(entry.number)
        return result
