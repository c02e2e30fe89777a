"""Profile (A7-A9): contact details, change of email, change of password, deletion."""

from __future__ import annotations

from msp_portal.domain import emails
from msp_portal.domain.contact import ContactDetails, check_contact_details, check_email, email_key
from msp_portal.domain.model import AccountView
from msp_portal.domain.paris import PARIS
from msp_portal.domain.passwords import check_new_password
from msp_portal.domain.tokens import hash_token, new_token
from msp_portal.errors import LinkInvalid
from msp_portal.services.context import (
    EMAIL_CHANGE,
    EMAIL_VERIFY,
    PASSWORD_RESET,
    Collaborators,
    check_password,
    forgive_client,
    notify,
    password_gate,
    queue_mail,
    session_account,
    take_sends,
)

EMAIL_CHANGE_PATH = "/profil/confirmer-adresse?jeton="


def view_account(ctx: Collaborators, session_token: str) -> AccountView:
    """What the signed-in holder sees: identifier, email (verified or not), SMS phone, contact."""
    account, _ = session_account(ctx, session_token)
    return AccountView(
        identifier=account.identifier,
        email=account.email,
        created_at=account.created_at,
        sms_phone=account.sms_phone,
        contact=ctx.store.contact_details(account.id),
        email_verified=account.email_verified,
    )


def update_contact_details(
    ctx: Collaborators, session_token: str, details: ContactDetails
) -> ContactDetails:
    """Replace the contact details kept for prefilling (A7); returns them as stored.

    Raises:
        SessionInvalid, InvalidContactDetails.
    """
    account, _ = session_account(ctx, session_token)
    now = ctx.now()
    checked = check_contact_details(details, today=now.astimezone(PARIS).date())
    ctx.store.save_contact_details(account.id, checked, now)
    return checked


def request_email_change(
    ctx: Collaborators,
    session_token: str,
    password: str,
    new_email: str,
    *,
    client_key: str | None = None,
) -> None:
    """Ask to change the email (A7): needs the password; a link goes to the new address.

    Nothing changes until the link is opened (:func:`confirm_email_change`). The current
    address is told at once (if verified), so that an intruder who knows the password is seen;
    a password change or reset then voids the request.

    Raises:
        SessionInvalid, InvalidEmail, TooManyRequests, InvalidCredentials / AccountLocked
        (counted check), SendLimitReached (too many links for this account or address lately).
    """
    account, _ = session_account(ctx, session_token)
    new_email = check_email(new_email)
    gate = password_gate(ctx, client_key)
    check_password(ctx, account, password)
    forgive_client(ctx, gate)
    take_sends(ctx, "email", new_email, account.id)
    now = ctx.now()
    token = new_token()
    validity = ctx.settings.email_change_link_validity
    ctx.store.add_link_token(
        hash_token(token),
        account.id,
        EMAIL_CHANGE,
        now=now,
        expires_at=now + validity,
        password_version=account.password_version,
        new_email=new_email,
    )
    link = ctx.settings.base_url.rstrip("/") + EMAIL_CHANGE_PATH + token
    queue_mail(
        ctx,
        emails.email_change_confirmation(new_email, account.identifier, link, validity),
        account,
    )
    notice = emails.email_change_requested(account.email, account.identifier, new_email, now)
    notify(ctx, account, notice)


def confirm_email_change(ctx: Collaborators, token: str) -> str:
    """Open the confirmation link: the new address replaces the old, which is notified.

    The new address is verified by this very link. Pending reset, verification and other
    email-change links are voided (a reset link went to the old address). Returns the new address.

    Raises:
        LinkInvalid: unknown, used, expired, voided by a password change since, or the account
            is gone.
    """
    now = ctx.now()
    used = ctx.store.use_link_token(hash_token(token), EMAIL_CHANGE, now)
    account = ctx.store.account_by_id(used.account_id) if used else None
    if (
        used is None
        or used.new_email is None
        or account is None
        or account.password_version != used.password_version
    ):
        raise LinkInvalid
    ctx.store.change_email(
        account.id,
        used.new_email,
        email_key(used.new_email),
        verified_at=now,
        void_links=(PASSWORD_RESET, EMAIL_CHANGE, EMAIL_VERIFY),
    )
    notice = emails.email_changed_notice(account.email, account.identifier, used.new_email, now)
    notify(ctx, account, notice)
    return used.new_email


def change_password(
    ctx: Collaborators,
    session_token: str,
    current_password: str,
    new_password: str,
    *,
    client_key: str | None = None,
) -> None:
    """Change the password (A8): needs the current one; every other session ends.

    Pending reset and email-change links are voided.

    Raises:
        SessionInvalid, TooManyRequests, InvalidCredentials / AccountLocked (counted check),
        PasswordRejected.
    """
    account, session_hash = session_account(ctx, session_token)
    gate = password_gate(ctx, client_key)
    check_password(ctx, account, current_password)
    forgive_client(ctx, gate)
    normalised = check_new_password(
        new_password,
        identifier=account.identifier,
        minimum=ctx.settings.password_min_length,
        maximum=ctx.settings.password_max_length,
    )
    ctx.store.change_password(
        account.id,
        ctx.hasher.hash(normalised),
        keep_session=session_hash,
        void_links=(PASSWORD_RESET, EMAIL_CHANGE),
    )
    notify(ctx, account, emails.password_changed(account.email, account.identifier, ctx.now()))


def delete_account(
    ctx: Collaborators, session_token: str, password: str, *, client_key: str | None = None
) -> None:
    """Delete the account (A9): needs the password; personal data go, every session ends.

    Its queued SMS and emails are deleted with it; the notice of deletion is queued afterwards,
    attached to no account, and only to a verified address. The identifier stays reserved so
    that it never names anyone else (A1); see docs/portal.md.

    Raises:
        SessionInvalid, TooManyRequests, InvalidCredentials / AccountLocked (counted check).
    """
    account, _ = session_account(ctx, session_token)
    gate = password_gate(ctx, client_key)
    check_password(ctx, account, password)
    forgive_client(ctx, gate)
    now = ctx.now()
    farewell = emails.account_deleted(account.email, account.identifier, now)
    ctx.store.delete_account(account.id, now, farewell if account.email_verified else None)
