"""Procedure answers as an HTML form and back: the names of the inputs, and the answers' JSON.

A procedure type's fields (``FieldSpec``) become inputs named ``f.<id>`` (``f.<id>.<part>`` for
an address, ``f.<id>.<n>.<sub>`` for the items of a group); an organisation's own fields are
``o.<code>.<id>``, the organisations chosen are the checkboxes ``org``. Parsing the submitted
form gives the answers' JSON (``{"fields": ..., "organisations": ...}``) that the procedure
engine checks: nothing here decides whether an answer is acceptable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

ADDRESS_PARTS = (
    ("line1", "Numéro et voie"),
    ("line2", "Complément (bâtiment, étage, lieu-dit…)"),
    ("postcode", "Code postal"),
    ("city", "Commune"),
    ("country", "Pays"),
)
MAX_GROUP_ITEMS = 20


def _text(form: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = form.get(name) or ()
    value = values[-1] if values else ""
    return value if value.strip() else None


def field_answer(spec: Any, form: Mapping[str, Sequence[str]], name: str) -> Any:
    """The answer of one field from the form's values (``None``: not answered)."""
    kind = str(spec.kind)
    if kind == "multi-choice":
        return list(form.get(name) or ()) or None
    if kind == "boolean":
        value = _text(form, name)
        return None if value is None else value == "oui"
    if kind == "address":
        parts = {part: (_text(form, f"{name}.{part}") or "") for part, _ in ADDRESS_PARTS}
        return parts if any(parts.values()) else None
    if kind == "group":
        count_text = _text(form, f"{name}.count") or "1"
        count = int(count_text) if count_text.isdigit() else 1
        items = []
        for n in range(min(count, MAX_GROUP_ITEMS)):
            item = {sub.id: field_answer(sub, form, f"{name}.{n}.{sub.id}") for sub in spec.fields}
            if any(value is not None for value in item.values()):
                items.append(item)
        return items or None
    return _text(form, name)


def answers_from_form(ptype: Any, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The answers' JSON from a submitted form."""
    fields = {spec.id: field_answer(spec, form, f"f.{spec.id}") for spec in ptype.fields}
    chosen = set(form.get("org") or ())
    organisations: dict[str, dict[str, Any]] = {}
    for offered in ptype.recipients.organisations:
        code = offered.organisation.code
        if str(ptype.recipients.mode) == "chosen" and code not in chosen:
            continue
        organisations[code] = {
            spec.id: field_answer(spec, form, f"o.{code}.{spec.id}") for spec in offered.fields
        }
    return {
        "fields": {k: v for k, v in fields.items() if v is not None},
        "organisations": {
            code: {k: v for k, v in values.items() if v is not None}
            for code, values in organisations.items()
        },
    }


def form_values(ptype: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs' values that show ``answers`` (the saved answers come back exactly, P2)."""
    values: dict[str, Any] = {}

    def put(spec: Any, answer: Any, name: str) -> None:
        kind = str(spec.kind)
        if answer is None:
            return
        if kind == "multi-choice":
            values[name] = list(answer)
        elif kind == "boolean":
            values[name] = "oui" if answer else "non"
        elif kind == "address" and isinstance(answer, Mapping):
            for part, _ in ADDRESS_PARTS:
                values[f"{name}.{part}"] = str(answer.get(part, ""))
        elif kind == "group" and isinstance(answer, list):
            values[f"{name}.count"] = len(answer)
            for n, item in enumerate(answer):
                for sub in spec.fields:
                    value = item.get(sub.id) if isinstance(item, Mapping) else None
                    put(sub, value, f"{name}.{n}.{sub.id}")
        else:
            values[name] = str(answer)

    given = answers.get("fields") or {}
    for spec in ptype.fields:
        put(spec, given.get(spec.id), f"f.{spec.id}")
    chosen = answers.get("organisations") or {}
    values["org"] = list(chosen)
    for offered in ptype.recipients.organisations:
        code = offered.organisation.code
        for spec in offered.fields:
            put(spec, (chosen.get(code) or {}).get(spec.id), f"o.{code}.{spec.id}")
    return values
