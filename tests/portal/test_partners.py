"""Partner links (L1-L3): the directory, listing, creation refused, deletion by partners only."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from msp_portal import (
    InvalidInput,
    PartnerLinkCreationClosed,
    PartnerLinkDeletedAtPartner,
    PartnerLinkNotFound,
    PartnerNotAuthorised,
    Portal,
    PortalSettings,
    Session,
    UnknownPartner,
)
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.testing import FakeCaptcha, FakeClock
from tests.portal.helpers import PASSWORD

CAF_KEY = "clé-api-de-la-caf"


def test_the_directory_names_the_faq_partners_with_their_contacts() -> None:
    partners = {p.code: p for p in Portal.partner_directory()}
    names = [p.name for p in partners.values()]
    assert len(names) == 10
    for expected in (
        "impots.gouv.fr",
        "CESU",
        "Pajemploi",
        "AMELI",
        "CNAV",
        "MSA",
        "CAF",
        "Caisse des Dépôts – Retraites et Solidarité",
        "Conseil général du Tarn",
        "Conseil général des Hautes-Alpes",
    ):
        assert any(expected in name for name in names), expected
    assert partners["ameli"].phone == "3646"
    assert partners["cdc-retraites"].phone == "0820 064 954"
    assert partners["cg81"].email == "contact@cg81.fr"
    assert partners["cg81"].phone == "05.63.45.64.58"
    assert "81013 ALBI cedex 09" in partners["cg81"].postal_address
    assert partners["cg05"].email == "mha@cg05.fr"


@pytest.fixture
def linked(store: SqlStore, clock: FakeClock, mailer: object) -> tuple[Portal, str]:
    settings = PortalSettings(partner_keys={"caf": hashlib.sha256(CAF_KEY.encode()).hexdigest()})
    portal = Portal(store, mailer, FakeCaptcha(), clock=clock, settings=settings)  # type: ignore[arg-type]
    portal.create_account("jdupont", "jean.dupont@example.org", PASSWORD)
    record = store.account_by_identifier("jdupont")
    assert record is not None
    store.add_partner_link(record.id, "caf", "CAF-0042", datetime(2012, 5, 3, tzinfo=UTC))
    store.add_partner_link(record.id, "ameli", "1 80 02 75", datetime(2013, 1, 9, tzinfo=UTC))
    session = portal.sign_in("jdupont", PASSWORD)
    assert isinstance(session, Session)
    return portal, session.token


def test_links_are_listed(linked: tuple[Portal, str]) -> None:
    portal, token = linked
    links = portal.partner_links(token)
    assert [(link.partner.code, link.partner_reference) for link in links] == [
        ("caf", "CAF-0042"),
        ("ameli", "1 80 02 75"),
    ]
    assert links[0].linked_at == datetime(2012, 5, 3, tzinfo=UTC)


def test_creating_a_link_is_refused_with_the_faq_reason(linked: tuple[Portal, str]) -> None:
    portal, token = linked
    with pytest.raises(PartnerLinkCreationClosed) as info:
        portal.create_partner_link(token, "msa")
    assert info.value.message("fr") == "La création de liaison n'est plus disponible."
    assert len(portal.partner_links(token)) == 2


def test_the_holder_cannot_delete_a_link(linked: tuple[Portal, str]) -> None:
    portal, token = linked
    with pytest.raises(PartnerLinkDeletedAtPartner) as info:
        portal.delete_partner_link(token, "caf")
    assert "Gérer ma liaison" in info.value.message("fr")
    assert len(portal.partner_links(token)) == 2


def test_only_the_partner_deletes_its_link(linked: tuple[Portal, str]) -> None:
    portal, token = linked
    with pytest.raises(PartnerNotAuthorised):
        portal.partner_delete_link("caf", "mauvaise clé", "CAF-0042")
    with pytest.raises(PartnerNotAuthorised):  # no key configured for this partner
        portal.partner_delete_link("ameli", CAF_KEY, "1 80 02 75")
    with pytest.raises(UnknownPartner):
        portal.partner_delete_link("inconnu", CAF_KEY, "CAF-0042")
    with pytest.raises(PartnerLinkNotFound):
        portal.partner_delete_link("caf", CAF_KEY, "CAF-9999")
    with pytest.raises(InvalidInput):  # refused at the API boundary, before any lookup
        portal.partner_delete_link("caf", CAF_KEY, "\x00")
    portal.partner_delete_link("caf", CAF_KEY, "CAF-0042")
    assert [link.partner.code for link in portal.partner_links(token)] == ["ameli"]
