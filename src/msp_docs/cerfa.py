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

import hashlib
import os
import re
import threading
import tomllib
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from functools import total_ordering
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from msp_docs import forms
from msp_docs._model import Note
from msp_docs._sources import Input, read_inputs
from msp_docs._write import OutputTarget
from msp_docs.errors import (
    InvalidFieldValue,
    InvalidFormMap,
    NotFillable,
    Reason,
    UnknownField,
    UnknownForm,
    UsageError,
    Value,
    ValueTooLong,
    _os_reason,
)
from msp_docs.forms import FieldKind, FieldValue, FilledForm, FormField, PreparedForm
from msp_docs.limits import Limits, MiB

__all__ = [
    "CACHE_BYTES",
    "CACHE_ENTRIES",
    "MAP_SCHEMA",
    "PROFILE_KEYS",
    "CacheInfo",
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

#: Default bounds of a catalogue's cache of sanitised forms: how many versions of form files,
#: and how many bytes of sanitised PDF in all (the forms of ../shared/cerfa take 0.2–0.7 MB).
CACHE_ENTRIES = 32
CACHE_BYTES = 64 * MiB

_LIMITS = Limits(max_files=1)
_CHECKED_ENTRIES = 256
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
            raise UnknownForm(form=text, reason=Reason.INVALID_NUMBER)
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
        raise InvalidFormMap(
            form=source, where=source, reason=Reason.MAP_NOT_TOML, value=str(exc)
        ) from exc
    return _form(raw, source)


def _bad(form: str, where: str, reason: Reason, value: Value = None) -> InvalidFormMap:
    return InvalidFormMap(form=form, where=where, reason=reason, value=value)


def _form(raw: Mapping[str, Any], source: str) -> CerfaForm:
    if raw.get("schema") != MAP_SCHEMA:
        raise _bad(source, source, Reason.MAP_SCHEMA, MAP_SCHEMA)
    written = str(raw.get("number", ""))
    try:
        number = CerfaNumber.parse_exact(written)
    except ValueError:
        raise _bad(source, "number", Reason.MAP_NUMBER, written) from None
    name = str(number)
    allowed = {"schema", "number", "title", "kind", "organisation", "file", "fields"}
    _no_unknown_keys(raw, allowed, name, source)
    title, organisation = raw.get("title"), raw.get("organisation")
    if not isinstance(title, str) or not title.strip():
        raise _bad(name, "title", Reason.MAP_TITLE)
    if not isinstance(organisation, str) or not organisation.strip():
        raise _bad(name, "organisation", Reason.MAP_ORGANISATION)
    try:
        kind = FormKind(str(raw.get("kind")))
    except ValueError:
        raise _bad(name, "kind", Reason.MAP_KIND) from None
    file = raw.get("file")
    if file is not None and (not isinstance(file, str) or Path(file).name != file or not file):
        raise _bad(name, "file", Reason.MAP_FILE)
    entries = raw.get("fields", [])
    if not isinstance(entries, list):
        raise _bad(name, "fields", Reason.MAP_FIELDS)
    fields = tuple(_map_field(entry, name, index) for index, entry in enumerate(entries))
    if kind is FormKind.BLANK and fields:
        raise _bad(name, "fields", Reason.MAP_BLANK_WITH_FIELDS)
    if kind is FormKind.FILLABLE and not fields:
        raise _bad(name, "fields", Reason.MAP_NO_FIELDS)
    seen_names: set[str] = set()
    seen_pdf: set[str] = set()
    for entry in fields:
        if entry.name in seen_names:
            raise _bad(name, entry.name, Reason.MAP_NAME_TWICE)
        seen_names.add(entry.name)
        for pdf_name in entry.pdf_names:
            if pdf_name in seen_pdf:
                raise _bad(name, entry.name, Reason.MAP_PDF_FIELD_TWICE, pdf_name)
            seen_pdf.add(pdf_name)
    return CerfaForm(number, title.strip(), kind, organisation.strip(), file, fields, source)


def _no_unknown_keys(raw: Mapping[str, Any], allowed: set[str], form: str, where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _bad(form, where, Reason.MAP_UNKNOWN_KEYS, ", ".join(unknown))


def _map_field(raw: Any, form: str, index: int) -> MapField:
    where = f"fields[{index}]"
    if not isinstance(raw, dict):
        raise _bad(form, where, Reason.MAP_FIELD_NOT_A_TABLE)
    allowed = {
        "name", "type", "label", "profile", "format", "max_length", "on", "states", "options",
        "parts", "year_digits", "required",
    }  # fmt: skip
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise _bad(form, where, Reason.MAP_NAME)
    where = name
    _no_unknown_keys(raw, allowed, form, where)
    try:
        kind = MapType(str(raw.get("type")))
    except ValueError:
        types = ", ".join(t.value for t in MapType)
        raise _bad(form, where, Reason.MAP_TYPE, types) from None
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _bad(form, where, Reason.MAP_LABEL)
    profile = raw.get("profile")
    if profile is not None and profile not in PROFILE_KEYS:
        raise _bad(form, where, Reason.MAP_PROFILE_KEY, str(profile))
    text_format = None
    if "format" in raw:
        if kind not in (MapType.TEXT, MapType.COMB):
            raise _bad(form, where, Reason.MAP_FORMAT_NOT_TEXT)
        try:
            text_format = TextFormat(raw["format"])
        except ValueError:
            formats = ", ".join(f.value for f in TextFormat)
            raise _bad(form, where, Reason.MAP_FORMAT, formats) from None
    max_length = raw.get("max_length")
    if max_length is not None and (not isinstance(max_length, int) or max_length <= 0):
        raise _bad(form, where, Reason.MAP_MAX_LENGTH)
    if kind is MapType.COMB and max_length is None:
        raise _bad(form, where, Reason.MAP_COMB_LENGTH)
    on = raw.get("on")
    if kind is MapType.CHECKBOX:
        if not isinstance(on, str) or not on or on == "Off":
            raise _bad(form, where, Reason.MAP_CHECKBOX_ON)
    elif on is not None:
        raise _bad(form, where, Reason.MAP_ON_NOT_CHECKBOX)
    states = raw.get("states", {})
    if kind is MapType.RADIO:
        if not isinstance(states, dict) or not states:
            raise _bad(form, where, Reason.MAP_RADIO_STATES)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in states.items()):
            raise _bad(form, where, Reason.MAP_STATES_TEXT)
    elif states:
        raise _bad(form, where, Reason.MAP_STATES_NOT_RADIO)
    options = raw.get("options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise _bad(form, where, Reason.MAP_OPTIONS)
    parts = raw.get("parts", [])
    if kind is MapType.DATE:
        if not (
            isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, str) for p in parts)
        ):
            raise _bad(form, where, Reason.MAP_DATE_PARTS)
    elif parts:
        raise _bad(form, where, Reason.MAP_PARTS_NOT_DATE)
    year_digits = raw.get("year_digits", 4)
    if year_digits not in (2, 4):
        raise _bad(form, where, Reason.MAP_YEAR_DIGITS)
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise _bad(form, where, Reason.MAP_REQUIRED)
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
                raise _bad(name, entry.name, Reason.MAP_NO_PDF_FIELD, pdf_name)
            if found.kind not in _COMPATIBLE[entry.type]:
                raise _bad(name, entry.name, Reason.MAP_PDF_FIELD_KIND, found.kind.value)
        pdf_field = by_name[entry.pdf_names[0]]
        if entry.type is MapType.CHECKBOX and entry.on not in pdf_field.states:
            states = ", ".join(pdf_field.states)
            raise _bad(name, entry.name, Reason.MAP_ON_STATE, states)
        if entry.type is MapType.RADIO and set(entry.states) != set(pdf_field.states):
            states = ", ".join(pdf_field.states)
            raise _bad(name, entry.name, Reason.MAP_STATES_DIFFER, states)
        if entry.type is MapType.COMB and entry.max_length != pdf_field.max_length:
            raise _bad(name, entry.name, Reason.MAP_CELLS_DIFFER, pdf_field.max_length)
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


