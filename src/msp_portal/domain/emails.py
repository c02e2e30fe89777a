"""The service's emails and SMS, in French plain text (wording after the FAQ of the service)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from msp_portal.domain.paris import paris_date, paris_time

SERVICE = "mon.service-public.fr"
_SIGNATURE = (
    f"\n\nL'équipe {SERVICE}\n\n"
    "Ce courriel vous est envoyé automatiquement, merci de ne pas y répondre."
)
# Rule A10, in the FAQ's words: a requester who mistypes an identifier sends the link to someone
# else, who must be told to ignore it.
_NOT_YOU = (
    "Si vous n'êtes pas à l'origine de cette demande, il se peut que ce courriel vous ait été "
    "envoyé par erreur : la personne qui a fait la demande s'est peut-être trompée dans la saisie "
    "de son identifiant (par exemple une majuscule au lieu d'une minuscule). Dans ce cas, "
    "ignorez simplement ce courriel : votre compte et votre mot de passe ne sont pas modifiés."
)


@dataclass(frozen=True)
class Email:
    """One plain-text email to one address."""

    to: str
    subject: str
    body: str


def _duration_fr(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} heure" + ("s" if hours > 1 else "")
    return f"{minutes} minute" + ("s" if minutes > 1 else "")


def _when(instant: datetime) -> str:
    return f"le {paris_date(instant)} à {paris_time(instant)} (heure de Paris)"


def identifiers_reminder(to: str, identifiers: Sequence[str]) -> Email:
    """Forgot identifier (A3): the identifiers of the accounts attached to this address."""
    listed = "\n".join(f"  - {identifier}" for identifier in identifiers)
    body = (
        "Bonjour,\n\n"
        f"Vous avez demandé à recevoir votre identifiant {SERVICE}. Voici le ou les "
        "identifiants des comptes associés à cette adresse électronique :\n\n"
        f"{listed}\n\n"
        "Attention, l'identifiant respecte les majuscules et les minuscules.\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce courriel : votre identifiant "
        "seul ne permet pas d'accéder à votre compte." + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : votre identifiant", body)


def password_reset(to: str, identifier: str, link: str, validity: timedelta) -> Email:
    """Forgot password (A4, A10): the link where a new password is chosen."""
    body = (
        "Bonjour,\n\n"
        f"Une demande de réinitialisation du mot de passe du compte {SERVICE} « {identifier} » "
        "a été faite. Pour choisir un nouveau mot de passe, ouvrez le lien suivant :\n\n"
        f"{link}\n\n"
        f"Ce lien est valable {_duration_fr(validity)} et ne peut servir qu'une seule fois. "
        "Il n'est plus valable si votre mot de passe est modifié entre-temps.\n\n"
        f"{_NOT_YOU}" + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : réinitialisation de votre mot de passe", body)


def reset_refused_locked(to: str, identifier: str, until: datetime) -> Email:
    """Forgot password while locked (A5): refused; tells the owner when the lock ends."""
    body = (
        "Bonjour,\n\n"
        f"Une demande de réinitialisation du mot de passe du compte {SERVICE} « {identifier} » "
        "a été faite, mais ce compte est verrouillé : on a tenté d'y accéder cinq fois d'affilée "
        "sans succès.\n\n"
        f"Votre compte sera automatiquement déverrouillé {_when(until)}, soit à "
        f"{paris_time(until)}. Pendant que votre compte est verrouillé, vous ne pouvez pas "
        "utiliser la fonctionnalité « Mot de passe oublié ? ». Passé ce délai, nous vous "
        "conseillons d'utiliser cette fonctionnalité pour réinitialiser votre mot de passe afin "
        "de ne pas verrouiller de nouveau votre compte.\n\n"
        f"{_NOT_YOU}" + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : votre compte est verrouillé", body)


def password_changed(to: str, identifier: str, when: datetime) -> Email:
    """Notice after a reset or a change of password: every other session was ended."""
    body = (
        "Bonjour,\n\n"
        f"Le mot de passe de votre compte {SERVICE} « {identifier} » a été modifié {_when(when)}. "
        "Par sécurité, les connexions ouvertes avec l'ancien mot de passe ont été fermées.\n\n"
        "Si vous n'êtes pas à l'origine de cette modification, utilisez sans attendre la "
        "fonctionnalité « Mot de passe oublié ? » de la page d'accueil." + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : votre mot de passe a été modifié", body)


def email_change_confirmation(to: str, identifier: str, link: str, validity: timedelta) -> Email:
    """Change of email (A7): the link, sent to the new address, that confirms it."""
    body = (
        "Bonjour,\n\n"
        f"Vous avez demandé que cette adresse électronique devienne celle du compte {SERVICE} "
        f"« {identifier} ». Pour confirmer ce changement, ouvrez le lien suivant :\n\n"
        f"{link}\n\n"
        f"Ce lien est valable {_duration_fr(validity)} et ne peut servir qu'une seule fois.\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce courriel : l'adresse ne sera "
        "pas modifiée." + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : confirmez votre nouvelle adresse électronique", body)


def email_verification(to: str, identifier: str, link: str, validity: timedelta) -> Email:
    """Account creation: the link that proves the address belongs to the account's holder."""
    body = (
        "Bonjour,\n\n"
        f"Un compte {SERVICE} a été créé avec cette adresse électronique. Pour confirmer "
        "qu'elle est bien la vôtre, ouvrez le lien suivant ; il vous sera demandé de vous "
        "connecter à votre compte si vous ne l'êtes pas déjà :\n\n"
        f"{link}\n\n"
        f"Ce lien est valable {_duration_fr(validity)} et ne peut servir qu'une seule fois. Tant "
        "que l'adresse n'est pas confirmée, aucun courriel de récupération (identifiant oublié, "
        "mot de passe oublié) ne lui est envoyé.\n\n"
        "Si vous n'avez pas créé de compte, la personne qui l'a fait s'est sans doute trompée "
        "en saisissant son adresse : ignorez ce courriel. Votre adresse ne sera pas utilisée et "
        "vous ne recevrez plus rien à ce sujet." + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : confirmez votre adresse électronique", body)


def email_change_requested(to: str, identifier: str, new_email: str, when: datetime) -> Email:
    """Change of email (A7): notice to the current address as soon as a change is asked for."""
    body = (
        "Bonjour,\n\n"
        f"Une demande de remplacement de l'adresse électronique du compte {SERVICE} "
        f"« {identifier} » par {new_email} a été faite {_when(when)}. Le changement n'aura lieu "
        "que si le lien envoyé à la nouvelle adresse est ouvert.\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, quelqu'un connaît votre mot de passe : "
        "modifiez-le sans attendre (ou utilisez la fonctionnalité « Mot de passe oublié ? » de "
        "la page d'accueil). Le changement de mot de passe annule la demande de changement "
        "d'adresse." + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : demande de changement d'adresse électronique", body)


def email_changed_notice(to: str, identifier: str, new_email: str, when: datetime) -> Email:
    """Change of email (A7): notice to the former address once the change is confirmed."""
    body = (
        "Bonjour,\n\n"
        f"L'adresse électronique du compte {SERVICE} « {identifier} » a été remplacée "
        f"{_when(when)} par {new_email}. Les courriels du service (identifiant oublié, mot de "
        "passe oublié, alertes) seront désormais envoyés à cette nouvelle adresse.\n\n"
        "Si vous n'êtes pas à l'origine de cette modification, utilisez sans attendre la "
        "fonctionnalité « Mot de passe oublié ? » de la page d'accueil." + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : votre adresse électronique a été modifiée", body)


def sms_access_enabled(to: str, identifier: str, phone_hint: str, when: datetime) -> Email:
    """A6: SMS access was created (the unlock code is shown on screen only, never emailed)."""
    body = (
        "Bonjour,\n\n"
        f"L'accès par code SMS a été activé {_when(when)} sur le compte {SERVICE} "
        f"« {identifier} », pour le numéro {phone_hint}. À chaque connexion, un code vous sera "
        "envoyé par SMS.\n\n"
        "Conservez le code de déblocage qui vous a été fourni : si vous changez de numéro de "
        "téléphone, il vous sera demandé par la fonctionnalité « Numéro de téléphone modifié »."
        + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : accès par code SMS activé", body)


def sms_access_removed(to: str, identifier: str, when: datetime) -> Email:
    """A6 "phone number changed": SMS access removed; identifier and password are enough now."""
    body = (
        "Bonjour,\n\n"
        f"L'accès par code SMS du compte {SERVICE} « {identifier} » a été supprimé {_when(when)} "
        "à l'aide du code de déblocage (« Numéro de téléphone modifié »). Votre compte est "
        "ainsi débloqué : vous pouvez y accéder de nouveau simplement avec votre identifiant et "
        "votre mot de passe.\n\n"
        "Si vous n'êtes pas à l'origine de cette opération, utilisez sans attendre la "
        "fonctionnalité « Mot de passe oublié ? » de la page d'accueil." + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : accès par code SMS supprimé", body)


def account_deleted(to: str, identifier: str, when: datetime) -> Email:
    """A9: the account was deleted, with its personal data."""
    body = (
        "Bonjour,\n\n"
        f"Votre compte {SERVICE} « {identifier} » a été supprimé {_when(when)}, ainsi que les "
        "données personnelles qu'il contenait. Toutes les connexions ont été fermées.\n\n"
        "L'identifiant reste réservé et ne pourra pas être attribué à un autre compte." + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : votre compte a été supprimé", body)


def sms_sign_in_code(code: str, validity: timedelta) -> str:
    """Text of the SMS carrying a sign-in code."""
    return (
        f"{SERVICE} : votre code de connexion est {code}. Il est valable "
        f"{_duration_fr(validity)}. Ne le communiquez à personne."
    )


def sms_enrolment_code(code: str, validity: timedelta) -> str:
    """Text of the SMS that confirms the phone number when SMS access is enabled."""
    return (
        f"{SERVICE} : votre code de confirmation pour activer l'accès par code SMS est {code}. "
        f"Il est valable {_duration_fr(validity)}."
    )
