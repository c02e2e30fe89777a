"""What the services need from the outside world, as small interfaces the service plugs in.

The services import these protocols and the plain records of :mod:`msp_portal.domain.records`,
never an adapter: :class:`msp_portal.adapters.sql.store.SqlStore` is one implementation of
:class:`Store`, and :class:`msp_portal.Portal` accepts any object that has its methods.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from msp_portal.domain.contact import ContactDetails
from msp_portal.domain.dossiers import AttachedDocument
from msp_portal.domain.emails import Email
from msp_portal.domain.lifecycle import DeliveryState, DossierState, OrganisationStatus
from msp_portal.domain.limits import Bucket
from msp_portal.domain.lockout import LockPolicy, LockState
from msp_portal.domain.records import (
    AccountRecord,
    Admission,
    ChallengeEntry,
    LinkTokenRecord,
    OutboxMessage,
    PartnerLinkRecord,
    QueuedMail,
    RecoveryRequest,
    SessionRecord,
)
from msp_portal.domain.summary import Summary
from msp_portal.domain.wallet import Category, WalletDocument, WalletQuota, WalletUsage

Clock = Callable[[], datetime]
"""Returns the current instant as an aware UTC datetime."""


class Mailer(Protocol):
    """Hands one email over for delivery; raises DeliveryFailed when it cannot.

    The services never call it directly: they queue mail in the store, and
    :meth:`msp_portal.Portal.deliver_mail` hands the queue over to it.
    """

    def send(self, email: Email) -> None:
        """Send ``email``."""


class SmsGateway(Protocol):
    """Takes one SMS for delivery (the shipped gateway queues it in the database outbox)."""

    def send(self, phone: str, text: str, *, account_id: int | None = None) -> None:
        """Send ``text`` to ``phone`` (E.164), on behalf of ``account_id`` when there is one."""


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


class Throttle(Protocol):
    """Counted budgets shared by every instance of the service (see domain.limits).

    Used for send limits and per-client throttling. Taking is atomic: however many requests
    arrive at once, no bucket ever admits more than its count per window.
    """

    def take_quota(self, buckets: Sequence[Bucket], now: datetime) -> datetime | None:
        """Take one use from every bucket, or from none.

        Returns None when taken, else the instant the refusing bucket's window ends.
        """

    def give_back_quota(self, bucket: Bucket, now: datetime) -> None:
        """Return one use to ``bucket``'s running window (the attempt was legitimate)."""


class AccountStore(Protocol):
    """Accounts, their lock counters, credentials and deletion."""

    def add_account(
        self, identifier: str, email: str, email_key: str, password_hash: str, now: datetime
    ) -> int:
        """Insert an account; raises IdentifierTaken if the identifier exists or existed."""

    def account_by_identifier(self, identifier: str) -> AccountRecord | None:
        """The live account with exactly this identifier (case-sensitive), or None."""

    def account_by_id(self, account_id: int) -> AccountRecord | None:
        """The live account with this id, or None."""

    def accounts_for_email_key(self, email_key: str) -> list[AccountRecord]:
        """The live accounts whose address has this key, by identifier."""

    def admit_password_check(self, account_id: int, now: datetime, policy: LockPolicy) -> Admission:
        """Count one password check as failed and admit it, unless the account is locked."""

    def clear_failures(self, account_id: int) -> None:
        """A success: reset the failure count and lift the lock."""

    def rehash_password(self, account_id: int, old_hash: str, new_hash: str) -> None:
        """Replace a hash made with older parameters (same password)."""

    def change_password(
        self,
        account_id: int,
        new_hash: str,
        *,
        expected_version: int | None = None,
        keep_session: str | None = None,
        void_links: Collection[str] = (),
    ) -> bool:
        """Set a new password; end the other sessions, void pending links of those purposes."""

    def change_email(
        self,
        account_id: int,
        email: str,
        email_key: str,
        *,
        verified_at: datetime | None,
        void_links: Collection[str] = (),
    ) -> None:
        """Set the address (verified at ``verified_at``); void pending links of ``void_links``."""

    def mark_email_verified(self, account_id: int, email: str, now: datetime) -> bool:
        """Record that ``email`` is verified, if it is still the account's address."""

    def enable_sms(self, account_id: int, phone: str, unlock_code_hash: str) -> bool:
        """Turn SMS access on; False if it already was."""

    def disable_sms(self, account_id: int) -> bool:
        """Turn SMS access off; False if it already was."""

    def delete_account(self, account_id: int, now: datetime, farewell: Email | None) -> None:
        """Remove every personal datum of an account (queued messages included).

        The identifier stays reserved (A1). ``farewell`` is queued after the deletion, attached
        to no account.
        """


class ProfileStore(Protocol):
    """Contact details kept for prefilling."""

    def contact_details(self, account_id: int) -> ContactDetails:
        """The account's contact details (empty ones when never given)."""

    def save_contact_details(self, account_id: int, details: ContactDetails, now: datetime) -> None:
        """Replace the account's contact details."""


