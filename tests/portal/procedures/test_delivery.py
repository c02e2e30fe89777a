"""Delivery over real HTTP to a receiver on 127.0.0.1 that fails, times out and answers twice:
retries with exponential backoff, one stored dossier per idempotency key, failed after the last
attempt (visible in Mon suivi), requeued by the operator; parallel transmissions."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import text

from msp_portal import Portal
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.domain.lifecycle import DeliveryState
from msp_portal.domain.tokens import hash_token, new_token
from msp_portal.testing import FakeClock
from tests.portal.helpers import PASSWORD
from tests.portal.procedures.conftest import account_id
from tests.portal.procedures.support import Receiver
from tests.portal.procedures.test_flow import BIRTH, birth_answers

ADDRESS = "changement-coordonnees"


def address_answers(*codes: str) -> dict[str, object]:
    return {
        "fields": {
            "move_date": "02/01/2025",
            "old_address": {"line1": "3 rue de l'Église", "postcode": "75014", "city": "Paris"},
            "new_address": {
                "line1": "12 bd Cœur-de-Lion",
                "postcode": "13001",
                "city": "Marseille",
            },
            "people": [
                {
                    "family_name": "Dupont",
                    "given_names": "Zoé",
                    "birth_date": "03/04/2012",
                    "relation": "child",
                }
            ],
        },
        "organisations": {code: {"contract_id": f"{i + 1}234567"} for i, code in enumerate(codes)},
    }


def _transmit_address(portal: Portal, session: str, *codes: str) -> str:
    dossier = portal.start_procedure(session, ADDRESS)
    portal.update_answers(session, dossier.dossier_id, address_answers(*codes))
    return portal.transmit_procedure(session, dossier.dossier_id).reference


def test_each_organisation_gets_its_own_answers_only(
    portal: Portal, session: str, receiver: Receiver
) -> None:
    reference = _transmit_address(portal, session, "caf", "impots", "msa")
    assert portal.deliver_pending().delivered == 3
    payloads = {r.payload["organisation"]: r.payload for r in receiver.requests}
    assert set(payloads) == {"caf", "impots", "msa"}
    assert payloads["caf"]["answers"]["organisation"] == {"contract_id": "1234567"}
    assert payloads["impots"]["answers"]["organisation"] == {"contract_id": "2234567"}
    assert "1234567" not in receiver.requests[1].body.decode() or payloads["caf"] is not None
    for code, payload in payloads.items():
        assert payload["reference"] == reference
        assert "1234567" not in str(payload["answers"]) or code == "caf"


def test_failures_and_timeouts_are_retried_with_backoff_then_delivered_once(
    portal: Portal, session: str, receiver: Receiver, clock: FakeClock
) -> None:
    receiver.script[:] = ["fail", "slow", "ok"]  # 503, then no answer in time (but it got it)
    reference = _transmit_address(portal, session, "caf")
    first = portal.deliver_pending()
    assert (first.attempted, first.retrying) == (1, 1)
    assert portal.deliver_pending().attempted == 0  # not due yet: backoff
    clock.advance(timedelta(seconds=30))  # base delay 30 s: at most 30 s after the first failure
    second = portal.deliver_pending()
    assert (second.attempted, second.retrying) == (1, 1)  # the slow answer came too late
    clock.advance(timedelta(seconds=30))
    assert portal.deliver_pending().attempted == 0  # second wait is 30 to 60 s
    clock.advance(timedelta(seconds=30))
    third = portal.deliver_pending()
    assert (third.attempted, third.delivered) == (1, 1)
    keys = [r.headers["Idempotency-Key"] for r in receiver.requests]
    assert keys == [f"{reference}/caf"] * 3  # the same key on every attempt
    assert len(receiver.stored) == 1  # the receiver answered twice, stored once
    [entry] = portal.my_tracking(session).entries
    assert entry.deliveries[0].state is DeliveryState.DELIVERED
    assert entry.deliveries[0].attempts == 3


def test_a_duplicate_answer_counts_as_delivered(
    portal: Portal, session: str, receiver: Receiver
) -> None:
    receiver.script[:] = ["dup"]
    _transmit_address(portal, session, "cesu")
    assert portal.deliver_pending().delivered == 1


def test_after_the_last_attempt_the_delivery_is_failed_and_shown(
    portal: Portal, session: str, receiver: Receiver, clock: FakeClock, store: SqlStore
) -> None:
    receiver.script[:] = ["fail"] * 10
    _transmit_address(portal, session, "caf")
    attempts = 0
    for _ in range(12):
        attempts += portal.deliver_pending().attempted
        clock.advance(timedelta(hours=1))
    assert attempts == 10  # delivery_max_attempts
    session = portal.sign_in("jdupont", PASSWORD).token  # type: ignore[union-attr]
    [entry] = portal.my_tracking(session).entries
    assert entry.deliveries[0].state is DeliveryState.FAILED
    assert portal.requeue_failed_deliveries("caf") == 1
    assert portal.deliver_pending().delivered == 1
    [entry] = portal.my_tracking(session).entries
    assert entry.deliveries[0].state is DeliveryState.DELIVERED


def test_a_client_error_fails_at_once(portal: Portal, session: str, receiver: Receiver) -> None:
    receiver.script[:] = ["reject"]
    _transmit_address(portal, session, "impots")
    assert portal.deliver_pending().failed == 1


def test_twenty_parallel_transmits_of_one_dossier_give_one_reference(
    portal: Portal, session: str, store: SqlStore, receiver: Receiver
) -> None:
    dossier = portal.start_procedure(session, ADDRESS)
    portal.update_answers(session, dossier.dossier_id, address_answers("caf", "ameli"))
    barrier = threading.Barrier(20)

    def go(_: int) -> str:
        barrier.wait()
        return portal.transmit_procedure(session, dossier.dossier_id).reference

    with ThreadPoolExecutor(20) as pool:
        references = list(pool.map(go, range(20)))
    assert len(set(references)) == 1
    with store.engine.connect() as conn:
        counts = conn.execute(
            text("SELECT organisation, count(*) FROM procedure_deliveries GROUP BY organisation")
        ).all()
        emails = conn.execute(text("SELECT count(*) FROM procedure_emails")).scalar_one()
        transmitted = conn.execute(
            text("SELECT count(*) FROM procedure_dossiers WHERE reference IS NOT NULL")
        ).scalar_one()
    assert dict(counts) == {"caf": 1, "ameli": 1} and emails == 1 and transmitted == 1
    assert portal.deliver_pending().delivered == 2
    assert Counter(r.payload["organisation"] for r in receiver.requests) == {"caf": 1, "ameli": 1}


def test_hundred_parallel_transmits_of_distinct_dossiers_give_distinct_references(
    portal: Portal, session: str, clock: FakeClock, store: SqlStore
) -> None:
    # 100 accounts (one procedure in progress each, P4), made directly in the store.
    sessions = []
    for i in range(100):
        identifier = f"usager{i:03d}"
        store.add_account(identifier, f"{identifier}@example.org", identifier, "x", clock())
        token = new_token()
        store.add_session(hash_token(token), account_id(portal, identifier), clock())
        sessions.append(token)
    dossiers = []
    for token in sessions:
        dossier = portal.start_procedure(token, BIRTH)
        portal.update_answers(token, dossier.dossier_id, birth_answers())
        dossiers.append((token, dossier.dossier_id))
    barrier = threading.Barrier(100)

    def go(item: tuple[str, str]) -> str:
        barrier.wait()
        return portal.transmit_procedure(*item).reference

    with ThreadPoolExecutor(100) as pool:
        references = list(pool.map(go, dossiers))
    assert len(set(references)) == 100
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM procedure_deliveries")).scalar_one() == 100
