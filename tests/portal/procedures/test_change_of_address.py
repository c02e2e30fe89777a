"""The change of address (rules C1-C5) as a procedure, end to end on SQLite and PostgreSQL, a
real SMTP server and a real HTTP receiver: La Poste's form proposed, refused or accepted, what
each organisation receives, the confirmation, the profile left alone, Mon suivi, drafts that
keep the choice, typed errors for the move date and the contract numbers, midnight in Paris."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from msp_portal import Portal
from msp_portal.domain.lifecycle import DeliveryState, DossierState, OrganisationStatus
from msp_portal.domain.paris import paris_today
from msp_portal.errors import (
    AddressChoiceNeeded,
    AnswersIncomplete,
    AnswersMalformed,
    InvalidAddress,
    InvalidContractNumber,
    InvalidDate,
    MoveDateOutOfWindow,
)
from msp_portal.testing import FakeClock
from tests.portal.helpers import SmtpServer, body
from tests.portal.procedures.conftest import PARTNER_KEY, sign_in
from tests.portal.procedures.support import ADDRESS, CONTRACTS, Receiver, address_answers

TYPED = {
    "new_line2": "Appartement 12, 3e étage",
    "new_line3": "Résidence « Les Tilleuls »",
    "new_number": "007",
    "new_suffix": "bis",
    "new_street": "boulevard du Maréchal Jean-Marie de Lattre de Tassigny",
    "new_postcode": "75016",
    "new_locality": "Paris 16e",
}
TYPED_LINES = [
    "Appartement 12, 3e étage",
    "Résidence « Les Tilleuls »",
    "007 bis boulevard du Maréchal Jean-Marie de Lattre de Tassigny",
    "75016 Paris 16e",
]
NORMALISED_LINES = [
    "Appartement 12, 3e étage",
    "Résidence Les Tilleuls",
    "7 BIS BD MAL J M DE LATTRE DE TASSIGNY",
    "75016 PARIS",
]
PEOPLE = {
    "ameli": [
        {
            "family_name": "Dupont",
            "given_names": "Léa",
            "birth_date": "01/02/1982",
            "relation": "spouse",
        },
        {
            "family_name": "Dupont",
            "given_names": "Zoé",
            "birth_date": "03/04/2012",
            "relation": "child",
        },
    ],
    "caf": [
        {
            "family_name": "Dupont",
            "given_names": "Zoé",
            "birth_date": "03/04/2012",
            "relation": "child",
        },
        {
            "family_name": "Dupont",
            "given_names": "Tom",
            "birth_date": "05/06/2016",
            "relation": "child",
        },
    ],
    "impots": [],
}


def answers(**fields: Any) -> dict[str, Any]:
    """Answers to caf, ameli and impots with TYPED as the new address (no choice yet)."""
    base: dict[str, Any] = {
        "move_date": "20/01/2025",
        "old_address": {
            "line1": "3 rue de l'Église",
            "postcode": "75014",
            "city": "Paris",
            "country": "France",
        },
        **TYPED,
        "phone": "06 12 34 56 78",
        "email": "jean.dupont@example.org",
    }
    base.update(fields)
    return {
        "fields": {k: v for k, v in base.items() if v is not None},
        "organisations": {
            code: {"contract_id": CONTRACTS[code], "people": PEOPLE[code]}
            for code in ("caf", "ameli", "impots")
        },
    }


def proposal(portal: Portal, session: str, dossier_id: str) -> dict[str, Any]:
    """The La Poste proposal check_procedure gives (the one proposal of this type)."""
    [(path, value, reason)] = portal.check_procedure(session, dossier_id).proposals
    assert (path, reason) == ("fields.new_address_choice", "la-poste-form")
    assert isinstance(value, dict)
    return value


def choose(
    portal: Portal, session: str, dossier_id: str, which: str
) -> dict[str, Any]:  # what a page does when the citizen clicks
    offered = proposal(portal, session, dossier_id)
    current = dict(portal.view_dossier(session, dossier_id).answers)
    current["fields"] = {**current["fields"], **offered[which]}
    portal.update_answers(session, dossier_id, current)
    return offered


def pdf_text(portal: Portal, session: str, dossier_id: str, tmp_path: Path) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(b"".join(portal.dossier_pdf(session, dossier_id, summary_only=True)))
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def summary_value(text: str, label: str) -> list[str]:
    """The value column of the row whose label starts with ``label`` (``pdftotext -layout``).

    A row is a block of non-blank lines; its label is at the left margin, its value indented.
    """
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(label))
    start, end = at, at
    while start > 0 and lines[start - 1].strip():
        start -= 1
    while end + 1 < len(lines) and lines[end + 1].strip():
        end += 1
    block = lines[start : end + 1]
    indented = [len(line) - len(line.lstrip()) for line in block if line.startswith(" ")]
    column = min(indented) if indented else None
    values = []
    for line in block:
        if column is None:  # one line: label, at least two spaces, value
            values.append(line.split("  ", 1)[1].strip())
        elif line[column:].strip():
            values.append(line[column:].strip())
    return values


def test_start_prefills_the_old_address_and_contact_from_the_profile(
    portal: Portal, session: str
) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    fields = dossier.answers["fields"]
    assert fields["old_address"] == {
        "line1": "3 rue de l'Église",
        "line2": "",
        "postcode": "75014",
        "city": "Paris",
        "country": "France",
    }
    assert fields["email"] == "jean.dupont@example.org"
    assert not any(key.startswith("new_") for key in fields)  # the new address is typed
    assert dossier.answers["organisations"] == {}


def test_refused_changes_send_exactly_what_was_typed_to_each_organisation(
    portal: Portal,
    session: str,
    clock: FakeClock,
    smtp: SmtpServer,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    profile_before = portal.view_account(session).contact
    dossier = portal.start_procedure(session, ADDRESS)
    portal.update_answers(session, dossier.dossier_id, answers())

    # The proposal, line by line; transmission waits for the citizen's answer.
    offered = proposal(portal, session, dossier.dossier_id)
    assert offered["changed"] and offered["choice_required"] and offered["choice"] is None
    assert offered["lines"] == NORMALISED_LINES
    assert offered["typed_lines"] == TYPED_LINES
    changes = {c["line"]: c for c in offered["changes"]}
    assert set(changes) == {3, 4, 6}
    assert changes[4]["before"] == TYPED_LINES[2] and changes[4]["after"] == NORMALISED_LINES[2]
    assert {"abbreviated", "number", "format"} <= set(changes[4]["reasons"])
    assert changes[6]["reasons"] == ["locality", "format"]
    assert changes[3]["after"] == "Résidence Les Tilleuls"  # « » are not printed
    assert offered["warnings"] == []
    assert offered["refuse_label"] == "Je refuse ces modifications. Ma saisie sera conservée"
    result = portal.check_procedure(session, dossier.dossier_id)
    [needed] = [p for p in result.details if p.path == "fields.new_address_choice"]
    assert isinstance(needed.error, AddressChoiceNeeded)
    assert needed.error.facts == {"reason": "required", "proposal": offered["proposal"]}

    # Refused ("Je refuse ces modifications"), saved, resumed the next day: the choice stays.
    choose(portal, session, dossier.dossier_id, "refuse")
    assert portal.check_procedure(session, dossier.dossier_id).ok
    saved_answers = portal.view_dossier(session, dossier.dossier_id).answers
    draft = portal.save_procedure(session, dossier.dossier_id)
    assert draft.password is not None
    clock.advance(timedelta(days=1))
    session = sign_in(portal)
    resumed = portal.resume_procedure(
        session, dossier.dossier_id, file_number=draft.file_number, password=draft.password
    )
    assert resumed.answers == saved_answers
    assert resumed.answers["fields"]["new_address_choice"] == "refuse"
    again = proposal(portal, session, dossier.dossier_id)
    assert again["choice"] == "refuse" and again["proposal"] == offered["proposal"]

    smtp.clear()
    receipt = portal.transmit_procedure(session, dossier.dossier_id)
    assert [code for code, _ in receipt.organisations] == ["caf", "ameli", "impots"]

    # The confirmation (C4, C5), by SMTP.
    [mail] = smtp.messages()
    assert (
        mail["Subject"]
        == f"Déclaration de changement de coordonnées transmise ({receipt.reference})"
    )
    text = body(mail)
    assert "Date de déménagement : 20/01/2025" in text
    assert "\n".join(f"    {line}" for line in TYPED_LINES) in text
    assert "l'adresse a été transmise telle que vous l'avez saisie" in text
    assert "(numéro de sécurité sociale se terminant par 5688)" in text
    assert "(numéro allocataire se terminant par 4321)" in text
    assert "(numéro fiscal se terminant par 0066)" in text
    assert CONTRACTS["impots"] not in text  # numbers shown by their last four characters
    for person in ("Léa Dupont", "Zoé Dupont", "Tom Dupont"):
        assert text.count(f"  - {person}\n") == 1  # each person once
    assert "elles doivent créer leur propre compte" in text
    assert (
        "Cette démarche ne met pas à jour les coordonnées de votre profil "
        "mon.service-public.fr" in text
    )
    assert "https://mon.service-public.fr/mon-profil/mes-coordonnees" in text

    # One delivery per organisation, each with its own number and people only (C4, C5).
    run = portal.deliver_pending()
    assert (run.attempted, run.delivered) == (3, 3)
    payloads = {r.payload["organisation"]: r for r in receiver.requests}
    assert set(payloads) == {"caf", "ameli", "impots"}
    for code, request in payloads.items():
        payload = request.payload
        assert request.signature_ok and request.path == f"/depot/{code}?v=1"
        assert payload["reference"] == receipt.reference
        fields = payload["answers"]["fields"]
        assert fields["new_address_lines"].split("\n") == TYPED_LINES  # exactly as typed
        assert fields["new_address_normalised"] is False
        assert fields["new_address_choice"] == "refuse"
        assert "new_address_warnings" not in fields
        own = payload["answers"]["organisation"]
        assert own["contract_id"] == CONTRACTS[code]
        assert own["people"] == PEOPLE[code]
        assert payload["document"] is None  # the citizen's PDF lists every organisation
        sent = request.body.decode()
        for other in {"caf", "ameli", "impots"} - {code}:
            assert CONTRACTS[other] not in sent and other not in sent.replace(code, "")
    assert payloads["ameli"].payload["answers"]["organisation"]["contract_number"] == (
        "185127512345688"
    )

    # Mon suivi: per organisation; an organisation's status shows there.
    portal.report_status("ameli", PARTNER_KEY, receipt.reference, "received", "Bien reçu.")
    [entry] = portal.my_tracking(session).entries
    assert entry.state is DossierState.TRANSMITTED and entry.reference == receipt.reference
    deliveries = {d.organisation: d for d in entry.deliveries}
    assert set(deliveries) == {"caf", "ameli", "impots"}
    assert all(d.state is DeliveryState.DELIVERED for d in deliveries.values())
    assert deliveries["ameli"].status is OrganisationStatus.RECEIVED
    assert deliveries["caf"].status is None and deliveries["ameli"].name == "Assurance maladie"

    # The summary PDF shows the lines as sent and that they were not normalised.
    summary = pdf_text(portal, session, dossier.dossier_id, tmp_path)
    sent = " ".join(summary_value(summary, "Nouvelle adresse transmise"))
    assert sent == " ".join(TYPED_LINES)  # the long line 4 wraps in the PDF
    assert summary_value(summary, "Adresse mise aux normes de La") == ["Non"]
    assert summary_value(summary, "Mise aux normes de La Poste") == [
        "Je refuse ces modifications. Ma saisie sera conservée"
    ]
    assert summary_value(summary, "Numéro fiscal transmis") == ["1234567890066"]
    flat = " ".join(summary.split())
    assert "Assurance maladie — Autres personnes rattachées à ce numéro qui déménagent" in flat

    # C5: the profile's contact details are what they were.
    assert portal.view_account(session).contact == profile_before


def test_accepted_changes_send_the_normalised_lines_with_the_warning(
    portal: Portal, session: str, smtp: SmtpServer, receiver: Receiver, tmp_path: Path
) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    # 75001 is not Lyon's postcode: a warning, never a refusal (C3).
    portal.update_answers(
        session, dossier.dossier_id, answers(new_postcode="75001", new_locality="Lyon")
    )
    offered = choose(portal, session, dossier.dossier_id, "accept")
    [warning] = offered["warnings"]
    assert warning["code"] == "locality-mismatch"
    assert "risque de ne pas être prise en compte" in warning["message"]
    lines = offered["lines"]
    assert lines[-1] == "75001 LYON"
    result = portal.check_procedure(session, dossier.dossier_id)
    assert result.ok, result.problems
    smtp.clear()
    receipt = portal.transmit_procedure(session, dossier.dossier_id)
    assert portal.deliver_pending().delivered == 3
    for request in receiver.requests:
        fields = request.payload["answers"]["fields"]
        assert fields["new_address_lines"].split("\n") == lines  # exactly the normalised lines
        assert fields["new_address_normalised"] is True
        assert fields["new_address_warnings"] == ["locality-mismatch"]
    text = body(smtp.messages()[0])
    assert "\n".join(f"    {line}" for line in lines) in text
    assert "telle que vous l'avez saisie" not in text
    assert "Attention : La localité LYON ne correspond pas au code postal 75001" in text
    summary = pdf_text(portal, session, dossier.dossier_id, tmp_path)
    assert " ".join(summary_value(summary, "Nouvelle adresse transmise")) == " ".join(lines)
    assert summary_value(summary, "Adresse mise aux normes de La") == ["Oui"]
    warned = " ".join(summary_value(summary, "Avertissement sur l'adresse"))
    assert warned.startswith("La localité ne correspond pas au code postal")
    assert receipt.reference in summary


def test_a_choice_is_not_applied_to_an_address_typed_afterwards(
    portal: Portal, session: str
) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    portal.update_answers(session, dossier.dossier_id, answers())
    first = choose(portal, session, dossier.dossier_id, "accept")
    assert portal.check_procedure(session, dossier.dossier_id).ok
    edited = dict(portal.view_dossier(session, dossier.dossier_id).answers)
    edited["fields"] = {**edited["fields"], "new_number": "9"}  # the choice left as it was
    portal.update_answers(session, dossier.dossier_id, edited)
    second = proposal(portal, session, dossier.dossier_id)
    assert second["proposal"] != first["proposal"] and second["choice"] is None
    with pytest.raises(AnswersIncomplete) as info:
        portal.transmit_procedure(session, dossier.dossier_id)
    [(path, error)] = info.value.errors
    assert path == "fields.new_address_choice" and isinstance(error, AddressChoiceNeeded)
    assert error.facts["reason"] == "outdated"
    assert "a été modifiée après" in error.message("fr")


def test_an_address_already_in_la_poste_form_needs_no_choice(
    portal: Portal, session: str, receiver: Receiver
) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    standard = {key: None for key in TYPED} | {
        "new_number": "12",
        "new_street": "RUE DES LILAS",
        "new_postcode": "75001",
        "new_locality": "PARIS",
    }
    portal.update_answers(session, dossier.dossier_id, answers(**standard))
    offered = proposal(portal, session, dossier.dossier_id)
    assert not offered["changed"] and not offered["choice_required"] and offered["changes"] == []
    portal.transmit_procedure(session, dossier.dossier_id)
    portal.deliver_pending()
    fields = receiver.requests[0].payload["answers"]["fields"]
    assert fields["new_address_lines"] == "12 RUE DES LILAS\n75001 PARIS"
    assert fields["new_address_normalised"] is True


def test_an_address_la_poste_cannot_take_is_a_typed_error_on_its_field(
    portal: Portal, session: str
) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    portal.update_answers(
        session,
        dossier.dossier_id,
        answers(new_line2="Appartement 12, bâtiment B, escalier C, 4e étage"),
    )
    result = portal.check_procedure(session, dossier.dossier_id)
    assert result.proposals == ()
    [problem] = result.details
    assert problem.path == "fields.new_line2" and isinstance(problem.error, InvalidAddress)
    assert problem.error.facts["reason"] == "too-long"
    assert "APP pour appartement" in problem.error.message("fr")


def test_a_move_date_out_of_the_window_is_a_typed_error_naming_the_bound_and_both_dates(
    portal: Portal, session: str
) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    fields = address_answers("caf")
    fields["fields"]["move_date"] = "05/12/2024"  # today is 06/01/2025 in Paris
    portal.update_answers(session, dossier.dossier_id, fields)
    with pytest.raises(AnswersIncomplete) as info:
        portal.transmit_procedure(session, dossier.dossier_id)
    assert info.value.problems == (("fields.move_date", "move-date-out-of-window"),)
    [(path, error)] = info.value.errors
    assert path == "fields.move_date" and isinstance(error, MoveDateOutOfWindow)
    assert error.facts["reason"] == "too-early"
    assert (error.facts["earliest"], error.facts["latest"]) == (date(2024, 12, 6), date(2025, 4, 6))
    message = error.message("fr")
    assert "au plus tard un mois après" in message
    assert "entre le 06/12/2024 et le 06/04/2025" in message
    [detail] = portal.check_procedure(session, dossier.dossier_id).details
    assert dict(detail.facts)["earliest"] == "06/12/2024"

    fields["fields"]["move_date"] = "07/04/2025"
    portal.update_answers(session, dossier.dossier_id, fields)
    with pytest.raises(AnswersIncomplete) as info:
        portal.transmit_procedure(session, dossier.dossier_id)
    [(_, error)] = info.value.errors
    assert error.facts["reason"] == "too-late"
    assert "au plus tôt trois mois avant" in error.message("fr")
    assert portal.view_dossier(session, dossier.dossier_id).state is DossierState.IN_PROGRESS


@pytest.mark.parametrize(
    ("code", "typed", "reason"),
    [
        ("ameli", "1 85 12 75 123 456 89", "key"),
        ("cnav", "3 85 12 75 123 456 88", "sex"),
        ("impots", "1234567890067", "key"),
        ("caf", "123456", "length"),
    ],
)
def test_a_wrong_contract_number_is_a_typed_error(
    portal: Portal, session: str, code: str, typed: str, reason: str
) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    filled = address_answers(code)
    filled["organisations"][code]["contract_id"] = typed
    portal.update_answers(session, dossier.dossier_id, filled)
    with pytest.raises(AnswersIncomplete) as info:
        portal.transmit_procedure(session, dossier.dossier_id)
    [(path, error)] = info.value.errors
    assert path == f"organisations.{code}.contract_id"
    assert isinstance(error, InvalidContractNumber)
    assert (error.facts["organisation"], error.facts["reason"]) == (code, reason)
    assert error.message("fr")


def test_every_date_field_is_typed_jj_mm_aaaa(portal: Portal, session: str) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    filled = address_answers("caf", "ameli")
    filled["fields"]["move_date"] = "2/1/2025"
    filled["organisations"]["caf"]["people"][0]["birth_date"] = "31/02/2012"
    filled["organisations"]["ameli"]["people"][0]["birth_date"] = "03/04/２０１２"  # full-width
    portal.update_answers(session, dossier.dossier_id, filled)
    with pytest.raises(AnswersIncomplete) as info:
        portal.transmit_procedure(session, dossier.dossier_id)
    errors = dict(info.value.errors)
    assert set(errors) == {
        "fields.move_date",
        "organisations.caf.people[0].birth_date",
        "organisations.ameli.people[0].birth_date",
    }
    assert all(isinstance(e, InvalidDate) for e in errors.values())
    assert errors["organisations.caf.people[0].birth_date"].facts["reason"] == "impossible"
    assert errors["fields.move_date"].facts["reason"] == "format"
    assert "sans espace" in errors["fields.move_date"].message("fr")


def test_computed_fields_cannot_be_sent_by_a_form(portal: Portal, session: str) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    forged = address_answers("caf")
    forged["fields"]["new_address_lines"] = "1 RUE DU FAUX\n75001 PARIS"
    with pytest.raises(AnswersMalformed) as info:
        portal.update_answers(session, dossier.dossier_id, forged)
    assert info.value.facts == {"path": "fields.new_address_lines", "reason": "computed-field"}


def _at(portal: Portal, clock: FakeClock, instant: datetime) -> str:
    clock.set(instant)
    return sign_in(portal)


@pytest.mark.parametrize(
    ("midnight", "earliest_before", "earliest_after"),
    [
        # Winter (UTC+1): 31/01 becomes 01/02 at 23:00 UTC; a month before is 31/12, then 01/01.
        (datetime(2025, 1, 31, 23, 0, tzinfo=UTC), "31/12/2024", "01/01/2025"),
        # Summer time (UTC+2, since 30/03): 31/03 becomes 01/04 at 22:00 UTC; 28/02, then 01/03.
        (datetime(2025, 3, 31, 22, 0, tzinfo=UTC), "28/02/2025", "01/03/2025"),
    ],
)
def test_the_window_turns_at_midnight_in_paris_through_the_whole_procedure(
    portal: Portal,
    session: str,
    clock: FakeClock,
    receiver: Receiver,
    midnight: datetime,
    earliest_before: str,
    earliest_after: str,
) -> None:
    before = midnight - timedelta(seconds=1)
    latest_after = paris_today(midnight).replace(day=1)
    latest_after = latest_after.replace(month=latest_after.month + 3)  # today + 3 months, after
    filled = address_answers("caf")

    # Saved at 23:54:59, resumed and transmitted at 23:59:59 (Paris): the earliest date passes.
    session = _at(portal, clock, before - timedelta(minutes=5))
    first = portal.start_procedure(session, ADDRESS)
    filled["fields"]["move_date"] = earliest_before
    portal.update_answers(session, first.dossier_id, filled)
    draft = portal.save_procedure(session, first.dossier_id)
    assert draft.password is not None
    clock.set(before)
    portal.resume_procedure(
        session, first.dossier_id, file_number=draft.file_number, password=draft.password
    )
    receipt = portal.transmit_procedure(session, first.dossier_id)
    assert receipt.transmitted_at == before

    # A second one, at 23:59:59: the date just after the latest bound is not allowed yet...
    second = portal.start_procedure(session, ADDRESS)
    filled["fields"]["move_date"] = latest_after.strftime("%d/%m/%Y")
    portal.update_answers(session, second.dossier_id, filled)
    [detail] = portal.check_procedure(session, second.dossier_id).details
    assert detail.error is not None and detail.error.facts["reason"] == "too-late"

    # ... and one second later, at midnight, it is; the earliest date of the day before is not.
    clock.set(midnight)
    assert portal.check_procedure(session, second.dossier_id).ok
    filled["fields"]["move_date"] = earliest_before
    portal.update_answers(session, second.dossier_id, filled)
    with pytest.raises(AnswersIncomplete) as info:
        portal.transmit_procedure(session, second.dossier_id)
    [(_, error)] = info.value.errors
    assert error.facts["reason"] == "too-early"
    assert f"entre le {earliest_after}" in error.message("fr")
    filled["fields"]["move_date"] = latest_after.strftime("%d/%m/%Y")
    portal.update_answers(session, second.dossier_id, filled)
    assert portal.transmit_procedure(session, second.dossier_id).transmitted_at == midnight
    assert portal.deliver_pending().delivered == 2
