"""The collaborators every use case receives, and the steps several use cases share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from msp_portal.domain import limits
from msp_portal.domain.contact import could_be_identifier, email_key
from msp_portal.domain.emails import Email
from msp_portal.domain.limits import Bucket, Limit
from msp_portal.domain.lockout import LockPolicy, is_locked
from msp_portal.domain.model import Session
from msp_portal.domain.passwords import normalise_password
from msp_portal.domain.records import AccountRecord
from msp_portal.domain.tokens import hash_token, new_token
from msp_portal.errors import (
    AccountLocked,
    InvalidCredentials,
    SendLimitReached,
    SessionInvalid,
    TooManyRequests,
)
from msp_portal.ports import (
    Captcha,
    Clock,
    Mailer,
    PasswordHasher,
    ProcedureStore,
    SmsGateway,
    Store,
    Throttle,
)
from msp_portal.settings import PortalSettings

# Purposes of emailed links (stored with each link).
PASSWORD_RESET = "password-reset"  # noqa: S105 - a link purpose, not a secret
EMAIL_CHANGE = "email-change"
EMAIL_VERIFY = "email-verify"


@dataclass(frozen=True)
class Collaborators:
    """Everything a use case talks to; built once by :class:`msp_portal.Portal`.

    ``mailer`` is the transport the mail worker hands queued emails to; use cases queue mail in
    the store (:func:`queue_mail`) and never wait for a relay.
    """

    store: Store
    clock: Clock
    mailer: Mailer
    sms: SmsGateway
    captcha: Captcha
    hasher: PasswordHasher
    settings: PortalSettings
    throttle: Throttle
    procedures: ProcedureStore | None = None  # sign-out closes the procedure in progress (P4)

    def now(self) -> datetime:
        """The clock's instant; a naive one is a wiring mistake and refused."""
        instant = self.clock()
        if instant.tzinfo is None:
            raise ValueError("the clock must return aware datetimes")
        return instant

    @property
    def lock_policy(self) -> LockPolicy:
        """The lock rule's numbers from the settings."""
        return LockPolicy(self.settings.lock_threshold, self.settings.lock_duration)


def client_gate(
    ctx: Collaborators, client_key: str | None, scope: str, limit: Limit
) -> Bucket | None:
    """Take one use of the client's budget for ``scope``; None when no client key was given.

    Raises:
        TooManyRequests: the client used its budget; nothing else was done.
    """
    if client_key is None:
        return None
    gate = limits.bucket(scope, client_key, limit)
    until = ctx.throttle.take_quota([gate], ctx.now())
    if until is not None:
        raise TooManyRequests(until=until)
    return gate


def password_gate(ctx: Collaborators, client_key: str | None) -> Bucket | None:
    """Count one password check against the client (given back if the password is right)."""
    return client_gate(
        ctx, client_key, limits.CLIENT_PASSWORD, ctx.settings.client_password_failures
    )


def forgive_client(ctx: Collaborators, gate: Bucket | None) -> None:
    """The password was right: the client's check is not a failure."""
    if gate is not None:
        ctx.throttle.give_back_quota(gate, ctx.now())


def take_sends(
    ctx: Collaborators, channel: str, destination: str, account_id: int | None
) -> list[Bucket]:
    """Count one message to ``destination`` (and for ``account_id``) against the send limits.

    ``channel`` is ``"sms"`` (destination: an E.164 number) or ``"email"`` (an address, counted
    under its key). Counted in the store, all limits or none.

    Raises:
        SendLimitReached: a limit is reached; nothing was counted.
    """
    settings = ctx.settings
    if channel == "sms":
        scopes = (limits.SMS_PER_ACCOUNT, limits.SMS_PER_DESTINATION)
        per_account, per_destination = settings.sms_per_account, settings.sms_per_destination
    else:
        destination = email_key(destination)
        scopes = (limits.MAIL_PER_ACCOUNT, limits.MAIL_PER_DESTINATION)
        per_account, per_destination = settings.mail_per_account, settings.mail_per_destination
    wanted = limits.buckets(scopes[1], destination, per_destination)
    if account_id is not None:
        wanted += limits.buckets(scopes[0], str(account_id), per_account, account_id=account_id)
    until = ctx.store.take_quota(wanted, ctx.now())
    if until is not None:
        raise SendLimitReached(channel=channel, until=until)
    return wanted


