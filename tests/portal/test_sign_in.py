"""Sign-in and the lock (A2, A5): five failures lock for exactly two hours; sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from msp_portal import (
    AccountLocked,
    InvalidCredentials,
    InvalidInput,
    Portal,
    PortalSettings,
    Session,
)
from msp_portal.adapters.sql.schema import accounts, sessions
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.domain.tokens import hash_token
from msp_portal.settings import Argon2Params
from msp_portal.testing import FakeCaptcha, FakeClock
from tests.portal.helpers import PASSWORD, WRONG_PASSWORD, CountingHasher


def _fail(portal: Portal, times: int, identifier: str = "jdupont") -> list[type[Exception]]:
    seen: list[type[Exception]] = []
    for _ in range(times):
        with pytest.raises((InvalidCredentials, AccountLocked)) as info:
            portal.sign_in(identifier, WRONG_PASSWORD)
        seen.append(type(info.value))
    return seen


def test_right_password_opens_a_session(portal: Portal, account: str, store: SqlStore) -> None:
    session = portal.sign_in(account, PASSWORD)
    assert isinstance(session, Session)
    assert len(session.token) >= 43  # 256 bits in URL-safe base64
    assert portal.authenticate(session.token) == account
    with store.engine.connect() as conn:
        stored = conn.execute(select(sessions.c.token_hash)).scalars().all()
    assert stored == [hash_token(session.token)]
    assert session.token not in stored


def test_identifiers_are_case_sensitive(portal: Portal, account: str) -> None:
    with pytest.raises(InvalidCredentials):
        portal.sign_in("JDupont", PASSWORD)


def test_five_failures_lock_for_exactly_two_hours(
    portal: Portal, account: str, clock: FakeClock, hasher: CountingHasher
) -> None:
    assert _fail(portal, 5) == [InvalidCredentials] * 4 + [AccountLocked]
    locked_at = clock()
    assert hasher.verifications == 5

    # While locked: refused without any password check, even with the right password.
    clock.advance(timedelta(hours=1, minutes=59, seconds=59))
    with pytest.raises(AccountLocked) as info:
        portal.sign_in(account, PASSWORD)
    assert info.value.facts["until"] == locked_at + timedelta(hours=2)
    assert hasher.verifications == 5

    clock.advance(timedelta(seconds=1))  # exactly 2:00:00 after the lock
    assert isinstance(portal.sign_in(account, PASSWORD), Session)
    assert hasher.verifications == 6


def test_attempts_while_locked_do_not_extend_the_lock(
    portal: Portal, account: str, clock: FakeClock, hasher: CountingHasher
) -> None:
    _fail(portal, 5)
    locked_at = clock()
    for _ in range(10):
        clock.advance(timedelta(minutes=10))
        with pytest.raises(AccountLocked) as info:
            portal.sign_in(account, WRONG_PASSWORD)
        assert info.value.facts["until"] == locked_at + timedelta(hours=2)
    assert hasher.verifications == 5
    clock.set(locked_at + timedelta(hours=2))
    assert isinstance(portal.sign_in(account, PASSWORD), Session)


def test_success_resets_the_count(portal: Portal, account: str, store: SqlStore) -> None:
    _fail(portal, 4)
    portal.sign_in(account, PASSWORD)
    record = store.account_by_identifier(account)
    assert record is not None and record.failed_count == 0
    assert _fail(portal, 4) == [InvalidCredentials] * 4  # four more: still not locked
    assert isinstance(portal.sign_in(account, PASSWORD), Session)


def test_a_lock_that_ran_out_starts_a_new_count(
    portal: Portal, account: str, clock: FakeClock
) -> None:
    _fail(portal, 5)
    clock.advance(timedelta(hours=2))
    assert _fail(portal, 4) == [InvalidCredentials] * 4
    assert _fail(portal, 1) == [AccountLocked]


@pytest.mark.parametrize("identifier", ["", "   ", "inconnu", "JDUPONT", "jdupont\u200b", "é" * 70])
def test_unknown_or_empty_identifier_answers_like_a_wrong_password(
    portal: Portal, account: str, store: SqlStore, hasher: CountingHasher, identifier: str
) -> None:
    before = _rows(store)
    for _ in range(7):
        with pytest.raises(InvalidCredentials) as info:
            portal.sign_in(identifier, WRONG_PASSWORD)
        assert info.value.code == "invalid-credentials"
    assert hasher.dummy_verifications == 7  # an argon2 check each time, as for a real account
    assert hasher.verifications == 0
    assert _rows(store) == before  # nothing stored, no lock anywhere
    assert isinstance(portal.sign_in("jdupont", PASSWORD), Session)


@pytest.mark.parametrize("identifier", ["jdupont\x00", "\ud800", "j" * 1_000_000, "a\x85b"])
def test_identifiers_that_are_not_text_are_refused_before_any_check(
    portal: Portal, account: str, store: SqlStore, hasher: CountingHasher, identifier: str
) -> None:
    before = _rows(store)
    with pytest.raises(InvalidInput) as info:
        portal.sign_in(identifier, WRONG_PASSWORD)
    assert info.value.facts["field"] == "identifier"
    assert hasher.dummy_verifications == hasher.verifications == 0
    assert _rows(store) == before


def _rows(store: SqlStore) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(accounts))]


def test_passwords_are_stored_with_argon2id_at_owasp_cost(
    portal: Portal, account: str, store: SqlStore
) -> None:
    record = store.account_by_identifier(account)
    assert record is not None
    assert record.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in record.password_hash


def test_sign_in_rehashes_when_the_parameters_change(
    portal: Portal, account: str, store: SqlStore, clock: FakeClock
) -> None:
    stronger = PortalSettings(argon2=Argon2Params(memory_kib=20 * 1024, time_cost=3))
    upgraded = Portal(store, portal.ctx.mailer, FakeCaptcha(), clock=clock, settings=stronger)
    assert isinstance(upgraded.sign_in(account, PASSWORD), Session)
    record = store.account_by_identifier(account)
    assert record is not None
    assert record.password_hash.startswith("$argon2id$v=19$m=20480,t=3,p=1$")
    # The old parameters still verify the new hash, and the password still works everywhere.
    assert isinstance(portal.sign_in(account, PASSWORD), Session)


def test_argon2_parameters_below_owasp_are_refused() -> None:
    with pytest.raises(ValueError, match="OWASP"):
        Argon2Params(memory_kib=16 * 1024)
    with pytest.raises(ValueError, match="OWASP"):
        Argon2Params(time_cost=1)


def test_password_is_nfkc_normalised_at_sign_in(portal: Portal) -> None:
    portal.create_account("marie", "marie@example.org", "ｃａｆé crème très chaud")
    assert isinstance(portal.sign_in("marie", "café crème très chaud"), Session)
    # é typed as e + combining acute is the same password after NFKC.
    assert isinstance(portal.sign_in("marie", "cafe\u0301 crème très chaud"), Session)


# --- sessions -------------------------------------------------------------------------------------
def test_session_idle_timeout(portal: Portal, account: str, clock: FakeClock) -> None:
    session = portal.sign_in(account, PASSWORD)
    assert isinstance(session, Session)
    clock.advance(timedelta(minutes=29, seconds=59))
    assert portal.authenticate(session.token) == account  # use renews the idle deadline
    clock.advance(timedelta(minutes=29, seconds=59))
    assert portal.authenticate(session.token) == account
    clock.advance(timedelta(minutes=30))
    with pytest.raises(Exception) as info:
        portal.authenticate(session.token)
    assert info.value.code == "session-invalid"  # type: ignore[attr-defined]


def test_session_absolute_timeout(portal: Portal, account: str, clock: FakeClock) -> None:
    session = portal.sign_in(account, PASSWORD)
    assert isinstance(session, Session)
    assert session.expires_at == session.created_at + timedelta(hours=12)
    for _ in range(12 * 4 - 1):  # used every 15 minutes: never idle
        clock.advance(timedelta(minutes=15))
        assert portal.authenticate(session.token) == account
    clock.advance(timedelta(minutes=15))  # 12 hours after sign-in
    with pytest.raises(Exception) as info:
        portal.authenticate(session.token)
    assert info.value.code == "session-invalid"  # type: ignore[attr-defined]


def test_sign_out_ends_only_that_session(portal: Portal, account: str) -> None:
    first = portal.sign_in(account, PASSWORD)
    second = portal.sign_in(account, PASSWORD)
    assert isinstance(first, Session) and isinstance(second, Session)
    portal.sign_out(first.token)
    with pytest.raises(Exception) as info:
        portal.authenticate(first.token)
    assert info.value.code == "session-invalid"  # type: ignore[attr-defined]
    assert portal.authenticate(second.token) == account
    portal.sign_out("not-a-token")  # unknown tokens are ignored


def test_an_unencodable_password_is_refused_without_counting_toward_the_lock(
    portal: Portal, account: str, store: SqlStore, hasher: CountingHasher
) -> None:
    """A JSON API passes "\\ud800" through; it used to crash argon2 after the check was counted."""
    for _ in range(10):
        with pytest.raises(InvalidInput) as info:
            portal.sign_in(account, "mot de passe \ud800")
        assert info.value.facts == {"field": "password", "reason": "unencodable"}
    record = store.account_by_identifier(account)
    assert record is not None and record.failed_count == 0
    assert hasher.verifications == 0
    assert isinstance(portal.sign_in(account, PASSWORD), Session)
