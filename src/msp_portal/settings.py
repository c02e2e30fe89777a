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
    """

    max_documents: int = 100
    max_bytes: int = 200 * MiB
    orphan_grace: timedelta = timedelta(hours=24)
    blob_directory: Path | None = None
    limits: Limits | None = None

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
