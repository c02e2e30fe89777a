"""Pages of the signed-in holder: profile, contact, email, password, SMS access, links, deletion.

Rules A6-A9 and L1-L3.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from msp_portal.domain.change_of_address import PROFILE_PATH
from msp_portal.domain.contact import Civility, ContactDetails
from msp_portal.domain.dates import DateProblem, format_date_fr, parse_date_fr
from msp_portal.errors import (
    AuthenticationFailed,
    InvalidContactDetails,
    InvalidInput,
    LinkInvalid,
    SendLimitReached,
    SessionInvalid,
    SmsAccessAlreadyEnabled,
    TooManyRequests,
)
from msp_portal.web.deps import ClientKey, CsrfChecked, PageSession, PortalDep
from msp_portal.web.rendering import redirect, render
from msp_portal.web.sessions import clear_session_cookie

router = APIRouter(include_in_schema=False)
LIMITS = (TooManyRequests, SendLimitReached)
FormText = Annotated[str, Form()]

CONTACT_LABELS = {
    "civility": "Civilité",
    "family_name": "Nom",
    "given_names": "Prénoms",
    "birth_date": "Date de naissance",
    "address_line1": "Adresse",
    "address_line2": "Complément d'adresse",
    "postcode": "Code postal",
    "city": "Commune",
    "country": "Pays",
    "phone": "Téléphone",
}


@router.get("/profil", name="page_profile")
def profile(request: Request, session: PageSession, portal: PortalDep) -> Response:
    """The profile: identifier, email, SMS access, contact details."""
    view = portal.view_account(session)
    birth = format_date_fr(view.contact.birth_date) if view.contact.birth_date else ""
    return render(request, "profil.html", account=view, birth_date=birth, labels=CONTACT_LABELS)


# --- contact details -----------------------------------------------------------------------------
@router.get("/profil/coordonnees", name="page_contact")
@router.get(PROFILE_PATH, name="page_contact_link")
def contact_form(request: Request, session: PageSession, portal: PortalDep) -> Response:
    """The contact details form, filled with what is kept.

    Also served at ``PROFILE_PATH`` (``/mon-profil/mes-coordonnees``): the link of the change
    of address's confirmation email ("this declaration does not update your profile", C5).
    """
    contact = portal.view_account(session).contact
    values = {name: getattr(contact, name) or "" for name in CONTACT_LABELS}
    values["civility"] = contact.civility.value if contact.civility else ""
    values["birth_date"] = format_date_fr(contact.birth_date) if contact.birth_date else ""
    return render(request, "coordonnees.html", values=values, labels=CONTACT_LABELS)


@router.post("/profil/coordonnees", dependencies=[CsrfChecked])
def save_contact(
    request: Request,
    session: PageSession,
    portal: PortalDep,
    civility: FormText = "",
    family_name: FormText = "",
    given_names: FormText = "",
    birth_date: FormText = "",
    address_line1: FormText = "",
    address_line2: FormText = "",
    postcode: FormText = "",
    city: FormText = "",
    country: FormText = "",
    phone: FormText = "",
) -> Response:
    """Save the contact details."""
    values = {
        "civility": civility,
        "family_name": family_name,
        "given_names": given_names,
        "birth_date": birth_date,
        "address_line1": address_line1,
        "address_line2": address_line2,
        "postcode": postcode,
        "city": city,
        "country": country,
        "phone": phone,
    }
    try:
        born = parse_date_fr(birth_date.strip()) if birth_date.strip() else None
        if isinstance(born, DateProblem):
            raise InvalidContactDetails(field="birth_date", reason=f"JJ/MM/AAAA ({born})")
        if civility not in {"", *Civility}:
            raise InvalidContactDetails(field="civility", reason="M. or Mme")
        details = ContactDetails(
            civility=Civility(civility) if civility else None,
            family_name=family_name,
            given_names=given_names,
            birth_date=born,
            address_line1=address_line1,
            address_line2=address_line2,
            postcode=postcode,
            city=city,
            country=country,
            phone=phone,
        )
        portal.update_contact_details(session, details)
    except InvalidContactDetails as error:
        return render(
            request,
            "coordonnees.html",
            error=error,
            values=values,
            labels=CONTACT_LABELS,
            field_label=CONTACT_LABELS.get(str(error.facts.get("field")), ""),
        )
    return redirect(request, "page_profile", info="coordonnees-enregistrees")


# --- email address -------------------------------------------------------------------------------
@router.get("/profil/adresse-electronique", name="page_email_change")
def email_change_form(request: Request, session: PageSession) -> Response:
    """Change the email address: the new one and the password."""
    return render(request, "adresse_electronique.html")


@router.post("/profil/adresse-electronique", dependencies=[CsrfChecked])
def email_change(
    request: Request,
    session: PageSession,
    portal: PortalDep,
    client: ClientKey,
    courriel: FormText = "",
    mot_de_passe: FormText = "",
) -> Response:
    """Send the confirmation link to the new address."""
    try:
        portal.request_email_change(session, mot_de_passe, courriel, client_key=client)
    except (InvalidInput, AuthenticationFailed, *LIMITS) as error:
        if isinstance(error, SessionInvalid):
            raise
        field = "mot_de_passe" if isinstance(error, AuthenticationFailed) else None
        return render(
            request,
            "adresse_electronique.html",
            error=error,
            error_field=field,
            values={"courriel": courriel},
        )
    return render(request, "message.html", message_key="confirmation-envoyee", email=courriel)


@router.get("/profil/confirmer-adresse", name="page_email_confirm")
def email_confirm_form(request: Request, jeton: str = "") -> Response:
    """The confirmation link's page: a button, so that a mail scanner opening it changes nothing."""
    return render(request, "confirmer_adresse.html", values={"jeton": jeton[:512]})


