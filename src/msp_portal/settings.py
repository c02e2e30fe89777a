"""PortalSettings: every rule's number in one frozen value, passed in, never a module global."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # msp_docs is imported only when a document is processed
    from msp_docs import Limits

from msp_portal.domain.contact import FRENCH_REGIONS
from msp_portal.domain.limits import Limit

# OWASP Password Storage Cheat Sheet, argon2id: m = 19 MiB, t = 2, p = 1 is the floor.
OWASP_MIN_MEMORY_KIB = 19 * 1024
OWASP_MIN_TIME_COST = 2
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_CLIENT_PASSWORD_FAILURES = Limit(30, timedelta(minutes=15))
_CLIENT_MESSAGE_REQUESTS = Limit(20, _HOUR)


@dataclass(frozen=True)
class Argon2Params:
    """argon2id cost parameters; refused below OWASP's minimum (m >= 19 MiB, t >= 2)."""

    memory_kib: int = OWASP_MIN_MEMORY_KIB
    time_cost: int = OWASP_MIN_TIME_COST
    parallelism: int = 1

    def __post_init__(self) -> None:
        if self.memory_kib < OWASP_MIN_MEMORY_KIB or self.time_cost < OWASP_MIN_TIME_COST:
            msg = (
                f"argon2id parameters below OWASP's minimum (m={self.memory_kib} KiB, "
                f"t={self.time_cost}; need m >= {OWASP_MIN_MEMORY_KIB}, t >= {OWASP_MIN_TIME_COST})"
            )
            raise ValueError(msg)
        if self.parallelism < 1:
            raise ValueError("argon2id parallelism must be at least 1")


def _procedure_settings() -> ProcedureSettings:
    return ProcedureSettings()


MiB = 1024 * 1024


@dataclass(frozen=True)
class WalletSettings:
    """The document wallet's numbers (rules D2, D4-D6); the reasons are in docs/wallet.md.

    Attributes:
        max_documents: Documents one account may keep. 100 holds every proof a household is
            asked for (identity, address, three years of tax notices, payslips, family
            records) several times over.
        max_bytes: Bytes (stored PDFs) one account may keep: 200 MiB is 100 documents of a
            typical 2 MiB scan, or 20 at the 10 MiB maximum of one document (rule D2).
        orphan_grace: Stored bytes no document or procedure refers to are removed by
            :func:`msp_portal.collect_orphans` only once they are this old, so that a document
            being added (bytes written, row not yet committed) is never collected.
        blob_directory: Where :class:`msp_portal.Portal` keeps document bytes when no blob
            store is given to it (a :class:`msp_portal.LocalBlobStore`); None: none.
        limits: msp_docs limits of one merge (default ``msp_docs.Limits()``: 4 files, 10 MiB).
        fit: Make every added document fit ``limits.max_output_bytes`` (10 MiB, rule D2) with
            msp_docs' ``fit``: uploads may then total up to ``limits.max_fit_input_bytes``
            (80 MiB), and photos too large together are downsampled (never below ``min_dpi``)
            and re-encoded as JPEG at the highest quality that fits; what fits as it is stays
            untouched. Off: uploads over 10 MiB in all are refused, as the FAQ's site does.
        min_dpi: The legibility floor of ``fit`` (dots per inch on the A4 page).
    """

    max_documents: int = 100
    max_bytes: int = 200 * MiB
    orphan_grace: timedelta = timedelta(hours=24)
    blob_directory: Path | None = None
    limits: Limits | None = None
    fit: bool = True
    min_dpi: float = 150.0

    @property
    def max_upload_files(self) -> int:
        """Files one addition may merge (``limits.max_files``, 4 by default: rule D2)."""
        return self._limits().max_files

    @property
    def max_document_bytes(self) -> int:
        """Bytes of one stored document (``limits.max_output_bytes``, 10 MiB: rule D2)."""
        return self._limits().max_output_bytes

    @property
    def max_upload_bytes(self) -> int:
        """Bytes one addition may upload in all: what a web layer caps the request body at.

        With ``fit``, ``limits.max_fit_input_bytes`` (80 MiB by default): the document is then
        made to fit ``limits.max_output_bytes``. Without it, ``limits.max_total_bytes`` (10 MiB,
        rule D2). Larger uploads are refused by msp_docs anyway; reading them would be waste.
        """
        limits = self._limits()
        return limits.max_fit_input_bytes if self.fit else limits.max_total_bytes

    def _limits(self) -> Limits:
        from msp_docs.limits import Limits

        return self.limits if self.limits is not None else Limits()

    def __post_init__(self) -> None:
        if self.max_documents < 1 or self.max_bytes < 1:
            raise ValueError("the wallet quota must allow at least one document and one byte")
        if self.orphan_grace < timedelta(minutes=5):
            raise ValueError("orphan_grace must leave at least 5 minutes to finish an addition")


