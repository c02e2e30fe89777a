"""English and French wording of the errors the web layer itself answers (HTTP-level codes)."""

from __future__ import annotations

from typing import Any

WEB_ERRORS: dict[str, tuple[str, str]] = {
    "invalid-request": (
        "The request is not valid: {fields}.",
        "La demande n'est pas valide : {fields}.",
    ),
    "not-found": (
        "This page does not exist. Check the address, or start again from the home page.",
        "Cette page n'existe pas. Vérifiez l'adresse, ou repartez de la page d'accueil.",
    ),
    "method-not-allowed": (
        "This address does not accept this kind of request.",
        "Cette adresse n'accepte pas ce type de demande.",
    ),
    "body-too-large": (
        "What was sent is too large: at most {limit_text} are accepted. Send smaller files, "
        "or fewer at a time.",
        "L'envoi est trop volumineux : {limit_text_fr} au plus sont acceptés. Envoyez des "
        "fichiers plus petits, ou moins de fichiers à la fois.",
    ),
    "too-many-files": (
        "At most {limit} files can be sent at once.",
        "Au plus {limit} fichiers peuvent être envoyés à la fois.",
    ),
    "unsupported-media-type": (
        "This kind of content is not accepted here (expected {expected}).",
        "Ce type de contenu n'est pas accepté ici ({expected} attendu).",
    ),
    "csrf-failed": (
        "The form has expired or did not come from this site. Reload the page and try again.",
        "Le formulaire a expiré ou ne provient pas de ce site. Rechargez la page et recommencez.",
    ),
    "cross-site-refused": (
        "Requests from another site are refused.",
        "Les demandes provenant d'un autre site sont refusées.",
    ),
    "sign-in-required": (
        "Sign in to continue.",
        "Connectez-vous pour continuer.",
    ),
    "too-many-requests": (
        "Too many requests from your connection. Wait a moment and try again.",
        "Trop de demandes depuis votre connexion. Patientez un instant puis réessayez.",
    ),
    "internal-error": (
        "Something went wrong on our side. Please try again later.",
        "Une erreur est survenue de notre côté. Veuillez réessayer plus tard.",
    ),
}


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def render_web_error(code: str, facts: dict[str, Any], lang: str) -> str:
    """The message of a web-level ``code`` in ``lang`` ("en" or "fr")."""
    templates = WEB_ERRORS.get(code) or WEB_ERRORS["internal-error"]
    return templates[1 if lang.startswith("fr") else 0].format_map(_Facts(facts))


def size_text(size: int, lang: str) -> str:
    """A byte count as people read it (``10 MiB`` / ``10 Mo``)."""
    mib = size / (1024 * 1024)
    if mib >= 1:
        number = f"{mib:.1f}".removesuffix(".0")
        return f"{number} Mo".replace(".", ",") if lang.startswith("fr") else f"{number} MiB"
    kib = max(1, round(size / 1024))
    return f"{kib} Ko" if lang.startswith("fr") else f"{kib} KiB"


# What the procedure engine's plain reasons mean, in French, for the field they concern (the
# rules with a typed error bring their own message: ``problem.error.message("fr")``).
PROBLEM_MESSAGES: dict[str, str] = {
    "required": "Ce champ est obligatoire.",
    "too-short": "Saisissez au moins {minimum} caractères.",
    "too-long": "Saisissez au plus {maximum} caractères.",
    "pattern": "Le format de cette réponse n'est pas reconnu.",
    "unknown-choice": "Choisissez une des réponses proposées.",
    "duplicate-choice": "Une même réponse est choisie deux fois.",
    "too-few": "Choisissez-en au moins {minimum}.",
    "too-many": "Choisissez-en au plus {maximum}.",
    "date-in-future": "La date ne peut pas être postérieure au {latest}.",
    "postcode-fr": "Le code postal compte 5 chiffres (par exemple 75001).",
    "invalid-field-value": "Cette valeur ne peut pas être acceptée.",
}
ATTACHMENT_REQUIRED = "Joignez un document de votre porte-documents à « {label} »."


def problem_message(reason: str, facts: dict[str, Any]) -> str:
    """The French message of a plain problem ``reason`` with its ``facts``."""
    template = PROBLEM_MESSAGES.get(reason, "Cette réponse ne peut pas être acceptée ({reason}).")
    return template.format_map(_Facts({"reason": reason, **facts}))
