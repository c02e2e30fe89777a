"""SMS access (A6): enrolment, codes at sign-in, unlock code, "phone number changed", outbox."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from msp_portal import (
    AccountLocked,
    InvalidCredentials,
    InvalidPhone,
    Portal,
    Session,
    SmsAccessAlreadyEnabled,
    SmsChallenge,
    SmsChallengeInvalid,
    SmsCodeInvalid,
    drain_outbox,
)
from msp_portal.adapters.sql.schema import accounts, sms_challenges
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.testing import FakeClock
from tests.portal.helpers import PASSWORD, WRONG_PASSWORD, CountingHasher, SmtpServer, body

PHONE = "06 12 34 56 78"


def _last_code(store: SqlStore) -> str:
    message = store.outbox()[-1]
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


def _enable_sms(portal: Portal, store: SqlStore, identifier: str = "jdupont") -> str:
    session = portal.sign_in(identifier, PASSWORD)
    assert isinstance(session, Session)
    enrolment = portal.start_sms_enrolment(session.token, PASSWORD, PHONE)
    return portal.confirm_sms_enrolment(session.token, enrolment.token, _last_code(store))


def _challenge(portal: Portal) -> SmsChallenge:
    challenge = portal.sign_in("jdupont", PASSWORD)
    assert isinstance(challenge, SmsChallenge)
    return challenge


def test_enrolment_needs_the_password_and_a_code_sent_to_the_phone(
    portal: Portal, account: str, store: SqlStore, smtp: SmtpServer
) -> None:
    session = portal.sign_in(account, PASSWORD)
    assert isinstance(session, Session)
    with pytest.raises(InvalidCredentials):
        portal.start_sms_enrolment(session.token, WRONG_PASSWORD, PHONE)
    with pytest.raises(InvalidPhone):
        portal.start_sms_enrolment(session.token, PASSWORD, "01 23 45 67 89")  # a landline
    enrolment = portal.start_sms_enrolment(session.token, PASSWORD, PHONE)
    assert enrolment.phone_hint == "•• •• •• •• 78"
    [sms] = store.outbox()
    assert sms.phone == "+33612345678"
    assert "code de confirmation" in sms.body and "valable 10 minutes" in sms.body
    code = _last_code(store)
    with pytest.raises(SmsCodeInvalid):
        portal.confirm_sms_enrolment(
            session.token, enrolment.token, "000000" if code != "000000" else "111111"
        )
    smtp.clear()
    unlock = portal.confirm_sms_enrolment(session.token, enrolment.token, code)
    # At least 64 bits: 16 base-32 characters = 80 bits, grouped for reading.
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", unlock)
    record = store.account_by_identifier(account)
    assert record is not None and record.sms_phone == "+33612345678"
    assert record.unlock_code_hash is not None and unlock not in record.unlock_code_hash
    [notice] = smtp.messages()
    assert "accès par code SMS a été activé" in body(notice)
    assert unlock.replace("-", "") not in body(notice).replace("-", "")  # shown once, on screen
    with pytest.raises(SmsAccessAlreadyEnabled):
        portal.start_sms_enrolment(session.token, PASSWORD, PHONE)


def test_sign_in_with_sms_needs_the_code_of_this_attempt(
    portal: Portal, account: str, store: SqlStore
) -> None:
    _enable_sms(portal, store)
    first = _challenge(portal)
    first_code = _last_code(store)
    second = _challenge(portal)
    second_code = _last_code(store)
    assert first.phone_hint == "•• •• •• •• 78"
    assert re.fullmatch(r"\d{6}", first_code)
    if first_code != second_code:
        # A code is bound to the attempt it was sent for.
        with pytest.raises(SmsCodeInvalid):
            portal.complete_sign_in(second.token, first_code)
    session = portal.complete_sign_in(second.token, second_code)
    assert portal.authenticate(session.token) == account


def test_sms_codes_are_single_use(portal: Portal, account: str, store: SqlStore) -> None:
    _enable_sms(portal, store)
    challenge = _challenge(portal)
    code = _last_code(store)
    portal.complete_sign_in(challenge.token, code)
    with pytest.raises(SmsChallengeInvalid):  # pyotp #61: never accepted twice
        portal.complete_sign_in(challenge.token, code)


def test_sms_codes_are_stored_hashed(portal: Portal, account: str, store: SqlStore) -> None:
    _enable_sms(portal, store)
    _challenge(portal)
    code = _last_code(store)
    with store.engine.connect() as conn:
        rows = conn.execute(select(sms_challenges)).all()
    assert rows and all(code not in str(tuple(row)) for row in rows)


def test_sms_codes_last_ten_minutes(
    portal: Portal, account: str, store: SqlStore, clock: FakeClock
) -> None:
    _enable_sms(portal, store)
    challenge = _challenge(portal)
    code = _last_code(store)
    clock.advance(timedelta(minutes=10))
    with pytest.raises(SmsChallengeInvalid):
        portal.complete_sign_in(challenge.token, code)
    challenge = _challenge(portal)
    code = _last_code(store)
    clock.advance(timedelta(minutes=9, seconds=59))
    assert isinstance(portal.complete_sign_in(challenge.token, code), Session)


def test_three_wrong_entries_void_the_code(portal: Portal, account: str, store: SqlStore) -> None:
    _enable_sms(portal, store)
    challenge = _challenge(portal)
    code = _last_code(store)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(SmsCodeInvalid) as info:
        portal.complete_sign_in(challenge.token, wrong)
    assert info.value.facts["remaining"] == 2
    with pytest.raises(SmsCodeInvalid):
        portal.complete_sign_in(challenge.token, wrong)
    with pytest.raises(SmsChallengeInvalid):
        portal.complete_sign_in(challenge.token, wrong)
    with pytest.raises(SmsChallengeInvalid):
        portal.complete_sign_in(challenge.token, code)


def test_unfinished_sms_sign_ins_count_toward_the_lock(
    portal: Portal, account: str, store: SqlStore, hasher: CountingHasher
) -> None:
    # Knowing the password is not enough to guess codes without end: the count is forgiven
    # only when the code is right.
    _enable_sms(portal, store)
    for _ in range(4):
        _challenge(portal)
    last = _challenge(portal)
    code = _last_code(store)
    with pytest.raises(AccountLocked):
        portal.sign_in(account, PASSWORD)
    assert isinstance(portal.complete_sign_in(last.token, code), Session)  # lifts the lock
    assert isinstance(_challenge(portal), SmsChallenge)


def test_phone_changed_removes_sms_access_with_the_unlock_code(
    portal: Portal, account: str, store: SqlStore, smtp: SmtpServer
) -> None:
    unlock = _enable_sms(portal, store)
    smtp.clear()
    portal.phone_changed(account, PASSWORD, unlock.lower().replace("-", " "))
    assert isinstance(portal.sign_in(account, PASSWORD), Session)  # identifier + password only
    [notice] = smtp.messages()
    assert notice["Subject"] == "mon.service-public.fr : accès par code SMS supprimé"
    text = body(notice)
    assert "simplement avec votre identifiant et votre mot de passe" in text
    record = store.account_by_identifier(account)
    assert record is not None and record.sms_phone is None and record.unlock_code_hash is None


def test_phone_changed_failures_count_toward_the_lock(
    portal: Portal, account: str, store: SqlStore, smtp: SmtpServer, hasher: CountingHasher
) -> None:
    unlock = _enable_sms(portal, store)
    checks = hasher.verifications
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            portal.phone_changed(account, WRONG_PASSWORD, unlock)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            portal.phone_changed(account, PASSWORD, "AAAA-AAAA-AAAA-AAAA")
    with pytest.raises(AccountLocked):
        portal.phone_changed(account, PASSWORD, "AAAA-AAAA-AAAA-AAAA")
    with pytest.raises(AccountLocked):  # locked: nothing is checked any more
        portal.phone_changed(account, PASSWORD, unlock)
    assert hasher.verifications == checks + 5
    record = store.account_by_identifier(account)
    assert record is not None and record.sms_phone is not None


def test_phone_changed_without_sms_access_is_refused(portal: Portal, account: str) -> None:
    with pytest.raises(InvalidCredentials):
        portal.phone_changed(account, PASSWORD, "AAAA-AAAA-AAAA-AAAA")
    with pytest.raises(InvalidCredentials):
        portal.phone_changed("inconnu", PASSWORD, "AAAA-AAAA-AAAA-AAAA")


class _Operator:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.delivered: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        if self.fail:
            raise ConnectionError("operator down")
        self.delivered.append((phone, text))


def test_the_outbox_is_drained_once_and_failures_are_retried(
    portal: Portal, account: str, store: SqlStore, clock: FakeClock
) -> None:
    _enable_sms(portal, store)
    _challenge(portal)
    down = _Operator(fail=True)
    report = drain_outbox(store, down, clock)
    assert (report.sent, report.failed) == (0, 2)  # the enrolment code and the sign-in code
    pending = store.outbox(pending_only=True)
    assert pending and all(
        m.attempts == 1 and "operator down" in (m.last_error or "") for m in pending
    )
    up = _Operator()
    drain_outbox(store, up, clock)
    assert store.outbox(pending_only=True) == []
    assert {phone for phone, _ in up.delivered} == {"+33612345678"}
    assert drain_outbox(store, up, clock).sent == 0  # nothing is sent twice


def test_the_phone_number_is_never_the_sms_gateway_input_unnormalised(
    portal: Portal, account: str, store: SqlStore
) -> None:
    _enable_sms(portal, store)
    with store.engine.connect() as conn:
        phones = conn.execute(select(accounts.c.sms_phone)).scalars().all()
    assert phones == ["+33612345678"]
