"""The wallet on SQLite and PostgreSQL with a real blob directory: add, read, change, delete."""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pikepdf
import pypdf
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from msp_portal import (
    BlobCorrupt,
    BlobMissing,
    BlobStoreNotConfigured,
    Category,
    DocumentNotFound,
    InvalidDocumentTitle,
    LocalBlobStore,
    Portal,
    PortalSettings,
    SessionInvalid,
    SqlStore,
    StorageError,
    Upload,
    UploadDamaged,
    UploadLimitExceeded,
    UploadPasswordProtected,
    UploadUnsupported,
    WalletFull,
    WalletSettings,
    WalletTooLarge,
)
from msp_portal.adapters.sql.blob_index import SqlBlobIndex
from msp_portal.adapters.sql.schema import blob_refs, blobs, wallet_documents
from msp_portal.errors import DocumentRefused
from msp_portal.testing import FakeClock
from tests.fixtures import CountingStream, pdf_bytes, png_bytes
from tests.portal.helpers import PASSWORD, CountingHasher
from tests.portal.wallet.conftest import make_portal, sample_uploads, sign_up


def rows(store: SqlStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (wallet_documents, blobs, blob_refs)
        }


def blob_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def after_grace(portal: Portal, clock: FakeClock) -> str:
    """Move past the grace period (claims use the portal's clock); a fresh session token."""
    clock.advance(portal.wallet_ctx.settings.orphan_grace + timedelta(seconds=1))
    session = portal.sign_in("jdupont", PASSWORD)
    assert isinstance(session.token, str)
    return session.token


def test_four_uploads_become_one_pdf_kept_with_its_report(
    wallet_portal: Portal, token: str, store: SqlStore, blob_dir: Path
) -> None:
    document = wallet_portal.add_document(
        token, sample_uploads(), title="  Justificatifs   d'identité ", category="identity"
    )
    assert document.title == "Justificatifs d'identité"
    assert document.category is Category.IDENTITY
    assert [s.name for s in document.summary.sources] == [
        "1-id-card-photo.jpg",
        "2-scan-grey.png",
        "3-screenshot-rgba.png",
        "4-letter.pdf",
    ]
    assert "exif-oriented" in [a.code for a in document.summary.sources[0].actions]
    assert all(a.message_fr and a.message_en for a in document.summary.actions)

    content = wallet_portal.download_document(token, document.id)
    data = b"".join(content.chunks)
    assert hashlib.sha256(data).hexdigest() == document.sha256 and len(data) == document.size
    pdf = pypdf.PdfReader(io.BytesIO(data))  # a second parser opens it
    assert len(pdf.pages) == document.pages == document.summary.pages
    assert pdf.metadata is not None and pdf.metadata.title == "Justificatifs d'identité"
    assert (blob_dir / document.sha256[:2] / document.sha256[2:4] / document.sha256).is_file()
    assert rows(store) == {"wallet_documents": 1, "blobs": 1, "blob_refs": 1}

    # Read back by another instance: the same record, the report included.
    other = make_portal(store, FakeClock(wallet_portal.ctx.now()), CountingHasher(), None)
    assert other.wallet_ctx.store.documents(1) == [document]
    assert wallet_portal.documents(token) == [document]
    assert wallet_portal.document(token, document.id) == document
    usage = wallet_portal.wallet_usage(token)
    assert (usage.documents, usage.bytes) == (1, document.size)
    assert usage.quota is not None and usage.quota.max_documents == 100


def _encrypted_pdf() -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return out.getvalue()


@pytest.mark.parametrize(
    ("second", "cls", "docs_code", "exit_code"),
    [
        (
            Upload(b"PK\x03\x04 not a document", "archive.zip"),
            UploadUnsupported,
            "unsupported-kind",
            4,
        ),
        (Upload(png_bytes()[:60], "coupé.png"), UploadDamaged, "truncated", 5),
        (Upload(_encrypted_pdf(), "protégé.pdf"), UploadPasswordProtected, "password-required", 6),
    ],
)
def test_a_refused_upload_stores_nothing_and_says_why_in_both_languages(
    wallet_portal: Portal,
    token: str,
    store: SqlStore,
    blob_dir: Path,
    second: Upload,
    cls: type[DocumentRefused],
    docs_code: str,
    exit_code: int,
) -> None:
    first = Upload(png_bytes(), "scan.png")
    with pytest.raises(cls) as caught:
        wallet_portal.add_document(token, [first, second], title="Titre", category="other")
    error = caught.value
    assert error.facts["docs_code"] == docs_code
    assert error.facts["docs_exit_code"] == exit_code
    assert error.facts["input_index"] == 2 and error.facts["input_name"] == second.name
    assert second.name in error.message("fr") and second.name in error.message("en")
    assert error.message("fr") != error.message("en")
    assert rows(store) == {"wallet_documents": 0, "blobs": 0, "blob_refs": 0}
    assert blob_files(blob_dir) == []


