"""Online procedures, side by side on SQLite and PostgreSQL in one run.

* "Mon suivi" for an account with 1 000 dossiers (950 transmitted with 1 to 3 deliveries, 50
  saved drafts): p50 / p95 of ``Portal.my_tracking`` (session check, two queries, the seal of
  every transmitted dossier checked), beside the floor: the same two SELECTs alone. Target p95
  <= 20 ms.
* 100 parallel transmissions of distinct dossiers (100 distinct references expected) and 20
  parallel transmissions of one dossier (one reference, one delivery per organisation), beside
  the same transmissions made one after the other.

Run: .venv/bin/python benchmarks/bench_procedures.py [--rounds N]
PostgreSQL is measured too when MSP_PORTAL_TEST_DSN is set. Numbers from a loaded machine vary:
run it twice and read the medians.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select

from msp_portal import Portal, SqlStore
from msp_portal.adapters.sql.procedure_schema import procedure_deliveries, procedure_dossiers
from msp_portal.domain.dossiers import SealedHead, canonical_json, seal, sha256_text
from msp_portal.domain.emails import Email
from msp_portal.domain.references import ReferenceSeries, new_reference
from msp_portal.domain.tokens import hash_token, new_token
from msp_portal.errors import StorageError
from msp_portal.ports import BlobRef, Transmission
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
BIRTH = "acte-naissance"
ORGS = ("caf", "ameli", "impots")


class Blobs:
    """An in-memory blob store (the benchmark measures the SQL side, not the disk)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        data = b"".join(chunks)
        sha = hashlib.sha256(data).hexdigest()
        with self.lock:
            self.data[sha] = data
        return BlobRef(sha, len(data))

    def open(self, sha256: str) -> Iterator[bytes]:
        if sha256 not in self.data:
            raise StorageError(reason="blob-missing")
        yield self.data[sha256]

    def delete(self, sha256: str) -> None:
        self.data.pop(sha256, None)

    def stored(self) -> Iterator[tuple[str, datetime]]:
        yield from ((k, NOW) for k in self.data)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in samples)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


def answers() -> dict[str, object]:
    return {
        "fields": {
            "requester_quality": "self",
            "document": "full-copy",
            "copies": "1",
            "family_name": "Dupont",
            "given_names": "Jean",
            "birth_date": "14/07/1980",
            "birth_commune": "Saint-Étienne",
            "purpose": "marriage",
            "requester_family_name": "Dupont",
            "requester_given_names": "Jean",
            "delivery_address": {
                "line1": "3 rue de l'Église",
                "postcode": "75014",
                "city": "Paris",
            },
            "email": "j@example.org",
        }
    }


def portal_for(store: SqlStore, clock: FakeClock) -> Portal:
    return Portal(store, MemoryMailer(), FakeCaptcha(), clock=clock, blobs=Blobs())


def session_for(portal: Portal, store: SqlStore, identifier: str) -> str:
    store.add_account(identifier, f"{identifier}@example.org", identifier, "x", NOW)
    account = store.account_by_identifier(identifier)
    assert account is not None
    token = new_token()
    store.add_session(hash_token(token), account.id, NOW)
    return token


def fill(portal: Portal, store: SqlStore, token: str, count: int) -> None:
    """``count`` dossiers: transmitted ones written straight through the store, then drafts."""
    pstore = portal.pctx.store
    account = store.account_by_identifier("suivi")
    assert account is not None
    text = canonical_json(answers())
    for fake in ("0" * 64, "1" * 64):  # the blobs these rows name must be claimed (blob_refs)
        portal.wallet_ctx.index.claim(fake, NOW)
    for i in range(count):
        dossier = portal.start_procedure(token, BIRTH)
        record = pstore.dossier(account.id, dossier.dossier_id)
        assert record is not None
        if i >= count - 50:
            portal.save_procedure(token, dossier.dossier_id)
            continue
        orgs = ORGS[: 1 + i % 3]
        reference = new_reference(ReferenceSeries.PROCEDURE)
        content = canonical_json({"answers": answers(), "attachments": [], "n": i})
        head = SealedHead(
            dossier.dossier_id, account.id, BIRTH, 1, reference, NOW, orgs, sha256_text(content)
        )
        ok = pstore.commit_transmission(
            record.pk,
            record.session_hash or "",
            record.updated_at,
            Transmission(
                reference=reference,
                transmitted_at=NOW,
                organisations=orgs,
                answers=text,
                content=content,
                content_sha256=sha256_text(content),
                seal=seal(head),
                summary_sha256="0" * 64,
                dossier_pdf=BlobRef("1" * 64, 1),
                deliveries=tuple((o, f"{reference}/{o}") for o in orgs),
                email=Email("j@example.org", "s", "b"),
            ),
        )
        assert ok


