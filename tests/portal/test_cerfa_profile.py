"""The profile as CERFA prefill keys: what a form receives from the contact details."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from msp_docs.cerfa import PROFILE_KEYS
from msp_portal.domain.contact import Civility, ContactDetails
from msp_portal.domain.model import AccountView
from msp_portal.services.cerfa import profile_for_forms


def view(**contact: object) -> AccountView:
    return AccountView(
        identifier="jdupont",
        email="jean@example.org",
        created_at=datetime(2025, 1, 6, tzinfo=UTC),
        sms_phone=None,
        email_verified=True,
        contact=ContactDetails(**contact),  # type: ignore[arg-type]
    )


def test_every_key_is_one_the_catalogue_knows() -> None:
    values = profile_for_forms(
        view(
            civility=Civility.MADAME,
            family_name="Dupré",
            given_names="Zoé Anne",
            birth_date=date(1985, 7, 14),
            address_line1="12 bis rue de la Paix",
            address_line2="Bâtiment B",
            postcode="75002",
            city="Paris",
            country="France",
            phone="+33123456789",
        )
    )
    assert set(values) <= PROFILE_KEYS
    assert values == {
        "last_name": "Dupré",
        "first_names": "Zoé Anne",
        "birth_date": "14/07/1985",
        "address_line1": "12 bis rue de la Paix",
        "address_line2": "Bâtiment B",
        "address_number": "12 bis",
        "address_street": "rue de la Paix",
        "postcode": "75002",
        "city": "Paris",
        "country": "France",
        "email": "jean@example.org",
        "phone": "+33123456789",
    }


@pytest.mark.parametrize(
    ("line", "number", "street"),
    [
        ("3, place du Marché", "3", "place du Marché"),
        ("lieu-dit Les Granges", None, "lieu-dit Les Granges"),
        ("12B avenue Foch", "12B", "avenue Foch"),
    ],
)
def test_street_number(line: str, number: str | None, street: str) -> None:
    values = profile_for_forms(view(address_line1=line))
    assert values.get("address_number") == number
    assert values["address_street"] == street


def test_an_empty_profile_gives_only_the_email() -> None:
    assert profile_for_forms(view()) == {"email": "jean@example.org"}