def test_five_uploads_are_refused_before_the_fifth_is_read(
    wallet_portal: Portal, token: str, store: SqlStore
) -> None:
    fifth = CountingStream(iter([png_bytes()]))
    uploads = [*sample_uploads(), Upload(fifth, "cinq.png")]  # type: ignore[arg-type]
    with pytest.raises(UploadLimitExceeded) as caught:
        wallet_portal.add_document(token, uploads, title="Trop", category="other")
    assert caught.value.facts["docs_code"] == "too-many-files"
    assert caught.value.facts["docs_exit_code"] == 3
    assert fifth.bytes_read == 0
    assert rows(store)["wallet_documents"] == 0


def test_rename_and_recategorise_change_metadata_never_bytes(
    wallet_portal: Portal, token: str, clock: FakeClock, store: SqlStore
) -> None:
    document = wallet_portal.add_document(
        token, [Upload(pdf_bytes(), "avis.pdf")], title="Avis", category="other"
    )
    clock.advance(timedelta(minutes=3))
    renamed = wallet_portal.rename_document(token, document.id, "Avis d'impôt 2024")
    moved = wallet_portal.recategorise_document(token, document.id, Category.INCOME)
    assert (moved.title, moved.category) == ("Avis d'impôt 2024", Category.INCOME)
    assert renamed.updated_at == moved.updated_at == document.created_at + timedelta(minutes=3)
    assert (moved.sha256, moved.size, moved.created_at) == (
        document.sha256,
        document.size,
        document.created_at,
    )
    assert b"".join(wallet_portal.download_document(token, document.id).chunks) == b"".join(
        wallet_portal.wallet_ctx.blob_store().open(document.sha256)
    )
    with pytest.raises(InvalidDocumentTitle):
        wallet_portal.rename_document(token, document.id, "deux\nlignes")
    assert wallet_portal.document(token, document.id).title == "Avis d'impôt 2024"


def test_the_database_itself_refuses_to_change_a_documents_bytes(
    wallet_portal: Portal, token: str, store: SqlStore
) -> None:
    document = wallet_portal.add_document(
        token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other"
    )
    other_sha = hashlib.sha256(b"other").hexdigest()
    SqlBlobIndex(store.engine).claim(other_sha, wallet_portal.ctx.now())
    for values in ({"sha256": other_sha}, {"size": 1}, {"account_id": 2}):
        with pytest.raises(SQLAlchemyError), store.engine.begin() as conn:
            conn.execute(update(wallet_documents).values(**values))
    with store.engine.begin() as conn:  # metadata may change
        conn.execute(update(wallet_documents).values(title="Changé"))
    assert wallet_portal.document(token, document.id).sha256 == document.sha256


def test_documents_belong_to_their_account_only(wallet_portal: Portal, token: str) -> None:
    document = wallet_portal.add_document(
        token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other"
    )
    intruder = sign_up(wallet_portal, "mmartin")
    assert wallet_portal.documents(intruder) == []
    for call in (
        lambda: wallet_portal.document(intruder, document.id),
        lambda: wallet_portal.download_document(intruder, document.id),
        lambda: wallet_portal.rename_document(intruder, document.id, "Volé"),
        lambda: wallet_portal.recategorise_document(intruder, document.id, "family"),
        lambda: wallet_portal.delete_document(intruder, document.id),
    ):
        with pytest.raises(DocumentNotFound):
            call()
    assert wallet_portal.documents(token) == [document]


