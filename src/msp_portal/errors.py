"""The error tree of msp_portal: every failure a caller can see, with stable codes.

::

    PortalError                               portal-error
    ├── AuthenticationFailed
    │   ├── InvalidCredentials                invalid-credentials
    │   ├── AccountLocked                     account-locked        (until)
    │   ├── SmsCodeInvalid                    sms-code-invalid      (remaining)
    │   ├── SmsChallengeInvalid               sms-challenge-invalid
    │   ├── SessionInvalid                    session-invalid
    │   ├── ResumeCredentialsInvalid          resume-credentials-invalid
    │   └── DossierLocked                     dossier-locked        (until)
    ├── InvalidInput
    │   ├── InvalidIdentifier                 invalid-identifier    (reason)
    │   ├── InvalidEmail                      invalid-email
    │   ├── InvalidPhone                      invalid-phone
    │   ├── InvalidContactDetails             invalid-contact-details (field)
    │   ├── AnswersMalformed                  answers-malformed     (path, reason)
    │   ├── AnswersIncomplete                 answers-incomplete    (count, problems)
    │   ├── InvalidReference                  invalid-reference
    │   └── PasswordRejected
    │       ├── PasswordTooShort              password-too-short    (length, minimum)
    │       ├── PasswordTooLong               password-too-long     (length, maximum)
    │       ├── PasswordTooCommon             password-too-common
    │       └── PasswordContainsIdentifier    password-contains-identifier
    ├── IdentifierTaken                       identifier-taken
    ├── CaptchaFailed                         captcha-failed
    ├── LinkInvalid                           link-invalid
    ├── SmsAccessAlreadyEnabled               sms-already-enabled
    ├── SmsAccessNotEnabled                   sms-not-enabled
    ├── PartnerLinkError
    │   ├── PartnerLinkCreationClosed         partner-link-creation-closed
    │   ├── PartnerLinkDeletedAtPartner       partner-link-deleted-at-partner (partner)
    │   ├── UnknownPartner                    unknown-partner       (partner)
    │   ├── PartnerNotAuthorised              partner-not-authorised
    │   └── PartnerLinkNotFound               partner-link-not-found
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
        └── DossierTampered                   dossier-tampered      (dossier)

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
    "CaptchaFailed",
    "DefinitionInvalid",
    "DeliveryFailed",
    "DeliveryNotFound",
    "DossierFrozen",
    "DossierLocked",
    "DossierNotFound",
    "DossierTampered",
    "DraftExpired",
    "IdentifierTaken",
    "IllegalTransition",
    "InvalidContactDetails",
    "InvalidCredentials",
    "InvalidEmail",
    "InvalidIdentifier",
    "InvalidInput",
    "InvalidPhone",
    "InvalidReference",
    "LinkInvalid",
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
    "SessionInvalid",
    "SmsAccessAlreadyEnabled",
    "SmsAccessNotEnabled",
    "SmsChallengeInvalid",
    "SmsCodeInvalid",
    "StorageError",
    "UnknownPartner",
    "UnknownProcedure",
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


# --- authentication -------------------------------------------------------------------------------
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


# --- input ----------------------------------------------------------------------------------------
class InvalidInput(PortalError):
    """A value given by the user does not meet the rules."""

    code = "invalid-input"


class InvalidIdentifier(InvalidInput):
    """The identifier chosen is not acceptable; facts: ``reason``, ``minimum``, ``maximum``."""

    code = "invalid-identifier"


class InvalidEmail(InvalidInput):
    """Not an email address."""

    code = "invalid-email"


class InvalidPhone(InvalidInput):
    """Not a mobile phone number that can receive SMS."""

    code = "invalid-phone"


class InvalidContactDetails(InvalidInput):
    """A contact detail is not acceptable; facts: ``field``, ``reason``."""

    code = "invalid-contact-details"


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


# --- account state --------------------------------------------------------------------------------
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


# --- partner links --------------------------------------------------------------------------------
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


# --- infrastructure -------------------------------------------------------------------------------
class DeliveryFailed(PortalError):
    """An email or SMS could not be handed over; facts: ``channel``, ``reason``."""

    code = "delivery-failed"


class StorageError(PortalError):
    """The database could not be used; facts: ``reason``."""

    code = "storage-error"


class SchemaTooNew(StorageError):
    """The database schema is newer than this code; facts: ``found``, ``supported``."""

    code = "schema-too-new"


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
