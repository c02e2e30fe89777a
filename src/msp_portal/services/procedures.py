"""Online procedures (P1-P9): start, answer, attach, save, resume, transmit, track, report.

Each use case takes :class:`ProcedureCollaborators`. The rules are the domain's
(``domain.procedure_types``, ``domain.answers``, ``domain.lifecycle``, ``domain.references``);
the guarantees under concurrency are the store's (one procedure in progress per account, one
transmission per dossier, frozen transmitted dossiers).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from msp_portal.domain import procedure_emails
from msp_portal.domain.answers import (
    MAX_STRING,
    check_content,
    check_shape,
    chosen_organisations,
    prefill,
)
from msp_portal.domain.dossiers import (
    AttachedDocument,
    CheckResult,
    DeliveryView,
    DossierView,
    Receipt,
    SavedDraft,
    SealedHead,
    TrackingEntry,
    TrackingPage,
    canonical_json,
    seal,
    sha256_text,
)
from msp_portal.domain.hooks import HookRegistry
from msp_portal.domain.lifecycle import DossierState, OrganisationStatus, draft_expiry
from msp_portal.domain.lockout import is_locked
from msp_portal.domain.paris import PARIS
from msp_portal.domain.procedure_types import Catalogue, ProcedureType
from msp_portal.domain.references import (
    new_draft_password,
    new_file_number,
    new_reference,
    normalise_code,
    parse_file_number,
    parse_reference,
)
from msp_portal.domain.summary import build_summary
from msp_portal.domain.tokens import hash_token
from msp_portal.errors import (
    AnswersIncomplete,
    AnswersMalformed,
    AttachmentRefused,
    BlobStoreNotConfigured,
    DeliveryFailed,
    DossierFrozen,
    DossierLocked,
    DossierNotFound,
    DraftExpired,
    IllegalTransition,
    InvalidInput,
    InvalidReference,
    PartnerNotAuthorised,
    ProcedureInProgress,
    ResumeCredentialsInvalid,
    SessionInvalid,
    StorageError,
    UnknownPartner,
    UnknownProcedure,
)
from msp_portal.ports import (
    BlobIndex,
    BlobRef,
    BlobStore,
    DossierRecord,
    ProcedureStore,
    Receiver,
    ReferenceTaken,
    SummaryRenderer,
    Transmission,
    WalletDocuments,
    WalletStore,
)
from msp_portal.services.blobs import keep_blob
from msp_portal.services.context import Collaborators, session_account
from msp_portal.settings import ProcedureSettings

__all__ = [
    "RESUME_PATH",
    "TRACKING_PAGE",
    "ProcedureCollaborators",
    "WalletAttachments",
    "abandon",
    "attach_document",
    "blob_bytes",
    "check",
    "close_on_sign_out",
    "detach_document",
    "dossier_pdf",
    "purge_expired",
    "report_status",
    "resume",
    "save",
    "send_confirmation",
    "set_main_document",
    "start",
    "tracking",
    "transmit",
    "update_answers",
    "view",
]

RESUME_PATH = "/mon-suivi/reprendre?dossier="
TRACKING_PAGE = 50  # entries of one page of Mon suivi
_MAX_MESSAGE = 2000
_REFERENCE_DRAWS = 5


@dataclass(frozen=True)
class ProcedureCollaborators:
    """What the procedure use cases talk to; built once by :class:`msp_portal.Portal`.

    Attributes:
        base: The accounts' collaborators (sessions, clock, mailer, hasher, settings).
        store: Where dossiers live.
        catalogue: The procedure types offered.
        hooks: The named hooks definitions may use (the catalogue was checked against them).
        renderer: Lays summaries out as PDF.
        blobs: Where document bytes live (attachments, summaries, dossier PDFs).
        index: Claims and references of blobs (a dossier holds what it attached and sent).
        wallet: The account's wallet documents (attachments come from there, D5).
        receiver: Sends deliveries to organisations (the worker's; None for web processes).
        jitter: Returns a number in [0, 1) for retry jitter (random unless a test fixes it).
    """

    base: Collaborators
    store: ProcedureStore
    catalogue: Catalogue
    hooks: HookRegistry
    renderer: SummaryRenderer
    blobs: BlobStore | None = None
    index: BlobIndex | None = None
    wallet: WalletDocuments | None = None
    receiver: Receiver | None = None
    jitter: Callable[[], float] = field(default=random.random)

    @property
    def settings(self) -> ProcedureSettings:
        """The procedures' numbers."""
        return self.base.settings.procedures

    def now(self) -> datetime:
        """The clock's instant."""
        return self.base.now()

    def today(self, now: datetime) -> date:
        """The Paris date of ``now`` (date rules are Paris rules)."""
        return now.astimezone(PARIS).date()

    def resume_link(self, dossier_id: str) -> str:
        """The link that resumes a saved dossier (P2), in emails and in Mon suivi."""
        return self.base.settings.base_url.rstrip("/") + RESUME_PATH + dossier_id


class WalletAttachments:
    """The wallet's documents as attachments (the ``WalletDocuments`` port over the wallet)."""

    def __init__(self, store: WalletStore) -> None:
        self.store = store

    def document(self, account_id: int, document_id: str) -> AttachedDocument | None:
        """The account's wallet document as it is now (``slot`` left empty)."""
        found = self.store.document(account_id, document_id)
        if found is None:
            return None
        return AttachedDocument(
            "", found.id, found.title, found.category.value, found.sha256, found.size
        )


# --- arguments ------------------------------------------------------------------------------------
def _token(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 256 or not value.isascii():
        raise SessionInvalid
    return value


def _dossier_id(value: object) -> str:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= 32
        or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in value)
    ):
        raise DossierNotFound
    return value


