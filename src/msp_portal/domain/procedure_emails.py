"""The emails of online procedures (P2, P6), in French plain text after the service's FAQ."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from msp_portal.domain.emails import SERVICE, Email
from msp_portal.domain.paris import paris_date, paris_time

__all__ = ["draft_saved", "procedure_transmitted"]

_SIGNATURE = (
    f"\n\nL'équipe {SERVICE}\n\n"
    "Ce courriel vous est envoyé automatiquement, merci de ne pas y répondre."
)


def _when(instant: datetime) -> str:
    return f"le {paris_date(instant)} à {paris_time(instant)} (heure de Paris)"


def draft_saved(
    to: str,
    *,
    procedure: str,
    file_number: str,
    password: str | None,
    link: str,
    expires_at: datetime,
) -> Email:
    """P1-P3: the draft is saved, not sent; how to resume it, until when."""
    credentials = f"Numéro de télédossier : {file_number}\n"
    if password is not None:
        credentials += f"Mot de passe : {password}\n"
    body = (
        "Bonjour,\n\n"
        f"Votre démarche « {procedure} » a été enregistrée. Attention : ce dossier n'a pas "
        "encore été transmis aux services traitants.\n\n"
        "Pour le reprendre, utilisez le lien de reprise ci-dessous ou la rubrique « Mon suivi » "
        "de votre compte, puis connectez-vous à votre compte. Les données enregistrées seront "
        "déjà préinscrites dans votre démarche.\n\n"
        f"{link}\n\n"
        f"{credentials}\n"
        f"Ce lien est valable 15 jours, jusqu'au {paris_date(expires_at)} à "
        f"{paris_time(expires_at)} (heure de Paris). Passé ce délai, le dossier sauvegardé est "
        "supprimé et la démarche devra être effectuée de nouveau.\n\n"
        "Ce courriel remplace ceux que vous avez pu recevoir pour un enregistrement précédent "
        "de ce dossier : seuls le lien et le mot de passe ci-dessus sont valables.\n\n"
        "Pour que votre dossier soit transmis et pris en compte, vous devrez terminer la "
        "démarche et cliquer sur « Transmettre ma demande »." + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : votre démarche a été enregistrée ({file_number})", body)


def procedure_transmitted(
    to: str,
    *,
    procedure: str,
    reference: str,
    transmitted_at: datetime,
    organisations: Sequence[str],
) -> Email:
    """P5, P6: the request was sent; its reference; what MSP can and cannot tell."""
    listed = "\n".join(f"  - {name}" for name in organisations)
    body = (
        "Bonjour,\n\n"
        f"Votre démarche « {procedure} » a été transmise {_when(transmitted_at)}.\n\n"
        f"Référence de votre démarche : {reference}\n\n"
        "Conservez cette référence : elle vous sera demandée pour toute question sur ce "
        "dossier.\n\n"
        f"Organismes destinataires :\n{listed}\n\n"
        "Le récapitulatif PDF de votre démarche reste disponible dans la rubrique « Mon suivi » "
        "de votre compte.\n\n"
        f"{SERVICE} peut vérifier si votre dossier a bien été transmis aux services traitant "
        "votre demande. Seuls ces organismes peuvent vous informer de sa bonne prise en compte "
        "et de l'avancement de son traitement.\n\n"
        "Un dossier transmis ne peut être ni annulé ni modifié : signalez directement aux "
        "organismes destinataires les modifications à opérer." + _SIGNATURE
    )
    return Email(to, f"{SERVICE} : votre démarche a été transmise ({reference})", body)
