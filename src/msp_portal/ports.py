"""What the services need from the outside world, as small interfaces the service plugs in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from msp_portal.domain.dossiers import AttachedDocument
from msp_portal.domain.emails import Email
from msp_portal.domain.lifecycle import DeliveryState, DossierState, OrganisationStatus
from msp_portal.domain.lockout import LockPolicy, LockState
from msp_portal.domain.summary import Summary

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
        """Stream a blob's bytes in chunks; raises ``BlobMissing`` when there is no such blob."""

    def delete(self, sha256: str) -> None:
        """Remove a blob; removing a missing one is not an error."""

    def stored(self) -> Iterator[tuple[str, datetime]]:
        """Every key with the aware UTC instant it was written (for orphan collection)."""


# --- online procedures ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DossierRecord:
    """A dossier as stored.

    For a transmitted one, ``answers`` and ``attachments`` come from its sealed content,
    checked against the seal on the way out.
    """

    pk: int
    dossier_id: str
    account_id: int
    procedure: str
    version: int
    state: DossierState
    session_hash: str | None
    answers: Mapping[str, Any]
    saved_answers: Mapping[str, Any] | None
    attachments: tuple[AttachedDocument, ...]
    created_at: datetime
    updated_at: datetime
    file_number: str | None
    password_hash: str | None
    saved_at: datetime | None
    expires_at: datetime | None
    failed_count: int
    locked_until: datetime | None
    main_document: BlobRef | None
    reference: str | None
    transmitted_at: datetime | None
    organisations: tuple[str, ...]
    summary_sha256: str | None
    dossier_pdf: BlobRef | None


@dataclass(frozen=True)
class Transmission:
    """Everything a transmission writes in one transaction (P5, P8).

    The frozen dossier, its deliveries (the outbox) and its confirmation email.
    """

    reference: str
    transmitted_at: datetime
    organisations: tuple[str, ...]
    answers: str
    content: str
    content_sha256: str
    seal: str
    summary_sha256: str
    dossier_pdf: BlobRef
    deliveries: tuple[tuple[str, str], ...]
    email: Email


@dataclass(frozen=True)
class DeliveryRecord:
    """One delivery as "Mon suivi" shows it."""

    organisation: str
    state: DeliveryState
    attempts: int
    delivered_at: datetime | None
    last_error: str | None
    status: OrganisationStatus | None
    status_message: str
    status_at: datetime | None


@dataclass(frozen=True)
class TrackingRecord:
    """One dossier of "Mon suivi" (head only; a transmitted one's seal was checked)."""

    dossier_id: str
    procedure: str
    state: DossierState
    created_at: datetime
    file_number: str | None
    saved_at: datetime | None
    expires_at: datetime | None
    reference: str | None
    transmitted_at: datetime | None
    deliveries: tuple[DeliveryRecord, ...]


@dataclass(frozen=True)
class DeliveryJob:
    """A delivery claimed by a worker: what to send, and which attempt this is."""

    delivery_id: int
    organisation: str
    idempotency_key: str
    attempts: int
    dossier: DossierRecord


@dataclass(frozen=True)
class PendingEmail:
    """A confirmation email waiting in the procedures' outbox."""

    id: int
    email: Email
    attempts: int


class ReferenceTaken(Exception):
    """The reference drawn for a transmission already exists (draw another; 1 in 2^42)."""


