"""Send limits and per-client throttling: counted in the store, atomic, the same rule as the domain.

Password spraying (one password tried across many identifiers) never trips the per-account lock;
the per-client budget (the caller passes a client key such as the IP) does. Send limits stop
SMS pumping and mail flooding; both are counted by one conditional UPDATE per bucket, so parallel
requests cannot pass them.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from msp_portal import (
    InvalidCredentials,
    Limit,
    Portal,
    PortalSettings,
    SendLimitReached,
    Session,
    SqlStore,
    TooManyRequests,
)
from msp_portal.domain.limits import QuotaState, bucket, give_back, take
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer
from tests.portal.conftest import START
from tests.portal.helpers import (
    PASSWORD,
    WRONG_PASSWORD,
    CountingHasher,
    SmtpServer,
    new_verified_account,
)

HOUR = timedelta(hours=1)


# --- the rule, in SQL and in the domain ----------------------------------------------------------
def test_the_sql_quota_rule_matches_the_domain_rule(store: SqlStore) -> None:
    limit = Limit(3, HOUR)
    item = bucket("test", "valeur", limit)
    rng = random.Random(20250106)
    state, now = QuotaState(), START
    for _ in range(200):
        now += timedelta(minutes=rng.choice([0, 0, 1, 13, 30, 61]))
        if rng.random() < 0.2:
            store.give_back_quota(item, now)
            state = give_back(state, now)
        else:
            taken, state = take(state, now, limit)
            until = store.take_quota([item], now)
            assert (until is None) == taken
            if not taken:
                assert until == state.window_ends_at
        if state.window_ends_at is not None and state.window_ends_at > now:
            assert store.quota_state(item) == (state.used, state.window_ends_at)


def test_several_buckets_are_taken_all_or_none(store: SqlStore) -> None:
    roomy = bucket("test", "large", Limit(100, HOUR))
    tight = bucket("test", "etroit", Limit(2, HOUR))
    for _ in range(2):
        assert store.take_quota([roomy, tight], START) is None
    assert store.take_quota([roomy, tight], START) == START + HOUR
    assert store.quota_state(roomy) == (2, START + HOUR)  # not counted by the refused take


@pytest.mark.parametrize("workers", [40])
def test_parallel_takes_never_pass_the_limit(store: SqlStore, workers: int) -> None:
    shared = bucket("test", "partage", Limit(7, HOUR))
    barrier = threading.Barrier(workers)

    def one(i: int) -> bool:
        own = bucket("test", f"propre-{i % 3}", Limit(100, HOUR))
        barrier.wait()
        return store.take_quota([own, shared], START) is None

    with ThreadPoolExecutor(workers) as pool:
        answers = Counter(pool.map(one, range(workers)))
    assert answers == {True: 7, False: workers - 7}
    assert store.quota_state(shared) == (7, START + HOUR)
    owned = [store.quota_state(bucket("test", f"propre-{k}", Limit(100, HOUR))) for k in range(3)]
    assert sum(state[0] for state in owned if state) == 7  # refused takes counted nowhere


# --- per-client throttling -----------------------------------------------------------------------
def _throttled_portal(store: SqlStore, clock: FakeClock, hasher: CountingHasher) -> Portal:
    settings = PortalSettings(client_password_failures=Limit(5, timedelta(minutes=15)))
    return Portal(
        store, MemoryMailer(), FakeCaptcha(), clock=clock, hasher=hasher, settings=settings
    )


def test_password_spraying_across_identifiers_is_refused_per_client(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher
) -> None:
    portal = _throttled_portal(store, clock, hasher)
    for n in range(8):
        portal.create_account(f"victime{n}", f"victime{n}@example.org", PASSWORD)
    attacker = "203.0.113.7"
    for n in range(5):  # one guess per account: no account lock is ever near
        with pytest.raises(InvalidCredentials):
            portal.sign_in(f"victime{n}", WRONG_PASSWORD, client_key=attacker)
    checks = hasher.verifications + hasher.dummy_verifications
    with pytest.raises(TooManyRequests) as info:
        portal.sign_in("victime5", WRONG_PASSWORD, client_key=attacker)
    assert info.value.facts["until"] == START + timedelta(minutes=15)
    with pytest.raises(TooManyRequests):  # unknown identifiers are counted the same
        portal.sign_in("inconnu", WRONG_PASSWORD, client_key=attacker)
    assert hasher.verifications + hasher.dummy_verifications == checks  # nothing was checked
    # Other clients, and callers that give no key, are not affected.
    assert isinstance(portal.sign_in("victime6", PASSWORD, client_key="198.51.100.1"), Session)
    assert isinstance(portal.sign_in("victime7", PASSWORD), Session)
    clock.advance(timedelta(minutes=15))
    assert isinstance(portal.sign_in("victime5", PASSWORD, client_key=attacker), Session)


def test_right_passwords_do_not_use_the_clients_budget(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher
) -> None:
    portal = _throttled_portal(store, clock, hasher)
    portal.create_account("bureau", "bureau@example.org", PASSWORD)
    office = "192.0.2.10"  # many users behind one address
    for _ in range(20):
        session = portal.sign_in("bureau", PASSWORD, client_key=office)
        assert isinstance(session, Session)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            portal.sign_in("bureau", WRONG_PASSWORD, client_key=office)
    assert isinstance(portal.sign_in("bureau", PASSWORD, client_key=office), Session)


def test_message_requests_are_counted_per_client(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher
) -> None:
    settings = PortalSettings(client_message_requests=Limit(3, HOUR))
    portal = Portal(
        store, MemoryMailer(), FakeCaptcha(), clock=clock, hasher=hasher, settings=settings
    )
    portal.forgot_password("quelquun", "ok", client_key="c1")
    portal.forgot_identifier("a@example.org", "ok", client_key="c1")
    portal.create_account("nouveau", "nouveau@example.org", PASSWORD, client_key="c1")
    for call in (
        lambda: portal.forgot_password("quelquun", "ok", client_key="c1"),
        lambda: portal.forgot_identifier("a@example.org", "ok", client_key="c1"),
        lambda: portal.create_account("autre", "autre@example.org", PASSWORD, client_key="c1"),
    ):
        with pytest.raises(TooManyRequests):
            call()
    assert store.account_by_identifier("autre") is None
    portal.forgot_password("quelquun", "ok", client_key="c2")


# --- send limits on mail -------------------------------------------------------------------------
def test_email_change_links_are_limited(portal: Portal, account: str) -> None:
    session = portal.sign_in(account, PASSWORD)
    assert isinstance(session, Session)
    for n in range(5):  # 5 an hour per account (settings.mail_per_account)
        portal.request_email_change(session.token, PASSWORD, f"nouvelle{n}@example.org")
    with pytest.raises(SendLimitReached) as info:
        portal.request_email_change(session.token, PASSWORD, "encore@example.org")
    assert info.value.facts["channel"] == "email"


def test_recovery_mail_past_the_limit_is_dropped_silently(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    smtp.clear()
    for _ in range(8):
        portal.forgot_password(account, "ok")  # the same answer every time (it returns nothing)
    report = portal.deliver_mail()
    # The account's verification mail was the first of 5 an hour to this address.
    assert (report.queued, report.dropped) == (4, 4)
    assert len(smtp.messages()) == 4


def test_one_address_is_protected_whatever_the_accounts_asking(
    portal: Portal, smtp: SmtpServer
) -> None:
    """Flooding a stranger's mailbox by creating accounts with it stops at the limit."""
    for n in range(5):
        portal.create_account(f"compte{n}", "victime@example.org", PASSWORD)
    with pytest.raises(SendLimitReached):
        portal.create_account("compte5", "Victime@Example.org", PASSWORD)
    assert portal.ctx.store.account_by_identifier("compte5") is None  # nothing created


def test_a_taken_identifier_gives_the_send_back(portal: Portal) -> None:
    new_verified_account(portal, "jdupont", "jean.dupont@example.org")
    for _ in range(10):
        with pytest.raises(Exception) as info:
            portal.create_account("jdupont", "quelquun@example.org", PASSWORD)
        assert type(info.value).__name__ == "IdentifierTaken"
    portal.create_account("autre", "quelquun@example.org", PASSWORD)  # budget untouched
