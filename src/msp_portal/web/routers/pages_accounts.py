"""Pages: home, accessibility, account creation, sign-in (and SMS code), sign-out, recovery.

Recovery covers forgot identifier / password, the reset link and "numéro de téléphone modifié".
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from msp_portal.domain.model import Session
from msp_portal.errors import (
    AccountLocked,
    AuthenticationFailed,
    CaptchaFailed,
    IdentifierTaken,
    InvalidInput,
    LinkInvalid,
    PasswordRejected,
    SendLimitReached,
    TooManyRequests,
)
from msp_portal.web.captcha import captcha_response
from msp_portal.web.deps import ClientKey, CsrfChecked, PortalDep, Web, session_cookie
from msp_portal.web.rendering import redirect, render, safe_next
from msp_portal.web.sessions import clear_session_cookie, set_session_cookie

router = APIRouter(include_in_schema=False)
LIMITS = (TooManyRequests, SendLimitReached)
FormText = Annotated[str, Form()]


@router.get("/", name="page_home")
def home(request: Request) -> Response:
    """The home page."""
    return render(request, "accueil.html")


@router.get("/accessibilite", name="page_accessibility")
def accessibility(request: Request) -> Response:
    """The accessibility statement (RGAA)."""
    return render(request, "accessibilite.html")


# --- create an account ---------------------------------------------------------------------------
@router.get("/inscription", name="page_create_account")
def create_account_form(request: Request) -> Response:
    """The account creation form."""
    return render(request, "inscription.html")


@router.post("/inscription", dependencies=[CsrfChecked])
def create_account(
    request: Request,
    portal: PortalDep,
    client: ClientKey,
    identifiant: FormText = "",
    courriel: FormText = "",
    mot_de_passe: FormText = "",
) -> Response:
    """Create the account, then go to sign-in."""
    try:
        portal.create_account(identifiant, courriel, mot_de_passe, client_key=client)
    except (InvalidInput, IdentifierTaken, *LIMITS) as error:
        values = {"identifiant": identifiant, "courriel": courriel}
        return render(request, "inscription.html", error=error, values=values)
    return redirect(request, "page_sign_in", info="compte-cree-verifier")


# --- sign in -------------------------------------------------------------------------------------
@router.get("/connexion", name="page_sign_in")
def sign_in_form(request: Request, suite: str | None = None) -> Response:
    """The sign-in form."""
    return render(request, "connexion.html", values={"suite": safe_next(request, suite) or ""})


def _signed_in(request: Request, session: Session, suite: str) -> Response:
    target = safe_next(request, suite)
    response = RedirectResponse(target, 303) if target else redirect(request, "page_profile")
    set_session_cookie(request, response, session.token)
    return response


@router.post("/connexion", dependencies=[CsrfChecked])
def sign_in(
    request: Request,
    portal: PortalDep,
    client: ClientKey,
    identifiant: FormText = "",
    mot_de_passe: FormText = "",
    suite: FormText = "",
) -> Response:
    """Check identifier and password; then the profile, or the SMS code step."""
    values = {"identifiant": identifiant, "suite": safe_next(request, suite) or ""}
    try:
        result = portal.sign_in(identifiant, mot_de_passe, client_key=client)
    except (AuthenticationFailed, InvalidInput, *LIMITS) as error:
        return render(request, "connexion.html", error=error, values=values)
    if isinstance(result, Session):
        return _signed_in(request, result, suite)
    return render(request, "code_sms.html", challenge=result, values=values)


@router.post("/connexion/code-sms", name="page_sms_code", dependencies=[CsrfChecked])
def sms_code(
    request: Request,
    portal: PortalDep,
    jeton: FormText = "",
    indice: FormText = "",
    code: FormText = "",
    suite: FormText = "",
) -> Response:
    """Finish a sign-in with the SMS code."""
    try:
        session = portal.complete_sign_in(jeton, code)
    except AuthenticationFailed as error:
        values = {"suite": safe_next(request, suite) or ""}
        challenge = {"token": jeton, "phone_hint": indice[:32]}
        return render(request, "code_sms.html", error=error, challenge=challenge, values=values)
    return _signed_in(request, session, suite)


@router.post("/deconnexion", name="page_sign_out", dependencies=[CsrfChecked])
def sign_out(request: Request, portal: PortalDep) -> Response:
    """End the session and forget the cookie."""
    token = session_cookie(request)
    if token is not None:
        portal.sign_out(token)
    response = redirect(request, "page_home", info="deconnecte")
    clear_session_cookie(request, response)
    return response


# --- recovery ------------------------------------------------------------------------------------
@router.get("/identifiant-oublie", name="page_forgot_identifier")
def forgot_identifier_form(request: Request, web: Web) -> Response:
    """Forgot identifier (A3): the address and a captcha."""
    return render(request, "identifiant_oublie.html", question=web.captcha.question())


@router.post("/identifiant-oublie", dependencies=[CsrfChecked])
def forgot_identifier(
    request: Request,
    web: Web,
    client: ClientKey,
    courriel: FormText = "",
    captcha_jeton: FormText = "",
    captcha_reponse: FormText = "",
) -> Response:
    """Send the identifiers to the address, if it has any (the answer is the same)."""
    try:
        web.portal.forgot_identifier(
            courriel, captcha_response(captcha_jeton, captcha_reponse), client_key=client
        )
    except (CaptchaFailed, InvalidInput, *LIMITS) as error:
        question = web.captcha.question()
        values = {"courriel": courriel}
        return render(
            request, "identifiant_oublie.html", error=error, values=values, question=question
        )
    return render(request, "message.html", message_key="identifiant-envoye")


@router.get("/mot-de-passe-oublie", name="page_forgot_password")
def forgot_password_form(request: Request, web: Web) -> Response:
    """Forgot password (A4): the identifier and a captcha."""
    return render(request, "mot_de_passe_oublie.html", question=web.captcha.question())


@router.post("/mot-de-passe-oublie", dependencies=[CsrfChecked])
def forgot_password(
    request: Request,
    web: Web,
    client: ClientKey,
    identifiant: FormText = "",
    captcha_jeton: FormText = "",
    captcha_reponse: FormText = "",
) -> Response:
    """Send a reset link (or the lock notice) to the account's address; the same answer."""
    try:
        web.portal.forgot_password(
            identifiant, captcha_response(captcha_jeton, captcha_reponse), client_key=client
        )
    except (CaptchaFailed, InvalidInput, *LIMITS) as error:
        question = web.captcha.question()
        values = {"identifiant": identifiant}
        return render(
            request, "mot_de_passe_oublie.html", error=error, values=values, question=question
        )
    return render(request, "message.html", message_key="lien-envoye")


