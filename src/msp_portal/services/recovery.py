"""Forgot identifier (A3), forgot password (A4, A5, A10) and the reset link's use.

The public calls only queue the request: they do the same work, and so answer the same in the
same time, whether or not the identifier or address exists, the account is locked, or the mail
relay works. The mail worker (:func:`resolve_requests`, run by
:meth:`msp_portal.Portal.deliver_mail`) looks the account up and queues what must be sent.
"""

from __future__ import annotations

from collections.abc import Callable

from msp_portal.domain import emails, limits
from msp_portal.domain.contact import check_email, could_be_identifier, email_key
from msp_portal.domain.lockout import is_locked
from msp_portal.domain.passwords import check_new_password
from msp_portal.domain.records import AccountRecord, RecoveryRequest
from msp_portal.domain.tokens import hash_token, new_token
from msp_portal.errors import CaptchaFailed, LinkInvalid, SendLimitReached
from msp_portal.services.context import (
    EMAIL_CHANGE,
    PASSWORD_RESET,
    Collaborators,
    client_gate,
    notify,
    queue_mail,
    refuse_if_locked,
    take_sends,
)

RESET_PATH = "/mot-de-passe/reinitialiser?jeton="
FORGOT_IDENTIFIER = "identifier"
FORGOT_PASSWORD = "password"  # noqa: S105 - a request kind, not a secret


def _accept_request(
    ctx: Collaborators, kind: str, lookup: str, captcha_response: str, client_key: str | None
) -> None:
    if not ctx.captcha.verify(captcha_response):
        raise CaptchaFailed
    client_gate(ctx, client_key, limits.CLIENT_MESSAGES, ctx.settings.client_message_requests)
    ctx.store.add_recovery_request(kind, lookup, ctx.now())


def forgot_identifier(
    ctx: Collaborators, email: str, captcha_response: str, *, client_key: str | None = None
) -> None:
    """Ask for the identifiers attached to ``email``; the same (silent) answer in every case.

    The worker mails each matching account's identifier to the address *stored* for it, never
    to the one typed: the lookup is NFKC + case-folded, and two addresses with the same key may
    be different mailboxes. Only verified addresses receive anything.

    Raises:
        CaptchaFailed: the captcha was not solved.
        InvalidEmail: not an email address (this says nothing about accounts).
        TooManyRequests: the client asked too often lately.
    """
    email = check_email(email)
    _accept_request(ctx, FORGOT_IDENTIFIER, email_key(email), captcha_response, client_key)


def forgot_password(
    ctx: Collaborators, identifier: str, captcha_response: str, *, client_key: str | None = None
) -> None:
    """Ask for a reset link for ``identifier``; the same (silent) answer in every case.

    The worker then: sends nothing for an unknown identifier or an unverified address; for a
    locked account (A5), sends no link but tells the owner until when the account is locked
    (Paris time); otherwise sends a link carrying a 256-bit token, stored hashed, valid
    ``settings.reset_link_validity``, usable once, void once the password or the address changes.

    Raises:
        CaptchaFailed: the captcha was not solved.
        TooManyRequests: the client asked too often lately.
    """
    _accept_request(ctx, FORGOT_PASSWORD, identifier.strip(), captcha_response, client_key)


def resolve_requests(ctx: Collaborators, *, limit: int = 100) -> tuple[int, int]:
    """Mail worker: turn queued requests into queued emails; returns (queued, dropped).

    A mail that would pass a send limit is dropped: the requester is not told (the public
    answer was given already, and must not depend on it).
    """
    resolvers: dict[str, Callable[[Collaborators, RecoveryRequest], tuple[int, int]]] = {
        FORGOT_IDENTIFIER: _resolve_forgot_identifier,
        FORGOT_PASSWORD: _resolve_forgot_password,
    }
    queued = dropped = 0
    for request in ctx.store.take_recovery_requests(limit):
        resolve = resolvers.get(request.kind)
        if resolve is not None:
            sent, refused = resolve(ctx, request)
            queued, dropped = queued + sent, dropped + refused
    return queued, dropped


def _resolve_forgot_identifier(ctx: Collaborators, request: RecoveryRequest) -> tuple[int, int]:
    by_address: dict[str, list[AccountRecord]] = {}
    for account in ctx.store.accounts_for_email_key(request.lookup):
        if account.email_verified:
            by_address.setdefault(account.email, []).append(account)
    sent = refused = 0
    for address, holders in by_address.items():
        try:
            take_sends(ctx, "email", address, None)
        except SendLimitReached:
            refused += 1
            continue
        reminder = emails.identifiers_reminder(address, [a.identifier for a in holders])
        # Attached to its account, so deleted with it; a mail naming several accounts is
        # attached to none and goes with the retention purge.
        queue_mail(ctx, reminder, holders[0] if len(holders) == 1 else None)
        sent += 1
    return sent, refused


def _resolve_forgot_password(ctx: Collaborators, request: RecoveryRequest) -> tuple[int, int]:
    identifier = request.lookup
    known = could_be_identifier(identifier)
    account = ctx.store.account_by_identifier(identifier) if known else None
    if account is None or not account.email_verified:
        return 0, 0
    try:
        take_sends(ctx, "email", account.email, account.id)
    except SendLimitReached:
        return 0, 1
    now = ctx.now()
    if is_locked(account.lock_state, now):
        assert account.locked_until is not None
        until = account.locked_until
        queue_mail(
            ctx, emails.reset_refused_locked(account.email, account.identifier, until), account
        )
        return 1, 0
    token = new_token()
    validity = ctx.settings.reset_link_validity
    ctx.store.add_link_token(
        hash_token(token),
        account.id,
        PASSWORD_RESET,
        now=now,
        expires_at=now + validity,
        password_version=account.password_version,
        new_email=account.email,
    )
    link = ctx.settings.base_url.rstrip("/") + RESET_PATH + token
    reset = emails.password_reset(account.email, account.identifier, link, validity)
    queue_mail(ctx, reset, account)
    return 1, 0


def reset_password(ctx: Collaborators, token: str, new_password: str) -> None:
    """Set a new password from a reset link; every session ends and no one is signed in.

    A password the policy refuses leaves the link usable, so the user can try another. The
    reset voids pending email-change links (an intruder who knew the old password may have
    asked for one).

    Raises:
        LinkInvalid: unknown, used, expired, or voided by a password or address change since.
        AccountLocked: the account is locked (A5: no reset while locked).
        PasswordRejected (a subclass): the new password.
    """
    token_hash = hash_token(token)
    now = ctx.now()
    pending = ctx.store.peek_link_token(token_hash, PASSWORD_RESET, now)
    account = ctx.store.account_by_id(pending.account_id) if pending else None
    if (
        pending is None
        or account is None
        or account.password_version != pending.password_version
        or (pending.new_email is not None and pending.new_email != account.email)
    ):
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
        account.id,
        new_hash,
        expected_version=pending.password_version,
        void_links=(PASSWORD_RESET, EMAIL_CHANGE),
    ):
        raise LinkInvalid  # the password changed meanwhile
    notify(ctx, account, emails.password_changed(account.email, account.identifier, now))
