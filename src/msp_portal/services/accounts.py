"""Account creation and email verification, sign-in (password, then SMS code), sessions."""

from __future__ import annotations

import secrets

from msp_portal.domain import emails, limits
from msp_portal.domain.contact import check_email, check_identifier, email_key, mask_phone
from msp_portal.domain.model import Session, SmsChallenge
from msp_portal.domain.passwords import check_new_password
from msp_portal.domain.records import AccountRecord
from msp_portal.domain.tokens import (
    SMS_CODE_DIGITS,
    hash_sms_code,
    hash_token,
    new_sms_code,
    new_token,
    normalise_sms_code,
    same_digest,
)
from msp_portal.errors import (
    IdentifierTaken,
    LinkInvalid,
    SmsChallengeInvalid,
    SmsCodeInvalid,
    SmsCodeMalformed,
)
from msp_portal.services.context import (
    EMAIL_VERIFY,
    Collaborators,
    check_password,
    client_gate,
    find_account,
    forgive_client,
    give_back_sends,
    open_session,
    password_gate,
    queue_mail,
    session_account,
    take_sends,
)
from msp_portal.services.procedures import close_on_sign_out

SIGN_IN = "sign-in"
VERIFY_PATH = "/compte/verifier-adresse?jeton="


def create_account(
    ctx: Collaborators,
    identifier: str,
    email: str,
    password: str,
    *,
    client_key: str | None = None,
) -> None:
    """Create an account (A1) and send a link that verifies its address.

    The identifier is unique and can never change afterwards. The account can sign in at once;
    until the address is verified (:func:`verify_email`), no recovery mail goes to it (see
    docs/portal.md).

    Raises:
        InvalidIdentifier, InvalidEmail, PasswordRejected (a subclass): the values given.
        TooManyRequests: the client created or asked too much lately.
        SendLimitReached: the address received too many of our emails lately.
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
    client_gate(ctx, client_key, limits.CLIENT_MESSAGES, ctx.settings.client_message_requests)
    counted = take_sends(ctx, "email", email, None)
    try:
        account_id = ctx.store.add_account(
            identifier, email, email_key(email), ctx.hasher.hash(normalised), ctx.now()
        )
    except IdentifierTaken:
        give_back_sends(ctx, counted)
        raise
    account = ctx.store.account_by_id(account_id)
    assert account is not None
    send_verification(ctx, account)


def send_verification(ctx: Collaborators, account: AccountRecord) -> None:
    """Queue the link that verifies the account's current address (bound to that address)."""
    now = ctx.now()
    token = new_token()
    validity = ctx.settings.email_verification_link_validity
    ctx.store.add_link_token(
        hash_token(token),
        account.id,
        EMAIL_VERIFY,
        now=now,
        expires_at=now + validity,
        password_version=account.password_version,
        new_email=account.email,
    )
    link = ctx.settings.base_url.rstrip("/") + VERIFY_PATH + token
    queue_mail(
        ctx, emails.email_verification(account.email, account.identifier, link, validity), account
    )


def verify_email(ctx: Collaborators, session_token: str, token: str) -> str:
    """Open the verification link while signed in: the address is verified; returns it.

    The link works only in a session of its own account, so that whoever reads a mistyped
    address cannot verify it (and then receive the account's recovery mails). A link opened in
    another account's session is refused and stays usable.

    Raises:
        SessionInvalid: no live session.
        LinkInvalid: unknown, used, expired, another account's, or the address changed since.
    """
    account, _ = session_account(ctx, session_token)
    token_hash = hash_token(token)
    now = ctx.now()
    pending = ctx.store.peek_link_token(token_hash, EMAIL_VERIFY, now)
    if pending is None or pending.account_id != account.id or pending.new_email != account.email:
        raise LinkInvalid
    if ctx.store.use_link_token(token_hash, EMAIL_VERIFY, now) is None:
        raise LinkInvalid  # used by a parallel request meanwhile
    if not ctx.store.mark_email_verified(account.id, account.email, now):
        raise LinkInvalid  # the address changed meanwhile
    return account.email


def resend_verification(
    ctx: Collaborators, session_token: str, *, client_key: str | None = None
) -> bool:
    """Send a new verification link; False (nothing sent) when the address is verified already.

    Raises:
        SessionInvalid, TooManyRequests, SendLimitReached.
    """
    account, _ = session_account(ctx, session_token)
    if account.email_verified:
        return False
    client_gate(ctx, client_key, limits.CLIENT_MESSAGES, ctx.settings.client_message_requests)
    take_sends(ctx, "email", account.email, account.id)
    send_verification(ctx, account)
    return True


def sign_in(
    ctx: Collaborators, identifier: str, password: str, *, client_key: str | None = None
) -> Session | SmsChallenge:
    """Sign in with identifier + password (A2).

    Returns a Session, or, when SMS access is on (A6), an SmsChallenge: a code was sent and
    :func:`complete_sign_in` finishes with it. In that case the failure counted for this
    attempt is forgiven only when the code is right, so a known password alone cannot be
    used to guess codes without end. With ``client_key``, the check also counts against that
    client's budget of failed checks, across identifiers (password spraying).

    Raises:
        TooManyRequests: the client failed too often lately; nothing was checked.
        InvalidCredentials: unknown identifier or wrong password (not told apart).
        AccountLocked: five failures in a row; it unlocks by itself two hours later.
        SendLimitReached: the password is right but too many SMS were sent lately.
    """
    gate = password_gate(ctx, client_key)
    account = find_account(ctx, identifier, password)
    two_step = account.sms_phone is not None
    check_password(ctx, account, password, forgive=not two_step)
    forgive_client(ctx, gate)
    if account.sms_phone is None:
        return open_session(ctx, account)
    take_sends(ctx, "sms", account.sms_phone, account.id)
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
    ctx.sms.send(
        account.sms_phone,
        emails.sms_sign_in_code(code, ctx.settings.sms_code_validity),
        account_id=account.id,
    )
    return SmsChallenge(token, mask_phone(account.sms_phone), expires_at)


def check_sms_code(
    ctx: Collaborators, challenge_token: str, purpose: str, code: str
) -> tuple[int, str]:
    """Check a code against the challenge it was sent for; returns (account id, phone).

    What was typed is first normalised (:func:`msp_portal.domain.tokens.normalise_sms_code`);
    something that cannot be a code is answered without counting an entry. A real entry is
    counted before the comparison and the code is marked used in one conditional UPDATE, so
    parallel entries cannot exceed the limit and a code is never accepted twice.

    Raises:
        SmsCodeMalformed: not six digits (no entry counted).
        SmsCodeInvalid: wrong code, entries remain.
        SmsChallengeInvalid: expired, used, exhausted, or not a challenge of this purpose.
    """
    token_hash = hash_token(challenge_token)
    now = ctx.now()
    limit = ctx.settings.sms_code_max_entries
    digits = normalise_sms_code(code)
    if digits is None:
        live = ctx.store.peek_challenge(token_hash, purpose, now, limit)
        if live is None:
            raise SmsChallengeInvalid
        raise SmsCodeMalformed(remaining=limit - live.entries, digits=SMS_CODE_DIGITS)
    entry = ctx.store.take_challenge_entry(token_hash, purpose, now, limit)
    if entry is None:
        raise SmsChallengeInvalid
    if not same_digest(hash_sms_code(digits, entry.salt), entry.code_hash):
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