@router.get("/mot-de-passe/reinitialiser", name="page_reset_password")
def reset_password_form(request: Request, jeton: str = "") -> Response:
    """The reset link's page: opening it changes nothing (mail scanners open links too)."""
    return render(request, "reinitialiser.html", values={"jeton": jeton[:512]})


@router.post("/mot-de-passe/reinitialiser", dependencies=[CsrfChecked])
def reset_password(
    request: Request, portal: PortalDep, jeton: FormText = "", mot_de_passe: FormText = ""
) -> Response:
    """Set the new password; every session ends; then sign in."""
    try:
        portal.reset_password(jeton, mot_de_passe)
    except PasswordRejected as error:
        return render(request, "reinitialiser.html", error=error, values={"jeton": jeton[:512]})
    except (LinkInvalid, AccountLocked) as error:
        return render(request, "erreur.html", error=error)
    return redirect(request, "page_sign_in", info="mot-de-passe-reinitialise")


@router.get("/telephone-modifie", name="page_phone_changed")
def phone_changed_form(request: Request) -> Response:
    """Phone number changed: identifier, password and unlock code remove SMS access (A6)."""
    return render(request, "telephone_modifie.html")


@router.post("/telephone-modifie", dependencies=[CsrfChecked])
def phone_changed(
    request: Request,
    portal: PortalDep,
    client: ClientKey,
    identifiant: FormText = "",
    mot_de_passe: FormText = "",
    code_deblocage: FormText = "",
) -> Response:
    """Remove SMS access; then sign in with identifier and password alone."""
    try:
        portal.phone_changed(identifiant, mot_de_passe, code_deblocage, client_key=client)
    except (AuthenticationFailed, InvalidInput, *LIMITS) as error:
        values = {"identifiant": identifiant}
        return render(request, "telephone_modifie.html", error=error, values=values)
    return redirect(request, "page_sign_in", info="acces-sms-retire")
