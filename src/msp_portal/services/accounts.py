"""Account creation, sign-in (password, then SMS code when enabled), sessions, sign-out."""

from __future__ import annotations

import secrets

from msp_portal.domain.contact import check_email, check_identifier, email_key, mask_phone
from msp_portal.domain.emails import sms_sign_in_code
from msp_portal.domain.model import Session, SmsChallenge
from msp_portal.domain.passwords import check_new_password
from msp_portal.domain.tokens import hash_sms_code, hash_token, new_sms_code, new_token, same_digest
from msp_portal.errors import SmsChallengeInvalid, SmsCodeInvalid
from msp_portal.services.context import (
    Collaborators,
    check_password,
    find_account,
    open_session,
    session_account,
)
from msp_portal.services.procedures import close_on_sign_out

SIGN_IN = "sign-in"


def create_account(ctx: Collaborators, identifier: str, email: str, password: str) -> None:
    """Create an account (A1): the identifier is unique and can never change afterwards.

    Raises:
        InvalidIdentifier, InvalidEmail, PasswordRejected (a subclass): the values given.
        IdentifierTaken: the identifier belongs, or belonged, to another account.
    """
    identifier = check_identifier(identifier)
    email = check_email(email)
    normalised = check_new_password(
        password,
        identifier=identifier,
        minimum=ctx.settings.password_min_length,
        maximum=ctx.settings.password_max_length,
    )
    ctx.store.add_account(
        identifier, email, email_key(email), ctx.hasher.hash(normalised), ctx.now()
    )


def sign_in(ctx: Collaborators, identifier: str, password: str) -> Session | SmsChallenge:
    """Sign in with identifier + password (A2).

    Returns a Session, or, when SMS access is on (A6), an SmsChallenge: a code was sent and
    :func:`complete_sign_in` finishes with it. In that case the failure counted for this
    attempt is forgiven only when the code is right, so a known password alone cannot be
    used to guess codes without end.

    Raises:
        InvalidCredentials: unknown identifier or wrong password (not told apart).
        AccountLocked: five failures in a row; it unlocks by itself two hours later.
    """
    account = find_account(ctx, identifier, password)
    two_step = account.sms_phone is not None
    check_password(ctx, account, password, forgive=not two_step)
    if account.sms_phone is None:
        return open_session(ctx, account)
    now = ctx.now()
    token, code, salt = new_token(), new_sms_code(), secrets.token_hex(16)
    expires_at = now + ctx.settings.sms_code_validity
    ctx.store.add_challenge(
        hash_token(token),
        account.id,
        SIGN_IN,
        phone=account.sms_phone,
        code_hash=hash_sms_code(code, salt),
        salt=salt,
        now=now,
        expires_at=expires_at,
    )
    ctx.sms.send(account.sms_phone, sms_sign_in_code(code, ctx.settings.sms_code_validity))
    return SmsChallenge(token, mask_phone(account.sms_phone), expires_at)


def check_sms_code(
    ctx: Collaborators, challenge_token: str, purpose: str, code: str
) -> tuple[int, str]:
    """Check a code against the challenge it was sent for; returns (account id, phone).

    The entry is counted before the comparison and the code is marked used in one conditional
    UPDATE, so parallel entries cannot exceed the limit and a code is never accepted twice.

    Raises:
        SmsCodeInvalid: wrong code, entries remain.
        SmsChallengeInvalid: expired, used, exhausted, or not a challenge of this purpose.
    """
    token_hash = hash_token(challenge_token)
    now = ctx.now()
    limit = ctx.settings.sms_code_max_entries
    entry = ctx.store.take_challenge_entry(token_hash, purpose, now, limit)
    if entry is None:
        raise SmsChallengeInvalid
    if not same_digest(hash_sms_code(code.strip().replace(" ", ""), entry.salt), entry.code_hash):
        remaining = limit - entry.entries
        if remaining <= 0:
            raise SmsChallengeInvalid
        raise SmsCodeInvalid(remaining=remaining)
    if not ctx.store.use_challenge(token_hash, now):
        raise SmsChallengeInvalid
    return entry.account_id, entry.phone


def complete_sign_in(ctx: Collaborators, challenge_token: str, code: str) -> Session:
    """Second step of a sign-in with SMS access: the code sent for *this* attempt."""
    account_id, phone = check_sms_code(ctx, challenge_token, SIGN_IN, code)
    account = ctx.store.account_by_id(account_id)
    if account is None or account.sms_phone != phone:
        raise SmsChallengeInvalid
    ctx.store.clear_failures(account.id)
    return open_session(ctx, account)


def authenticate(ctx: Collaborators, session_token: str) -> str:
    """The identifier behind a live session; raises SessionInvalid otherwise."""
    account, _ = session_account(ctx, session_token)
    return account.identifier


def sign_out(ctx: Collaborators, session_token: str) -> None:
    """End the session (nothing happens for an unknown token)."""
    close_on_sign_out(ctx, session_token)  # P4: the procedure in progress ends with it
    ctx.store.end_session(hash_token(session_token))
