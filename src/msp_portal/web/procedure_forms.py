"""Procedure answers as an HTML form and back: the names of the inputs, and the answers' JSON.

A procedure type's fields (``FieldSpec``) become inputs named ``f.<id>`` (``f.<id>.<part>`` for
an address, ``f.<id>.<n>.<sub>`` for the items of a group); an organisation's own fields are
``o.<code>.<id>``, the organisations chosen are the checkboxes ``org``. Parsing the submitted
form gives the answers' JSON (``{"fields": ..., "organisations": ...}``) that the procedure
engine checks: nothing here decides whether an answer is acceptable. Fields a form does not ask
(computed ones, and those answered on a proposal: ``FieldSpec.asked``) have no input; the
answers already given to a proposal are carried over unchanged (the engine decides whether the
proposal they answer is still the current one).

Where a problem is (the engine's paths: ``fields.move_date``, ``organisations.caf.contract_id``,
``organisations.caf.people[0].birth_date``) is turned into the id of its input and a label the
citizen recognises (:func:`locate`), so that each message is shown beside its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ADDRESS_PARTS = (
    ("line1", "Numéro et voie"),
    ("line2", "Complément (bâtiment, étage, lieu-dit…)"),
    ("postcode", "Code postal"),
    ("city", "Commune"),
    ("country", "Pays"),
)
MAX_GROUP_ROWS = 200  # the definitions' own bound on max_items: a forged count reads no further
_ITEM = re.compile(r"\[(\d+)\]")


def _text(form: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = form.get(name) or ()
    value = values[-1] if values else ""
    return value if value.strip() else None


def group_rows(form: Mapping[str, Sequence[str]], name: str) -> int:
    """How many rows of the group ``name`` the submitted form had (its hidden count)."""
    count_text = _text(form, f"{name}.count") or "0"
    return min(int(count_text), MAX_GROUP_ROWS) if count_text.isdigit() else 0


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
        items = []
        for n in range(min(group_rows(form, name), spec.max_items)):
            item = {sub.id: field_answer(sub, form, f"{name}.{n}.{sub.id}") for sub in spec.fields}
            if any(value is not None for value in item.values()):
                items.append(item)
        return items or None
    return _text(form, name)


def answers_from_form(
    ptype: Any, form: Mapping[str, Sequence[str]], kept: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The answers' JSON from a submitted form.

    ``kept``: the dossier's current answers, whose fields answered on a proposal are carried
    over (the form has no input for them).
    """
    fields = {
        spec.id: field_answer(spec, form, f"f.{spec.id}") for spec in ptype.fields if spec.asked
    }
    kept_fields = (kept or {}).get("fields") or {}
    for spec in ptype.fields:
        if spec.answered_by is not None and spec.id in kept_fields:
            fields[spec.id] = kept_fields[spec.id]
    chosen = set(form.get("org") or ())
    organisations: dict[str, dict[str, Any]] = {}
    for offered in ptype.recipients.organisations:
        code = offered.organisation.code
        if str(ptype.recipients.mode) == "chosen" and code not in chosen:
            continue
        organisations[code] = {
            spec.id: field_answer(spec, form, f"o.{code}.{spec.id}")
            for spec in offered.fields
            if spec.asked
        }
    return {
        "fields": {k: v for k, v in fields.items() if v is not None},
        "organisations": {
            code: {k: v for k, v in values.items() if v is not None}
            for code, values in organisations.items()
        },
    }


def without_row(form: Mapping[str, Sequence[str]], row: str) -> dict[str, list[str]]:
    """The submitted form without the inputs of one group row (``o.caf.people.1``)."""
    prefix = row + "."
    return {k: list(v) for k, v in form.items() if not k.startswith(prefix)}