def test_deleted_documents_bytes_go_at_collection_after_the_grace_period(
    wallet_portal: Portal, token: str, clock: FakeClock, store: SqlStore, blob_dir: Path
) -> None:
    document = wallet_portal.add_document(
        token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other"
    )
    wallet_portal.delete_document(token, document.id)
    with pytest.raises(DocumentNotFound):
        wallet_portal.delete_document(token, document.id)
    assert wallet_portal.documents(token) == []
    assert wallet_portal.collect_orphans().blobs_removed == 0  # within the grace period
    assert len(blob_files(blob_dir)) == 1
    after_grace(wallet_portal, clock)
    assert wallet_portal.collect_orphans().blobs_removed == 1
    assert blob_files(blob_dir) == []
    assert rows(store) == {"wallet_documents": 0, "blobs": 0, "blob_refs": 0}


def test_deleting_a_document_a_sent_procedure_used_keeps_what_was_sent(
    wallet_portal: Portal, token: str, clock: FakeClock, store: SqlStore
) -> None:
    document = wallet_portal.add_document(
        token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="identity"
    )
    index = SqlBlobIndex(store.engine)
    # What the procedures' transmit does in its own transaction: a reference to the same blob.
    index.add_reference(document.sha256, "procedure-attachment", "dossier-42", clock())
    wallet_portal.delete_document(token, document.id)
    after_grace(wallet_portal, clock)
    assert wallet_portal.collect_orphans().blobs_removed == 0
    assert index.references(document.sha256) == [("procedure-attachment", "dossier-42")]
    sent = b"".join(wallet_portal.wallet_ctx.blob_store().open(document.sha256))
    assert hashlib.sha256(sent).hexdigest() == document.sha256
    assert index.remove_references("procedure-attachment", "dossier-42") == 1
    assert wallet_portal.collect_orphans().blobs_removed == 1


def test_the_same_bytes_twice_share_one_blob_until_both_are_deleted(
    wallet_portal: Portal, token: str, clock: FakeClock, blob_dir: Path
) -> None:
    uploads = [Upload(pdf_bytes(), "a.pdf")]
    first = wallet_portal.add_document(token, uploads, title="A", category="other")
    second = wallet_portal.add_document(token, uploads, title="A", category="family")
    assert first.sha256 == second.sha256 and first.id != second.id
    assert len(blob_files(blob_dir)) == 1
    assert wallet_portal.wallet_usage(token).bytes == 2 * first.size  # the quota counts both
    wallet_portal.delete_document(token, first.id)
    token = after_grace(wallet_portal, clock)
    assert wallet_portal.collect_orphans().blobs_removed == 0
    assert b"".join(wallet_portal.download_document(token, second.id).chunks)
    wallet_portal.delete_document(token, second.id)
    assert wallet_portal.collect_orphans().blobs_removed == 1


def _small_quota(portal: Portal, **changes: int) -> Portal:
    settings = PortalSettings(wallet=replace(WalletSettings(), **changes))
    ctx = portal.ctx
    return make_portal(ctx.store, ctx.clock, ctx.hasher, portal.wallet_ctx.blobs, settings)  # type: ignore[arg-type]


