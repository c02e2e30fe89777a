"""The change-of-address hooks on the engine's pure check (no database): C1-C4 found by name in
the shipped definition, the La Poste proposal and its choice, what is computed for sending, the
confirmation hook; and the engine's additions they use (computed fields, confirmation hooks,
typed errors in problems), refused when a definition misuses them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msp_portal.adapters.definitions import shipped_catalogue
from msp_portal.domain.address import TypedAddress, normalise_address, typed_lines
from msp_portal.domain.answers import check_content, check_shape, compute
from msp_portal.domain.change_of_address import PROFILE_PATH
from msp_portal.domain.contracts import contract_organisations
from msp_portal.domain.hooks import ConfirmationContext, Findings, HookRegistry, default_hooks
from msp_portal.domain.hooks.change_of_address import (
    CHOICE_FIELD,
    COMPUTE_HOOKS,
    CONFIRMATION_HOOKS,
    FIELD_HOOKS,
    NEW_ADDRESS_FIELDS,
    PROCEDURE_HOOKS,
    PROPOSAL_FIELD,
    declared_address,
    proposal_id,
)
from msp_portal.domain.procedure_types import load_procedure_type
from msp_portal.errors import (
    AddressChoiceNeeded,
    DefinitionInvalid,
    InvalidAddress,
    MoveDateOutOfWindow,
)
from tests.portal.procedures.support import CONTRACTS, address_answers

CATALOGUE = shipped_catalogue()
ADDRESS = CATALOGUE.types["changement-coordonnees"]
HOOKS = default_hooks()
TODAY = date(2025, 1, 6)


def check(answers: dict[str, Any], today: date = TODAY) -> Findings:
    return check_content(ADDRESS, check_shape(ADDRESS, answers), today=today, hooks=HOOKS)


def with_fields(**fields: Any) -> dict[str, Any]:
    answers = address_answers("caf")
    answers["fields"].update(fields)
    answers["fields"] = {k: v for k, v in answers["fields"].items() if v is not None}
    return answers


# --- the definition names the hooks --------------------------------------------------------------
def test_the_definition_names_every_rule_by_its_hook() -> None:
    assert {"move-date", "contract-number"} <= set(FIELD_HOOKS) <= set(HOOKS.field_hooks)
    assert set(PROCEDURE_HOOKS) <= set(HOOKS.procedure_hooks)
    assert set(COMPUTE_HOOKS) <= set(HOOKS.compute_hooks)
    assert set(CONFIRMATION_HOOKS) <= set(HOOKS.confirmation_hooks)
    move = ADDRESS.field("move_date")
    assert move is not None and move.hooks == ("move-date",)
    assert ADDRESS.checks == ("la-poste-address",)
    assert ADDRESS.confirmation == "change-of-address"
    # C4: exactly the organisations that hold contracts, each number checked by its own rule.
    offered = [o.code for o in ADDRESS.recipients.organisations]
    assert offered == [o.code for o in contract_organisations()]
    for org in ADDRESS.recipients.organisations:
        contract, compact, people = org.fields
        assert (contract.id, contract.hooks, contract.required) == (
            "contract_id",
            ("contract-number",),
            True,
        )
        assert compact.computed == "contract-number-compact"
        assert people.kind == "group" and {f.id for f in people.fields} == {
            "family_name",
            "given_names",
            "birth_date",
            "relation",
        }
    for part, field_id in NEW_ADDRESS_FIELDS.items():
        spec = ADDRESS.field(field_id)
        assert spec is not None and spec.kind == "text", part
    prefilled = {f.id: f.prefill for f in ADDRESS.fields if f.prefill}
    assert prefilled == {"old_address": "address", "phone": "phone", "email": "email"}


# --- C1, C4 -----------------------------------------------------------------------------------
def test_the_move_date_window_uses_the_paris_day_of_the_check() -> None:
    answers = with_fields(move_date="31/12/2024")
    assert check(answers, today=date(2025, 1, 31)).ok
    [problem] = check(answers, today=date(2025, 2, 1)).problems
    assert problem.path == "fields.move_date" and problem.reason == "move-date-out-of-window"
    assert isinstance(problem.error, MoveDateOutOfWindow)
    assert dict(problem.facts) == {
        "field": "move_date",
        "move_date": "31/12/2024",
        "reason": "too-early",
        "earliest": "01/01/2025",
        "latest": "01/05/2025",
    }


WRONG = {  # one mistake each, and what the organisation's check says
    "caf": ("765432", "length"),
    "ameli": ("1 85 12 75 123 456 87", "key"),
    "cnav": ("269059935012348", "key"),  # two digits swapped
    "msa": ("178136912332182", "month"),
    "impots": ("1234567890067", "key"),
    "cdc-retraites": ("2.95.10.99.126.111.39", "key"),
    "cesu": ("Z12#4567", "format"),
    "pajemploi": ("PAJ", "format"),
}


@pytest.mark.parametrize("code", sorted(CONTRACTS))
def test_every_organisation_checks_its_own_number(code: str) -> None:
    answers = address_answers(code)
    assert check(answers).ok
    answers["organisations"][code]["contract_id"], reason = WRONG[code]
    [problem] = check(answers).problems
    assert problem.path == f"organisations.{code}.contract_id"
    assert problem.reason == "invalid-contract-number"
    assert problem.error is not None
    assert (problem.error.facts["organisation"], problem.error.facts["reason"]) == (code, reason)


# --- C3 ---------------------------------------------------------------------------------------
def test_the_proposal_is_answered_by_its_id_and_a_choice() -> None:
    answers = with_fields(new_address_choice=None, new_address_proposal=None)
    findings = check(answers)
    [proposal] = findings.proposals
    value = proposal.value
    assert proposal.path == f"fields.{CHOICE_FIELD}" and proposal.reason == "la-poste-form"
    assert value["lines"] == ["12 BD COEUR DE LION", "13001 MARSEILLE"]
    [problem] = findings.problems
    assert isinstance(problem.error, AddressChoiceNeeded)
    assert problem.error.facts == {"reason": "required", "proposal": value["proposal"]}
    for which, normalised in (("accept", True), ("refuse", False)):
        answers["fields"].update(value[which])
        assert check(answers).ok
        declared = declared_address(answers)
        assert declared is not None and declared.normalised is normalised
    answers["fields"][PROPOSAL_FIELD] = "0" * 16  # answered another proposal
    [problem] = check(answers).problems
    assert problem.error is not None and problem.error.facts["reason"] == "outdated"
    answers["fields"][CHOICE_FIELD] = "peut-être"
    assert [p.reason for p in check(answers).problems] == ["unknown-choice"]  # said once


def test_parts_la_poste_cannot_take_are_problems_on_their_fields() -> None:
    cases = {
        "new_postcode": {"new_postcode": "2A004"},
        "new_number": {"new_number": "12 et 14"},
        "new_suffix": {"new_suffix": "quinze"},
        "new_line3": {"new_line3": "Bâtiment B, entrée 2, résidence des Grands Chênes"},
        "new_street": {"new_street": "", "new_line5": ""},
    }
    for field_id, change in cases.items():
        [problem] = check(with_fields(**change)).problems
        assert problem.path == f"fields.{field_id}", change
        assert isinstance(problem.error, InvalidAddress) and problem.error.message("fr")
    # A missing postcode or locality is the engine's "required", said once.
    problems = check(with_fields(new_postcode="", new_locality="")).problems
    assert [(p.path, p.reason) for p in problems] == [
        ("fields.new_postcode", "required"),
        ("fields.new_locality", "required"),
    ]


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=50)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {
            "new_number": st.sampled_from(["", "12", "007", "3bis"]),
            "new_street": st.one_of(texts, st.sampled_from(["rue de la Paix", "Lieu-dit"])),
            "new_line2": texts,
            "new_line3": texts,
            "new_line5": texts,
            "new_postcode": st.sampled_from(["75001", "13001", "20000", "97400", "99999"]),
            "new_locality": st.one_of(texts, st.sampled_from(["Paris", "Marseille", "Ajaccio"])),
        }
    ),
    st.sampled_from(["accept", "refuse"]),
)
def test_what_is_sent_is_exactly_the_proposal_or_exactly_what_was_typed(
    typed: dict[str, str], choice: str
) -> None:
    answers = with_fields(**typed)
    try:
        normalisation = normalise_address(
            TypedAddress(**{part: typed.get(f, "") for part, f in NEW_ADDRESS_FIELDS.items()})
        )
    except InvalidAddress:
        assert not check(answers).ok
        return
    answers["fields"][CHOICE_FIELD] = choice
    answers["fields"][PROPOSAL_FIELD] = proposal_id(normalisation)
    try:
        shaped = check_shape(ADDRESS, answers)
    except Exception:  # text the form refuses before any rule (not a case for this property)
        return
    findings = check_content(ADDRESS, shaped, today=TODAY, hooks=HOOKS)
    if not findings.ok:
        return  # a part over the definition's limit: reported by the engine
    sent = compute(ADDRESS, shaped, today=TODAY, hooks=HOOKS)["fields"]
    if choice == "accept":
        assert sent["new_address_lines"].split("\n") == list(normalisation.lines)
        assert sent["new_address_normalised"] is True
    else:
        assert sent["new_address_lines"].split("\n") == [
            line for line in typed_lines(normalisation.typed) if line
        ]
        assert sent["new_address_normalised"] is False
    codes = [w.code for w in normalisation.warnings]
    assert sent.get("new_address_warnings") == (codes or None)


# --- the confirmation hook ----------------------------------------------------------------------
def test_the_confirmation_says_what_was_sent_and_where_to_change_the_profile() -> None:
    answers = check_shape(ADDRESS, address_answers("ameli", "caf", choice="refuse"))
    sent = compute(ADDRESS, answers, today=TODAY, hooks=HOOKS)
    context = ConfirmationContext(
        to="jean.dupont@example.org",
        procedure=ADDRESS.title,
        reference="A-1-2345-6789-ACE",
        transmitted_at=datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
        organisations=(("caf", "CAF"), ("ameli", "Assurance maladie")),
        base_url="https://portail.example",
    )
    email = CONFIRMATION_HOOKS["change-of-address"](sent, context)
    assert email.to == "jean.dupont@example.org" and "A-1-2345-6789-ACE" in email.subject
    assert f"https://portail.example{PROFILE_PATH}" in email.body
    assert "    12 bd Cœur-de-Lion\n    13001 Marseille" in email.body
    assert "se terminant par 5688" in email.body and "se terminant par 4321" in email.body
    assert email.body.count("  - Zoé Dupont\n") == 1


# --- the engine's additions, misused ------------------------------------------------------------
BASE: dict[str, Any] = {
    "id": "essai",
    "version": 1,
    "title": "Essai",
    "reference_series": 1,
    "recipients": {"mode": "fixed", "organisations": [{"code": "caf"}]},
    "fields": [{"id": "x", "label": "X", "type": "text"}],
}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"fields": [{"id": "x", "label": "X", "type": "text", "computed": "nope"}]}, "fields[0]"),
        (
            {
                "fields": [
                    {
                        "id": "x",
                        "label": "X",
                        "type": "text",
                        "required": True,
                        "computed": "declared-address-lines",
                    }
                ]
            },
            "fields[0]",
        ),
        (
            {
                "fields": [
                    {
                        "id": "g",
                        "label": "G",
                        "type": "group",
                        "fields": [
                            {
                                "id": "x",
                                "label": "X",
                                "type": "text",
                                "computed": "declared-address-lines",
                            }
                        ],
                    }
                ]
            },
            "fields[0].fields[0]",
        ),
        ({"confirmation": "nope"}, "confirmation"),
        (
            {"recipients": {**BASE["recipients"], "send_document": 0}},
            "recipients.send_document",
        ),
    ],
)
def test_misused_additions_are_refused_at_load(change: dict[str, Any], path: str) -> None:
    with pytest.raises(DefinitionInvalid) as info:
        load_procedure_type(
            {**BASE, **change},
            source="essai.toml",
            organisations=CATALOGUE.organisations,
            hooks=HOOKS,
        )
    assert info.value.facts["path"] == path


def test_a_registry_refuses_a_name_twice_in_each_kind() -> None:
    def compute_one(answers: Any, ctx: Any) -> str:
        return "1"

    mine = HookRegistry(compute_hooks={"un": compute_one})
    with pytest.raises(ValueError, match="defined twice"):
        mine.merged(HookRegistry(compute_hooks={"un": compute_one}))
    assert set(mine.merged(HookRegistry(field_hooks={"un": lambda v, c: Findings()})).compute_hooks)
