"""Keeping content-addressed blobs: store bytes safely, and collect the ones nobody holds.

The steps that make a crash harmless (see docs/wallet.md, "Keeping blobs"):

1. hash the bytes and *claim* the hash in the SQL index (committed);
2. put the bytes in the blob store (atomic: whole or absent under the key);
3. commit the row that holds the blob together with its reference (``blob_refs``).

A crash after 1 or 2 leaves a claim without a reference (and maybe bytes, or a temporary
file): :func:`collect_orphans` removes them once the claim is older than the grace period. A
crash during 3 leaves nothing of the row (one transaction). Nothing visible is ever half done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from msp_portal.errors import BlobCorrupt
from msp_portal.ports import BlobIndex, BlobRef, BlobStore, SupportsPartialCleanup, WalletStore

__all__ = ["CollectionReport", "collect_orphans", "keep_blob", "verified"]

_BATCH = 500


def keep_blob(index: BlobIndex, blobs: BlobStore, data: bytes, now: datetime) -> BlobRef:
    """Claim and store ``data``; the caller then commits its reference (step 3 above).

    Raises:
        StorageError: the index or the blob store failed (a subclass, BlobCorrupt, when the
            store reports other bytes than those given).
    """
    sha256 = hashlib.sha256(data).hexdigest()
    index.claim(sha256, now)
    ref = blobs.put([data])
    if ref.sha256 != sha256 or ref.size != len(data):
        raise BlobCorrupt(
            f"blob store stored {ref.sha256}/{ref.size} for {sha256}/{len(data)}",
            sha256=sha256,
            reason="put",
        )
    return ref


def verified(chunks: Iterator[bytes], sha256: str, size: int) -> Iterator[bytes]:
    """Pass ``chunks`` through, checking that they hash to ``sha256`` and add up to ``size``.

    The last chunk is held back until the check passed: damaged bytes end the stream with
    BlobCorrupt before it is complete, so a download or an archive is never silently wrong.
    """
    digest = hashlib.sha256()
    total = 0
    held: bytes | None = None
    for chunk in chunks:
        digest.update(chunk)
        total += len(chunk)
        if total > size:
            raise BlobCorrupt(sha256=sha256, reason="longer than recorded")
        if held is not None:
            yield held
        held = chunk
    if total != size or digest.hexdigest() != sha256:
        raise BlobCorrupt(sha256=sha256, reason="content does not match its SHA-256")
    if held is not None:
        yield held


@dataclass(frozen=True)
class CollectionReport:
    """What :func:`collect_orphans` did.

    Attributes:
        documents_purged: Documents of deleted accounts removed (an interrupted deletion).
        strays_adopted: Blobs found in the store with no claim row, given one to be collected.
        blobs_removed: Blobs removed (no holder, claim older than the grace period).
        partial_removed: Temporary files of interrupted writes removed.
    """

    documents_purged: int
    strays_adopted: int
    blobs_removed: int
    partial_removed: int


def _adopt(index: BlobIndex, batch: list[tuple[str, datetime]]) -> int:
    if not batch:
        return 0
    known = index.known([sha for sha, _ in batch])
    return sum(1 for sha, written in batch if sha not in known and index.adopt(sha, written))


def collect_orphans(
    store: WalletStore,
    index: BlobIndex,
    blobs: BlobStore,
    *,
    now: datetime,
    grace: timedelta,
) -> CollectionReport:
    """Remove what no document or procedure holds; safe to run while the portal serves.

    Run it from a scheduler (``msp-portal wallet collect-orphans``, e.g. hourly). A blob goes
    only when it has no reference and was last claimed more than ``grace`` before ``now``; each
    removal holds the claim row locked, so a concurrent addition of the same bytes either
    renews the claim first (the blob stays) or waits and writes the bytes anew.
    """
    cutoff = now - grace
    purged = store.purge_deleted_accounts()
    adopted = 0
    batch: list[tuple[str, datetime]] = []
    for sha256, written_at in blobs.stored():
        if written_at < cutoff:
            batch.append((sha256, written_at))
        if len(batch) >= _BATCH:
            adopted += _adopt(index, batch)
            batch = []
    adopted += _adopt(index, batch)
    removed = sum(
        1 for sha256 in index.unreferenced(cutoff) if index.release(sha256, cutoff, blobs.delete)
    )
    partial = blobs.remove_partial(cutoff) if isinstance(blobs, SupportsPartialCleanup) else 0
    return CollectionReport(purged, adopted, removed, partial)
