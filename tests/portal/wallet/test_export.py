"""Export of a whole wallet (D6): a valid ZIP, checked PDFs, a manifest, in bounded memory."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest

from msp_portal import BlobCorrupt, Category, Portal, SqlStore, Upload, WalletDocument
from msp_portal.adapters.sql.blob_index import SqlBlobIndex
from msp_portal.adapters.sql.wallet_store import SqlWalletStore
from msp_portal.domain.wallet import MergeSummary, WalletQuota
from msp_portal.ports import BlobStore
from msp_portal.services.blobs import keep_blob
from msp_portal.services.wallet import new_document_id
from msp_portal.services.wallet_export import MANIFEST_SCHEMA, write_export
from msp_portal.testing import FakeClock
from tests.fixtures import jpeg_bytes, pdf_bytes, png_bytes
from tests.portal.helpers import CountingHasher
from tests.portal.wallet.conftest import make_portal, sample_uploads, sign_up


def _fill(portal: Portal, token: str, clock: FakeClock) -> list[WalletDocument]:
    made = []
    for title, category, uploads in (
        ("Carte d'identité", "identity", sample_uploads()[:2]),
        ("Facture EDF / mars", "proof-of-address", [Upload(pdf_bytes(pages=2), "edf.pdf")]),
        ("Carte d'identité", "family", [Upload(jpeg_bytes(), "photo.jpg")]),  # same title
    ):
        made.append(portal.add_document(token, uploads, title=title, category=category))
        clock.advance(timedelta(minutes=1))
    return made


def test_the_archive_holds_every_pdf_and_a_manifest(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, any_blobs: BlobStore
) -> None:
    portal = make_portal(store, clock, hasher, any_blobs)
    token = sign_up(portal)
    made = _fill(portal, token, clock)
    export = portal.export_wallet(token)
    assert export.filename == "porte-documents-jdupont-2025-01-06.zip"
    data = b"".join(export.chunks)

    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None  # every CRC checks
    assert archive.namelist() == [
        "manifest.json",
        "documents/001 - Carte d'identité.pdf",
        "documents/002 - Facture EDF _ mars.pdf",
        "documents/003 - Carte d'identité.pdf",
    ]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["schema"] == MANIFEST_SCHEMA and manifest["account"] == "jdupont"
    assert manifest["exported_at"] == "2025-01-06T09:03:00.000000Z"
    for entry, document in zip(manifest["documents"], made, strict=True):
        pdf = archive.read(entry["file"])
        assert hashlib.sha256(pdf).hexdigest() == entry["sha256"] == document.sha256
        assert len(pdf) == entry["size"] == document.size
        assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == entry["pages"] == document.pages
        assert entry["title"] == document.title and entry["id"] == document.id
        assert entry["category"] == document.category.value
        assert entry["category_label"] == Category(entry["category"]).label("fr")
        assert entry["created_at"] == document.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        summary = MergeSummary.from_dict(entry["msp_docs"])
        assert summary == document.summary
    assert manifest["documents"][0]["msp_docs"]["inputs"][0]["name"] == "1-id-card-photo.jpg"
    # The ZIP's times are the documents' dates in Paris time.
    assert archive.getinfo("documents/001 - Carte d'identité.pdf").date_time == (
        2025,
        1,
        6,
        10,
        0,
        0,
    )


@pytest.mark.skipif(shutil.which("unzip") is None, reason="unzip not installed")
def test_unzip_accepts_the_archive(wallet_portal: Portal, token: str, tmp_path: Path) -> None:
    wallet_portal.add_document(token, [Upload(png_bytes(), "a.png")], title="A", category="other")
    target = tmp_path / "w.zip"
    write_export(wallet_portal.export_wallet(token), target)
    checked = subprocess.run(["unzip", "-t", str(target)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_empty_wallet_exports_a_manifest_alone(wallet_portal: Portal, token: str) -> None:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(wallet_portal.export_wallet(token).chunks)))
    assert archive.namelist() == ["manifest.json"]
    assert json.loads(archive.read("manifest.json"))["documents"] == []


def _bulk(portal: Portal, token: str, count: int, size: int) -> None:
    """Documents made straight in the stores (100 merges would take a minute)."""
    ctx = portal.wallet_ctx
    account = portal.ctx.store.account_by_identifier("jdupont")
    assert account is not None
    now = portal.ctx.now()
    store = SqlWalletStore(portal.ctx.store.engine)
    index = SqlBlobIndex(portal.ctx.store.engine)
    summary = MergeSummary(sources=(), pages=1, bytes=size, tool_version="test")
    for n in range(count):
        data = os.urandom(size)
        ref = keep_blob(index, ctx.blob_store(), data, now)
        store.add_document(
            account.id,
            WalletDocument(
                id=new_document_id(),
                title=f"Document {n}",
                category=Category.OTHER,
                sha256=ref.sha256,
                size=ref.size,
                pages=1,
                created_at=now + timedelta(seconds=n),
                updated_at=now,
                summary=summary,
            ),
            WalletQuota(1000, 10**12),
        )


def test_a_100_document_wallet_streams_in_bounded_memory(wallet_portal: Portal, token: str) -> None:
    size = 512 * 1024
    _bulk(wallet_portal, token, 100, size)
    tracemalloc.start()
    try:
        export = wallet_portal.export_wallet(token)
        digest = hashlib.sha256()
        total = 0
        largest = 0
        for chunk in export.chunks:
            digest.update(chunk)
            total += len(chunk)
            largest = max(largest, len(chunk))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > 100 * size  # 50 MiB went through
    assert largest <= 1024 * 1024 + 4096
    assert peak < 8 * 1024 * 1024, peak  # never the archive, never a whole document list of bytes
    assert len(export.documents) == 100


def test_a_damaged_blob_ends_the_export_with_an_error(
    wallet_portal: Portal, token: str, blob_dir: Path
) -> None:
    document = wallet_portal.add_document(
        token, [Upload(pdf_bytes(pages=40), "a.pdf")], title="A", category="other"
    )
    path = blob_dir / document.sha256[:2] / document.sha256[2:4] / document.sha256
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-1] + b"!")
    with pytest.raises(BlobCorrupt):
        b"".join(wallet_portal.export_wallet(token).chunks)


def test_export_of_one_account_never_shows_another(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, local_blobs: BlobStore
) -> None:
    portal = make_portal(store, clock, hasher, local_blobs)
    mine = sign_up(portal)
    theirs = sign_up(portal, "mmartin")
    portal.add_document(theirs, [Upload(pdf_bytes(), "x.pdf")], title="Secret", category="other")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(portal.export_wallet(mine).chunks)))
    assert archive.namelist() == ["manifest.json"]


def test_the_same_wallet_at_the_same_instant_exports_the_same_bytes(
    wallet_portal: Portal, token: str
) -> None:
    wallet_portal.add_document(token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other")
    first = b"".join(wallet_portal.export_wallet(token).chunks)
    assert b"".join(wallet_portal.export_wallet(token).chunks) == first
