"""Rules C4 and C5 in the confirmation: who is covered, household members, the profile untouched."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime

import pytest

from msp_portal.domain.address import TypedAddress, declare, normalise_address
from msp_portal.domain.change_of_address import (
    LANGUAGES,
    DeclaredContract,
    confirmation,
    confirmation_templates,
)
from msp_portal.domain.emails import Email

FIELDS = {
    "subject": {"reference"},
    "greeting": set(),
    "intro": {"date", "time", "reference"},
    "move_date": {"move_date"},
    "address_heading": set(),
    "address_line": {"line"},
    "address_refused": set(),
    "address_warning": {"warning"},
    "organisations_heading": set(),
    "organisation_line": {"organisation", "number_label", "number_end"},
    "people_heading": set(),
    "person_line": {"person"},
    "household": set(),
    "profile": {"service", "profile_url"},
    "tracking": {"service"},
    "final": set(),
    "signature": {"service"},
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_exists_and_uses_only_known_fields(lang: str) -> None:
    templates = confirmation_templates()[lang]
    assert set(templates) == set(FIELDS)
    for key, text in templates.items():
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert used == FIELDS[key], (lang, key)


def _email(lang: str, choice: str = "accept", locality: str = "Paris") -> Email:
    address = declare(
        normalise_address(
            TypedAddress(number="12", street="rue des Lilas", postcode="75001", locality=locality)
        ),
        choice,
    )
    return confirmation(
        to="jean.dupont@example.org",
        reference="A-1B2C-3D4E",
        transmitted_at=datetime(2025, 7, 1, 8, 5, tzinfo=UTC),
        move_date=date(2025, 7, 15),
        address=address,
        contracts=[
            DeclaredContract("ameli", "295109912611193", ("Jean Dupont", "Léa Dupont")),
            DeclaredContract("caf", "1234567", ("Jean Dupont", "Léa Dupont", "Tom Dupont")),
        ],
        profile_url="https://portail.example/mon-profil/mes-coordonnees",
        lang=lang,
    )


def test_french_confirmation() -> None:
    email = _email("fr")
    assert email.to == "jean.dupont@example.org"
    assert email.subject == "Déclaration de changement de coordonnées transmise (A-1B2C-3D4E)"
    body = email.body
    assert "le 01/07/2025 à 10:05 (heure de Paris)" in body
    assert "Date de déménagement : 15/07/2025" in body
    assert "    12 RUE DES LILAS\n    75001 PARIS" in body
    assert (
        "Assurance maladie en ligne (AMELI) (numéro de sécurité sociale se terminant par 1193)"
        in body
    )
    assert "(numéro allocataire se terminant par 4567)" in body
    assert body.count("  - Jean Dupont") == 1 and "  - Tom Dupont" in body  # each person once
    # C4: household members with contracts of their own declare with their own accounts.
    assert "contrat personnel" in body and "créer leur propre compte" in body
    # C5: the profile is not updated; where to change it.
    assert "ne met pas à jour les coordonnées de votre profil" in body
    assert (
        "Mon profil > Mes coordonnées : https://portail.example/mon-profil/mes-coordonnees" in body
    )
    assert "ni annulée ni modifiée" in body
    assert "295109912611193" not in body  # only the end of a contract number is shown
    assert "mise aux normes" not in body  # accepted: nothing to say about a refusal


def test_english_confirmation() -> None:
    body = _email("en").body
    assert "sent on 01/07/2025 at 10:05 (Paris time)" in body
    assert "(social security number ending in 1193)" in body
    assert "contract of their own" in body and "their own account" in body
    assert "does not update the contact details of your" in body
    assert "My profile > My contact details: https://portail.example/" in body


def test_a_refused_normalisation_and_its_warning_are_stated() -> None:
    body = _email("fr", choice="refuse", locality="Lyon").body
    assert "    12 rue des Lilas\n    75001 Lyon" in body  # exactly as typed
    assert "telle que vous l'avez saisie" in body
    assert "Attention : La localité LYON ne correspond pas au code postal 75001" in body
    english = _email("en", choice="refuse", locality="Lyon").body
    assert "exactly as you typed it" in english and "Warning: The locality LYON" in english