def _short_text(value: object, name: str, limit: int = 128) -> str:
    if not isinstance(value, str) or not value or len(value) > limit or not value.isprintable():
        raise AnswersMalformed(path=name, reason="invalid")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise AnswersMalformed(path=name, reason="lone-surrogate")
    return value


def _signed_in(pctx: ProcedureCollaborators, session_token: object) -> tuple[int, str, str]:
    """(account id, session hash, account email) of a live session."""
    token = _token(session_token)
    account, token_hash = session_account(pctx.base, token)
    return account.id, token_hash, account.email


def _type_of(pctx: ProcedureCollaborators, record: DossierRecord) -> ProcedureType:
    ptype = pctx.catalogue.get(record.procedure)
    if ptype is None:
        raise UnknownProcedure(procedure=record.procedure)
    return ptype


def _in_progress_error(pctx: ProcedureCollaborators, other: DossierRecord) -> ProcedureInProgress:
    ptype = pctx.catalogue.get(other.procedure)
    return ProcedureInProgress(
        procedure=other.procedure,
        title=ptype.title if ptype else other.procedure,
        dossier=other.dossier_id,
    )


def _refuse(record: DossierRecord, action: str) -> None:
    if record.state is DossierState.TRANSMITTED:
        raise DossierFrozen(reference=record.reference or "?", action=action)
    raise IllegalTransition(state=record.state.value, action=action)


def _held(
    pctx: ProcedureCollaborators, session_token: object, dossier_id: object, action: str
) -> tuple[int, str, str, DossierRecord, ProcedureType]:
    """The dossier in progress in this session, or the typed reason why it is not."""
    account_id, session_hash, email = _signed_in(pctx, session_token)
    record = pctx.store.dossier(account_id, _dossier_id(dossier_id))
    if record is None:
        raise DossierNotFound
    if record.state is not DossierState.IN_PROGRESS:
        _refuse(record, action)
    if record.session_hash != session_hash:
        raise _in_progress_error(pctx, record)  # open in another session (another browser)
    return account_id, session_hash, email, record, _type_of(pctx, record)


def _view(pctx: ProcedureCollaborators, record: DossierRecord) -> DossierView:
    ptype = pctx.catalogue.get(record.procedure)
    return DossierView(
        dossier_id=record.dossier_id,
        procedure=record.procedure,
        title=ptype.title if ptype else record.procedure,
        state=record.state,
        answers=record.answers,
        attachments=record.attachments,
        created_at=record.created_at,
        file_number=record.file_number,
        saved_at=record.saved_at,
        expires_at=record.expires_at,
        reference=record.reference,
        transmitted_at=record.transmitted_at,
    )


def _reload(pctx: ProcedureCollaborators, record: DossierRecord) -> DossierRecord:
    again = pctx.store.dossier(record.account_id, record.dossier_id)
    if again is None:
        raise DossierNotFound
    return again


