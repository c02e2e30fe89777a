"""SMS access (A6): enabling it with the password and a code, and "phone number changed"."""

from __future__ import annotations

import secrets

from msp_portal.domain import emails
from msp_portal.domain.contact import mask_phone, normalise_phone
from msp_portal.domain.model import SmsEnrolment
from msp_portal.domain.tokens import (
    hash_sms_code,
    hash_token,
    new_sms_code,
    new_token,
    new_unlock_code,
    normalise_unlock_code,
    same_digest,
)
from msp_portal.errors import (
    AccountLocked,
    InvalidCredentials,
    SmsAccessAlreadyEnabled,
    SmsChallengeInvalid,
)
from msp_portal.services.accounts import check_sms_code
from msp_portal.services.context import (
    Collaborators,
    check_password,
    find_account,
    forgive_client,
    notify,
    password_gate,
    session_account,
    take_sends,
)

ENROL = "enrol"


def start_sms_enrolment(
    ctx: Collaborators,
    session_token: str,
    password: str,
    phone: str,
    *,
    client_key: str | None = None,
) -> SmsEnrolment:
    """Step 1 of enabling SMS access: password check, then a code sent to ``phone``.

    The number must be a mobile number in service (libphonenumber's metadata) of a region in
    ``settings.sms_regions``; the SMS counts against the account's and the number's send limits.

    Raises:
        SessionInvalid, SmsAccessAlreadyEnabled, InvalidPhone, TooManyRequests,
        InvalidCredentials / AccountLocked (the password check counts toward the lock),
        SendLimitReached.
    """
    account, _ = session_account(ctx, session_token)
    if account.sms_phone is not None:
        raise SmsAccessAlreadyEnabled
    phone = normalise_phone(phone, regions=ctx.settings.sms_regions)
    gate = password_gate(ctx, client_key)
    check_password(ctx, account, password)
    forgive_client(ctx, gate)
    take_sends(ctx, "sms", phone, account.id)
    now = ctx.now()
    token, code, salt = new_token(), new_sms_code(), secrets.token_hex(16)
    expires_at = now + ctx.settings.sms_code_validity
    ctx.store.add_challenge(
        hash_token(token),
        account.id,
        ENROL,
        phone=phone,
        code_hash=hash_sms_code(code, salt),
        salt=salt,
        now=now,
        expires_at=expires_at,
    )
    text = emails.sms_enrolment_code(code, ctx.settings.sms_code_validity)
    ctx.sms.send(phone, text, account_id=account.id)
    return SmsEnrolment(token, mask_phone(phone), expires_at)


def confirm_sms_enrolment(
    ctx: Collaborators, session_token: str, enrolment_token: str, code: str
) -> str:
    """Step 2: the code received proves the phone; returns the unlock code, shown this once.

    The unlock code (80 bits) is stored hashed only; it is never sent by email or SMS.

    Raises:
        SessionInvalid, SmsCodeInvalid, SmsChallengeInvalid, SmsAccessAlreadyEnabled.
    """
    account, _ = session_account(ctx, session_token)
    account_id, phone = check_sms_code(ctx, enrolment_token, ENROL, code)
    if account_id != account.id:
        raise SmsChallengeInvalid
    unlock_code = new_unlock_code()
    if not ctx.store.enable_sms(account.id, phone, hash_token(normalise_unlock_code(unlock_code))):
        raise SmsAccessAlreadyEnabled
    notice = emails.sms_access_enabled(
        account.email, account.identifier, mask_phone(phone), ctx.now()
    )
    notify(ctx, account, notice)
    return unlock_code


def phone_changed(
    ctx: Collaborators,
    identifier: str,
    password: str,
    unlock_code: str,
    *,
    client_key: str | None = None,
) -> None:
    """Phone number changed ("Numéro de téléphone modifié"): remove SMS access with the unlock code.

    The account then signs in with identifier + password alone; an email says so. The attempt
    is counted like a sign-in: a wrong password or unlock code counts toward the lock, and
    nothing is checked while the account is locked. The answer does not say which was wrong.

    Raises:
        TooManyRequests: the client failed too often lately; nothing was checked.
        InvalidCredentials: unknown identifier, wrong password or unlock code, no SMS access.
        AccountLocked: the account is locked (now or by this failure).
    """
    gate = password_gate(ctx, client_key)
    account = find_account(ctx, identifier, password)
    check_password(ctx, account, password, forgive=False)
    stored = account.unlock_code_hash
    given = hash_token(normalise_unlock_code(unlock_code))
    if stored is None or not same_digest(given, stored):
        fresh = ctx.store.account_by_id(account.id)
        if fresh is not None and fresh.locked_until is not None:
            raise AccountLocked(until=fresh.locked_until)
        raise InvalidCredentials
    ctx.store.disable_sms(account.id)
    ctx.store.clear_failures(account.id)
    forgive_client(ctx, gate)
    notify(ctx, account, emails.sms_access_removed(account.email, account.identifier, ctx.now()))