def _invalid(
    entry: MapField, source: str, reason: Reason, value: Value = None
) -> InvalidFieldValue:
    return InvalidFieldValue(
        field=entry.name, label=entry.label, reason=reason, value=value, source=source
    )


def _check_format(entry: MapField, value: str, source: str) -> None:
    fmt = entry.format
    if fmt is TextFormat.DATE:
        try:
            parse_date(value)
        except ValueError:
            raise _invalid(entry, source, Reason.DATE_FORMAT) from None
    elif fmt is TextFormat.POSTCODE and not _POSTCODE.fullmatch(value):
        raise _invalid(entry, source, Reason.POSTCODE_FORMAT)
    elif fmt is TextFormat.EMAIL and not _EMAIL.fullmatch(value):
        raise _invalid(entry, source, Reason.EMAIL_FORMAT)
    elif fmt is TextFormat.PHONE and not _PHONE.fullmatch(value):
        raise _invalid(entry, source, Reason.PHONE_FORMAT)
    elif fmt is TextFormat.DIGITS and not _DIGITS.fullmatch(value):
        raise _invalid(entry, source, Reason.DIGITS_FORMAT)
    elif fmt is TextFormat.AMOUNT and not _AMOUNT.fullmatch(value):
        raise _invalid(entry, source, Reason.AMOUNT_FORMAT)


