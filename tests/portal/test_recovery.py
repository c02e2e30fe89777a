"""Forgot identifier (A3), forgot password (A4, A5, A10), reset links; emails over real SMTP.

Recovery calls only queue a request; ``portal.deliver_mail()`` (the mail worker) resolves it and
hands the emails to the real SMTP server these tests start.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from msp_portal import (
    AccountLocked,
    CaptchaFailed,
    InvalidCredentials,
    Limit,
    LinkInvalid,
    PasswordTooShort,
    Portal,
    Session,
)
from msp_portal.adapters.sql.schema import link_tokens
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.domain.tokens import hash_token
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

NEW_PASSWORD = "nouvelle phrase bien longue"


def _lock(portal: Portal, identifier: str = "jdupont") -> None:
    for _ in range(5):
        with pytest.raises((InvalidCredentials, AccountLocked)):
            portal.sign_in(identifier, WRONG_PASSWORD)


def _reset_link(portal: Portal, smtp: SmtpServer, identifier: str = "jdupont") -> str:
    portal.deliver_mail()  # earlier notices
    smtp.clear()
    portal.forgot_password(identifier, "ok")
    portal.deliver_mail()
    [message] = smtp.messages()
    return link_token(body(message))


# --- forgot identifier ---------------------------------------------------------------------------
def test_forgot_identifier_emails_every_identifier_of_the_address(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    new_verified_account(portal, "jdupont-pro", "jean.dupont@example.org", OTHER_PASSWORD)
    smtp.clear()
    portal.forgot_identifier("JEAN.DUPONT@example.org", "ok")
    assert smtp.messages() == []  # only queued: the worker sends
    portal.deliver_mail()
    [message] = smtp.messages()
    assert message["To"] == "jean.dupont@example.org"  # the stored address, not the typed one
    assert message["Subject"] == "mon.service-public.fr : votre identifiant"
    assert message.get_content_type() == "text/plain"
    text = body(message)
    assert "  - jdupont\n" in text and "  - jdupont-pro\n" in text
    assert "majuscules et les minuscules" in text


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("strasse@example.fr", "straße@example.fr"),  # "ß".casefold() == "ss"
        ("straße@example.fr", "strasse@example.fr"),
        ("kevin@example.fr", "\u212aevin@example.fr"),  # KELVIN SIGN: NFKC and casefold give k
        ("\u212aevin@example.fr", "kevin@example.fr"),
    ],
)
def test_forgot_identifier_mails_the_stored_address_never_the_typed_one(
    portal: Portal, smtp: SmtpServer, stored: str, typed: str
) -> None:
    """Django's CVE-2019-19844 pattern: a look-alike address must not receive the identifier."""
    new_verified_account(portal, "titulaire", stored)
    smtp.clear()
    portal.forgot_identifier(typed, "ok")
    portal.deliver_mail()
    assert smtp.recipients() == [[stored]]
    [message] = smtp.messages()
    assert "  - titulaire\n" in body(message)


def test_forgot_identifier_sends_each_address_only_its_own_identifiers(
    portal: Portal, smtp: SmtpServer
) -> None:
    # The three addresses share one key, so one send budget: widen it for this test.
    settings = replace(portal.ctx.settings, mail_per_destination=(Limit(50, timedelta(hours=1)),))
    portal = Portal(
        portal.ctx.store,
        portal.ctx.mailer,
        portal.ctx.captcha,
        clock=portal.ctx.clock,
        hasher=portal.ctx.hasher,
        settings=settings,
    )
    new_verified_account(portal, "premier", "strasse@example.fr")
    new_verified_account(portal, "second", "STRASSE@example.fr")
    new_verified_account(portal, "troisieme", "straße@example.fr")
    smtp.clear()
    portal.forgot_identifier("Straße@Example.fr", "ok")
    portal.deliver_mail()
    received = {m["To"]: body(m) for m in smtp.messages()}
    assert set(received) == {"strasse@example.fr", "STRASSE@example.fr", "straße@example.fr"}
    for address, identifier in [
        ("strasse@example.fr", "premier"),
        ("STRASSE@example.fr", "second"),
        ("straße@example.fr", "troisieme"),
    ]:
        listed = {line[4:] for line in received[address].splitlines() if line.startswith("  - ")}
        assert listed == {identifier}


