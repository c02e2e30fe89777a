"""Procedure types generated from CERFA catalogue entries (pure: no PDF is read)."""

from __future__ import annotations

import pytest

from msp_docs.cerfa import Catalogue, CerfaForm, load_map
from msp_portal.adapters.definitions import shipped_catalogue
from msp_portal.domain.cerfa_procedures import (
    answer_ids,
    answers_from_values,
    cerfa_definition,
    values_from_answers,
    with_cerfa_types,
)
from msp_portal.domain.hooks import default_hooks
from msp_portal.domain.procedure_types import FieldKind
from msp_portal.errors import DefinitionInvalid

MAP = """
schema = "msp-docs/cerfa/1"
number = "12345*01"
title = "Formulaire d'essai"
kind = "fillable"
organisation = "{organisation}"
[[fields]]
name = "Nom"
type = "text"
label = "Nom"
required = true
[[fields]]
name = "nom"
type = "comb"
label = "Nom (cases)"
max_length = 8
[[fields]]
name = "1.Date"
type = "date"
label = "Date"
parts = ["j", "m", "a"]
[[fields]]
name = "Case"
type = "checkbox"
label = "Je certifie"
on = "0"
[[fields]]
name = "Choix"
type = "radio"
label = "Vous êtes"
states = {{ "0" = "Particulier", "1" = "Entreprise" }}
"""


def form(organisation: str = "Direction générale des Finances publiques (DGFiP)") -> CerfaForm:
    return load_map(MAP.format(organisation=organisation))


def test_answer_ids_are_identifiers_distinct_and_stable() -> None:
    ids = answer_ids(form())
    assert ids["1.Date"].startswith("f-1-date")
    assert ids["Nom"] != ids["nom"] and ids["Nom"].startswith("nom-")  # would collide
    assert ids["Case"] == "case" and ids == answer_ids(form())


def test_definition_validates_with_the_forms_organisation_and_series_2() -> None:
    catalogue = with_cerfa_types(
        shipped_catalogue(), Catalogue(".", [form()]), hooks=default_hooks()
    )
    ptype = catalogue.types["cerfa-12345-01"]
    assert ptype.form == "12345*01" and ptype.series.value == 2
    assert [o.code for o in ptype.recipients.organisations] == ["dgfip"]
    kinds = {f.label: f.kind for f in ptype.fields}
    assert kinds == {
        "Nom": FieldKind.TEXT, "Nom (cases)": FieldKind.TEXT, "Date": FieldKind.DATE,
        "Je certifie": FieldKind.BOOLEAN, "Vous êtes": FieldKind.CHOICE,
    }  # fmt: skip
    assert ptype.fields[0].required and ptype.fields[1].max_length == 8
    assert ptype.main_document == "Formulaire cerfa n° 12345*01"


def test_an_unknown_organisation_stops_the_start_up_naming_the_form() -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        with_cerfa_types(
            shipped_catalogue(), Catalogue(".", [form("Préfecture de nulle part")]),
            hooks=default_hooks(),
        )  # fmt: skip
    assert caught.value.facts["source"] == "cerfa 12345*01"
    assert "Préfecture de nulle part" in caught.value.facts["reason"]


def test_values_and_answers_round_trip() -> None:
    entry = form()
    values = {"Nom": "Dupré", "1.Date": "05/03/2025", "Case": True, "Choix": "Entreprise"}
    answers = answers_from_values(entry, values)
    assert answers["fields"]["case"] is True and answers["fields"]["choix"] == "1"
    back = values_from_answers(entry, answers)
    assert back == {"Nom": "Dupré", "nom": None, "1.Date": "05/03/2025", "Case": True, "Choix": "1"}
    assert (
        cerfa_definition(entry, shipped_catalogue().organisations["dgfip"])["fields"][0]["id"]
        == answer_ids(entry)["Nom"]
    )
