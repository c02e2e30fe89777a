"""A process killed (SIGKILL) at any step of an addition leaves no half-document, and orphan
collection removes what it left behind."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from msp_portal import LocalBlobStore, Portal, Session, SqlStore, Upload, collect_orphans
from msp_portal.adapters.sql.blob_index import SqlBlobIndex
from msp_portal.adapters.sql.schema import blob_refs, blobs, wallet_documents
from msp_portal.adapters.sql.wallet_store import SqlWalletStore
from msp_portal.testing import FakeClock
from tests.conftest import ROOT
from tests.fixtures import pdf_bytes
from tests.portal.helpers import PASSWORD, StoreSpec
from tests.portal.wallet._crash_child import POINTS


def _counts(store: SqlStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (wallet_documents, blobs, blob_refs)
        }


def _files(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _collect(store: SqlStore, blob_dir: Path) -> None:
    # Claims carry the portal's (fake, 2025) clock, files the real one: past both.
    grace = timedelta(hours=24)
    now = datetime.now(UTC) + grace + timedelta(seconds=5)
    engine = store.engine
    collect_orphans(
        SqlWalletStore(engine), SqlBlobIndex(engine), LocalBlobStore(blob_dir), now=now, grace=grace
    )


@pytest.mark.parametrize("point", POINTS)
def test_killed_at_any_step_leaves_all_or_nothing(
    point: str,
    store_spec: StoreSpec,
    store: SqlStore,
    wallet_portal: Portal,
    token: str,
    blob_dir: Path,
) -> None:
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.portal.wallet._crash_child",
            store_spec.url,
            store_spec.schema or "-",
            str(blob_dir),
            token,
            point,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr

    documents = wallet_portal.documents(token)
    counts = _counts(store)
    if point == "after-commit":
        [document] = documents
        data = b"".join(wallet_portal.download_document(token, document.id).chunks)
        assert hashlib.sha256(data).hexdigest() == document.sha256
        assert counts == {"wallet_documents": 1, "blobs": 1, "blob_refs": 1}
    else:
        assert documents == []  # nothing half-done is visible
        assert counts["wallet_documents"] == counts["blob_refs"] == 0
        # What was left: a claim (from after-claim on), bytes or a temporary file.
        assert counts["blobs"] == 1

    _collect(store, blob_dir)

    if point == "after-commit":
        assert _counts(store) == {"wallet_documents": 1, "blobs": 1, "blob_refs": 1}
        assert len(_files(blob_dir)) == 1
        assert b"".join(wallet_portal.download_document(token, documents[0].id).chunks)
    else:
        assert _counts(store) == {"wallet_documents": 0, "blobs": 0, "blob_refs": 0}
        assert _files(blob_dir) == []  # no orphan blob, no temporary file


def test_adding_bytes_again_renews_their_claim_so_collection_spares_them(
    wallet_portal: Portal, token: str, clock: FakeClock, store: SqlStore, blob_dir: Path
) -> None:
    uploads = [Upload(pdf_bytes(), "a.pdf")]
    first = wallet_portal.add_document(token, uploads, title="A", category="other")
    wallet_portal.delete_document(token, first.id)  # unreferenced, claim soon old
    clock.advance(timedelta(hours=23, minutes=59))
    session = wallet_portal.sign_in("jdupont", PASSWORD)
    assert isinstance(session, Session)
    token = session.token
    again = wallet_portal.add_document(token, uploads, title="A", category="other")
    assert again.sha256 == first.sha256  # put() was a no-op: the bytes were there
    clock.advance(timedelta(minutes=2))  # the first claim is past the grace, the renewal not
    assert wallet_portal.collect_orphans().blobs_removed == 0
    data = b"".join(wallet_portal.download_document(token, again.id).chunks)
    assert hashlib.sha256(data).hexdigest() == again.sha256


def test_stray_blobs_without_a_claim_are_collected_once_old(
    wallet_portal: Portal, store: SqlStore, blob_dir: Path
) -> None:
    local = LocalBlobStore(blob_dir)
    stray = local.put([b"written by something that never claimed it"])
    engine = store.engine
    args = (SqlWalletStore(engine), SqlBlobIndex(engine), local)
    young = collect_orphans(*args, now=datetime.now(UTC), grace=timedelta(hours=1))
    assert (young.strays_adopted, young.blobs_removed) == (0, 0)
    old = collect_orphans(
        *args, now=datetime.now(UTC) + timedelta(hours=2), grace=timedelta(hours=1)
    )
    assert (old.strays_adopted, old.blobs_removed) == (1, 1)
    assert [k for k, _ in local.stored()] == []
    assert stray.sha256 not in SqlBlobIndex(engine).known([stray.sha256])
