"""Counted budgets: send limits per account and destination, per-client throttling, retries.

A budget allows ``count`` uses per window. The window starts at the first use after the previous
one ended (a fixed window, not a sliding one: at most ``2 * count`` uses fit in any span of one
window, straddling two windows). The SQL store applies :func:`take` in one conditional UPDATE per
bucket; the tests check both against each other, as for the lock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    """``count`` uses per ``window``."""

    count: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.count < 1 or self.window <= timedelta(0):
            raise ValueError("a limit needs a count of at least 1 and a positive window")


@dataclass(frozen=True)
class Bucket:
    """One counted budget: a hashed key (scope, window, value), its limit, and its account."""

    key: str
    limit: Limit
    account_id: int | None = None


@dataclass(frozen=True)
class QuotaState:
    """Uses counted in the current window, and when that window ends."""

    used: int = 0
    window_ends_at: datetime | None = None


# Scopes of the buckets: what is counted, and per what.
SMS_PER_ACCOUNT = "sms-account"
SMS_PER_DESTINATION = "sms-to"
MAIL_PER_ACCOUNT = "mail-account"
MAIL_PER_DESTINATION = "mail-to"
CLIENT_PASSWORD = "client-password"  # noqa: S105 - a scope name, not a secret
CLIENT_MESSAGES = "client-messages"


def bucket(scope: str, value: str, limit: Limit, *, account_id: int | None = None) -> Bucket:
    """The bucket counting ``scope`` uses for ``value`` (an account id, a number, a client key).

    Only a SHA-256 of the value is stored: the counters name no phone number or address.
    """
    seconds = int(limit.window.total_seconds())
    raw = f"{scope}\x1f{seconds}\x1f{value}".encode("utf-8", "surrogatepass")
    return Bucket(hashlib.sha256(raw).hexdigest(), limit, account_id)


def buckets(
    scope: str, value: str, limits: tuple[Limit, ...], *, account_id: int | None = None
) -> list[Bucket]:
    """One bucket per limit (e.g. an hourly and a daily one)."""
    return [bucket(scope, value, limit, account_id=account_id) for limit in limits]


def take(state: QuotaState, now: datetime, limit: Limit) -> tuple[bool, QuotaState]:
    """Decide whether one more use fits at ``now``; returns (taken, new state).

    A refusal leaves the state unchanged; an ended window starts a new one at ``now``.
    """
    if state.window_ends_at is None or state.window_ends_at <= now:
        return True, QuotaState(1, now + limit.window)
    if state.used >= limit.count:
        return False, state
    return True, QuotaState(state.used + 1, state.window_ends_at)


def give_back(state: QuotaState, now: datetime) -> QuotaState:
    """Return one use to a window that is still running (the attempt turned out legitimate)."""
    if state.window_ends_at is None or state.window_ends_at <= now or state.used <= 0:
        return state
    return QuotaState(state.used - 1, state.window_ends_at)


def retry_delay(attempts: int, *, first: timedelta = timedelta(minutes=1)) -> timedelta:
    """Wait before the next hand-over after ``attempts`` failures: 1, 2, 4 ... minutes, 1 h max."""
    doubling = 1 << min(max(attempts - 1, 0), 16)
    return min(first * doubling, timedelta(hours=1))
