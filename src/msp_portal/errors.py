"""The error tree of msp_portal: every failure a caller can see, with stable codes.

::

    PortalError                               portal-error
    ├── AuthenticationFailed
    │   ├── InvalidCredentials                invalid-credentials
    │   ├── AccountLocked                     account-locked        (until)
    │   ├── SmsCodeInvalid                    sms-code-invalid      (remaining)
    │   │   └── SmsCodeMalformed              sms-code-malformed    (remaining, digits)
    │   ├── SmsChallengeInvalid               sms-challenge-invalid
    │   ├── SessionInvalid                    session-invalid
    │   ├── ResumeCredentialsInvalid          resume-credentials-invalid (remaining)
    │   └── DossierLocked                     dossier-locked        (until)
    ├── InvalidInput                          invalid-input         (field, reason)
    │   ├── InvalidIdentifier                 invalid-identifier    (reason)
    │   ├── InvalidEmail                      invalid-email
    │   ├── InvalidPhone                      invalid-phone         (reason)
    │   ├── InvalidContactDetails             invalid-contact-details (field)
    │   ├── InvalidDocumentTitle              invalid-document-title (reason, maximum)
    │   ├── InvalidUploadName                 invalid-upload-name   (index, reason, maximum)
    │   ├── InvalidUpload                     invalid-upload        (index, reason, maximum)
    │   ├── InvalidCategory                   invalid-category      (allowed)
    │   ├── AnswersMalformed                  answers-malformed     (path, reason)
    │   ├── AnswersIncomplete                 answers-incomplete    (count, problems)
    │   ├── InvalidReference                  invalid-reference
    │   ├── PasswordRejected
    │   │   ├── PasswordTooShort              password-too-short    (length, minimum)
    │   │   ├── PasswordTooLong               password-too-long     (length, maximum)
    │   │   ├── PasswordTooCommon             password-too-common
    │   │   └── PasswordContainsIdentifier    password-contains-identifier
    │   └── ChangeOfAddressError              (change of address, rules C1-C4)
    │       ├── InvalidDate                   invalid-date          (field, reason)
    │       ├── MoveDateOutOfWindow           move-date-out-of-window (move_date, reason,
    │       │                                                         earliest, latest)
    │       ├── InvalidAddress                invalid-address       (field, reason, ...)
    │       ├── InvalidContractNumber         invalid-contract-number (organisation, kind,
    │       │                                                         reason)
    │       └── UnknownOrganisation           unknown-organisation  (organisation)
    ├── IdentifierTaken                       identifier-taken
    ├── CaptchaFailed                         captcha-failed
    ├── LinkInvalid                           link-invalid
    ├── SmsAccessAlreadyEnabled               sms-already-enabled
    ├── SmsAccessNotEnabled                   sms-not-enabled
    ├── SendLimitReached                      send-limit-reached    (channel, until)
    ├── TooManyRequests                       too-many-requests     (until)
    ├── PartnerLinkError
    │   ├── PartnerLinkCreationClosed         partner-link-creation-closed
    │   ├── PartnerLinkDeletedAtPartner       partner-link-deleted-at-partner (partner)
    │   ├── UnknownPartner                    unknown-partner       (partner)
    │   ├── PartnerNotAuthorised              partner-not-authorised
    │   └── PartnerLinkNotFound               partner-link-not-found
    ├── DocumentRefused                       document-refused      (docs_code, docs_exit_code,
    │   │                                       input_name, input_index, message_en, message_fr)
    │   ├── UploadLimitExceeded               upload-limit-exceeded
    │   ├── UploadUnsupported                 upload-unsupported
    │   ├── UploadDamaged                     upload-damaged
    │   ├── UploadPasswordProtected           upload-password-protected
    │   ├── UploadUnsafe                      upload-unsafe
    │   └── UploadUnreadable                  upload-unreadable
    ├── DocumentNotFound                      document-not-found
    ├── WalletQuotaExceeded                   wallet-quota-exceeded
    │   ├── WalletFull                        wallet-full           (limit)
    │   └── WalletTooLarge                    wallet-too-large      (used, adding, limit, *_mb)
    ├── ProcedureError
    │   ├── UnknownProcedure                  unknown-procedure     (procedure)
    │   ├── ProcedureInProgress               procedure-in-progress (procedure, title, dossier)
    │   ├── DossierNotFound                   dossier-not-found
    │   ├── IllegalTransition                 illegal-transition    (state, action)
    │   │   └── DossierFrozen                 dossier-frozen        (reference)
    │   ├── DraftExpired                      draft-expired         (expired_at)
    │   ├── AttachmentRefused                 attachment-refused    (slot, reason)
    │   ├── DeliveryNotFound                  delivery-not-found
    │   └── DefinitionInvalid                 definition-invalid    (source, path, reason)
    ├── DeliveryFailed                        delivery-failed       (channel, reason)
    └── StorageError                          storage-error         (reason)
        ├── SchemaTooNew                      schema-too-new        (found, supported)
        ├── DossierTampered                   dossier-tampered      (dossier)
        ├── BlobStoreNotConfigured            blob-store-not-configured
        ├── BlobMissing                       blob-missing          (sha256)
        └── BlobCorrupt                       blob-corrupt          (sha256, reason)

The codes and the names of the facts are a public interface: services render their own wording
from ``error.code`` and ``error.facts``; :meth:`PortalError.message` renders ours (English or
French). Errors are matched by type or code, never by message text.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AccountLocked",
    "AnswersIncomplete",
    "AnswersMalformed",
    "AttachmentRefused",
    "AuthenticationFailed",
    "BlobCorrupt",
    "BlobMissing",
    "BlobStoreNotConfigured",
    "CaptchaFailed",
    "ChangeOfAddressError",
    "DefinitionInvalid",
    "DeliveryFailed",
    "DeliveryNotFound",
    "DocumentNotFound",
    "DocumentRefused",
    "DossierFrozen",
    "DossierLocked",
    "DossierNotFound",
    "DossierTampered",
    "DraftExpired",
    "IdentifierTaken",
    "IllegalTransition",
    "InvalidAddress",
    "InvalidCategory",
    "InvalidContactDetails",
    "InvalidContractNumber",
    "InvalidCredentials",
    "InvalidDate",
    "InvalidDocumentTitle",
    "InvalidEmail",
    "InvalidIdentifier",
    "InvalidInput",
    "InvalidPhone",
    "InvalidReference",
    "InvalidUpload",
    "InvalidUploadName",
    "LinkInvalid",
    "MoveDateOutOfWindow",
    "PartnerLinkCreationClosed",
    "PartnerLinkDeletedAtPartner",
    "PartnerLinkError",
    "PartnerLinkNotFound",
    "PartnerNotAuthorised",
    "PasswordContainsIdentifier",
    "PasswordRejected",
    "PasswordTooCommon",
    "PasswordTooLong",
    "PasswordTooShort",
    "PortalError",
    "ProcedureError",
    "ProcedureInProgress",
    "ResumeCredentialsInvalid",
    "SchemaTooNew",
    "SendLimitReached",
    "SessionInvalid",
    "SmsAccessAlreadyEnabled",
    "SmsAccessNotEnabled",
    "SmsChallengeInvalid",
    "SmsCodeInvalid",
    "SmsCodeMalformed",
    "StorageError",
    "TooManyRequests",
    "UnknownOrganisation",
    "UnknownPartner",
    "UnknownProcedure",
    "UploadDamaged",
    "UploadLimitExceeded",
    "UploadPasswordProtected",
    "UploadUnreadable",
    "UploadUnsafe",
    "UploadUnsupported",
    "WalletFull",
    "WalletQuotaExceeded",
    "WalletTooLarge",
    "error_classes",
]


class PortalError(Exception):
    """Root of every error msp_portal raises.

    Attributes:
        code: Stable machine-readable code (class attribute), e.g. ``"account-locked"``.
        facts: The values needed to render a message (a deadline, a limit, a field name...).
        detail: Optional diagnostic text for logs; never shown to citizens.
    """

    code: ClassVar[str] = "portal-error"

    def __init__(self, detail: str | None = None, **facts: Any) -> None:
        self.detail = detail
        self.facts: dict[str, Any] = dict(facts)
        super().__init__(self.message())

    def message(self, lang: str = "en") -> str:
        """Render the message (what is wrong and what to do) in ``lang`` ("en" or "fr")."""
        from msp_portal._messages import render_error

        return render_error(self, lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """Return a JSON-serialisable description: code, facts, message."""
        return {
            "code": self.code,
            "facts": {
                k: v if isinstance(v, str | int | float | bool) else str(v)
                for k, v in self.facts.items()
            },
            "message": self.message(lang),
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (worker pools): keep every field.
        return (_rebuild, (type(self), self.detail, self.facts))


def _rebuild(cls: type[PortalError], detail: str | None, facts: dict[str, Any]) -> PortalError:
    return cls(detail, **facts)


# --- authentication ------------------------------------------------------------------------------
class AuthenticationFailed(PortalError):
    """A sign-in step, or a step that needs the password, did not succeed."""

    code = "authentication-failed"


class InvalidCredentials(AuthenticationFailed):
    """Wrong identifier or password (the two are never told apart)."""

    code = "invalid-credentials"


class AccountLocked(AuthenticationFailed):
    """Too many consecutive failures; facts: ``until`` (aware UTC datetime of the unlock)."""

    code = "account-locked"


class SmsCodeInvalid(AuthenticationFailed):
    """The SMS code is wrong; facts: ``remaining`` (entries left for this code)."""

    code = "sms-code-invalid"


class SmsCodeMalformed(SmsCodeInvalid):
    """What was typed is not a code (six digits); no entry was counted.

    Facts: ``remaining`` (entries left for this code), ``digits`` (6).
    """

    code = "sms-code-malformed"


class SmsChallengeInvalid(AuthenticationFailed):
    """The SMS code can no longer be used (expired, used, too many wrong entries, unknown)."""

    code = "sms-challenge-invalid"


class SessionInvalid(AuthenticationFailed):
    """The session is unknown, signed out, idle too long or past its absolute lifetime."""

    code = "session-invalid"


class ResumeCredentialsInvalid(AuthenticationFailed):
    """The file number or the password of a saved procedure is wrong (never told apart)."""

    code = "resume-credentials-invalid"


class DossierLocked(AuthenticationFailed):
    """Too many wrong file numbers or passwords for this saved procedure; facts: ``until``."""

    code = "dossier-locked"


# --- input ---------------------------------------------------------------------------------------
class InvalidInput(PortalError):
    """A value given by the user does not meet the rules.

    Raised as such at the API boundary (facts: ``field``, and ``reason``: ``not-text``,
    ``too-long`` with ``maximum``, ``unencodable``, ``control-characters``); its subclasses say
    which rule a well-formed value breaks.
    """

    code = "invalid-input"


class InvalidIdentifier(InvalidInput):
    """The identifier chosen is not acceptable; facts: ``reason``, ``minimum``, ``maximum``."""

    code = "invalid-identifier"


class InvalidEmail(InvalidInput):
    """Not an email address."""

    code = "invalid-email"


class InvalidPhone(InvalidInput):
    """Not a mobile phone number that can receive SMS; facts: ``reason``.

    ``reason`` is ``invalid`` (no such number), ``not-mobile`` or ``region`` (a region the
    service does not send SMS to).
    """

    code = "invalid-phone"


class InvalidContactDetails(InvalidInput):
    """A contact detail is not acceptable; facts: ``field``, ``reason``."""

    code = "invalid-contact-details"


class InvalidDocumentTitle(InvalidInput):
    """A wallet document's title is not acceptable; facts: ``reason``, ``maximum``.

    ``reason`` is ``empty``, ``too-long``, ``control-characters`` or ``not-text``.
    """

    code = "invalid-document-title"


class InvalidUploadName(InvalidInput):
    """An upload's display name is refused; facts: ``index`` (from 1), ``reason``, ``maximum``.

    ``reason`` is ``too-long``, ``control-characters`` or ``not-text``.
    """

    code = "invalid-upload-name"


class InvalidUpload(InvalidInput):
    """The uploads given are not files; facts: ``index`` (from 1), ``reason``, ``maximum``.

    ``reason`` is ``none`` (no upload at all), ``not-a-list`` or ``not-a-file`` (a value that
    is neither bytes, a binary stream nor a path).
    """

    code = "invalid-upload"


class InvalidCategory(InvalidInput):
    """Not one of the wallet's categories; facts: ``allowed`` (the codes, comma-separated)."""

    code = "invalid-category"