# --- starting and answering -----------------------------------------------------------------------
def start(pctx: ProcedureCollaborators, session_token: object, procedure: object) -> DossierView:
    """Start a procedure (P4): a dossier in progress, prefilled from the profile (A7).

    Raises:
        SessionInvalid, UnknownProcedure.
        ProcedureInProgress: another one is in progress on the account, named in the facts.
    """
    account_id, session_hash, email = _signed_in(pctx, session_token)
    ptype = pctx.catalogue.get(procedure) if isinstance(procedure, str) else None
    if ptype is None:
        raise UnknownProcedure(procedure=str(procedure)[:64])
    answers = prefill(ptype, pctx.base.store.contact_details(account_id), email)
    dossier_id = secrets.token_urlsafe(16)
    settings = pctx.base.settings
    other = pctx.store.start(
        account_id=account_id,
        session_hash=session_hash,
        dossier_id=dossier_id,
        procedure=ptype.id,
        version=ptype.version,
        answers=canonical_json(answers),
        now=pctx.now(),
        idle=settings.session_idle_timeout,
        absolute=settings.session_absolute_timeout,
    )
    if other is not None:
        raise _in_progress_error(pctx, other)
    record = pctx.store.dossier(account_id, dossier_id)
    assert record is not None
    return _view(pctx, record)


def update_answers(
    pctx: ProcedureCollaborators, session_token: object, dossier_id: object, answers: object
) -> DossierView:
    """Replace the answers of the dossier in progress (any subset; checked for shape only).

    Raises:
        AnswersMalformed: what no form sends (unknown field, wrong type, control characters,
            lone surrogates, a megabyte string...), with its path.
        DossierNotFound, DossierFrozen, IllegalTransition, ProcedureInProgress.
    """
    _, session_hash, _, record, ptype = _held(pctx, session_token, dossier_id, "edit")
    shaped = check_shape(ptype, answers)
    text = canonical_json(shaped)
    if len(text.encode("utf-8")) > pctx.settings.max_answers_bytes:
        raise AnswersMalformed(path="answers", reason="too-large")
    if not pctx.store.update_answers(
        record.pk, session_hash, text, pctx.now(), max_bytes=pctx.settings.max_answers_bytes
    ):
        _refuse(_reload(pctx, record), "edit")
    return _view(pctx, _reload(pctx, record))


def _findings(
    pctx: ProcedureCollaborators, ptype: ProcedureType, record: DossierRecord
) -> CheckResult:
    findings = check_content(ptype, record.answers, today=pctx.today(pctx.now()), hooks=pctx.hooks)
    problems = [(p.path, p.reason) for p in findings.problems]
    for slot in ptype.attachments:
        count = sum(1 for a in record.attachments if a.slot == slot.id)
        if slot.required and count == 0:
            problems.append((f"attachments.{slot.id}", "required"))
    if ptype.main_document and record.main_document is None:
        problems.append(("main_document", "required"))
    return CheckResult(
        problems=tuple(problems),
        proposals=tuple((p.path, p.value, p.reason) for p in findings.proposals),
    )


def check(pctx: ProcedureCollaborators, session_token: object, dossier_id: object) -> CheckResult:
    """What still blocks transmission, and what is proposed (e.g. La Poste's address form)."""
    _, _, _, record, ptype = _held(pctx, session_token, dossier_id, "check")
    return _findings(pctx, ptype, record)


def view(pctx: ProcedureCollaborators, session_token: object, dossier_id: object) -> DossierView:
    """A dossier of the signed-in account in any state (a transmitted one as it was sent)."""
    account_id, _, _ = _signed_in(pctx, session_token)
    record = pctx.store.dossier(account_id, _dossier_id(dossier_id))
    if record is None:
        raise DossierNotFound
    return _view(pctx, record)


# --- attachments (D5) -----------------------------------------------------------------------------
def attach_document(
    pctx: ProcedureCollaborators,
    session_token: object,
    dossier_id: object,
    slot: object,
    document_id: object,
) -> DossierView:
    """Attach one of the account's wallet documents in an attachment place of the dossier.

    Raises:
        AttachmentRefused: unknown place, document not in the wallet, category not accepted
            there, place full, dossier full.
    """
    account_id, session_hash, _, record, ptype = _held(pctx, session_token, dossier_id, "edit")
    spec = ptype.attachment(slot) if isinstance(slot, str) else None
    if spec is None:
        raise AttachmentRefused(slot=str(slot)[:64], reason="unknown-place")
    doc_id = _short_text(document_id, "document_id", 64)
    found = pctx.wallet.document(account_id, doc_id) if pctx.wallet is not None else None
    if found is None:
        raise AttachmentRefused(slot=spec.label, reason="not-in-wallet")
    if found.category not in spec.categories:
        raise AttachmentRefused(slot=spec.label, reason="category")
    if len(record.attachments) >= pctx.settings.max_attachments:
        raise AttachmentRefused(slot=spec.label, reason="too-many")
    doc = AttachedDocument(spec.id, doc_id, found.title, found.category, found.sha256, found.size)
    outcome = pctx.store.add_attachment(
        record.pk, session_hash, doc, pctx.now(), limit=spec.max_documents
    )
    if outcome == "slot-full":
        raise AttachmentRefused(slot=spec.label, reason="place-full")
    if outcome != "attached":
        _refuse(_reload(pctx, record), "edit")
    return _view(pctx, _reload(pctx, record))


