"""The error tree of msp_portal: every failure a caller can see, with stable codes.

::

    PortalError                               portal-error
    ├── AuthenticationFailed
    │   ├── InvalidCredentials                invalid-credentials
    │   ├── AccountLocked                     account-locked        (until)
    │   ├── SmsCodeInvalid                    sms-code-invalid      (remaining)
    │   │   └── SmsCodeMalformed              sms-code-malformed    (remaining, digits)
    │   ├── SmsChallengeInvalid               sms-challenge-invalid
    │   └── SessionInvalid                    session-invalid
    ├── InvalidInput                          invalid-input         (field, reason)
    │   ├── InvalidIdentifier                 invalid-identifier    (reason)
    │   ├── InvalidEmail                      invalid-email
    │   ├── InvalidPhone                      invalid-phone         (reason)
    │   ├── InvalidContactDetails             invalid-contact-details (field)
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
    ├── SendLimitReached                      send-limit-reached    (channel, until)
    ├── TooManyRequests                       too-many-requests     (until)
    ├── PartnerLinkError
    │   ├── PartnerLinkCreationClosed         partner-link-creation-closed
    │   ├── PartnerLinkDeletedAtPartner       partner-link-deleted-at-partner (partner)
    │   ├── UnknownPartner                    unknown-partner       (partner)
    │   ├── PartnerNotAuthorised              partner-not-authorised
    │   └── PartnerLinkNotFound               partner-link-not-found
    ├── DeliveryFailed                        delivery-failed       (channel, reason)
    └── StorageError                          storage-error         (reason)
        └── SchemaTooNew                      schema-too-new        (found, supported)

The codes and the names of the facts are a public interface: services render their own wording
from ``error.code`` and ``error.facts``; :meth:`PortalError.message` renders ours (English or
French). Errors are matched by type or code, never by message text.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AccountLocked",
    "AuthenticationFailed",
    "CaptchaFailed",
    "DeliveryFailed",
    "IdentifierTaken",
    "InvalidContactDetails",
    "InvalidCredentials",
    "InvalidEmail",
    "InvalidIdentifier",
    "InvalidInput",
    "InvalidPhone",
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
    "UnknownPartner",
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


def error_classes() -> list[type[PortalError]]:
    """Every error class, root first (used to check that each code has messages)."""
    found: list[type[PortalError]] = []
    pending: list[type[PortalError]] = [PortalError]
    while pending:
        cls = pending.pop(0)
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found