@router.post("/profil/confirmer-adresse", dependencies=[CsrfChecked])
def email_confirm(request: Request, portal: PortalDep, jeton: FormText = "") -> Response:
    """Confirm the new address."""
    try:
        new_email = portal.confirm_email_change(jeton)
    except LinkInvalid as error:
        return render(request, "erreur.html", error=error)
    return render(request, "message.html", message_key="adresse-changee", email=new_email)


# --- verification of the address (at creation) ----------------------------------------------------
@router.get("/compte/verifier-adresse", name="page_email_verify")
def verify_form(request: Request, session: PageSession, jeton: str = "") -> Response:
    """The verification link's page: it works in a session of the account itself."""
    return render(request, "verifier_adresse.html", values={"jeton": jeton[:512]})


@router.post("/compte/verifier-adresse", dependencies=[CsrfChecked])
def verify(
    request: Request, session: PageSession, portal: PortalDep, jeton: FormText = ""
) -> Response:
    """Verify the address."""
    try:
        email = portal.verify_email(session, jeton)
    except LinkInvalid as error:
        return render(request, "erreur.html", error=error)
    return render(request, "message.html", message_key="adresse-verifiee", email=email)


@router.post("/profil/renvoyer-verification", name="page_resend", dependencies=[CsrfChecked])
def resend(
    request: Request, session: PageSession, portal: PortalDep, client: ClientKey
) -> Response:
    """Mail a new verification link."""
    try:
        portal.resend_verification(session, client_key=client)
    except LIMITS as error:
        return render(request, "erreur.html", error=error)
    return redirect(request, "page_profile", info="verification-renvoyee")


# --- password ------------------------------------------------------------------------------------
@router.get("/profil/mot-de-passe", name="page_password_change")
def password_change_form(request: Request, session: PageSession) -> Response:
    """Change the password: the current one and the new one."""
    return render(request, "mot_de_passe.html")


@router.post("/profil/mot-de-passe", dependencies=[CsrfChecked])
def password_change(
    request: Request,
    session: PageSession,
    portal: PortalDep,
    client: ClientKey,
    mot_de_passe_actuel: FormText = "",
    mot_de_passe: FormText = "",
) -> Response:
    """Change the password; the other sessions end."""
    try:
        portal.change_password(session, mot_de_passe_actuel, mot_de_passe, client_key=client)
    except (InvalidInput, AuthenticationFailed, *LIMITS) as error:
        if isinstance(error, SessionInvalid):
            raise
        field = "mot_de_passe_actuel" if isinstance(error, AuthenticationFailed) else None
        return render(request, "mot_de_passe.html", error=error, error_field=field)
    return redirect(request, "page_profile", info="mot-de-passe-change")


# --- deletion ------------------------------------------------------------------------------------
@router.get("/profil/supprimer", name="page_delete_account")
def delete_form(request: Request, session: PageSession) -> Response:
    """Delete the account: what goes, what stays, and the password to confirm."""
    return render(request, "supprimer.html")


@router.post("/profil/supprimer", dependencies=[CsrfChecked])
def delete(
    request: Request,
    session: PageSession,
    portal: PortalDep,
    client: ClientKey,
    mot_de_passe: FormText = "",
) -> Response:
    """Delete the account; the cookie goes too."""
    try:
        portal.delete_account(session, mot_de_passe, client_key=client)
    except (AuthenticationFailed, InvalidInput, *LIMITS) as error:
        if isinstance(error, SessionInvalid):
            raise
        return render(request, "supprimer.html", error=error, error_field="mot_de_passe")
    response = redirect(request, "page_home", info="compte-supprime")
    clear_session_cookie(request, response)
    return response


# --- SMS access ----------------------------------------------------------------------------------
@router.get("/profil/acces-sms", name="page_sms_access")
def sms_access_form(request: Request, session: PageSession) -> Response:
    """Enable SMS access, step 1: the mobile number and the password."""
    return render(request, "acces_sms.html")


@router.post("/profil/acces-sms", dependencies=[CsrfChecked])
def sms_access_start(
    request: Request,
    session: PageSession,
    portal: PortalDep,
    client: ClientKey,
    telephone: FormText = "",
    mot_de_passe: FormText = "",
) -> Response:
    """Send the code to the phone; then the code's form."""
    try:
        enrolment = portal.start_sms_enrolment(session, mot_de_passe, telephone, client_key=client)
    except (InvalidInput, AuthenticationFailed, SmsAccessAlreadyEnabled, *LIMITS) as error:
        if isinstance(error, SessionInvalid):
            raise
        field = "mot_de_passe" if isinstance(error, AuthenticationFailed) else None
        values = {"telephone": telephone}
        return render(request, "acces_sms.html", error=error, error_field=field, values=values)
    return render(request, "acces_sms_code.html", enrolment=enrolment)


@router.post("/profil/acces-sms/code", name="page_sms_access_code", dependencies=[CsrfChecked])
def sms_access_confirm(
    request: Request,
    session: PageSession,
    portal: PortalDep,
    jeton: FormText = "",
    indice: FormText = "",
    code: FormText = "",
) -> Response:
    """Check the code; show the unlock code once."""
    try:
        unlock_code = portal.confirm_sms_enrolment(session, jeton, code)
    except (AuthenticationFailed, SmsAccessAlreadyEnabled) as error:
        if isinstance(error, SessionInvalid):
            raise
        enrolment = {"token": jeton, "phone_hint": indice[:32]}
        return render(request, "acces_sms_code.html", error=error, enrolment=enrolment)
    return render(request, "acces_sms_active.html", unlock_code=unlock_code)


# --- partner links -------------------------------------------------------------------------------
@router.get("/profil/liaisons", name="page_partner_links")
def partner_links(request: Request, session: PageSession, portal: PortalDep) -> Response:
    """The account's links with partner organisations, and how to manage them (L1-L3)."""
    return render(request, "liaisons.html", links=portal.partner_links(session))