class AnswersMalformed(InvalidInput):
    """Answers that no form can send (wrong type, unknown field, control characters, too long).

    Facts: ``path`` (where, e.g. ``fields.birth_date``), ``reason`` (a stable word).
    """

    code = "answers-malformed"


class AnswersIncomplete(InvalidInput):
    """The answers cannot be transmitted yet; facts: ``count``, ``problems``.

    ``problems`` is a tuple of ``(path, reason)`` pairs, one per field to correct (``reason`` is
    a stable word such as ``required``, ``too-long``, ``date-format``, or a hook's own word).
    """

    code = "answers-incomplete"

    @property
    def problems(self) -> tuple[tuple[str, str], ...]:
        """The fields to correct, as ``(path, reason)`` pairs."""
        return tuple(self.facts.get("problems", ()))


class InvalidReference(InvalidInput):
    """Not a dossier reference (``A-1-...``/``A-2-...``), or one with a mistyped character."""

    code = "invalid-reference"


class PasswordRejected(InvalidInput):
    """The new password does not meet the password policy."""

    code = "password-rejected"


class PasswordTooShort(PasswordRejected):
    """Fewer characters than the policy's minimum; facts: ``length``, ``minimum``."""

    code = "password-too-short"


class PasswordTooLong(PasswordRejected):
    """More characters than the policy's maximum; facts: ``length``, ``maximum``."""

    code = "password-too-long"


