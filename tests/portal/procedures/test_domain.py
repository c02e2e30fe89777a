"""Pure rules of the procedures, property-tested: references, lifecycle, answers, definitions,
hooks, expiry in Paris time, request signatures and retry delays."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msp_portal.adapters.definitions import shipped_catalogue
from msp_portal.domain.answers import check_content, check_shape, prefill
from msp_portal.domain.contact import ContactDetails
from msp_portal.domain.delivery import classify, retry_delay, sign, verify
from msp_portal.domain.hooks import Findings, HookContext, HookRegistry, default_hooks
from msp_portal.domain.lifecycle import (
    Action,
    DeliveryEvent,
    DeliveryState,
    DossierState,
    OrganisationStatus,
    after_report,
    deliver,
    draft_expiry,
    next_state,
)
from msp_portal.domain.procedure_types import load_organisations, load_procedure_type
from msp_portal.domain.references import (
    ALPHABET,
    ReferenceSeries,
    check_character,
    new_file_number,
    new_reference,
    parse_file_number,
    parse_reference,
)
from msp_portal.errors import AnswersMalformed, DefinitionInvalid, DossierFrozen, IllegalTransition

CATALOGUE = shipped_catalogue()
BIRTH = CATALOGUE.types["acte-naissance"]
ADDRESS = CATALOGUE.types["changement-coordonnees"]
ORGS = CATALOGUE.organisations
bodies = st.text(alphabet=ALPHABET, min_size=10, max_size=10)


# --- references (P6) ------------------------------------------------------------------------------
@given(bodies, st.sampled_from([1, 2]), st.integers(0, 10), st.sampled_from(ALPHABET))
def test_any_single_mistyped_character_is_caught(
    body: str, series: int, pos: int, other: str
) -> None:
    full = body + check_character(body, series=series)
    if full[pos] == other:
        return
    typo = full[:pos] + other + full[pos + 1 :]
    assert parse_reference(f"A-{series}-{full}") is not None
    assert parse_reference(f"A-{series}-{typo}") is None


@given(bodies, st.sampled_from([1, 2]), st.integers(0, 9))
def test_any_adjacent_transposition_is_caught(body: str, series: int, pos: int) -> None:
    full = body + check_character(body, series=series)
    if full[pos] == full[pos + 1]:
        return
    swapped = full[:pos] + full[pos + 1] + full[pos] + full[pos + 2 :]
    assert parse_reference(f"A-{series}-{swapped}") is None


@given(bodies)
def test_the_series_is_checked_too(body: str) -> None:
    full = body + check_character(body, series=1)
    assert parse_reference(f"A-2-{full}") is None


def test_references_read_aloud_and_retyped_are_found_again() -> None:
    for series in ReferenceSeries:
        reference = new_reference(series)
        assert reference.startswith(f"A-{series.value}-")
        assert len(reference) == len("A-1-XXXX-XXXX-XXX")
        spoken = " ".join(reference.replace("-", "")).lower()
        assert parse_reference(spoken) == reference
    for junk in ("", "A-3-2222-2222-222", "A-1-0000-0000-000", "x" * 100, "A-1-\ud800"):
        assert parse_reference(junk) is None


def test_references_are_random_not_sequential() -> None:
    drawn = [new_reference(ReferenceSeries.PROCEDURE) for _ in range(5000)]
    assert len(set(drawn)) == 5000
    first_chars = {r[4] for r in drawn}
    assert first_chars == set(ALPHABET)  # every character appears in every place
    number = new_file_number()
    assert parse_file_number(number.lower().replace("-", "")) == number


def test_the_alphabet_leaves_out_look_alikes_and_sound_alikes() -> None:
    assert len(ALPHABET) == 19
    assert not set("01OILQSZUVWBDPGJN") & set(ALPHABET)


# --- lifecycle ------------------------------------------------------------------------------------
@given(st.lists(st.sampled_from(list(Action)), max_size=30), st.booleans())
def test_the_dossier_machine_never_leaves_transmitted(actions: list[Action], saved: bool) -> None:
    state: DossierState | None = DossierState.IN_PROGRESS
    ever_saved = saved
    for action in actions:
        if state is None:
            return
        try:
            after = next_state(state, action, ever_saved=ever_saved)
        except DossierFrozen:
            assert state is DossierState.TRANSMITTED
            continue
        except IllegalTransition:
            assert state is not DossierState.TRANSMITTED
            continue
        assert state is not DossierState.TRANSMITTED
        if action is Action.TRANSMIT:
            assert state is DossierState.IN_PROGRESS
        ever_saved = ever_saved or after is DossierState.SAVED
        state = after


def test_closing_keeps_what_was_saved_and_drops_the_rest() -> None:
    assert next_state(DossierState.IN_PROGRESS, Action.CLOSE, ever_saved=True) is DossierState.SAVED
    assert next_state(DossierState.IN_PROGRESS, Action.CLOSE, ever_saved=False) is None
    with pytest.raises(IllegalTransition):
        next_state(DossierState.SAVED, Action.TRANSMIT, ever_saved=True)


@given(st.lists(st.sampled_from(list(OrganisationStatus)), min_size=1, max_size=12))
def test_reported_statuses_never_go_back(reports: list[OrganisationStatus]) -> None:
    rank = {"received": 1, "in-progress": 2, "accepted": 3, "rejected": 3}
    current: OrganisationStatus | None = None
    for reported in reports:
        try:
            after = after_report(current, reported)
        except IllegalTransition:
            assert current is not None and (rank[reported] <= rank[current] or rank[current] == 3)
            assert reported != current
            continue
        assert current is None or rank[after] >= rank[current]
        current = after


@given(st.lists(st.sampled_from(list(DeliveryEvent)), max_size=20))
def test_a_delivery_fails_only_after_its_last_attempt_or_a_permanent_error(
    events: list[DeliveryEvent],
) -> None:
    state, attempts = DeliveryState.PENDING, 0
    for event in events:
        if event in (
            DeliveryEvent.RETRYABLE_FAILURE,
            DeliveryEvent.PERMANENT_FAILURE,
            DeliveryEvent.SUCCEEDED,
        ):
            attempts += 1
        try:
            after = deliver(state, event, attempts=attempts, max_attempts=3)
        except IllegalTransition:
            assert state is not DeliveryState.PENDING or event is DeliveryEvent.REQUEUE
            continue
        if after is DeliveryState.FAILED and event is DeliveryEvent.RETRYABLE_FAILURE:
            assert attempts >= 3
        if event is DeliveryEvent.REQUEUE:
            attempts = 0
        state = after


def test_drafts_expire_fifteen_days_later_at_the_same_paris_time() -> None:
    # Saved at 10:00 Paris on 20 March (UTC+1): expires at 10:00 Paris on 4 April (UTC+2).
    assert draft_expiry(datetime(2025, 3, 20, 9, 0, tzinfo=UTC), 15) == datetime(
        2025, 4, 4, 8, 0, tzinfo=UTC
    )
    assert draft_expiry(datetime(2025, 10, 20, 8, 0, tzinfo=UTC), 15) == datetime(
        2025, 11, 4, 9, 0, tzinfo=UTC
    )
    assert draft_expiry(datetime(2025, 1, 6, 9, 0, tzinfo=UTC), 15) == datetime(
        2025, 1, 21, 9, 0, tzinfo=UTC
    )


# --- answers --------------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["fields", "organisations", "x"]), json_values, max_size=3))
def test_any_json_gets_answers_or_a_typed_refusal(raw: dict[str, Any]) -> None:
    for ptype in (BIRTH, ADDRESS):
        try:
            shaped = check_shape(ptype, raw)
        except AnswersMalformed as error:
            assert error.facts["path"] and error.facts["reason"]
            continue
        assert check_shape(ptype, shaped) == shaped
        check_content(ptype, shaped, today=date(2025, 1, 6), hooks=default_hooks())


@given(st.text(max_size=60))
def test_accepted_text_comes_back_exactly(value: str) -> None:
    try:
        shaped = check_shape(BIRTH, {"fields": {"birth_commune": value}})
    except AnswersMalformed:
        return
    assert shaped["fields"]["birth_commune"] == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Paris\ud800", "lone-surrogate"),
        ("Paris\x00", "control-characters"),
        ("Paris\nLyon", "control-characters"),  # one-line field
        ("abc\u202eevil", "control-characters"),
        ("x" * 1_000_000, "too-long"),
        (12, "not-a-string"),
        (["Paris"], "not-a-string"),
    ],
)
def test_hostile_values_are_refused_with_their_path(value: object, reason: str) -> None:
    with pytest.raises(AnswersMalformed) as info:
        check_shape(BIRTH, {"fields": {"birth_commune": value}})
    assert info.value.facts == {"path": "fields.birth_commune", "reason": reason}


def test_shape_refuses_unknown_fields_organisations_and_wrong_group_items() -> None:
    cases = [
        ({"fields": {"nope": "x"}}, "fields.nope"),
        ({"organisations": {"etat-civil": {"x": "1"}}}, "organisations.etat-civil.x"),
        ({"organisations": {"nasa": {}}}, "organisations.nasa"),
        (
            {"organisations": {"caf": {"people": [{"family_name": 3}]}}},
            "organisations.caf.people[0].family_name",
        ),
        ({"organisations": {"caf": {"people": "Zoé"}}}, "organisations.caf.people"),
        ({"fields": {"old_address": {"line9": "x"}}}, "fields.old_address.line9"),
        ({"fields": {"new_address_lines": "x"}}, "fields.new_address_lines"),  # computed
        ({"organisations": {"caf": {"contract_number": "1"}}}, "organisations.caf.contract_number"),
    ]
    for raw, path in cases:
        ptype = BIRTH if "etat-civil" in str(raw) or "nope" in str(raw) else ADDRESS
        with pytest.raises(AnswersMalformed) as info:
            check_shape(ptype, raw)
        assert info.value.facts["path"] == path, raw


def test_content_reports_each_problem_with_its_path() -> None:
    answers = check_shape(
        ADDRESS,
        {
            "fields": {
                "move_date": "1/2/2025",
                "new_street": "1 rue X",
                "new_postcode": "ABCDE",
                "new_locality": "Lyon",
            },
            "organisations": {
                "caf": {
                    "contract_id": "",
                    "people": [
                        {
                            "family_name": "A",
                            "given_names": "B",
                            "birth_date": "29/02/2023",
                            "relation": "cousin",
                        }
                    ],
                }
            },
        },
    )
    problems = {
        p.path: p.reason
        for p in check_content(
            ADDRESS, answers, today=date(2025, 1, 6), hooks=default_hooks()
        ).problems
    }
    assert problems == {
        "fields.move_date": "date-format",
        "fields.old_address": "required",
        "fields.new_postcode": "invalid-address",
        "organisations.caf.contract_id": "required",
        "organisations.caf.people[0].birth_date": "date-impossible",
        "organisations.caf.people[0].relation": "unknown-choice",
    }


def test_prefill_takes_the_profile_and_the_email() -> None:
    contact = ContactDetails(
        family_name="Dupont", given_names="Zoé", birth_date=date(1980, 7, 14), city="Paris"
    )
    fields = prefill(BIRTH, contact, "z@example.org")["fields"]
    assert fields["birth_date"] == "14/07/1980" and fields["email"] == "z@example.org"
    assert fields["delivery_address"]["city"] == "Paris"
    assert "birth_commune" not in fields


# --- definitions and hooks ------------------------------------------------------------------------
MINIMAL: dict[str, Any] = {
    "id": "essai",
    "version": 1,
    "title": "Essai",
    "reference_series": 2,
    "recipients": {"mode": "fixed", "organisations": [{"code": "caf"}]},
    "fields": [{"id": "quand", "label": "Quand", "type": "date", "required": True}],
}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"colour": "red"}, "colour"),
        ({"reference_series": 3}, "reference_series"),
        ({"version": "1"}, "version"),
        (
            {"recipients": {"mode": "fixed", "organisations": [{"code": "nasa"}]}},
            "recipients.organisations[0]",
        ),
        ({"fields": [{"id": "x", "label": "X", "type": "colour"}]}, "fields[0].type"),
        ({"fields": [{"id": "x", "label": "X", "type": "text", "hooks": ["nope"]}]}, "fields[0]"),
        ({"fields": [{"id": "x", "label": "X", "type": "choice"}]}, "fields[0]"),
        ({"fields": [{"id": "X y", "label": "X", "type": "text"}]}, "fields[0].id"),
        (
            {"fields": [{"id": "x", "label": "X", "type": "text", "prefill": "shoe_size"}]},
            "fields[0]",
        ),
        ({"attachments": [{"id": "a", "label": "A", "categories": ["tax"]}]}, "attachments[0]"),
        ({"checks": ["nope"]}, "checks"),
        ({"fields": [{"id": "x", "label": "X", "type": "text", "item_label": "Y"}]}, "fields[0]"),
        # answered_by names a hook the type does not run, or is put where no proposal answers
        (
            {"fields": [{"id": "x", "label": "X", "type": "text", "answered_by": "nope"}]},
            "fields[0]",
        ),
        (
            {
                "checks": ["la-poste-address"],
                "fields": [
                    {
                        "id": "x",
                        "label": "X",
                        "type": "text",
                        "required": True,
                        "answered_by": "la-poste-address",
                    }
                ],
            },
            "fields[0]",
        ),
        (
            {
                "checks": ["la-poste-address"],
                "recipients": {
                    "mode": "fixed",
                    "organisations": [
                        {
                            "code": "caf",
                            "fields": [
                                {
                                    "id": "x",
                                    "label": "X",
                                    "type": "text",
                                    "answered_by": "la-poste-address",
                                }
                            ],
                        }
                    ],
                },
            },
            "recipients",
        ),
    ],
)
def test_a_wrong_definition_is_refused_with_its_place(change: dict[str, Any], path: str) -> None:
    with pytest.raises(DefinitionInvalid) as info:
        load_procedure_type(
            {**MINIMAL, **change}, source="essai.toml", organisations=ORGS, hooks=default_hooks()
        )
    assert info.value.facts["source"] == "essai.toml"
    assert info.value.facts["path"] == path


def test_rules_that_need_code_are_named_hooks_the_engine_does_not_know() -> None:
    """How the change of address plugs C1 and C3 in: new hooks, a definition naming them."""

    def move_date_window(value: Any, ctx: HookContext) -> Findings:
        earliest, latest = ctx.today - timedelta(days=31), ctx.today + timedelta(days=92)
        return Findings() if earliest <= value <= latest else ctx.problem("move-date-window")

    def la_poste(value: Any, ctx: HookContext) -> Findings:
        upper = {k: v.upper() for k, v in value.items()}
        return Findings() if upper == value else ctx.propose(upper, "la-poste")

    def one_address_change(answers: Any, ctx: HookContext) -> Findings:
        return Findings()

    hooks = default_hooks().merged(
        HookRegistry(
            {"move-date-window": move_date_window, "la-poste": la_poste},
            {"whole": one_address_change},
        )
    )
    definition = {
        **MINIMAL,
        "fields": [
            {
                "id": "quand",
                "label": "Quand",
                "type": "date",
                "required": True,
                "hooks": ["move-date-window"],
            },
            {"id": "adresse", "label": "Adresse", "type": "address", "hooks": ["la-poste"]},
        ],
        "checks": ["whole"],
    }
    ptype = load_procedure_type(definition, source="t", organisations=ORGS, hooks=hooks)
    answers = {
        "fields": {
            "quand": "01/06/2025",
            "adresse": {"line1": "1 rue x", "postcode": "75001", "city": "Paris"},
        },
        "organisations": {},
    }
    findings = check_content(ptype, answers, today=date(2025, 1, 6), hooks=hooks)
    assert [(p.path, p.reason) for p in findings.problems] == [("fields.quand", "move-date-window")]
    [proposal] = findings.proposals
    assert proposal.path == "fields.adresse" and proposal.value["line1"] == "1 RUE X"
    with pytest.raises(ValueError, match="defined twice"):
        hooks.merged(HookRegistry({"la-poste": la_poste}))


def test_the_shipped_definitions_load_with_their_organisations() -> None:
    assert set(CATALOGUE.types) == {"acte-naissance", "changement-coordonnees"}
    offered = [o.code for o in ADDRESS.recipients.organisations]
    assert offered == [
        "caf",
        "ameli",
        "cnav",
        "msa",
        "impots",
        "cdc-retraites",
        "cesu",
        "pajemploi",
    ]
    assert all(o.fields[0].id == "contract_id" for o in ADDRESS.recipients.organisations)
    assert {"past-date", "birth-date", "french-postal-address"} <= set(default_hooks().field_hooks)
    assert not ADDRESS.recipients.send_document and BIRTH.recipients.send_document
    # The choice of La Poste's form is answered on its proposal, not asked as a question; the
    # lines sent are computed: a form asks neither.
    not_asked = {spec.id for spec in ADDRESS.fields if not spec.asked}
    assert not_asked == {
        "new_address_choice",
        "new_address_proposal",
        "new_address_lines",
        "new_address_normalised",
        "new_address_warnings",
    }
    assert {s.answered_by for s in ADDRESS.fields if s.answered_by} == {"la-poste-address"}
    assert all(spec.asked for spec in BIRTH.fields)
    for offered in ADDRESS.recipients.organisations:
        people = next(spec for spec in offered.fields if spec.id == "people")
        assert (people.item_label, people.add_label) == ("Personne", "Ajouter une personne")
    load_organisations({"x": {"name": "X"}}, source="o")
    with pytest.raises(DefinitionInvalid):
        load_organisations({"x": {"nom": "X"}}, source="o")


# --- delivery -------------------------------------------------------------------------------------
@given(st.binary(max_size=200), st.sampled_from(["/", "/depot/caf?v=1"]))
def test_signatures_verify_and_any_change_breaks_them(body: bytes, path: str) -> None:
    now = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    secret = "k" * 40
    headers = sign(secret, "POST", path, now, body)
    good = {"timestamp": str(headers.timestamp), "signature": f"v1={headers.signature}"}
    assert verify(secret, "POST", path, body, now=now, **good)
    assert not verify(secret, "POST", path, body + b"x", now=now, **good)
    assert not verify(secret, "POST", path + "x", body, now=now, **good)
    assert not verify("j" * 40, "POST", path, body, now=now, **good)
    assert not verify(secret, "POST", path, body, now=now + timedelta(minutes=6), **good)


@given(st.integers(1, 60), st.floats(0, 0.999))
def test_retry_delays_grow_exponentially_within_their_cap(attempts: int, jitter: float) -> None:
    base, cap = timedelta(seconds=30), timedelta(hours=1)
    delay = retry_delay(attempts, base=base, cap=cap, jitter=jitter)
    ceiling = min(cap, base * 2 ** min(attempts - 1, 20))
    assert ceiling / 2 <= delay <= ceiling


def test_http_statuses_are_classified() -> None:
    assert classify(200) is classify(204) is classify(409) is DeliveryEvent.SUCCEEDED
    for status in (None, 408, 425, 429, 500, 503):
        assert classify(status) is DeliveryEvent.RETRYABLE_FAILURE
    for status in (400, 401, 403, 404, 413, 422, 301):
        assert classify(status) is DeliveryEvent.PERMANENT_FAILURE


def test_printable_only() -> None:
    assert set(ALPHABET) <= set(string.digits + string.ascii_uppercase)


def test_importing_msp_portal_loads_no_pdf_or_http_library() -> None:
    import subprocess
    import sys

    code = "import msp_portal, sys; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {m.split(".")[0] for m in out.stdout.split()}
    assert not loaded & {"fpdf", "fontTools", "httpx", "msp_docs", "pikepdf", "PIL"}
