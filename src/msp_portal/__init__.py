"""msp_portal: the citizen accounts of the portal, a layer above msp_docs.

Start with :class:`Portal` and :meth:`SqlStore.open`; errors derive from :class:`PortalError`.
"""

from __future__ import annotations

import msp_portal._requirements  # noqa: F401 - first: says which extra to install if needed
from msp_portal.adapters.argon2_hasher import Argon2Hasher
from msp_portal.adapters.sms import OutboxSmsGateway, drain_outbox
from msp_portal.adapters.smtp import SmtpConfig, SmtpMailer, SmtpSecurity
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.clock import system_clock
from msp_portal.domain.contact import Civility, ContactDetails
from msp_portal.domain.emails import Email
from msp_portal.domain.model import AccountView, PartnerLink, Session, SmsChallenge, SmsEnrolment
from msp_portal.domain.partners import Partner
from msp_portal.errors import (
    AccountLocked,
    AuthenticationFailed,
    CaptchaFailed,
    DeliveryFailed,
    IdentifierTaken,
    InvalidContactDetails,
    InvalidCredentials,
    InvalidEmail,
    InvalidIdentifier,
    InvalidInput,
    InvalidPhone,
    LinkInvalid,
    PartnerLinkCreationClosed,
    PartnerLinkDeletedAtPartner,
    PartnerLinkError,
    PartnerLinkNotFound,
    PartnerNotAuthorised,
    PasswordContainsIdentifier,
    PasswordRejected,
    PasswordTooCommon,
    PasswordTooLong,
    PasswordTooShort,
    PortalError,
    SchemaTooNew,
    SessionInvalid,
    SmsAccessAlreadyEnabled,
    SmsAccessNotEnabled,
    SmsChallengeInvalid,
    SmsCodeInvalid,
    StorageError,
    UnknownPartner,
)
from msp_portal.portal import Portal
from msp_portal.settings import Argon2Params, PortalSettings

__all__ = [
    "AccountLocked",
    "AccountView",
    "Argon2Hasher",
    "Argon2Params",
    "AuthenticationFailed",
    "CaptchaFailed",
    "Civility",
    "ContactDetails",
    "DeliveryFailed",
    "Email",
    "IdentifierTaken",
    "InvalidContactDetails",
    "InvalidCredentials",
    "InvalidEmail",
    "InvalidIdentifier",
    "InvalidInput",
    "InvalidPhone",
    "LinkInvalid",
    "OutboxSmsGateway",
    "Partner",
    "PartnerLink",
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
    "Portal",
    "PortalError",
    "PortalSettings",
    "SchemaTooNew",
    "Session",
    "SessionInvalid",
    "SmsAccessAlreadyEnabled",
    "SmsAccessNotEnabled",
    "SmsChallenge",
    "SmsChallengeInvalid",
    "SmsCodeInvalid",
    "SmsEnrolment",
    "SmtpConfig",
    "SmtpMailer",
    "SmtpSecurity",
    "SqlStore",
    "StorageError",
    "UnknownPartner",
    "drain_outbox",
    "system_clock",
]