def detach_document(
    pctx: ProcedureCollaborators,
    session_token: object,
    dossier_id: object,
    slot: object,
    document_id: object,
) -> DossierView:
    """Remove a document from an attachment place (the wallet keeps it)."""
    _, session_hash, _, record, _ = _held(pctx, session_token, dossier_id, "edit")
    slot_id = _short_text(slot, "slot", 64)
    doc_id = _short_text(document_id, "document_id", 64)
    if not pctx.store.remove_attachment(record.pk, session_hash, slot_id, doc_id, pctx.now()):
        _refuse(_reload(pctx, record), "edit")
    return _view(pctx, _reload(pctx, record))


def set_main_document(
    pctx: ProcedureCollaborators, session_token: object, dossier_id: object, main: BlobRef
) -> DossierView:
    """Set the dossier's main PDF (a filled CERFA form, issue 10).

    The caller stores the PDF first with :func:`msp_portal.services.blobs.keep_blob` (claim,
    then write); the dossier then holds a reference to it, so it is kept until the dossier is
    abandoned or expires, and forever once transmitted.
    """
    _, session_hash, _, record, ptype = _held(pctx, session_token, dossier_id, "edit")
    if not ptype.main_document:
        raise AttachmentRefused(slot="main_document", reason="not-for-this-procedure")
    if not isinstance(main, BlobRef) or len(main.sha256) != 64 or main.size <= 0:
        raise AnswersMalformed(path="main_document", reason="invalid")
    if not pctx.store.set_main_document(record.pk, session_hash, main, pctx.now()):
        _refuse(_reload(pctx, record), "edit")
    return _view(pctx, _reload(pctx, record))


# --- saving and resuming (P1-P3) ------------------------------------------------------------------
def save(pctx: ProcedureCollaborators, session_token: object, dossier_id: object) -> SavedDraft:
    """Save the dossier in progress as a draft (P1): file number, password, 15-day link (P2, P3).

    The draft is not sent. The confirmation email carries the link, the file number and (for
    types that ask for it at resume) a new password; earlier passwords stop working. The
    procedure is no longer in progress: another one may be started (P4).
    """
    _, session_hash, email, record, ptype = _held(pctx, session_token, dossier_id, "save")
    now = pctx.now()
    password = new_draft_password() if ptype.resume_password else None
    password_hash = pctx.base.hasher.hash(normalise_code(password)) if password else None
    expires_at = draft_expiry(now, pctx.settings.draft_validity_days)
    for _ in range(_REFERENCE_DRAWS):
        try:
            saved = pctx.store.save_draft(
                record.pk,
                session_hash,
                file_number=record.file_number or new_file_number(),
                password_hash=password_hash,
                now=now,
                expires_at=expires_at,
            )
            break
        except ReferenceTaken:
            continue
    else:  # pragma: no cover - five collisions in 19^8 file numbers
        raise StorageError(reason="file-number")
    if not saved:
        _refuse(_reload(pctx, record), "save")
    again = _reload(pctx, record)
    assert again.file_number is not None
    link = pctx.resume_link(again.dossier_id)
    message = procedure_emails.draft_saved(
        email,
        procedure=ptype.title,
        file_number=again.file_number,
        password=password,
        link=link,
        expires_at=expires_at,
    )
    try:
        pctx.base.mailer.send(message)
        sent = True
    except DeliveryFailed:
        sent = False
    return SavedDraft(again.dossier_id, again.file_number, password, link, expires_at, sent)


