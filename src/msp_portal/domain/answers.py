"""A dossier's answers: their JSON shape, the check before transmission, prefilling.

Answers are JSON: ``{"fields": {field id: value}, "organisations": {code: {field id: value}}}``.
In the second part, the keys are the organisations the citizen chose (for a type whose
recipients are chosen) and hold each organisation's own fields (a contract number...).

Two checks, on purpose apart:

* :func:`check_shape`, on every save of answers: what no honest form sends is refused at once
  with :class:`~msp_portal.errors.AnswersMalformed` (unknown field, wrong JSON type, control
  characters, lone surrogates, strings past 10 000 characters, lists past 200 items). What is
  accepted comes back exactly as it was sent.
* :func:`check_content`, before transmission (and whenever the form asks): what a citizen must
  still correct (required, too long, pattern, date, choice, counts, hooks) as a list of
  :class:`~msp_portal.domain.hooks.Problem`; a draft may be saved with problems left.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from msp_portal.domain.contact import ContactDetails
from msp_portal.domain.dates import DateProblem, format_date_fr, parse_date_fr
from msp_portal.domain.hooks import Findings, HookContext, HookRegistry, Problem
from msp_portal.domain.procedure_types import (
    ADDRESS_PARTS,
    FieldKind,
    FieldSpec,
    ProcedureType,
    RecipientsMode,
)
from msp_portal.errors import AnswersMalformed

__all__ = [
    "MAX_ITEMS",
    "MAX_STRING",
    "check_content",
    "check_shape",
    "chosen_organisations",
    "empty_answers",
    "is_empty",
    "normalise_identifier",
    "prefill",
]

MAX_STRING = 10_000  # characters of one string in answers (any field; fields have lower limits)
MAX_ITEMS = 200  # items of one list in answers
_ADDRESS_LIMITS = {"line1": 200, "line2": 200, "postcode": 10, "city": 100, "country": 100}
_ADDRESS_REQUIRED = ("line1", "postcode", "city")
# Characters that reorder or hide text (Trojan Source) are refused like control characters: what
# an organisation reads in the summary must be what the citizen typed.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def empty_answers() -> dict[str, Any]:
    """Answers with nothing answered."""
    return {"fields": {}, "organisations": {}}


# --- shape ----------------------------------------------------------------------------------------
def _fail(path: str, reason: str) -> AnswersMalformed:
    return AnswersMalformed(path=path, reason=reason)


def _string(value: Any, path: str, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail(path, "not-a-string")
    if len(value) > MAX_STRING:
        raise _fail(path, "too-long")
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            raise _fail(path, "lone-surrogate")
        if ch in _BIDI or (unicodedata.category(ch) == "Cc" and not (multiline and ch in "\n\r\t")):
            raise _fail(path, "control-characters")
    return value


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, "not-an-object")
    for key in value:
        if not isinstance(key, str):
            raise _fail(path, "key-not-a-string")
    return value


def _list(value: Any, path: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise _fail(path, "not-a-list")
    if len(value) > MAX_ITEMS:
        raise _fail(path, "too-many-items")
    return value


def _shape_value(spec: FieldSpec, value: Any, path: str) -> Any:
    if value is None:
        return None
    kind = spec.kind
    if kind in (FieldKind.TEXT, FieldKind.DATE, FieldKind.CHOICE, FieldKind.IDENTIFIER):
        return _string(value, path, multiline=spec.multiline)
    if kind is FieldKind.BOOLEAN:
        if not isinstance(value, bool):
            raise _fail(path, "not-a-boolean")
        return value
    if kind is FieldKind.MULTI_CHOICE:
        return [_string(v, f"{path}[{i}]") for i, v in enumerate(_list(value, path))]
    if kind is FieldKind.ADDRESS:
        parts = _mapping(value, path)
        out: dict[str, Any] = {}
        for key, part in parts.items():
            if key not in ADDRESS_PARTS:
                raise _fail(f"{path}.{key}", "unknown-field")
            out[key] = None if part is None else _string(part, f"{path}.{key}")
        return out
    # group
    items = []
    subs = {f.id: f for f in spec.fields}
    for i, item in enumerate(_list(value, path)):
        item_path = f"{path}[{i}]"
        shaped: dict[str, Any] = {}
        for key, sub_value in _mapping(item, item_path).items():
            sub = subs.get(key)
            if sub is None:
                raise _fail(f"{item_path}.{key}", "unknown-field")
            shaped[key] = _shape_value(sub, sub_value, f"{item_path}.{key}")
        items.append(shaped)
    return items


def _shape_fields(specs: tuple[FieldSpec, ...], raw: Any, path: str) -> dict[str, Any]:
    by_id = {f.id: f for f in specs}
    out: dict[str, Any] = {}
    for key, value in _mapping(raw, path).items():
        spec = by_id.get(key)
        if spec is None:
            raise _fail(f"{path}.{key}", "unknown-field")
        out[key] = _shape_value(spec, value, f"{path}.{key}")
    return out


def check_shape(ptype: ProcedureType, raw: Any) -> dict[str, Any]:
    """``raw`` answers as plain JSON values (lists, dicts, str, bool, None), or raise.

    Raises:
        AnswersMalformed: with the ``path`` of the first offending value and a ``reason``.
    """
    top = _mapping(raw, "answers")
    for key in top:
        if key not in ("fields", "organisations"):
            raise _fail(key, "unknown-field")
    answers = empty_answers()
    answers["fields"] = _shape_fields(ptype.fields, top.get("fields", {}), "fields")
    for code, org_raw in _mapping(top.get("organisations", {}), "organisations").items():
        spec = ptype.recipients.spec(code)
        if spec is None:
            raise _fail(f"organisations.{code}", "unknown-organisation")
        answers["organisations"][code] = _shape_fields(
            spec.fields, org_raw if org_raw is not None else {}, f"organisations.{code}"
        )
    return answers


# --- content --------------------------------------------------------------------------------------
def is_empty(value: Any) -> bool:
    """Whether an answer counts as not given (None, blank text, empty list or address)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return not value
    if isinstance(value, Mapping):
        return all(is_empty(v) for v in value.values())
    return False


