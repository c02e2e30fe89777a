r"""The JSON API's bodies: what a request must look like, and what an answer holds.

Request strings are bounded and refuse lone surrogates (which JSON can carry as ``"\\ud800"``
and no database or hash accepts), so such input answers 422 ``invalid-request`` at the door;
every rule about the values themselves stays in the portal (its errors answer 422 with their
own codes).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from msp_portal.domain.contact import ContactDetails
from msp_portal.domain.model import AccountView, PartnerLink, Session, SmsChallenge, SmsEnrolment
from msp_portal.domain.partners import Partner


def _no_surrogates(value: str) -> str:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("lone surrogate")
    return value


Short = Annotated[str, Field(max_length=256), AfterValidator(_no_surrogates)]
Secret = Annotated[str, Field(max_length=4096), AfterValidator(_no_surrogates)]
Token = Annotated[str, Field(max_length=512), AfterValidator(_no_surrogates)]


class Body(BaseModel):
    """A request body: unknown fields are refused (a misspelt field must not pass unseen)."""

    model_config = ConfigDict(extra="forbid")


# --- requests ----------------------------------------------------------------------------------
class CreateAccount(Body):
    """Create an account (A1)."""

    identifier: Short
    email: Short
    password: Secret


class SignIn(Body):
    """Sign in with identifier and password (A2)."""

    identifier: Short
    password: Secret


class SmsCode(Body):
    """The SMS code of a sign-in that asked for one (A6)."""

    challenge_token: Token
    code: Short


class ForgotIdentifier(Body):
    """Forgot identifier (A3)."""

    email: Short
    captcha_response: Token


class ForgotPassword(Body):
    """Forgot password (A4)."""

    identifier: Short
    captcha_response: Token


class ResetPassword(Body):
    """A new password from a reset link's token."""

    token: Token
    new_password: Secret


class Password(Body):
    """The current password, to confirm a sensitive step."""

    password: Secret


class EmailChange(Body):
    """Change the email address (A7)."""

    password: Secret
    new_email: Short


class LinkToken(Body):
    """The token of an emailed link."""

    token: Token


class PasswordChange(Body):
    """Change the password (A8)."""

    current_password: Secret
    new_password: Secret


class SmsEnrolmentStart(Body):
    """Enable SMS access, step 1."""

    password: Secret
    phone: Short


class SmsEnrolmentConfirm(Body):
    """Enable SMS access, step 2."""

    enrolment_token: Token
    code: Short


class PhoneChanged(Body):
    """Phone number changed: remove SMS access with the unlock code (A6)."""

    identifier: Short
    password: Secret
    unlock_code: Short


class PartnerLinkRequest(Body):
    """Create a link with a partner organisation (always refused, L1)."""

    partner: Short


class PartnerLinkReference(Body):
    """The partner's reference of the link it deletes."""

    reference: Short


class Contact(Body):
    """Contact details kept to prefill procedures (A7); every field is optional."""

    civility: Literal["M.", "Mme"] | None = None
    family_name: Short = ""
    given_names: Short = ""
    birth_date: date | None = None
    address_line1: Short = ""
    address_line2: Short = ""
    postcode: Short = ""
    city: Short = ""
    country: Short = ""
    phone: Short = ""

    def to_domain(self) -> ContactDetails:
        """As the portal's value."""
        from msp_portal.domain.contact import Civility

        return ContactDetails(
            civility=Civility(self.civility) if self.civility else None,
            family_name=self.family_name,
            given_names=self.given_names,
            birth_date=self.birth_date,
            address_line1=self.address_line1,
            address_line2=self.address_line2,
            postcode=self.postcode,
            city=self.city,
            country=self.country,
            phone=self.phone,
        )

    @classmethod
    def of(cls, details: ContactDetails) -> Contact:
        """From the portal's value."""
        return cls(
            civility=details.civility.value if details.civility else None,
            family_name=details.family_name,
            given_names=details.given_names,
            birth_date=details.birth_date,
            address_line1=details.address_line1,
            address_line2=details.address_line2,
            postcode=details.postcode,
            city=details.city,
            country=details.country,
            phone=details.phone,
        )


# --- answers -----------------------------------------------------------------------------------
class SessionOut(BaseModel):
    """A signed-in session: send ``token`` as ``Authorization: Bearer <token>``."""

    token: str
    identifier: str
    created_at: datetime
    idle_expires_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, session: Session) -> SessionOut:
        """From the portal's value."""
        return cls(
            token=session.token,
            identifier=session.identifier,
            created_at=session.created_at,
            idle_expires_at=session.idle_expires_at,
            expires_at=session.expires_at,
        )


class SmsChallengeOut(BaseModel):
    """A code was sent by SMS; finish with ``POST /api/v1/sessions/sms``."""

    challenge_token: str
    phone_hint: str
    expires_at: datetime

    @classmethod
    def of(cls, challenge: SmsChallenge | SmsEnrolment) -> SmsChallengeOut:
        """From the portal's value."""
        return cls(
            challenge_token=challenge.token,
            phone_hint=challenge.phone_hint,
            expires_at=challenge.expires_at,
        )


class SignInOut(BaseModel):
    """The result of a sign-in: a session, or the SMS step (``status`` says which)."""

    status: Literal["signed-in", "sms-code-required"]
    session: SessionOut | None = None
    sms_challenge: SmsChallengeOut | None = None


class AccountOut(BaseModel):
    """What the holder sees of the account."""

    identifier: str
    email: str
    created_at: datetime
    email_verified: bool
    sms_phone: str | None
    contact: Contact

    @classmethod
    def of(cls, view: AccountView) -> AccountOut:
        """From the portal's value."""
        return cls(
            identifier=view.identifier,
            email=view.email,
            email_verified=view.email_verified,
            created_at=view.created_at,
            sms_phone=view.sms_phone,
            contact=Contact.of(view.contact),
        )


class Resent(BaseModel):
    """Whether a new verification link was mailed."""

    sent: bool


class UnlockCodeOut(BaseModel):
    """The unlock code of SMS access: shown once, to keep in a safe place."""

    unlock_code: str


class EmailOut(BaseModel):
    """The account's new email address."""

    email: str


class CaptchaOut(BaseModel):
    """A captcha question; answer with ``captcha_response = token + ":" + answer``."""

    prompt: str
    token: str


class PartnerOut(BaseModel):
    """A partner organisation and how to reach it (L3)."""

    code: str
    name: str
    how_to_contact: str
    website: str
    phone: str
    email: str
    postal_address: list[str]

    @classmethod
    def of(cls, partner: Partner) -> PartnerOut:
        """From the portal's value."""
        return cls(
            code=partner.code,
            name=partner.name,
            how_to_contact=partner.how_to_contact,
            website=partner.website,
            phone=partner.phone,
            email=partner.email,
            postal_address=list(partner.postal_address),
        )


class PartnerLinkOut(BaseModel):
    """A link made in the past with a partner organisation's account."""

    partner: PartnerOut
    partner_reference: str
    linked_at: datetime

    @classmethod
    def of(cls, link: PartnerLink) -> PartnerLinkOut:
        """From the portal's value."""
        return cls(
            partner=PartnerOut.of(link.partner),
            partner_reference=link.partner_reference,
            linked_at=link.linked_at,
        )


class ErrorMessage(BaseModel):
    """An error's message in both languages."""

    en: str
    fr: str


class ErrorDetail(BaseModel):
    """A refused request: the stable ``code``, its facts, the message (en, fr)."""

    code: str
    facts: dict[str, object]
    message: ErrorMessage


class ErrorOut(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail
