"""Drafts expire 15 days after saving (P3) and are purged with their data by a library call and
by ``msp-portal procedures purge-expired``; the worker's command runs a pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from msp_portal import LocalBlobStore, Portal
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.errors import DossierNotFound, DraftExpired
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer
from msp_portal_cli.app import app
from tests.portal.helpers import PASSWORD, CountingHasher, SmtpServer
from tests.portal.procedures.conftest import sign_in
from tests.portal.procedures.support import SECRET, Receiver, Wallet
from tests.portal.procedures.test_flow import BIRTH, birth_answers


def _rows(store: SqlStore, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_link_works_until_fifteen_days_then_the_draft_is_purged(
    portal: Portal, session: str, clock: FakeClock, store: SqlStore, wallet: Wallet
) -> None:
    dossier = portal.start_procedure(session, BIRTH)
    portal.update_answers(session, dossier.dossier_id, birth_answers())
    doc = wallet.add(session, "Livret", "family")
    portal.attach_document(session, dossier.dossier_id, "proof", doc)
    draft = portal.save_procedure(session, dossier.dossier_id)

    clock.set(draft.expires_at - timedelta(seconds=1))
    session = sign_in(portal)
    assert portal.purge_expired_procedures() == 0
    [entry] = portal.my_tracking(session).entries
    assert entry.resume_link == draft.resume_link

    clock.set(draft.expires_at)
    session = sign_in(portal)
    assert portal.my_tracking(session).entries == ()  # no longer offered
    with pytest.raises(DraftExpired) as info:
        portal.resume_procedure(
            session, dossier.dossier_id, file_number=draft.file_number, password=draft.password
        )
    assert "heure de Paris" in info.value.message("fr")
    assert portal.purge_expired_procedures() == 1
    with pytest.raises(DossierNotFound):
        portal.view_dossier(session, dossier.dossier_id)
    assert _rows(store, "procedure_dossiers") == 0 and _rows(store, "procedure_attachments") == 0


def test_saving_again_extends_the_link_and_replaces_the_password(
    portal: Portal, session: str, clock: FakeClock
) -> None:
    dossier = portal.start_procedure(session, BIRTH)
    first = portal.save_procedure(session, dossier.dossier_id)
    clock.advance(timedelta(days=10))
    session = sign_in(portal)
    portal.resume_procedure(
        session, dossier.dossier_id, file_number=first.file_number, password=first.password
    )
    second = portal.save_procedure(session, dossier.dossier_id)
    assert second.file_number == first.file_number and second.password != first.password
    assert second.expires_at == first.expires_at + timedelta(days=10)
    clock.advance(timedelta(days=14))
    session = sign_in(portal)
    from msp_portal.errors import ResumeCredentialsInvalid

    with pytest.raises(ResumeCredentialsInvalid):
        portal.resume_procedure(
            session, dossier.dossier_id, file_number=first.file_number, password=first.password
        )
    portal.resume_procedure(
        session, dossier.dossier_id, file_number=second.file_number, password=second.password
    )


def test_purge_command_on_a_real_database_file(tmp_path: Path) -> None:
    db = tmp_path / "portal.db"
    url = f"sqlite:///{db}"
    store = SqlStore.open(url)
    clock = FakeClock(datetime(2025, 1, 6, 9, 0, tzinfo=UTC))  # long before the system clock
    portal = Portal(store, MemoryMailer(), FakeCaptcha(), clock=clock, hasher=CountingHasher())
    portal.create_account("jdupont", "j@example.org", PASSWORD)
    session = portal.sign_in("jdupont", PASSWORD).token  # type: ignore[union-attr]
    portal.save_procedure(session, portal.start_procedure(session, BIRTH).dossier_id)
    portal.start_procedure(session, BIRTH)  # in progress, its session long over by now
    store.close()
    runner = CliRunner()
    result = runner.invoke(app, ["procedures", "purge-expired", "--database", url])
    assert result.exit_code == 0, result.output
    assert "2 dossier(s) deleted" in result.output
    result = runner.invoke(
        app, ["procedures", "deliver", "--database", url, "--blobs", str(tmp_path / "b")]
    )
    assert result.exit_code == 0, result.output
    assert "0 attempted" in result.output


def test_commands_answer_with_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(
        app, ["procedures", "purge-expired", "-d", f"sqlite:///{tmp_path}/none/x.db"]
    )
    assert missing.exit_code == 1 and "storage-error" in missing.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[organisations.caf\n", encoding="utf-8")
    wrong = runner.invoke(
        app, ["procedures", "deliver", "-d", "sqlite://", "-b", str(tmp_path), "-c", str(bad)]
    )
    assert wrong.exit_code == 2


def test_mon_suivi_pages_through_every_dossier_newest_first(
    portal: Portal, session: str, clock: FakeClock
) -> None:
    made = []
    for _ in range(7):
        dossier = portal.start_procedure(session, BIRTH)
        portal.save_procedure(session, dossier.dossier_id)
        made.append(dossier.dossier_id)
        clock.advance(timedelta(seconds=1))
    seen: list[str] = []
    page = portal.my_tracking(session, page_size=3)
    while True:
        seen.extend(e.dossier_id for e in page.entries)
        if page.next_page is None:
            break
        page = portal.my_tracking(session, page_size=3, page=page.next_page)
    assert seen == made[::-1]
    from msp_portal.errors import InvalidInput

    for bad in ("nope", "2025-01-06T09:00:00~x", "\ud800", 5):
        with pytest.raises(InvalidInput):
            portal.my_tracking(session, page=bad)  # type: ignore[arg-type]


def test_deliver_command_sends_to_the_organisation_with_its_secret(
    tmp_path: Path, receiver: Receiver, smtp: SmtpServer
) -> None:
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    store = SqlStore.open(url)
    blobs = LocalBlobStore(tmp_path / "blobs")
    clock = FakeClock(datetime.now(UTC))
    portal = Portal(
        store, MemoryMailer(), FakeCaptcha(), clock=clock, hasher=CountingHasher(), blobs=blobs
    )
    portal.create_account("jdupont", "j@example.org", PASSWORD)
    session = portal.sign_in("jdupont", PASSWORD).token  # type: ignore[union-attr]
    dossier = portal.start_procedure(session, BIRTH)
    portal.update_answers(session, dossier.dossier_id, birth_answers())
    reference = portal.transmit_procedure(session, dossier.dossier_id).reference
    store.close()
    secret = tmp_path / "etat-civil.secret"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    config = tmp_path / "portal.toml"
    config.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\n\n'
        f'[organisations.etat-civil]\nurl = "{receiver.url}/depot"\nsecret_file = "{secret}"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["procedures", "deliver", "-d", url, "-b", str(tmp_path / "blobs"), "-c", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert "1 attempted, 1 delivered" in result.output
    [request] = receiver.requests
    assert request.signature_ok and request.payload["reference"] == reference