def normalise_identifier(value: str) -> str:
    """An identifier as compared and sent: upper case, without blanks."""
    return "".join(value.split()).upper()


class _Checker:
    def __init__(
        self, ptype: ProcedureType, answers: Mapping[str, Any], today: date, hooks: HookRegistry
    ) -> None:
        self.ptype, self.answers, self.today, self.hooks = ptype, answers, today, hooks
        self.findings = Findings()

    def problem(self, path: str, reason: str, **facts: object) -> None:
        pairs = tuple(sorted((k, str(v)) for k, v in facts.items()))
        self.findings += Findings(problems=(Problem(path, reason, pairs),))

    def field(self, spec: FieldSpec, value: Any, path: str, organisation: str | None) -> None:
        if is_empty(value) and not (spec.kind is FieldKind.BOOLEAN and value is False):
            if spec.required:
                self.problem(path, "required")
            return
        before = len(self.findings.problems)
        parsed = self.parse(spec, value, path, organisation)
        if len(self.findings.problems) > before:
            return
        ctx = HookContext(self.today, self.ptype.id, path, organisation, self.answers)
        for name in spec.hooks:
            self.findings += self.hooks.field_hooks[name](parsed, ctx)

    def parse(self, spec: FieldSpec, value: Any, path: str, organisation: str | None) -> Any:
        kind = spec.kind
        if kind in (FieldKind.TEXT, FieldKind.IDENTIFIER):
            text = value.strip() if kind is FieldKind.TEXT else normalise_identifier(value)
            if len(text) < spec.min_length:
                self.problem(path, "too-short", minimum=spec.min_length)
            elif len(text) > spec.max_length:
                self.problem(path, "too-long", maximum=spec.max_length)
            elif spec.pattern is not None and not re.fullmatch(spec.pattern, text):
                self.problem(path, "pattern")
            return text
        if kind is FieldKind.DATE:
            parsed = parse_date_fr(value)
            if isinstance(parsed, DateProblem):
                self.problem(path, f"date-{parsed.value}")
            return parsed
        if kind is FieldKind.CHOICE:
            if value not in {c.value for c in spec.choices}:
                self.problem(path, "unknown-choice")
            return value
        if kind is FieldKind.MULTI_CHOICE:
            allowed = {c.value for c in spec.choices}
            if any(v not in allowed for v in value):
                self.problem(path, "unknown-choice")
            elif len(set(value)) != len(value):
                self.problem(path, "duplicate-choice")
            elif len(value) < spec.min_items:
                self.problem(path, "too-few", minimum=spec.min_items)
            elif len(value) > spec.max_items:
                self.problem(path, "too-many", maximum=spec.max_items)
            return tuple(value)
        if kind is FieldKind.BOOLEAN:
            if spec.required and value is not True:
                self.problem(path, "required")
            return value
        if kind is FieldKind.ADDRESS:
            parts = {k: (value.get(k) or "").strip() for k in ADDRESS_PARTS}
            for key in _ADDRESS_REQUIRED:
                if not parts[key]:
                    self.problem(f"{path}.{key}", "required")
            for key, limit in _ADDRESS_LIMITS.items():
                if len(parts[key]) > limit:
                    self.problem(f"{path}.{key}", "too-long", maximum=limit)
            return parts
        # group
        if len(value) < spec.min_items:
            self.problem(path, "too-few", minimum=spec.min_items)
        elif len(value) > spec.max_items:
            self.problem(path, "too-many", maximum=spec.max_items)
        for i, item in enumerate(value):
            for sub in spec.fields:
                self.field(sub, item.get(sub.id), f"{path}[{i}].{sub.id}", organisation)
        return tuple(value)


