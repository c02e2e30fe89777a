"""Parallel attempts on SQLite and PostgreSQL (django-axes #592/#784, pyotp #61 must not happen).

The lock's counter is admitted-and-counted in one UPDATE: 100 wrong attempts fired at once, from
threads or from processes with their own connections, are counted exactly, and no 6th password
check ever runs before the lock. Run the parallel tests 20 times in a row with:
    for i in $(seq 20); do .venv/bin/pytest -q tests/portal/test_concurrency.py || break; done
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from msp_portal import (
    LinkInvalid,
    Portal,
    PortalSettings,
    Session,
    SmsChallenge,
    SmsChallengeInvalid,
    SmsCodeInvalid,
)
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer
from tests.portal._workers import Job, process_main, wrong_attempts
from tests.portal.conftest import START
from tests.portal.helpers import (
    PASSWORD,
    CountingHasher,
    StoreSpec,
    body,
    link_token,
    new_verified_account,
)

ATTEMPTS = 100


def _portal(store: SqlStore, hasher: CountingHasher, threshold: int = 5) -> Portal:
    return Portal(
        store,
        MemoryMailer(),
        FakeCaptcha(),
        clock=FakeClock(START),
        hasher=hasher,
        settings=PortalSettings(lock_threshold=threshold),
    )


def _check_lock(store: SqlStore, outcomes: list[str], checks: int, threshold: int) -> None:
    record = store.account_by_identifier("cible")
    assert record is not None
    counts = Counter(outcomes)
    assert sum(counts.values()) == ATTEMPTS
    if threshold == 5:
        assert checks == 5  # never a 6th password check
        assert counts == {"invalid": 4, "locked": ATTEMPTS - 4}
        assert record.failed_count == 5
        assert record.locked_until == START + timedelta(hours=2)
    else:
        assert checks == ATTEMPTS  # every failure counted exactly once
        assert counts == {"invalid": ATTEMPTS}
        assert record.failed_count == ATTEMPTS
        assert record.locked_until is None


@pytest.mark.parametrize("threshold", [5, 1000], ids=["lock-at-5", "count-all"])
def test_parallel_wrong_attempts_in_threads(
    store: SqlStore, hasher: CountingHasher, threshold: int
) -> None:
    portal = _portal(store, hasher, threshold)
    portal.create_account("cible", "cible@example.org", PASSWORD)
    outcomes = wrong_attempts(portal, "cible", ATTEMPTS)
    _check_lock(store, outcomes, hasher.verifications, threshold)


@pytest.mark.parametrize("threshold", [5, 1000], ids=["lock-at-5", "count-all"])
def test_parallel_wrong_attempts_in_processes(
    store_spec: StoreSpec, store: SqlStore, hasher: CountingHasher, threshold: int
) -> None:
    _portal(store, hasher, threshold).create_account("cible", "cible@example.org", PASSWORD)
    processes, threads = 10, ATTEMPTS // 10
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    children = [
        context.Process(
            target=process_main,
            args=(Job(store_spec, threshold, START, threads), ready, go, results),
        )
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    try:
        for _ in children:
            assert ready.get(timeout=120) == "ready"
        go.set()
        outcomes: list[str] = []
        checks = 0
        for _ in children:
            answers, verified = results.get(timeout=300)
            outcomes += answers
            checks += verified
    finally:
        for child in children:
            child.join(timeout=60)
            if child.is_alive():
                child.kill()
    assert all(child.exitcode == 0 for child in children)
    _check_lock(store, outcomes, checks, threshold)


def _run_together(count: int, action: object) -> list[str]:
    barrier = threading.Barrier(count)

    def run(_: int) -> str:
        barrier.wait()
        try:
            action()  # type: ignore[operator]
        except Exception as exc:
            return type(exc).__name__
        return "ok"

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def _sms_account(store: SqlStore, hasher: CountingHasher) -> tuple[Portal, SmsChallenge, str]:
    portal = _portal(store, hasher)
    portal.create_account("cible", "cible@example.org", PASSWORD)
    record = store.account_by_identifier("cible")
    assert record is not None
    store.enable_sms(record.id, "+33612345678", "0" * 64)
    challenge = portal.sign_in("cible", PASSWORD)
    assert isinstance(challenge, SmsChallenge)
    code = store.outbox()[-1].body.split("est ")[1][:6]
    return portal, challenge, code


def test_parallel_wrong_sms_codes_never_pass_the_entry_limit(
    store: SqlStore, hasher: CountingHasher
) -> None:
    portal, challenge, code = _sms_account(store, hasher)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = Counter(_run_together(20, lambda: portal.complete_sign_in(challenge.token, wrong)))
    assert answers == {SmsCodeInvalid.__name__: 2, SmsChallengeInvalid.__name__: 18}
    with pytest.raises(SmsChallengeInvalid):  # three entries used: the right code is refused
        portal.complete_sign_in(challenge.token, code)


def test_an_sms_code_sent_in_parallel_is_accepted_once(
    store: SqlStore, hasher: CountingHasher
) -> None:
    portal, challenge, code = _sms_account(store, hasher)
    answers = Counter(_run_together(10, lambda: portal.complete_sign_in(challenge.token, code)))
    assert answers["ok"] == 1
    assert answers["ok"] + answers[SmsChallengeInvalid.__name__] == 10
    assert store.session_count(store.account_by_identifier("cible").id) == 1  # type: ignore[union-attr]


def test_a_reset_link_used_in_parallel_works_once(
    store: SqlStore, mailer: object, smtp: object, hasher: CountingHasher
) -> None:
    portal = Portal(store, mailer, FakeCaptcha(), clock=FakeClock(START), hasher=hasher)  # type: ignore[arg-type]
    new_verified_account(portal, "cible", "cible@example.org")
    portal.forgot_password("cible", "ok")
    portal.deliver_mail()
    token = link_token(body(smtp.messages()[-1]))  # type: ignore[attr-defined]
    answers = Counter(
        _run_together(8, lambda: portal.reset_password(token, "nouvelle phrase bien longue"))
    )
    assert answers == {"ok": 1, LinkInvalid.__name__: 7}
    assert isinstance(portal.sign_in("cible", "nouvelle phrase bien longue"), Session)
