"""Both blob stores behave alike: a local directory and S3 (a real moto server on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from msp_portal import BlobMissing, LocalBlobStore, S3BlobStore, StorageError
from msp_portal.ports import BlobStore, SupportsPartialCleanup


def _chunks(data: bytes, size: int = 7_000) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_put_open_delete_and_list(any_blobs: BlobStore) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)  # more than one read chunk
    before = datetime.now(UTC) - timedelta(seconds=5)
    ref = any_blobs.put(_chunks(data))
    assert ref.sha256 == hashlib.sha256(data).hexdigest() and ref.size == len(data)
    assert b"".join(any_blobs.open(ref.sha256)) == data
    [(key, written)] = list(any_blobs.stored())
    assert key == ref.sha256
    assert before <= written <= datetime.now(UTC) + timedelta(seconds=5)
    assert any_blobs.put([data]) == ref  # the same bytes again: a no-op
    assert len(list(any_blobs.stored())) == 1
    any_blobs.delete(ref.sha256)
    any_blobs.delete(ref.sha256)  # missing: not an error
    assert list(any_blobs.stored()) == []


def test_a_missing_blob_is_reported_when_opened_not_when_read(any_blobs: BlobStore) -> None:
    absent = hashlib.sha256(b"absent").hexdigest()
    with pytest.raises(BlobMissing) as caught:
        any_blobs.open(absent)
    assert caught.value.facts["sha256"] == absent
    with pytest.raises(BlobMissing):
        any_blobs.open("../../etc/passwd")  # not a key: never a path


def test_empty_blob(any_blobs: BlobStore) -> None:
    ref = any_blobs.put([])
    assert ref.size == 0 and b"".join(any_blobs.open(ref.sha256)) == b""


def test_local_writes_are_atomic_and_leave_no_temporary_file(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    ref = store.put([b"abc"])
    path = tmp_path / ref.sha256[:2] / ref.sha256[2:4] / ref.sha256
    assert path.read_bytes() == b"abc"
    assert stat.S_IMODE(path.stat().st_mode) == 0o440  # blobs never change
    assert list((tmp_path / ".partial").iterdir()) == []

    def failing() -> object:
        yield b"half of it"
        raise OSError(28, "No space left on device")

    with pytest.raises(StorageError) as caught:
        store.put(failing())  # type: ignore[arg-type]
    assert caught.value.facts["reason"] == "No space left on device"
    assert list((tmp_path / ".partial").iterdir()) == []
    assert [k for k, _ in store.stored()] == [ref.sha256]


def test_local_partial_files_of_a_crash_are_removed_once_old(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    assert isinstance(store, SupportsPartialCleanup)
    assert not isinstance(S3BlobStore("b"), SupportsPartialCleanup)
    (tmp_path / ".partial").mkdir()
    leftover = tmp_path / ".partial" / "dead.part"
    leftover.write_bytes(b"interrupted")
    now = datetime.now(UTC)
    assert store.remove_partial(now - timedelta(hours=1)) == 0  # too young
    assert store.remove_partial(now + timedelta(seconds=1)) == 1
    assert not leftover.exists()
    assert list(store.stored()) == []


def test_local_store_errors_are_storage_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(StorageError):
        LocalBlobStore(blocker / "sub").put([b"x"])


def test_s3_without_a_server_is_a_storage_error() -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:9",  # discard port: nothing listens
        aws_access_key_id="x",
        aws_secret_access_key="x",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=1),
    )
    store = S3BlobStore("bucket", client=client)
    with pytest.raises(StorageError) as caught:
        store.put([b"x"])
    assert caught.value.facts["reason"].startswith("s3 ")
    with pytest.raises(StorageError):
        list(store.stored())


def test_s3_keys_live_under_the_prefix(s3_server: object) -> None:
    from tests.portal.s3server import S3Server

    assert isinstance(s3_server, S3Server)
    bucket = s3_server.new_bucket()
    client = s3_server.client()
    client.put_object(Bucket=bucket, Key="elsewhere/not-a-blob", Body=b"x")
    store = S3BlobStore(bucket, prefix="portal/blobs/", client=client)
    ref = store.put([b"hello"])
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert f"portal/blobs/{ref.sha256[:2]}/{ref.sha256}" in keys
    assert [k for k, _ in store.stored()] == [ref.sha256]
