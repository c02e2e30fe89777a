"""SqlBlobIndex: blob claims and references in SQL, and the same steps for other transactions.

The procedures' adapter (or any holder of blobs) records its references in its own
transactions with :func:`add_reference` / :func:`remove_references`, which take a connection,
so that a dossier and the references of its attachments commit together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, exists, select
from sqlalchemy.exc import IntegrityError

from msp_portal.adapters.sql import _tx
from msp_portal.adapters.sql.schema import blob_refs, blobs

__all__ = ["SqlBlobIndex", "add_reference", "claim", "remove_references"]

_IN_BATCH = 500  # hashes per IN (...) list: far below every backend's parameter limit


def _insert(conn: Connection) -> Any:
    """The dialect's INSERT, which has ON CONFLICT on both SQLite and PostgreSQL."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def claim(conn: Connection, sha256: str, now: datetime) -> None:
    """Insert the claim row of a blob, or renew its instant, within ``conn``'s transaction."""
    statement = _insert(conn)(blobs).values(sha256=sha256, claimed_at=now)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[blobs.c.sha256], set_={"claimed_at": statement.excluded.claimed_at}
        )
    )


def add_reference(
    conn: Connection, sha256: str, holder_kind: str, holder_id: str, now: datetime
) -> None:
    """Record a holder of a claimed blob within ``conn``'s transaction (idempotent).

    Raises ``IntegrityError`` when the blob has no claim row (it was never claimed, or was
    collected): claim it and write the bytes again first.
    """
    conn.execute(
        _insert(conn)(blob_refs)
        .values(sha256=sha256, holder_kind=holder_kind, holder_id=holder_id, created_at=now)
        .on_conflict_do_nothing()
    )


def remove_references(conn: Connection, holder_kind: str, holder_id: str) -> int:
    """Forget the blobs held by a holder within ``conn``'s transaction; returns how many."""
    result = conn.execute(
        delete(blob_refs).where(
            blob_refs.c.holder_kind == holder_kind, blob_refs.c.holder_id == holder_id
        )
    )
    return int(result.rowcount)


class SqlBlobIndex:
    """The :class:`msp_portal.ports.BlobIndex` on the portal's SQL database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, sha256: str, now: datetime) -> None:
        """Claim a blob about to be written (committed before the bytes are put)."""
        with _tx.write(self.engine) as conn:
            claim(conn, sha256, now)

    def add_reference(self, sha256: str, holder_kind: str, holder_id: str, now: datetime) -> None:
        """Record a holder of a blob in a transaction of its own."""
        with _tx.write(self.engine) as conn:
            add_reference(conn, sha256, holder_kind, holder_id, now)

    def remove_references(self, holder_kind: str, holder_id: str) -> int:
        """Forget the blobs held by a holder; returns how many."""
        with _tx.write(self.engine) as conn:
            return remove_references(conn, holder_kind, holder_id)

    def references(self, sha256: str) -> list[tuple[str, str]]:
        """The holders of a blob."""
        with _tx.read(self.engine) as conn:
            rows = conn.execute(
                select(blob_refs.c.holder_kind, blob_refs.c.holder_id)
                .where(blob_refs.c.sha256 == sha256)
                .order_by(blob_refs.c.holder_kind, blob_refs.c.holder_id)
            ).all()
        return [(r.holder_kind, r.holder_id) for r in rows]

    def known(self, sha256s: Sequence[str]) -> set[str]:
        """Those hashes that have a claim row."""
        found: set[str] = set()
        with _tx.read(self.engine) as conn:
            for start in range(0, len(sha256s), _IN_BATCH):
                batch = list(sha256s[start : start + _IN_BATCH])
                found.update(
                    conn.execute(select(blobs.c.sha256).where(blobs.c.sha256.in_(batch)))
                    .scalars()
                    .all()
                )
        return found

    def adopt(self, sha256: str, written_at: datetime) -> bool:
        """Give a stray blob a claim dated when it was written; False if a row exists."""
        with _tx.write(self.engine) as conn:
            inserted = conn.execute(
                _insert(conn)(blobs)
                .values(sha256=sha256, claimed_at=written_at)
                .on_conflict_do_nothing()
                .returning(blobs.c.sha256)
            ).first()
            return inserted is not None

    def unreferenced(self, claimed_before: datetime) -> list[str]:
        """Claims older than ``claimed_before`` with no reference."""
        held = exists().where(blob_refs.c.sha256 == blobs.c.sha256)
        with _tx.read(self.engine) as conn:
            return list(
                conn.execute(
                    select(blobs.c.sha256)
                    .where(blobs.c.claimed_at < claimed_before, ~held)
                    .order_by(blobs.c.sha256)
                )
                .scalars()
                .all()
            )

    def release(self, sha256: str, claimed_before: datetime, remove: Callable[[str], None]) -> bool:
        """Remove an unreferenced, old blob: row locked, checked, deleted, bytes removed, commit."""
        with _tx.write(self.engine) as conn:
            # SQLite: BEGIN IMMEDIATE already holds the database's write lock. PostgreSQL: the
            # row lock makes a concurrent claim (an UPSERT of this row) wait for our commit.
            locked = (
                select(blobs.c.sha256)
                .where(blobs.c.sha256 == sha256, blobs.c.claimed_at < claimed_before)
                .with_for_update()
            )
            if conn.execute(locked).first() is None:
                return False
            if conn.execute(select(exists().where(blob_refs.c.sha256 == sha256))).scalar():
                return False
            try:
                with conn.begin_nested():
                    conn.execute(delete(blobs).where(blobs.c.sha256 == sha256))
            except IntegrityError:
                return False  # a row of some table still points at it through a foreign key
            remove(sha256)
            return True
