"""English and French wording of msp_portal's error codes (services may render their own)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from msp_portal.domain.dates import format_date_fr
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
    "sms-code-malformed": (
        "A code has {digits} digits. Type the code received by SMS ({remaining} attempts left "
        "for this code).",
        "Un code compte {digits} chiffres. Saisissez le code reçu par SMS (encore {remaining} "
        "essais pour ce code).",
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
        "The value given for {field} cannot be used ({reason}). Check what was typed.",
        "La valeur saisie pour {field} ne peut pas être utilisée ({reason}). Vérifiez votre "
        "saisie.",
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
        "This is not a mobile phone number to which the service can send SMS.",
        "Ce numéro n'est pas un numéro de téléphone mobile auquel le service peut envoyer des SMS.",
    ),
    "invalid-contact-details": (
        "The field {field} is not valid ({reason}).",
        "Le champ {field} n'est pas valide ({reason}).",
    ),
    "invalid-document-title": (
        "The document's title is not valid ({reason}): give a title of 1 to {maximum} "
        "characters, on one line.",
        "Le titre du document n'est pas valide ({reason}) : indiquez un titre de 1 à {maximum} "
        "caractères, sur une seule ligne.",
    ),
    "invalid-upload-name": (
        "The name of file {index} is not valid ({reason}); rename the file (at most {maximum} "
        "characters) and add it again.",
        "Le nom du fichier {index} n'est pas valide ({reason}) ; renommez le fichier ({maximum} "
        "caractères au plus) et ajoutez-le de nouveau.",
    ),
    "invalid-upload": (
        "Add 1 to {maximum} files to make a document (file {index}: {reason}).",
        "Ajoutez de 1 à {maximum} fichiers pour constituer un document (fichier {index} : "
        "{reason}).",
    ),
    "invalid-category": (
        "Choose one of the categories offered ({allowed}).",
        "Choisissez l'une des catégories proposées ({allowed}).",
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
    "send-limit-reached": (
        "Too many messages ({channel}) were sent lately. You can ask again on {until_date} at "
        "{until_time} (Paris time).",
        "Trop de messages ({channel}) ont été envoyés récemment. Vous pourrez refaire la demande "
        "le {until_date} à {until_time} (heure de Paris).",
    ),
    "too-many-requests": (
        "Too many attempts. Please try again on {until_date} at {until_time} (Paris time).",
        "Trop de tentatives. Veuillez réessayer le {until_date} à {until_time} (heure de Paris).",
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
    "document-refused": (
        "{message_en}",
        "{message_fr}",
    ),
    "upload-limit-exceeded": (
        "{message_en}",
        "{message_fr}",
    ),
    "upload-unsupported": (
        "{message_en}",
        "{message_fr}",
    ),
    "upload-damaged": (
        "{message_en}",
        "{message_fr}",
    ),
    "upload-password-protected": (
        "{message_en}",
        "{message_fr}",
    ),
    "upload-unsafe": (
        "{message_en}",
        "{message_fr}",
    ),
    "upload-unreadable": (
        "{message_en}",
        "{message_fr}",
    ),
    "document-not-found": (
        "This document is not in your wallet (it may have been deleted).",
        "Ce document ne figure pas dans votre porte-documents (il a peut-être été supprimé).",
    ),
    "wallet-quota-exceeded": (
        "Your wallet is full. Delete documents you no longer need, then try again.",
        "Votre porte-documents est plein. Supprimez les documents dont vous n'avez plus besoin, "
        "puis réessayez.",
    ),
    "wallet-full": (
        "Your wallet already holds {limit} documents, the most it can hold. Delete documents you "
        "no longer need, then try again.",
        "Votre porte-documents contient déjà {limit} documents, le maximum. Supprimez les "
        "documents dont vous n'avez plus besoin, puis réessayez.",
    ),
    "wallet-too-large": (
        "This document ({adding_mb} MB) does not fit in your wallet: {used_mb} MB of "
        "{limit_mb} MB are used. Delete documents you no longer need, then try again.",
        "Ce document ({adding_mb} Mo) ne tient pas dans votre porte-documents : {used_mb} Mo "
        "sur {limit_mb} Mo sont utilisés. Supprimez les documents dont vous n'avez plus besoin, "
        "puis réessayez.",
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
    "blob-store-not-configured": (
        "The document wallet is not available on this service (no document storage is configured).",
        "Le porte-documents n'est pas disponible sur ce service (aucun stockage de documents "
        "n'est configuré).",
    ),
    "blob-missing": (
        "This document cannot be read at the moment (its content is missing from storage). "
        "Please contact the service.",
        "Ce document ne peut pas être lu pour le moment (son contenu est absent du stockage). "
        "Veuillez contacter le service.",
    ),
    "blob-corrupt": (
        "This document cannot be read at the moment (its stored content is damaged). Please "
        "contact the service.",
        "Ce document ne peut pas être lu pour le moment (son contenu stocké est endommagé). "
        "Veuillez contacter le service.",
    ),
}

# --- change of address (issue 9: rules C1-C4) ----------------------------------------------------
# A key "code:reason" is used instead of "code" when the error's ``reason`` fact is that reason.
ERRORS.update(
    {
        "change-of-address-error": (
            "A value of the declaration is not valid.",
            "Une valeur de la déclaration n'est pas valide.",
        ),
        "invalid-date": (
            "Type the date as DD/MM/YYYY (for example 05/03/2025); it must exist.",
            "Saisissez la date au format JJ/MM/AAAA (par exemple 05/03/2025) ; elle doit exister.",
        ),
        "invalid-date:format": (
            "Type the date as DD/MM/YYYY: two digits for the day, two for the month and four for "
            "the year, separated by slashes, without spaces (for example 05/03/2025).",
            "Saisissez la date au format JJ/MM/AAAA : deux chiffres pour le jour, deux pour le "
            "mois et quatre pour l'année, séparés par des barres obliques, sans espace (par "
            "exemple 05/03/2025).",
        ),
        "invalid-date:impossible": (
            "This date does not exist (for example 31/02, or 29/02 in a year that is not a leap "
            "year). Check the day and the month.",
            "Cette date n'existe pas (par exemple le 31/02, ou le 29/02 d'une année non "
            "bissextile). Vérifiez le jour et le mois.",
        ),
        "move-date-out-of-window": (
            "The move date must be between {earliest_date} and {latest_date}.",
            "La date de déménagement doit être comprise entre le {earliest_date} et le "
            "{latest_date}.",
        ),
        "move-date-out-of-window:too-early": (
            "The move date ({move_date_date}) is more than one month ago: a change of address "
            "can be declared at the latest one month after the move. Enter a date between "
            "{earliest_date} and {latest_date}, or contact the organisations directly.",
            "La date de déménagement ({move_date_date}) remonte à plus d'un mois : la "
            "déclaration de changement de coordonnées peut être faite au plus tard un mois après "
            "le déménagement. Indiquez une date comprise entre le {earliest_date} et le "
            "{latest_date}, ou adressez-vous directement aux organismes concernés.",
        ),
        "move-date-out-of-window:too-late": (
            "The move date ({move_date_date}) is more than three months away: a change of "
            "address can be declared at the earliest three months before the move. Enter a date "
            "between {earliest_date} and {latest_date}, or come back later.",
            "La date de déménagement ({move_date_date}) est dans plus de trois mois : la "
            "déclaration de changement de coordonnées peut être faite au plus tôt trois mois "
            "avant le déménagement. Indiquez une date comprise entre le {earliest_date} et le "
            "{latest_date}, ou revenez plus tard.",
        ),
        "invalid-address": (
            "The address field '{label_en}' cannot be used.",
            "Le champ « {label_fr} » de l'adresse ne peut pas être utilisé.",
        ),
        "invalid-address:required": (
            "Fill in '{label_en}'.",
            "Renseignez le champ « {label_fr} ».",
        ),
        "invalid-address:too-long": (
            "'{label_en}' is too long ({length} characters; {maximum} at most). {hint_en}",
            "« {label_fr} » est trop long ({length} caractères ; {maximum} au plus). {hint_fr}",
        ),
        "invalid-address:characters": (
            "'{label_en}' has no letter or digit that can be printed on a postal address.",
            "« {label_fr} » ne contient aucune lettre ni aucun chiffre utilisable sur une "
            "adresse postale.",
        ),
        "invalid-address:postcode-format": (
            "The postcode has 5 digits (for example 75001; in Corsica it starts with 20).",
            "Le code postal compte 5 chiffres (par exemple 75001 ; en Corse, il commence par 20).",
        ),
        "invalid-address:number-format": (
            "The house number is a number (for example 12), possibly followed by bis, ter, "
            "quater or a letter.",
            "Le numéro dans la voie est un nombre (par exemple 12), suivi le cas échéant de bis, "
            "ter, quater ou d'une lettre.",
        ),
        "invalid-address:suffix-format": (
            "The repetition index is bis, ter, quater, quinquies or a single letter (B, T, Q...).",
            "L'indice de répétition est bis, ter, quater, quinquies ou une lettre (B, T, Q...).",
        ),
        "invalid-contract-number": (
            "This {number_label_en} for {organisation_name} is not valid.",
            "Ce {number_label_fr} pour {organisation_name} n'est pas valide.",
        ),
        "invalid-contract-number:format": (
            "The {number_label_en} for {organisation_name} has {form_en}.",
            "Le {number_label_fr} pour {organisation_name} comporte {form_fr}.",
        ),
        "invalid-contract-number:length": (
            "The {number_label_en} for {organisation_name} has {form_en}.",
            "Le {number_label_fr} pour {organisation_name} comporte {form_fr}.",
        ),
        "invalid-contract-number:sex": (
            "The {number_label_en} starts with 1 or 2 (7 or 8 for a temporary number). Check it "
            "on your documents.",
            "Le {number_label_fr} commence par 1 ou 2 (7 ou 8 pour un numéro provisoire). "
            "Vérifiez-le sur vos documents.",
        ),
        "invalid-contract-number:month": (
            "Digits 4 and 5 of the {number_label_en} (the month of birth) are not possible. "
            "Check the number on your documents.",
            "Les 4e et 5e chiffres du {number_label_fr} (le mois de naissance) ne sont pas "
            "possibles. Vérifiez le numéro sur vos documents.",
        ),
        "invalid-contract-number:department": (
            "Characters 6 and 7 of the {number_label_en} (the place of birth) are not possible. "
            "Check the number on your documents.",
            "Les 6e et 7e caractères du {number_label_fr} (le lieu de naissance) ne sont pas "
            "possibles. Vérifiez le numéro sur vos documents.",
        ),
        "invalid-contract-number:key": (
            "The key of the {number_label_en} (its last digits) does not match the rest of the "
            "number: a digit is probably mistyped. Check the number on your documents.",
            "La clé du {number_label_fr} (ses derniers chiffres) ne correspond pas au reste du "
            "numéro : un chiffre a probablement été mal saisi. Vérifiez le numéro sur vos "
            "documents.",
        ),
        "unknown-organisation": (
            "Unknown organisation: {organisation}.",
            "Organisme inconnu : {organisation}.",
        ),
    }
)

# Warnings given with a normalised address (not errors: the address can still be sent).
ADDRESS_WARNINGS: dict[str, tuple[str, str]] = {
    "postcode-unknown": (
        "The postcode {postcode} is not in La Poste's postcode base: check it. If the address "
        "is not exact, your request may not be taken into account.",
        "Le code postal {postcode} ne figure pas dans la base officielle des codes postaux de La "
        "Poste : vérifiez-le. Si l'adresse n'est pas exacte, votre demande risque de ne pas être "
        "prise en compte.",
    ),
    "locality-mismatch": (
        "The locality {locality} does not match the postcode {postcode}: check them. If the "
        "address is not exact, your request may not be taken into account.",
        "La localité {locality} ne correspond pas au code postal {postcode} : vérifiez-les. Si "
        "l'adresse n'est pas exacte, votre demande risque de ne pas être prise en compte.",
    ),
    "locality-mismatch:known": (
        "The locality {locality} does not match the postcode {postcode} (its localities "
        "include {known}): check them. If the address is not exact, your request may not be "
        "taken into account.",
        "La localité {locality} ne correspond pas au code postal {postcode} (ses localités "
        "comprennent {known}) : vérifiez-les. Si l'adresse n'est pas exacte, votre demande "
        "risque de ne pas être prise en compte.",
    ),
}


def render_address_warning(code: str, facts: Mapping[str, Any], lang: str = "en") -> str:
    """Render an address warning (see ``msp_portal.domain.address``) in English or French."""
    templates = (
        ADDRESS_WARNINGS.get(f"{code}:known") if facts.get("known") else None
    ) or ADDRESS_WARNINGS[code]
    return _fill(templates[1 if str(lang).lower().startswith("fr") else 0], facts)


class _Facts(dict[str, Any]):
    """Facts with derived values, and a visible marker for a missing one (never a KeyError)."""

    def __missing__(self, key: str) -> str:
        for suffix, render in (("_time", paris_time), ("_date", paris_date)):
            if key.endswith(suffix):
                raw = self.get(key[: -len(suffix)])
                if isinstance(raw, datetime):
                    return render(raw)
                if suffix == "_date" and isinstance(raw, date):  # a calendar day: no time zone
                    return format_date_fr(raw)
                return "?"
        return "?"


def _fill(template: str, facts: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Facts(facts))


def render_error(error: PortalError, lang: str = "en") -> str:
    """Render ``error`` from its code and facts, in English or French (``lang`` "fr...").

    A template keyed ``"code:reason"`` (the ``reason`` fact) is preferred to the code's.
    """
    reason = error.facts.get("reason")
    templates = (
        (ERRORS.get(f"{error.code}:{reason}") if isinstance(reason, str) else None)
        or ERRORS.get(error.code)
        or ERRORS["portal-error"]
    )
    return _fill(templates[1 if str(lang).lower().startswith("fr") else 0], error.facts)
