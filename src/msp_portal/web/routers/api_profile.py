"""JSON API: the signed-in holder's account, contact details, email, password, SMS access."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from msp_portal.web.deps import BearerToken, ClientKey, PortalDep
from msp_portal.web.schemas import (
    AccountOut,
    Contact,
    EmailChange,
    EmailOut,
    ErrorOut,
    LinkToken,
    PartnerLinkOut,
    PartnerLinkRequest,
    Password,
    PasswordChange,
    Resent,
    SmsChallengeOut,
    SmsEnrolmentConfirm,
    SmsEnrolmentStart,
    UnlockCodeOut,
)

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 410, 422, 423, 503)}
router = APIRouter(prefix="/api/v1/account", tags=["profile"], responses=ERRORS)  # type: ignore[arg-type]


@router.get("")
def view_account(token: BearerToken, portal: PortalDep) -> AccountOut:
    """The account: identifier, email, SMS phone, contact details."""
    return AccountOut.of(portal.view_account(token))


@router.put("/contact")
def update_contact(body: Contact, token: BearerToken, portal: PortalDep) -> Contact:
    """Replace the contact details kept for prefilling (A7); answers them as stored."""
    return Contact.of(portal.update_contact_details(token, body.to_domain()))


@router.post("/email-verification")
def verify_email(body: LinkToken, token: BearerToken, portal: PortalDep) -> EmailOut:
    """Verify the address with the link mailed at creation; needs the account's own session."""
    return EmailOut(email=portal.verify_email(token, body.token))


@router.post("/email-verification/resend")
def resend_verification(token: BearerToken, portal: PortalDep, client: ClientKey) -> Resent:
    """Mail a new verification link; ``sent`` is False when the address is verified already."""
    return Resent(sent=portal.resend_verification(token, client_key=client))


@router.post("/email-change", status_code=status.HTTP_202_ACCEPTED)
def request_email_change(
    body: EmailChange, token: BearerToken, portal: PortalDep, client: ClientKey
) -> Response:
    """Change the email (A7): a confirmation link goes to the new address."""
    portal.request_email_change(token, body.password, body.new_email, client_key=client)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post("/email-change/confirm")
def confirm_email_change(body: LinkToken, portal: PortalDep) -> EmailOut:
    """Confirm the new address with the link's token (no session needed: the link is proof)."""
    return EmailOut(email=portal.confirm_email_change(body.token))


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    body: PasswordChange, token: BearerToken, portal: PortalDep, client: ClientKey
) -> None:
    """Change the password (A8); the other sessions end."""
    portal.change_password(token, body.current_password, body.new_password, client_key=client)


@router.post("/delete", status_code=status.HTTP_204_NO_CONTENT)
def delete_account(
    body: Password, token: BearerToken, portal: PortalDep, client: ClientKey
) -> None:
    """Delete the account (A9) with its password; every session ends."""
    portal.delete_account(token, body.password, client_key=client)


@router.post("/sms-access", status_code=status.HTTP_202_ACCEPTED)
def start_sms_enrolment(
    body: SmsEnrolmentStart, token: BearerToken, portal: PortalDep, client: ClientKey
) -> SmsChallengeOut:
    """Enable SMS access, step 1: the password, then a code goes to the phone."""
    enrolment = portal.start_sms_enrolment(token, body.password, body.phone, client_key=client)
    return SmsChallengeOut.of(enrolment)


@router.post("/sms-access/confirm")
def confirm_sms_enrolment(
    body: SmsEnrolmentConfirm, token: BearerToken, portal: PortalDep
) -> UnlockCodeOut:
    """Enable SMS access, step 2: the code received; answers the unlock code, once."""
    code = portal.confirm_sms_enrolment(token, body.enrolment_token, body.code)
    return UnlockCodeOut(unlock_code=code)


@router.get("/partner-links")
def partner_links(token: BearerToken, portal: PortalDep) -> list[PartnerLinkOut]:
    """The account's links with partner organisations."""
    return [PartnerLinkOut.of(link) for link in portal.partner_links(token)]


@router.post("/partner-links", status_code=status.HTTP_201_CREATED)
def create_partner_link(
    body: PartnerLinkRequest, token: BearerToken, portal: PortalDep
) -> Response:
    """Always refused, 403 ``partner-link-creation-closed`` (L1)."""
    portal.create_partner_link(token, body.partner)
    return Response(status_code=status.HTTP_201_CREATED)


@router.delete("/partner-links/{partner}", status_code=status.HTTP_204_NO_CONTENT)
def delete_partner_link(partner: str, token: BearerToken, portal: PortalDep) -> None:
    """Always refused, 403 ``partner-link-deleted-at-partner`` (L2: delete at the partner)."""
    portal.delete_partner_link(token, partner)
