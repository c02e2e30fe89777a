"""Pure rules: the lock, the password policy, identifiers and contacts, tokens, Paris time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msp_portal import (
    InvalidIdentifier,
    InvalidPhone,
    PasswordContainsIdentifier,
    PasswordTooCommon,
    PasswordTooLong,
    PasswordTooShort,
)
from msp_portal.domain.contact import (
    FRENCH_REGIONS,
    check_email,
    check_identifier,
    email_key,
    normalise_phone,
)
from msp_portal.domain.lockout import LockPolicy, LockState, admit, is_locked, succeed
from msp_portal.domain.paris import paris_time
from msp_portal.domain.passwords import blocklist_size, check_new_password, is_common
from msp_portal.domain.tokens import (
    hash_token,
    new_sms_code,
    new_token,
    new_unlock_code,
    normalise_unlock_code,
)

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
POLICY = LockPolicy()


# --- the lock -------------------------------------------------------------------------------------
def test_the_fifth_failure_locks_for_two_hours() -> None:
    state = LockState()
    for expected in range(1, 6):
        admitted, state = admit(state, T0, POLICY)
        assert admitted and state.failures == expected
    assert state.locked_until == T0 + timedelta(hours=2)
    assert is_locked(state, T0 + timedelta(hours=1, minutes=59, seconds=59))
    assert not is_locked(state, T0 + timedelta(hours=2))
    assert admit(state, T0 + timedelta(hours=1), POLICY) == (False, state)


@given(
    st.lists(
        st.tuples(st.sampled_from(["fail", "success"]), st.integers(min_value=0, max_value=200)),
        max_size=200,
    )
)
def test_never_more_checks_than_the_threshold_between_successes(
    events: list[tuple[str, int]],
) -> None:
    state, now, since_success = LockState(), T0, 0
    lock_started: datetime | None = None
    for event, minutes in events:
        now += timedelta(minutes=minutes)
        if lock_started is not None and now >= lock_started + POLICY.duration:
            since_success, lock_started = 0, None  # an ended lock starts a new count
        admitted, new_state = admit(state, now, POLICY)
        if not admitted:
            assert new_state == state  # refused attempts change nothing
            assert lock_started is not None and now < lock_started + POLICY.duration
            continue
        since_success += 1
        assert since_success <= POLICY.threshold
        if new_state.locked_until is not None:
            lock_started = now
            assert new_state.locked_until == now + POLICY.duration
        state = new_state
        if event == "success":
            state, since_success, lock_started = succeed(), 0, None


# --- password policy ------------------------------------------------------------------------------
def test_length_limits_count_characters_after_nfkc() -> None:
    with pytest.raises(PasswordTooShort) as info:
        check_new_password("onze caract", identifier="jdupont")
    assert info.value.facts == {"length": 11, "minimum": 12}
    assert check_new_password("douze caract", identifier="jdupont") == "douze caract"
    long_one = "une phrase de passe très longue et toujours valable ! " * 3
    assert len(long_one[:128]) == 128
    assert check_new_password(long_one[:128], identifier="jdupont") == long_one[:128]
    assert check_new_password("x7Rq" * 256, identifier="jdupont")
    with pytest.raises(PasswordTooLong):
        check_new_password("x7Rq" * 256 + "z", identifier="jdupont")
    # "ﬁ" (one ligature) becomes "fi": 11 characters typed, 12 after NFKC.
    assert check_new_password("ﬁgue sèche!", identifier="jdupont") == "figue sèche!"


def test_no_composition_rules() -> None:
    for password in (
        "toutenminusculesmaislongue",
        "ÉTÉ CHAUD À PARIS",
        "日本語のパスワードですよね",
        "🙂🙃🙂🙃 et des mots",
    ):
        assert check_new_password(password, identifier="jdupont")


def test_the_blocklist_holds_over_ten_thousand_passwords() -> None:
    assert blocklist_size() >= 10_000


@pytest.mark.parametrize(
    "password",
    [
        "1qaz2wsx3edc",  # in the breach list as such
        "PASSWORD1234",  # any case, digits appended
        "Motdepasse2024!",
        "azertyazerty",  # repeated
        "soleil-soleil-soleil",
        "123456789012",  # a run
        "abcdefghijklmnop",
        "aaaaaaaaaaaaaaa",
        "abababababababab",
        "monservicepublic",
    ],
)
def test_common_and_breached_passwords_are_refused(password: str) -> None:
    assert is_common(password)
    with pytest.raises(PasswordTooCommon):
        check_new_password(password, identifier="jdupont")


@pytest.mark.parametrize("password", ["mon jdupont à moi", "JDupont2025 secret", "xxJDUPONTxxyy"])
def test_passwords_containing_the_identifier_are_refused(password: str) -> None:
    with pytest.raises(PasswordContainsIdentifier):
        check_new_password(password, identifier="jdupont")


# --- identifiers, emails, phones ------------------------------------------------------------------
@pytest.mark.parametrize("identifier", ["ab", "a" * 65, "jean dupont", "jéan", "a/b", "x\x00y"])
def test_identifiers_are_checked(identifier: str) -> None:
    with pytest.raises(InvalidIdentifier):
        check_identifier(identifier)


def test_identifier_forms_accepted() -> None:
    for identifier in ("jdupont", "J.Dupont-75", "jean.dupont@example.org", "a_b"):
        assert check_identifier(identifier) == identifier


def test_emails_are_compared_without_case() -> None:
    assert check_email("  Jean.Dupont@Example.org ") == "Jean.Dupont@Example.org"
    assert email_key("Jean.Dupont@Example.org") == email_key("jean.dupont@example.ORG")


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07.81.23.45.67", "+33781234567"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("+590 690 12 34 56", "+590690123456"),
    ],
)
def test_mobile_numbers_are_normalised(given_: str, expected: str) -> None:
    assert normalise_phone(given_) == expected


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("01 23 45 67 89", "not-mobile"),
        ("+33 1 23 45 67 89", "not-mobile"),
        ("08 99 12 34 56", "not-mobile"),  # premium rate: the SMS-pumping target
        ("07 12 34 56 78", "invalid"),  # well formed, but no such mobile range
        ("+44 7700 900123", "invalid"),  # reserved for drama
        ("12", "invalid"),
        ("06 12", "invalid"),
        ("abc", "invalid"),
        ("+" + "6" * 300, "invalid"),
    ],
)
def test_numbers_that_cannot_receive_sms_are_refused(phone: str, reason: str) -> None:
    with pytest.raises(InvalidPhone) as info:
        normalise_phone(phone)
    assert info.value.facts["reason"] == reason
    assert normalise_phone("01 23 45 67 89", mobile=False) == "+33123456789"


def test_sms_numbers_can_be_kept_to_the_regions_served() -> None:
    assert normalise_phone("+49 1512 3456789") == "+4915123456789"
    assert normalise_phone("+262 692 12 34 56", regions=FRENCH_REGIONS) == "+262692123456"
    with pytest.raises(InvalidPhone) as info:
        normalise_phone("+49 1512 3456789", regions=FRENCH_REGIONS)
    assert info.value.facts["reason"] == "region"


# --- tokens and codes -----------------------------------------------------------------------------
def test_tokens_carry_256_bits_and_are_stored_as_sha256() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) == 43 for t in tokens)  # 32 bytes in unpadded URL-safe base64
    assert all(re.fullmatch(r"[0-9a-f]{64}", hash_token(t)) for t in tokens)


def test_sms_codes_have_six_digits() -> None:
    codes = [new_sms_code() for _ in range(200)]
    assert all(re.fullmatch(r"\d{6}", c) for c in codes)
    assert len(set(codes)) > 150


def test_unlock_codes_carry_80_bits_and_forgive_typing() -> None:
    code = new_unlock_code()
    assert len(normalise_unlock_code(code)) == 16  # 16 base-32 characters = 80 bits
    assert normalise_unlock_code(code.lower().replace("-", " ")) == normalise_unlock_code(code)


# --- Paris time -----------------------------------------------------------------------------------
def test_paris_time_follows_daylight_saving() -> None:
    assert paris_time(datetime(2025, 1, 6, 11, 0, tzinfo=UTC)) == "12:00"
    assert paris_time(datetime(2025, 7, 6, 11, 0, tzinfo=UTC)) == "13:00"
    assert paris_time(datetime(2025, 3, 30, 0, 59, tzinfo=UTC)) == "01:59"
    assert paris_time(datetime(2025, 3, 30, 1, 0, tzinfo=UTC)) == "03:00"