class SessionStore(Protocol):
    """Signed-in sessions, kept under their token's hash."""

    def add_session(self, token_hash: str, account_id: int, now: datetime) -> None:
        """Record a new session."""

    def touch_session(
        self, token_hash: str, now: datetime, *, idle: timedelta, absolute: timedelta
    ) -> SessionRecord | None:
        """Mark a session used at ``now`` if still alive; None otherwise."""

    def end_session(self, token_hash: str) -> None:
        """Forget a session."""


class LinkStore(Protocol):
    """Emailed links (reset, email change, verification), kept under their token's hash."""

    def add_link_token(
        self,
        token_hash: str,
        account_id: int,
        purpose: str,
        *,
        now: datetime,
        expires_at: datetime,
        password_version: int,
        new_email: str | None = None,
    ) -> None:
        """Record an emailed link."""

    def peek_link_token(
        self, token_hash: str, purpose: str, now: datetime
    ) -> LinkTokenRecord | None:
        """The link's facts if it is unused and unexpired, without using it."""

    def use_link_token(
        self, token_hash: str, purpose: str, now: datetime
    ) -> LinkTokenRecord | None:
        """Use a link once: only the first of any number of parallel uses gets its facts."""


class ChallengeStore(Protocol):
    """SMS codes, bound to the sign-in attempt (or enrolment) they were sent for."""

    def add_challenge(
        self,
        token_hash: str,
        account_id: int,
        purpose: str,
        *,
        phone: str,
        code_hash: str,
        salt: str,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        """Record an SMS code (hashed)."""

    def peek_challenge(
        self, token_hash: str, purpose: str, now: datetime, max_entries: int
    ) -> ChallengeEntry | None:
        """The live code's facts without counting an entry; None when it cannot be used."""

    def take_challenge_entry(
        self, token_hash: str, purpose: str, now: datetime, max_entries: int
    ) -> ChallengeEntry | None:
        """Count one entry on a live code before it is checked; None when none is left."""

    def use_challenge(self, token_hash: str, now: datetime) -> bool:
        """Mark a code used; True for the single caller that did it first."""


class PartnerLinkStore(Protocol):
    """Links with partner organisations (L1-L3)."""

    def partner_links(self, account_id: int) -> list[PartnerLinkRecord]:
        """The account's links, oldest first."""

    def delete_partner_link(self, partner_code: str, partner_reference: str) -> bool:
        """Delete a link by the partner's own reference; False when there was none."""


class SmsOutbox(Protocol):
    """The SMS queue, drained by a sender process."""

    def enqueue_sms(
        self, phone: str, body: str, now: datetime, *, account_id: int | None = None
    ) -> int:
        """Queue an SMS; returns its id."""

    def outbox(self, *, pending_only: bool = False) -> list[OutboxMessage]:
        """Messages of the outbox, oldest first."""

    def claim_sms(self, message_id: int, now: datetime) -> bool:
        """Mark a pending SMS as sent before handing it over; True for the one claimant."""

    def release_sms(self, message_id: int, error: str) -> None:
        """The hand-over failed: put the SMS back in the queue with the error."""


class MailOutbox(Protocol):
    """The email queue and the recovery requests the mail worker resolves."""

    def enqueue_mail(self, email: Email, now: datetime, *, account_id: int | None = None) -> int:
        """Queue an email; returns its id."""

    def mail_outbox(self, *, pending_only: bool = False) -> list[QueuedMail]:
        """Emails of the outbox, oldest first."""

    def due_mail(self, now: datetime, *, max_attempts: int, limit: int) -> list[QueuedMail]:
        """Pending emails whose next attempt is due, oldest first."""

    def claim_mail(self, mail_id: int, now: datetime) -> bool:
        """Mark a pending email as sent before handing it over; True for the one claimant."""

    def release_mail(self, mail_id: int, error: str, retry_at: datetime) -> None:
        """The hand-over failed: queue the email again for ``retry_at``, with the error."""

    def add_recovery_request(self, kind: str, lookup: str, now: datetime) -> None:
        """Queue a "forgot identifier / password" request."""

    def take_recovery_requests(self, limit: int) -> list[RecoveryRequest]:
        """Remove and return up to ``limit`` requests, oldest first (each to one taker only)."""

    def purge_outboxes(self, before: datetime) -> int:
        """Delete queued messages, requests and ended counters older than ``before``."""


class Store(
    AccountStore,
    ProfileStore,
    SessionStore,
    LinkStore,
    ChallengeStore,
    PartnerLinkStore,
    SmsOutbox,
    MailOutbox,
    Throttle,
    Protocol,
):
    """Everything the account services keep: one object, one transaction per call.

    The counters that guard against guessing and abuse (failed password checks, SMS code
    entries, single-use links, send limits) must change atomically under concurrent requests.
    """


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