def chosen_organisations(ptype: ProcedureType, answers: Mapping[str, Any]) -> tuple[str, ...]:
    """The codes the dossier goes to, in the definition's order."""
    recipients = ptype.recipients
    if recipients.mode is RecipientsMode.FIXED:
        return tuple(o.code for o in recipients.organisations)
    chosen = answers.get("organisations", {})
    return tuple(o.code for o in recipients.organisations if o.code in chosen)


def check_content(
    ptype: ProcedureType, answers: Mapping[str, Any], *, today: date, hooks: HookRegistry
) -> Findings:
    """What must be corrected before transmission, and what is proposed (shape-checked input).

    ``today`` is the Paris date of the check (date rules such as C1 depend on it).
    """
    checker = _Checker(ptype, answers, today, hooks)
    fields = answers.get("fields", {})
    for spec in ptype.fields:
        checker.field(spec, fields.get(spec.id), f"fields.{spec.id}", None)
    chosen = chosen_organisations(ptype, answers)
    recipients = ptype.recipients
    if recipients.mode is RecipientsMode.CHOSEN:
        most = recipients.max_chosen or len(recipients.organisations)
        if len(chosen) < recipients.min_chosen:
            checker.problem("organisations", "too-few", minimum=recipients.min_chosen)
        elif len(chosen) > most:
            checker.problem("organisations", "too-many", maximum=most)
    org_answers = answers.get("organisations", {})
    for code in chosen:
        spec_org = recipients.spec(code)
        assert spec_org is not None
        own = org_answers.get(code) or {}
        for spec in spec_org.fields:
            checker.field(spec, own.get(spec.id), f"organisations.{code}.{spec.id}", code)
    ctx = HookContext(today, ptype.id, "", None, answers)
    for name in ptype.checks:
        checker.findings += hooks.procedure_hooks[name](answers, ctx)
    return checker.findings


# --- prefill --------------------------------------------------------------------------------------
def _prefill_value(key: str, contact: ContactDetails, email: str) -> Any:
    if key == "email":
        return email
    if key == "address":
        return {
            "line1": contact.address_line1,
            "line2": contact.address_line2,
            "postcode": contact.postcode,
            "city": contact.city,
            "country": contact.country,
        }
    value = getattr(contact, key)
    if isinstance(value, date):
        return format_date_fr(value)
    return None if value is None else str(value)


def prefill(ptype: ProcedureType, contact: ContactDetails, email: str) -> dict[str, Any]:
    """The answers a new dossier starts with: the profile's values for prefilled fields (A7, F1).

    Only top-level fields are prefilled; a profile value that is empty leaves the field empty.
    """
    answers = empty_answers()
    for spec in ptype.fields:
        if spec.prefill is None:
            continue
        value = _prefill_value(spec.prefill, contact, email)
        if not is_empty(value):
            answers["fields"][spec.id] = value
    return answers
