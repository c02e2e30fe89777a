"""Code run in child processes by the procedures' concurrency and crash tests."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from msp_portal import Portal
from msp_portal.errors import PortalError
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer
from tests.portal.helpers import CountingHasher, StoreSpec


@dataclass(frozen=True)
class StartJob:
    """``tokens`` sessions starting the same procedure at once, from one process."""

    spec: StoreSpec
    now: datetime
    tokens: tuple[str, ...]
    procedure: str


def parallel_starts(
    portal: Portal, tokens: tuple[str, ...], procedure: str, barrier: Any
) -> list[str]:
    """Start ``procedure`` from every session at once; each answer is an id or an error code."""

    def one(token: str) -> str:
        barrier.wait()
        try:
            return "won:" + portal.start_procedure(token, procedure).dossier_id
        except PortalError as error:
            return f"{error.code}:{error.facts.get('dossier', '')}"

    with ThreadPoolExecutor(len(tokens)) as pool:
        return list(pool.map(one, tokens))


def start_process(job: StartJob, barrier: Any, results: Any) -> None:
    try:
        store = job.spec.open(migrate=False, pool_size=len(job.tokens))
        portal = Portal(
            store, MemoryMailer(), FakeCaptcha(), clock=FakeClock(job.now), hasher=CountingHasher()
        )
        store.account_by_identifier("x")  # connect before the start line
        local = threading.Barrier(len(job.tokens))
        barrier.wait(120)
        results.put(parallel_starts(portal, job.tokens, job.procedure, local))
        store.close()
    except BaseException as exc:
        results.put([f"error: {exc!r}"])
        raise


def die() -> None:
    """SIGKILL this process: no cleanup, no flush, exactly as a crash."""
    os.kill(os.getpid(), signal.SIGKILL)