def resume(
    pctx: ProcedureCollaborators,
    session_token: object,
    dossier_id: object,
    *,
    file_number: object = None,
    password: object = None,
) -> DossierView:
    """Resume a saved dossier from its link (P2): the saved answers come back exactly.

    For types that ask for it, the file number and password from the email are checked; wrong
    ones are counted and lock the dossier like sign-in does (A5's rule and numbers).

    Raises:
        DraftExpired: past its 15 days (P3).
        ResumeCredentialsInvalid, DossierLocked.
        ProcedureInProgress: another procedure is in progress (P4).
    """
    account_id, session_hash, _ = _signed_in(pctx, session_token)
    record = pctx.store.dossier(account_id, _dossier_id(dossier_id))
    if record is None:
        raise DossierNotFound
    if record.state is DossierState.IN_PROGRESS and record.session_hash == session_hash:
        return _view(pctx, record)  # already resumed in this session
    if record.state is DossierState.IN_PROGRESS:
        raise _in_progress_error(pctx, record)
    if record.state is not DossierState.SAVED:
        _refuse(record, "resume")
    now = pctx.now()
    assert record.expires_at is not None
    if record.expires_at <= now:
        raise DraftExpired(expired_at=record.expires_at)
    if record.password_hash is not None:
        _check_resume_credentials(pctx, record, file_number, password, now)
    settings = pctx.base.settings
    other = pctx.store.resume(
        record.pk,
        session_hash,
        now,
        idle=settings.session_idle_timeout,
        absolute=settings.session_absolute_timeout,
    )
    if other is not None:
        raise _in_progress_error(pctx, other)
    again = _reload(pctx, record)
    if again.state is not DossierState.IN_PROGRESS or again.session_hash != session_hash:
        if again.state is DossierState.SAVED and again.expires_at and again.expires_at <= now:
            raise DraftExpired(expired_at=again.expires_at)
        _refuse(again, "resume")
    return _view(pctx, again)


def _check_resume_credentials(
    pctx: ProcedureCollaborators,
    record: DossierRecord,
    file_number: object,
    password: object,
    now: datetime,
) -> None:
    policy = pctx.base.lock_policy
    state = pctx.store.admit_resume(record.pk, now, policy)
    if state is None:
        locked = _reload(pctx, record)
        raise DossierLocked(until=locked.locked_until or now + policy.duration)
    typed_number = parse_file_number(file_number) if isinstance(file_number, str) else None
    typed_password = (
        normalise_code(password) if isinstance(password, str) and len(password) <= 256 else ""
    )
    assert record.password_hash is not None
    # The slow check runs whatever the file number, so timing tells nothing about it.
    password_ok = bool(typed_password) and pctx.base.hasher.verify(
        record.password_hash, typed_password
    )
    if typed_number != record.file_number or not password_ok:
        if state.locked_until is not None and is_locked(state, now):
            raise DossierLocked(until=state.locked_until)
        raise ResumeCredentialsInvalid(remaining=max(policy.threshold - state.failures, 0))
    pctx.store.clear_resume_failures(record.pk)


def abandon(pctx: ProcedureCollaborators, session_token: object, dossier_id: object) -> None:
    """Abandon a dossier in progress or a saved draft: it is deleted with its answers.

    Raises:
        DossierFrozen: a transmitted dossier cannot be cancelled (P7).
    """
    account_id, _, _ = _signed_in(pctx, session_token)
    record = pctx.store.dossier(account_id, _dossier_id(dossier_id))
    if record is None:
        raise DossierNotFound
    if record.state is DossierState.TRANSMITTED:
        _refuse(record, "abandon")
    if not pctx.store.abandon(record.pk):
        _refuse(_reload(pctx, record), "abandon")


def close_on_sign_out(ctx: Collaborators, session_token: str) -> None:
    """Sign-out ends the procedure in progress (P4): the saved version stays, the rest is lost.

    Called by :func:`msp_portal.services.accounts.sign_out` before the session ends.
    """
    if ctx.procedures is None or not isinstance(session_token, str) or not session_token:
        return
    try:
        record = ctx.store.touch_session(
            hash_token(session_token),
            ctx.now(),
            idle=ctx.settings.session_idle_timeout,
            absolute=ctx.settings.session_absolute_timeout,
        )
    except UnicodeEncodeError:
        return
    if record is not None:
        ctx.procedures.close_in_progress(record.account_id, ctx.now())


def purge_expired(pctx: ProcedureCollaborators) -> int:
    """Delete drafts past their 15 days and procedures whose session ended (operator's job).

    Returns how many dossiers were deleted.
    """
    settings = pctx.base.settings
    return pctx.store.purge(
        pctx.now(),
        idle=settings.session_idle_timeout,
        absolute=settings.session_absolute_timeout,
    )


# --- "Mon suivi" ----------------------------------------------------------------------------------
def _page_position(before: object) -> tuple[datetime, int] | None:
    """The position a ``next_page`` token stands for (tokens are opaque to callers)."""
    if before is None:
        return None
    if not isinstance(before, str) or len(before) > 80:
        raise InvalidInput(field="page", reason="invalid")
    stamp, _, pk = before.partition("~")
    try:
        at = datetime.fromisoformat(stamp)
        position = int(pk)
    except ValueError:
        raise InvalidInput(field="page", reason="invalid") from None
    if at.tzinfo is None:
        raise InvalidInput(field="page", reason="invalid")
    return at, position


