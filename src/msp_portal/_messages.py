"""English and French wording of msp_portal's error codes (services may render their own)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from msp_portal.domain.paris import paris_date, paris_time

if TYPE_CHECKING:
    from msp_portal.errors import PortalError

ERRORS: dict[str, tuple[str, str]] = {
    "portal-error": (
        "Something went wrong. Please try again later.",
        "Une erreur est survenue. Veuillez réessayer plus tard.",
    ),
    "authentication-failed": (
        "Sign-in failed.",
        "La connexion a échoué.",
    ),
    "invalid-credentials": (
        "The identifier or the password is wrong. Identifiers are case-sensitive.",
        "L'identifiant ou le mot de passe est incorrect. L'identifiant respecte les majuscules "
        "et les minuscules.",
    ),
    "account-locked": (
        "Your account is locked after five failed attempts in a row. It unlocks by itself at "
        "{until_time} (Paris time) on {until_date}.",
        "Votre compte est verrouillé après cinq tentatives incorrectes d'affilée. Il sera "
        "automatiquement déverrouillé le {until_date} à {until_time} (heure de Paris).",
    ),
    "sms-code-invalid": (
        "The code is wrong ({remaining} attempts left for this code).",
        "Le code est incorrect (encore {remaining} essais pour ce code).",
    ),
    "sms-challenge-invalid": (
        "This code can no longer be used. Sign in again to receive a new code.",
        "Ce code ne peut plus être utilisé. Connectez-vous de nouveau pour recevoir un nouveau "
        "code.",
    ),
    "session-invalid": (
        "Your session has ended. Please sign in again.",
        "Votre session a expiré. Veuillez vous reconnecter.",
    ),
    "invalid-input": (
        "A value is not valid.",
        "Une valeur saisie n'est pas valide.",
    ),
    "invalid-identifier": (
        "This identifier cannot be used: it must have {minimum} to {maximum} characters among "
        "letters without accents, digits and . _ - @.",
        "Cet identifiant ne peut pas être utilisé : il doit compter de {minimum} à {maximum} "
        "caractères parmi les lettres sans accent, les chiffres et . _ - @.",
    ),
    "invalid-email": (
        "This email address is not valid.",
        "Cette adresse électronique n'est pas valide.",
    ),
    "invalid-phone": (
        "This is not a mobile phone number that can receive SMS.",
        "Ce numéro n'est pas un numéro de téléphone mobile pouvant recevoir des SMS.",
    ),
    "invalid-contact-details": (
        "The field {field} is not valid ({reason}).",
        "Le champ {field} n'est pas valide ({reason}).",
    ),
    "password-rejected": (
        "This password cannot be used.",
        "Ce mot de passe ne peut pas être utilisé.",
    ),
    "password-too-short": (
        "The password is too short: at least {minimum} characters are needed. A sentence that "
        "you remember easily makes a good password.",
        "Le mot de passe est trop court : il faut au moins {minimum} caractères. Une phrase "
        "facile à retenir fait un bon mot de passe.",
    ),
    "password-too-long": (
        "The password is too long ({length} characters; at most {maximum}).",
        "Le mot de passe est trop long ({length} caractères ; {maximum} au plus).",
    ),
    "password-too-common": (
        "This password is too common or has appeared in data breaches. Choose another one.",
        "Ce mot de passe est trop courant ou figure dans des fuites de données. Choisissez-en "
        "un autre.",
    ),
    "password-contains-identifier": (
        "The password must not contain your identifier.",
        "Le mot de passe ne doit pas contenir votre identifiant.",
    ),
    "identifier-taken": (
        "This identifier is not available. Choose another one.",
        "Cet identifiant n'est pas disponible. Choisissez-en un autre.",
    ),
    "captcha-failed": (
        "The letters copied do not match. Please try again.",
        "Les lettres recopiées ne correspondent pas. Veuillez réessayer.",
    ),
    "link-invalid": (
        "This link is no longer valid (already used, expired, or replaced). Make a new request.",
        "Ce lien n'est plus valable (déjà utilisé, expiré ou remplacé). Faites une nouvelle "
        "demande.",
    ),
    "sms-already-enabled": (
        "SMS access is already enabled on this account.",
        "L'accès par code SMS est déjà activé sur ce compte.",
    ),
    "sms-not-enabled": (
        "This account has no SMS access.",
        "Ce compte n'utilise pas l'accès par code SMS.",
    ),
    "partner-link-error": (
        "This request about a partner link cannot be met.",
        "Cette demande concernant une liaison de comptes ne peut pas aboutir.",
    ),
    "partner-link-creation-closed": (
        "Creating a link with a partner organisation is no longer available.",
        "La création de liaison n'est plus disponible.",
    ),
    "partner-link-deleted-at-partner": (
        "A link is deleted from the partner's site: sign in there and use 'Gérer ma liaison'.",
        "Pour supprimer une liaison de comptes, connectez-vous directement sur votre compte sur "
        "le site de l'organisme partenaire, puis utilisez le lien « Gérer ma liaison ».",
    ),
    "unknown-partner": (
        "Unknown partner organisation: {partner}.",
        "Organisme partenaire inconnu : {partner}.",
    ),
    "partner-not-authorised": (
        "The partner call is not authorised.",
        "L'appel de l'organisme partenaire n'est pas autorisé.",
    ),
    "partner-link-not-found": (
        "No such link.",
        "Cette liaison n'existe pas.",
    ),
    "resume-credentials-invalid": (
        "The file number or the password is wrong. Both are in the confirmation email sent when "
        "the procedure was saved.",
        "Le numéro de télédossier ou le mot de passe est incorrect. Ils figurent dans le courriel "
        "de confirmation reçu lors de l'enregistrement de la démarche.",
    ),
    "dossier-locked": (
        "Too many wrong entries: this saved procedure is locked until {until_time} (Paris time) "
        "on {until_date}.",
        "Trop de saisies incorrectes : ce dossier sauvegardé est verrouillé jusqu'au {until_date} "
        "à {until_time} (heure de Paris).",
    ),
    "answers-malformed": (
        "The form sent a value that cannot be accepted ({path}: {reason}). Reload the page and "
        "try again.",
        "Le formulaire a envoyé une valeur qui ne peut pas être acceptée ({path} : {reason}). "
        "Rechargez la page et réessayez.",
    ),
    "answers-incomplete": (
        "{count} answer(s) must be completed or corrected before the request can be sent.",
        "{count} réponse(s) doivent être complétées ou corrigées avant de transmettre la demande.",
    ),
    "invalid-reference": (
        "This is not a valid reference: it starts with A-1 or A-2, as in the confirmation email. "
        "Check each character.",
        "Cette référence n'est pas valide : elle commence par A-1 ou A-2, comme dans le courriel "
        "de confirmation. Vérifiez chaque caractère.",
    ),
    "procedure-error": (
        "This request about an online procedure cannot be met.",
        "Cette demande concernant une démarche en ligne ne peut pas aboutir.",
    ),
    "unknown-procedure": (
        "Unknown online procedure: {procedure}.",
        "Démarche en ligne inconnue : {procedure}.",
    ),
    "procedure-in-progress": (
        "You already have a procedure in progress (« {title} »). Finish it, save it or abandon "
        "it, or sign out: you can then start another one.",
        "Vous avez déjà une démarche en cours (« {title} »). Terminez-la, enregistrez-la ou "
        "abandonnez-la, ou cliquez sur « Déconnexion » : vous pourrez ensuite en commencer une "
        "autre.",
    ),
    "dossier-not-found": (
        "This file does not exist or does not belong to your account.",
        "Ce dossier n'existe pas ou n'appartient pas à votre compte.",
    ),
    "illegal-transition": (
        "This file cannot be {action} now (it is {state}).",
        "Ce dossier ne peut pas faire l'objet de cette action ({action}) dans son état actuel "
        "({state}).",
    ),
    "dossier-frozen": (
        "The file {reference} has been sent: it can be neither cancelled nor modified. Report "
        "any change directly to the organisations it was sent to.",
        "Le dossier {reference} a été transmis : il ne peut être ni annulé ni modifié. Signalez "
        "directement les modifications à opérer aux organismes destinataires de votre démarche.",
    ),
    "draft-expired": (
        "This saved procedure's link was valid for 15 days, until {expired_at_date} at "
        "{expired_at_time} (Paris time). Please start the procedure again from your account.",
        "Le lien de reprise de ce dossier sauvegardé n'était valable que 15 jours, jusqu'au "
        "{expired_at_date} à {expired_at_time} (heure de Paris). Nous vous invitons à effectuer "
        "la démarche de nouveau depuis votre compte.",
    ),
    "attachment-refused": (
        "This document cannot be attached as « {slot} » ({reason}).",
        "Ce document ne peut pas être joint en tant que « {slot} » ({reason}).",
    ),
    "delivery-not-found": (
        "No file with this reference was sent to this organisation.",
        "Aucun dossier portant cette référence n'a été transmis à cet organisme.",
    ),
    "definition-invalid": (
        "The definition of a procedure is wrong ({source}, {path}: {reason}).",
        "La définition d'une démarche est erronée ({source}, {path} : {reason}).",
    ),
    "dossier-tampered": (
        "A sent file no longer matches what was sent. The service's team has been alerted; "
        "please contact them.",
        "Un dossier transmis ne correspond plus à ce qui a été transmis. L'équipe du service "
        "est alertée ; contactez-la.",
    ),
    "delivery-failed": (
        "The {channel} could not be sent ({reason}). Please try again later.",
        "Le message ({channel}) n'a pas pu être envoyé ({reason}). Veuillez réessayer plus tard.",
    ),
    "storage-error": (
        "The service is temporarily unavailable ({reason}). Please try again later.",
        "Le service est momentanément indisponible ({reason}). Veuillez réessayer plus tard.",
    ),
    "schema-too-new": (
        "The database was set up by a newer version (schema {found}; this version knows up to "
        "{supported}). Upgrade msp_portal.",
        "La base de données a été créée par une version plus récente (schéma {found} ; cette "
        "version connaît jusqu'à {supported}). Mettez msp_portal à jour.",
    ),
}


class _Facts(dict[str, Any]):
    """Facts with derived values, and a visible marker for a missing one (never a KeyError)."""

    def __missing__(self, key: str) -> str:
        for suffix, render in (("_time", paris_time), ("_date", paris_date)):
            if key.endswith(suffix):
                raw = self.get(key[: -len(suffix)])
                return render(raw) if isinstance(raw, datetime) else "?"
        return "?"


def _fill(template: str, facts: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Facts(facts))


def render_error(error: PortalError, lang: str = "en") -> str:
    """Render ``error`` from its code and facts, in English or French (``lang`` "fr...")."""
    templates = ERRORS.get(error.code) or ERRORS["portal-error"]
    return _fill(templates[1 if str(lang).lower().startswith("fr") else 0], error.facts)
