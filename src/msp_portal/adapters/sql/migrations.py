"""Versioned schema: numbered forward-only steps, applied in order and recorded in the database.

Each step is frozen once released: it describes the schema as it was at that version, never the
current one (schema.py); a test checks that the steps together build exactly schema.py. Steps run
in one transaction; on PostgreSQL an advisory lock makes concurrent starts of several instances
wait for each other, and SQLite's ``BEGIN IMMEDIATE`` does the same.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.schema import CreateColumn
from sqlalchemy.sql import column as sql_column
from sqlalchemy.sql import table as sql_table

from msp_portal.adapters.sql.schema import schema_versions
from msp_portal.adapters.sql.types import UtcDateTime
from msp_portal.errors import SchemaTooNew

LOCK_KEY = 0x6D73705F706F7274  # "msp_port": PostgreSQL advisory lock around schema changes


def _account_fk() -> ForeignKey:
    return ForeignKey("accounts.id", ondelete="CASCADE")


def _v1_initial(conn: Connection) -> None:
    """Accounts, profiles, sessions, emailed links, SMS codes and outbox, partner links."""
    md = MetaData()
    Table(
        "accounts",
        md,
        Column("id", Integer, primary_key=True),
        Column("identifier", String(64), nullable=False, unique=True),
        Column("email", String(254)),
        Column("email_key", String(254), index=True),
        Column("password_hash", String(255)),
        Column("password_version", Integer, nullable=False),
        Column("failed_count", Integer, nullable=False),
        Column("locked_until", UtcDateTime),
        Column("sms_phone", String(20)),
        Column("unlock_code_hash", String(64)),
        Column("created_at", UtcDateTime, nullable=False),
        Column("deleted_at", UtcDateTime),
    )
    Table(
        "profiles",
        md,
        Column("account_id", Integer, _account_fk(), primary_key=True),
        Column("civility", String(8)),
        Column("family_name", String(100), nullable=False),
        Column("given_names", String(150), nullable=False),
        Column("birth_date", Date),
        Column("address_line1", String(200), nullable=False),
        Column("address_line2", String(200), nullable=False),
        Column("postcode", String(10), nullable=False),
        Column("city", String(100), nullable=False),
        Column("country", String(100), nullable=False),
        Column("phone", String(20), nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
    )
    Table(
        "sessions",
        md,
        Column("token_hash", String(64), primary_key=True),
        Column("account_id", Integer, _account_fk(), nullable=False, index=True),
        Column("created_at", UtcDateTime, nullable=False),
        Column("last_seen_at", UtcDateTime, nullable=False),
    )
    Table(
        "link_tokens",
        md,
        Column("token_hash", String(64), primary_key=True),
        Column("account_id", Integer, _account_fk(), nullable=False, index=True),
        Column("purpose", String(32), nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("expires_at", UtcDateTime, nullable=False),
        Column("used_at", UtcDateTime),
        Column("password_version", Integer, nullable=False),
        Column("new_email", String(254)),
    )
    Table(
        "sms_challenges",
        md,
        Column("token_hash", String(64), primary_key=True),
        Column("account_id", Integer, _account_fk(), nullable=False, index=True),
        Column("purpose", String(16), nullable=False),
        Column("phone", String(20), nullable=False),
        Column("code_hash", String(64), nullable=False),
        Column("salt", String(64), nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("expires_at", UtcDateTime, nullable=False),
        Column("entries", Integer, nullable=False),
        Column("used_at", UtcDateTime),
    )
    Table(
        "sms_outbox",
        md,
        Column("id", Integer, primary_key=True),
        Column("phone", String(20), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("sent_at", UtcDateTime),
    )
    Table(
        "partner_links",
        md,
        Column("id", Integer, primary_key=True),
        Column("account_id", Integer, _account_fk(), nullable=False, index=True),
        Column("partner_code", String(32), nullable=False),
        Column("partner_reference", String(128), nullable=False),
        Column("linked_at", UtcDateTime, nullable=False),
        UniqueConstraint("partner_code", "partner_reference"),
    )
    md.create_all(conn)


def _v2_outbox_retries(conn: Connection) -> None:
    """The SMS sender keeps a count of failed hand-overs and the last error, to retry and report."""
    for column in (
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", String(500)),
    ):
        ddl = CreateColumn(column).compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE sms_outbox ADD COLUMN {ddl}"))


def _add_column(conn: Connection, table_name: str, new: Column[object]) -> None:
    ddl = CreateColumn(new).compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE {table_name} ADD COLUMN {ddl}"))


def _v3_accounts_hardening(conn: Connection) -> None:
    """Verified addresses, NFKC email keys, a mail outbox, recovery requests, send counters.

    Accounts created before this version were served without verification; they are taken as
    verified at their creation date, so that their recovery keeps working. Email keys are
    recomputed as NFKC then case-folded (they were case-folded only).
    """
    _add_column(conn, "accounts", Column("email_verified_at", UtcDateTime))
    _add_column(conn, "sms_outbox", Column("account_id", Integer))
    conn.execute(text("CREATE INDEX ix_sms_outbox_account_id ON sms_outbox (account_id)"))
    v2_accounts = sql_table(
        "accounts",
        sql_column("id", Integer),
        sql_column("email", String),
        sql_column("email_key", String),
        sql_column("created_at", UtcDateTime),
        sql_column("deleted_at", UtcDateTime),
        sql_column("email_verified_at", UtcDateTime),
    )
    live = v2_accounts.c.deleted_at.is_(None)
    conn.execute(update(v2_accounts).where(live).values(email_verified_at=v2_accounts.c.created_at))
    rows = conn.execute(
        select(v2_accounts.c.id, v2_accounts.c.email).where(live, v2_accounts.c.email.is_not(None))
    ).all()
    for row in rows:
        key = unicodedata.normalize("NFKC", row.email.strip()).casefold()
        conn.execute(update(v2_accounts).where(v2_accounts.c.id == row.id).values(email_key=key))
    md = MetaData()
    Table(
        "mail_outbox",
        md,
        Column("id", Integer, primary_key=True),
        Column("account_id", Integer, index=True),
        Column("recipient", String(254), nullable=False),
        Column("subject", String(255), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("next_attempt_at", UtcDateTime, nullable=False),
        Column("sent_at", UtcDateTime),
        Column("attempts", Integer, nullable=False),
        Column("last_error", String(500)),
    )
    Table(
        "recovery_requests",
        md,
        Column("id", Integer, primary_key=True),
        Column("kind", String(16), nullable=False),
        Column("lookup", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
    )
    Table(
        "quotas",
        md,
        Column("bucket", String(64), primary_key=True),
        Column("account_id", Integer, index=True),
        Column("used", Integer, nullable=False),
        Column("window_ends_at", UtcDateTime, nullable=False),
    )
    md.create_all(conn)


def _v4_wallet(conn: Connection) -> None:
    """The document wallet: blob claims, blob references, documents (bytes immutable)."""
    md = MetaData()
    # Tables named here only for the foreign keys; not created by this step.
    Table("accounts", md, Column("id", Integer, primary_key=True))
    blobs = Table(
        "blobs",
        md,
        Column("sha256", String(64), primary_key=True),
        Column("claimed_at", UtcDateTime, nullable=False),
    )
    blob_refs = Table(
        "blob_refs",
        md,
        Column("sha256", String(64), ForeignKey("blobs.sha256"), nullable=False),
        Column("holder_kind", String(32), nullable=False),
        Column("holder_id", String(64), nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        PrimaryKeyConstraint("holder_kind", "holder_id", "sha256"),
        Index("ix_blob_refs_sha256", "sha256"),
    )
    documents = Table(
        "wallet_documents",
        md,
        Column("id", String(32), primary_key=True),
        Column("account_id", Integer, _account_fk(), nullable=False),
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
    for created in (blobs, blob_refs, documents):
        created.create(conn)
    # A stored document's bytes never change: the database itself refuses to change the
    # columns that name them, whatever code runs against it.
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "CREATE FUNCTION wallet_documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF NEW.sha256 IS DISTINCT FROM OLD.sha256 OR NEW.size IS DISTINCT FROM OLD.size "
            "OR NEW.account_id IS DISTINCT FROM OLD.account_id "
            "OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN "
            "RAISE EXCEPTION 'wallet documents are immutable' USING ERRCODE = 'P0001'; "
            "END IF; RETURN NEW; END $$"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER wallet_documents_immutable BEFORE UPDATE ON wallet_documents "
            "FOR EACH ROW EXECUTE FUNCTION wallet_documents_immutable()"
        )
    else:
        conn.exec_driver_sql(
            "CREATE TRIGGER wallet_documents_immutable "
            "BEFORE UPDATE OF sha256, size, account_id, created_at ON wallet_documents "
            "FOR EACH ROW WHEN NEW.sha256 IS NOT OLD.sha256 OR NEW.size IS NOT OLD.size "
            "OR NEW.account_id IS NOT OLD.account_id OR NEW.created_at IS NOT OLD.created_at "
            "BEGIN SELECT RAISE(ABORT, 'wallet documents are immutable'); END"
        )


_SQLITE_TRIGGERS = (
    # A transmitted dossier is neither modified nor deleted.
    """CREATE TRIGGER procedure_dossiers_frozen_update BEFORE UPDATE ON procedure_dossiers
    FOR EACH ROW WHEN OLD.state = 'transmitted'
    BEGIN SELECT RAISE(ABORT, 'dossier-frozen: a transmitted dossier cannot be modified'); END""",
    """CREATE TRIGGER procedure_dossiers_frozen_delete BEFORE DELETE ON procedure_dossiers
    FOR EACH ROW WHEN OLD.state = 'transmitted'
    BEGIN SELECT RAISE(ABORT, 'dossier-frozen: a transmitted dossier cannot be deleted'); END""",
    # Nor are its attachments.
    """CREATE TRIGGER procedure_attachments_frozen_insert BEFORE INSERT ON procedure_attachments
    FOR EACH ROW WHEN
      (SELECT state FROM procedure_dossiers WHERE id = NEW.dossier_id) = 'transmitted'
    BEGIN SELECT RAISE(ABORT, 'dossier-frozen: attachments of a transmitted dossier'); END""",
    """CREATE TRIGGER procedure_attachments_frozen_update BEFORE UPDATE ON procedure_attachments
    FOR EACH ROW WHEN
      (SELECT state FROM procedure_dossiers WHERE id = OLD.dossier_id) = 'transmitted'
    BEGIN SELECT RAISE(ABORT, 'dossier-frozen: attachments of a transmitted dossier'); END""",
    """CREATE TRIGGER procedure_attachments_frozen_delete BEFORE DELETE ON procedure_attachments
    FOR EACH ROW WHEN
      (SELECT state FROM procedure_dossiers WHERE id = OLD.dossier_id) = 'transmitted'
    BEGIN SELECT RAISE(ABORT, 'dossier-frozen: attachments of a transmitted dossier'); END""",
    # A delivery keeps its dossier, organisation and key; deliveries and reports are never deleted.
    """CREATE TRIGGER procedure_deliveries_fixed BEFORE UPDATE ON procedure_deliveries
    FOR EACH ROW WHEN NEW.dossier_id IS NOT OLD.dossier_id
      OR NEW.organisation IS NOT OLD.organisation
      OR NEW.idempotency_key IS NOT OLD.idempotency_key
    BEGIN SELECT RAISE(ABORT, 'dossier-frozen: a delivery keeps its dossier'); END""",
    """CREATE TRIGGER procedure_deliveries_kept BEFORE DELETE ON procedure_deliveries
    FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'dossier-frozen: deliveries are kept'); END""",
    """CREATE TRIGGER procedure_status_reports_fixed BEFORE UPDATE ON procedure_status_reports
    FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'dossier-frozen: reports are kept'); END""",
    """CREATE TRIGGER procedure_status_reports_kept BEFORE DELETE ON procedure_status_reports
    FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'dossier-frozen: reports are kept'); END""",
)
_POSTGRES_TRIGGERS = (
    """CREATE FUNCTION msp_refuse_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'dossier-frozen: % of % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'P0001';
    END $$""",
    """CREATE FUNCTION msp_refuse_frozen_attachment() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE target integer;
    BEGIN
      IF TG_OP = 'INSERT' THEN target := NEW.dossier_id; ELSE target := OLD.dossier_id; END IF;
      IF EXISTS (SELECT 1 FROM procedure_dossiers WHERE id = target AND state = 'transmitted')
      THEN
        RAISE EXCEPTION 'dossier-frozen: % of % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'P0001';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER procedure_dossiers_frozen BEFORE UPDATE OR DELETE ON procedure_dossiers
    FOR EACH ROW WHEN (OLD.state = 'transmitted') EXECUTE FUNCTION msp_refuse_frozen()""",
    """CREATE TRIGGER procedure_attachments_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON procedure_attachments
    FOR EACH ROW EXECUTE FUNCTION msp_refuse_frozen_attachment()""",
    """CREATE TRIGGER procedure_deliveries_fixed BEFORE UPDATE ON procedure_deliveries
    FOR EACH ROW WHEN (NEW.dossier_id IS DISTINCT FROM OLD.dossier_id
      OR NEW.organisation IS DISTINCT FROM OLD.organisation
      OR NEW.idempotency_key IS DISTINCT FROM OLD.idempotency_key)
    EXECUTE FUNCTION msp_refuse_frozen()""",
    """CREATE TRIGGER procedure_deliveries_kept BEFORE DELETE ON procedure_deliveries
    FOR EACH ROW EXECUTE FUNCTION msp_refuse_frozen()""",
    """CREATE TRIGGER procedure_status_reports_kept
    BEFORE UPDATE OR DELETE ON procedure_status_reports
    FOR EACH ROW EXECUTE FUNCTION msp_refuse_frozen()""",
)


def _v5_procedures(conn: Connection) -> None:
    """Online procedures: dossiers, attachments, deliveries (outbox), status reports, emails.

    P4 is a unique partial index (one in-progress dossier per account); P7 is a set of triggers
    that refuse any change to a transmitted dossier, its attachments, its deliveries' identity
    and the reports received.
    """
    md = MetaData()
    Table("accounts", md, Column("id", Integer, primary_key=True))  # exists since version 1
    state = Column("state", String(16), nullable=False)
    dossiers = Table(
        "procedure_dossiers",
        md,
        Column("id", Integer, primary_key=True),
        Column("public_id", String(32), nullable=False, unique=True),
        Column("account_id", Integer, _account_fk(), nullable=False),
        Column("procedure", String(64), nullable=False),
        Column("version", Integer, nullable=False),
        state,
        Column("session_hash", String(64)),
        Column("answers", Text, nullable=False),
        Column("saved_answers", Text),
        Column("created_at", UtcDateTime, nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
        Column("file_number", String(16), unique=True),
        Column("password_hash", String(255)),
        Column("saved_at", UtcDateTime),
        Column("expires_at", UtcDateTime),
        Column("failed_count", Integer, nullable=False),
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
        Index(
            "uq_procedure_dossiers_in_progress",
            "account_id",
            unique=True,
            sqlite_where=state == "in-progress",
            postgresql_where=state == "in-progress",
        ),
    )
    dossier_fk = ForeignKey("procedure_dossiers.id")
    attachments = Table(
        "procedure_attachments",
        md,
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
    delivery_state = Column("state", String(16), nullable=False)
    deliveries = Table(
        "procedure_deliveries",
        md,
        Column("id", Integer, primary_key=True),
        Column("dossier_id", Integer, dossier_fk, nullable=False),
        Column("organisation", String(32), nullable=False),
        Column("idempotency_key", String(80), nullable=False, unique=True),
        delivery_state,
        Column("attempts", Integer, nullable=False),
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
    reports = Table(
        "procedure_status_reports",
        md,
        Column("id", Integer, primary_key=True),
        Column(
            "delivery_id",
            Integer,
            ForeignKey("procedure_deliveries.id"),
            nullable=False,
            index=True,
        ),
        Column("status", String(16), nullable=False),
        Column("message", Text, nullable=False),
        Column("reported_at", UtcDateTime, nullable=False),
    )
    emails = Table(
        "procedure_emails",
        md,
        Column("id", Integer, primary_key=True),
        Column(
            "dossier_id",
            Integer,
            ForeignKey("procedure_dossiers.id"),
            nullable=False,
            unique=True,
        ),
        Column("recipient", String(254), nullable=False),
        Column("subject", String(300), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("sent_at", UtcDateTime),
        Column("attempts", Integer, nullable=False),
        Column("last_error", String(500)),
    )
    md.create_all(conn, tables=[dossiers, attachments, deliveries, reports, emails])
    if conn.dialect.name == "postgresql":
        for ddl in _POSTGRES_TRIGGERS:
            conn.exec_driver_sql(ddl.replace("%", "%%"))  # the driver reads % as a placeholder
    else:
        for ddl in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(ddl)


STEPS: tuple[Callable[[Connection], None], ...] = (
    _v1_initial,
    _v2_outbox_retries,
    _v3_accounts_hardening,
    _v4_wallet,
    _v5_procedures,
)
LATEST = len(STEPS)


def current_version(conn: Connection) -> int:
    """The version the database is at (0 when it has never been migrated)."""
    if not inspect(conn).has_table(schema_versions.name):
        return 0
    return int(conn.execute(select(func.max(schema_versions.c.version))).scalar() or 0)


def migrate(engine: Engine, target: int = LATEST) -> int:
    """Bring the database forward to ``target``; returns the version reached.

    Raises:
        SchemaTooNew: the database is at a version this code does not know.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        schema_versions.create(conn, checkfirst=True)
        found = current_version(conn)
        if found > LATEST:
            raise SchemaTooNew(found=found, supported=LATEST)
        for version in range(found + 1, target + 1):
            STEPS[version - 1](conn)
            conn.execute(
                insert(schema_versions).values(version=version, applied_at=datetime.now(UTC))
            )
        return max(found, target)