def tracking(
    pctx: ProcedureCollaborators,
    session_token: object,
    *,
    page_size: int = TRACKING_PAGE,
    page: object = None,
) -> TrackingPage:
    """Mon suivi: saved drafts with their resume link, and transmitted dossiers, newest first.

    For each organisation of a transmitted dossier: whether MSP delivered it, and the status
    the organisation reported (P8). One page of ``page_size`` (1 to 200) entries; pass the
    page's ``next_page`` as ``page`` for the next one. Expired drafts are not listed (P3).
    """
    account_id, _, _ = _signed_in(pctx, session_token)
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= 200:
        raise InvalidInput(field="page_size", reason="1 to 200")
    now = pctx.now()
    names = {code: org.name for code, org in pctx.catalogue.organisations.items()}
    titles = {type_id: t.title for type_id, t in pctx.catalogue.types.items()}
    records, following = pctx.store.tracking(
        account_id, now, limit=page_size, before=_page_position(page)
    )
    entries = []
    for r in records:
        draft = r.state is DossierState.SAVED
        entries.append(
            TrackingEntry(
                dossier_id=r.dossier_id,
                procedure=r.procedure,
                title=titles.get(r.procedure, r.procedure),
                state=r.state,
                created_at=r.created_at,
                file_number=r.file_number,
                saved_at=r.saved_at,
                expires_at=r.expires_at,
                resume_link=pctx.resume_link(r.dossier_id) if draft else None,
                reference=r.reference,
                transmitted_at=r.transmitted_at,
                deliveries=tuple(
                    DeliveryView(
                        organisation=d.organisation,
                        name=names.get(d.organisation, d.organisation),
                        state=d.state,
                        attempts=d.attempts,
                        delivered_at=d.delivered_at,
                        status=d.status,
                        status_message=d.status_message,
                        status_at=d.status_at,
                    )
                    for d in r.deliveries
                ),
            )
        )
    token = None if following is None else f"{following[0].isoformat()}~{following[1]}"
    return TrackingPage(tuple(entries), token)


# --- transmission (P5-P8) -------------------------------------------------------------------------
def blob_bytes(pctx: ProcedureCollaborators, ref_sha: str, what: str) -> bytes:
    """The bytes of a blob, checked against their SHA-256."""
    assert pctx.blobs is not None
    try:
        data = b"".join(pctx.blobs.open(ref_sha))
    except StorageError as exc:
        raise AttachmentRefused(slot=what, reason="missing") from exc
    if hashlib.sha256(data).hexdigest() != ref_sha:
        raise StorageError(reason="blob-changed", blob=ref_sha)
    return data


def _merge_dossier(
    pctx: ProcedureCollaborators,
    ptype: ProcedureType,
    record: DossierRecord,
    summary_pdf: bytes,
    reference: str,
) -> bytes:
    """Summary, main document and attachments merged by msp_docs into the dossier PDF."""
    import msp_docs

    inputs = [msp_docs.Input(summary_pdf, name="recapitulatif.pdf", label="Récapitulatif")]
    if record.main_document is not None:
        data = blob_bytes(pctx, record.main_document.sha256, "main_document")
        inputs.append(msp_docs.Input(data, name="document.pdf", label=ptype.main_document))
    for i, doc in enumerate(record.attachments, 1):
        data = blob_bytes(pctx, doc.sha256, doc.slot)
        inputs.append(msp_docs.Input(data, name=f"piece-{i}.pdf", label=doc.title))
    cap = pctx.settings.max_dossier_bytes
    # The inputs are our own summary and documents msp_docs already accepted: the time budget
    # guards against hostile uploads, not against a busy machine, so it is generous here (a
    # transmission must not fail because 100 others run at the same moment).
    limits = msp_docs.Limits(
        max_files=len(inputs),
        max_total_bytes=cap,
        max_output_bytes=cap,
        max_seconds_per_input=pctx.settings.merge_seconds_per_input,
    )
    options = msp_docs.Options(
        title=f"{ptype.title} — {reference}",
        lang=msp_docs.Lang.FR,
        isolate=pctx.settings.merge_isolated,
    )
    out = io.BytesIO()
    try:
        msp_docs.merge(inputs, out, limits=limits, options=options)
    except msp_docs.MspDocsError as exc:
        raise AttachmentRefused(str(exc), slot="dossier", reason=exc.code) from exc
    return out.getvalue()


def _receipt(pctx: ProcedureCollaborators, record: DossierRecord) -> Receipt:
    assert record.reference and record.transmitted_at and record.dossier_pdf
    names = pctx.catalogue.organisations
    return Receipt(
        dossier_id=record.dossier_id,
        reference=record.reference,
        transmitted_at=record.transmitted_at,
        organisations=tuple(
            (code, names[code].name if code in names else code) for code in record.organisations
        ),
        dossier_sha256=record.dossier_pdf.sha256,
        dossier_size=record.dossier_pdf.size,
    )


