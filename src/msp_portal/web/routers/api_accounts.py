"""JSON API: accounts, sign-in (and its SMS step), sign-out, recovery, SMS access, captcha."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from msp_portal.domain.model import Session
from msp_portal.web.deps import BearerToken, ClientKey, PortalDep, Web
from msp_portal.web.schemas import (
    CaptchaOut,
    CreateAccount,
    ErrorOut,
    ForgotIdentifier,
    ForgotPassword,
    PhoneChanged,
    ResetPassword,
    SessionOut,
    SignIn,
    SignInOut,
    SmsChallengeOut,
    SmsCode,
)

ERRORS = {code: {"model": ErrorOut} for code in (401, 409, 410, 422, 423, 503)}
router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=ERRORS)  # type: ignore[arg-type]


@router.post("/accounts", status_code=status.HTTP_201_CREATED)
def create_account(body: CreateAccount, portal: PortalDep, client: ClientKey) -> Response:
    """Create an account (A1): the identifier can never change afterwards."""
    portal.create_account(body.identifier, body.email, body.password, client_key=client)
    return Response(status_code=status.HTTP_201_CREATED)


@router.post("/sessions", status_code=status.HTTP_201_CREATED)
def sign_in(body: SignIn, portal: PortalDep, client: ClientKey, response: Response) -> SignInOut:
    """Sign in (A2). With SMS access, answers 202 and the code's challenge (A6)."""
    result = portal.sign_in(body.identifier, body.password, client_key=client)
    if isinstance(result, Session):
        return SignInOut(status="signed-in", session=SessionOut.of(result))
    response.status_code = status.HTTP_202_ACCEPTED
    return SignInOut(status="sms-code-required", sms_challenge=SmsChallengeOut.of(result))


@router.post("/sessions/sms", status_code=status.HTTP_201_CREATED)
def complete_sign_in(body: SmsCode, portal: PortalDep) -> SessionOut:
    """Finish a sign-in with the SMS code sent for it."""
    return SessionOut.of(portal.complete_sign_in(body.challenge_token, body.code))


@router.delete("/sessions/current", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(token: BearerToken, portal: PortalDep) -> None:
    """Sign out: the session ends."""
    portal.sign_out(token)


@router.get("/captcha")
def captcha(web: Web) -> CaptchaOut:
    """A captcha question for the recovery requests."""
    question = web.captcha.question()
    return CaptchaOut(prompt=question.prompt, token=question.token)


@router.post("/recovery/identifier", status_code=status.HTTP_202_ACCEPTED)
def forgot_identifier(body: ForgotIdentifier, portal: PortalDep, client: ClientKey) -> Response:
    """Forgot identifier (A3): the identifiers go to the address, if it has any."""
    portal.forgot_identifier(body.email, body.captcha_response, client_key=client)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post("/recovery/password", status_code=status.HTTP_202_ACCEPTED)
def forgot_password(body: ForgotPassword, portal: PortalDep, client: ClientKey) -> Response:
    """Forgot password (A4): a reset link goes to the account's address (same answer always)."""
    portal.forgot_password(body.identifier, body.captcha_response, client_key=client)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post("/recovery/password/reset", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(body: ResetPassword, portal: PortalDep) -> None:
    """Choose a new password with the token of a reset link."""
    portal.reset_password(body.token, body.new_password)


@router.post("/sms-access/phone-changed", status_code=status.HTTP_204_NO_CONTENT)
def phone_changed(body: PhoneChanged, portal: PortalDep, client: ClientKey) -> None:
    """Phone number changed: identifier, password and unlock code remove SMS access (A6)."""
    portal.phone_changed(body.identifier, body.password, body.unlock_code, client_key=client)
