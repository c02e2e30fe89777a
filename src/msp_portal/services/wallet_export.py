"""Export of a whole wallet (rule D6, "migrer vos documents existants"): one streamed ZIP.

The archive holds ``manifest.json`` first, then ``documents/NNN - <title>.pdf`` oldest first.
It is produced chunk by chunk: at any moment it holds in memory one chunk of one document
(1 MiB) and the manifest, whatever the size of the wallet. Each document's bytes are checked
against their SHA-256 as they stream; a missing or damaged blob ends the stream with an error
(BlobMissing, BlobCorrupt) instead of producing an archive that lacks something.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from msp_portal.domain.paris import PARIS
from msp_portal.domain.wallet import WalletDocument, file_name
from msp_portal.errors import StorageError
from msp_portal.ports import BlobStore
from msp_portal.services.blobs import verified
from msp_portal.services.wallet import WalletContext, signed_in

__all__ = [
    "MANIFEST_NAME",
    "MANIFEST_SCHEMA",
    "WalletExport",
    "export_documents",
    "export_wallet",
    "manifest",
    "write_export",
]

MANIFEST_NAME = "manifest.json"
MANIFEST_SCHEMA = "msp-portal/wallet-export/1"


@dataclass(frozen=True)
class WalletExport:
    """A wallet's archive, ready to stream.

    Attributes:
        filename: A name for the archive: ``porte-documents-<identifier>-<AAAA-MM-JJ>.zip``.
        documents: The documents it holds, oldest first.
        chunks: The archive's bytes; nothing is read before the first ``next``.
    """

    filename: str
    documents: tuple[WalletDocument, ...]
    chunks: Iterator[bytes]


def archive_names(documents: Sequence[WalletDocument]) -> list[str]:
    """``documents/001 - <title>.pdf``...: numbered, so equal titles never clash."""
    width = max(3, len(str(len(documents))))
    return [
        f"documents/{n:0{width}d} - {file_name(d.title)}" for n, d in enumerate(documents, start=1)
    ]


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def manifest(
    identifier: str, documents: Sequence[WalletDocument], names: Sequence[str], now: datetime
) -> dict[str, Any]:
    """The JSON manifest (schema ``msp-portal/wallet-export/1``; see docs/wallet.md)."""
    return {
        "schema": MANIFEST_SCHEMA,
        "account": identifier,
        "exported_at": _instant(now),
        "documents": [
            {
                "file": name,
                "id": d.id,
                "title": d.title,
                "category": d.category.value,
                "category_label": d.category.label("fr"),
                "created_at": _instant(d.created_at),
                "updated_at": _instant(d.updated_at),
                "sha256": d.sha256,
                "size": d.size,
                "pages": d.pages,
                "msp_docs": d.summary.to_dict(),
            }
            for d, name in zip(documents, names, strict=True)
        ],
    }


class _Sink:
    """A write-only, non-seekable file for zipfile: keeps what is written until drained."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: :meth:`drain` hands the bytes over."""

    def close(self) -> None:
        """Nothing to close."""

    def drain(self) -> Iterator[bytes]:
        parts, self._parts = self._parts, []
        joined = b"".join(parts)
        if joined:
            yield joined


def _zip_time(instant: datetime) -> tuple[int, int, int, int, int, int]:
    local = instant.astimezone(PARIS)  # ZIP times are local times: the citizen's
    year = min(max(local.year, 1980), 2107)
    return (year, local.month, local.day, local.hour, local.minute, local.second)


def _archive(
    blobs: BlobStore,
    documents: Sequence[WalletDocument],
    names: Sequence[str],
    head: bytes,
    now: datetime,
) -> Iterator[bytes]:
    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", allowZip64=True)
    info = zipfile.ZipInfo(MANIFEST_NAME, _zip_time(now))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, head)
    yield from sink.drain()
    for document, name in zip(documents, names, strict=True):
        chunks = verified(blobs.open(document.sha256), document.sha256, document.size)
        info = zipfile.ZipInfo(name, _zip_time(document.created_at))
        # PDFs are compressed inside already: deflating them again saves under 1 % of the
        # bytes and costs more time than reading them.
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = document.size
        info.external_attr = 0o644 << 16
        with archive.open(info, mode="w") as entry:
            for chunk in chunks:
                entry.write(chunk)
                yield from sink.drain()
        yield from sink.drain()
    archive.close()
    yield from sink.drain()


def export_documents(
    blobs: BlobStore, identifier: str, documents: Sequence[WalletDocument], now: datetime
) -> WalletExport:
    """The archive of ``documents`` (any order; exported oldest first) for ``identifier``."""
    ordered = tuple(sorted(documents, key=lambda d: (d.created_at, d.id)))
    names = archive_names(ordered)
    head = json.dumps(
        manifest(identifier, ordered, names, now), ensure_ascii=False, indent=2
    ).encode("utf-8")
    filename = f"porte-documents-{identifier}-{now.astimezone(PARIS):%Y-%m-%d}.zip"
    return WalletExport(filename, ordered, _archive(blobs, ordered, names, head, now))


def export_wallet(ctx: WalletContext, session_token: str) -> WalletExport:
    """The signed-in account's whole wallet as a streamed ZIP (rule D6).

    Raises:
        SessionInvalid, BlobStoreNotConfigured, StorageError; while iterating: BlobMissing,
        BlobCorrupt, StorageError.
    """
    account = signed_in(ctx, session_token)
    blobs = ctx.blob_store()
    documents = ctx.store.documents(account.id)
    return export_documents(blobs, account.identifier, documents, ctx.accounts.now())


def write_export(export: WalletExport, target: str | os.PathLike[str] | BinaryIO) -> int:
    """Write an archive to a path (temporary file, fsync, rename: never partial) or a stream.

    Returns the bytes written.

    Raises:
        StorageError: the target cannot be written, or a blob is missing or damaged (the
            temporary file is removed then; a stream has received the beginning only).
    """
    if not isinstance(target, str | os.PathLike):
        written = 0
        for chunk in export.chunks:
            target.write(chunk)
            written += len(chunk)
        target.flush()
        return written
    path = Path(target)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise StorageError(str(exc), reason=exc.strerror or "cannot write") from exc
    try:
        written = 0
        with os.fdopen(fd, "wb") as fh:
            for chunk in export.chunks:
                fh.write(chunk)
                written += len(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise StorageError(str(exc), reason=exc.strerror or "cannot write") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return written