def send_confirmation(pctx: ProcedureCollaborators, dossier_pk: int) -> bool:
    """Send the dossier's confirmation email if it is still waiting; whether it went now."""
    pending = pctx.store.pending_email_for(dossier_pk)
    if pending is None:
        return False
    try:
        pctx.base.mailer.send(pending.email)
    except DeliveryFailed as exc:
        pctx.store.email_failed(pending.id, exc.detail or exc.code)
        return False
    return pctx.store.email_sent(pending.id, pctx.now())


def transmit(pctx: ProcedureCollaborators, session_token: object, dossier_id: object) -> Receipt:
    """Transmit the dossier ("Transmettre ma demande", P5).

    It checks, freezes, draws the reference, writes the summary, the deliveries and the email.

    Idempotent per dossier (P9): calling it again for a transmitted dossier, after a crash, a
    lost answer or from 20 racing requests, returns the one receipt it has. A crash before the
    commit leaves the dossier in progress, as if the call had not been made (blobs written
    meanwhile are unreferenced and collected).

    Raises:
        AnswersIncomplete: the fields and attachments to correct (paths and reasons).
        AttachmentRefused: an attachment can no longer be read or merged.
        DossierNotFound, IllegalTransition (saved: resume it first), ProcedureInProgress.
    """
    account_id, session_hash, email = _signed_in(pctx, session_token)
    record = pctx.store.dossier(account_id, _dossier_id(dossier_id))
    if record is None:
        raise DossierNotFound
    if record.state is DossierState.TRANSMITTED:
        send_confirmation(pctx, record.pk)
        return _receipt(pctx, record)
    if record.state is not DossierState.IN_PROGRESS:
        _refuse(record, "transmit")
    if record.session_hash != session_hash:
        raise _in_progress_error(pctx, record)
    ptype = _type_of(pctx, record)
    result = _findings(pctx, ptype, record)
    if not result.ok:
        raise AnswersIncomplete(count=len(result.problems), problems=result.problems)
    if pctx.blobs is None or pctx.index is None:
        raise BlobStoreNotConfigured
    organisations = chosen_organisations(ptype, record.answers)
    committed = False
    for _ in range(_REFERENCE_DRAWS):
        transmission = _prepare(
            pctx,
            ptype=ptype,
            record=record,
            account_id=account_id,
            email=email,
            organisations=organisations,
        )
        try:
            committed = pctx.store.commit_transmission(
                record.pk, session_hash, record.updated_at, transmission
            )
            break
        except ReferenceTaken:
            continue
    again = _reload(pctx, record)
    if again.state is not DossierState.TRANSMITTED:
        # Changed meanwhile (an edit raced this call): nothing was sent; the caller tries again.
        raise IllegalTransition(state=again.state.value, action="transmit")
    if committed:
        send_confirmation(pctx, again.pk)
    return _receipt(pctx, again)


def _prepare(
    pctx: ProcedureCollaborators,
    *,
    ptype: ProcedureType,
    record: DossierRecord,
    account_id: int,
    email: str,
    organisations: tuple[str, ...],
) -> Transmission:
    """Everything a transmission writes, made before the one transaction that commits it."""
    assert pctx.blobs is not None
    now = pctx.now()
    reference = new_reference(ptype.series)
    main = record.main_document
    summary = build_summary(
        ptype,
        record.answers,
        reference=reference,
        transmitted_at=now,
        attachments=record.attachments,
        main_document=(main.sha256, main.size) if main else None,
    )
    summary_pdf = pctx.renderer.render(summary, created_at=now)
    # Claimed before written, referenced in the transaction that commits the dossier: a crash
    # in between leaves claims nobody holds, which orphan collection removes.
    assert pctx.index is not None
    summary_ref = keep_blob(pctx.index, pctx.blobs, summary_pdf, now)
    dossier_bytes = _merge_dossier(pctx, ptype, record, summary_pdf, reference)
    dossier_ref = keep_blob(pctx.index, pctx.blobs, dossier_bytes, now)
    answers_text = canonical_json(record.answers)
    content = canonical_json(
        {
            "answers": record.answers,
            "attachments": [
                {
                    "slot": a.slot,
                    "document_id": a.document_id,
                    "title": a.title,
                    "category": a.category,
                    "sha256": a.sha256,
                    "size": a.size,
                }
                for a in record.attachments
            ],
            "main_sha256": main.sha256 if main else None,
            "summary_sha256": summary_ref.sha256,
            "dossier_sha256": dossier_ref.sha256,
            "dossier_size": dossier_ref.size,
        }
    )
    content_sha256 = sha256_text(content)
    head = SealedHead(
        dossier_id=record.dossier_id,
        account_id=account_id,
        procedure=record.procedure,
        version=record.version,
        reference=reference,
        transmitted_at=now,
        organisations=organisations,
        content_sha256=content_sha256,
    )
    names = pctx.catalogue.organisations
    confirmation = procedure_emails.procedure_transmitted(
        email,
        procedure=ptype.title,
        reference=reference,
        transmitted_at=now,
        organisations=[names[c].name if c in names else c for c in organisations],
    )
    return Transmission(
        reference=reference,
        transmitted_at=now,
        organisations=organisations,
        answers=answers_text,
        content=content,
        content_sha256=content_sha256,
        seal=seal(head),
        summary_sha256=summary_ref.sha256,
        dossier_pdf=dossier_ref,
        deliveries=tuple((code, f"{reference}/{code}") for code in organisations),
        email=confirmation,
    )


