"""The address given at creation is verified by a link opened while signed in.

An unverified address may be a stranger's (a typing mistake): it receives its verification link
and nothing else, and the stranger cannot verify it without the account's password. So a mistyped
address never receives recovery mail, and the holder, who can still sign in, fixes it by changing
the address (whose link verifies the new one).
"""

from __future__ import annotations

import pytest

from msp_portal import (
    AccountLocked,
    InvalidCredentials,
    LinkInvalid,
    Portal,
    SendLimitReached,
    Session,
    SessionInvalid,
)
from msp_portal.testing import FakeClock
from tests.portal.helpers import (
    OTHER_PASSWORD,
    PASSWORD,
    WRONG_PASSWORD,
    SmtpServer,
    body,
    link_token,
    new_verified_account,
)

TYPO = "jean.dupnot@example.org"  # the holder meant jean.dupont@


def _session(portal: Portal, identifier: str = "jdupont", password: str = PASSWORD) -> str:
    session = portal.sign_in(identifier, password)
    assert isinstance(session, Session)
    return session.token


def _verification_link(portal: Portal, smtp: SmtpServer, to: str) -> str:
    portal.deliver_mail()
    [message] = [m for m in smtp.messages() if m["To"] == to]
    assert message["Subject"] == "mon.service-public.fr : confirmez votre adresse électronique"
    return link_token(body(message))


def test_creation_mails_a_verification_link_and_the_holder_verifies_it(
    portal: Portal, smtp: SmtpServer
) -> None:
    smtp.clear()
    portal.create_account("jdupont", "jean.dupont@example.org", PASSWORD)
    token = _verification_link(portal, smtp, "jean.dupont@example.org")
    text = body(smtp.messages()[0])
    assert "/compte/verifier-adresse?jeton=" in text and "ignorez ce courriel" in text
    session = _session(portal)  # signing in does not wait for the verification
    assert portal.view_account(session).email_verified is False
    assert portal.verify_email(session, token) == "jean.dupont@example.org"
    assert portal.view_account(session).email_verified is True
    with pytest.raises(LinkInvalid):  # once
        portal.verify_email(session, token)
    assert portal.resend_verification(session) is False  # nothing left to verify


def test_whoever_reads_a_mistyped_address_cannot_verify_it(
    portal: Portal, smtp: SmtpServer
) -> None:
    smtp.clear()
    portal.create_account("jdupont", TYPO, PASSWORD)
    token = _verification_link(portal, smtp, TYPO)
    with pytest.raises(SessionInvalid):  # no session: the link alone proves nothing
        portal.verify_email("", token)
    new_verified_account(portal, "etranger", "etranger@example.org", OTHER_PASSWORD)
    stranger = _session(portal, "etranger", OTHER_PASSWORD)
    with pytest.raises(LinkInvalid):  # the stranger's own account cannot use it either
        portal.verify_email(stranger, token)
    holder = _session(portal)
    assert portal.verify_email(holder, token) == TYPO  # still usable by its account


def test_an_unverified_address_receives_no_recovery_mail_and_no_notice(
    portal: Portal, smtp: SmtpServer, clock: FakeClock
) -> None:
    portal.create_account("jdupont", TYPO, PASSWORD)
    portal.deliver_mail()  # the verification link, and only it
    smtp.clear()
    portal.forgot_identifier(TYPO, "ok")
    portal.forgot_password("jdupont", "ok")
    session = _session(portal)
    portal.change_password(session, PASSWORD, OTHER_PASSWORD)
    for _ in range(5):
        with pytest.raises((InvalidCredentials, AccountLocked)):
            portal.sign_in("jdupont", WRONG_PASSWORD)
    portal.forgot_password("jdupont", "ok")  # locked: the notice is not sent either
    portal.deliver_mail()
    assert smtp.messages() == []


def test_the_holder_fixes_a_mistyped_address_by_changing_it(
    portal: Portal, smtp: SmtpServer
) -> None:
    portal.create_account("jdupont", TYPO, PASSWORD)
    portal.deliver_mail()
    smtp.clear()
    session = _session(portal)
    portal.request_email_change(session, PASSWORD, "jean.dupont@example.org")
    portal.deliver_mail()
    assert smtp.recipients() == [["jean.dupont@example.org"]]  # nothing to the stranger
    portal.confirm_email_change(link_token(body(smtp.messages()[0])))
    view = portal.view_account(session)
    assert (view.email, view.email_verified) == ("jean.dupont@example.org", True)
    smtp.clear()
    portal.forgot_password("jdupont", "ok")
    portal.deliver_mail()
    assert smtp.recipients() == [["jean.dupont@example.org"]]


def test_an_old_verification_link_does_not_verify_a_new_address(
    portal: Portal, smtp: SmtpServer
) -> None:
    portal.create_account("jdupont", TYPO, PASSWORD)
    old = _verification_link(portal, smtp, TYPO)
    session = _session(portal)
    smtp.clear()
    portal.request_email_change(session, PASSWORD, "jean.dupont@example.org")
    portal.deliver_mail()
    portal.confirm_email_change(link_token(body(smtp.messages()[0])))
    with pytest.raises(LinkInvalid):
        portal.verify_email(session, old)


def test_verification_links_can_be_asked_again_within_the_send_limits(
    portal: Portal, smtp: SmtpServer
) -> None:
    portal.create_account("jdupont", "jean.dupont@example.org", PASSWORD)  # mail 1 of 5 an hour
    session = _session(portal)
    for _ in range(4):
        assert portal.resend_verification(session) is True
    with pytest.raises(SendLimitReached) as info:
        portal.resend_verification(session)
    assert info.value.facts["channel"] == "email"
    portal.deliver_mail()
    tokens = [link_token(body(m)) for m in smtp.messages()]
    assert len(tokens) == 5
    assert portal.verify_email(session, tokens[-1]) == "jean.dupont@example.org"
