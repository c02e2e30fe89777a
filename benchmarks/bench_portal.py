"""Sign-in latency (p50/p95) and the lockout path under parallel load, on SQLite and PostgreSQL.

Run: .venv/bin/python benchmarks/bench_portal.py [--rounds N]
PostgreSQL is measured too when MSP_PORTAL_TEST_DSN is set (scripts/start-postgres.sh).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine

from msp_portal import AccountLocked, InvalidCredentials, Portal, PortalSettings, SqlStore
from msp_portal.adapters.argon2_hasher import Argon2Hasher
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer

PASSWORD = "cheval agrafe pile correcte"
WRONG = "pas le bon mot de passe"


class CountingHasher(Argon2Hasher):
    def __init__(self) -> None:
        super().__init__()
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.checks += 1
        return super().verify(password_hash, password)


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p50 = statistics.median(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  (n={len(ms)})"


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        with contextlib.suppress(InvalidCredentials, AccountLocked):
            fn()
        samples.append(time.perf_counter() - start)
    return samples


def bench(name: str, store: SqlStore, rounds: int) -> None:
    clock = FakeClock(datetime(2025, 1, 6, 9, 0, tzinfo=UTC))
    hasher = CountingHasher()
    # A threshold out of reach, so that wrong passwords keep being checked for the timing rows.
    relaxed = PortalSettings(lock_threshold=10**9)
    portal = Portal(
        store, MemoryMailer(), FakeCaptcha(), clock=clock, hasher=hasher, settings=relaxed
    )
    portal.create_account("bench", "bench@example.org", PASSWORD)
    print(f"\n== {name}")
    right = timed(lambda: portal.sign_in("bench", PASSWORD), rounds)
    wrong = timed(lambda: portal.sign_in("bench", WRONG), rounds)
    unknown = timed(lambda: portal.sign_in("nobody", WRONG), rounds)
    print("sign-in, right password        ", percentiles(right))
    print("sign-in, wrong password        ", percentiles(wrong))
    print("sign-in, unknown identifier    ", percentiles(unknown))
    print(
        "timing parity, unknown / wrong password (p50): "
        f"{statistics.median(unknown) / statistics.median(wrong):.2f}"
    )

    strict = Portal(store, MemoryMailer(), FakeCaptcha(), clock=clock, hasher=hasher)
    strict.create_account("target", "target@example.org", PASSWORD)
    attempts, workers = 400, 32
    hasher.checks = 0
    outcomes: list[str] = []
    latencies: list[float] = []
    barrier = threading.Barrier(workers)

    def attack(i: int) -> None:
        if i < workers:
            barrier.wait()
        start = time.perf_counter()
        try:
            strict.sign_in("target", WRONG)
            outcome = "signed-in"
        except InvalidCredentials:
            outcome = "invalid"
        except AccountLocked:
            outcome = "locked"
        latencies.append(time.perf_counter() - start)
        outcomes.append(outcome)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(attack, range(attempts)))
    wall = time.perf_counter() - start
    print(
        f"lockout: {attempts} parallel wrong attempts ({workers} threads) in {wall:.2f} s "
        f"= {attempts / wall:.0f}/s; password checks: {hasher.checks}; "
        f"answers: {outcomes.count('invalid')} invalid, {outcomes.count('locked')} locked"
    )
    print("lockout: answer latency        ", percentiles(latencies))
    while_locked = timed(lambda: strict.sign_in("target", PASSWORD), rounds)
    print("sign-in while locked (no check)", percentiles(while_locked))
    print(
        "refusal while locked vs a password check (p50): "
        f"{statistics.median(while_locked) / statistics.median(wrong):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = SqlStore.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        bench("SQLite (file, WAL)", store, args.rounds)
        store.close()
    dsn = os.environ.get("MSP_PORTAL_TEST_DSN")
    if dsn:
        schema = "bench_" + uuid.uuid4().hex[:12]
        store = SqlStore.open(dsn, schema=schema)
        try:
            bench("PostgreSQL", store, args.rounds)
        finally:
            store.close()
            engine = create_engine(dsn)
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            engine.dispose()
    else:
        print("\n(PostgreSQL skipped: MSP_PORTAL_TEST_DSN not set)")


if __name__ == "__main__":
    main()