@dataclass(frozen=True)
class PortalSettings:
    """The account rules' numbers; the defaults are the service's (rules A5, A6) and ours.

    Attributes:
        lock_threshold: Consecutive failed password checks that lock the account (A5).
        lock_duration: How long a lock lasts; it ends by itself (A5).
        password_min_length: Minimum length in characters after NFKC normalisation.
        password_max_length: Maximum accepted length (at least 128 must be accepted).
        argon2: Hashing cost of new passwords; older hashes are upgraded at sign-in.
        reset_link_validity: Lifetime of a "forgot password" link (single use).
        email_change_link_validity: Lifetime of the link confirming a new email address.
        sms_code_validity: Lifetime of an SMS code (single use).
        sms_code_max_entries: Entries allowed for one SMS code (wrong ones included).
        session_idle_timeout: A session ends after this long without use.
        session_absolute_timeout: A session ends this long after sign-in, used or not.
        base_url: Start of the links put in emails.
        partner_keys: Partner code -> SHA-256 hex digest of that partner's API key (links,
            L2, and status reports of receiving organisations, P8).
        procedures: The numbers of online procedures.
        partner_keys: Partner code -> SHA-256 hex digest of that partner's API key.
        wallet: The document wallet's quota and storage (:class:`WalletSettings`).
        email_verification_link_validity: Lifetime of the link that verifies the address given
            at account creation (it is opened while signed in).
        sms_regions: Regions (ISO 3166 codes, as libphonenumber names them) whose mobile numbers
            may receive SMS; None for any region. Default: the French numbering plan.
        sms_per_account: Limits on SMS sent for one account (every limit applies).
        sms_per_destination: Limits on SMS sent to one number, whatever the account.
        mail_per_account: Limits on the emails one account can trigger (verification and
            email-change links, recovery mails); security notices are never limited.
        mail_per_destination: Limits on those emails sent to one address, whatever the account.
        client_password_failures: Failed password checks allowed per client key (the caller's
            IP, say) across every identifier: slows password spraying.
        client_message_requests: Requests that send a message (account creation, forgot
            identifier / password) allowed per client key.
        mail_max_attempts: Hand-overs tried for one queued email before it is given up (retries
            wait 1, 2, 4 ... minutes, one hour at most).
        outbox_retention: How long queued SMS and emails (sent or not) are kept before
            :meth:`msp_portal.Portal.purge_outboxes` deletes them.
    """

    lock_threshold: int = 5
    lock_duration: timedelta = timedelta(hours=2)
    password_min_length: int = 12
    password_max_length: int = 1024
    argon2: Argon2Params = field(default_factory=Argon2Params)
    reset_link_validity: timedelta = timedelta(hours=1)
    email_change_link_validity: timedelta = timedelta(hours=24)
    sms_code_validity: timedelta = timedelta(minutes=10)
    sms_code_max_entries: int = 3
    session_idle_timeout: timedelta = timedelta(minutes=30)
    session_absolute_timeout: timedelta = timedelta(hours=12)
    base_url: str = "https://mon.service-public.fr"
    partner_keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    procedures: ProcedureSettings = field(default_factory=_procedure_settings)
    wallet: WalletSettings = field(default_factory=WalletSettings)
    email_verification_link_validity: timedelta = timedelta(days=7)
    sms_regions: frozenset[str] | None = FRENCH_REGIONS
    sms_per_account: tuple[Limit, ...] = (Limit(10, _HOUR), Limit(30, _DAY))
    sms_per_destination: tuple[Limit, ...] = (Limit(10, _HOUR), Limit(30, _DAY))
    mail_per_account: tuple[Limit, ...] = (Limit(5, _HOUR), Limit(20, _DAY))
    mail_per_destination: tuple[Limit, ...] = (Limit(5, _HOUR), Limit(20, _DAY))
    client_password_failures: Limit = _CLIENT_PASSWORD_FAILURES
    client_message_requests: Limit = _CLIENT_MESSAGE_REQUESTS
    mail_max_attempts: int = 8
    outbox_retention: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        if self.lock_threshold < 1:
            raise ValueError("lock_threshold must be at least 1")
        if self.password_min_length < 12 or self.password_max_length < 128:
            raise ValueError("passwords of 12 to at least 128 characters must be accepted")
        if self.sms_code_max_entries < 1:
            raise ValueError("sms_code_max_entries must be at least 1")
        if self.mail_max_attempts < 1:
            raise ValueError("mail_max_attempts must be at least 1")
        if self.outbox_retention < self.sms_code_validity:
            raise ValueError("outbox_retention must outlast an SMS code")


