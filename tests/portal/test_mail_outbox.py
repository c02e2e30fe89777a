"""Mail goes through an outbox: recovery answers the same, doing the same work, in every case.

"The same time" is checked by counting, not timing: the public call makes the same store calls,
in the same order, and never reaches the mail relay, whether the identifier exists, the account
is locked, the address is unverified, or the relay is down. The worker (``deliver_mail``) does the
rest, against the real SMTP server these tests start, with retries.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest

from msp_portal import (
    AccountLocked,
    DeliveryFailed,
    Email,
    InvalidCredentials,
    Portal,
    PortalSettings,
    SmtpConfig,
    SmtpMailer,
    SmtpSecurity,
    SqlStore,
)
from msp_portal.ports import Store
from msp_portal.testing import FakeCaptcha, FakeClock
from tests.portal.helpers import (
    PASSWORD,
    WRONG_PASSWORD,
    CountingHasher,
    SmtpServer,
    body,
    new_verified_account,
)


class RecordingStore:
    """Any object with the Store methods will do: this one passes each call on and notes it."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if not callable(target):
            return target

        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return target(*args, **kwargs)

        return recorded


class DeadRelay:
    """A mailer whose relay is down; counts how often it was asked."""

    def __init__(self) -> None:
        self.asked = 0

    def send(self, email: Email) -> None:
        self.asked += 1
        raise DeliveryFailed("relay down", channel="email", reason="ConnectionRefusedError")


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again: nothing listens there


@pytest.fixture
def recorded(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher
) -> tuple[Portal, RecordingStore, DeadRelay]:
    wrapper = RecordingStore(store)
    relay = DeadRelay()
    portal = Portal(wrapper, relay, FakeCaptcha("ok"), clock=clock, hasher=hasher)  # type: ignore[arg-type]
    new_verified_account(portal, "verifie", "verifie@example.org")
    portal.create_account("nouveau", "nouveau@example.org", PASSWORD)  # never verified
    new_verified_account(portal, "verrouille", "verrouille@example.org")
    for _ in range(5):
        with pytest.raises((InvalidCredentials, AccountLocked)):
            portal.sign_in("verrouille", WRONG_PASSWORD)
    return portal, wrapper, relay


@pytest.mark.parametrize("call", ["forgot_password", "forgot_identifier"])
def test_recovery_does_the_same_work_whatever_the_account_and_the_relay(
    recorded: tuple[Portal, RecordingStore, DeadRelay], call: str
) -> None:
    portal, wrapper, relay = recorded
    cases = {
        "forgot_password": ["verifie", "nouveau", "verrouille", "inconnu", "x" * 200],
        "forgot_identifier": [
            "verifie@example.org",
            "nouveau@example.org",
            "VERIFIE@example.org",
            "personne@example.org",
        ],
    }[call]
    traces = {}
    asked = relay.asked
    for value in cases:
        wrapper.calls.clear()
        assert getattr(portal, call)(value, "ok") is None
        traces[value] = list(wrapper.calls)
    assert relay.asked == asked  # the relay is never reached by the public call
    assert len({tuple(trace) for trace in traces.values()}) == 1, traces
    assert traces[cases[0]] == ["add_recovery_request"]


def test_a_relay_outage_keeps_mail_queued_and_retries_it_later(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, smtp: SmtpServer
) -> None:
    down = SmtpMailer(SmtpConfig("127.0.0.1", _dead_port(), security=SmtpSecurity.NONE, timeout=5))
    portal = Portal(store, down, FakeCaptcha(), clock=clock, hasher=hasher)
    portal.create_account("jdupont", "jean.dupont@example.org", PASSWORD)
    report = portal.deliver_mail()
    assert (report.sent, report.failed) == (0, 1)
    [queued] = store.mail_outbox(pending_only=True)
    assert queued.attempts == 1 and "ConnectionRefused" in (queued.last_error or "")
    assert queued.next_attempt_at == clock() + timedelta(minutes=1)
    assert portal.deliver_mail().failed == 0  # not due yet: nothing tried
    clock.advance(timedelta(minutes=1))
    assert portal.deliver_mail().failed == 1
    [queued] = store.mail_outbox(pending_only=True)
    assert queued.next_attempt_at == clock() + timedelta(minutes=2)  # 1, 2, 4 ... minutes

    up = SmtpMailer(SmtpConfig("127.0.0.1", smtp.port, security=SmtpSecurity.NONE))
    portal = Portal(store, up, FakeCaptcha(), clock=clock, hasher=hasher)
    clock.advance(timedelta(minutes=2))
    assert portal.deliver_mail().sent == 1
    assert smtp.recipients() == [["jean.dupont@example.org"]]
    assert "verifier-adresse" in body(smtp.messages()[0])
    assert store.mail_outbox(pending_only=True) == []
    assert portal.deliver_mail().sent == 0  # nothing is sent twice


def test_mail_is_given_up_after_the_configured_attempts(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher
) -> None:
    relay = DeadRelay()
    settings = PortalSettings(mail_max_attempts=3)
    portal = Portal(store, relay, FakeCaptcha(), clock=clock, hasher=hasher, settings=settings)
    portal.create_account("jdupont", "jean.dupont@example.org", PASSWORD)
    for _ in range(10):
        portal.deliver_mail()
        clock.advance(timedelta(hours=1))
    assert relay.asked == 3
    [left] = store.mail_outbox(pending_only=True)
    assert left.attempts == 3
    clock.advance(timedelta(days=7))
    assert portal.purge_outboxes() >= 1
    assert store.mail_outbox() == []


def test_two_workers_never_send_the_same_mail(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, mailer: SmtpMailer, smtp: SmtpServer
) -> None:
    import threading

    portal = Portal(store, mailer, FakeCaptcha(), clock=clock, hasher=hasher)
    for n in range(6):
        portal.create_account(f"compte{n}", f"compte{n}@example.org", PASSWORD)
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        portal.deliver_mail()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r[0] for r in smtp.recipients()) == [f"compte{n}@example.org" for n in range(6)]