def _resolve(entry: MapField, value: Any, source: str) -> dict[str, FieldValue]:
    """The PDF values of one map entry's value, checked against the map."""
    if entry.type is MapType.CHECKBOX:
        if value in (True, entry.on):
            return {entry.name: entry.on}
        if value in (False, None, "", "Off"):
            return {entry.name: False}
        raise _invalid(entry, source, Reason.CHECKBOX_VALUE)
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
        raise _invalid(entry, source, Reason.CHOOSE_ONE, choices)
    if isinstance(value, date):
        value = value.strftime("%d/%m/%Y")
    if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
        raise _invalid(entry, source, Reason.TEXT_EXPECTED)
    # Canonically the same text, composed (as the form engine stores and draws it): lengths
    # count the letters a citizen sees.
    text = "" if value is None else unicodedata.normalize("NFC", str(value))
    if entry.type is MapType.DATE:
        if not text:
            return dict.fromkeys(entry.parts)
        try:
            day = parse_date(text)
        except ValueError:
            raise _invalid(entry, source, Reason.DATE_FORMAT) from None
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
        raise _invalid(entry, source, Reason.CHOOSE_ONE, choices)
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
        UsageError: ``prefill`` has keys that are not :data:`PROFILE_KEYS` (a caller's mistake).
    """
    entries = {entry.name: entry for entry in form.fields}
    for name in values:
        if name not in entries:
            raise UnknownField(field=name, form=str(form.number))
    unknown_keys = sorted(set(prefill or {}) - PROFILE_KEYS)
    if unknown_keys:
        raise UsageError(reason=Reason.CALL_PROFILE_KEYS, given=", ".join(unknown_keys))
    out: dict[str, FieldValue] = {}
    prefilled: list[str] = []
    for entry in form.fields:
        if entry.name in values:
            out.update(_resolve(entry, values[entry.name], "user"))
        elif prefill and entry.profile and prefill.get(entry.profile) not in (None, ""):
            out.update(_resolve(entry, prefill[entry.profile], "profile"))
            prefilled.append(entry.name)
    return out, prefilled


# --- the catalogue ---------------------------------------------------------------------------
class CacheInfo(NamedTuple):
    """What a catalogue's cache of sanitised forms holds, and how often it served.

    Attributes:
        hits: Fills (and reads) served from the cache.
        misses: Forms sanitised because no version was cached.
        entries: Versions of form files held.
        bytes: Size of the sanitised PDFs held.
    """

    hits: int
    misses: int
    entries: int
    bytes: int


# A version of a form file: resolved path, size, mtime (ns), SHA-256 of its bytes, the limits.
_Version = tuple[str, int, int, str, Limits]


class _PreparedCache:
    """Sanitised forms by file version, bounded in entries and bytes, shared between threads.

    The least recently used version goes first; a new version of a file replaces the older ones;
    while one thread sanitises a version, the others asking for it wait for its result.
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        if max_entries < 0 or max_bytes < 0:
            raise UsageError(
                reason=Reason.CALL_CACHE_BOUNDS,
                given=f"cache_entries={max_entries}, cache_bytes={max_bytes}",
            )
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[_Version, PreparedForm] = OrderedDict()
        self._making: dict[_Version, threading.Lock] = {}
        self._bytes = 0
        self._hits = 0
        self._misses = 0

    def get(self, key: _Version, make: Callable[[], PreparedForm]) -> PreparedForm:
        with self._lock:
            found = self._lookup(key)
            if found is not None:
                return found
            gate = self._making.setdefault(key, threading.Lock())
        with gate:  # the first thread sanitises; the others wait for its result
            with self._lock:
                found = self._lookup(key)
                if found is not None:
                    return found
                self._misses += 1
            try:
                made = make()
            except BaseException:
                with self._lock:
                    self._making.pop(key, None)
                raise
            with self._lock:
                self._store(key, made)
                self._making.pop(key, None)
            return made

    def info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, len(self._entries), self._bytes)

    def _lookup(self, key: _Version) -> PreparedForm | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            self._hits += 1
        return found

    def _store(self, key: _Version, made: PreparedForm) -> None:
        size = len(made.data)
        if self._max_entries == 0 or size > self._max_bytes:
            return
        for old in [k for k in self._entries if k[0] == key[0] and k != key]:
            self._drop(old)  # an older version of the same file will not be asked for again
        self._entries[key] = made
        self._bytes += size
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: _Version) -> None:
        self._bytes -= len(self._entries.pop(key).data)


