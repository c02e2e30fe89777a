"""What the services need from the outside world, as small interfaces the service plugs in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from msp_portal.domain.emails import Email
from msp_portal.domain.wallet import Category, WalletDocument, WalletQuota, WalletUsage

Clock = Callable[[], datetime]
"""Returns the current instant as an aware UTC datetime."""


class Mailer(Protocol):
    """Hands one email over for delivery; raises DeliveryFailed when it cannot."""

    def send(self, email: Email) -> None:
        """Send ``email``."""


class SmsGateway(Protocol):
    """Takes one SMS for delivery (the shipped gateway queues it in the database outbox)."""

    def send(self, phone: str, text: str) -> None:
        """Send ``text`` to ``phone`` (E.164)."""


class Captcha(Protocol):
    """The service's captcha provider."""

    def verify(self, response: str) -> bool:
        """Whether ``response`` solves the captcha that was shown."""


class PasswordHasher(Protocol):
    """Slow password hashing (argon2id in the shipped adapter)."""

    def hash(self, password: str) -> str:
        """Hash a password with the current parameters."""

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``."""

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether ``password_hash`` was made with other parameters than the current ones."""

    def verify_dummy(self, password: str) -> None:
        """Spend the time of a real check, for identifiers that do not exist."""


@dataclass(frozen=True)
class BlobRef:
    """Where stored bytes are: their SHA-256 (lower-case hex, the blob's key) and their size."""

    sha256: str
    size: int


class BlobStore(Protocol):
    """Document bytes, content-addressed: a blob's key is the SHA-256 of its bytes.

    Blobs never change. ``put`` returns only once the bytes are durable, and never leaves a
    partial blob visible under a key, so a crash at any point leaves either the whole blob or
    nothing (perhaps an unreferenced blob, which orphan collection removes). Metadata (who owns
    a document, its title) lives in the SQL store, never here.
    """

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        """Store the concatenated ``chunks``; storing bytes already present is a no-op."""

    def open(self, sha256: str) -> Iterator[bytes]:
        """Stream a blob's bytes in chunks; raises ``BlobMissing`` when there is no such blob.

        The shipped adapters look the blob up when ``open`` is called, not when the iterator is
        first advanced, so a web route can answer "not found" before it sends any header.
        Other failures raise ``StorageError``.
        """

    def delete(self, sha256: str) -> None:
        """Remove a blob; removing a missing one is not an error."""

    def stored(self) -> Iterator[tuple[str, datetime]]:
        """Every key with the aware UTC instant it was written (for orphan collection)."""


@runtime_checkable
class SupportsPartialCleanup(Protocol):
    """A blob store whose interrupted writes leave temporary files behind (a local directory).

    Orphan collection calls this when the store has it; object stores whose uploads are
    atomic (S3's single PUT) do not need it.
    """

    def remove_partial(self, older_than: datetime) -> int:
        """Remove temporary files of writes begun before ``older_than``; returns how many."""


class BlobIndex(Protocol):
    """Which blobs are still needed: the SQL side of content-addressed storage.

    Two tables (see docs/wallet.md, "Keeping blobs"): ``blobs`` has a row per blob the portal
    is writing or has written (its *claim*, with the instant of the last claim), and
    ``blob_refs`` a row per holder of a blob: ``(sha256, holder_kind, holder_id)``, e.g.
    ``("...", "wallet-document", "<document id>")`` or a procedure's attachment. A blob is
    removed only when it has no reference and its last claim is older than the grace period.

    The protocol to store bytes, followed by :func:`msp_portal.services.blobs.keep_blob`:
    hash the bytes, :meth:`claim` the hash (committed), ``BlobStore.put`` the bytes, then
    insert the reference in the same transaction as the row that holds it
    (:func:`msp_portal.adapters.sql.blob_index.add_reference` takes a connection).
    """

    def claim(self, sha256: str, now: datetime) -> None:
        """Record (or renew) the claim on a blob about to be written, in its own transaction."""

    def add_reference(self, sha256: str, holder_kind: str, holder_id: str, now: datetime) -> None:
        """Record that ``holder_kind``/``holder_id`` holds the (claimed) blob; idempotent."""

    def remove_references(self, holder_kind: str, holder_id: str) -> int:
        """Forget every blob held by ``holder_kind``/``holder_id``; returns how many."""

    def references(self, sha256: str) -> list[tuple[str, str]]:
        """The ``(holder_kind, holder_id)`` pairs holding a blob."""

    def known(self, sha256s: Sequence[str]) -> set[str]:
        """Those of ``sha256s`` that have a claim row."""

    def adopt(self, sha256: str, written_at: datetime) -> bool:
        """Give a stray blob (in the store, no claim row) a claim dated ``written_at``.

        Returns False when a row already exists (someone claimed it meanwhile).
        """

    def unreferenced(self, claimed_before: datetime) -> list[str]:
        """Claims older than ``claimed_before`` that no reference holds."""

    def release(self, sha256: str, claimed_before: datetime, remove: Callable[[str], None]) -> bool:
        """Remove an unreferenced blob whose claim is older than ``claimed_before``.

        In one transaction that holds the claim row locked: check again, delete the row, call
        ``remove(sha256)`` (the blob store's delete), commit. A concurrent claim waits, then
        finds no row and writes the bytes anew. Returns whether the blob was removed.
        """


class WalletStore(Protocol):
    """Wallet documents' metadata (the bytes are in a :class:`BlobStore`)."""

    def usage(self, account_id: int) -> WalletUsage:
        """Documents and bytes the account's wallet holds (no quota filled in)."""

    def add_document(self, account_id: int, document: WalletDocument, quota: WalletQuota) -> None:
        """Insert the document and its blob reference in one transaction, within the quota.

        The account is locked for the check, so parallel additions cannot pass the quota.

        Raises:
            WalletFull, WalletTooLarge: the quota would be passed; nothing is written.
            DocumentNotFound: the account no longer exists.
        """

    def documents(self, account_id: int) -> list[WalletDocument]:
        """The account's documents, newest first."""

    def document(self, account_id: int, document_id: str) -> WalletDocument | None:
        """One of the account's documents, or None."""

    def update_document(
        self,
        account_id: int,
        document_id: str,
        *,
        now: datetime,
        title: str | None = None,
        category: Category | None = None,
    ) -> WalletDocument | None:
        """Change a document's title and/or category (never its bytes); None when not found."""

    def delete_document(self, account_id: int, document_id: str) -> WalletDocument | None:
        """Delete a document and its blob reference; returns it, or None when not found."""

    def delete_account_documents(self, account_id: int) -> int:
        """Delete every document of an account (account deletion); returns how many."""

    def purge_deleted_accounts(self) -> int:
        """Delete the documents of accounts deleted meanwhile; returns how many."""
