"""Fixtures of the wallet tests: a portal with a real blob store (a directory, or S3 on moto)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from msp_portal import LocalBlobStore, Portal, PortalSettings, S3BlobStore, SqlStore, Upload
from msp_portal.ports import BlobStore
from msp_portal.testing import FakeCaptcha, FakeClock
from tests.conftest import SAMPLES
from tests.portal.helpers import PASSWORD, CountingHasher
from tests.portal.s3server import S3Server, start_s3_server


def sample_uploads() -> list[Upload]:
    """The four bundled samples (JPEG photo, grey PNG scan, RGBA PNG screenshot, PDF letter)."""
    return [Upload(path.read_bytes(), path.name) for path in sorted(SAMPLES.iterdir())[:4]]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = start_s3_server()
    yield server
    server.stop()


@pytest.fixture
def blob_dir(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def local_blobs(blob_dir: Path) -> LocalBlobStore:
    return LocalBlobStore(blob_dir)


@pytest.fixture(params=["local", "s3"])
def any_blobs(request: pytest.FixtureRequest, blob_dir: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(blob_dir)
    server: S3Server = request.getfixturevalue("s3_server")
    return S3BlobStore(server.new_bucket(), prefix="blobs/", client=server.client())


def make_portal(
    store: SqlStore,
    clock: FakeClock,
    hasher: CountingHasher,
    blobs: BlobStore | None,
    settings: PortalSettings | None = None,
) -> Portal:
    from msp_portal.testing import MemoryMailer

    return Portal(
        store,
        MemoryMailer(),
        FakeCaptcha("ok"),
        clock=clock,
        hasher=hasher,
        blobs=blobs,
        settings=settings,
    )


@pytest.fixture
def wallet_portal(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, local_blobs: LocalBlobStore
) -> Portal:
    return make_portal(store, clock, hasher, local_blobs)


def sign_up(portal: Portal, identifier: str = "jdupont") -> str:
    """Create an account and return a live session token."""
    portal.create_account(identifier, f"{identifier}@example.org", PASSWORD)
    session = portal.sign_in(identifier, PASSWORD)
    token = getattr(session, "token", None)
    assert isinstance(token, str)
    return token


@pytest.fixture
def token(wallet_portal: Portal) -> str:
    return sign_up(wallet_portal)
