"""Portal: the accounts, wallet and procedures API in one object, wired once with the collaborators.

Every public method checks its text parameters first (:func:`msp_portal.domain.inputs.check_text`):
a non-string, a megabyte string, a lone surrogate or a control character is answered with
:class:`msp_portal.errors.InvalidInput` before any rule, counter or store is reached.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine

from msp_portal.adapters.argon2_hasher import Argon2Hasher
from msp_portal.adapters.blobs.local import LocalBlobStore
from msp_portal.adapters.definitions import shipped_catalogue
from msp_portal.adapters.sms import OutboxSmsGateway
from msp_portal.adapters.sql.blob_index import SqlBlobIndex
from msp_portal.adapters.sql.procedure_store import SqlProcedureStore
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.adapters.sql.wallet_store import SqlWalletStore
from msp_portal.adapters.summary_pdf import FpdfSummaryRenderer
from msp_portal.clock import system_clock
from msp_portal.domain.contact import ContactDetails
from msp_portal.domain.dossiers import (
    CheckResult,
    DossierView,
    Receipt,
    SavedDraft,
    TrackingPage,
)
from msp_portal.domain.hooks import HookRegistry, default_hooks
from msp_portal.domain.inputs import (
    CAPTCHA,
    CLIENT_KEY,
    CODE,
    DOCUMENT_ID,
    DOCUMENT_TITLE,
    DOSSIER_ID,
    DOSSIER_PASSWORD,
    EMAIL,
    FILE_NUMBER,
    IDENTIFIER,
    ORGANISATION,
    PAGE,
    PARTNER_CODE,
    PARTNER_KEY,
    PARTNER_REFERENCE,
    PHONE,
    PROCEDURE,
    SESSION_TOKEN,
    SLOT,
    STATUS,
    STATUS_MESSAGE,
    TOKEN,
    check_text,
    optional_text,
    password_field,
)
from msp_portal.domain.model import AccountView, PartnerLink, Session, SmsChallenge, SmsEnrolment
from msp_portal.domain.partners import Partner
from msp_portal.domain.procedure_types import Catalogue, ProcedureType
from msp_portal.domain.wallet import Category, Upload, WalletDocument, WalletUsage
from msp_portal.errors import InvalidInput
from msp_portal.ports import (
    BlobIndex,
    BlobRef,
    BlobStore,
    Captcha,
    Clock,
    Mailer,
    PasswordHasher,
    ProcedureStore,
    Receiver,
    SmsGateway,
    Store,
    SummaryRenderer,
    Throttle,
    WalletStore,
)
from msp_portal.services import (
    accounts,
    delivery,
    mail,
    partners,
    procedures,
    profile,
    recovery,
    sms_access,
    wallet,
)
from msp_portal.services.blobs import CollectionReport, collect_orphans
from msp_portal.services.context import Collaborators
from msp_portal.services.delivery import DeliveryRun
from msp_portal.services.mail import MailReport
from msp_portal.services.procedures import ProcedureCollaborators, WalletAttachments
from msp_portal.services.wallet import DocumentContent, WalletContext
from msp_portal.services.wallet_export import WalletExport, export_wallet
from msp_portal.settings import PortalSettings


def _engine_of(store: Store) -> Engine:
    """The SQLAlchemy engine of the shipped SQL store, for the wallet's tables beside it."""
    engine = store.engine if isinstance(store, SqlStore) else getattr(store, "engine", None)
    if not isinstance(engine, Engine):
        raise TypeError("pass wallet_store= and blob_index= with a store that is not a SqlStore")
    return engine


