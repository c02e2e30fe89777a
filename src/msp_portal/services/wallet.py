"""The document wallet (rules D4-D6): add, list, download, rename, re-categorise, delete.

Every document operation goes through msp_docs' public API (``msp_docs.merge``, isolation on),
imported when a document is first added: ``import msp_portal`` stays light.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from msp_portal.domain.records import AccountRecord
from msp_portal.domain.wallet import (
    DOCUMENT_ID,
    DocumentNote,
    MergeSummary,
    SourceSummary,
    Upload,
    WalletDocument,
    WalletQuota,
    WalletUsage,
    check_category,
    check_quota,
    check_title,
    check_upload_name,
)
from msp_portal.errors import (
    BlobStoreNotConfigured,
    DocumentNotFound,
    DocumentRefused,
    InvalidUpload,
    SessionInvalid,
    UploadDamaged,
    UploadLimitExceeded,
    UploadPasswordProtected,
    UploadUnreadable,
    UploadUnsafe,
    UploadUnsupported,
)
from msp_portal.ports import BlobIndex, BlobStore, WalletStore
from msp_portal.services.blobs import keep_blob, verified
from msp_portal.services.context import Collaborators, session_account
from msp_portal.settings import WalletSettings

if TYPE_CHECKING:
    import msp_docs

__all__ = [
    "DocumentContent",
    "WalletContext",
    "add_document",
    "delete_document",
    "document_content",
    "get_document",
    "list_documents",
    "recategorise_document",
    "rename_document",
    "usage",
]

_TOKEN_MAX = 256  # session tokens are 43 characters; anything far longer is not one


@dataclass(frozen=True)
class WalletContext:
    """What the wallet's use cases talk to; built once by :class:`msp_portal.Portal`."""

    accounts: Collaborators
    store: WalletStore
    index: BlobIndex
    blobs: BlobStore | None

    @property
    def settings(self) -> WalletSettings:
        """The wallet's numbers."""
        return self.accounts.settings.wallet

    @property
    def quota(self) -> WalletQuota:
        """The per-account quota from the settings."""
        return WalletQuota(self.settings.max_documents, self.settings.max_bytes)

    def blob_store(self) -> BlobStore:
        """The blob store, or BlobStoreNotConfigured."""
        if self.blobs is None:
            raise BlobStoreNotConfigured
        return self.blobs


@dataclass(frozen=True)
class DocumentContent:
    """A document to send: its metadata (size, file name) and its bytes, streamed.

    The blob was found when this was made; iterating ``chunks`` reads it and checks it against
    its SHA-256 (BlobCorrupt ends the stream before its last chunk if it does not match).
    """

    document: WalletDocument
    chunks: Iterator[bytes]


def signed_in(ctx: WalletContext, session_token: object) -> AccountRecord:
    """The account behind a live session; anything that cannot be a token is SessionInvalid."""
    if (
        not isinstance(session_token, str)
        or len(session_token) > _TOKEN_MAX
        or not session_token.isascii()
    ):
        raise SessionInvalid
    account, _ = session_account(ctx.accounts, session_token)
    return account


def _document_id(document_id: object) -> str:
    if not isinstance(document_id, str) or not DOCUMENT_ID.fullmatch(document_id):
        raise DocumentNotFound
    return document_id


# --- adding a document ---------------------------------------------------------------------------
def _is_source(source: object) -> bool:
    return isinstance(source, bytes | bytearray | memoryview | str | os.PathLike) or callable(
        getattr(source, "read", None)
    )


def checked_uploads(uploads: object, max_files: int) -> list[Upload]:
    """The uploads with their names checked; InvalidUpload / InvalidUploadName otherwise.

    Only ``max_files + 1`` of them are looked at: one too many is enough for msp_docs to
    refuse the call with its own ``too-many-files`` error, before reading any byte.
    """
    if isinstance(uploads, Upload):
        uploads = [uploads]
    if not isinstance(uploads, Sequence) or isinstance(uploads, str | bytes | bytearray):
        raise InvalidUpload(index=0, reason="not-a-list", maximum=max_files)
    if not uploads:
        raise InvalidUpload(index=0, reason="none", maximum=max_files)
    checked: list[Upload] = []
    for index, upload in enumerate(uploads[: max_files + 1], start=1):
        if not isinstance(upload, Upload) or not _is_source(upload.source):
            raise InvalidUpload(index=index, reason="not-a-file", maximum=max_files)
        checked.append(Upload(upload.source, check_upload_name(upload.name, index)))
    return checked