def form_values(
    ptype: Any, answers: Mapping[str, Any], *, add_row: str | None = None
) -> dict[str, Any]:
    """The inputs' values that show ``answers`` (the saved answers come back exactly, P2).

    ``add_row``: the name of a group (``o.caf.people``) shown with one empty row more ("Ajouter
    une personne", without any script). Every group gets at least ``min_items`` rows.
    """
    values: dict[str, Any] = {}

    def put(spec: Any, answer: Any, name: str) -> None:
        kind = str(spec.kind)
        if kind == "group":
            items = answer if isinstance(answer, list) else []
            rows = max(len(items), spec.min_items) + (1 if name == add_row else 0)
            values[f"{name}.count"] = min(rows, spec.max_items)
            for n, item in enumerate(items):
                for sub in spec.fields:
                    value = item.get(sub.id) if isinstance(item, Mapping) else None
                    put(sub, value, f"{name}.{n}.{sub.id}")
            return
        if answer is None:
            return
        if kind == "multi-choice":
            values[name] = list(answer)
        elif kind == "boolean":
            values[name] = "oui" if answer else "non"
        elif kind == "address" and isinstance(answer, Mapping):
            for part, _ in ADDRESS_PARTS:
                values[f"{name}.{part}"] = str(answer.get(part, ""))
        else:
            values[name] = str(answer)

    given = answers.get("fields") or {}
    for spec in ptype.fields:
        if spec.asked:
            put(spec, given.get(spec.id), f"f.{spec.id}")
    chosen = answers.get("organisations") or {}
    values["org"] = list(chosen)
    for offered in ptype.recipients.organisations:
        code = offered.organisation.code
        for spec in offered.fields:
            if spec.asked:
                put(spec, (chosen.get(code) or {}).get(spec.id), f"o.{code}.{spec.id}")
    return values


def submitted_values(ptype: Any, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The inputs' values as the browser sent them (a refused form is shown again as typed)."""
    values: dict[str, Any] = {k: (v if len(v) > 1 else v[0]) for k, v in form.items() if v}
    values["org"] = list(form.get("org") or ())
    for spec in ptype.fields:
        if str(spec.kind) == "multi-choice":
            values[f"f.{spec.id}"] = list(form.get(f"f.{spec.id}") or ())
    return values


def input_id(name: str) -> str:
    """The HTML id of the input named ``name`` (``f.people.0.birth_date`` -> ``f-people-0-...``)."""
    return name.replace(".", "-")


@dataclass(frozen=True)
class Place:
    """Where a problem is on the form: its input's id, and how the citizen calls that field."""

    id: str
    label: str
    asked: bool
    """Whether the form asks it (else it is answered elsewhere: a proposal, an attachment)."""


def _spec(specs: Sequence[Any], field_id: str) -> Any:
    return next((s for s in specs if s.id == field_id), None)


def locate(ptype: Any, path: str) -> Place:
    """The input and label of the engine's ``path`` on the dossier's form."""
    parts = _ITEM.sub(r".\1", path).split(".")
    if parts[0] == "organisations":
        if len(parts) < 3:
            first = ptype.recipients.organisations[0].organisation.code
            return Place(f"org-{first}", "Organismes destinataires", True)
        offered = ptype.recipients.spec(parts[1])
        if offered is None:
            return Place("", path, False)
        name = f"o.{parts[1]}"
        specs, prefix = offered.fields, f"{offered.organisation.name} : "
        parts = parts[2:]
    elif parts[0] == "fields" and len(parts) > 1:
        name, specs, prefix, parts = "f", ptype.fields, "", parts[1:]
    else:  # attachments.<slot>, main_document: not on the form
        return Place("", path, False)
    spec = _spec(specs, parts[0])
    if spec is None:
        return Place("", path, False)
    name += f".{spec.id}"
    label = prefix + spec.label
    if str(spec.kind) == "group" and len(parts) >= 3 and parts[1].isdigit():
        sub = _spec(spec.fields, parts[2])
        if sub is not None:
            row = f"{spec.item_label or 'Élément'} n° {int(parts[1]) + 1}"
            return Place(
                input_id(f"{name}.{parts[1]}.{sub.id}"), f"{label} – {row} : {sub.label}", True
            )
    if str(spec.kind) == "address" and len(parts) >= 2:
        part_label = dict(ADDRESS_PARTS).get(parts[1], parts[1])
        return Place(input_id(f"{name}.{parts[1]}"), f"{label} : {part_label}", spec.asked)
    if str(spec.kind) == "address":
        return Place(input_id(f"{name}.line1"), label, spec.asked)
    if str(spec.kind) == "boolean":
        return Place(input_id(name) + "-oui", label, spec.asked)
    if str(spec.kind) in ("choice", "multi-choice"):
        return Place(input_id(name) + "-1", label, spec.asked)
    return Place(input_id(name), label, spec.asked)
