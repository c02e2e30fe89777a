"""Profile (A7-A9): contact details, change of email, change of password, account deletion."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from msp_portal import (
    Civility,
    ContactDetails,
    IdentifierTaken,
    InvalidContactDetails,
    InvalidCredentials,
    LinkInvalid,
    Portal,
    Session,
    SessionInvalid,
)
from msp_portal.adapters.sql.schema import accounts, link_tokens, profiles, sessions
from msp_portal.adapters.sql.store import SqlStore
from tests.portal.helpers import (
    OTHER_PASSWORD,
    PASSWORD,
    WRONG_PASSWORD,
    SmtpServer,
    body,
    link_token,
)

DETAILS = ContactDetails(
    civility=Civility.MADAME,
    family_name=" Martin ",
    given_names="Claire Anne",
    birth_date=date(1980, 2, 29),
    address_line1="12 rue des Lilas",
    postcode="81000",
    city="Albi",
    country="France",
    phone="05 63 45 64 58",
)


def _session(portal: Portal, identifier: str = "jdupont", password: str = PASSWORD) -> str:
    session = portal.sign_in(identifier, password)
    assert isinstance(session, Session)
    return session.token


def test_contact_details_are_kept_for_prefilling(portal: Portal, account: str) -> None:
    token = _session(portal)
    stored = portal.update_contact_details(token, DETAILS)
    assert stored.family_name == "Martin" and stored.phone == "+33563456458"
    view = portal.view_account(token)
    assert view.identifier == account and view.email == "jean.dupont@example.org"
    assert view.contact == stored
    assert view.contact.birth_date == date(1980, 2, 29)
    assert view.contact.civility is Civility.MADAME


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birth_date": date(2031, 1, 1)}, "birth_date"),
        ({"postcode": "12345678901"}, "postcode"),
        ({"city": "Albi\nBcc: x@y.fr"}, "city"),
        ({"phone": "12"}, "phone"),
    ],
)
def test_contact_details_are_checked(
    portal: Portal, account: str, change: dict[str, object], field: str
) -> None:
    token = _session(portal)
    with pytest.raises(InvalidContactDetails) as info:
        portal.update_contact_details(token, ContactDetails(**change))  # type: ignore[arg-type]
    assert info.value.facts["field"] == field


def test_email_change_is_confirmed_by_the_new_address_and_notified_to_the_old(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    token = _session(portal)
    with pytest.raises(InvalidCredentials):
        portal.request_email_change(token, WRONG_PASSWORD, "jean@nouveau.fr")
    smtp.clear()
    portal.request_email_change(token, PASSWORD, "jean@nouveau.fr")
    [confirmation] = smtp.messages()
    assert smtp.recipients() == [["jean@nouveau.fr"]]
    text = body(confirmation)
    assert "/profil/confirmer-adresse?jeton=" in text
    assert portal.view_account(token).email == "jean.dupont@example.org"  # not yet
    smtp.clear()
    assert portal.confirm_email_change(link_token(text)) == "jean@nouveau.fr"
    assert portal.view_account(token).email == "jean@nouveau.fr"
    [notice] = smtp.messages()
    assert smtp.recipients() == [["jean.dupont@example.org"]]
    assert "jean@nouveau.fr" in body(notice)
    assert notice["Subject"] == "mon.service-public.fr : votre adresse électronique a été modifiée"
    with pytest.raises(LinkInvalid):
        portal.confirm_email_change(link_token(text))
    # Recovery now goes to the new address.
    smtp.clear()
    portal.forgot_identifier("jean@nouveau.fr", "ok")
    assert smtp.recipients() == [["jean@nouveau.fr"]]


def test_password_change_needs_the_current_one_and_ends_other_sessions(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    here, elsewhere = _session(portal), _session(portal)
    with pytest.raises(InvalidCredentials):
        portal.change_password(here, WRONG_PASSWORD, OTHER_PASSWORD)
    smtp.clear()
    portal.change_password(here, PASSWORD, OTHER_PASSWORD)
    assert portal.authenticate(here) == account
    with pytest.raises(SessionInvalid):
        portal.authenticate(elsewhere)
    with pytest.raises(InvalidCredentials):
        portal.sign_in(account, PASSWORD)
    assert _session(portal, password=OTHER_PASSWORD)
    [notice] = smtp.messages()
    assert "a été modifié" in body(notice)


def test_deleting_the_account_removes_personal_data_and_every_session(
    portal: Portal, account: str, store: SqlStore, smtp: SmtpServer
) -> None:
    here, elsewhere = _session(portal), _session(portal)
    portal.update_contact_details(here, DETAILS)
    portal.forgot_password(account, "ok")
    record = store.account_by_identifier(account)
    assert record is not None
    store.add_partner_link(record.id, "caf", "CAF-123", record.created_at)
    with pytest.raises(InvalidCredentials):
        portal.delete_account(here, WRONG_PASSWORD)
    smtp.clear()
    portal.delete_account(here, PASSWORD)
    [notice] = smtp.messages()
    assert smtp.recipients() == [["jean.dupont@example.org"]]
    assert "a été supprimé" in body(notice)
    for token in (here, elsewhere):
        with pytest.raises(SessionInvalid):
            portal.authenticate(token)
    with store.engine.connect() as conn:
        [row] = conn.execute(select(accounts)).all()
        for table in (profiles, sessions, link_tokens):
            assert conn.execute(select(table)).all() == []
    kept = {k: v for k, v in row._mapping.items() if v is not None}
    assert set(kept) == {
        "id",
        "identifier",
        "password_version",
        "failed_count",
        "created_at",
        "deleted_at",
    }
    assert store.partner_links(record.id) == []
    with pytest.raises(InvalidCredentials):
        portal.sign_in(account, PASSWORD)
    with pytest.raises(IdentifierTaken):  # A1: the identifier never names anyone else
        portal.create_account(account, "autre@example.org", OTHER_PASSWORD)