class PasswordTooCommon(PasswordRejected):
    """A common or breached password, or one built from one."""

    code = "password-too-common"


class PasswordContainsIdentifier(PasswordRejected):
    """The password contains the account's identifier."""

    code = "password-contains-identifier"


# --- account state -------------------------------------------------------------------------------
class IdentifierTaken(PortalError):
    """Another account has (or had) this identifier; identifiers are never reused."""

    code = "identifier-taken"


class CaptchaFailed(PortalError):
    """The captcha was not solved."""

    code = "captcha-failed"


class LinkInvalid(PortalError):
    """An emailed link is unknown, already used, expired, or voided by a later change."""

    code = "link-invalid"


class SmsAccessAlreadyEnabled(PortalError):
    """SMS access is already enabled on this account."""

    code = "sms-already-enabled"


class SmsAccessNotEnabled(PortalError):
    """The account has no SMS access to remove."""

    code = "sms-not-enabled"


# --- limits --------------------------------------------------------------------------------------
class SendLimitReached(PortalError):
    """Too many messages for this account or destination lately; facts: ``channel``, ``until``.

    ``channel`` is ``sms`` or ``email``; ``until`` (aware UTC datetime) is when one can be sent
    again.
    """

    code = "send-limit-reached"


class TooManyRequests(PortalError):
    """Too many attempts from this client (its key, e.g. its IP); facts: ``until``.

    Nothing was checked or sent; ``until`` (aware UTC datetime) is when to try again.
    """

    code = "too-many-requests"


