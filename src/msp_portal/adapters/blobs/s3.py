"""S3BlobStore: blobs as objects of an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage...).

boto3 is imported when the store is first used (``pip install 'msp-docs[s3]'``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from msp_portal.errors import BlobMissing, StorageError
from msp_portal.ports import BlobRef

__all__ = ["S3BlobStore"]

CHUNK = 1024 * 1024
_KEY = re.compile(r"[0-9a-f]{64}")
_MISSING = {"404", "NoSuchKey", "NotFound"}
T = TypeVar("T")


class S3BlobStore:
    """Blobs in a bucket under ``<prefix><sha256[:2]>/<sha256>``.

    An object appears whole or not at all (a single PUT), so a crash never leaves a partial
    blob under a key. ``put`` spools the bytes (in memory up to ``spool_bytes``, then in a
    temporary file) to learn their SHA-256 before the upload, skips the upload when the key
    exists, and sends the SHA-256 with the PUT so that the server refuses bytes damaged on the
    way. ``stored`` gives each object's ``LastModified``.

    Args:
        bucket: The bucket (it must exist).
        prefix: Start of every key, e.g. ``"msp-portal/blobs/"``.
        client: A boto3 S3 client; default: one made from ``endpoint_url``, ``region_name`` and
            the usual AWS configuration (environment, ``~/.aws``).
        endpoint_url: The S3-compatible server, e.g. ``https://s3.fr-par.scw.cloud``.
        region_name: The bucket's region.
        spool_bytes: Bytes of one blob kept in memory before spooling to a temporary file.
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        client: Any = None,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        spool_bytes: int = 16 * CHUNK,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.region_name = region_name
        self.spool_bytes = spool_bytes
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The boto3 client, made on first use."""
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config

                self._client = boto3.client(
                    "s3",
                    endpoint_url=self.endpoint_url,
                    region_name=self.region_name,
                    config=Config(retries={"max_attempts": 5, "mode": "standard"}),
                )
            return self._client

    def _key(self, sha256: str) -> str:
        if not _KEY.fullmatch(sha256):
            raise BlobMissing(f"not a blob key: {sha256[:80]!r}", sha256=sha256[:80])
        return f"{self.prefix}{sha256[:2]}/{sha256}"

    @staticmethod
    def _call(action: Callable[[], T]) -> T:
        """Run one S3 request; botocore's errors become StorageError."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return action()
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "ClientError"))
            raise StorageError(str(exc), reason=f"s3 {code}") from exc
        except BotoCoreError as exc:
            raise StorageError(str(exc), reason=f"s3 {type(exc).__name__}") from exc

    def _exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._call(lambda: self.client.head_object(Bucket=self.bucket, Key=key))
        except StorageError as error:
            cause = error.__cause__
            if isinstance(cause, ClientError):
                code = str(cause.response.get("Error", {}).get("Code", ""))
                if code in _MISSING:
                    return False
            raise
        return True

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        """Store the bytes under their SHA-256 (nothing is sent when the key exists)."""
        with tempfile.SpooledTemporaryFile(max_size=self.spool_bytes) as spool:
            digest = hashlib.sha256()
            size = 0
            try:
                for chunk in chunks:
                    spool.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            except OSError as exc:
                raise StorageError(str(exc), reason=exc.strerror or "spool") from exc
            sha256 = digest.hexdigest()
            key = self._key(sha256)
            if self._exists(key):
                return BlobRef(sha256, size)
            spool.seek(0)
            checksum = base64.b64encode(digest.digest()).decode("ascii")
            self._call(
                lambda: self.client.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=spool,
                    ContentLength=size,
                    ContentType="application/octet-stream",
                    ChecksumSHA256=checksum,
                )
            )
        return BlobRef(sha256, size)

    def open(self, sha256: str) -> Iterator[bytes]:
        """Fetch the object now (BlobMissing if absent); iterate over its body in chunks."""
        from botocore.exceptions import ClientError

        key = self._key(sha256)
        try:
            response = self._call(lambda: self.client.get_object(Bucket=self.bucket, Key=key))
        except StorageError as error:
            cause = error.__cause__
            if isinstance(cause, ClientError):
                code = str(cause.response.get("Error", {}).get("Code", ""))
                if code in _MISSING:
                    raise BlobMissing(sha256=sha256) from None
            raise
        return self._chunks(response["Body"])

    @staticmethod
    def _chunks(body: Any) -> Iterator[bytes]:
        from botocore.exceptions import BotoCoreError

        try:
            yield from body.iter_chunks(CHUNK)
        except (BotoCoreError, OSError) as exc:
            raise StorageError(str(exc), reason=f"s3 {type(exc).__name__}") from exc
        finally:
            body.close()

    def delete(self, sha256: str) -> None:
        """Remove the object (S3 answers success for a missing key too)."""
        key = self._key(sha256)
        self._call(lambda: self.client.delete_object(Bucket=self.bucket, Key=key))

    def stored(self) -> Iterator[tuple[str, datetime]]:
        """Every blob key under the prefix, with its object's LastModified (aware UTC)."""
        paginator = self.client.get_paginator("list_objects_v2")
        pages = self._call(lambda: iter(paginator.paginate(Bucket=self.bucket, Prefix=self.prefix)))
        while True:
            page = self._call(lambda: next(pages, None))
            if page is None:
                return
            for item in page.get("Contents", ()):
                name = str(item["Key"]).rsplit("/", 1)[-1]
                if _KEY.fullmatch(name):
                    modified: datetime = item["LastModified"]
                    yield name, modified.astimezone(UTC)
