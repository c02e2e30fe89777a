"""LocalBlobStore: blobs as files in a directory, written atomically and durably."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from msp_portal.errors import BlobMissing, StorageError
from msp_portal.ports import BlobRef

__all__ = ["LocalBlobStore"]

CHUNK = 1024 * 1024
_KEY = re.compile(r"[0-9a-f]{64}")
_TEMPORARY = ".partial"


def _storage_error(exc: OSError) -> StorageError:
    return StorageError(str(exc), reason=exc.strerror or type(exc).__name__)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    """Blobs in a directory: ``<root>/ab/cd/abcd...`` named by their SHA-256.

    ``put`` writes to a temporary file in ``<root>/.partial``, hashing as it goes, flushes it to
    disk (``fsync``), renames it under its key and flushes the directory: after a crash a key
    names the whole blob or nothing. Temporary files of interrupted writes are removed by
    :meth:`remove_partial` (orphan collection calls it). Two levels of 256 directories keep
    each directory small for millions of blobs.

    Args:
        root: The directory (created when missing).
        durable: ``fsync`` files and directories (turn off only for throw-away test data).
    """

    def __init__(self, root: str | os.PathLike[str], *, durable: bool = True) -> None:
        self.root = Path(root)
        self.durable = durable

    def _path(self, sha256: str) -> Path:
        if not _KEY.fullmatch(sha256):
            raise BlobMissing(f"not a blob key: {sha256[:80]!r}", sha256=sha256[:80])
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _make_directory(self, path: Path) -> None:
        """Create ``path`` and its missing parents, flushing each parent that got an entry."""
        missing: list[Path] = []
        current = path
        while not current.is_dir():
            missing.append(current)
            current = current.parent
        for directory in reversed(missing):
            with contextlib.suppress(FileExistsError):
                directory.mkdir()
            if self.durable:
                _fsync_directory(directory.parent)

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        """Store the bytes; returns once they are on disk under their SHA-256."""
        partial = self.root / _TEMPORARY
        try:
            self._make_directory(partial)
            temp = partial / f"{secrets.token_hex(8)}.part"
            digest = hashlib.sha256()
            size = 0
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    for chunk in chunks:
                        fh.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                    fh.flush()
                    if self.durable:
                        os.fsync(fh.fileno())
                sha256 = digest.hexdigest()
                target = self._path(sha256)
                if target.exists():
                    temp.unlink()  # the same bytes are there already: content addressing
                    return BlobRef(sha256, size)
                self._make_directory(target.parent)
                os.chmod(temp, 0o440)  # blobs never change
                os.replace(temp, target)
                if self.durable:
                    _fsync_directory(target.parent)
            except BaseException:
                with contextlib.suppress(OSError):
                    temp.unlink()
                raise
        except OSError as exc:
            raise _storage_error(exc) from exc
        return BlobRef(sha256, size)

    def open(self, sha256: str) -> Iterator[bytes]:
        """Open the blob now (BlobMissing if absent) and return an iterator over its chunks."""
        path = self._path(sha256)
        try:
            fh = path.open("rb")
        except FileNotFoundError:
            raise BlobMissing(sha256=sha256) from None
        except OSError as exc:
            raise _storage_error(exc) from exc
        return self._chunks(fh)

    @staticmethod
    def _chunks(fh: BinaryIO) -> Iterator[bytes]:
        with fh:
            while True:
                try:
                    chunk = fh.read(CHUNK)
                except OSError as exc:
                    raise _storage_error(exc) from exc
                if not chunk:
                    return
                yield chunk

    def delete(self, sha256: str) -> None:
        """Remove a blob; a missing one is not an error."""
        path = self._path(sha256)
        try:
            path.unlink(missing_ok=True)
            if self.durable and path.parent.is_dir():
                _fsync_directory(path.parent)
        except OSError as exc:
            raise _storage_error(exc) from exc

    def stored(self) -> Iterator[tuple[str, datetime]]:
        """Every blob key with the instant its file was written (aware UTC)."""
        if not self.root.is_dir():
            return
        try:
            for first in sorted(os.scandir(self.root), key=lambda e: e.name):
                if len(first.name) != 2 or not first.is_dir():
                    continue
                for second in sorted(os.scandir(first.path), key=lambda e: e.name):
                    if not second.is_dir():
                        continue
                    for entry in sorted(os.scandir(second.path), key=lambda e: e.name):
                        if _KEY.fullmatch(entry.name) and entry.is_file():
                            mtime = entry.stat().st_mtime
                            yield entry.name, datetime.fromtimestamp(mtime, UTC)
        except OSError as exc:
            raise _storage_error(exc) from exc

    def remove_partial(self, older_than: datetime) -> int:
        """Remove temporary files of writes begun before ``older_than``; returns how many."""
        partial = self.root / _TEMPORARY
        if not partial.is_dir():
            return 0
        removed = 0
        cutoff = older_than.timestamp()
        try:
            for entry in os.scandir(partial):
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed += 1
        except OSError as exc:
            raise _storage_error(exc) from exc
        return removed
