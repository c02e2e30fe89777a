"""Code run in child processes by the concurrency tests (importable by 'spawn')."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from msp_portal import AccountLocked, InvalidCredentials, Portal, PortalSettings
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer
from tests.portal.helpers import WRONG_PASSWORD, CountingHasher, StoreSpec


def wrong_attempts(
    portal: Portal, identifier: str, count: int, start: threading.Barrier | None = None
) -> list[str]:
    """Fire ``count`` wrong sign-ins at once from ``count`` threads; return the answers."""
    barrier = start or threading.Barrier(count)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            portal.sign_in(identifier, WRONG_PASSWORD)
        except InvalidCredentials:
            return "invalid"
        except AccountLocked:
            return "locked"
        return "signed-in"

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


@dataclass(frozen=True)
class Job:
    """What one child process does: ``threads`` wrong attempts against ``spec``'s database."""

    spec: StoreSpec
    threshold: int
    now: datetime
    threads: int


def process_main(job: Job, ready: Any, go: Any, results: Any) -> None:
    """One child process: its own engine and pool, ``threads`` attempts when ``go`` is set."""
    spec, threshold, now, threads = job.spec, job.threshold, job.now, job.threads
    try:
        store = spec.open(migrate=False, pool_size=threads)
        hasher = CountingHasher()
        portal = Portal(
            store,
            MemoryMailer(),
            FakeCaptcha(),
            clock=FakeClock(now),
            hasher=hasher,
            settings=PortalSettings(lock_threshold=threshold),
        )
        store.account_by_identifier("cible")  # connect before the start line
        ready.put("ready")
        go.wait(60)
        outcomes = wrong_attempts(portal, "cible", threads)
        results.put((outcomes, hasher.verifications))
        store.close()
    except BaseException as exc:
        results.put(([f"error: {exc!r}"], 0))
        raise
