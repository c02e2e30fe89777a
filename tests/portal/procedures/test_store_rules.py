"""Rules the database enforces by itself: one procedure in progress per account under 100
parallel starts (threads and processes), sign-out closes it, transmitted dossiers are frozen by
triggers and sealed (a change made around the triggers is detected on read)."""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import text

from msp_portal import Portal
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.domain.lifecycle import DossierState
from msp_portal.domain.tokens import hash_token, new_token
from msp_portal.errors import DossierNotFound, DossierTampered, ProcedureInProgress, StorageError
from msp_portal.testing import FakeClock
from tests.portal.helpers import StoreSpec
from tests.portal.procedures.conftest import account_id, sign_in
from tests.portal.procedures.support import Wallet
from tests.portal.procedures.test_flow import BIRTH, birth_answers
from tests.portal.procedures.workers import StartJob, parallel_starts, start_process

ADDRESS = "changement-coordonnees"


def _sessions(portal: Portal, clock: FakeClock, count: int) -> tuple[str, ...]:
    """``count`` live sessions of jdupont (made directly: 100 argon2 sign-ins would be slow)."""
    tokens = tuple(new_token() for _ in range(count))
    for token in tokens:
        portal.ctx.store.add_session(hash_token(token), account_id(portal), clock())
    return tokens


def _in_progress_rows(store: SqlStore) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM procedure_dossiers WHERE state = 'in-progress'")
            ).scalar_one()
        )


def test_hundred_parallel_starts_in_threads_one_wins(
    portal: Portal, session: str, clock: FakeClock, store: SqlStore
) -> None:
    tokens = _sessions(portal, clock, 100)
    outcomes = parallel_starts(portal, tokens, BIRTH, threading.Barrier(100))
    won = [o for o in outcomes if o.startswith("won:")]
    assert len(won) == 1, Counter(o.split(":")[0] for o in outcomes)
    winner = won[0].removeprefix("won:")
    # Every other start is refused with an error naming the one in progress.
    assert Counter(outcomes) == Counter({won[0]: 1, f"procedure-in-progress:{winner}": 99})
    assert _in_progress_rows(store) == 1


def test_hundred_parallel_starts_in_processes_one_wins(
    portal: Portal, session: str, clock: FakeClock, store: SqlStore, store_spec: StoreSpec
) -> None:
    tokens = _sessions(portal, clock, 100)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    jobs = [StartJob(store_spec, clock(), tokens[i::4], ADDRESS) for i in range(4)]
    procs = [ctx.Process(target=start_process, args=(job, barrier, results)) for job in jobs]
    for p in procs:
        p.start()
    outcomes = [o for _ in procs for o in results.get(timeout=300)]
    for p in procs:
        p.join(60)
    assert not [o for o in outcomes if o.startswith("error")], outcomes[:3]
    won = [o for o in outcomes if o.startswith("won:")]
    assert len(won) == 1 and len(outcomes) == 100
    winner = won[0].removeprefix("won:")
    assert outcomes.count(f"procedure-in-progress:{winner}") == 99
    assert _in_progress_rows(store) == 1


def test_a_second_procedure_is_refused_until_the_first_is_saved(
    portal: Portal, session: str
) -> None:
    first = portal.start_procedure(session, BIRTH)
    with pytest.raises(ProcedureInProgress) as info:
        portal.start_procedure(session, ADDRESS)
    assert info.value.facts == {
        "procedure": BIRTH,
        "title": "Demande d'acte de naissance",
        "dossier": first.dossier_id,
    }
    assert "Demande d'acte de naissance" in info.value.message("fr")
    portal.save_procedure(session, first.dossier_id)
    second = portal.start_procedure(session, ADDRESS)
    assert second.procedure == ADDRESS


def test_sign_out_closes_the_procedure_in_progress(portal: Portal, session: str) -> None:
    never_saved = portal.start_procedure(session, BIRTH)
    portal.update_answers(session, never_saved.dossier_id, birth_answers())
    portal.sign_out(session)
    session = sign_in(portal)
    with pytest.raises(DossierNotFound):  # unsaved answers are lost
        portal.view_dossier(session, never_saved.dossier_id)

    saved = portal.start_procedure(session, BIRTH)
    portal.update_answers(session, saved.dossier_id, birth_answers())
    draft = portal.save_procedure(session, saved.dossier_id)
    portal.resume_procedure(
        session, saved.dossier_id, file_number=draft.file_number, password=draft.password
    )
    portal.update_answers(session, saved.dossier_id, {"fields": {"family_name": "Changé"}})
    portal.sign_out(session)
    session = sign_in(portal)
    back = portal.view_dossier(session, saved.dossier_id)
    assert back.state is DossierState.SAVED
    assert back.answers["fields"]["family_name"] == "Dupont"  # the saved version
    assert portal.start_procedure(session, ADDRESS).procedure == ADDRESS


def test_a_session_that_ended_no_longer_holds_its_procedure(
    portal: Portal, session: str, clock: FakeClock
) -> None:
    stale = portal.start_procedure(session, BIRTH)
    clock.advance(timedelta(minutes=31))  # idle timeout: the session is over, never signed out
    session = sign_in(portal)
    fresh = portal.start_procedure(session, ADDRESS)
    assert fresh.procedure == ADDRESS
    with pytest.raises(DossierNotFound):
        portal.view_dossier(session, stale.dossier_id)