def test_forgot_identifier_answers_the_same_for_an_unknown_address(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    smtp.clear()
    portal.forgot_identifier("personne@example.org", "ok")
    portal.deliver_mail()
    assert smtp.messages() == []


def test_forgot_identifier_needs_the_captcha(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    smtp.clear()
    with pytest.raises(CaptchaFailed):
        portal.forgot_identifier("jean.dupont@example.org", "wrong")
    portal.deliver_mail()
    assert smtp.messages() == []


# --- forgot password -----------------------------------------------------------------------------
def test_reset_email_carries_a_single_use_link_and_the_a10_warning(
    portal: Portal, account: str, smtp: SmtpServer, store: SqlStore
) -> None:
    smtp.clear()
    portal.forgot_password(account, "ok")
    portal.deliver_mail()
    [message] = smtp.messages()
    assert smtp.recipients() == [["jean.dupont@example.org"]]
    assert message["Subject"] == "mon.service-public.fr : réinitialisation de votre mot de passe"
    text = body(message)
    assert "https://mon.service-public.fr/mot-de-passe/reinitialiser?jeton=" in text
    assert "valable 1 heure" in text and "une seule fois" in text
    # A10: a mistyped identifier sends this to someone else, who is told to ignore it.
    assert "envoyé par erreur" in text and "majuscule au lieu d'une minuscule" in text
    assert "ignorez simplement ce courriel" in text
    token = link_token(text)
    assert len(token) >= 43  # 256 bits
    with store.engine.connect() as conn:
        stored = (
            conn.execute(
                select(link_tokens.c.token_hash).where(link_tokens.c.purpose == "password-reset")
            )
            .scalars()
            .all()
        )
    assert stored == [hash_token(token)]  # only the hash is kept


def test_reset_sets_the_password_ends_sessions_and_does_not_sign_in(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    session = portal.sign_in(account, PASSWORD)
    assert isinstance(session, Session)
    token = _reset_link(portal, smtp)
    smtp.clear()
    portal.reset_password(token, NEW_PASSWORD)  # no automatic sign-in
    portal.deliver_mail()
    with pytest.raises(Exception) as info:
        portal.authenticate(session.token)
    assert info.value.code == "session-invalid"  # type: ignore[attr-defined]
    with pytest.raises(InvalidCredentials):
        portal.sign_in(account, PASSWORD)
    assert isinstance(portal.sign_in(account, NEW_PASSWORD), Session)
    [notice] = smtp.messages()
    assert notice["Subject"] == "mon.service-public.fr : votre mot de passe a été modifié"
    assert "connexions ouvertes avec l'ancien mot de passe ont été fermées" in body(notice)


def test_a_reset_link_works_once(portal: Portal, account: str, smtp: SmtpServer) -> None:
    token = _reset_link(portal, smtp)
    portal.reset_password(token, NEW_PASSWORD)
    with pytest.raises(LinkInvalid):
        portal.reset_password(token, "encore une autre phrase")


def test_a_reset_link_expires_after_its_documented_validity(
    portal: Portal, account: str, smtp: SmtpServer, clock: FakeClock
) -> None:
    token = _reset_link(portal, smtp)
    clock.advance(timedelta(hours=1))
    with pytest.raises(LinkInvalid):
        portal.reset_password(token, NEW_PASSWORD)


def test_a_reset_link_still_works_just_before_expiry(
    portal: Portal, account: str, smtp: SmtpServer, clock: FakeClock
) -> None:
    token = _reset_link(portal, smtp)
    clock.advance(timedelta(minutes=59, seconds=59))
    portal.reset_password(token, NEW_PASSWORD)


def test_a_reset_link_is_void_once_the_password_changes(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    first = _reset_link(portal, smtp)
    second = _reset_link(portal, smtp)
    portal.reset_password(second, NEW_PASSWORD)
    with pytest.raises(LinkInvalid):
        portal.reset_password(first, "encore une autre phrase")
    session = portal.sign_in(account, NEW_PASSWORD)
    assert isinstance(session, Session)
    third = _reset_link(portal, smtp)
    portal.change_password(session.token, NEW_PASSWORD, "encore une autre phrase")
    with pytest.raises(LinkInvalid):
        portal.reset_password(third, "et une quatrieme phrase")


def test_a_refused_new_password_leaves_the_link_usable(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    token = _reset_link(portal, smtp)
    with pytest.raises(PasswordTooShort):
        portal.reset_password(token, "court")
    portal.reset_password(token, NEW_PASSWORD)


def test_unknown_identifier_gets_the_same_answer_and_no_email(
    portal: Portal, account: str, smtp: SmtpServer
) -> None:
    smtp.clear()
    for identifier in ("JDupont", "inconnu", "", "x" * 200):
        portal.forgot_password(identifier, "ok")
    portal.deliver_mail()
    assert smtp.messages() == []


def test_forgot_password_needs_the_captcha(portal: Portal, account: str, smtp: SmtpServer) -> None:
    smtp.clear()
    with pytest.raises(CaptchaFailed):
        portal.forgot_password(account, "")
    portal.deliver_mail()
    assert smtp.messages() == []


@pytest.mark.parametrize(
    "case",
    [
        (datetime(2025, 1, 6, 9, 0, tzinfo=UTC), "12:00"),  # winter: UTC+1
        (datetime(2025, 7, 14, 21, 47, tzinfo=UTC), "01:47"),  # summer: UTC+2, next day
    ],
)
def test_reset_is_refused_while_locked_and_the_owner_is_told_until_when(
    portal: Portal,
    account: str,
    smtp: SmtpServer,
    clock: FakeClock,
    case: tuple[datetime, str],
) -> None:
    locked_at, paris_unlock = case
    clock.set(locked_at)
    _lock(portal)
    clock.advance(timedelta(minutes=30))
    smtp.clear()
    portal.forgot_password(account, "ok")  # same public answer as ever
    portal.deliver_mail()
    [message] = smtp.messages()
    assert smtp.recipients() == [["jean.dupont@example.org"]]
    assert message["Subject"] == "mon.service-public.fr : votre compte est verrouillé"
    text = body(message)
    assert f"soit à {paris_unlock}" in text
    assert "jeton=" not in text  # no link
    assert "« Mot de passe oublié ? »" in text
    with portal.ctx.store.engine.connect() as conn:  # type: ignore[attr-defined]
        resets = select(link_tokens).where(link_tokens.c.purpose == "password-reset")
        assert conn.execute(resets).all() == []


def test_a_link_issued_before_a_lock_cannot_be_used_during_it(
    portal: Portal, account: str, smtp: SmtpServer, clock: FakeClock
) -> None:
    token = _reset_link(portal, smtp)
    _lock(portal)
    with pytest.raises(AccountLocked):
        portal.reset_password(token, NEW_PASSWORD)
    clock.advance(timedelta(hours=2))
    with pytest.raises(LinkInvalid):  # and it has expired by the time the lock ends
        portal.reset_password(token, NEW_PASSWORD)


def test_reset_after_the_lock_ends_clears_the_count(
    portal: Portal, account: str, smtp: SmtpServer, clock: FakeClock, store: SqlStore
) -> None:
    _lock(portal)
    clock.advance(timedelta(hours=2))
    token = _reset_link(portal, smtp)
    with pytest.raises(InvalidCredentials):
        portal.sign_in(account, WRONG_PASSWORD)
    portal.reset_password(token, NEW_PASSWORD)
    record = store.account_by_identifier(account)
    assert record is not None and record.failed_count == 0
