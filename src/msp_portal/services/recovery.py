"""Forgot identifier (A3), forgot password (A4, A5, A10) and the reset link's use."""

from __future__ import annotations

from msp_portal.domain import emails
from msp_portal.domain.contact import check_email, could_be_identifier, email_key
from msp_portal.domain.lockout import is_locked
from msp_portal.domain.passwords import check_new_password
from msp_portal.domain.tokens import hash_token, new_token
from msp_portal.errors import CaptchaFailed, LinkInvalid
from msp_portal.services.context import Collaborators, refuse_if_locked

PASSWORD_RESET = "password-reset"  # noqa: S105 - a link purpose, not a secret
RESET_PATH = "/mot-de-passe/reinitialiser?jeton="


def forgot_identifier(ctx: Collaborators, email: str, captcha_response: str) -> None:
    """Email the identifiers attached to ``email``; the same (silent) answer when there are none.

    Raises:
        CaptchaFailed: the captcha was not solved.
        InvalidEmail: not an email address (this says nothing about accounts).
    """
    if not ctx.captcha.verify(captcha_response):
        raise CaptchaFailed
    email = check_email(email)
    identifiers = ctx.store.identifiers_for_email(email_key(email))
    if identifiers:
        ctx.mailer.send(emails.identifiers_reminder(email, identifiers))


def forgot_password(ctx: Collaborators, identifier: str, captcha_response: str) -> None:
    """Email a reset link to the owner of ``identifier``; the same answer whatever happens.

    Unknown identifier: nothing is sent. Locked account (A5): no link; the owner is told by email
    until when the account is locked (Paris time). Otherwise: a link carrying a 256-bit token,
    stored hashed, valid ``settings.reset_link_validity``, usable once, void once the password
    changes. The caller cannot tell these cases apart.

    Raises:
        CaptchaFailed: the captcha was not solved.
    """
    if not ctx.captcha.verify(captcha_response):
        raise CaptchaFailed
    identifier = identifier.strip()
    known = could_be_identifier(identifier)
    account = ctx.store.account_by_identifier(identifier) if known else None
    if account is None:
        return
    now = ctx.now()
    if is_locked(account.lock_state, now):
        assert account.locked_until is not None
        ctx.mailer.send(
            emails.reset_refused_locked(account.email, account.identifier, account.locked_until)
        )
        return
    token = new_token()
    validity = ctx.settings.reset_link_validity
    ctx.store.add_link_token(
        hash_token(token),
        account.id,
        PASSWORD_RESET,
        now=now,
        expires_at=now + validity,
        password_version=account.password_version,
    )
    link = ctx.settings.base_url.rstrip("/") + RESET_PATH + token
    ctx.mailer.send(emails.password_reset(account.email, account.identifier, link, validity))


def reset_password(ctx: Collaborators, token: str, new_password: str) -> None:
    """Set a new password from a reset link; every session ends and no one is signed in.

    A password the policy refuses leaves the link usable, so the user can try another.

    Raises:
        LinkInvalid: unknown, used, expired, or voided by a password change since.
        AccountLocked: the account is locked (A5: no reset while locked).
        PasswordRejected (a subclass): the new password.
    """
    token_hash = hash_token(token)
    now = ctx.now()
    pending = ctx.store.peek_link_token(token_hash, PASSWORD_RESET, now)
    account = ctx.store.account_by_id(pending.account_id) if pending else None
    if pending is None or account is None or account.password_version != pending.password_version:
        raise LinkInvalid
    refuse_if_locked(ctx, account, now)
    normalised = check_new_password(
        new_password,
        identifier=account.identifier,
        minimum=ctx.settings.password_min_length,
        maximum=ctx.settings.password_max_length,
    )
    new_hash = ctx.hasher.hash(normalised)
    if ctx.store.use_link_token(token_hash, PASSWORD_RESET, now) is None:
        raise LinkInvalid  # used by a parallel request meanwhile
    if not ctx.store.change_password(
        account.id, new_hash, expected_version=pending.password_version
    ):
        raise LinkInvalid  # the password changed meanwhile
    ctx.mailer.send(emails.password_changed(account.email, account.identifier, now))