class ProcedureStore(Protocol):
    """Where dossiers live (``adapters.sql.procedure_store.SqlProcedureStore``).

    Every method is one transaction. The rules that must hold under concurrency are the
    store's: one dossier in progress per account (P4), one transmission per dossier, frozen
    transmitted dossiers (P7), one claim per delivery attempt.
    """

    def start(
        self,
        *,
        account_id: int,
        session_hash: str,
        dossier_id: str,
        procedure: str,
        version: int,
        answers: str,
        now: datetime,
        idle: timedelta,
        absolute: timedelta,
    ) -> DossierRecord | None:
        """Insert an in-progress dossier; return None, or the account's one in progress."""

    def dossier(self, account_id: int, dossier_id: str) -> DossierRecord | None:
        """The account's dossier ``dossier_id``."""

    def dossier_by_reference(self, account_id: int, reference: str) -> DossierRecord | None:
        """The account's transmitted dossier with this reference."""

    def in_progress(self, account_id: int) -> DossierRecord | None:
        """The account's dossier in progress, if any."""

    def update_answers(
        self, pk: int, session_hash: str, answers: str, now: datetime, *, max_bytes: int
    ) -> bool:
        """Replace the answers of a dossier in progress held by this session."""

    def save_draft(
        self,
        pk: int,
        session_hash: str,
        *,
        file_number: str,
        password_hash: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> bool:
        """In progress -> saved; keeps the file number it had; new password and expiry."""

    def admit_resume(self, pk: int, now: datetime, policy: LockPolicy) -> LockState | None:
        """Count a resume check before it runs; None when refused (locked)."""

    def clear_resume_failures(self, pk: int) -> None:
        """A right file number and password: reset the count."""

    def resume(
        self, pk: int, session_hash: str, now: datetime, *, idle: timedelta, absolute: timedelta
    ) -> DossierRecord | None:
        """Saved -> in progress for this session; None, or the account's other one in progress."""

    def close_in_progress(self, account_id: int, now: datetime) -> None:
        """Sign-out (P4): back to the saved version, or gone when never saved."""

    def abandon(self, pk: int) -> bool:
        """Delete a dossier that is not transmitted, with its data."""

    def add_attachment(
        self, pk: int, session_hash: str, doc: AttachedDocument, now: datetime, *, limit: int
    ) -> str:
        """Attach a wallet document: ``attached``, ``not-held`` or ``slot-full``."""

    def remove_attachment(
        self, pk: int, session_hash: str, slot: str, document_id: str, now: datetime
    ) -> bool:
        """Detach a document from a dossier in progress."""

    def set_main_document(
        self, pk: int, session_hash: str, main: BlobRef | None, now: datetime
    ) -> bool:
        """Set the main PDF (a filled CERFA form) of a dossier in progress."""

    def commit_transmission(
        self, pk: int, session_hash: str, expected_update: datetime, t: Transmission
    ) -> bool:
        """Freeze the dossier, write its deliveries and email; False if it changed meanwhile."""

    def tracking(
        self,
        account_id: int,
        now: datetime,
        *,
        limit: int,
        before: tuple[datetime, int] | None = None,
    ) -> tuple[list[TrackingRecord], tuple[datetime, int] | None]:
        """One page of Mon suivi (transmitted dossiers, live drafts), newest first.

        Returns the page and the position (created_at, pk) where the next one starts.
        """

    def purge(self, now: datetime, *, idle: timedelta, absolute: timedelta) -> int:
        """Delete expired drafts and in-progress dossiers whose session ended; how many."""

    def due_deliveries(self, now: datetime, limit: int) -> list[int]:
        """Ids of pending deliveries whose time has come and that nobody holds."""

    def claim_delivery(
        self, delivery_id: int, now: datetime, lease: timedelta
    ) -> DeliveryJob | None:
        """Take one attempt of a due delivery (counted now); None when another worker has it."""

    def finish_delivery(
        self,
        delivery_id: int,
        *,
        state: DeliveryState,
        now: datetime,
        next_attempt_at: datetime,
        error: str | None,
    ) -> None:
        """Record an attempt's outcome."""

    def requeue_failed(self, now: datetime, organisation: str | None = None) -> int:
        """Failed deliveries become pending again (operator's decision); how many."""

    def report_status(
        self,
        reference: str,
        organisation: str,
        status: OrganisationStatus,
        message: str,
        now: datetime,
    ) -> None:
        """Record an organisation's status report (raises DeliveryNotFound, IllegalTransition)."""

    def status_reports(self, reference: str, organisation: str) -> list[tuple[str, str, datetime]]:
        """Every report received for one delivery, oldest first: (status, message, instant)."""

    def pending_emails(self, limit: int) -> list[PendingEmail]:
        """Confirmation emails not sent yet, oldest first."""

    def pending_email_for(self, dossier_pk: int) -> PendingEmail | None:
        """The dossier's confirmation email if it was not sent yet."""

    def email_sent(self, email_id: int, now: datetime) -> bool:
        """Mark an email sent; True for the one caller that did it."""

    def email_failed(self, email_id: int, error: str) -> None:
        """Count a failed hand-over."""


class Receiver(Protocol):
    """Hands one signed request to a receiving organisation (HTTP in the shipped adapter)."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int | None:
        """POST ``body``; the HTTP status, or None when no answer came (timeout, refused)."""


class SummaryRenderer(Protocol):
    """Lays a dossier summary out as a PDF (fpdf2 in the shipped adapter)."""

    def render(self, summary: Summary, *, created_at: datetime) -> bytes:
        """The summary as PDF bytes (A4, fonts embedded)."""


class WalletDocuments(Protocol):
    """The account's wallet documents a procedure may attach (D5)."""

    def document(self, account_id: int, document_id: str) -> AttachedDocument | None:
        """The document as it is now (title, category, sha256, size); ``slot`` left empty."""
