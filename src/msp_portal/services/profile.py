"""Profile (A7-A9): contact details, change of email, change of password, deletion."""

from __future__ import annotations

from msp_portal.domain import emails
from msp_portal.domain.contact import ContactDetails, check_contact_details, check_email, email_key
from msp_portal.domain.model import AccountView
from msp_portal.domain.paris import PARIS
from msp_portal.domain.passwords import check_new_password
from msp_portal.domain.tokens import hash_token, new_token
from msp_portal.errors import LinkInvalid
from msp_portal.services.context import Collaborators, check_password, session_account

EMAIL_CHANGE = "email-change"
EMAIL_CHANGE_PATH = "/profil/confirmer-adresse?jeton="


def view_account(ctx: Collaborators, session_token: str) -> AccountView:
    """What the signed-in holder sees: identifier, email, SMS phone, contact details."""
    account, _ = session_account(ctx, session_token)
    return AccountView(
        identifier=account.identifier,
        email=account.email,
        created_at=account.created_at,
        sms_phone=account.sms_phone,
        contact=ctx.store.contact_details(account.id),
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
    ctx: Collaborators, session_token: str, password: str, new_email: str
) -> None:
    """Ask to change the email (A7): needs the password; a link goes to the new address.

    Nothing changes until the link is opened (:func:`confirm_email_change`).

    Raises:
        SessionInvalid, InvalidEmail, InvalidCredentials / AccountLocked (counted check).
    """
    account, _ = session_account(ctx, session_token)
    new_email = check_email(new_email)
    check_password(ctx, account, password)
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
    ctx.mailer.send(emails.email_change_confirmation(new_email, account.identifier, link, validity))


def confirm_email_change(ctx: Collaborators, token: str) -> str:
    """Open the confirmation link: the new address replaces the old, which is notified.

    Returns the new address.

    Raises:
        LinkInvalid: unknown, used, expired, or the account is gone.
    """
    now = ctx.now()
    used = ctx.store.use_link_token(hash_token(token), EMAIL_CHANGE, now)
    account = ctx.store.account_by_id(used.account_id) if used else None
    if used is None or used.new_email is None or account is None:
        raise LinkInvalid
    ctx.store.set_email(account.id, used.new_email, email_key(used.new_email))
    ctx.mailer.send(
        emails.email_changed_notice(account.email, account.identifier, used.new_email, now)
    )
    return used.new_email


def change_password(
    ctx: Collaborators, session_token: str, current_password: str, new_password: str
) -> None:
    """Change the password (A8): needs the current one; every other session ends.

    Raises:
        SessionInvalid, InvalidCredentials / AccountLocked (counted check), PasswordRejected.
    """
    account, session_hash = session_account(ctx, session_token)
    check_password(ctx, account, current_password)
    normalised = check_new_password(
        new_password,
        identifier=account.identifier,
        minimum=ctx.settings.password_min_length,
        maximum=ctx.settings.password_max_length,
    )
    ctx.store.change_password(account.id, ctx.hasher.hash(normalised), keep_session=session_hash)
    ctx.mailer.send(emails.password_changed(account.email, account.identifier, ctx.now()))


def delete_account(ctx: Collaborators, session_token: str, password: str) -> None:
    """Delete the account (A9): needs the password; personal data go, every session ends.

    The identifier stays reserved so that it never names anyone else (A1); see docs/portal.md.

    Raises:
        SessionInvalid, InvalidCredentials / AccountLocked (counted check).
    """
    account, _ = session_account(ctx, session_token)
    check_password(ctx, account, password)
    now = ctx.now()
    # The notice goes first: after deletion the address is no longer known.
    ctx.mailer.send(emails.account_deleted(account.email, account.identifier, now))
    ctx.store.delete_account(account.id, now)
