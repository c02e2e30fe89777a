"""SqlStore on SQLite and PostgreSQL: versioned schema, time handling, the lock's SQL rule."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Integer, String, column, insert, inspect, select, table

from msp_portal import (
    ContactDetails,
    InvalidCredentials,
    InvalidEmail,
    InvalidInput,
    Portal,
    SchemaTooNew,
    Session,
    SqlStore,
    StorageError,
)
from msp_portal.adapters.smtp import SmtpMailer
from msp_portal.adapters.sql import migrations
from msp_portal.adapters.sql.schema import accounts, metadata, schema_versions
from msp_portal.adapters.sql.types import UtcDateTime
from msp_portal.domain.lockout import LockPolicy, LockState, admit, succeed
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer
from tests.portal.conftest import START
from tests.portal.helpers import PASSWORD, StoreSpec, new_verified_account


def _columns(store: SqlStore) -> dict[str, dict[str, bool]]:
    with store.engine.connect() as conn:
        found = inspect(conn)
        return {
            table: {c["name"]: bool(c["nullable"]) for c in found.get_columns(table)}
            for table in found.get_table_names()
        }


def test_migrations_build_exactly_the_schema_the_code_uses(store: SqlStore) -> None:
    assert store.schema_version() == migrations.LATEST >= 3
    expected = {
        table.name: {c.name: bool(c.nullable) for c in table.columns}
        for table in metadata.sorted_tables
    }
    assert _columns(store) == expected


def test_migrating_forward_keeps_the_data(store_spec: StoreSpec) -> None:
    store = store_spec.open(migrate=False)
    try:
        assert store.schema_version() == 0
        assert store.migrate(1) == 1
        assert "attempts" not in _columns(store)["sms_outbox"]
        v1_outbox = table(
            "sms_outbox",
            column("phone", String),
            column("body", String),
            column("created_at", UtcDateTime),
        )
        with store.engine.begin() as conn:  # a row written by version 1 of the code
            conn.execute(
                insert(v1_outbox).values(
                    phone="+33612345678", body="ancien message", created_at=START
                )
            )
        assert store.migrate() == migrations.LATEST
        [message] = store.outbox()
        assert (message.body, message.attempts, message.last_error) == ("ancien message", 0, None)
        assert message.created_at == START
        with store.engine.connect() as conn:
            versions = conn.execute(select(schema_versions.c.version)).scalars().all()
        assert sorted(versions) == list(range(1, migrations.LATEST + 1))
    finally:
        store.close()


def test_version_3_keeps_accounts_working(store_spec: StoreSpec) -> None:
    """Accounts of version 2 stay recoverable (taken as verified) and get NFKC email keys."""
    store = store_spec.open(migrate=False)
    try:
        store.migrate(2)
        v2_accounts = table(
            "accounts",
            column("identifier", String),
            column("email", String),
            column("email_key", String),
            column("password_version", Integer),
            column("failed_count", Integer),
            column("created_at", UtcDateTime),
            column("deleted_at", UtcDateTime),
        )
        rows = [
            ("kelvin", "\u212aevin@example.fr", None),
            ("plain", "Jean@Example.org", None),
            ("parti", None, START),  # deleted under version 2
        ]
        with store.engine.begin() as conn:
            for identifier, email, deleted in rows:
                conn.execute(
                    insert(v2_accounts).values(
                        identifier=identifier,
                        email=email,
                        email_key=email.casefold() if email else None,  # version 2's key
                        password_version=0,
                        failed_count=0,
                        created_at=START,
                        deleted_at=deleted,
                    )
                )
        assert store.migrate() == migrations.LATEST
        kelvin = store.account_by_identifier("kelvin")
        assert kelvin is not None and kelvin.email_verified_at == START
        assert [a.identifier for a in store.accounts_for_email_key("kevin@example.fr")] == [
            "kelvin"
        ]
        assert [a.identifier for a in store.accounts_for_email_key("jean@example.org")] == ["plain"]
        with store.engine.connect() as conn:
            gone = conn.execute(
                select(accounts.c.email_verified_at).where(accounts.c.identifier == "parti")
            ).scalar_one()
        assert gone is None
    finally:
        store.close()


def test_opening_again_does_not_migrate_again(store_spec: StoreSpec, store: SqlStore) -> None:
    again = store_spec.open()
    try:
        with again.engine.connect() as conn:
            found = conn.execute(select(schema_versions.c.version)).scalars().all()
        assert found == list(range(1, migrations.LATEST + 1))
    finally:
        again.close()


def test_instances_starting_together_migrate_once(store_spec: StoreSpec) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            store_spec.open().close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = store_spec.open()
    try:
        with store.engine.connect() as conn:
            found = conn.execute(select(schema_versions.c.version)).scalars().all()
        assert found == list(range(1, migrations.LATEST + 1))
    finally:
        store.close()


def test_a_database_from_a_newer_version_is_refused(store_spec: StoreSpec, store: SqlStore) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            insert(schema_versions).values(version=migrations.LATEST + 1, applied_at=START)
        )
    with pytest.raises(SchemaTooNew) as info:
        store_spec.open()
    assert info.value.facts == {"found": migrations.LATEST + 1, "supported": migrations.LATEST}


def test_instants_come_back_aware_in_utc(store: SqlStore) -> None:
    paris = datetime(2025, 7, 14, 23, 30, tzinfo=ZoneInfo("Europe/Paris"))
    account_id = store.add_account("horloge", "h@example.org", "h@example.org", "x", paris)
    record = store.account_by_id(account_id)
    assert record is not None
    assert record.created_at == paris
    assert record.created_at.tzinfo is UTC
    assert record.created_at.hour == 21


def test_naive_datetimes_are_refused(store: SqlStore) -> None:
    with pytest.raises(StorageError):
        store.add_account("naif", "n@example.org", "n@example.org", "x", datetime(2025, 1, 1))
    portal = Portal(store, MemoryMailer(), FakeCaptcha(), clock=lambda: datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        portal.create_account("naif", "n@example.org", PASSWORD)


def test_the_sql_lock_rule_matches_the_domain_rule(store: SqlStore) -> None:
    """Random failures, successes and waits: the UPDATE and domain.lockout.admit agree."""
    policy = LockPolicy(threshold=5, duration=timedelta(hours=2))
    account_id = store.add_account("regle", "r@example.org", "r@example.org", "x", START)
    rng = random.Random(20250106)
    state, now = LockState(), START
    for _ in range(150):
        now += timedelta(minutes=rng.choice([0, 1, 7, 30, 59, 120]))
        if rng.random() < 0.1:
            store.clear_failures(account_id)
            state = succeed()
            continue
        admitted, state = admit(state, now, policy)
        answer = store.admit_password_check(account_id, now, policy)
        assert answer.admitted == admitted
        assert answer.state == state


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("\x00", InvalidInput),
        ("a" * 10_000, InvalidInput),
        ("jdupont\x00", InvalidInput),
        ("\ud800jdupont", InvalidInput),
        ("é" * 70, InvalidCredentials),
        ("'; DROP TABLE accounts; --", InvalidCredentials),
    ],
)
def test_hostile_identifiers_get_a_typed_answer(
    portal: Portal, account: str, identifier: str, expected: type[Exception]
) -> None:
    with pytest.raises(expected):
        portal.sign_in(identifier, PASSWORD)
    if expected is InvalidInput:
        with pytest.raises(InvalidInput):
            portal.forgot_password(identifier, "ok")
    else:
        portal.forgot_password(identifier, "ok")
    with pytest.raises(expected):
        portal.phone_changed(identifier, PASSWORD, "x")
    assert isinstance(portal.sign_in(account, PASSWORD), Session)


def test_hostile_emails_get_a_typed_answer(portal: Portal) -> None:
    for email in ("\x00@example.org", "a@b.fr\r\nBcc: c@d.fr", "x" * 300 + "@example.org", ""):
        with pytest.raises(InvalidInput):  # InvalidEmail, or refused at the boundary (\x00)
            portal.forgot_identifier(email, "ok")
        with pytest.raises(InvalidInput):
            portal.create_account("nouveau", email, PASSWORD)
    for email in ("a@b.fr\r\nBcc: c@d.fr", "x" * 300 + "@example.org", "", "a\u2028@b.fr"):
        with pytest.raises(InvalidEmail):
            portal.forgot_identifier(email, "ok")


def test_an_unreachable_database_is_a_storage_error(tmp_path: object) -> None:
    with pytest.raises(StorageError):
        SqlStore.open("sqlite:////nonexistent-folder/portal.db")
    with pytest.raises(StorageError):
        SqlStore.open("postgresql+psycopg://u:p@127.0.0.1:1/db")


def test_a_deleted_account_leaves_no_trace_in_the_sqlite_files(
    tmp_path: Path, clock: FakeClock, mailer: SmtpMailer
) -> None:
    """secure_delete zeroes freed space; the WAL's older page images are truncated away."""
    path = tmp_path / "portal.db"
    store = SqlStore.open(f"sqlite:///{path}")
    portal = Portal(store, mailer, FakeCaptcha(), clock=clock)
    secret_mail, secret_phone = "secret.titulaire@example.org", "+33698765431"
    new_verified_account(portal, "titulaire", secret_mail)
    for n in range(40):  # neighbours, so that the secrets share pages with live rows
        portal.create_account(f"voisin{n:02d}", f"voisin{n:02d}@example.org", PASSWORD)
    session = portal.sign_in("titulaire", PASSWORD)
    assert isinstance(session, Session)
    portal.update_contact_details(session.token, ContactDetails(family_name="Secretnom"))
    portal.start_sms_enrolment(session.token, PASSWORD, secret_phone)
    portal.delete_account(session.token, PASSWORD)
    portal.deliver_mail()  # the farewell
    clock.advance(timedelta(days=8))
    portal.purge_outboxes()  # the farewell mail names the address too
    files = [p for p in tmp_path.iterdir() if p.name.startswith("portal.db")]
    raw = b"".join(p.read_bytes() for p in files)
    for secret in (secret_mail, secret_phone, "Secretnom"):
        assert secret.encode() not in raw, secret
    assert b"voisin07@example.org" in raw  # the check can see what is there
    store.close()
