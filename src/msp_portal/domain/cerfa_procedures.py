"""CERFA forms sent online (F3, F4): one procedure type per fillable form, generated as data.

A fillable form of the CERFA catalogue (``msp_docs.cerfa``) becomes a procedure type whose
definition is *generated* from the catalogue entry, then validated by the same loader as the
TOML definitions (:func:`msp_portal.domain.procedure_types.load_procedure_type`): the form's
field map is the single source of truth, so a form an operator adds to the catalogue is a
procedure with no file to write, and a map that changes cannot drift from a copy.

What the generated type says:

* id ``cerfa-NNNNN-VV``, reference series 2 (``A-2-…``, rules P6/F4), the form's title;
* recipients: the organisation of the catalogue entry, found in the organisation directory by
  its name (``organisations.toml``); a fillable form whose organisation is not there stops the
  start-up with ``definition-invalid`` naming the form;
* one field per map entry, keyed by an *answer id* derived from the map name (lower case, every
  other character a dash: ``Nom`` -> ``nom``, ``Forme juridique`` -> ``forme-juridique``;
  names that would collide get an 8-hex suffix of their SHA-256), with the map's label and
  ``required``; checkboxes are booleans, radio groups choices among their states, dates
  ``JJ/MM/AAAA``, comb fields texts of at most their cells;
* ``main_document``: the filled, flattened form, made from the answers at transmission
  (``form`` names the CERFA number, which tells the engine to ask the
  :class:`~msp_portal.ports.FormDocuments` port for it).

This module is pure: it reads catalogue entries as plain values and never imports a PDF library.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from msp_portal.domain.hooks import HookRegistry
from msp_portal.domain.procedure_types import (
    TEXT_MAX,
    Catalogue,
    Organisation,
    load_procedure_type,
)
from msp_portal.errors import DefinitionInvalid

if TYPE_CHECKING:
    from msp_docs.cerfa import CerfaForm, MapField

__all__ = [
    "FormProblem",
    "answer_ids",
    "answers_from_values",
    "cerfa_definition",
    "organisation_for",
    "procedure_id",
    "values_from_answers",
    "with_cerfa_types",
]

_ID = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_OTHER = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class FormProblem:
    """A value a form's field map refuses, named as the citizen sees it.

    Attributes:
        field: The map entry's name (the key the page and ``CerfaDesk`` use).
        path: Where it is in the dossier's answers (``fields.<answer id>``).
        label: The field's label on the form.
        code: ``msp_docs``' error code (``invalid-field-value``, ``value-too-long``...).
        message_en: What is wrong and what to do, in English.
        message_fr: The same in French.
        source: ``user`` (typed) or ``profile`` (prefilled).
    """

    field: str
    path: str
    label: str
    code: str
    message_en: str
    message_fr: str
    source: str = "user"


def procedure_id(number: object) -> str:
    """The procedure type id of a CERFA number: ``11580*05`` -> ``cerfa-11580-05``."""
    return "cerfa-" + str(number).replace("*", "-")


def _slug(name: str) -> str:
    slug = _OTHER.sub("-", name.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = "f-" + slug
    return slug[:50]


def answer_ids(form: CerfaForm) -> dict[str, str]:
    """Map entry name -> answer id (``[a-z][a-z0-9_-]*``), the same for the same map."""
    slugs = {entry.name: _slug(entry.name) for entry in form.fields}
    counts: dict[str, int] = {}
    for slug in slugs.values():
        counts[slug] = counts.get(slug, 0) + 1
    out = {}
    for name, slug in slugs.items():
        unique = counts[slug] == 1 and _ID.fullmatch(slug)
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
        out[name] = slug if unique else f"{slug[:50]}-{digest}"
    return out


def organisation_for(form: CerfaForm, organisations: Mapping[str, Organisation]) -> Organisation:
    """The organisation of the directory that receives ``form`` (matched by its name).

    Raises:
        DefinitionInvalid: no organisation of the directory has that name.
    """
    wanted = " ".join(form.organisation.split()).casefold()
    for organisation in organisations.values():
        if " ".join(organisation.name.split()).casefold() == wanted:
            return organisation
    raise DefinitionInvalid(
        source=f"cerfa {form.number}",
        path="organisation",
        reason=f"no organisation named {form.organisation!r} in organisations.toml",
    )


def _field(entry: MapField, field_id: str) -> dict[str, Any]:
    kind = str(entry.type)
    out: dict[str, Any] = {"id": field_id, "label": entry.label, "required": entry.required}
    if kind == "checkbox":
        out["type"] = "boolean"
    elif kind == "radio":
        out["type"] = "choice"
        out["choices"] = [{"value": k, "label": v} for k, v in entry.states.items()]
    elif kind == "choice" and entry.options:
        out["type"] = "choice"
        out["choices"] = [{"value": o, "label": o} for o in dict.fromkeys(entry.options)]
    elif kind == "date":
        out["type"] = "date"
        out["help"] = "JJ/MM/AAAA"
    else:  # text, comb, a choice without options
        out["type"] = "text"
        out["max_length"] = min(entry.max_length or TEXT_MAX, TEXT_MAX)
    return out


def cerfa_definition(form: CerfaForm, organisation: Organisation) -> dict[str, Any]:
    """The procedure definition of a fillable form, as the data a TOML file would hold."""
    ids = answer_ids(form)
    return {
        "id": procedure_id(form.number),
        "version": 1,
        "title": f"Cerfa n° {form.number} — {form.title}",
        "description": (
            f"Remplissez en ligne le formulaire cerfa n° {form.number} ; il est transmis "
            f"rempli à l'organisme destinataire : {organisation.name}."
        ),
        "reference_series": 2,
        "resume_password": True,
        "main_document": f"Formulaire cerfa n° {form.number}",
        "recipients": {"mode": "fixed", "organisations": [{"code": organisation.code}]},
        "fields": [_field(entry, ids[entry.name]) for entry in form.fields],
    }


def with_cerfa_types(
    catalogue: Catalogue, forms: Iterable[CerfaForm], *, hooks: HookRegistry
) -> Catalogue:
    """``catalogue`` and one procedure type per fillable form of ``forms``.

    Raises:
        DefinitionInvalid: a form's organisation is unknown, or its generated definition does
            not validate (the message names the form).
    """
    types = dict(catalogue.types)
    for form in forms:
        if str(form.kind) != "fillable":
            continue
        organisation = organisation_for(form, catalogue.organisations)
        data = cerfa_definition(form, organisation)
        ptype = load_procedure_type(
            data,
            source=f"cerfa {form.number}",
            organisations=catalogue.organisations,
            hooks=hooks,
        )
        if ptype.id in types:
            raise DefinitionInvalid(
                source=f"cerfa {form.number}", path="id", reason="id used by another type"
            )
        types[ptype.id] = replace(ptype, form=str(form.number))
    return Catalogue(types, catalogue.organisations)


# --- values (keyed by map names) <-> answers (keyed by answer ids) -------------------------------
def _stored(entry: MapField, value: Any) -> Any:
    """A value the map accepted, as the dossier keeps it (JSON, what the page shows back)."""
    kind = str(entry.type)
    if kind == "checkbox":
        return value is True or (isinstance(value, str) and value == entry.on)
    if kind == "radio":
        if value in (None, "", "Off"):
            return None
        if value in entry.states:
            return value
        return next((state for state, label in entry.states.items() if label == value), value)
    if value is None:
        return None
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def answers_from_values(form: CerfaForm, values: Mapping[str, Any]) -> dict[str, Any]:
    """The dossier's answers for values the map accepted (keyed by map entry names)."""
    ids = answer_ids(form)
    fields = {
        ids[entry.name]: _stored(entry, values[entry.name])
        for entry in form.fields
        if entry.name in values
    }
    return {"fields": fields, "organisations": {}}


def values_from_answers(form: CerfaForm, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every map entry's value from the dossier's answers (None where not answered)."""
    ids = answer_ids(form)
    fields = answers.get("fields", {}) if isinstance(answers, Mapping) else {}
    return {entry.name: fields.get(ids[entry.name]) for entry in form.fields}
