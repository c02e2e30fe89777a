"""SqlStore: every read and write of the services, each one transaction, atomic where it counts."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from msp_portal.adapters.sql import migrations
from msp_portal.adapters.sql.schema import (
    accounts,
    link_tokens,
    mail_outbox,
    partner_links,
    profiles,
    quotas,
    recovery_requests,
    sessions,
    sms_challenges,
    sms_outbox,
)
from msp_portal.adapters.sql.types import UtcDateTime
from msp_portal.domain.contact import Civility, ContactDetails
from msp_portal.domain.emails import Email
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
from msp_portal.errors import IdentifierTaken, StorageError

if TYPE_CHECKING:
    from msp_portal.ports import Store

__all__ = [
    "AccountRecord",
    "Admission",
    "ChallengeEntry",
    "LinkTokenRecord",
    "OutboxMessage",
    "PartnerLinkRecord",
    "QueuedMail",
    "RecoveryRequest",
    "SessionRecord",
    "SqlStore",
]

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    memory = parsed.database in (None, "", ":memory:")
    kwargs: dict[str, Any] = {"connect_args": {"timeout": 60, "check_same_thread": False}}
    if memory:
        # One shared connection, or each connection would see its own empty database.
        kwargs["poolclass"] = StaticPool
    else:
        kwargs.update(pool_size=8, max_overflow=24, pool_timeout=120)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below); pysqlite's own implicit BEGIN is deferred, and a
        # deferred transaction that reads then writes fails at once with "database is locked"
        # instead of waiting when another writer got there first.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 60000")
        # Deleted rows (a deleted account's address, a purged SMS code) are overwritten with
        # zeros in the file, not merely marked free; see scrub_wal for the WAL's old pages.
        cursor.execute("PRAGMA secure_delete = ON")
        if not memory:
            _set_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
            # When a checkpoint restarts the WAL, truncate it: it holds old page images.
            cursor.execute("PRAGMA journal_size_limit = 0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get("msp_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _set_wal(cursor: Any) -> None:
    """Switch a file database to WAL, waiting for instances that open it at the same moment.

    Changing the journal mode needs the database to itself, and SQLite answers "database is
    locked" at once rather than through the busy handler while another connection is opening
    it; several instances starting together must wait their turn, not fail.
    """
    pause = 0.005
    deadline = time.monotonic() + 30
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


class SqlStore:
    """The portal's storage on SQLAlchemy Core; the same code runs on SQLite and PostgreSQL.

    Open it with :meth:`open`. Every method is one transaction. The counters that guard against
    guessing (failed password checks, SMS code entries, single-use links) are changed by one
    conditional UPDATE each, so parallel requests, in threads, processes or on several hosts,
    cannot slip past them.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(
        cls,
        url: str = "sqlite://",
        *,
        schema: str | None = None,
        migrate: bool = True,
        pool_size: int = 10,
    ) -> SqlStore:
        """Connect to ``url`` (SQLAlchemy URL) and, unless told not to, migrate the schema.

        Args:
            url: ``sqlite:///path/portal.db`` (default: a private in-memory database, for tests
                and examples), or ``postgresql+psycopg://user:pass@host:port/db``.
            schema: PostgreSQL only: keep the tables in this schema (created when missing).
            migrate: Bring the schema to the latest version now.
            pool_size: PostgreSQL connection pool size.
        """
        try:
            if url.startswith("sqlite"):
                if schema is not None:
                    raise ValueError("schema= is for PostgreSQL only")
                engine = _sqlite_engine(url)
            else:
                connect_args: dict[str, Any] = {}
                if schema is not None:
                    if not _SCHEMA_NAME.fullmatch(schema):
                        raise ValueError(f"invalid schema name {schema!r}")
                    connect_args["options"] = f"-c search_path={schema}"
                engine = create_engine(
                    url,
                    connect_args=connect_args,
                    pool_size=pool_size,
                    max_overflow=pool_size,
                    pool_timeout=120,
                    pool_pre_ping=True,
                )
                if schema is not None:
                    with engine.begin() as conn:
                        # Serialised like migrations: concurrent IF NOT EXISTS can still clash.
                        conn.execute(select(func.pg_advisory_xact_lock(migrations.LOCK_KEY)))
                        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            store = cls(engine)
            if migrate:
                store.migrate()
        except SQLAlchemyError as exc:
            raise StorageError(str(exc), reason=type(exc).__name__) from exc
        return store

    def migrate(self, target: int = migrations.LATEST) -> int:
        """Bring the schema forward to ``target`` (default: the latest); returns the version."""
        return migrations.migrate(self.engine, target)

    def schema_version(self) -> int:
        """The version the database is at."""
        with self._read() as conn:
            return migrations.current_version(conn)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # --- plumbing --------------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise  # the caller knows which constraint it means
        except SQLAlchemyError as exc:
            raise StorageError(str(exc), reason=type(exc).__name__) from exc

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                conn.execution_options(msp_read_only=True)
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise StorageError(str(exc), reason=type(exc).__name__) from exc

    # --- accounts --------------------------------------------------------------------------------
    def add_account(
        self, identifier: str, email: str, email_key: str, password_hash: str, now: datetime
    ) -> int:
        """Insert an account; raises IdentifierTaken if the identifier exists or existed."""
        try:
            with self._write() as conn:
                result = conn.execute(
                    insert(accounts)
                    .values(
                        identifier=identifier,
                        email=email,
                        email_key=email_key,
                        password_hash=password_hash,
                        password_version=0,
                        failed_count=0,
                        created_at=now,
                    )
                    .returning(accounts.c.id)
                )
                return int(result.scalar_one())
        except IntegrityError as exc:
            raise IdentifierTaken(str(exc)) from exc

    @staticmethod
    def _account(row: Row[Any] | None) -> AccountRecord | None:
        if row is None:
            return None
        return AccountRecord(
            id=row.id,
            identifier=row.identifier,
            email=row.email,
            password_hash=row.password_hash,
            password_version=row.password_version,
            failed_count=row.failed_count,
            locked_until=row.locked_until,
            sms_phone=row.sms_phone,
            unlock_code_hash=row.unlock_code_hash,
            created_at=row.created_at,
            email_verified_at=row.email_verified_at,
        )

    def account_by_identifier(self, identifier: str) -> AccountRecord | None:
        """The live account with exactly this identifier (case-sensitive), or None."""
        with self._read() as conn:
            row = conn.execute(
                select(accounts).where(
                    accounts.c.identifier == identifier, accounts.c.deleted_at.is_(None)
                )
            ).first()
        return self._account(row)

    def account_by_id(self, account_id: int) -> AccountRecord | None:
        """The live account with this id, or None."""
        with self._read() as conn:
            row = conn.execute(
                select(accounts).where(accounts.c.id == account_id, accounts.c.deleted_at.is_(None))
            ).first()
        return self._account(row)

    def accounts_for_email_key(self, email_key: str) -> list[AccountRecord]:
        """The live accounts whose address has this key (NFKC, case-folded), by identifier."""
        with self._read() as conn:
            rows = conn.execute(
                select(accounts)
                .where(accounts.c.email_key == email_key, accounts.c.deleted_at.is_(None))
                .order_by(accounts.c.identifier)
            ).all()
        return [record for record in map(self._account, rows) if record is not None]

    # --- the lock (A5) ---------------------------------------------------------------------------
    def admit_password_check(self, account_id: int, now: datetime, policy: LockPolicy) -> Admission:
        """Count one password check as failed and admit it, unless the account is locked.

        The SQL twin of :func:`msp_portal.domain.lockout.admit`, in a single UPDATE: the row
        lock (PostgreSQL) or the database write lock (SQLite) makes check-and-count one step.
        """
        expired = accounts.c.locked_until.is_not(None)
        new_count = case((expired, 1), else_=accounts.c.failed_count + 1)
        with self._write() as conn:
            row = conn.execute(
                update(accounts)
                .where(
                    accounts.c.id == account_id,
                    accounts.c.deleted_at.is_(None),
                    or_(accounts.c.locked_until.is_(None), accounts.c.locked_until <= now),
                )
                .values(
                    failed_count=new_count,
                    locked_until=case(
                        (
                            new_count >= policy.threshold,
                            literal(now + policy.duration, UtcDateTime),
                        ),
                        else_=None,
                    ),
                )
                .returning(
                    accounts.c.failed_count, accounts.c.locked_until, accounts.c.password_hash
                )
            ).first()
            if row is not None:
                return Admission(
                    True, LockState(row.failed_count, row.locked_until), row.password_hash
                )
            current = conn.execute(
                select(accounts.c.failed_count, accounts.c.locked_until).where(
                    accounts.c.id == account_id
                )
            ).first()
        state = LockState(current.failed_count, current.locked_until) if current else LockState()
        return Admission(False, state, None)

    def clear_failures(self, account_id: int) -> None:
        """A success: reset the failure count and lift the lock."""
        with self._write() as conn:
            conn.execute(
                update(accounts)
                .where(accounts.c.id == account_id)
                .values(failed_count=0, locked_until=None)
            )

    def rehash_password(self, account_id: int, old_hash: str, new_hash: str) -> None:
        """Replace a hash made with older parameters (same password, so the version stays)."""
        with self._write() as conn:
            conn.execute(
                update(accounts)
                .where(accounts.c.id == account_id, accounts.c.password_hash == old_hash)
                .values(password_hash=new_hash)
            )

    def change_password(
        self,
        account_id: int,
        new_hash: str,
        *,
        expected_version: int | None = None,
        keep_session: str | None = None,
        void_links: Collection[str] = (),
    ) -> bool:
        """Set a new password: clears the lock, ends the other sessions, voids pending links.

        Links of the ``void_links`` purposes still unused are deleted; any link recording the
        older password version is refused by the services anyway. With ``expected_version``,
        nothing happens (False) if the password changed since.
        """
        changing = update(accounts).where(
            accounts.c.id == account_id, accounts.c.deleted_at.is_(None)
        )
        if expected_version is not None:
            changing = changing.where(accounts.c.password_version == expected_version)
        with self._write() as conn:
            result = conn.execute(
                changing.values(
                    password_hash=new_hash,
                    password_version=accounts.c.password_version + 1,
                    failed_count=0,
                    locked_until=None,
                )
            )
            if result.rowcount != 1:
                return False
            ending = delete(sessions).where(sessions.c.account_id == account_id)
            if keep_session is not None:
                ending = ending.where(sessions.c.token_hash != keep_session)
            conn.execute(ending)
            conn.execute(delete(sms_challenges).where(sms_challenges.c.account_id == account_id))
            self._void_links(conn, account_id, void_links)
            return True

    @staticmethod
    def _void_links(conn: Connection, account_id: int, purposes: Collection[str]) -> None:
        if purposes:
            conn.execute(
                delete(link_tokens).where(
                    link_tokens.c.account_id == account_id,
                    link_tokens.c.purpose.in_(list(purposes)),
                    link_tokens.c.used_at.is_(None),
                )
            )

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
        with self._write() as conn:
            conn.execute(
                update(accounts)
                .where(accounts.c.id == account_id)
                .values(email=email, email_key=email_key, email_verified_at=verified_at)
            )
            self._void_links(conn, account_id, void_links)

    def mark_email_verified(self, account_id: int, email: str, now: datetime) -> bool:
        """Record that ``email`` is verified, if it is still the account's address."""
        with self._write() as conn:
            result = conn.execute(
                update(accounts)
                .where(
                    accounts.c.id == account_id,
                    accounts.c.deleted_at.is_(None),
                    accounts.c.email == email,
                )
                .values(email_verified_at=func.coalesce(accounts.c.email_verified_at, now))
            )
            return result.rowcount == 1

    def enable_sms(self, account_id: int, phone: str, unlock_code_hash: str) -> bool:
        """Turn SMS access on; False if it already was."""
        with self._write() as conn:
            result = conn.execute(
                update(accounts)
                .where(accounts.c.id == account_id, accounts.c.sms_phone.is_(None))
                .values(sms_phone=phone, unlock_code_hash=unlock_code_hash)
            )
            return result.rowcount == 1

    def disable_sms(self, account_id: int) -> bool:
        """Turn SMS access off; False if it already was."""
        with self._write() as conn:
            result = conn.execute(
                update(accounts)
                .where(accounts.c.id == account_id, accounts.c.sms_phone.is_not(None))
                .values(sms_phone=None, unlock_code_hash=None)
            )
            conn.execute(delete(sms_challenges).where(sms_challenges.c.account_id == account_id))
            return result.rowcount == 1

    def delete_account(self, account_id: int, now: datetime, farewell: Email | None) -> None:
        """Remove every personal datum of an account; keep its identifier reserved (A1).

        Its queued SMS and emails and its counters go too; ``farewell`` is queued afterwards,
        attached to no account. On a SQLite file, the WAL's old pages are then scrubbed.
        """
        owned = (
            profiles,
            sessions,
            link_tokens,
            sms_challenges,
            partner_links,
            sms_outbox,
            mail_outbox,
            quotas,
        )
        with self._write() as conn:
            for table in owned:
                conn.execute(delete(table).where(table.c.account_id == account_id))
            conn.execute(
                update(accounts)
                .where(accounts.c.id == account_id)
                .values(
                    email=None,
                    email_key=None,
                    email_verified_at=None,
                    password_hash=None,
                    sms_phone=None,
                    unlock_code_hash=None,
                    failed_count=0,
                    locked_until=None,
                    deleted_at=now,
                )
            )
            if farewell is not None:
                conn.execute(insert(mail_outbox).values(**self._mail_values(farewell, now, None)))
        self.scrub_wal()

    def scrub_wal(self) -> bool:
        """SQLite file only: copy the WAL into the database and truncate it to zero bytes.

        With ``secure_delete`` on, deleted rows are zeroed in the database file, but the WAL
        still holds images of pages written before the deletion until it is truncated. This
        waits at most two seconds for readers; when they do not finish, the next checkpoint
        (and ``journal_size_limit = 0``) finishes the job. Returns whether it completed.
        """
        if self.engine.dialect.name != "sqlite" or make_url(str(self.engine.url)).database in (
            None,
            "",
            ":memory:",
        ):
            return True
        try:
            # Outside any transaction: SQLAlchemy's connection would begin one (see _on_begin).
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("PRAGMA busy_timeout = 2000")
                try:
                    busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                finally:
                    cursor.execute("PRAGMA busy_timeout = 60000")
                    cursor.close()
            finally:
                raw.close()
        except (SQLAlchemyError, sqlite3.Error) as exc:
            raise StorageError(str(exc), reason=type(exc).__name__) from exc
        return busy is not None and busy[0] == 0

    # --- profile ---------------------------------------------------------------------------------
    def contact_details(self, account_id: int) -> ContactDetails:
        """The account's contact details (empty ones when never given)."""
        with self._read() as conn:
            row = conn.execute(select(profiles).where(profiles.c.account_id == account_id)).first()
        if row is None:
            return ContactDetails()
        birth: date | None = row.birth_date
        return ContactDetails(
            civility=Civility(row.civility) if row.civility else None,
            family_name=row.family_name,
            given_names=row.given_names,
            birth_date=birth,
            address_line1=row.address_line1,
            address_line2=row.address_line2,
            postcode=row.postcode,
            city=row.city,
            country=row.country,
            phone=row.phone,
        )

    def save_contact_details(self, account_id: int, details: ContactDetails, now: datetime) -> None:
        """Replace the account's contact details."""
        values = {
            "civility": details.civility.value if details.civility else None,
            "family_name": details.family_name,
            "given_names": details.given_names,
            "birth_date": details.birth_date,
            "address_line1": details.address_line1,
            "address_line2": details.address_line2,
            "postcode": details.postcode,
            "city": details.city,
            "country": details.country,
            "phone": details.phone,
            "updated_at": now,
        }
        with self._write() as conn:
            conn.execute(delete(profiles).where(profiles.c.account_id == account_id))
            conn.execute(insert(profiles).values(account_id=account_id, **values))

    # --- sessions --------------------------------------------------------------------------------
    def add_session(self, token_hash: str, account_id: int, now: datetime) -> None:
        """Record a new session under its token's hash."""
        with self._write() as conn:
            conn.execute(
                insert(sessions).values(
                    token_hash=token_hash, account_id=account_id, created_at=now, last_seen_at=now
                )
            )

    def touch_session(
        self, token_hash: str, now: datetime, *, idle: timedelta, absolute: timedelta
    ) -> SessionRecord | None:
        """Mark a session used at ``now`` if still alive; a dead one is removed, None returned."""
        alive = and_(
            sessions.c.token_hash == token_hash,
            sessions.c.last_seen_at > now - idle,
            sessions.c.created_at > now - absolute,
        )
        with self._write() as conn:
            row = conn.execute(
                update(sessions)
                .where(alive)
                .values(last_seen_at=now)
                .returning(sessions.c.account_id, sessions.c.created_at, sessions.c.last_seen_at)
            ).first()
            if row is None:
                conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))
                return None
        return SessionRecord(row.account_id, row.created_at, row.last_seen_at)

    def end_session(self, token_hash: str) -> None:
        """Sign out: forget the session."""
        with self._write() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    def session_count(self, account_id: int) -> int:
        """Number of stored sessions of an account."""
        with self._read() as conn:
            return len(
                conn.execute(
                    select(sessions.c.token_hash).where(sessions.c.account_id == account_id)
                ).all()
            )

    # --- emailed links ---------------------------------------------------------------------------
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
        """Record an emailed link under its token's hash."""
        with self._write() as conn:
            conn.execute(
                insert(link_tokens).values(
                    token_hash=token_hash,
                    account_id=account_id,
                    purpose=purpose,
                    created_at=now,
                    expires_at=expires_at,
                    password_version=password_version,
                    new_email=new_email,
                )
            )

    def peek_link_token(
        self, token_hash: str, purpose: str, now: datetime
    ) -> LinkTokenRecord | None:
        """The link's facts if it is unused and unexpired, without using it."""
        with self._read() as conn:
            row = conn.execute(
                select(link_tokens).where(
                    link_tokens.c.token_hash == token_hash,
                    link_tokens.c.purpose == purpose,
                    link_tokens.c.used_at.is_(None),
                    link_tokens.c.expires_at > now,
                )
            ).first()
        if row is None:
            return None
        return LinkTokenRecord(row.account_id, row.purpose, row.password_version, row.new_email)

    def use_link_token(
        self, token_hash: str, purpose: str, now: datetime
    ) -> LinkTokenRecord | None:
        """Use a link once: only the first of any number of parallel uses gets its facts."""
        with self._write() as conn:
            row = conn.execute(
                update(link_tokens)
                .where(
                    link_tokens.c.token_hash == token_hash,
                    link_tokens.c.purpose == purpose,
                    link_tokens.c.used_at.is_(None),
                    link_tokens.c.expires_at > now,
                )
                .values(used_at=now)
                .returning(
                    link_tokens.c.account_id,
                    link_tokens.c.purpose,
                    link_tokens.c.password_version,
                    link_tokens.c.new_email,
                )
            ).first()
        if row is None:
            return None
        return LinkTokenRecord(row.account_id, row.purpose, row.password_version, row.new_email)

    # --- SMS codes -------------------------------------------------------------------------------
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
        """Record an SMS code (hashed) bound to the attempt whose token hashes to token_hash."""
        with self._write() as conn:
            conn.execute(
                insert(sms_challenges).values(
                    token_hash=token_hash,
                    account_id=account_id,
                    purpose=purpose,
                    phone=phone,
                    code_hash=code_hash,
                    salt=salt,
                    created_at=now,
                    expires_at=expires_at,
                    entries=0,
                )
            )

    def peek_challenge(
        self, token_hash: str, purpose: str, now: datetime, max_entries: int
    ) -> ChallengeEntry | None:
        """The live code's facts without counting an entry; None when it cannot be used."""
        with self._read() as conn:
            row = conn.execute(
                select(sms_challenges).where(
                    sms_challenges.c.token_hash == token_hash,
                    sms_challenges.c.purpose == purpose,
                    sms_challenges.c.used_at.is_(None),
                    sms_challenges.c.expires_at > now,
                    sms_challenges.c.entries < max_entries,
                )
            ).first()
        if row is None:
            return None
        return ChallengeEntry(row.account_id, row.phone, row.code_hash, row.salt, row.entries)

    def take_challenge_entry(
        self, token_hash: str, purpose: str, now: datetime, max_entries: int
    ) -> ChallengeEntry | None:
        """Count one entry on a live code before it is checked; None when none is left."""
        with self._write() as conn:
            row = conn.execute(
                update(sms_challenges)
                .where(
                    sms_challenges.c.token_hash == token_hash,
                    sms_challenges.c.purpose == purpose,
                    sms_challenges.c.used_at.is_(None),
                    sms_challenges.c.expires_at > now,
                    sms_challenges.c.entries < max_entries,
                )
                .values(entries=sms_challenges.c.entries + 1)
                .returning(
                    sms_challenges.c.account_id,
                    sms_challenges.c.phone,
                    sms_challenges.c.code_hash,
                    sms_challenges.c.salt,
                    sms_challenges.c.entries,
                )
            ).first()
        if row is None:
            return None
        return ChallengeEntry(row.account_id, row.phone, row.code_hash, row.salt, row.entries)

    def use_challenge(self, token_hash: str, now: datetime) -> bool:
        """Mark a code used; True for the single caller that did it first."""
        with self._write() as conn:
            result = conn.execute(
                update(sms_challenges)
                .where(
                    sms_challenges.c.token_hash == token_hash, sms_challenges.c.used_at.is_(None)
                )
                .values(used_at=now)
            )
            return result.rowcount == 1

    # --- partner links ---------------------------------------------------------------------------
    def add_partner_link(
        self, account_id: int, partner_code: str, partner_reference: str, linked_at: datetime
    ) -> None:
        """Record a link made in the past (import of existing links; no new link is offered)."""
        with self._write() as conn:
            conn.execute(
                insert(partner_links).values(
                    account_id=account_id,
                    partner_code=partner_code,
                    partner_reference=partner_reference,
                    linked_at=linked_at,
                )
            )

    def partner_links(self, account_id: int) -> list[PartnerLinkRecord]:
        """The account's links, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                select(partner_links)
                .where(partner_links.c.account_id == account_id)
                .order_by(partner_links.c.linked_at, partner_links.c.id)
            ).all()
        return [PartnerLinkRecord(r.partner_code, r.partner_reference, r.linked_at) for r in rows]

    def delete_partner_link(self, partner_code: str, partner_reference: str) -> bool:
        """Delete a link by the partner's own reference; False when there was none."""
        with self._write() as conn:
            result = conn.execute(
                delete(partner_links).where(
                    partner_links.c.partner_code == partner_code,
                    partner_links.c.partner_reference == partner_reference,
                )
            )
            return result.rowcount == 1

    # --- SMS outbox ------------------------------------------------------------------------------
    def enqueue_sms(
        self, phone: str, body: str, now: datetime, *, account_id: int | None = None
    ) -> int:
        """Queue an SMS; returns its id."""
        with self._write() as conn:
            result = conn.execute(
                insert(sms_outbox)
                .values(phone=phone, body=body, created_at=now, attempts=0, account_id=account_id)
                .returning(sms_outbox.c.id)
            )
            return int(result.scalar_one())

    def outbox(self, *, pending_only: bool = False) -> list[OutboxMessage]:
        """Messages of the outbox, oldest first."""
        query = select(sms_outbox).order_by(sms_outbox.c.id)
        if pending_only:
            query = query.where(sms_outbox.c.sent_at.is_(None))
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [
            OutboxMessage(
                r.id,
                r.phone,
                r.body,
                r.created_at,
                r.sent_at,
                r.attempts,
                r.last_error,
                r.account_id,
            )
            for r in rows
        ]

    def claim_sms(self, message_id: int, now: datetime) -> bool:
        """Mark a pending SMS as sent before handing it over; True for the one claimant."""
        with self._write() as conn:
            result = conn.execute(
                update(sms_outbox)
                .where(sms_outbox.c.id == message_id, sms_outbox.c.sent_at.is_(None))
                .values(sent_at=now)
            )
            return result.rowcount == 1

    def release_sms(self, message_id: int, error: str) -> None:
        """The hand-over failed: put the SMS back in the queue with the error."""
        with self._write() as conn:
            conn.execute(
                update(sms_outbox)
                .where(sms_outbox.c.id == message_id)
                .values(sent_at=None, attempts=sms_outbox.c.attempts + 1, last_error=error[:500])
            )

    # --- mail outbox -----------------------------------------------------------------------------
    @staticmethod
    def _mail_values(email: Email, now: datetime, account_id: int | None) -> dict[str, Any]:
        return {
            "account_id": account_id,
            "recipient": email.to,
            "subject": email.subject,
            "body": email.body,
            "created_at": now,
            "next_attempt_at": now,
            "attempts": 0,
        }

    def enqueue_mail(self, email: Email, now: datetime, *, account_id: int | None = None) -> int:
        """Queue an email; returns its id."""
        with self._write() as conn:
            result = conn.execute(
                insert(mail_outbox)
                .values(**self._mail_values(email, now, account_id))
                .returning(mail_outbox.c.id)
            )
            return int(result.scalar_one())

    @staticmethod
    def _queued_mail(row: Row[Any]) -> QueuedMail:
        return QueuedMail(
            id=row.id,
            email=Email(row.recipient, row.subject, row.body),
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
            attempts=row.attempts,
            last_error=row.last_error,
            account_id=row.account_id,
        )

    def mail_outbox(self, *, pending_only: bool = False) -> list[QueuedMail]:
        """Emails of the outbox, oldest first."""
        query = select(mail_outbox).order_by(mail_outbox.c.id)
        if pending_only:
            query = query.where(mail_outbox.c.sent_at.is_(None))
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [self._queued_mail(r) for r in rows]

    def due_mail(self, now: datetime, *, max_attempts: int, limit: int) -> list[QueuedMail]:
        """Pending emails whose next attempt is due and that have attempts left, oldest first."""
        query = (
            select(mail_outbox)
            .where(
                mail_outbox.c.sent_at.is_(None),
                mail_outbox.c.next_attempt_at <= now,
                mail_outbox.c.attempts < max_attempts,
            )
            .order_by(mail_outbox.c.id)
            .limit(limit)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [self._queued_mail(r) for r in rows]

    def claim_mail(self, mail_id: int, now: datetime) -> bool:
        """Mark a pending email as sent before handing it over; True for the one claimant."""
        with self._write() as conn:
            result = conn.execute(
                update(mail_outbox)
                .where(mail_outbox.c.id == mail_id, mail_outbox.c.sent_at.is_(None))
                .values(sent_at=now)
            )
            return result.rowcount == 1

    def release_mail(self, mail_id: int, error: str, retry_at: datetime) -> None:
        """The hand-over failed: queue the email again for ``retry_at``, with the error."""
        with self._write() as conn:
            conn.execute(
                update(mail_outbox)
                .where(mail_outbox.c.id == mail_id)
                .values(
                    sent_at=None,
                    attempts=mail_outbox.c.attempts + 1,
                    last_error=error[:500],
                    next_attempt_at=retry_at,
                )
            )

    # --- recovery requests -----------------------------------------------------------------------
    def add_recovery_request(self, kind: str, lookup: str, now: datetime) -> None:
        """Queue a "forgot identifier / password" request."""
        with self._write() as conn:
            conn.execute(insert(recovery_requests).values(kind=kind, lookup=lookup, created_at=now))

    def take_recovery_requests(self, limit: int) -> list[RecoveryRequest]:
        """Remove and return up to ``limit`` requests, oldest first (each to one taker only)."""
        with self._write() as conn:
            rows = conn.execute(
                select(recovery_requests).order_by(recovery_requests.c.id).limit(limit)
            ).all()
            taken = []
            for row in rows:
                # Parallel workers may read the same rows; the DELETE decides who owns each.
                gone = conn.execute(
                    delete(recovery_requests).where(recovery_requests.c.id == row.id)
                )
                if gone.rowcount == 1:
                    taken.append(RecoveryRequest(row.id, row.kind, row.lookup, row.created_at))
        return taken

    def purge_outboxes(self, before: datetime) -> int:
        """Delete queued SMS, emails (sent or not) and requests, and counters, before ``before``.

        Returns the number of rows deleted. On a SQLite file, the WAL is then scrubbed.
        """
        with self._write() as conn:
            deleted = 0
            for table in (sms_outbox, mail_outbox, recovery_requests):
                result = conn.execute(delete(table).where(table.c.created_at < before))
                deleted += result.rowcount
            ended = conn.execute(delete(quotas).where(quotas.c.window_ends_at < before))
            deleted += ended.rowcount
        self.scrub_wal()
        return deleted

    # --- counted budgets (send limits, throttling) -----------------------------------------------
    def take_quota(self, buckets: Sequence[Bucket], now: datetime) -> datetime | None:
        """Take one use from every bucket, or from none (see :func:`domain.limits.take`).

        Each bucket is one conditional UPDATE; buckets are taken in key order, so that two
        requests sharing buckets never wait for each other in a cycle. When one refuses, the
        whole transaction is rolled back and its window's end is returned.
        """
        ordered = sorted({b.key: b for b in buckets}.values(), key=lambda b: b.key)
        refused: list[datetime] = []
        try:
            with self._write() as conn:
                for item in ordered:
                    until = self._take_one(conn, item, now)
                    if until is not None:
                        refused.append(until)
                        raise _Refused
        except _Refused:
            return refused[0]
        return None

    def _take_one(self, conn: Connection, item: Bucket, now: datetime) -> datetime | None:
        window_end = literal(now + item.limit.window, UtcDateTime)
        ended = quotas.c.window_ends_at <= now
        conn.execute(
            self._insert_ignoring_conflict(
                bucket=item.key,
                account_id=item.account_id,
                used=0,
                window_ends_at=now,  # an ended window: the UPDATE below starts a fresh one
            )
        )
        taken = conn.execute(
            update(quotas)
            .where(quotas.c.bucket == item.key, or_(ended, quotas.c.used < item.limit.count))
            .values(
                used=case((ended, 1), else_=quotas.c.used + 1),
                window_ends_at=case((ended, window_end), else_=quotas.c.window_ends_at),
            )
        )
        if taken.rowcount == 1:
            return None
        until = conn.execute(
            select(quotas.c.window_ends_at).where(quotas.c.bucket == item.key)
        ).scalar_one()
        assert isinstance(until, datetime)
        return until

    def _insert_ignoring_conflict(self, **values: Any) -> Any:
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(quotas).values(**values).on_conflict_do_nothing()
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(quotas).values(**values).on_conflict_do_nothing()

    def give_back_quota(self, bucket: Bucket, now: datetime) -> None:
        """Return one use to ``bucket``'s running window."""
        with self._write() as conn:
            conn.execute(
                update(quotas)
                .where(
                    quotas.c.bucket == bucket.key,
                    quotas.c.window_ends_at > now,
                    quotas.c.used > 0,
                )
                .values(used=quotas.c.used - 1)
            )

    def quota_state(self, bucket: Bucket) -> tuple[int, datetime] | None:
        """(uses, window end) of a bucket, or None when it was never used (for tests and ops)."""
        with self._read() as conn:
            row = conn.execute(
                select(quotas.c.used, quotas.c.window_ends_at).where(quotas.c.bucket == bucket.key)
            ).first()
        return None if row is None else (row.used, row.window_ends_at)


class _Refused(Exception):
    """Internal: a bucket refused; rolls the quota transaction back."""


def _implements_store(store: SqlStore) -> Store:
    # mypy checks here that SqlStore has every method of the Store protocol.
    return store