class Portal:
    """The citizen accounts (A1-A11, L1-L3), wallet (D4-D6) and procedures (P1-P9) of the portal.

    Each method is a use case from ``msp_portal.services``; errors are :class:`PortalError`
    subclasses (match them by type or ``code``). Session tokens, challenge tokens and link
    tokens are opaque strings handed to the citizen's browser; only their hashes are stored.

    Methods that check a password or send a message take an optional ``client_key``: pass
    what identifies the caller to the web layer (its IP address, or its /64 for IPv6). The
    client's failed password checks, across every identifier, and its message requests are
    then counted, and past ``settings.client_password_failures`` /
    ``settings.client_message_requests`` answered with ``too-many-requests`` (see
    docs/portal.md).

    Args:
        store: Where accounts live: any object with the methods of
            :class:`msp_portal.ports.Store` (:meth:`SqlStore.open` ships one).
        mailer: The mail transport :meth:`deliver_mail` hands queued emails to
            (:class:`msp_portal.adapters.smtp.SmtpMailer` in production).
        captcha: The service's captcha provider (forgot identifier / password).
        clock: Returns aware UTC datetimes; default: the system clock.
        sms: SMS delivery; default: the outbox in ``store`` (drain it with
            :func:`msp_portal.adapters.sms.drain_outbox`).
        hasher: Password hashing; default: argon2id with ``settings.argon2``.
        settings: The rules' numbers; default: the service's.
        throttle: Where per-client budgets are counted; default: ``store``.
        blobs: Where document bytes go (:class:`LocalBlobStore`, :class:`S3BlobStore`);
            default: a LocalBlobStore in ``settings.wallet.blob_directory`` when that is set,
            else none: accounts work, wallet calls raise BlobStoreNotConfigured.
        wallet_store: Wallet metadata; default: the tables of ``store``'s database.
        blob_index: Claims and references of blobs; default: the tables of ``store``'s database.
        receiver: Sends deliveries to organisations (the delivery worker needs it).
        catalogue: The procedure types offered; default: the shipped ones.
        hooks: The named hooks ``catalogue`` was checked against; default: every hook module.
        procedure_store: Where dossiers live; default: the tables of ``store``'s database.
        renderer: Lays dossier summaries out as PDF; default: fpdf2 with DejaVu Sans.
    """

    def __init__(
        self,
        store: Store,
        mailer: Mailer,
        captcha: Captcha,
        *,
        clock: Clock = system_clock,
        sms: SmsGateway | None = None,
        hasher: PasswordHasher | None = None,
        settings: PortalSettings | None = None,
        throttle: Throttle | None = None,
        blobs: BlobStore | None = None,
        wallet_store: WalletStore | None = None,
        blob_index: BlobIndex | None = None,
        receiver: Receiver | None = None,
        catalogue: Catalogue | None = None,
        hooks: HookRegistry | None = None,
        procedure_store: ProcedureStore | None = None,
        renderer: SummaryRenderer | None = None,
    ) -> None:
        settings = settings or PortalSettings()
        gateway: SmsGateway = sms if sms is not None else OutboxSmsGateway(store, clock)
        dossiers = procedure_store or SqlProcedureStore(_engine_of(store))
        self.ctx = Collaborators(
            store=store,
            clock=clock,
            mailer=mailer,
            sms=gateway,
            captcha=captcha,
            hasher=hasher if hasher is not None else Argon2Hasher(settings.argon2),
            settings=settings,
            throttle=throttle if throttle is not None else store,
            procedures=dossiers,
        )
        self._password = password_field(settings.password_max_length)
        if blobs is None and settings.wallet.blob_directory is not None:
            blobs = LocalBlobStore(settings.wallet.blob_directory)
        self.wallet_ctx = WalletContext(
            accounts=self.ctx,
            store=wallet_store if wallet_store is not None else SqlWalletStore(_engine_of(store)),
            index=blob_index if blob_index is not None else SqlBlobIndex(_engine_of(store)),
            blobs=blobs,
        )
        self.pctx = ProcedureCollaborators(
            base=self.ctx,
            store=dossiers,
            catalogue=catalogue or shipped_catalogue(),
            hooks=hooks or default_hooks(),
            renderer=renderer or FpdfSummaryRenderer(),
            blobs=blobs,
            index=self.wallet_ctx.index,
            wallet=WalletAttachments(self.wallet_ctx.store),
            receiver=receiver,
        )

    # --- accounts and sign-in --------------------------------------------------------------------
    def create_account(
        self, identifier: str, email: str, password: str, *, client_key: str | None = None
    ) -> None:
        """Create an account, mail a verification link; see :func:`...accounts.create_account`."""
        accounts.create_account(
            self.ctx,
            check_text(identifier, IDENTIFIER),
            check_text(email, EMAIL),
            check_text(password, self._password),
            client_key=optional_text(client_key, CLIENT_KEY),
        )

    def verify_email(self, session_token: str, token: str) -> str:
        """Open the verification link while signed in; returns the verified address."""
        return accounts.verify_email(
            self.ctx, check_text(session_token, SESSION_TOKEN), check_text(token, TOKEN)
        )

    def resend_verification(self, session_token: str, *, client_key: str | None = None) -> bool:
        """Mail a new verification link; False when the address is verified already."""
        return accounts.resend_verification(
            self.ctx,
            check_text(session_token, SESSION_TOKEN),
            client_key=optional_text(client_key, CLIENT_KEY),
        )

    def sign_in(
        self, identifier: str, password: str, *, client_key: str | None = None
    ) -> Session | SmsChallenge:
        """Sign in; see :func:`msp_portal.services.accounts.sign_in`."""
        return accounts.sign_in(
            self.ctx,
            check_text(identifier, IDENTIFIER),
            check_text(password, self._password),
            client_key=optional_text(client_key, CLIENT_KEY),
        )

    def complete_sign_in(self, challenge_token: str, code: str) -> Session:
        """Finish a sign-in with the SMS code; see :func:`...accounts.complete_sign_in`."""
        return accounts.complete_sign_in(
            self.ctx, check_text(challenge_token, TOKEN, "challenge_token"), check_text(code, CODE)
        )

    def authenticate(self, session_token: str) -> str:
        """The identifier behind a live session, which is marked used now."""
        return accounts.authenticate(self.ctx, check_text(session_token, SESSION_TOKEN))

    def sign_out(self, session_token: str) -> None:
        """End a session."""
        accounts.sign_out(self.ctx, check_text(session_token, SESSION_TOKEN))

    # --- recovery --------------------------------------------------------------------------------
    def forgot_identifier(
        self, email: str, captcha_response: str, *, client_key: str | None = None
    ) -> None:
        """Ask for the identifiers attached to an address (A3); the worker mails them."""
        recovery.forgot_identifier(
            self.ctx,
            check_text(email, EMAIL),
            check_text(captcha_response, CAPTCHA),
            client_key=optional_text(client_key, CLIENT_KEY),
        )

    def forgot_password(
        self, identifier: str, captcha_response: str, *, client_key: str | None = None
    ) -> None:
        """Ask for a reset link (A4), or a "locked until" notice to the owner (A5)."""
        recovery.forgot_password(
            self.ctx,
            check_text(identifier, IDENTIFIER),
            check_text(captcha_response, CAPTCHA),
            client_key=optional_text(client_key, CLIENT_KEY),
        )

    def reset_password(self, token: str, new_password: str) -> None:
        """Choose a new password from a reset link."""
        recovery.reset_password(
            self.ctx,
            check_text(token, TOKEN),
            check_text(new_password, self._password, "new_password"),
        )

    # --- mail and outboxes (the worker's side) ---------------------------------------------------
    def deliver_mail(self, *, limit: int = 100) -> MailReport:
        """One pass of the mail worker: resolve recovery requests, hand queued emails over."""
        return mail.deliver_mail(self.ctx, limit=limit)

    def purge_outboxes(self) -> int:
        """Delete queued SMS and emails older than ``settings.outbox_retention``."""
        return mail.purge_outboxes(self.ctx)

    # --- SMS access ------------------------------------------------------------------------------
    def start_sms_enrolment(
        self, session_token: str, password: str, phone: str, *, client_key: str | None = None
    ) -> SmsEnrolment:
        """Enable SMS access, step 1: password, then a code to ``phone``."""
        return sms_access.start_sms_enrolment(
            self.ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(password, self._password),
            check_text(phone, PHONE),
            client_key=optional_text(client_key, CLIENT_KEY),
        )

    def confirm_sms_enrolment(self, session_token: str, enrolment_token: str, code: str) -> str:
        """Enable SMS access, step 2: returns the unlock code, to show once."""
        return sms_access.confirm_sms_enrolment(
            self.ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(enrolment_token, TOKEN, "enrolment_token"),
            check_text(code, CODE),
        )

    def phone_changed(
        self, identifier: str, password: str, unlock_code: str, *, client_key: str | None = None
    ) -> None:
        """Phone number changed: remove SMS access with the unlock code (A6)."""
        sms_access.phone_changed(
            self.ctx,
            check_text(identifier, IDENTIFIER),
            check_text(password, self._password),
            check_text(unlock_code, CODE, "unlock_code"),
            client_key=optional_text(client_key, CLIENT_KEY),
        )

    # --- profile ---------------------------------------------------------------------------------
    def view_account(self, session_token: str) -> AccountView:
        """The signed-in holder's account and contact details."""
        return profile.view_account(self.ctx, check_text(session_token, SESSION_TOKEN))

    def update_contact_details(self, session_token: str, details: ContactDetails) -> ContactDetails:
        """Replace the contact details kept for prefilling."""
        if not isinstance(details, ContactDetails):
            raise InvalidInput(field="details", reason="not-contact-details")
        return profile.update_contact_details(
            self.ctx, check_text(session_token, SESSION_TOKEN), details
        )

    def request_email_change(
        self, session_token: str, password: str, new_email: str, *, client_key: str | None = None
    ) -> None:
        """Change the email: a confirmation link goes to the new address, a notice to the old."""
        profile.request_email_change(
            self.ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(password, self._password),
            check_text(new_email, EMAIL, "new_email"),
            client_key=optional_text(client_key, CLIENT_KEY),
        )

    def confirm_email_change(self, token: str) -> str:
        """Open the confirmation link; the old address is notified. Returns the new one."""
        return profile.confirm_email_change(self.ctx, check_text(token, TOKEN))

    def change_password(
        self,
        session_token: str,
        current_password: str,
        new_password: str,
        *,
        client_key: str | None = None,
    ) -> None:
        """Change the password; other sessions end, pending emailed links are voided."""
        profile.change_password(
            self.ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(current_password, self._password, "current_password"),
            check_text(new_password, self._password, "new_password"),
            client_key=optional_text(client_key, CLIENT_KEY),
        )

    def delete_account(
        self, session_token: str, password: str, *, client_key: str | None = None
    ) -> None:
        """Delete the account and its personal data; every session ends."""
        session_token = check_text(session_token, SESSION_TOKEN)
        password = check_text(password, self._password)
        client_key = optional_text(client_key, CLIENT_KEY)
        account_id = wallet.signed_in(self.wallet_ctx, session_token).id
        profile.delete_account(self.ctx, session_token, password, client_key=client_key)
        # The wallet's documents go too (their bytes at the next orphan collection, unless a
        # transmitted procedure holds them); if this step is interrupted, orphan collection
        # finishes it.
        self.wallet_ctx.store.delete_account_documents(account_id)

    # --- partner links ---------------------------------------------------------------------------
    @staticmethod
    def partner_directory() -> tuple[Partner, ...]:
        """The partner organisations and their contact details (L3)."""
        return partners.directory()

    def partner_links(self, session_token: str) -> list[PartnerLink]:
        """The signed-in account's links with partner organisations."""
        return partners.list_links(self.ctx, check_text(session_token, SESSION_TOKEN))

    def create_partner_link(self, session_token: str, partner_code: str) -> None:
        """Always refused (L1)."""
        partners.create_link(
            self.ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(partner_code, PARTNER_CODE),
        )

    def delete_partner_link(self, session_token: str, partner_code: str) -> None:
        """Always refused (L2): links are deleted from the partner's site."""
        partners.holder_delete_link(
            self.ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(partner_code, PARTNER_CODE),
        )

    def partner_delete_link(self, partner_code: str, partner_key: str, reference: str) -> None:
        """Partner-side call: the partner deletes its link with its API key."""
        partners.partner_delete_link(
            self.ctx,
            check_text(partner_code, PARTNER_CODE),
            check_text(partner_key, PARTNER_KEY),
            check_text(reference, PARTNER_REFERENCE),
        )

    # --- wallet ("porte-documents", D4-D6) -------------------------------------------------------
    def add_document(
        self,
        session_token: str,
        uploads: Sequence[Upload],
        *,
        title: str,
        category: Category | str,
    ) -> WalletDocument:
        """Merge 1-4 uploads into one PDF kept in the wallet; see :func:`...wallet.add_document`."""
        return wallet.add_document(
            self.wallet_ctx,
            check_text(session_token, SESSION_TOKEN),
            uploads,
            title=title,
            category=category,
        )

    def documents(self, session_token: str) -> list[WalletDocument]:
        """The wallet's documents, newest first."""
        return wallet.list_documents(self.wallet_ctx, check_text(session_token, SESSION_TOKEN))

    def wallet_usage(self, session_token: str) -> WalletUsage:
        """Documents and bytes held, with the quota."""
        return wallet.usage(self.wallet_ctx, check_text(session_token, SESSION_TOKEN))

    def document(self, session_token: str, document_id: str) -> WalletDocument:
        """One document's metadata (title, category, size, sha256, msp_docs summary)."""
        return wallet.get_document(
            self.wallet_ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(document_id, DOCUMENT_ID),
        )

    def download_document(self, session_token: str, document_id: str) -> DocumentContent:
        """A document's metadata and its PDF bytes as a checked stream."""
        return wallet.document_content(
            self.wallet_ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(document_id, DOCUMENT_ID),
        )

    def rename_document(self, session_token: str, document_id: str, title: str) -> WalletDocument:
        """Change a document's title (its bytes never change)."""
        return wallet.rename_document(
            self.wallet_ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(document_id, DOCUMENT_ID),
            check_text(title, DOCUMENT_TITLE),
        )

    def recategorise_document(
        self, session_token: str, document_id: str, category: Category | str
    ) -> WalletDocument:
        """Move a document to another category."""
        return wallet.recategorise_document(
            self.wallet_ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(document_id, DOCUMENT_ID),
            category,
        )

    def delete_document(self, session_token: str, document_id: str) -> None:
        """Delete a document (what a transmitted procedure sent with it is kept)."""
        wallet.delete_document(
            self.wallet_ctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(document_id, DOCUMENT_ID),
        )

    def export_wallet(self, session_token: str) -> WalletExport:
        """The whole wallet as one streamed ZIP with a JSON manifest (D6)."""
        return export_wallet(self.wallet_ctx, check_text(session_token, SESSION_TOKEN))

    def collect_orphans(self) -> CollectionReport:
        """Operator job: remove blobs nothing holds (older than ``wallet.orphan_grace``)."""
        ctx = self.wallet_ctx
        return collect_orphans(
            ctx.store,
            ctx.index,
            ctx.blob_store(),
            now=self.ctx.now(),
            grace=ctx.settings.orphan_grace,
        )

    # --- online procedures (P1-P9) ---------------------------------------------------------------
    def procedure_types(self) -> tuple[ProcedureType, ...]:
        """The procedure types offered, in the catalogue's order."""
        return tuple(self.pctx.catalogue.types.values())

    def start_procedure(self, session_token: str, procedure: str) -> DossierView:
        """Start a procedure, prefilled from the profile; see :func:`...procedures.start`."""
        return procedures.start(
            self.pctx, check_text(session_token, SESSION_TOKEN), check_text(procedure, PROCEDURE)
        )

    def update_answers(
        self, session_token: str, dossier_id: str, answers: Mapping[str, Any]
    ) -> DossierView:
        """Replace the answers of the dossier in progress (JSON shape, checked for shape)."""
        return procedures.update_answers(
            self.pctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(dossier_id, DOSSIER_ID),
            answers,
        )

    def check_procedure(self, session_token: str, dossier_id: str) -> CheckResult:
        """What still blocks transmission, and what is proposed."""
        return procedures.check(
            self.pctx, check_text(session_token, SESSION_TOKEN), check_text(dossier_id, DOSSIER_ID)
        )

    def attach_document(
        self, session_token: str, dossier_id: str, slot: str, document_id: str
    ) -> DossierView:
        """Attach a wallet document to an attachment place of the dossier in progress."""
        return procedures.attach_document(
            self.pctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(dossier_id, DOSSIER_ID),
            check_text(slot, SLOT),
            check_text(document_id, DOCUMENT_ID),
        )

    def detach_document(
        self, session_token: str, dossier_id: str, slot: str, document_id: str
    ) -> DossierView:
        """Remove a document from an attachment place (the wallet keeps it)."""
        return procedures.detach_document(
            self.pctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(dossier_id, DOSSIER_ID),
            check_text(slot, SLOT),
            check_text(document_id, DOCUMENT_ID),
        )

    def set_main_document(self, session_token: str, dossier_id: str, main: BlobRef) -> DossierView:
        """Set the main PDF of a dossier whose type has one (a filled CERFA form)."""
        return procedures.set_main_document(
            self.pctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(dossier_id, DOSSIER_ID),
            main,
        )

    def save_procedure(self, session_token: str, dossier_id: str) -> SavedDraft:
        """Save as a draft (P1-P3): file number, password and resume link, by email too."""
        return procedures.save(
            self.pctx, check_text(session_token, SESSION_TOKEN), check_text(dossier_id, DOSSIER_ID)
        )

    def resume_procedure(
        self,
        session_token: str,
        dossier_id: str,
        *,
        file_number: str | None = None,
        password: str | None = None,
    ) -> DossierView:
        """Resume a saved draft from its link (P2); the saved answers come back exactly."""
        return procedures.resume(
            self.pctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(dossier_id, DOSSIER_ID),
            file_number=optional_text(file_number, FILE_NUMBER),
            password=optional_text(password, DOSSIER_PASSWORD),
        )

    def abandon_procedure(self, session_token: str, dossier_id: str) -> None:
        """Abandon a dossier in progress or a saved draft (a transmitted one cannot be, P7)."""
        procedures.abandon(
            self.pctx, check_text(session_token, SESSION_TOKEN), check_text(dossier_id, DOSSIER_ID)
        )

    def view_dossier(self, session_token: str, dossier_id: str) -> DossierView:
        """A dossier of the signed-in account, in any state."""
        return procedures.view(
            self.pctx, check_text(session_token, SESSION_TOKEN), check_text(dossier_id, DOSSIER_ID)
        )

    def transmit_procedure(self, session_token: str, dossier_id: str) -> Receipt:
        """Transmit the dossier ("Transmettre ma demande", P5-P8); idempotent (P9)."""
        return procedures.transmit(
            self.pctx, check_text(session_token, SESSION_TOKEN), check_text(dossier_id, DOSSIER_ID)
        )

    def dossier_pdf(
        self, session_token: str, dossier_id: str, *, summary_only: bool = False
    ) -> Iterator[bytes]:
        """Stream a transmitted dossier's PDF, or its summary alone."""
        return procedures.dossier_pdf(
            self.pctx,
            check_text(session_token, SESSION_TOKEN),
            check_text(dossier_id, DOSSIER_ID),
            summary_only=summary_only,
        )

    def my_tracking(
        self, session_token: str, *, page_size: int = 50, page: str | None = None
    ) -> TrackingPage:
        """Mon suivi, newest first, a page at a time (pass ``next_page`` as ``page``).

        Drafts with their link; transmitted dossiers with their deliveries and statuses.
        """
        return procedures.tracking(
            self.pctx,
            check_text(session_token, SESSION_TOKEN),
            page_size=page_size,
            page=optional_text(page, PAGE),
        )

    def report_status(
        self, organisation: str, key: str, reference: str, status: str, message: str = ""
    ) -> None:
        """Partner-side call: a receiving organisation reports a dossier's status (P8)."""
        procedures.report_status(
            self.pctx,
            check_text(organisation, ORGANISATION),
            check_text(key, PARTNER_KEY, "key"),
            check_text(reference, PARTNER_REFERENCE),
            status=check_text(status, STATUS),
            message=check_text(message, STATUS_MESSAGE),
        )

    def deliver_pending(self, *, limit: int | None = None) -> DeliveryRun:
        """Worker: send due deliveries and waiting confirmation emails (one pass)."""
        return delivery.deliver_due(self.pctx, limit=limit)

    def requeue_failed_deliveries(self, organisation: str | None = None) -> int:
        """Operator: failed deliveries become due again; how many."""
        return delivery.requeue_failed(self.pctx, optional_text(organisation, ORGANISATION))

    def purge_expired_procedures(self) -> int:
        """Operator: delete drafts past their 15 days and abandoned procedures; how many."""
        return procedures.purge_expired(self.pctx)
