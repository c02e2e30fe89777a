"""Child process of the crash tests: add a document and SIGKILL itself at a chosen point.

Usage: python -m tests.portal.wallet._crash_child URL SCHEMA|- BLOB_DIR TOKEN POINT
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from msp_portal import LocalBlobStore, Portal, SqlStore, WalletDocument, WalletQuota
from msp_portal.adapters.sql.wallet_store import SqlWalletStore
from msp_portal.ports import BlobRef
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer
from tests.portal.conftest import START
from tests.portal.wallet.conftest import sample_uploads

POINTS = (
    "after-claim",
    "mid-blob-write",
    "after-blob-write",
    "before-commit",
    "at-commit",
    "after-commit",
)


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class CrashingBlobs(LocalBlobStore):
    def __init__(self, root: str, point: str) -> None:
        super().__init__(root)
        self.point = point

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        if self.point == "after-claim":
            die()
        if self.point == "mid-blob-write":
            data = b"".join(chunks)

            def half_then_die() -> Iterable[bytes]:
                yield data[: len(data) // 2]
                die()

            return super().put(half_then_die())
        ref = super().put(chunks)
        if self.point == "after-blob-write":
            die()
        return ref


class CrashingWalletStore(SqlWalletStore):
    def add_document(self, account_id: int, document: WalletDocument, quota: WalletQuota) -> None:
        super().add_document(account_id, document, quota)
        die()  # committed: the document must be whole


def main() -> None:
    url, schema, blob_dir, token, point = sys.argv[1:]
    store = SqlStore.open(url, schema=None if schema == "-" else schema, migrate=False)
    engine = store.engine
    state: dict[str, Any] = {"inserted": False}

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO WALLET_DOCUMENTS"):
            state["inserted"] = True
            if point == "before-commit":
                die()  # the row is in an open transaction

    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        if point == "at-commit" and state["inserted"]:
            die()  # statements sent, COMMIT not yet done

    wallet_store = CrashingWalletStore(engine) if point == "after-commit" else None
    portal = Portal(
        store,
        MemoryMailer(),
        FakeCaptcha(),
        clock=FakeClock(START + timedelta(minutes=1)),
        blobs=CrashingBlobs(blob_dir, point),
        wallet_store=wallet_store,
    )
    portal.add_document(token, sample_uploads()[:2], title="Interrompu", category="identity")
    print("finished without crashing", flush=True)


if __name__ == "__main__":
    main()
