"""The current schema (version 5), as the store queries it; migrations.py builds it step by step."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from msp_portal.adapters.sql.types import UtcDateTime

metadata = MetaData()

schema_versions = Table(
    "msp_portal_schema",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", UtcDateTime, nullable=False),
)

# An account row outlives the account: after deletion only the identifier and dates remain,
# so that the identifier is never given to anyone else (A1).
accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("identifier", String(64), nullable=False, unique=True),
    Column("email", String(254)),
    Column("email_key", String(254), index=True),
    Column("password_hash", String(255)),
    Column("password_version", Integer, nullable=False, default=0),
    Column("failed_count", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime),
    Column("sms_phone", String(20)),
    Column("unlock_code_hash", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("deleted_at", UtcDateTime),
    Column("email_verified_at", UtcDateTime),  # v3
)

profiles = Table(
    "profiles",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("civility", String(8)),
    Column("family_name", String(100), nullable=False, default=""),
    Column("given_names", String(150), nullable=False, default=""),
    Column("birth_date", Date),
    Column("address_line1", String(200), nullable=False, default=""),
    Column("address_line2", String(200), nullable=False, default=""),
    Column("postcode", String(10), nullable=False, default=""),
    Column("city", String(100), nullable=False, default=""),
    Column("country", String(100), nullable=False, default=""),
    Column("phone", String(20), nullable=False, default=""),
    Column("updated_at", UtcDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
)

# Emailed links: password reset, email change. Only the token's hash is stored.
link_tokens = Table(
    "link_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("purpose", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Column("password_version", Integer, nullable=False),
    Column("new_email", String(254)),
)

# One row per SMS code; token_hash is the hash of the sign-in attempt (or enrolment) it belongs to.
sms_challenges = Table(
    "sms_challenges",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("purpose", String(16), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("salt", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("entries", Integer, nullable=False, default=0),
    Column("used_at", UtcDateTime),
)

sms_outbox = Table(
    "sms_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("phone", String(20), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),  # v2
    Column("last_error", String(500)),  # v2
    Column("account_id", Integer, index=True),  # v3: deleted with the account
)

# v3: every email goes through this queue; a worker hands it to the SMTP relay, with retries.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, index=True),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(500)),
)

# v3: "forgot identifier / password" requests, resolved by the mail worker, deleted when taken.
recovery_requests = Table(
    "recovery_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("lookup", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# v3: counted budgets (send limits, per-client throttling), keyed by a SHA-256 of what they count.
quotas = Table(
    "quotas",
    metadata,
    Column("bucket", String(64), primary_key=True),
    Column("account_id", Integer, index=True),
    Column("used", Integer, nullable=False),
    Column("window_ends_at", UtcDateTime, nullable=False),
)

partner_links = Table(
    "partner_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("partner_code", String(32), nullable=False),
    Column("partner_reference", String(128), nullable=False),
    Column("linked_at", UtcDateTime, nullable=False),
    UniqueConstraint("partner_code", "partner_reference"),
)

# --- v4: the document wallet, and the keeping of content-addressed blobs --------------------------
# One row per blob the portal writes or wrote: its claim. A writer claims the hash (committed)
# before it puts the bytes, so orphan collection never removes bytes that are being added.
blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("claimed_at", UtcDateTime, nullable=False),
)

# Who holds a blob: a wallet document, a procedure's attachment, a dossier PDF... A blob with
# no row here and an old claim is removed by orphan collection.
blob_refs = Table(
    "blob_refs",
    metadata,
    Column("sha256", String(64), ForeignKey("blobs.sha256"), nullable=False),
    Column("holder_kind", String(32), nullable=False),
    Column("holder_id", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("holder_kind", "holder_id", "sha256"),
    Index("ix_blob_refs_sha256", "sha256"),
)

# The bytes of a document never change: a trigger refuses UPDATEs of sha256 and size.
wallet_documents = Table(
    "wallet_documents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("title", String(150), nullable=False),
    Column("category", String(32), nullable=False),
    Column("sha256", String(64), ForeignKey("blobs.sha256"), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("summary", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_wallet_documents_account", "account_id", "created_at"),
)

# Other areas keep their tables in their own modules, on this same metadata (imported last, as
# they import ``metadata`` from here).
from msp_portal.adapters.sql import procedure_schema as _procedure_schema  # noqa: E402

_ = _procedure_schema