def dossier_pdf(
    pctx: ProcedureCollaborators,
    session_token: object,
    dossier_id: object,
    *,
    summary_only: bool = False,
) -> Iterator[bytes]:
    """Stream a transmitted dossier's PDF (summary + documents), or its summary alone (P5)."""
    account_id, _, _ = _signed_in(pctx, session_token)
    record = pctx.store.dossier(account_id, _dossier_id(dossier_id))
    if record is None:
        raise DossierNotFound
    if record.state is not DossierState.TRANSMITTED or record.dossier_pdf is None:
        raise IllegalTransition(state=record.state.value, action="download")
    if pctx.blobs is None:
        raise BlobStoreNotConfigured
    sha = record.summary_sha256 if summary_only else record.dossier_pdf.sha256
    assert sha is not None
    return _verified_stream(pctx.blobs, sha, record.dossier_id)


def _verified_stream(blobs: BlobStore, sha: str, dossier_id: str) -> Iterator[bytes]:
    digest = hashlib.sha256()
    for chunk in blobs.open(sha):
        digest.update(chunk)
        yield chunk
    if digest.hexdigest() != sha:
        from msp_portal.errors import DossierTampered

        raise DossierTampered(dossier=dossier_id)


# --- partner API: statuses reported by organisations (P8) -----------------------------------------
def report_status(
    pctx: ProcedureCollaborators,
    organisation: object,
    key: object,
    reference: object,
    *,
    status: object,
    message: object = "",
) -> None:
    """An organisation reports how far it is with a dossier it received (P8).

    Authenticated like partner links (L2): the organisation's code and API key, checked against
    the SHA-256 digest in ``PortalSettings.partner_keys``.

    Raises:
        UnknownPartner, PartnerNotAuthorised, InvalidReference, InvalidInput (status, message),
        DeliveryNotFound, IllegalTransition (a status that goes back, or after a final one).
    """
    if not isinstance(organisation, str) or organisation not in pctx.catalogue.organisations:
        raise UnknownPartner(partner=str(organisation)[:64])
    expected = pctx.base.settings.partner_keys.get(organisation)
    given = key.encode("utf-8", "replace") if isinstance(key, str) else b""
    digest = hashlib.sha256(given).hexdigest()
    if expected is None or not given or not hmac.compare_digest(digest, expected.lower()):
        raise PartnerNotAuthorised(partner=organisation)
    canonical = parse_reference(reference) if isinstance(reference, str) else None
    if canonical is None:
        raise InvalidReference
    try:
        reported = OrganisationStatus(status) if isinstance(status, str) else None
    except ValueError:
        reported = None
    if reported is None:
        raise InvalidInput(field="status", reason="unknown-status")
    text = _report_message(message)
    pctx.store.report_status(canonical, organisation, reported, text, pctx.now())


def _report_message(message: object) -> str:
    if not isinstance(message, str):
        raise InvalidInput(field="message", reason="not-a-string")
    if len(message) > _MAX_MESSAGE or len(message) > MAX_STRING:
        raise InvalidInput(field="message", reason="too-long")
    for ch in message:
        if 0xD800 <= ord(ch) <= 0xDFFF or (ord(ch) < 32 and ch not in "\n\t") or ord(ch) == 127:
            raise InvalidInput(field="message", reason="control-characters")
    return message.strip()


def organisation_statuses(
    pctx: ProcedureCollaborators, reference: str, organisation: str
) -> list[tuple[str, str, datetime]]:
    """Every status report received for one delivery (for support staff)."""
    return pctx.store.status_reports(reference, organisation)