def _transmitted(portal: Portal, session: str, wallet: Wallet) -> str:
    dossier = portal.start_procedure(session, BIRTH)
    portal.update_answers(session, dossier.dossier_id, birth_answers())
    doc = wallet.add(session, "Livret de famille", "family")
    portal.attach_document(session, dossier.dossier_id, "proof", doc)
    portal.transmit_procedure(session, dossier.dossier_id)
    return dossier.dossier_id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE procedure_dossiers SET answers = '{}' WHERE public_id = :d",
        "UPDATE procedure_dossiers SET state = 'saved' WHERE public_id = :d",
        "DELETE FROM procedure_dossiers WHERE public_id = :d",
        "DELETE FROM procedure_attachments WHERE dossier_id = "
        "(SELECT id FROM procedure_dossiers WHERE public_id = :d)",
        "INSERT INTO procedure_attachments (dossier_id, slot, document_id, title, category, sha256,"
        " size, attached_at) SELECT id, 'proof', 'x', 'x', 'other', 'x', 1, created_at"
        " FROM procedure_dossiers WHERE public_id = :d",
        "DELETE FROM procedure_deliveries WHERE dossier_id = "
        "(SELECT id FROM procedure_dossiers WHERE public_id = :d)",
        "UPDATE procedure_deliveries SET organisation = 'caf' WHERE dossier_id = "
        "(SELECT id FROM procedure_dossiers WHERE public_id = :d)",
    ],
)
def test_the_database_refuses_to_change_a_transmitted_dossier(
    portal: Portal, session: str, store: SqlStore, wallet: Wallet, statement: str
) -> None:
    dossier_id = _transmitted(portal, session, wallet)
    with pytest.raises(Exception, match="dossier-frozen"), store.engine.begin() as conn:
        conn.execute(text(statement), {"d": dossier_id})
    assert portal.view_dossier(session, dossier_id).state is DossierState.TRANSMITTED


def _without_triggers(store: SqlStore, statement: str, dossier_id: str) -> None:
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE procedure_dossiers DISABLE TRIGGER USER"))
            conn.execute(text(statement), {"d": dossier_id})
            conn.execute(text("ALTER TABLE procedure_dossiers ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER procedure_dossiers_frozen_update"))
            conn.execute(text(statement), {"d": dossier_id})


@pytest.mark.parametrize(
    ("statement", "read"),
    [
        (
            "UPDATE procedure_dossiers SET content = replace(content, 'Dupont', 'Durand')"
            " WHERE public_id = :d",
            "view",
        ),
        (
            "UPDATE procedure_dossiers SET reference = 'A-1-2222-2222-222' WHERE public_id = :d",
            "tracking",
        ),
        ("UPDATE procedure_dossiers SET organisations = 'caf' WHERE public_id = :d", "tracking"),
        (
            "UPDATE procedure_dossiers SET dossier_sha256 = summary_sha256 WHERE public_id = :d",
            "view",
        ),
    ],
)
def test_a_change_made_around_the_triggers_is_detected_on_read(
    portal: Portal,
    session: str,
    store: SqlStore,
    wallet: Wallet,
    statement: str,
    read: str,
) -> None:
    dossier_id = _transmitted(portal, session, wallet)
    _without_triggers(store, statement, dossier_id)
    with pytest.raises(DossierTampered) as info:
        if read == "view":
            portal.view_dossier(session, dossier_id)
        else:
            portal.my_tracking(session)
    assert info.value.facts == {"dossier": dossier_id}


def test_the_worker_never_sends_a_tampered_dossier_and_goes_on(
    portal: Portal, session: str, store: SqlStore, wallet: Wallet
) -> None:
    tampered = _transmitted(portal, session, wallet)
    _without_triggers(
        store,
        "UPDATE procedure_dossiers SET content = replace(content, 'Dupont', 'Durand')"
        " WHERE public_id = :d",
        tampered,
    )
    sound = portal.start_procedure(session, BIRTH)
    portal.update_answers(session, sound.dossier_id, birth_answers())
    portal.transmit_procedure(session, sound.dossier_id)
    run = portal.deliver_pending()
    assert (run.delivered, run.failed) == (1, 1)


def test_deleting_a_wallet_document_keeps_what_was_sent(
    portal: Portal, session: str, clock: FakeClock, wallet: Wallet
) -> None:
    sent_doc = wallet.add(session, "Livret de famille", "family")
    sent_sha = portal.document(session, sent_doc).sha256
    dossier = portal.start_procedure(session, BIRTH)
    portal.update_answers(session, dossier.dossier_id, birth_answers())
    portal.attach_document(session, dossier.dossier_id, "proof", sent_doc)
    receipt = portal.transmit_procedure(session, dossier.dossier_id)

    draft_doc = wallet.add(session, "Carte d'identité", "identity", pages=2)
    draft_sha = portal.document(session, draft_doc).sha256
    draft = portal.start_procedure(session, BIRTH)
    portal.attach_document(session, draft.dossier_id, "proof", draft_doc)

    portal.delete_document(session, sent_doc)
    portal.delete_document(session, draft_doc)
    clock.advance(portal.ctx.settings.wallet.orphan_grace + timedelta(minutes=1))
    portal.collect_orphans()
    session = sign_in(portal)
    blobs = portal.pctx.blobs
    assert blobs is not None
    assert b"".join(blobs.open(sent_sha))  # the transmitted dossier holds it
    assert b"".join(blobs.open(draft_sha))  # so does the draft, until it is abandoned
    pdf = b"".join(portal.dossier_pdf(session, dossier.dossier_id))
    assert hashlib.sha256(pdf).hexdigest() == receipt.dossier_sha256

    portal.abandon_procedure(session, draft.dossier_id)
    clock.advance(portal.ctx.settings.wallet.orphan_grace + timedelta(minutes=1))
    report = portal.collect_orphans()
    assert report.blobs_removed >= 1
    with pytest.raises(StorageError):
        b"".join(blobs.open(draft_sha))
    assert b"".join(blobs.open(sent_sha))