class Catalogue:
    """The forms an operator offers: maps from this package and from their own directories.

    A catalogue keeps each form file sanitised (see :meth:`prepared`): the sanitising is most of
    what a fill costs, and a portal fills the same few forms again and again. A version of a
    file is its path, size, modification time and SHA-256: a changed file is sanitised again,
    even when its size and time were kept. One catalogue may serve many threads.

    Args:
        forms_dir: Where the forms' PDF files are (the operator's directory).
        forms: The catalogue entries (see :meth:`load`).
        cache_entries: At most this many sanitised form versions are kept (0: none).
        cache_bytes: At most this many bytes of sanitised PDF are kept.
    """

    def __init__(
        self,
        forms_dir: str | os.PathLike[str],
        forms: Iterable[CerfaForm],
        *,
        cache_entries: int = CACHE_ENTRIES,
        cache_bytes: int = CACHE_BYTES,
    ) -> None:
        self.forms_dir = Path(forms_dir)
        self._forms: dict[CerfaNumber, CerfaForm] = {}
        for entry in forms:
            if entry.number in self._forms:
                raise _bad(str(entry.number), entry.source, Reason.MAP_TWICE_IN_CATALOGUE)
            self._forms[entry.number] = entry
        self._cache = _PreparedCache(cache_entries, cache_bytes)
        self._checked: OrderedDict[tuple[CerfaNumber, str], tuple[str, ...]] = OrderedDict()
        self._checked_lock = threading.Lock()

    @classmethod
    def load(
        cls,
        forms_dir: str | os.PathLike[str],
        *,
        maps: Iterable[str | os.PathLike[str]] = (),
        builtin: bool = True,
        cache_entries: int = CACHE_ENTRIES,
        cache_bytes: int = CACHE_BYTES,
    ) -> Catalogue:
        """Load this package's maps (unless ``builtin`` is False) and those of ``maps``.

        ``maps`` are directories of ``*.toml`` files: an operator's own forms. A number given
        twice is an error. ``cache_entries`` and ``cache_bytes`` bound the cache of sanitised
        forms (see :class:`Catalogue`).

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
                except UnicodeDecodeError as exc:
                    raise _bad(path.name, str(path), Reason.NOT_UTF8) from exc
                except OSError as exc:
                    raise _bad(path.name, str(path), *_os_reason(exc)) from exc
                loaded.append(load_map(text, source=str(path)))
        return cls(forms_dir, loaded, cache_entries=cache_entries, cache_bytes=cache_bytes)

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
            raise UnknownForm(form=str(key), reason=Reason.NOT_IN_CATALOGUE)
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
        raise UnknownForm(form=str(form.number), reason=Reason.FILE_MISSING)

    def prepared(self, form: CerfaForm, *, limits: Limits = _LIMITS) -> PreparedForm:
        """The form's PDF, sanitised: from the cache when this version of the file is there.

        The file is read and hashed every time (a few milliseconds), so that a file changed in
        place is never served from an older version; sanitising it again is what the cache
        saves.

        Raises:
            UnknownForm: the file is missing.
            MspDocsError: the file cannot be read or is not a form we can open.
        """
        path = self.path(form)
        try:
            stat = path.stat()
        except OSError:
            raise UnknownForm(form=str(form.number), reason=Reason.FILE_MISSING) from None
        (loaded,) = read_inputs([Input(path)], replace(limits, max_files=1))
        digest = hashlib.sha256(loaded.data).hexdigest()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, digest, limits)
        source = Input(loaded.data, name=loaded.name)
        return self._cache.get(key, lambda: forms.prepare(source, limits=limits))

    def cache_info(self) -> CacheInfo:
        """How the cache of sanitised forms is doing (hits, misses, entries, bytes)."""
        return self._cache.info()

    def fields(self, form: CerfaForm, *, limits: Limits = _LIMITS) -> list[FormField]:
        """The fields of the form's PDF (not of its map)."""
        return forms.read_fields(self.prepared(form, limits=limits), limits=limits)

    def check(self, form: CerfaForm, *, limits: Limits = _LIMITS) -> list[str]:
        """Check the form's map against its PDF (once per version of the file).

        Returns:
            The names of the PDF fields the map leaves out.

        Raises:
            InvalidFormMap: the map does not describe the PDF.
        """
        return self._check(form, self.prepared(form, limits=limits), limits)

    def _check(self, form: CerfaForm, prepared: PreparedForm, limits: Limits) -> list[str]:
        key = (form.number, prepared.digest)
        with self._checked_lock:
            left_out = self._checked.get(key)
        if left_out is None:
            left_out = tuple(check_map(form, forms.read_fields(prepared, limits=limits)))
            with self._checked_lock:
                self._checked[key] = left_out
                while len(self._checked) > _CHECKED_ENTRIES:
                    self._checked.popitem(last=False)
        return list(left_out)

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
            UsageError: ``prefill`` has keys that are not :data:`PROFILE_KEYS`.
        """
        entry = form if isinstance(form, CerfaForm) else self.get(form)
        if entry.kind is FormKind.BLANK:
            raise NotFillable(form=str(entry.number))
        pdf_values, prefilled = resolve_values(entry, values, prefill)
        prepared = self.prepared(entry, limits=limits)
        self._check(entry, prepared, limits)
        labels = {n: f.label for f in entry.fields for n in f.pdf_names}
        result = forms.fill(
            prepared,
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
            self.prepared(entry, limits=limits),
            flatten=flatten,
            fit_a4=fit_a4,
            output=output,
            title=f"Cerfa {entry.number} – {entry.title}",
            limits=limits,
            lang=lang,
        )
        result.report.form = str(entry.number)
        return result