@dataclass(frozen=True)
class OrganisationEndpoint:
    """Where and how to deliver dossiers to one receiving organisation (P8).

    Attributes:
        url: The HTTPS endpoint that receives ``POST`` requests (see ``docs/procedures.md``).
        secret: The HMAC-SHA-256 key shared with the organisation to sign each request.
    """

    url: str
    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise ValueError("an organisation endpoint is an http(s) URL")
        if len(self.secret) < 32:
            raise ValueError("an organisation secret has at least 32 characters")


@dataclass(frozen=True)
class ProcedureSettings:
    """The numbers of online procedures (P1-P9); the defaults are the FAQ's and ours.

    Attributes:
        draft_validity_days: A saved draft and its link live this many days (P3), counted in
            Paris wall-clock time from the last save.
        max_answers_bytes: Size of one dossier's answers as stored JSON (UTF-8).
        max_attachments: Documents attached to one dossier, all places together.
        max_dossier_bytes: Size of the dossier PDF (summary + main document + attachments) and
            of its inputs together.
        merge_isolated: Merge the dossier PDF with ``msp_docs``' isolation (each input decoded in
            a child process with limits). Attachments were made by ``msp_docs`` already.
        merge_seconds_per_input: ``msp_docs``' time budget per input of that merge; large,
            so that a loaded machine does not make a transmission fail.
        endpoints: Organisation code -> its delivery endpoint and secret.
        delivery_timeout: Seconds an organisation has to answer one request.
        delivery_max_attempts: Attempts before a delivery is marked failed (visible in Mon suivi).
        delivery_base_delay: Wait after the first failure; it doubles with each failure...
        delivery_max_delay: ... up to this (before jitter).
        delivery_lease: How long a worker holds a delivery it is sending; after a crash another
            worker takes it over once this has passed.
        delivery_batch: Deliveries one worker pass takes at most.
    """

    draft_validity_days: int = 15
    max_answers_bytes: int = 256 * 1024
    max_attachments: int = 10
    max_dossier_bytes: int = 64 * 1024 * 1024
    merge_isolated: bool = True
    merge_seconds_per_input: float = 300.0
    endpoints: Mapping[str, OrganisationEndpoint] = field(
        default_factory=lambda: MappingProxyType({})
    )
    delivery_timeout: float = 10.0
    delivery_max_attempts: int = 10
    delivery_base_delay: timedelta = timedelta(seconds=30)
    delivery_max_delay: timedelta = timedelta(hours=1)
    delivery_lease: timedelta = timedelta(minutes=2)
    delivery_batch: int = 200

    def __post_init__(self) -> None:
        if self.draft_validity_days < 1 or self.delivery_max_attempts < 1:
            raise ValueError("draft_validity_days and delivery_max_attempts must be positive")
        if self.delivery_lease.total_seconds() <= self.delivery_timeout:
            raise ValueError("delivery_lease must be longer than delivery_timeout")
