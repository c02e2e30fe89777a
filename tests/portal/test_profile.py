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
from msp_portal.adapters.sql.schema import (
    accounts,
    link_tokens,
    mail_outbox,
    profiles,
    quotas,
    sessions,
    sms_challenges,
    sms_outbox,
)
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
    portal.deliver_mail()
    sent = {m["To"]: m for m in smtp.messages()}
    assert sorted(sent) == ["jean.dupont@example.org", "jean@nouveau.fr"]
    text = body(sent["jean@nouveau.fr"])
    assert "/profil/confirmer-adresse?jeton=" in text
    # The current address is told as soon as the change is asked for.
    warning = sent["jean.dupont@example.org"]
    assert warning["Subject"] == (
        "mon.service-public.fr : demande de changement d'adresse électronique"
    )
    assert "jean@nouveau.fr" in body(warning) and "annule la demande" in body(warning)
    assert portal.view_account(token).email == "jean.dupont@example.org"  # not yet
    smtp.clear()
    assert portal.confirm_email_change(link_token(text)) == "jean@nouveau.fr"
    view = portal.view_account(token)
    assert view.email == "jean@nouveau.fr" and view.email_verified  # the link proved it
    portal.deliver_mail()
    [notice] = smtp.messages()
    assert smtp.recipients() == [["jean.dupont@example.org"]]
    assert "jean@nouveau.fr" in body(notice)
    assert notice["Subject"] == "mon.service-public.fr : votre adresse électronique a été modifiée"
    with pytest.raises(LinkInvalid):
        portal.confirm_email_change(link_token(text))
    # Recovery now goes to the new address.
    smtp.clear()
    portal.forgot_identifier("jean@nouveau.fr", "ok")
    portal.deliver_mail()
    assert smtp.recipients() == [["jean@nouveau.fr"]]


def _email_change_link(portal: Portal, smtp: SmtpServer, token: str, new_email: str) -> str:
    portal.deliver_mail()
    smtp.clear()
    portal.request_email_change(token, PASSWORD, new_email)
    portal.deliver_mail()
    [confirmation] = [m for m in smtp.messages() if m["To"] == new_email]
    return link_token(body(confirmation))


def _reset_link(portal: Portal, smtp: SmtpServer, identifier: str = "jdupont") -> str:
    portal.deliver_mail()
    smtp.clear()
    portal.forgot_password(identifier, "ok")
    portal.deliver_mail()
    [message] = smtp.messages()
    return link_token(body(message))


def test_a_password_reset_voids_a_pending_email_change(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    """An intruder who knows the password asks for a change; the owner's reset must stop it."""
    intruder = _session(portal)
    change = _email_change_link(portal, smtp, intruder, "intrus@example.net")
    portal.reset_password(_reset_link(portal, smtp), "une phrase que seul le titulaire sait")
    with pytest.raises(LinkInvalid):
        portal.confirm_email_change(change)
    owner = _session(portal, password="une phrase que seul le titulaire sait")
    assert portal.view_account(owner).email == "jean.dupont@example.org"
    # And the next reset link still goes to the owner.
    portal.deliver_mail()
    smtp.clear()
    portal.forgot_password(account, "ok")
    portal.deliver_mail()
    assert smtp.recipients() == [["jean.dupont@example.org"]]


def test_a_password_change_voids_a_pending_email_change(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    token = _session(portal)
    change = _email_change_link(portal, smtp, token, "intrus@example.net")
    portal.change_password(token, PASSWORD, OTHER_PASSWORD)
    with pytest.raises(LinkInvalid):
        portal.confirm_email_change(change)
    assert portal.view_account(token).email == "jean.dupont@example.org"


def test_an_email_change_voids_pending_reset_links(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    token = _session(portal)
    reset = _reset_link(portal, smtp)  # went to the old address
    change = _email_change_link(portal, smtp, token, "jean@nouveau.fr")
    portal.confirm_email_change(change)
    with pytest.raises(LinkInvalid):
        portal.reset_password(reset, "une phrase toute nouvelle")
    assert isinstance(portal.sign_in(account, PASSWORD), Session)


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
    portal.deliver_mail()
    [notice] = smtp.messages()
    assert "a été modifié" in body(notice)


def test_deleting_the_account_removes_personal_data_and_every_session(
    portal: Portal, account: str, store: SqlStore, smtp: SmtpServer
) -> None:
    here, elsewhere = _session(portal), _session(portal)
    portal.update_contact_details(here, DETAILS)
    portal.forgot_password(account, "ok")
    portal.deliver_mail()  # the reset link, queued and sent
    record = store.account_by_identifier(account)
    assert record is not None
    store.add_partner_link(record.id, "caf", "CAF-123", record.created_at)
    portal.start_sms_enrolment(here, PASSWORD, "06 12 34 56 78")  # an SMS code in the outbox
    portal.request_email_change(here, PASSWORD, "jean@nouveau.fr")  # mails still queued
    with pytest.raises(InvalidCredentials):
        portal.delete_account(here, WRONG_PASSWORD)
    smtp.clear()
    portal.delete_account(here, PASSWORD)
    portal.deliver_mail()
    [notice] = smtp.messages()
    assert smtp.recipients() == [["jean.dupont@example.org"]]
    assert "a été supprimé" in body(notice)
    for token in (here, elsewhere):
        with pytest.raises(SessionInvalid):
            portal.authenticate(token)
    with store.engine.connect() as conn:
        [row] = conn.execute(select(accounts)).all()
        for table in (profiles, sessions, link_tokens, sms_challenges, sms_outbox):
            assert conn.execute(select(table)).all() == [], table.name
        # Per-destination counters stay (hashed, until their window ends): deleting an account
        # must not reset the limits that protect a phone or a mailbox.
        assert conn.execute(select(quotas).where(quotas.c.account_id.is_not(None))).all() == []
        # Only the farewell notice is left in the mail outbox, attached to no account.
        [farewell] = conn.execute(select(mail_outbox)).all()
    assert farewell.account_id is None and "a été supprimé" in farewell.body
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
