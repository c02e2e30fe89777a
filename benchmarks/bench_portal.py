"""Sign-in latency (p50/p95), the lockout path under parallel load, and recovery timing parity.

Run: .venv/bin/python benchmarks/bench_portal.py [--rounds N]
PostgreSQL is measured too when MSP_PORTAL_TEST_DSN is set (scripts/start-postgres.sh).

Parity rows divide the p50 of one case by another's: 1.00 means an observer timing the answers
cannot tell the cases apart. Forgot-password requests only queue work, so the cases (verified
account, unknown identifier, locked account) should all read about 1.00.
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
    keyed = timed(lambda: portal.sign_in("bench", PASSWORD, client_key="192.0.2.1"), rounds)
    print("sign-in, right, with client key", percentiles(keyed))
    print(
        "client-key throttling cost, keyed / plain right sign-in (p50): "
        f"{statistics.median(keyed) / statistics.median(right):.2f}"
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
    recovery(portal, strict, rounds)


def recovery(portal: Portal, strict: Portal, rounds: int) -> None:
    """Forgot password for a verified account, an unknown identifier, a locked account."""
    if not hasattr(portal, "deliver_mail"):  # a version without the mail outbox
        print("forgot password: (no mail outbox in this version)")
        return
    store = portal.ctx.store
    for identifier, email in (("bench", "bench@example.org"), ("target", "target@example.org")):
        account = store.account_by_identifier(identifier)
        assert account is not None
        store.mark_email_verified(account.id, email, portal.ctx.now())
    cases = {
        "verified account": "bench",
        "unknown identifier": "nobody",
        "locked account": "target",
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    order = list(cases.items())
    for turn in range(rounds):  # interleaved, each case first in turn: load drifts hit all alike
        for name, identifier in order[turn % 3 :] + order[: turn % 3]:
            start = time.perf_counter()
            portal.forgot_password(identifier, "ok")
            samples[name].append(time.perf_counter() - start)
    for name, values in samples.items():
        print(f"forgot password, {name:<19}", percentiles(values))
    base = statistics.median(samples["verified account"])
    for name in ("unknown identifier", "locked account"):
        print(
            f"timing parity, forgot password {name} / verified account (p50): "
            f"{statistics.median(samples[name]) / base:.2f}"
        )
    start = time.perf_counter()
    report = portal.deliver_mail(limit=10 * rounds)
    print(
        f"mail worker: {report.queued} queued, {report.dropped} dropped (send limits), "
        f"{report.sent} handed over in {time.perf_counter() - start:.2f} s"
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
