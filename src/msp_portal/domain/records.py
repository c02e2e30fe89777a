"""What the store hands the services: accounts, sessions, links, codes and queued messages.

These are plain values; any store (the SQL adapter, or another implementing
:class:`msp_portal.ports.Store`) returns them, so that the services never depend on how they are
kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from msp_portal.domain.emails import Email
from msp_portal.domain.lockout import LockState


@dataclass(frozen=True)
class AccountRecord:
    """An account as stored (a deleted account is never returned)."""

    id: int
    identifier: str
    email: str
    password_hash: str
    password_version: int
    failed_count: int
    locked_until: datetime | None
    sms_phone: str | None
    unlock_code_hash: str | None
    created_at: datetime
    email_verified_at: datetime | None = None

    @property
    def lock_state(self) -> LockState:
        """The account's lock counters as the domain sees them."""
        return LockState(self.failed_count, self.locked_until)

    @property
    def email_verified(self) -> bool:
        """Whether the holder proved that the address is theirs (see docs/portal.md)."""
        return self.email_verified_at is not None


@dataclass(frozen=True)
class Admission:
    """Answer of :meth:`msp_portal.ports.AccountStore.admit_password_check`."""

    admitted: bool
    state: LockState
    password_hash: str | None


@dataclass(frozen=True)
class SessionRecord:
    """A live session after it was touched."""

    account_id: int
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class LinkTokenRecord:
    """An emailed link's stored facts; ``new_email`` is the address the link is about."""

    account_id: int
    purpose: str
    password_version: int
    new_email: str | None


@dataclass(frozen=True)
class ChallengeEntry:
    """One entry taken on an SMS code: the facts needed to check it."""

    account_id: int
    phone: str
    code_hash: str
    salt: str
    entries: int


@dataclass(frozen=True)
class PartnerLinkRecord:
    """A link with a partner organisation."""

    partner_code: str
    partner_reference: str
    linked_at: datetime


@dataclass(frozen=True)
class OutboxMessage:
    """An SMS waiting in (or sent from) the outbox."""

    id: int
    phone: str
    body: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    account_id: int | None = None


@dataclass(frozen=True)
class QueuedMail:
    """An email waiting in (or sent from) the mail outbox."""

    id: int
    email: Email
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    account_id: int | None = None


@dataclass(frozen=True)
class RecoveryRequest:
    """A "forgot identifier" or "forgot password" request, resolved later by the mail worker.

    ``lookup`` is what was typed, normalised: an email key or an identifier. It is kept only
    until the worker takes the request.
    """

    id: int
    kind: str
    lookup: str
    created_at: datetime