# --- partner links -------------------------------------------------------------------------------
class PartnerLinkError(PortalError):
    """A request about links with partner organisations that cannot be met."""

    code = "partner-link-error"


class PartnerLinkCreationClosed(PartnerLinkError):
    """Creating a link is no longer possible (rule L1)."""

    code = "partner-link-creation-closed"


class PartnerLinkDeletedAtPartner(PartnerLinkError):
    """Links are deleted from the partner's site only (rule L2); facts: ``partner``."""

    code = "partner-link-deleted-at-partner"


class UnknownPartner(PartnerLinkError):
    """No partner has this code; facts: ``partner``."""

    code = "unknown-partner"


class PartnerNotAuthorised(PartnerLinkError):
    """The partner-side call did not carry the partner's valid key."""

    code = "partner-not-authorised"


class PartnerLinkNotFound(PartnerLinkError):
    """The partner has no link with this reference."""

    code = "partner-link-not-found"


# --- wallet --------------------------------------------------------------------------------------
class DocumentRefused(PortalError):
    """msp_docs refused the uploads; nothing was stored.

    Facts: ``docs_code`` and ``docs_exit_code`` (msp_docs' error code and exit code, see
    ``msp_docs.errors``), ``input_name`` and ``input_index`` (from 1) of the upload concerned
    when there is one, ``message_en`` and ``message_fr`` (msp_docs' own message, which names
    the file and says what to do), ``docs_facts`` (msp_docs' facts as JSON-safe values).
    The subclass tells the family of the refusal.
    """

    code = "document-refused"


