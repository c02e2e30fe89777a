"""msp-portal wallet export / collect-orphans on a real SQLite file, local and S3 blobs."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from msp_portal import LocalBlobStore, Portal, SqlStore, Upload
from msp_portal.testing import FakeClock
from msp_portal_cli.app import app
from tests.fixtures import pdf_bytes
from tests.portal.helpers import CountingHasher
from tests.portal.s3server import CREDENTIALS, S3Server
from tests.portal.wallet.conftest import make_portal, sign_up


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.fixture
def filled(db: str, tmp_path: Path, clock: FakeClock, hasher: CountingHasher) -> Portal:
    portal = make_portal(SqlStore.open(db), clock, hasher, LocalBlobStore(tmp_path / "blobs"))
    token = sign_up(portal)
    for n in range(2):
        portal.add_document(
            token, [Upload(pdf_bytes(text=str(n)), "a.pdf")], title=f"Doc {n}", category="other"
        )
    return portal


def test_export_writes_a_valid_archive(filled: Portal, db: str, tmp_path: Path) -> None:
    out = tmp_path / "wallet.zip"
    result = CliRunner().invoke(
        app,
        [
            "wallet",
            "export",
            "-i",
            "jdupont",
            "-d",
            db,
            "-b",
            str(tmp_path / "blobs"),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 documents" in result.stderr
    archive = zipfile.ZipFile(out)
    assert archive.testzip() is None
    assert len(json.loads(archive.read("manifest.json"))["documents"]) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_export_to_standard_output(filled: Portal, db: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["wallet", "export", "-i", "jdupont", "-d", db, "-b", str(tmp_path / "blobs"), "-o", "-"],
    )
    assert result.exit_code == 0, result.stderr
    assert len(zipfile.ZipFile(io.BytesIO(result.stdout_bytes)).namelist()) == 3


def test_export_of_an_unknown_account_fails_cleanly(
    filled: Portal, db: str, tmp_path: Path
) -> None:
    out = tmp_path / "w.zip"
    result = CliRunner().invoke(
        app, ["wallet", "export", "-i", "personne", "-d", db, "-b", str(tmp_path), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "account-not-found" in result.stderr
    assert not out.exists()


def test_a_damaged_blob_leaves_no_archive(filled: Portal, db: str, tmp_path: Path) -> None:
    blob = next(
        p for p in (tmp_path / "blobs").rglob("*") if p.is_file() and ".partial" not in str(p)
    )
    blob.chmod(0o644)
    blob.write_bytes(b"%PDF-1.7 not the same")
    out = tmp_path / "w.zip"
    result = CliRunner().invoke(
        app,
        [
            "wallet",
            "export",
            "-i",
            "jdupont",
            "-d",
            db,
            "-b",
            str(tmp_path / "blobs"),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 1
    assert "blob-corrupt" in result.stderr
    assert not out.exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".w.zip")] == []


def test_export_from_s3(
    db: str,
    tmp_path: Path,
    clock: FakeClock,
    hasher: CountingHasher,
    s3_server: S3Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from msp_portal import S3BlobStore

    bucket = s3_server.new_bucket()
    portal = make_portal(
        SqlStore.open(db),
        clock,
        hasher,
        S3BlobStore(bucket, prefix="p/", client=s3_server.client()),
    )
    token = sign_up(portal)
    portal.add_document(token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS["aws_secret_access_key"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", CREDENTIALS["region_name"])
    out = tmp_path / "w.zip"
    result = CliRunner().invoke(
        app,
        [
            "wallet", "export", "-i", "jdupont", "-d", db, "-o", str(out),
            "-b", f"s3://{bucket}/p", "--s3-endpoint-url", s3_server.url,
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert zipfile.ZipFile(out).testzip() is None


def test_collect_orphans_removes_old_strays_only(db: str, tmp_path: Path) -> None:
    SqlStore.open(db).close()
    blobs = LocalBlobStore(tmp_path / "blobs")
    old = blobs.put([b"old stray"])
    young = blobs.put([b"young stray"])
    old_path = tmp_path / "blobs" / old.sha256[:2] / old.sha256[2:4] / old.sha256
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_path, (two_days_ago, two_days_ago))
    result = CliRunner().invoke(
        app,
        ["wallet", "collect-orphans", "-d", db, "-b", str(tmp_path / "blobs"), "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "documents_purged": 0,
        "strays_adopted": 1,
        "blobs_removed": 1,
        "partial_removed": 0,
    }
    assert [k for k, _ in blobs.stored()] == [young.sha256]


@pytest.mark.parametrize("grace", ["1m", "soon", "-3h"])
def test_collect_orphans_refuses_a_bad_grace(db: str, tmp_path: Path, grace: str) -> None:
    result = CliRunner().invoke(
        app, ["wallet", "collect-orphans", "-d", db, "-b", str(tmp_path), "--grace", grace]
    )
    assert result.exit_code == 2
