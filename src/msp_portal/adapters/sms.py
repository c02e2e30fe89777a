"""SMS through a database outbox: the portal queues, a sender process drains to the operator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from msp_portal.ports import Clock, SmsOutbox


class OutboxSmsGateway:
    """The shipped SMS gateway: each message becomes a row of the outbox, in the portal's DB.

    Queuing keeps the operator's latency and outages out of sign-in, and lets any instance's
    sender deliver what any instance queued.
    """

    def __init__(self, store: SmsOutbox, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def send(self, phone: str, text: str, *, account_id: int | None = None) -> None:
        """Queue ``text`` for ``phone`` (deleted with ``account_id``'s account)."""
        self.store.enqueue_sms(phone, text, self.clock(), account_id=account_id)


class SmsSender(Protocol):
    """The SMS operator's API, plugged in by the service."""

    def send(self, phone: str, text: str) -> None:
        """Hand one SMS to the operator; raise any exception on failure."""


@dataclass(frozen=True)
class DrainReport:
    """What one pass over the outbox did."""

    sent: int
    failed: int


def drain_outbox(
    store: SmsOutbox, sender: SmsSender, clock: Clock, *, max_attempts: int = 5, limit: int = 100
) -> DrainReport:
    """Hand pending SMS to ``sender``, oldest first; failed ones go back with their error.

    Each message is claimed (marked sent) before it is handed over, so two senders never send
    the same message; a sender that dies between claim and hand-over loses that message rather
    than sending it twice (an SMS code can always be asked for again).
    """
    sent = failed = 0
    for message in store.outbox(pending_only=True)[:limit]:
        if message.attempts >= max_attempts or not store.claim_sms(message.id, clock()):
            continue
        try:
            sender.send(message.phone, message.body)
        except Exception as exc:  # any operator failure is recorded and retried
            store.release_sms(message.id, f"{type(exc).__name__}: {exc}")
            failed += 1
        else:
            sent += 1
    return DrainReport(sent, failed)