class UploadLimitExceeded(DocumentRefused):
    """Too many files, too many bytes, too many pages or pixels (msp_docs exit code 3)."""

    code = "upload-limit-exceeded"


class UploadUnsupported(DocumentRefused):
    """Not a PDF, PNG, GIF or JPEG, or an unsupported variant (msp_docs exit code 4)."""

    code = "upload-unsupported"


class UploadDamaged(DocumentRefused):
    """A damaged or truncated file (msp_docs exit code 5)."""

    code = "upload-damaged"


class UploadPasswordProtected(DocumentRefused):
    """A PDF that needs a password (msp_docs exit code 6)."""

    code = "upload-password-protected"


class UploadUnsafe(DocumentRefused):
    """A file refused as unsafe: decompression bomb, active content... (msp_docs exit code 7)."""

    code = "upload-unsafe"


class UploadUnreadable(DocumentRefused):
    """An upload could not be read (msp_docs exit code 8)."""

    code = "upload-unreadable"


class DocumentNotFound(PortalError):
    """The account's wallet has no document with this id (deleted, or another account's)."""

    code = "document-not-found"


class WalletQuotaExceeded(PortalError):
    """The wallet cannot take this document: the account's quota would be passed."""

    code = "wallet-quota-exceeded"


class WalletFull(WalletQuotaExceeded):
    """The wallet already holds its maximum number of documents; facts: ``limit``."""

    code = "wallet-full"


class WalletTooLarge(WalletQuotaExceeded):
    """The document would take the wallet past its byte quota.

    Facts: ``used``, ``adding``, ``limit`` (bytes) and ``used_mb``, ``adding_mb``, ``limit_mb``
    (the same in megabytes, one decimal, for messages).
    """

    code = "wallet-too-large"


# --- procedures -----------------------------------------------------------------------------------
class ProcedureError(PortalError):
    """A request about an online procedure ("démarche") that cannot be met."""

    code = "procedure-error"


class UnknownProcedure(ProcedureError):
    """No procedure type has this identifier; facts: ``procedure``."""

    code = "unknown-procedure"


class ProcedureInProgress(ProcedureError):
    """Another procedure is in progress on this account (P4).

    Facts: ``procedure``, ``title``, ``dossier`` (the one in progress: type, title, dossier id).
    """

    code = "procedure-in-progress"


class DossierNotFound(ProcedureError):
    """No dossier with this id (or reference) belongs to the signed-in account."""

    code = "dossier-not-found"


class IllegalTransition(ProcedureError):
    """The dossier cannot do this in its current state; facts: ``state``, ``action``."""

    code = "illegal-transition"


class DossierFrozen(IllegalTransition):
    """A transmitted dossier can be neither cancelled nor modified (P7); facts: ``reference``."""

    code = "dossier-frozen"


class DraftExpired(ProcedureError):
    """The saved procedure's link is past its 15 days (P3); facts: ``expired_at``."""

    code = "draft-expired"


class AttachmentRefused(ProcedureError):
    """A document cannot be attached there; facts: ``slot``, ``reason``."""

    code = "attachment-refused"


