"""What the services hand back to callers: sessions, sign-in steps, accounts, links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from msp_portal.domain.contact import ContactDetails
from msp_portal.domain.partners import Partner


@dataclass(frozen=True)
class Session:
    """A signed-in session. ``token`` is shown once: only its hash is stored."""

    token: str
    identifier: str
    created_at: datetime
    idle_expires_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SmsChallenge:
    """The password was right; a code was sent by SMS. ``token`` binds the code to this attempt."""

    token: str
    phone_hint: str
    expires_at: datetime


@dataclass(frozen=True)
class SmsEnrolment:
    """First step of enabling SMS access: a code was sent to ``phone_hint``."""

    token: str
    phone_hint: str
    expires_at: datetime


@dataclass(frozen=True)
class AccountView:
    """What a signed-in holder sees of the account."""

    identifier: str
    email: str
    created_at: datetime
    sms_phone: str | None
    contact: ContactDetails
    email_verified: bool


@dataclass(frozen=True)
class PartnerLink:
    """A link between the account and a partner organisation's account, made in the past."""

    partner: Partner
    partner_reference: str
    linked_at: datetime
