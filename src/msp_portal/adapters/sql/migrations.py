"""Versioned schema: numbered forward-only steps, applied in order and recorded in the database.

Each step is frozen once released: it describes the schema as it was at that version, never the
current one (schema.py); a test checks that the steps together build exactly schema.py. Steps run
in one transaction; on PostgreSQL an advisory lock makes concurrent starts of several instances
wait for each other, and SQLite's ``BEGIN IMMEDIATE`` does the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.schema import CreateColumn

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


STEPS: tuple[Callable[[Connection], None], ...] = (_v1_initial, _v2_outbox_retries)
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
