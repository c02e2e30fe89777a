"""Procedure types as data: the frozen model of a definition, and its validation at load.

A definition (one TOML file per type, see ``docs/procedures.md``) says what a procedure asks,
who receives it and which rules apply; nothing about a procedure is code except its named hooks
(:mod:`msp_portal.domain.hooks`). Loading refuses anything unknown or inconsistent with a
:class:`~msp_portal.errors.DefinitionInvalid` naming the file, the place and the reason, so a
typo in a definition stops the service at start-up instead of misleading a citizen later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, NoReturn

from msp_portal.domain.contact import ContactDetails
from msp_portal.domain.hooks import HookRegistry
from msp_portal.domain.references import ReferenceSeries
from msp_portal.errors import DefinitionInvalid

__all__ = [
    "ADDRESS_PARTS",
    "PREFILL_KEYS",
    "WALLET_CATEGORIES",
    "AttachmentSpec",
    "Catalogue",
    "Choice",
    "FieldKind",
    "FieldSpec",
    "Organisation",
    "OrganisationSpec",
    "ProcedureType",
    "Recipients",
    "RecipientsMode",
    "load_catalogue",
    "load_organisations",
    "load_procedure_type",
]

_ID = re.compile(r"[a-z][a-z0-9_-]{0,62}")
# Wallet categories (issue 8's wallet part); a definition may only ask for these.
WALLET_CATEGORIES = ("identity", "proof-of-address", "income", "family", "other")
ADDRESS_PARTS = ("line1", "line2", "postcode", "city", "country")
# What a field may be prefilled from: the profile's contact details (A7), the account's email,
# or, for an address field, the whole postal address of the profile.
PREFILL_KEYS = frozenset({f.name for f in fields(ContactDetails)} | {"email", "address"})
TEXT_MAX = 2000  # the longest text a definition may allow in one field


class FieldKind(StrEnum):
    """What a field holds, and so how its answer is checked."""

    TEXT = "text"
    DATE = "date"  # JJ/MM/AAAA (rule C2)
    CHOICE = "choice"
    MULTI_CHOICE = "multi-choice"
    BOOLEAN = "boolean"
    ADDRESS = "address"  # line1, line2, postcode, city, country
    IDENTIFIER = "identifier"  # upper-cased, blanks ignored, checked by a named validator
    GROUP = "group"  # repeated items of sub-fields (e.g. people attached to a contract)


@dataclass(frozen=True)
class Choice:
    """One option of a choice or multi-choice field."""

    value: str
    label: str


@dataclass(frozen=True)
class FieldSpec:
    """One question of a procedure.

    Attributes:
        id: Key of the answer (``[a-z][a-z0-9_-]*``).
        label: The question as shown (French).
        kind: What the answer is.
        required: Whether transmission needs an answer.
        help: A hint shown under the question.
        min_length: Text and identifier: fewest characters (after trimming).
        max_length: Text and identifier: most characters.
        pattern: Text and identifier: a regular expression the whole answer must match.
        multiline: Text: line breaks allowed.
        choices: Choice and multi-choice: the options.
        min_items: Multi-choice and group: fewest items when answered.
        max_items: Multi-choice and group: most items.
        fields: Group: the sub-fields of each item (no group inside a group).
        prefill: Key of the profile value written in at start (:data:`PREFILL_KEYS`).
        hooks: Names of field hooks, run in order on an answered value.
        computed: Name of the compute hook that gives the value at transmission; the citizen
            does not answer a computed field (sending one is ``answers-malformed``).
        item_label: Group: what one item is called on a form (``Personne``: "Personne n° 2").
        add_label: Group: the button that adds an item on a form (``Ajouter une personne``).
        answered_by: Name of the procedure hook (one of the type's ``checks``) whose proposal
            the citizen answers to set this field: a form does not ask it as a question, it
            offers the proposal and saves the answer it carries (the change of address's
            choice of La Poste's form). Top-level fields only.
    """

    id: str
    label: str
    kind: FieldKind
    required: bool = False
    help: str = ""
    min_length: int = 0
    max_length: int = 200
    pattern: str | None = None
    multiline: bool = False
    choices: tuple[Choice, ...] = ()
    min_items: int = 0
    max_items: int = 20
    fields: tuple[FieldSpec, ...] = ()
    prefill: str | None = None
    hooks: tuple[str, ...] = ()
    computed: str | None = None
    answered_by: str | None = None
    item_label: str = ""
    add_label: str = ""

    @property
    def asked(self) -> bool:
        """Whether a form asks this field (neither computed nor answered on a proposal)."""
        return self.computed is None and self.answered_by is None

    def choice_label(self, value: str) -> str:
        """The label of the option ``value`` (the value itself when unknown)."""
        return next((c.label for c in self.choices if c.value == value), value)


@dataclass(frozen=True)
class Organisation:
    """A receiving organisation: its code (the key of its endpoint and partner key) and name."""

    code: str
    name: str


@dataclass(frozen=True)
class OrganisationSpec:
    """An organisation a procedure may be sent to, and what it asks of the citizen."""

    organisation: Organisation
    fields: tuple[FieldSpec, ...] = ()

    @property
    def code(self) -> str:
        """The organisation's code."""
        return self.organisation.code


class RecipientsMode(StrEnum):
    """Who receives a dossier: always the same organisations, or those the citizen picks."""

    FIXED = "fixed"
    CHOSEN = "chosen"


@dataclass(frozen=True)
class Recipients:
    """The receiving organisations of a procedure type."""

    mode: RecipientsMode
    organisations: tuple[OrganisationSpec, ...]
    min_chosen: int = 1
    max_chosen: int = 0  # 0: as many as offered
    send_document: bool = True
    """Whether each organisation's delivery carries the dossier PDF. The PDF is the citizen's
    whole dossier (every organisation's own fields); a type whose organisations must each see
    only their own part (the change of address: another organisation's contract number) sends
    the structured answers alone."""

    def spec(self, code: str) -> OrganisationSpec | None:
        """The organisation with this code, if offered."""
        return next((o for o in self.organisations if o.code == code), None)


@dataclass(frozen=True)
class AttachmentSpec:
    """A place for wallet documents (D5): which categories fit, how many, whether required."""

    id: str
    label: str
    categories: tuple[str, ...]
    required: bool = False
    max_documents: int = 1


@dataclass(frozen=True)
class ProcedureType:
    """A procedure type, loaded from its definition.

    Attributes:
        id: Stable identifier (``acte-naissance``); stored with every dossier.
        version: Bumped when the questions change; stored with every dossier.
        title: The procedure's name as citizens see it.
        description: One paragraph shown before starting.
        series: The reference series (``A-1`` online procedures, ``A-2`` CERFA forms).
        recipients: The receiving organisations.
        fields: The questions, in order.
        attachments: The places for wallet documents.
        checks: Names of procedure hooks (rules over several answers).
        resume_password: Whether resuming a saved dossier asks for its file number and password.
        main_document: A label when the dossier has a main PDF set by the service (a filled
            CERFA form), placed right after the summary; empty when it has none.
        confirmation: Name of the confirmation hook writing the type's own confirmation email;
            empty for the generic one.
        form: The CERFA number (``11580*05``) of a type generated from the CERFA catalogue
            (:mod:`msp_portal.domain.cerfa_procedures`): its answers are checked by the form's
            field map and its main document is the form filled from them at transmission.
            Empty for the types of TOML definitions (a definition cannot set it).
    """

    id: str
    version: int
    title: str
    description: str
    series: ReferenceSeries
    recipients: Recipients
    fields: tuple[FieldSpec, ...]
    attachments: tuple[AttachmentSpec, ...] = ()
    checks: tuple[str, ...] = ()
    resume_password: bool = True
    main_document: str = ""
    confirmation: str = ""
    form: str = ""

    def field(self, field_id: str) -> FieldSpec | None:
        """The top-level field ``field_id``, if any."""
        return next((f for f in self.fields if f.id == field_id), None)

    def attachment(self, slot: str) -> AttachmentSpec | None:
        """The attachment place ``slot``, if any."""
        return next((a for a in self.attachments if a.id == slot), None)


@dataclass(frozen=True)
class Catalogue:
    """Every procedure type and organisation the service offers."""

    types: Mapping[str, ProcedureType] = field(default_factory=dict)
    organisations: Mapping[str, Organisation] = field(default_factory=dict)

    def get(self, type_id: str) -> ProcedureType | None:
        """The type ``type_id``, if offered."""
        return self.types.get(type_id) if isinstance(type_id, str) else None


# --- loading --------------------------------------------------------------------------------------
class _Reader:
    """Reads one table of a definition, refusing unknown keys and wrong types with a path."""

    def __init__(self, data: Any, source: str, path: str) -> None:
        self.source, self.path = source, path
        if not isinstance(data, Mapping):
            self.fail("a table is expected")
        self.data: Mapping[str, Any] = data
        self.seen: set[str] = set()

    def fail(self, reason: str, at: str | None = None) -> NoReturn:
        raise DefinitionInvalid(source=self.source, path=at or self.path or "(root)", reason=reason)

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if default is ...:
                self.fail("missing", self._at(key))
            return default
        value = self.data[key]
        if (isinstance(value, bool) and kind is int) or not isinstance(value, kind):
            self.fail(f"wrong type {type(value).__name__}", self._at(key))
        return value

    def ident(self, key: str) -> str:
        value = self.get(key, str)
        if not _ID.fullmatch(value):
            self.fail("not an identifier ([a-z][a-z0-9_-]*)", self._at(key))
        return str(value)

    def tables(self, key: str) -> list[_Reader]:
        items = self.get(key, list, [])
        return [_Reader(item, self.source, f"{self._at(key)}[{i}]") for i, item in enumerate(items)]

    def strings(self, key: str) -> tuple[str, ...]:
        items = self.get(key, list, [])
        if not all(isinstance(i, str) for i in items):
            self.fail("a list of strings is expected", self._at(key))
        return tuple(items)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            self.fail(f"unknown key {unknown[0]!r}", self._at(unknown[0]))


def _field(r: _Reader, hooks: HookRegistry, *, in_group: bool = False) -> FieldSpec:
    try:
        kind = FieldKind(r.get("type", str))
    except ValueError:
        r.fail("unknown field type", f"{r.path}.type")
    if kind is FieldKind.GROUP and in_group:
        r.fail("a group cannot contain a group")
    default_max = 20 if kind in (FieldKind.MULTI_CHOICE, FieldKind.GROUP) else 0
    spec = FieldSpec(
        id=r.ident("id"),
        label=r.get("label", str),
        kind=kind,
        required=r.get("required", bool, False),
        help=r.get("help", str, ""),
        min_length=r.get("min_length", int, 0),
        max_length=r.get("max_length", int, 200),
        pattern=r.get("pattern", str, None),
        multiline=r.get("multiline", bool, False),
        choices=_choices(r),
        min_items=r.get("min_items", int, 0),
        max_items=r.get("max_items", int, default_max or 20),
        fields=tuple(_field(sub, hooks, in_group=True) for sub in r.tables("fields")),
        prefill=r.get("prefill", str, None),
        hooks=r.strings("hooks"),
        computed=r.get("computed", str, None),
        answered_by=r.get("answered_by", str, None),
        item_label=r.get("item_label", str, ""),
        add_label=r.get("add_label", str, ""),
    )
    validator = r.get("validator", str, None)
    if validator is not None:
        spec = FieldSpec(**{**_as_dict(spec), "hooks": (validator, *spec.hooks)})
    r.done()
    _check_field(r, spec, hooks, in_group=in_group)
    return spec


def _choices(r: _Reader) -> tuple[Choice, ...]:
    out = []
    for c in r.tables("choices"):
        out.append(Choice(c.get("value", str), c.get("label", str)))
        c.done()
    return tuple(out)


def _as_dict(spec: FieldSpec) -> dict[str, Any]:
    return {f.name: getattr(spec, f.name) for f in fields(spec)}


def _check_field(r: _Reader, spec: FieldSpec, hooks: HookRegistry, *, in_group: bool) -> None:
    kind = spec.kind
    if not 0 <= spec.min_length <= spec.max_length <= TEXT_MAX:
        r.fail(f"lengths must satisfy 0 <= min_length <= max_length <= {TEXT_MAX}")
    if not 0 <= spec.min_items <= spec.max_items <= 200:
        r.fail("items must satisfy 0 <= min_items <= max_items <= 200")
    if spec.pattern is not None:
        if kind not in (FieldKind.TEXT, FieldKind.IDENTIFIER):
            r.fail("pattern is for text and identifier fields")
        try:
            re.compile(spec.pattern)
        except re.error as exc:
            r.fail(f"pattern does not compile: {exc}")
    if kind in (FieldKind.CHOICE, FieldKind.MULTI_CHOICE):
        values = [c.value for c in spec.choices]
        if not values or len(set(values)) != len(values):
            r.fail("choices must be given, each value once")
    elif spec.choices:
        r.fail("choices are for choice and multi-choice fields")
    if kind is FieldKind.GROUP:
        ids = [f.id for f in spec.fields]
        if not ids or len(set(ids)) != len(ids):
            r.fail("a group needs sub-fields, each id once")
    elif spec.fields or spec.item_label or spec.add_label:
        r.fail("sub-fields, item_label and add_label are for group fields")
    if spec.multiline and kind is not FieldKind.TEXT:
        r.fail("multiline is for text fields")
    if spec.prefill is not None:
        if spec.prefill not in PREFILL_KEYS:
            r.fail(f"unknown prefill key {spec.prefill!r}")
        if (spec.prefill == "address") != (kind is FieldKind.ADDRESS):
            r.fail("an address field is prefilled from 'address', and only it")
    for name in spec.hooks:
        if name not in hooks.field_hooks:
            r.fail(f"unknown field hook {name!r}")
    if spec.computed is not None:
        if spec.computed not in hooks.compute_hooks:
            r.fail(f"unknown compute hook {spec.computed!r}")
        if in_group or kind is FieldKind.GROUP:
            r.fail("a computed field is not a group and not in a group")
        if spec.required or spec.prefill is not None or spec.hooks:
            r.fail("a computed field is not required, prefilled or checked by hooks")
    if spec.answered_by is not None:
        if in_group or kind is FieldKind.GROUP or spec.computed is not None:
            r.fail("a field answered by a proposal is a top-level field, not computed")
        if spec.required or spec.prefill is not None:
            r.fail("a field answered by a proposal is not required or prefilled")


def _fields(r: _Reader, key: str, hooks: HookRegistry) -> tuple[FieldSpec, ...]:
    specs = tuple(_field(sub, hooks) for sub in r.tables(key))
    ids = [f.id for f in specs]
    if len(set(ids)) != len(ids):
        r.fail("two fields have the same id", f"{r.path}.{key}" if r.path else key)
    return specs


def load_organisations(data: Mapping[str, Any], *, source: str) -> dict[str, Organisation]:
    """The organisation directory: ``{code: {name = "..."}}``."""
    out: dict[str, Organisation] = {}
    for code, table in _Reader(data, source, "").data.items():
        r = _Reader(table, source, str(code))
        if not isinstance(code, str) or not _ID.fullmatch(code):
            r.fail("not an organisation code")
        out[code] = Organisation(code, r.get("name", str))
        r.done()
    return out


def load_procedure_type(
    data: Mapping[str, Any],
    *,
    source: str,
    organisations: Mapping[str, Organisation],
    hooks: HookRegistry,
) -> ProcedureType:
    """Validate one parsed definition and freeze it.

    Raises:
        DefinitionInvalid: with ``source``, the path in the definition and the reason.
    """
    r = _Reader(data, source, "")
    type_id = r.ident("id")
    version = r.get("version", int)
    title = r.get("title", str)
    description = r.get("description", str, "")
    try:
        series = ReferenceSeries(r.get("reference_series", int))
    except ValueError:
        r.fail("reference_series is 1 (A-1) or 2 (A-2)", "reference_series")
    resume_password = r.get("resume_password", bool, True)
    main_document = r.get("main_document", str, "")
    field_specs = _fields(r, "fields", hooks)

    rec = _Reader(r.get("recipients", Mapping), source, "recipients")
    r.seen.add("recipients")
    try:
        mode = RecipientsMode(rec.get("mode", str))
    except ValueError:
        rec.fail("mode is 'fixed' or 'chosen'", "recipients.mode")
    offered: list[OrganisationSpec] = []
    for org in rec.tables("organisations"):
        code = org.ident("code")
        known = organisations.get(code)
        if known is None:
            org.fail(f"unknown organisation {code!r}")
        offered.append(OrganisationSpec(known, _fields(org, "fields", hooks)))
        org.done()
    codes = [o.code for o in offered]
    if not codes or len(set(codes)) != len(codes):
        rec.fail("at least one organisation, each once", "recipients.organisations")
    min_chosen = rec.get("min_chosen", int, 1)
    max_chosen = rec.get("max_chosen", int, 0)
    send_document = rec.get("send_document", bool, True)
    if mode is RecipientsMode.CHOSEN and not 1 <= min_chosen <= (max_chosen or len(codes)):
        rec.fail("need 1 <= min_chosen <= max_chosen <= organisations")
    rec.done()

    attachments: list[AttachmentSpec] = []
    for a in r.tables("attachments"):
        spec = AttachmentSpec(
            id=a.ident("id"),
            label=a.get("label", str),
            categories=a.strings("categories"),
            required=a.get("required", bool, False),
            max_documents=a.get("max_documents", int, 1),
        )
        a.done()
        unknown = [c for c in spec.categories if c not in WALLET_CATEGORIES]
        if not spec.categories or unknown:
            a.fail(f"categories must be among {', '.join(WALLET_CATEGORIES)}")
        if not 1 <= spec.max_documents <= 10:
            a.fail("max_documents must be 1 to 10")
        attachments.append(spec)
    if len({a.id for a in attachments}) != len(attachments):
        r.fail("two attachments have the same id", "attachments")
    checks = r.strings("checks")
    for name in checks:
        if name not in hooks.procedure_hooks:
            r.fail(f"unknown procedure hook {name!r}", "checks")
    for i, field_spec in enumerate(field_specs):
        named = field_spec.answered_by
        if named is not None and named not in checks:
            r.fail(f"answered_by names {named!r}, not one of checks", f"fields[{i}]")
    if any(s.answered_by is not None for o in offered for s in o.fields):
        r.fail("an organisation's field is not answered by a proposal", "recipients")
    confirmation = r.get("confirmation", str, "")
    if confirmation and confirmation not in hooks.confirmation_hooks:
        r.fail(f"unknown confirmation hook {confirmation!r}", "confirmation")
    r.done()
    return ProcedureType(
        id=type_id,
        version=version,
        title=title,
        description=description,
        series=series,
        recipients=Recipients(mode, tuple(offered), min_chosen, max_chosen, send_document),
        fields=field_specs,
        attachments=tuple(attachments),
        checks=checks,
        resume_password=resume_password,
        main_document=main_document,
        confirmation=confirmation,
    )


def load_catalogue(
    organisations: Mapping[str, Organisation],
    definitions: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    hooks: HookRegistry,
) -> Catalogue:
    """Every definition (``(source, parsed data)`` pairs) validated into a catalogue."""
    types: dict[str, ProcedureType] = {}
    for source, data in definitions:
        ptype = load_procedure_type(data, source=source, organisations=organisations, hooks=hooks)
        if ptype.id in types:
            raise DefinitionInvalid(source=source, path="id", reason="id used by another type")
        types[ptype.id] = ptype
    return Catalogue(types, dict(organisations))