def give_back_sends(ctx: Collaborators, taken: list[Bucket]) -> None:
    """The message was not sent after all: return what :func:`take_sends` counted."""
    now = ctx.now()
    for item in taken:
        ctx.store.give_back_quota(item, now)


def queue_mail(ctx: Collaborators, email: Email, account: AccountRecord | None = None) -> None:
    """Queue ``email`` for the mail worker (attached to ``account``, deleted with it)."""
    ctx.store.enqueue_mail(email, ctx.now(), account_id=account.id if account else None)


def notify(ctx: Collaborators, account: AccountRecord, email: Email) -> None:
    """Queue a notice to the account's address, if that address is verified.

    An unverified address may be someone else's (a typing mistake at creation): it receives
    nothing but its verification link, so a stranger never learns of the account.
    """
    if account.email_verified:
        queue_mail(ctx, email, account)


def find_account(ctx: Collaborators, identifier: str, password: str) -> AccountRecord:
    """The live account named ``identifier``, or InvalidCredentials after a dummy check.

    Unknown and empty identifiers cost one argon2 verification too, and never touch any
    counter: nothing is stored or locked for a name that has no account.
    """
    identifier = identifier.strip()
    known = could_be_identifier(identifier)
    account = ctx.store.account_by_identifier(identifier) if known else None
    if account is None:
        ctx.hasher.verify_dummy(normalise_password(password))
        raise InvalidCredentials
    return account


def check_password(
    ctx: Collaborators, account: AccountRecord, password: str, *, forgive: bool = True
) -> None:
    """Check ``password`` under the lock rule (A5); raise unless it is right.

    The check is counted as a failure before it runs (see domain.lockout); ``forgive`` resets
    the count on success (False when a second factor must confirm the sign-in first). When the
    hash was made with older argon2 parameters, it is replaced by one with the current ones.

    Raises:
        AccountLocked: the account is locked, now or by this very failure.
        InvalidCredentials: the password is wrong.
    """
    admission = ctx.store.admit_password_check(account.id, ctx.now(), ctx.lock_policy)
    if not admission.admitted:
        until = admission.state.locked_until
        if until is not None:
            raise AccountLocked(until=until)
        raise InvalidCredentials  # deleted meanwhile
    normalised = normalise_password(password)
    stored = admission.password_hash
    if stored is None or not ctx.hasher.verify(stored, normalised):
        if admission.state.locked_until is not None:
            raise AccountLocked(until=admission.state.locked_until)
        raise InvalidCredentials
    if ctx.hasher.needs_rehash(stored):
        ctx.store.rehash_password(account.id, stored, ctx.hasher.hash(normalised))
    if forgive:
        ctx.store.clear_failures(account.id)


def refuse_if_locked(ctx: Collaborators, account: AccountRecord, now: datetime) -> None:
    """Raise AccountLocked when the account is locked at ``now``."""
    if is_locked(account.lock_state, now):
        assert account.locked_until is not None
        raise AccountLocked(until=account.locked_until)


def open_session(ctx: Collaborators, account: AccountRecord) -> Session:
    """Start a session: a fresh 256-bit token, stored hashed."""
    now = ctx.now()
    token = new_token()
    ctx.store.add_session(hash_token(token), account.id, now)
    settings = ctx.settings
    return Session(
        token=token,
        identifier=account.identifier,
        created_at=now,
        idle_expires_at=now + settings.session_idle_timeout,
        expires_at=now + settings.session_absolute_timeout,
    )


def session_account(ctx: Collaborators, token: str) -> tuple[AccountRecord, str]:
    """The account behind a live session (touched now), and the session's hash.

    Raises:
        SessionInvalid: unknown, signed out, idle too long, too old, or its account is gone.
    """
    token_hash = hash_token(token)
    settings = ctx.settings
    record = ctx.store.touch_session(
        token_hash,
        ctx.now(),
        idle=settings.session_idle_timeout,
        absolute=settings.session_absolute_timeout,
    )
    account = ctx.store.account_by_id(record.account_id) if record else None
    if account is None:
        raise SessionInvalid
    return account, token_hash