def test_a_full_wallet_refuses_before_reading_the_uploads(
    wallet_portal: Portal, token: str, store: SqlStore
) -> None:
    portal = _small_quota(wallet_portal, max_documents=1)
    portal.add_document(token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other")
    stream = CountingStream(iter([pdf_bytes()]))
    with pytest.raises(WalletFull) as caught:
        portal.add_document(token, [Upload(stream, "b.pdf")], title="B", category="other")  # type: ignore[arg-type]
    assert caught.value.facts["limit"] == 1
    assert "1 documents" in caught.value.message("fr") or "1 document" in caught.value.message("fr")
    assert stream.bytes_read == 0
    assert rows(store)["wallet_documents"] == 1


def test_a_document_past_the_byte_quota_is_refused_and_nothing_is_written(
    wallet_portal: Portal, token: str, store: SqlStore, blob_dir: Path
) -> None:
    portal = _small_quota(wallet_portal, max_bytes=5_000)
    with pytest.raises(WalletTooLarge) as caught:
        portal.add_document(token, sample_uploads(), title="Gros", category="other")
    facts = caught.value.facts
    assert facts["used"] == 0 and facts["limit"] == 5_000 and facts["adding"] > 5_000
    assert "Mo" in caught.value.message("fr")
    assert rows(store) == {"wallet_documents": 0, "blobs": 0, "blob_refs": 0}
    assert blob_files(blob_dir) == []


def test_parallel_additions_cannot_pass_the_quota(
    wallet_portal: Portal, token: str, store: SqlStore
) -> None:
    portal = _small_quota(wallet_portal, max_documents=3)
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def add(n: int) -> None:
        barrier.wait()
        try:
            portal.add_document(
                token,
                [Upload(pdf_bytes(text=f"page {n}"), f"{n}.pdf")],
                title=f"D{n}",
                category="other",
            )
            outcome = "added"
        except WalletFull:
            outcome = "full"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added"] * 3 + ["full"] * 3
    assert rows(store)["wallet_documents"] == 3


def test_deleting_the_account_deletes_its_documents(
    wallet_portal: Portal, token: str, clock: FakeClock, store: SqlStore, blob_dir: Path
) -> None:
    wallet_portal.add_document(token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other")
    wallet_portal.delete_account(token, PASSWORD)
    assert rows(store)["wallet_documents"] == 0
    clock.advance(wallet_portal.wallet_ctx.settings.orphan_grace + timedelta(seconds=1))
    wallet_portal.collect_orphans()
    assert blob_files(blob_dir) == []


def test_collection_finishes_an_interrupted_account_deletion(
    wallet_portal: Portal, token: str, store: SqlStore
) -> None:
    wallet_portal.add_document(token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other")
    account = store.account_by_identifier("jdupont")
    assert account is not None
    store.delete_account(account.id, wallet_portal.ctx.now(), None)  # the wallet step never ran
    assert wallet_portal.collect_orphans().documents_purged == 1
    assert rows(store)["wallet_documents"] == 0


def test_a_missing_or_damaged_blob_is_reported_never_served(
    wallet_portal: Portal, token: str, blob_dir: Path
) -> None:
    document = wallet_portal.add_document(
        token, [Upload(pdf_bytes(pages=30), "a.pdf")], title="A", category="other"
    )
    [path] = blob_files(blob_dir)
    original = path.read_bytes()
    path.chmod(0o644)
    path.write_bytes(original[:-10] + b"0123456789")
    content = wallet_portal.download_document(token, document.id)
    with pytest.raises(BlobCorrupt):
        b"".join(content.chunks)
    path.unlink()
    with pytest.raises(BlobMissing) as caught:
        wallet_portal.download_document(token, document.id)  # before any byte is sent
    assert caught.value.facts["sha256"] == document.sha256


def test_without_a_blob_store_accounts_work_and_the_wallet_says_so(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher
) -> None:
    portal = make_portal(store, clock, hasher, None)
    token = sign_up(portal)
    assert portal.documents(token) == []
    with pytest.raises(BlobStoreNotConfigured) as caught:
        portal.add_document(token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other")
    assert caught.value.code == "blob-store-not-configured"


def test_settings_blob_directory_gives_a_local_store(
    store: SqlStore, clock: FakeClock, hasher: CountingHasher, tmp_path: Path
) -> None:
    settings = PortalSettings(wallet=WalletSettings(blob_directory=tmp_path / "b"))
    portal = make_portal(store, clock, hasher, None, settings)
    assert isinstance(portal.wallet_ctx.blobs, LocalBlobStore)
    token = sign_up(portal)
    portal.add_document(token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other")
    assert blob_files(tmp_path / "b")


def test_wallet_calls_need_a_live_session(wallet_portal: Portal, token: str) -> None:
    wallet_portal.sign_out(token)
    with pytest.raises(SessionInvalid):
        wallet_portal.documents(token)
    with pytest.raises(SessionInvalid):
        wallet_portal.add_document(
            token, [Upload(pdf_bytes(), "a.pdf")], title="A", category="other"
        )


def test_the_store_lists_newest_first(wallet_portal: Portal, token: str, clock: FakeClock) -> None:
    ids = []
    for n in range(3):
        ids.append(
            wallet_portal.add_document(
                token, [Upload(pdf_bytes(text=str(n)), "a.pdf")], title=f"D{n}", category="other"
            ).id
        )
        clock.advance(timedelta(seconds=1))
    assert [d.id for d in wallet_portal.documents(token)] == ids[::-1]


def test_a_reference_to_an_unclaimed_blob_is_refused_by_the_database(
    store: SqlStore, clock: FakeClock
) -> None:
    index = SqlBlobIndex(store.engine)
    unclaimed = hashlib.sha256(b"never claimed").hexdigest()
    with pytest.raises(StorageError):
        index.add_reference(unclaimed, "procedure-attachment", "x", clock())
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM blob_refs")).scalar_one() == 0
