"""The lock rule (A5): count failed password checks, lock at the threshold, unlock by itself.

A password check is counted as a failure *before* it runs and forgiven when it succeeds. That is
what makes the limit hold under parallel attempts: the admission and the count are one decision,
so at most ``threshold`` checks can run between two successes, however many arrive at once. The
attempt that reaches the threshold sets the lock at once, so concurrent attempts are refused
while it runs; if its password turns out right, its success lifts the lock.

The SQL store applies exactly this rule in one conditional UPDATE (see ``adapters.sql.store``);
the tests check both against each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockPolicy:
    """How many consecutive failures lock an account, and for how long."""

    threshold: int = 5
    duration: timedelta = timedelta(hours=2)


@dataclass(frozen=True)
class LockState:
    """Failed checks counted since the last success or lock expiry, and the lock's end."""

    failures: int = 0
    locked_until: datetime | None = None


def is_locked(state: LockState, now: datetime) -> bool:
    """Whether ``state`` refuses attempts at ``now``: locked until exactly ``locked_until``."""
    return state.locked_until is not None and now < state.locked_until


def admit(state: LockState, now: datetime, policy: LockPolicy) -> tuple[bool, LockState]:
    """Decide whether a password check may run at ``now``; returns (admitted, new state).

    A refused attempt leaves the state unchanged: attempts made while locked neither count nor
    extend the lock.
    """
    if is_locked(state, now):
        return False, state
    # A lock that has run out starts a fresh count.
    failures = (0 if state.locked_until is not None else state.failures) + 1
    locked_until = now + policy.duration if failures >= policy.threshold else None
    return True, LockState(failures, locked_until)


def succeed() -> LockState:
    """The state after a successful sign-in: count reset, no lock."""
    return LockState()
