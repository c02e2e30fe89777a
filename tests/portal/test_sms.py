"""SMS access (A6): enrolment, codes at sign-in, unlock code, "phone number changed", outbox."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from msp_portal import (
    AccountLocked,
    InvalidCredentials,
    InvalidInput,
    InvalidPhone,
    Portal,
    SendLimitReached,
    Session,
    SmsAccessAlreadyEnabled,
    SmsChallenge,
    SmsChallengeInvalid,
    SmsCodeInvalid,
    SmsCodeMalformed,
    drain_outbox,
)
from msp_portal.adapters.sql.schema import accounts, sms_challenges, sms_outbox
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.testing import FakeClock
from tests.portal.conftest import START
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
    portal.deliver_mail()
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
    portal.deliver_mail()
    smtp.clear()
    portal.phone_changed(account, PASSWORD, unlock.lower().replace("-", " "))
    assert isinstance(portal.sign_in(account, PASSWORD), Session)  # identifier + password only
    portal.deliver_mail()
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


def _digits(code: str, zero: int) -> str:
    return "".join(chr(zero + int(d)) for d in code)


@pytest.mark.parametrize(
    "retype",
    [
        lambda c: _digits(c, 0xFF10),  # full-width digits, from a Japanese or Chinese keyboard
        lambda c: c[:3] + "\u00a0" + c[3:],  # pasted with a no-break space
        lambda c: f"\u2009{c[:2]} {c[2:4]}\u202f{c[4:]}\n",  # thin spaces, a line break
        lambda c: _digits(c, 0x0660),  # Arabic-Indic digits
    ],
    ids=["full-width", "no-break-space", "thin-spaces", "arabic-indic"],
)
def test_sms_codes_typed_in_other_forms_are_accepted(
    portal: Portal, account: str, store: SqlStore, retype: object
) -> None:
    _enable_sms(portal, store)
    challenge = _challenge(portal)
    typed = retype(_last_code(store))  # type: ignore[operator]
    assert isinstance(portal.complete_sign_in(challenge.token, typed), Session)


@pytest.mark.parametrize(
    "typed", ["12345", "1234567", "abcdef", "１２３ ４５", "12-34-56", "", "\u00a0"]
)
def test_what_cannot_be_a_code_is_answered_without_counting_an_entry(
    portal: Portal, account: str, store: SqlStore, typed: str
) -> None:
    _enable_sms(portal, store)
    challenge = _challenge(portal)
    code = _last_code(store)
    for _ in range(5):  # more than the 3 entries a code allows
        with pytest.raises(SmsCodeMalformed) as info:
            portal.complete_sign_in(challenge.token, typed)
        assert info.value.facts == {"remaining": 3, "digits": 6}
        assert isinstance(info.value, SmsCodeInvalid)  # callers matching wrong codes see it too
    assert isinstance(portal.complete_sign_in(challenge.token, code), Session)


def test_a_malformed_code_on_a_dead_challenge_says_the_challenge_is_dead(
    portal: Portal, account: str, store: SqlStore, clock: FakeClock
) -> None:
    _enable_sms(portal, store)
    challenge = _challenge(portal)
    clock.advance(timedelta(minutes=10))
    with pytest.raises(SmsChallengeInvalid):
        portal.complete_sign_in(challenge.token, "abc")


@pytest.mark.parametrize("typed", ["\ud800", "12\udfff34", "1" * 100_000, "12\x0034"])
def test_codes_that_are_not_text_are_refused_before_any_entry(
    portal: Portal, account: str, store: SqlStore, typed: str
) -> None:
    _enable_sms(portal, store)
    challenge = _challenge(portal)
    with pytest.raises(InvalidInput):
        portal.complete_sign_in(challenge.token, typed)
    with pytest.raises(InvalidInput):
        portal.confirm_sms_enrolment("x", "y", typed)
    assert isinstance(portal.complete_sign_in(challenge.token, _last_code(store)), Session)


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("08 99 12 34 56", "not-mobile"),  # premium rate
        ("07 12 34 56 78", "invalid"),  # no such range
        ("+49 1512 3456789", "region"),  # a mobile, but abroad: not served by default
        ("+882 1234 5678", "invalid"),  # international networks, a classic pumping target
    ],
)
def test_enrolment_sends_only_to_mobiles_of_the_regions_served(
    portal: Portal, account: str, store: SqlStore, phone: str, reason: str
) -> None:
    session = portal.sign_in(account, PASSWORD)
    assert isinstance(session, Session)
    with pytest.raises(InvalidPhone) as info:
        portal.start_sms_enrolment(session.token, PASSWORD, phone)
    assert info.value.facts["reason"] == reason
    assert store.outbox() == []


def test_enrolment_sms_are_limited_per_account_and_per_number(
    portal: Portal, account: str, store: SqlStore, clock: FakeClock
) -> None:
    """SMS pumping: a signed-in account cannot make the portal send SMS without end."""
    session = portal.sign_in(account, PASSWORD)
    assert isinstance(session, Session)
    numbers = [f"06 12 34 56 {n:02d}" for n in range(10, 60)]
    for phone in numbers[:10]:  # 10 per hour per account (settings.sms_per_account)
        portal.start_sms_enrolment(session.token, PASSWORD, phone)
    with pytest.raises(SendLimitReached) as info:
        portal.start_sms_enrolment(session.token, PASSWORD, numbers[10])
    assert info.value.facts == {"channel": "sms", "until": START + timedelta(hours=1)}
    assert len(store.outbox()) == 10
    for hour in range(1, 3):
        clock.advance(timedelta(hours=1))
        session = portal.sign_in(account, PASSWORD)
        assert isinstance(session, Session)
        for phone in numbers[10 * hour : 10 * hour + 10]:
            portal.start_sms_enrolment(session.token, PASSWORD, phone)
    assert len(store.outbox()) == 30
    clock.advance(timedelta(hours=1))
    session = portal.sign_in(account, PASSWORD)
    assert isinstance(session, Session)
    with pytest.raises(SendLimitReached) as info:  # and 30 a day
        portal.start_sms_enrolment(session.token, PASSWORD, numbers[30])
    assert info.value.facts["until"] == START + timedelta(days=1)


def test_sms_to_one_number_are_limited_whatever_the_account(
    portal: Portal, store: SqlStore
) -> None:
    for n in range(11):
        identifier = f"compte{n}"
        portal.create_account(identifier, f"{identifier}@example.org", PASSWORD)
        session = portal.sign_in(identifier, PASSWORD)
        assert isinstance(session, Session)
        if n < 10:
            portal.start_sms_enrolment(session.token, PASSWORD, PHONE)
        else:
            with pytest.raises(SendLimitReached):
                portal.start_sms_enrolment(session.token, PASSWORD, PHONE)
    assert len(store.outbox()) == 10


def test_a_deleted_accounts_queued_sms_are_deleted(
    portal: Portal, account: str, store: SqlStore
) -> None:
    _enable_sms(portal, store)
    challenge = _challenge(portal)
    session = portal.complete_sign_in(challenge.token, _last_code(store))
    portal.sign_in(account, PASSWORD)  # one more code, still queued
    portal.create_account("voisin", "voisin@example.org", PASSWORD)
    neighbour = portal.sign_in("voisin", PASSWORD)
    assert isinstance(neighbour, Session)
    portal.start_sms_enrolment(neighbour.token, PASSWORD, "06 98 76 54 32")
    assert len(store.outbox()) == 4
    portal.delete_account(session.token, PASSWORD)
    assert [m.phone for m in store.outbox()] == ["+33698765432"]  # only the other account's


def test_the_outbox_purge_keeps_only_the_retention_period(
    portal: Portal, account: str, store: SqlStore, clock: FakeClock
) -> None:
    _enable_sms(portal, store)
    drain_outbox(store, _Operator(), clock)
    clock.advance(timedelta(days=6))
    _challenge(portal)  # a newer SMS, pending
    assert len(store.outbox()) == 2
    clock.advance(timedelta(days=1, seconds=1))  # the enrolment code is past 7 days old
    assert portal.purge_outboxes() >= 1
    [left] = store.outbox()
    assert "code de connexion" in left.body
    with store.engine.connect() as conn:
        assert "code de confirmation" not in str(conn.execute(select(sms_outbox)).all())