_FAMILIES: tuple[tuple[str, type[DocumentRefused]], ...] = (
    ("LimitExceeded", UploadLimitExceeded),
    ("UnsupportedInput", UploadUnsupported),
    ("DamagedInput", UploadDamaged),
    ("PasswordError", UploadPasswordProtected),
    ("UnsafeInput", UploadUnsafe),
    ("CannotReadInput", UploadUnreadable),
)


def _jsonable(facts: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if value is None or isinstance(value, str | int | float | bool):
            out[str(key)] = value
        elif isinstance(value, list | tuple):
            out[str(key)] = [
                v if isinstance(v, str | int | float | bool) else str(v) for v in value
            ]
        else:
            out[str(key)] = str(value)
    return out


def refusal(error: msp_docs.MspDocsError) -> DocumentRefused:
    """The portal error for an msp_docs refusal: its family's class, carrying its code and text."""
    import msp_docs

    cls: type[DocumentRefused] = DocumentRefused
    for family, portal_cls in _FAMILIES:
        if isinstance(error, getattr(msp_docs, family)):
            cls = portal_cls
            break
    return cls(
        error.detail,
        docs_code=error.code,
        docs_exit_code=error.exit_code,
        input_name=error.input_name,
        input_index=None if error.input_index is None else error.input_index + 1,
        message_en=error.message("en"),
        message_fr=error.message("fr"),
        docs_facts=_jsonable(error.facts),
    )


def _note(note: msp_docs.Note) -> DocumentNote:
    return DocumentNote(note.code, note.message("en"), note.message("fr"), _jsonable(note.facts))


def summarise(report: msp_docs.Report) -> MergeSummary:
    """The part of an msp_docs report kept with a document."""
    import msp_docs

    assert report.output is not None
    return MergeSummary(
        sources=tuple(
            SourceSummary(
                name=item.name,
                kind=item.kind.value if item.kind else None,
                bytes=item.bytes,
                pages=item.pages,
                actions=tuple(_note(n) for n in item.actions),
                warnings=tuple(_note(n) for n in item.warnings),
            )
            for item in report.inputs
        ),
        pages=report.output.pages,
        bytes=report.output.bytes,
        tool_version=msp_docs.__version__,
    )


def merge_uploads(
    uploads: Sequence[Upload], title: str, limits: msp_docs.Limits | None
) -> tuple[bytes, msp_docs.Report]:
    """Merge the uploads into one PDF in memory (at most ``limits.max_output_bytes``).

    Raises:
        DocumentRefused: a subclass carrying msp_docs' code, exit code and messages.
    """
    import msp_docs

    output = io.BytesIO()
    try:
        report = msp_docs.merge(
            [msp_docs.Input(u.source, name=u.name) for u in uploads],
            output,
            limits=limits or msp_docs.Limits(),
            options=msp_docs.Options(title=title, lang=msp_docs.Lang.FR, isolate=True),
        )
    except msp_docs.MspDocsError as error:
        raise refusal(error) from error
    return output.getvalue(), report


def new_document_id() -> str:
    """128 random bits in hex: a document's id."""
    return secrets.token_hex(16)


def add_document(
    ctx: WalletContext,
    session_token: str,
    uploads: Sequence[Upload],
    *,
    title: str,
    category: str,
) -> WalletDocument:
    """Merge 1 to 4 uploads into one PDF and keep it in the wallet (rule D4).

    Checks the session, the title, the category and the uploads, refuses early when the wallet
    is already full, merges with msp_docs (isolation on), then stores the bytes (claim, put)
    and commits the document with its blob reference, the quota checked again under a lock.
    A refusal stores nothing; a crash leaves at most bytes that orphan collection removes.

    Raises:
        SessionInvalid, InvalidDocumentTitle, InvalidCategory, InvalidUpload,
        InvalidUploadName, DocumentRefused (a subclass: the msp_docs refusal), WalletFull,
        WalletTooLarge, BlobStoreNotConfigured, StorageError.
    """
    account = signed_in(ctx, session_token)
    title = check_title(title)
    chosen = check_category(category)
    limits = ctx.settings.limits
    max_files = limits.max_files if limits is not None else 4
    checked = checked_uploads(uploads, max_files)
    blobs = ctx.blob_store()
    quota = ctx.quota
    check_quota(ctx.store.usage(account.id), 0, quota)  # full already: do not merge for nothing
    data, report = merge_uploads(checked, title, limits)
    # Checked again with the PDF's size before anything is written (and once more, under a
    # lock, when the row is inserted: a parallel addition may have taken the room since).
    check_quota(ctx.store.usage(account.id), len(data), quota)
    now = ctx.accounts.now()
    ref = keep_blob(ctx.index, blobs, data, now)
    document = WalletDocument(
        id=new_document_id(),
        title=title,
        category=chosen,
        sha256=ref.sha256,
        size=ref.size,
        pages=report.output.pages if report.output else 0,
        created_at=now,
        updated_at=now,
        summary=summarise(report),
    )
    ctx.store.add_document(account.id, document, quota)
    return document


# --- reading and changing ------------------------------------------------------------------------
def list_documents(ctx: WalletContext, session_token: str) -> list[WalletDocument]:
    """The signed-in account's documents, newest first."""
    account = signed_in(ctx, session_token)
    return ctx.store.documents(account.id)


def usage(ctx: WalletContext, session_token: str) -> WalletUsage:
    """What the wallet holds, with the quota (for "12 documents, 34 Mo of 200 Mo")."""
    account = signed_in(ctx, session_token)
    held = ctx.store.usage(account.id)
    return WalletUsage(held.documents, held.bytes, ctx.quota)


def get_document(ctx: WalletContext, session_token: str, document_id: str) -> WalletDocument:
    """One document's metadata; DocumentNotFound when it is not this account's."""
    account = signed_in(ctx, session_token)
    found = ctx.store.document(account.id, _document_id(document_id))
    if found is None:
        raise DocumentNotFound
    return found


def document_content(ctx: WalletContext, session_token: str, document_id: str) -> DocumentContent:
    """A document's metadata and its bytes as a verified stream (the blob is looked up now).

    Raises:
        SessionInvalid, DocumentNotFound, BlobMissing, BlobStoreNotConfigured, StorageError;
        while iterating: BlobCorrupt, StorageError.
    """
    document = get_document(ctx, session_token, document_id)
    chunks = ctx.blob_store().open(document.sha256)
    return DocumentContent(document, verified(chunks, document.sha256, document.size))


def rename_document(
    ctx: WalletContext, session_token: str, document_id: str, title: str
) -> WalletDocument:
    """Give a document another title (its bytes, and the title inside the PDF, stay)."""
    account = signed_in(ctx, session_token)
    key = _document_id(document_id)
    new_title = check_title(title)
    changed = ctx.store.update_document(account.id, key, now=ctx.accounts.now(), title=new_title)
    if changed is None:
        raise DocumentNotFound
    return changed


def recategorise_document(
    ctx: WalletContext, session_token: str, document_id: str, category: str
) -> WalletDocument:
    """Put a document in another category."""
    account = signed_in(ctx, session_token)
    key = _document_id(document_id)
    chosen = check_category(category)
    changed = ctx.store.update_document(account.id, key, now=ctx.accounts.now(), category=chosen)
    if changed is None:
        raise DocumentNotFound
    return changed


def delete_document(ctx: WalletContext, session_token: str, document_id: str) -> None:
    """Delete a document from the wallet.

    Its bytes stay as long as something else holds them (a transmitted procedure that used it,
    another document with the same bytes); otherwise orphan collection removes them after the
    grace period.
    """
    account = signed_in(ctx, session_token)
    if ctx.store.delete_document(account.id, _document_id(document_id)) is None:
        raise DocumentNotFound