class DeliveryNotFound(ProcedureError):
    """The reporting organisation was not sent a dossier with this reference."""

    code = "delivery-not-found"


class DefinitionInvalid(ProcedureError):
    """A procedure type's definition is wrong; facts: ``source``, ``path``, ``reason``."""

    code = "definition-invalid"


# --- infrastructure ------------------------------------------------------------------------------
class DeliveryFailed(PortalError):
    """An email or SMS could not be handed over; facts: ``channel``, ``reason``."""

    code = "delivery-failed"


class StorageError(PortalError):
    """The database could not be used; facts: ``reason``."""

    code = "storage-error"


class SchemaTooNew(StorageError):
    """The database schema is newer than this code; facts: ``found``, ``supported``."""

    code = "schema-too-new"


# --- change of address (issue 9: rules C1-C4) ---------------------------------------------------
# Raised by the pure checks of msp_portal.domain.{dates,move_date,address,contracts}; the checks
# named check_* return them (not raised) so that a procedure can report every field at once.
class ChangeOfAddressError(InvalidInput):
    """A value of a change-of-address declaration does not meet rules C1-C4."""

    code = "change-of-address-error"


class InvalidDate(ChangeOfAddressError):
    """A date is not typed JJ/MM/AAAA, or no such day exists (rule C2).

    Facts: ``field`` (the form field), ``reason`` (``format`` or ``impossible``).
    """

    code = "invalid-date"


class MoveDateOutOfWindow(ChangeOfAddressError):
    """The move date is outside today - 1 month ... today + 3 months (rule C1).

    Facts: ``field``, ``move_date``, ``earliest``, ``latest`` (dates, bounds included) and
    ``reason``, the bound crossed (``too-early``: more than a month ago; ``too-late``: more than
    three months ahead).
    """

    code = "move-date-out-of-window"


class InvalidAddress(ChangeOfAddressError):
    """An address field cannot be put into La Poste's form (rule C3).

    Facts: ``field`` (``recipient``, ``line2``, ``line3``, ``number``, ``suffix``, ``street``,
    ``line5``, ``postcode``, ``locality``), ``label_en`` / ``label_fr`` (its name on the form),
    ``reason`` (``required``, ``too-long``, ``characters``, ``postcode-format``,
    ``number-format``, ``suffix-format``, ``unknown-field``) and, for ``too-long``,
    ``length``, ``maximum`` and ``hint_en`` / ``hint_fr`` (what to do).
    """

    code = "invalid-address"


class InvalidContractNumber(ChangeOfAddressError):
    """A contract number fails its organisation's check (rule C4).

    Facts: ``organisation`` (partner code), ``kind`` (``nir``, ``caf``, ``tax``, ``cesu``,
    ``pajemploi``), ``reason`` (``format``, ``length``, ``sex``, ``month``, ``department``,
    ``key``) and, for ``length``, ``expected``.
    """

    code = "invalid-contract-number"


class UnknownOrganisation(ChangeOfAddressError):
    """No organisation that holds contracts has this code; facts: ``organisation``."""

    code = "unknown-organisation"


class BlobStoreNotConfigured(StorageError):
    """A wallet call was made on a Portal built without a blob store (see ``Portal(blobs=...)``)."""

    code = "blob-store-not-configured"


class BlobMissing(StorageError):
    """A document's bytes are not in the blob store; facts: ``sha256``."""

    code = "blob-missing"


class BlobCorrupt(StorageError):
    """A blob's bytes do not match its SHA-256 key or its recorded size; facts: ``sha256``."""

    code = "blob-corrupt"


class DossierTampered(StorageError):
    """A transmitted dossier no longer matches its content hash (P7); facts: ``dossier``."""

    code = "dossier-tampered"


def error_classes() -> list[type[PortalError]]:
    """Every error class, root first (used to check that each code has messages)."""
    found: list[type[PortalError]] = []
    pending: list[type[PortalError]] = [PortalError]
    while pending:
        cls = pending.pop(0)
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found
