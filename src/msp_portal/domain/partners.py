"""Partner organisations (rule L3) with the contact details the service's FAQ gives for each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Partner:
    """A partner organisation an account may have been linked with (links are no longer made)."""

    code: str
    name: str
    how_to_contact: str
    website: str = ""
    phone: str = ""
    email: str = ""
    postal_address: tuple[str, ...] = ()


PARTNERS: tuple[Partner, ...] = (
    Partner(
        "impots",
        "impots.gouv.fr",
        "Vous pouvez consulter les rubriques Questions fréquentes et Contacts sur le site "
        "impots.gouv.fr.",
        website="impots.gouv.fr",
    ),
    Partner(
        "cesu",
        "Chèque Emploi Service Universel (CESU)",
        "Vous pouvez vous adresser directement à ses services. En cas de difficultés récentes de "
        "connexion, la procédure à suivre pour rétablir votre connexion est décrite sur le site "
        "du CESU.",
        website="http://www.cesu.urssaf.fr/cesweb/actu.jsp",
    ),
    Partner(
        "pajemploi",
        "Pajemploi",
        "Vous pouvez vous adresser directement à ses services.",
    ),
    Partner(
        "ameli",
        "Assurance maladie en ligne (AMELI)",
        "Vous pouvez vous adresser directement à ses services par téléphone en composant le "
        "3646, au prix d'une communication locale depuis un poste fixe, ou par l'intermédiaire "
        "du site ameli.fr (rubrique « Vous êtes assurés », « Votre caisse »).",
        website="www.ameli.fr",
        phone="3646",
    ),
    Partner(
        "cnav",
        "Assurance retraite (CNAV)",
        "Vous pouvez adresser directement vos questions à ses services par courriel à partir de "
        "la page d'aide de son site.",
        website="https://www.lassuranceretraite.fr/cs/Satellite/PUBFooter/"
        "Aide-Utilisation-Site?packedargs=null",
    ),
    Partner(
        "cdc-retraites",
        "Caisse des Dépôts – Retraites et Solidarité",
        "Vous pouvez vous adresser directement à ses services par téléphone en composant le "
        "0820 064 954.",
        phone="0820 064 954",
    ),
    Partner(
        "msa",
        "Mutualité Sociale Agricole (MSA)",
        "Si votre demande concerne votre dossier MSA, adressez-vous directement à votre caisse "
        "MSA, par internet ou par téléphone. Retrouvez votre caisse à partir du site national.",
        website="www.msa.fr",
    ),
    Partner(
        "caf",
        "Caisses d'allocations familiales (CAF)",
        "Pour poser une question à votre caisse, saisissez votre code postal dans l'encart « Ma "
        "CAF » puis utilisez la rubrique « Contacter ma CAF ».",
        website="www.caf.fr",
    ),
    Partner(
        "cg81",
        "Conseil général du Tarn",
        "Pour toute demande d'information générale sur le Conseil général du Tarn et ses "
        "missions, contactez le webmanager.",
        website="www.tarn.fr",
        phone="05.63.45.64.58",
        email="contact@cg81.fr",
        postal_address=(
            "Conseil général du Tarn - Direction de la Communication - Mission Internet",
            "Lices Georges Pompidou",
            "81013 ALBI cedex 09",
        ),
    ),
    Partner(
        "cg05",
        "Conseil général des Hautes-Alpes",
        "Vous pouvez adresser directement vos questions à ses services par courriel.",
        website="mes.Hautes-alpes.fr",
        email="mha@cg05.fr",
    ),
)

_BY_CODE = {p.code: p for p in PARTNERS}


def partner(code: str) -> Partner | None:
    """The partner with this code, or None."""
    return _BY_CODE.get(code)
