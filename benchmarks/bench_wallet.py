"""Adding a document to the wallet vs msp_docs.merge of the same files alone; export throughput.

Run: .venv/bin/python benchmarks/bench_wallet.py [--rounds N]

The 4-file reference set (benchmarks/make_reference_set.py, 7 MB) is merged by msp_docs.merge
alone (the peers, isolation on: into memory as the portal calls it, and into a file, written
atomically with fsync as `msp-docs merge -o` keeps a document) and added to the wallet
with SQLite + a local blob directory (fsync on), with S3 (a moto server on 127.0.0.1; moto keeps
objects in memory, so this shows the client's cost, not a real network's) and, when
MSP_PORTAL_TEST_DSN is set, PostgreSQL + local blobs, interleaved round by round. Each round
uses its own title, so every addition writes new bytes (same bytes would be deduplicated).

Export: the wallet's ZIP streamed to a file (fsync) vs the peer, Python's zipfile writing the
same blob files into a stored ZIP on a seekable file (fsync too), and the floor, reading the
blob files. The export also checks every document's SHA-256 as it streams.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import msp_docs
from msp_portal import (
    LocalBlobStore,
    Portal,
    PortalSettings,
    S3BlobStore,
    SqlStore,
    Upload,
    WalletSettings,
)
from msp_portal.services.wallet_export import write_export
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer

PASSWORD = "cheval agrafe pile correcte"
BENCH = Path(__file__).resolve().parent


def reference_set() -> list[tuple[str, bytes]]:
    sys.path.insert(0, str(BENCH))
    import make_reference_set

    out = make_reference_set.OUT
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name, make in (
        ("photo.jpg", make_reference_set.photo),
        ("scan.png", make_reference_set.scan),
        ("screenshot.png", make_reference_set.screenshot),
        ("scans.pdf", make_reference_set.scans_pdf),
    ):
        target = out / name
        if not target.exists():
            make(target)
        files.append((name, target.read_bytes()))
    return files


def summary(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"median {statistics.median(ms):8.1f} ms  (min {min(ms):7.1f}, max {max(ms):7.1f})"


class Target:
    def __init__(self, name: str, portal: Portal, token: str) -> None:
        self.name = name
        self.portal = portal
        self.token = token
        self.samples: list[float] = []


def make_target(name: str, store: SqlStore, blobs: object) -> Target:
    clock = FakeClock(datetime.now(UTC))
    settings = PortalSettings(wallet=WalletSettings(max_documents=1000, max_bytes=10**10))
    portal = Portal(
        store,
        MemoryMailer(),
        FakeCaptcha(),
        clock=clock,
        blobs=blobs,
        settings=settings,  # type: ignore[arg-type]
    )
    identifier = "bench" + uuid.uuid4().hex[:8]
    portal.create_account(identifier, f"{identifier}@example.org", PASSWORD)
    session = portal.sign_in(identifier, PASSWORD)
    return Target(name, portal, session.token)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    files = reference_set()
    total_in = sum(len(data) for _, data in files)
    print(f"reference set: {len(files)} files, {total_in / 1e6:.1f} MB; {args.rounds} rounds")

    work = Path(tempfile.mkdtemp(prefix="bench-wallet-"))
    targets = [
        make_target(
            "SQLite + local blobs",
            SqlStore.open(f"sqlite:///{work / 'portal.db'}"),
            LocalBlobStore(work / "blobs"),
        )
    ]
    s3 = None
    try:
        from tests.portal.s3server import start_s3_server

        s3 = start_s3_server()
        bucket = s3.new_bucket()
        targets.append(
            make_target(
                "SQLite + S3 (moto)",
                SqlStore.open(f"sqlite:///{work / 'portal-s3.db'}"),
                S3BlobStore(bucket, client=s3.client()),
            )
        )
    except Exception as exc:  # the benchmark runs without moto too
        print(f"(S3 skipped: {exc})")
    dsn = os.environ.get("MSP_PORTAL_TEST_DSN")
    schema = None
    if dsn:
        schema = "bench_" + uuid.uuid4().hex[:12]
        targets.append(
            make_target(
                "PostgreSQL + local blobs",
                SqlStore.open(dsn, schema=schema),
                LocalBlobStore(work / "blobs-pg"),
            )
        )

    peers: dict[str, list[float]] = {"merge -> memory": [], "merge -> file (fsync)": []}
    for round_ in range(args.rounds + 1):  # round 0 warms up (imports, fork server)
        title = f"Justificatifs {round_}"

        def merge_to(target: object, title: str = title) -> None:
            msp_docs.merge(
                [msp_docs.Input(data, name=name) for name, data in files],
                target,  # type: ignore[arg-type]
                options=msp_docs.Options(title=title, lang=msp_docs.Lang.FR, isolate=True),
            )

        in_memory = timed(lambda: merge_to(io.BytesIO()))
        to_file = timed(lambda: merge_to(work / "peer.pdf"))
        for target in targets:
            uploads = [Upload(data, name) for name, data in files]
            took = timed(
                lambda t=target, u=uploads, title=title: t.portal.add_document(
                    t.token, u, title=title, category="identity"
                )
            )
            if round_:
                target.samples.append(took)
        if round_:
            peers["merge -> memory"].append(in_memory)
            peers["merge -> file (fsync)"].append(to_file)

    print()
    for name, samples in peers.items():
        print(f"{'msp_docs ' + name:36} {summary(samples)}")
    for target in targets:
        ratios = "  ".join(
            f"x{statistics.median(target.samples) / statistics.median(samples):.3f} vs {name}"
            for name, samples in peers.items()
        )
        print(f"{'add_document: ' + target.name:36} {summary(target.samples)}  {ratios}")

    # --- export --------------------------------------------------------------------------------
    local = targets[0]
    documents = local.portal.documents(local.token)
    blob_root = work / "blobs"
    paths = [blob_root / d.sha256[:2] / d.sha256[2:4] / d.sha256 for d in documents]
    size = sum(d.size for d in documents)
    print(f"\nexport of {len(documents)} documents, {size / 1e6:.1f} MB (local blobs, to a file)")
    rows: dict[str, list[float]] = {"floor: read the blobs": [], "zipfile peer": [], "export": []}
    for _ in range(5):
        rows["floor: read the blobs"].append(
            timed(lambda: [p.read_bytes() for p in paths])  # type: ignore[func-returns-value]
        )

        def peer() -> None:  # the same durable result: a stored ZIP, flushed to disk
            with (work / "peer.zip").open("wb") as fh:
                with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as archive:
                    for n, p in enumerate(paths):
                        archive.write(p, f"documents/{n:03d}.pdf")
                fh.flush()
                os.fsync(fh.fileno())

        rows["zipfile peer"].append(timed(peer))
        rows["export"].append(
            timed(lambda: write_export(local.portal.export_wallet(local.token), work / "w.zip"))
        )
    for name, samples in rows.items():
        rate = size / statistics.median(samples) / 1e6
        print(f"{name:28} {summary(samples)}  {rate:7.0f} MB/s")
    print(
        "export / zipfile peer: "
        f"{statistics.median(rows['export']) / statistics.median(rows['zipfile peer']):.2f}"
    )
    if s3 is not None:
        s3.stop()
    if dsn and schema:
        from sqlalchemy import create_engine

        engine = create_engine(dsn)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


if __name__ == "__main__":
    main()
