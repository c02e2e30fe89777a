"""The tables of online procedures (schema version 5), on the shared metadata of ``schema.py``."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from msp_portal.adapters.sql.schema import metadata
from msp_portal.adapters.sql.types import UtcDateTime

__all__ = [
    "IN_PROGRESS",
    "TRANSMITTED",
    "procedure_attachments",
    "procedure_deliveries",
    "procedure_dossiers",
    "procedure_emails",
    "procedure_status_reports",
]

IN_PROGRESS = "in-progress"
TRANSMITTED = "transmitted"

# One row per dossier, from start to transmission. A transmitted row is frozen: the database
# refuses any UPDATE or DELETE of it (triggers, see migrations._v5_procedures), and ``seal``
# makes a change made around the triggers visible on the next read.
procedure_dossiers = Table(
    "procedure_dossiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(32), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("procedure", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("session_hash", String(64)),
    Column("answers", Text, nullable=False),
    Column("saved_answers", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("file_number", String(16), unique=True),
    Column("password_hash", String(255)),
    Column("saved_at", UtcDateTime),
    Column("expires_at", UtcDateTime),
    Column("failed_count", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime),
    Column("main_sha256", String(64)),
    Column("main_size", Integer),
    Column("reference", String(32), unique=True),
    Column("transmitted_at", UtcDateTime),
    Column("organisations", String(400)),
    Column("content", Text),
    Column("content_sha256", String(64)),
    Column("seal", String(64)),
    Column("summary_sha256", String(64)),
    Column("dossier_sha256", String(64)),
    Column("dossier_size", Integer),
    Index("ix_procedure_dossiers_account", "account_id", "created_at", "id"),
    Index("ix_procedure_dossiers_expiry", "state", "expires_at"),
    # P4: at most one procedure in progress per account, enforced by the database itself.
    Index(
        "uq_procedure_dossiers_in_progress",
        "account_id",
        unique=True,
        sqlite_where=Column("state") == IN_PROGRESS,
        postgresql_where=Column("state") == IN_PROGRESS,
    ),
)

# Wallet documents attached to a dossier (D5), copied by reference (SHA-256) when attached.
procedure_attachments = Table(
    "procedure_attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "dossier_id",
        Integer,
        ForeignKey("procedure_dossiers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("slot", String(64), nullable=False),
    Column("document_id", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("category", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("attached_at", UtcDateTime, nullable=False),
    UniqueConstraint("dossier_id", "slot", "document_id"),
)

# The transactional outbox of P8: one row per receiving organisation, written in the same
# transaction as the transmission, sent by the delivery worker.
procedure_deliveries = Table(
    "procedure_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", Integer, ForeignKey("procedure_dossiers.id"), nullable=False),
    Column("organisation", String(32), nullable=False),
    Column("idempotency_key", String(80), nullable=False, unique=True),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("lease_until", UtcDateTime),
    Column("last_error", String(500)),
    Column("delivered_at", UtcDateTime),
    Column("status", String(16)),
    Column("status_message", Text),
    Column("status_at", UtcDateTime),
    UniqueConstraint("dossier_id", "organisation"),
    Index("ix_procedure_deliveries_due", "state", "next_attempt_at"),
)

# Every status an organisation reported (P8), never changed.
procedure_status_reports = Table(
    "procedure_status_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "delivery_id", Integer, ForeignKey("procedure_deliveries.id"), nullable=False, index=True
    ),
    Column("status", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
)

# Confirmation emails of transmissions, written with the transmission and sent after it, so that
# a crash between the two does not lose the email that carries the reference.
procedure_emails = Table(
    "procedure_emails",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", Integer, ForeignKey("procedure_dossiers.id"), nullable=False, unique=True),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(500)),
)