def bench_tracking(store: SqlStore, rounds: int) -> dict[str, tuple[float, float]]:
    clock = FakeClock(NOW)
    portal = portal_for(store, clock)
    token = session_for(portal, store, "suivi")
    fill(portal, store, token, 1000)
    account = store.account_by_identifier("suivi")
    assert account is not None

    def walk() -> int:
        seen, page = 0, portal.my_tracking(token)
        while True:
            seen += len(page.entries)
            if page.next_page is None:
                return seen
            page = portal.my_tracking(token, page=page.next_page)

    assert walk() == 1000

    def floor() -> None:
        with store.engine.connect() as conn:
            d, dl = procedure_dossiers, procedure_deliveries
            ids = (
                conn.execute(
                    select(d.c.id)
                    .where(d.c.account_id == account.id)
                    .order_by(d.c.created_at.desc(), d.c.id.desc())
                    .limit(50)
                )
                .scalars()
                .all()
            )
            conn.execute(select(d).where(d.c.id.in_(ids))).all()
            conn.execute(select(dl).where(dl.c.dossier_id.in_(ids))).all()

    calls = {
        "my_tracking (page 50)": lambda: portal.my_tracking(token),
        "floor (SELECTs, 50)": floor,
        "all 1000 (20 pages)": walk,
    }
    results: dict[str, list[float]] = {name: [] for name in calls}
    for i in range(rounds):  # interleaved, so that load changes hit all alike
        for name, call in calls.items():
            if name.startswith("all") and i % 10:
                continue
            start = time.perf_counter()
            call()
            results[name].append(time.perf_counter() - start)
    return {k: percentiles(v) for k, v in results.items()}


def bench_transmits(store: SqlStore) -> dict[str, float]:
    clock = FakeClock(NOW)
    portal = portal_for(store, clock)
    out: dict[str, float] = {}
    for label, parallel in (("serial", False), ("parallel", True)):
        tokens = [session_for(portal, store, f"{label}{i:03d}") for i in range(100)]
        items = []
        for token in tokens:
            dossier = portal.start_procedure(token, BIRTH)
            portal.update_answers(token, dossier.dossier_id, answers())
            items.append((token, dossier.dossier_id))
        barrier = threading.Barrier(100 if parallel else 1)

        def go(item: tuple[str, str], barrier: threading.Barrier = barrier) -> str:
            barrier.wait()
            return portal.transmit_procedure(*item).reference

        start = time.perf_counter()
        if parallel:
            with ThreadPoolExecutor(100) as pool:
                references = list(pool.map(go, items))
        else:
            references = [go(item) for item in items]
        out[f"100 transmits, {label} (s)"] = time.perf_counter() - start
        assert len(set(references)) == 100, "references must be distinct"
    token = session_for(portal, store, "vingt")
    dossier = portal.start_procedure(token, BIRTH)
    portal.update_answers(token, dossier.dossier_id, answers())
    barrier20 = threading.Barrier(20)

    def same(_: int) -> str:
        barrier20.wait()
        return portal.transmit_procedure(token, dossier.dossier_id).reference

    start = time.perf_counter()
    with ThreadPoolExecutor(20) as pool:
        references = list(pool.map(same, range(20)))
    out["20 transmits of one dossier (s)"] = time.perf_counter() - start
    assert len(set(references)) == 1
    with store.engine.connect() as conn:
        d, dl = procedure_deliveries, procedure_dossiers
        count = conn.execute(
            select(d.c.id)
            .join(dl, dl.c.id == d.c.dossier_id)
            .where(dl.c.public_id == dossier.dossier_id)
        ).all()
    assert len(count) == 1, "one delivery per organisation"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--skip-transmits", action="store_true")
    args = parser.parse_args()
    backends: list[tuple[str, str, str | None]] = []
    tmp = Path(tempfile.mkdtemp())
    backends.append(("sqlite", f"sqlite:///{tmp / 'bench.db'}", None))
    dsn = os.environ.get("MSP_PORTAL_TEST_DSN")
    if dsn:
        backends.append(("postgresql", dsn, "bench_" + uuid.uuid4().hex[:12]))
    print("Mon suivi, account with 1 000 dossiers (ms)")
    print(f"{'backend':12} {'call':24} {'p50':>8} {'p95':>8}")
    for name, url, schema in backends:
        store = SqlStore.open(url, schema=schema)
        try:
            rows = bench_tracking(store, args.rounds)
            for call, (p50, p95) in rows.items():
                print(f"{name:12} {call:24} {p50:8.2f} {p95:8.2f}")
            mine, floor = rows["my_tracking (page 50)"][1], rows["floor (SELECTs, 50)"][1]
            verdict = "ok" if mine <= 20 else "ABOVE 20 ms"
            print(f"{name:12} p95 ratio my_tracking / floor: {mine / floor:.2f}  ({verdict})")
            if not args.skip_transmits:
                for label, seconds in bench_transmits(store).items():
                    print(f"{name:12} {label:34} {seconds:7.2f}")
        finally:
            store.close()
            if schema is not None:
                engine = create_engine(url)
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                engine.dispose()
    if not dsn:
        print("(PostgreSQL skipped: MSP_PORTAL_TEST_DSN not set)")


if __name__ == "__main__":
    main()
