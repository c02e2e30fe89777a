"""SqlProcedureStore: the dossiers of online procedures on SQLAlchemy Core (SQLite, PostgreSQL).

The rules that must hold whatever the concurrency are decided by the database: a unique partial
index allows one dossier in progress per account (P4); each change of state is one conditional
UPDATE that only the first of any number of racing requests wins; triggers refuse any change to
a transmitted dossier (P7); each transmitted dossier's seal is checked on every read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from msp_portal.adapters.sql.blob_index import add_reference
from msp_portal.adapters.sql.procedure_schema import (
    IN_PROGRESS,
    TRANSMITTED,
    procedure_attachments,
    procedure_deliveries,
    procedure_dossiers,
    procedure_emails,
    procedure_status_reports,
)
from msp_portal.adapters.sql.schema import blob_refs, sessions
from msp_portal.adapters.sql.types import UtcDateTime
from msp_portal.domain.dossiers import AttachedDocument, SealedHead, seal, sha256_text
from msp_portal.domain.emails import Email
from msp_portal.domain.lifecycle import (
    DeliveryState,
    DossierState,
    OrganisationStatus,
    after_report,
)
from msp_portal.domain.lockout import LockPolicy, LockState
from msp_portal.errors import DeliveryNotFound, DossierFrozen, DossierTampered, StorageError
from msp_portal.ports import (
    BlobRef,
    DeliveryJob,
    DeliveryRecord,
    DossierRecord,
    PendingEmail,
    ReferenceTaken,
    TrackingRecord,
    Transmission,
)

__all__ = ["HOLDER_KIND", "SqlProcedureStore"]

_d = procedure_dossiers
_a = procedure_attachments
_dl = procedure_deliveries
_SAVED = DossierState.SAVED.value
_PENDING = DeliveryState.PENDING.value
_STATES = {s.value: s for s in DossierState}
HOLDER_KIND = "procedure-dossier"  # blob_refs.holder_kind of every blob a dossier holds
_DELIVERY_STATES = {s.value: s for s in DeliveryState}
_STATUSES = {s.value: s for s in OrganisationStatus}


def _frozen_refusal(exc: SQLAlchemyError) -> bool:
    return "dossier-frozen" in str(exc)


class SqlProcedureStore:
    """The :class:`~msp_portal.ports.ProcedureStore` of the SQL database ``engine``.

    It shares the engine of :class:`~msp_portal.adapters.sql.store.SqlStore`:
    ``SqlProcedureStore(store.engine)``.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- plumbing --------------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError as exc:
            if _frozen_refusal(exc):
                raise DossierFrozen(str(exc), reference="?") from exc
            raise
        except SQLAlchemyError as exc:
            if _frozen_refusal(exc):
                raise DossierFrozen(str(exc), reference="?") from exc
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

    @staticmethod
    def _alive(now: datetime, idle: timedelta, absolute: timedelta) -> Any:
        """SQL: the in-progress dossier's session is still alive."""
        return exists().where(
            sessions.c.token_hash == _d.c.session_hash,
            sessions.c.last_seen_at > now - idle,
            sessions.c.created_at > now - absolute,
        )

    # --- reading ---------------------------------------------------------------------------------
    def _record(self, conn: Connection, row: Row[Any]) -> DossierRecord:
        state = DossierState(row.state)
        main = BlobRef(row.main_sha256, row.main_size) if row.main_sha256 else None
        if state is DossierState.TRANSMITTED:
            answers, attachments = self._sealed_content(row)
            organisations = tuple(row.organisations.split(","))
            dossier_pdf = BlobRef(row.dossier_sha256, row.dossier_size)
        else:
            answers = json.loads(row.answers)
            rows = conn.execute(
                select(_a).where(_a.c.dossier_id == row.id).order_by(_a.c.slot, _a.c.id)
            ).all()
            attachments = tuple(
                AttachedDocument(r.slot, r.document_id, r.title, r.category, r.sha256, r.size)
                for r in rows
            )
            organisations, dossier_pdf = (), None
        return DossierRecord(
            pk=row.id,
            dossier_id=row.public_id,
            account_id=row.account_id,
            procedure=row.procedure,
            version=row.version,
            state=state,
            session_hash=row.session_hash,
            answers=answers,
            saved_answers=json.loads(row.saved_answers) if row.saved_answers else None,
            attachments=attachments,
            created_at=row.created_at,
            updated_at=row.updated_at,
            file_number=row.file_number,
            password_hash=row.password_hash,
            saved_at=row.saved_at,
            expires_at=row.expires_at,
            failed_count=row.failed_count,
            locked_until=row.locked_until,
            main_document=main,
            reference=row.reference,
            transmitted_at=row.transmitted_at,
            organisations=organisations,
            summary_sha256=row.summary_sha256,
            dossier_pdf=dossier_pdf,
        )

    @staticmethod
    def _check_seal(row: Any) -> None:
        head = SealedHead(
            dossier_id=row.public_id,
            account_id=row.account_id,
            procedure=row.procedure,
            version=row.version,
            reference=row.reference or "",
            transmitted_at=row.transmitted_at,
            organisations=tuple((row.organisations or "").split(",")),
            content_sha256=row.content_sha256 or "",
        )
        if row.seal is None or seal(head) != row.seal:
            raise DossierTampered(dossier=row.public_id)

    def _sealed_content(self, row: Row[Any]) -> tuple[dict[str, Any], tuple[AttachedDocument, ...]]:
        self._check_seal(row)
        if row.content is None or sha256_text(row.content) != row.content_sha256:
            raise DossierTampered(dossier=row.public_id)
        content = json.loads(row.content)
        if (
            content.get("summary_sha256") != row.summary_sha256
            or content.get("dossier_sha256") != row.dossier_sha256
            or content.get("dossier_size") != row.dossier_size
            or content.get("main_sha256") != row.main_sha256
        ):
            raise DossierTampered(dossier=row.public_id)
        attachments = tuple(
            AttachedDocument(
                a["slot"], a["document_id"], a["title"], a["category"], a["sha256"], a["size"]
            )
            for a in content["attachments"]
        )
        return content["answers"], attachments

    def _one(self, where: Any) -> DossierRecord | None:
        with self._read() as conn:
            row = conn.execute(select(_d).where(where)).first()
            return None if row is None else self._record(conn, row)

    def dossier(self, account_id: int, dossier_id: str) -> DossierRecord | None:
        """The account's dossier ``dossier_id``."""
        if not isinstance(dossier_id, str) or len(dossier_id) > 32:
            return None
        return self._one(and_(_d.c.public_id == dossier_id, _d.c.account_id == account_id))

    def dossier_by_reference(self, account_id: int, reference: str) -> DossierRecord | None:
        """The account's transmitted dossier with this reference."""
        return self._one(and_(_d.c.reference == reference, _d.c.account_id == account_id))

    def in_progress(self, account_id: int) -> DossierRecord | None:
        """The account's dossier in progress, if any."""
        return self._one(and_(_d.c.account_id == account_id, _d.c.state == IN_PROGRESS))

    # --- start, save, resume, close (P1-P4) ------------------------------------------------------
    def _close_dead(
        self, conn: Connection, account_id: int, now: datetime, idle: timedelta, absolute: timedelta
    ) -> None:
        """Close the account's in-progress dossier if the session holding it has ended."""
        dead = and_(
            _d.c.account_id == account_id,
            _d.c.state == IN_PROGRESS,
            ~self._alive(now, idle, absolute),
        )
        self._close(conn, dead, now)

    @staticmethod
    def _delete(conn: Connection, where: Any) -> int:
        """Delete dossiers (never transmitted ones) and the blob references they held."""
        ids = list(conn.execute(select(_d.c.public_id).where(where)).scalars())
        for start in range(0, len(ids), 500):
            conn.execute(
                delete(blob_refs).where(
                    blob_refs.c.holder_kind == HOLDER_KIND,
                    blob_refs.c.holder_id.in_(ids[start : start + 500]),
                )
            )
        return int(conn.execute(delete(_d).where(where)).rowcount) if ids else 0

    @classmethod
    def _close(cls, conn: Connection, where: Any, now: datetime) -> None:
        # Saved before: back to the saved answers. Never saved: gone, with its attachments.
        conn.execute(
            update(_d)
            .where(where, _d.c.file_number.is_not(None))
            .values(state=_SAVED, answers=_d.c.saved_answers, session_hash=None, updated_at=now)
        )
        cls._delete(conn, and_(where, _d.c.file_number.is_(None)))

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
        """Insert an in-progress dossier; return None, or the account's one in progress.

        The unique partial index decides between racing starts: exactly one insert succeeds.
        """
        try:
            with self._write() as conn:
                self._close_dead(conn, account_id, now, idle, absolute)
                conn.execute(
                    insert(_d).values(
                        public_id=dossier_id,
                        account_id=account_id,
                        procedure=procedure,
                        version=version,
                        state=IN_PROGRESS,
                        session_hash=session_hash,
                        answers=answers,
                        created_at=now,
                        updated_at=now,
                        failed_count=0,
                    )
                )
            return None
        except IntegrityError:
            other = self.in_progress(account_id)
            if other is None:  # closed between the two transactions: try once more
                return self.start(
                    account_id=account_id,
                    session_hash=session_hash,
                    dossier_id=dossier_id,
                    procedure=procedure,
                    version=version,
                    answers=answers,
                    now=now,
                    idle=idle,
                    absolute=absolute,
                )
            return other

    def _held(self, pk: int, session_hash: str) -> Any:
        return and_(_d.c.id == pk, _d.c.state == IN_PROGRESS, _d.c.session_hash == session_hash)

    def update_answers(
        self, pk: int, session_hash: str, answers: str, now: datetime, *, max_bytes: int
    ) -> bool:
        """Replace the answers of a dossier in progress held by this session."""
        if len(answers.encode("utf-8")) > max_bytes:
            raise ValueError("answers larger than the limit")  # the service checks first
        with self._write() as conn:
            result = conn.execute(
                update(_d)
                .where(self._held(pk, session_hash))
                .values(answers=answers, updated_at=now)
            )
            return result.rowcount == 1

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
        """In progress -> saved; keeps the file number it had; new password and expiry.

        Raises:
            ReferenceTaken: ``file_number`` belongs to another dossier (draw another).
        """
        try:
            return self._save_draft(
                pk,
                session_hash=session_hash,
                file_number=file_number,
                password_hash=password_hash,
                now=now,
                expires_at=expires_at,
            )
        except IntegrityError as exc:
            raise ReferenceTaken(file_number) from exc

    def _save_draft(
        self,
        pk: int,
        *,
        session_hash: str,
        file_number: str,
        password_hash: str | None,
        now: datetime,
        expires_at: datetime,
    ) -> bool:
        with self._write() as conn:
            result = conn.execute(
                update(_d)
                .where(self._held(pk, session_hash))
                .values(
                    state=_SAVED,
                    session_hash=None,
                    saved_answers=_d.c.answers,
                    file_number=func.coalesce(_d.c.file_number, file_number),
                    password_hash=password_hash,
                    saved_at=now,
                    expires_at=expires_at,
                    failed_count=0,
                    locked_until=None,
                    updated_at=now,
                )
            )
            return result.rowcount == 1

    def admit_resume(self, pk: int, now: datetime, policy: LockPolicy) -> LockState | None:
        """Count a resume check before it runs (the SQL twin of ``lockout.admit``); None: locked."""
        expired = _d.c.locked_until.is_not(None)
        count = case((expired, 1), else_=_d.c.failed_count + 1)
        with self._write() as conn:
            row = conn.execute(
                update(_d)
                .where(
                    _d.c.id == pk,
                    _d.c.state == _SAVED,
                    or_(_d.c.locked_until.is_(None), _d.c.locked_until <= now),
                )
                .values(
                    failed_count=count,
                    locked_until=case(
                        (count >= policy.threshold, literal(now + policy.duration, UtcDateTime)),
                        else_=None,
                    ),
                )
                .returning(_d.c.failed_count, _d.c.locked_until)
            ).first()
        return None if row is None else LockState(row.failed_count, row.locked_until)

    def clear_resume_failures(self, pk: int) -> None:
        """A right file number and password: reset the count."""
        with self._write() as conn:
            conn.execute(
                update(_d)
                .where(_d.c.id == pk, _d.c.state == _SAVED)
                .values(failed_count=0, locked_until=None)
            )

    def resume(
        self, pk: int, session_hash: str, now: datetime, *, idle: timedelta, absolute: timedelta
    ) -> DossierRecord | None:
        """Saved -> in progress for this session; None, or the account's other one in progress."""
        account_id: int | None = None
        try:
            with self._write() as conn:
                account_id = conn.execute(select(_d.c.account_id).where(_d.c.id == pk)).scalar()
                if account_id is None:
                    return None
                self._close_dead(conn, account_id, now, idle, absolute)
                conn.execute(
                    update(_d)
                    .where(_d.c.id == pk, _d.c.state == _SAVED, _d.c.expires_at > now)
                    .values(state=IN_PROGRESS, session_hash=session_hash, updated_at=now)
                )
            return None
        except IntegrityError:
            assert account_id is not None
            return self.in_progress(account_id)

    def close_in_progress(self, account_id: int, now: datetime) -> None:
        """Sign-out (P4): back to the saved version, or gone when never saved."""
        with self._write() as conn:
            self._close(conn, and_(_d.c.account_id == account_id, _d.c.state == IN_PROGRESS), now)

    def abandon(self, pk: int) -> bool:
        """Delete a dossier that is not transmitted, with its data and blob references."""
        with self._write() as conn:
            return self._delete(conn, and_(_d.c.id == pk, _d.c.state != TRANSMITTED)) == 1

    # --- attachments and main document -----------------------------------------------------------
    def add_attachment(
        self, pk: int, session_hash: str, doc: AttachedDocument, now: datetime, *, limit: int
    ) -> str:
        """Attach a wallet document to a dossier in progress.

        Returns ``attached``, ``not-held`` (not in progress in this session) or ``slot-full``
        (``limit`` documents there already).
        """
        with self._write() as conn:
            held = conn.execute(
                update(_d).where(self._held(pk, session_hash)).values(updated_at=now)
            ).rowcount
            if held != 1:
                return "not-held"
            taken = conn.execute(
                select(func.count()).where(_a.c.dossier_id == pk, _a.c.slot == doc.slot)
            ).scalar_one()
            already = conn.execute(
                select(_a.c.id).where(
                    _a.c.dossier_id == pk,
                    _a.c.slot == doc.slot,
                    _a.c.document_id == doc.document_id,
                )
            ).first()
            if already is None and taken >= limit:
                return "slot-full"
            if already is None:
                public_id = conn.execute(select(_d.c.public_id).where(_d.c.id == pk)).scalar_one()
                add_reference(conn, doc.sha256, HOLDER_KIND, public_id, now)
                conn.execute(
                    insert(_a).values(
                        dossier_id=pk,
                        slot=doc.slot,
                        document_id=doc.document_id,
                        title=doc.title,
                        category=doc.category,
                        sha256=doc.sha256,
                        size=doc.size,
                        attached_at=now,
                    )
                )
            return "attached"

    def remove_attachment(
        self, pk: int, session_hash: str, slot: str, document_id: str, now: datetime
    ) -> bool:
        """Detach a document from a dossier in progress."""
        with self._write() as conn:
            held = conn.execute(
                update(_d).where(self._held(pk, session_hash)).values(updated_at=now)
            ).rowcount
            if held != 1:
                return False
            removed = conn.execute(
                delete(_a)
                .where(_a.c.dossier_id == pk, _a.c.slot == slot, _a.c.document_id == document_id)
                .returning(_a.c.sha256)
            ).scalar()
            if removed is not None:
                self._release_if_unused(conn, pk, removed)
            return True

    @staticmethod
    def _release_if_unused(conn: Connection, pk: int, sha256: str) -> None:
        """Forget the dossier's reference to a blob none of its documents uses any more."""
        row = conn.execute(select(_d.c.public_id, _d.c.main_sha256).where(_d.c.id == pk)).one()
        used = (
            row.main_sha256 == sha256
            or conn.execute(
                select(_a.c.id).where(_a.c.dossier_id == pk, _a.c.sha256 == sha256)
            ).first()
            is not None
        )
        if not used:
            conn.execute(
                delete(blob_refs).where(
                    blob_refs.c.holder_kind == HOLDER_KIND,
                    blob_refs.c.holder_id == row.public_id,
                    blob_refs.c.sha256 == sha256,
                )
            )

    def set_main_document(
        self, pk: int, session_hash: str, main: BlobRef | None, now: datetime
    ) -> bool:
        """Set the main PDF (a filled CERFA form, claimed and stored) of a dossier in progress.

        The dossier holds a blob reference to it from now on.
        """
        with self._write() as conn:
            before = conn.execute(
                select(_d.c.public_id, _d.c.main_sha256).where(self._held(pk, session_hash))
            ).first()
            if before is None:
                return False
            if main is not None:
                add_reference(conn, main.sha256, HOLDER_KIND, before.public_id, now)
            conn.execute(
                update(_d)
                .where(self._held(pk, session_hash))
                .values(
                    main_sha256=main.sha256 if main else None,
                    main_size=main.size if main else None,
                    updated_at=now,
                )
            )
            if before.main_sha256 and (main is None or before.main_sha256 != main.sha256):
                self._release_if_unused(conn, pk, before.main_sha256)
            return True

    # --- transmission (P5-P8) --------------------------------------------------------------------
    def commit_transmission(
        self, pk: int, session_hash: str, expected_update: datetime, t: Transmission
    ) -> bool:
        """Freeze the dossier, write its deliveries and email; False if it changed meanwhile.

        One transaction: the dossier becomes transmitted (a conditional UPDATE only one racing
        transmission wins), one delivery per organisation is queued and the confirmation email
        too. A crash before the commit leaves the dossier in progress, as if nothing happened.
        """
        try:
            with self._write() as conn:
                result = conn.execute(
                    update(_d)
                    .where(self._held(pk, session_hash), _d.c.updated_at == expected_update)
                    .values(
                        state=TRANSMITTED,
                        session_hash=None,
                        answers=t.answers,
                        saved_answers=None,
                        password_hash=None,
                        expires_at=None,
                        failed_count=0,
                        locked_until=None,
                        reference=t.reference,
                        transmitted_at=t.transmitted_at,
                        organisations=",".join(t.organisations),
                        content=t.content,
                        content_sha256=t.content_sha256,
                        seal=t.seal,
                        summary_sha256=t.summary_sha256,
                        dossier_sha256=t.dossier_pdf.sha256,
                        dossier_size=t.dossier_pdf.size,
                        updated_at=t.transmitted_at,
                    )
                )
                if result.rowcount != 1:
                    return False
                public_id = conn.execute(select(_d.c.public_id).where(_d.c.id == pk)).scalar_one()
                for sha in (t.summary_sha256, t.dossier_pdf.sha256):
                    add_reference(conn, sha, HOLDER_KIND, public_id, t.transmitted_at)
                for organisation, key in t.deliveries:
                    conn.execute(
                        insert(_dl).values(
                            dossier_id=pk,
                            organisation=organisation,
                            idempotency_key=key,
                            state=_PENDING,
                            attempts=0,
                            next_attempt_at=t.transmitted_at,
                        )
                    )
                conn.execute(
                    insert(procedure_emails).values(
                        dossier_id=pk,
                        recipient=t.email.to,
                        subject=t.email.subject,
                        body=t.email.body,
                        created_at=t.transmitted_at,
                        attempts=0,
                    )
                )
                return True
        except IntegrityError as exc:
            with self._read() as conn:
                taken = conn.execute(select(_d.c.id).where(_d.c.reference == t.reference)).first()
            if taken is not None:
                raise ReferenceTaken(t.reference) from exc
            raise StorageError(str(exc), reason=type(exc).__name__) from exc

    # --- "Mon suivi" -----------------------------------------------------------------------------
    def tracking(
        self,
        account_id: int,
        now: datetime,
        *,
        limit: int,
        before: tuple[datetime, int] | None = None,
    ) -> tuple[list[TrackingRecord], tuple[datetime, int] | None]:
        """One page of Mon suivi, newest first, and where the next page starts.

        Lists transmitted dossiers and live drafts (not the one in progress, not expired drafts).
        Keyset pagination on (created_at, id): a page costs the same at the start or the end.
        """
        live = or_(_d.c.state == TRANSMITTED, and_(_d.c.state == _SAVED, _d.c.expires_at > now))
        query = (
            select(
                _d.c.id,
                _d.c.public_id,
                _d.c.account_id,
                _d.c.procedure,
                _d.c.version,
                _d.c.state,
                _d.c.created_at,
                _d.c.file_number,
                _d.c.saved_at,
                _d.c.expires_at,
                _d.c.reference,
                _d.c.transmitted_at,
                _d.c.organisations,
                _d.c.content_sha256,
                _d.c.seal,
            )
            .where(_d.c.account_id == account_id, live)
            .order_by(_d.c.created_at.desc(), _d.c.id.desc())
            .limit(limit + 1)
        )
        if before is not None:
            at, pk = before
            query = query.where(
                or_(_d.c.created_at < at, and_(_d.c.created_at == at, _d.c.id < pk))
            )
        with self._read() as conn:
            rows = conn.execute(query).all()
            more = len(rows) > limit
            rows = rows[:limit]
            ids = [r.id for r in rows if r.state == TRANSMITTED]
            deliveries = (
                conn.execute(
                    select(
                        _dl.c.dossier_id,
                        _dl.c.organisation,
                        _dl.c.state,
                        _dl.c.attempts,
                        _dl.c.delivered_at,
                        _dl.c.last_error,
                        _dl.c.status,
                        _dl.c.status_message,
                        _dl.c.status_at,
                    )
                    .where(_dl.c.dossier_id.in_(ids))
                    .order_by(_dl.c.id)
                ).all()
                if ids
                else []
            )
        by_dossier: dict[int, list[DeliveryRecord]] = {}
        for r in deliveries:
            by_dossier.setdefault(r.dossier_id, []).append(
                DeliveryRecord(
                    organisation=r.organisation,
                    state=_DELIVERY_STATES[r.state],
                    attempts=r.attempts,
                    delivered_at=r.delivered_at,
                    last_error=r.last_error,
                    status=_STATUSES[r.status] if r.status else None,
                    status_message=r.status_message or "",
                    status_at=r.status_at,
                )
            )
        out = []
        for row in rows:
            state = _STATES[row.state]
            if state is DossierState.TRANSMITTED:
                self._check_seal(row)
            out.append(
                TrackingRecord(
                    dossier_id=row.public_id,
                    procedure=row.procedure,
                    state=state,
                    created_at=row.created_at,
                    file_number=row.file_number,
                    saved_at=row.saved_at,
                    expires_at=row.expires_at,
                    reference=row.reference,
                    transmitted_at=row.transmitted_at,
                    deliveries=tuple(by_dossier.get(row.id, ())),
                )
            )
        last = rows[-1] if rows and more else None
        return out, (last.created_at, last.id) if last is not None else None

    def purge(self, now: datetime, *, idle: timedelta, absolute: timedelta) -> int:
        """Delete expired drafts; close in-progress dossiers whose session ended.

        Returns how many dossiers are gone.
        """
        with self._write() as conn:
            dead = and_(_d.c.state == IN_PROGRESS, ~self._alive(now, idle, absolute))
            closed = self._delete(conn, and_(dead, _d.c.file_number.is_(None)))
            conn.execute(
                update(_d)
                .where(dead, _d.c.file_number.is_not(None))
                .values(state=_SAVED, answers=_d.c.saved_answers, session_hash=None, updated_at=now)
            )
            expired = self._delete(conn, and_(_d.c.state == _SAVED, _d.c.expires_at <= now))
            return closed + expired

    # --- the delivery outbox (P8, P9) ------------------------------------------------------------
    def due_deliveries(self, now: datetime, limit: int) -> list[int]:
        """Ids of pending deliveries whose time has come and that nobody holds, oldest first."""
        with self._read() as conn:
            return list(
                conn.execute(
                    select(_dl.c.id)
                    .where(
                        _dl.c.state == _PENDING,
                        _dl.c.next_attempt_at <= now,
                        or_(_dl.c.lease_until.is_(None), _dl.c.lease_until <= now),
                    )
                    .order_by(_dl.c.next_attempt_at, _dl.c.id)
                    .limit(limit)
                ).scalars()
            )

    def claim_delivery(
        self, delivery_id: int, now: datetime, lease: timedelta
    ) -> DeliveryJob | None:
        """Take one attempt of a due delivery (counted now); None when another worker has it."""
        with self._write() as conn:
            row = conn.execute(
                update(_dl)
                .where(
                    _dl.c.id == delivery_id,
                    _dl.c.state == _PENDING,
                    _dl.c.next_attempt_at <= now,
                    or_(_dl.c.lease_until.is_(None), _dl.c.lease_until <= now),
                )
                .values(attempts=_dl.c.attempts + 1, lease_until=now + lease)
                .returning(
                    _dl.c.dossier_id, _dl.c.organisation, _dl.c.idempotency_key, _dl.c.attempts
                )
            ).first()
            if row is None:
                return None
            dossier_row = conn.execute(select(_d).where(_d.c.id == row.dossier_id)).one()
            dossier = self._record(conn, dossier_row)
        return DeliveryJob(
            delivery_id, row.organisation, row.idempotency_key, row.attempts, dossier
        )

    def finish_delivery(
        self,
        delivery_id: int,
        *,
        state: DeliveryState,
        now: datetime,
        next_attempt_at: datetime,
        error: str | None,
    ) -> None:
        """Record an attempt's outcome (a report that came first already made it delivered)."""
        with self._write() as conn:
            conn.execute(
                update(_dl)
                .where(_dl.c.id == delivery_id, _dl.c.state == _PENDING)
                .values(
                    state=state.value,
                    lease_until=None,
                    next_attempt_at=next_attempt_at,
                    last_error=None if error is None else error[:500],
                    delivered_at=now if state is DeliveryState.DELIVERED else None,
                )
            )

    def requeue_failed(self, now: datetime, organisation: str | None = None) -> int:
        """Failed deliveries become pending again, due now (operator's decision); how many."""
        where = [_dl.c.state == DeliveryState.FAILED.value]
        if organisation is not None:
            where.append(_dl.c.organisation == organisation)
        with self._write() as conn:
            return int(
                conn.execute(
                    update(_dl)
                    .where(*where)
                    .values(state=_PENDING, attempts=0, next_attempt_at=now, lease_until=None)
                ).rowcount
            )

    def report_status(
        self,
        reference: str,
        organisation: str,
        status: OrganisationStatus,
        message: str,
        now: datetime,
    ) -> None:
        """Record an organisation's status report; it also proves the dossier was received."""
        with self._write() as conn:
            query = (
                select(_dl.c.id, _dl.c.status)
                .join(_d, _d.c.id == _dl.c.dossier_id)
                .where(_d.c.reference == reference, _dl.c.organisation == organisation)
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(of=_dl)
            row = conn.execute(query).first()
            if row is None:
                raise DeliveryNotFound(organisation=organisation)
            current = OrganisationStatus(row.status) if row.status else None
            after = after_report(current, status)  # raises IllegalTransition
            conn.execute(
                update(_dl)
                .where(_dl.c.id == row.id)
                .values(
                    status=after.value,
                    status_message=message,
                    status_at=now,
                    state=DeliveryState.DELIVERED.value,
                    delivered_at=func.coalesce(_dl.c.delivered_at, now),
                    lease_until=None,
                )
            )
            conn.execute(
                insert(procedure_status_reports).values(
                    delivery_id=row.id, status=after.value, message=message, reported_at=now
                )
            )

    def status_reports(self, reference: str, organisation: str) -> list[tuple[str, str, datetime]]:
        """Every report received for one delivery, oldest first: (status, message, instant)."""
        r = procedure_status_reports
        with self._read() as conn:
            rows = conn.execute(
                select(r.c.status, r.c.message, r.c.reported_at)
                .join(_dl, _dl.c.id == r.c.delivery_id)
                .join(_d, _d.c.id == _dl.c.dossier_id)
                .where(_d.c.reference == reference, _dl.c.organisation == organisation)
                .order_by(r.c.id)
            ).all()
        return [(x.status, x.message, x.reported_at) for x in rows]

    # --- confirmation emails ---------------------------------------------------------------------
    def pending_emails(self, limit: int) -> list[PendingEmail]:
        """Confirmation emails not sent yet, oldest first."""
        e = procedure_emails
        with self._read() as conn:
            rows = conn.execute(
                select(e).where(e.c.sent_at.is_(None)).order_by(e.c.id).limit(limit)
            ).all()
        return [PendingEmail(r.id, Email(r.recipient, r.subject, r.body), r.attempts) for r in rows]

    def pending_email_for(self, dossier_pk: int) -> PendingEmail | None:
        """The dossier's confirmation email if it was not sent yet."""
        e = procedure_emails
        with self._read() as conn:
            r = conn.execute(
                select(e).where(e.c.dossier_id == dossier_pk, e.c.sent_at.is_(None))
            ).first()
        return (
            None
            if r is None
            else PendingEmail(r.id, Email(r.recipient, r.subject, r.body), r.attempts)
        )

    def email_sent(self, email_id: int, now: datetime) -> bool:
        """Mark an email sent; True for the one caller that did it."""
        e = procedure_emails
        with self._write() as conn:
            result = conn.execute(
                update(e).where(e.c.id == email_id, e.c.sent_at.is_(None)).values(sent_at=now)
            )
            return result.rowcount == 1

    def email_failed(self, email_id: int, error: str) -> None:
        """Count a failed hand-over."""
        e = procedure_emails
        with self._write() as conn:
            conn.execute(
                update(e)
                .where(e.c.id == email_id)
                .values(attempts=e.c.attempts + 1, last_error=error[:500])
            )
