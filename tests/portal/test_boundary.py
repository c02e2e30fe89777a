"""Every public Portal call answers any text with a result or a typed PortalError.

A JSON API hands the portal whatever a client sends: lone surrogates (``"\\ud800"``), control
characters, megabyte strings, non-strings. Each public method is driven by Hypothesis with such
values in every text parameter, mixed with valid ones (a live session, a real identifier) so that
the hostile value reaches the deep code: password hashing, token hashing, store writes.
"""

from __future__ import annotations

import hashlib
import inspect
import typing
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msp_portal import (
    Civility,
    ContactDetails,
    InvalidInput,
    LocalBlobStore,
    Portal,
    PortalError,
    PortalSettings,
    Session,
    SqlStore,
    StorageError,
)
from msp_portal.testing import FakeCaptcha, FakeClock, MemoryMailer
from tests.portal.conftest import START
from tests.portal.helpers import PASSWORD, new_verified_account

HOSTILE = [
    "\ud800",
    "abc\udfffdef",
    "\x00",
    "jdupont\x00",
    "\x1b[31m",
    "\x85",
    "\u202e\u2066",
    "x" * 1_048_576,
    "é" * 300_000,
    "１２３４５６",
    "",
    " ",
    "a@b.fr\r\nBcc: c@d.fr",
]

any_text = st.text(st.characters(exclude_categories=()), max_size=80)  # surrogates included
hostile_text = st.one_of(any_text, st.sampled_from(HOSTILE))
not_text = st.sampled_from([None, 0, 3.5, b"bytes", ["list"], {"k": "v"}])


class FastHasher:
    """The PasswordHasher port with SHA-256: argon2's cost is not what these tests are about.

    Like argon2-cffi, it encodes as strict UTF-8, so a lone surrogate reaching it would raise.
    """

    def hash(self, password: str) -> str:
        return hashlib.sha256(password.encode("utf-8")).hexdigest()

    def verify(self, password_hash: str, password: str) -> bool:
        return self.hash(password) == password_hash

    def needs_rehash(self, password_hash: str) -> bool:
        return False

    def verify_dummy(self, password: str) -> None:
        self.hash(password)


def _text_parameters(method: Any) -> dict[str, bool]:
    """Name -> optional, for each parameter of a public method; {} when one is not text."""
    hints = typing.get_type_hints(method)
    found: dict[str, bool] = {}
    for name in inspect.signature(method).parameters:
        if name == "self":
            continue
        hint = hints.get(name)
        if hint is str:
            found[name] = False
        elif hint == str | None:
            found[name] = True
        elif hint is ContactDetails:
            found[name] = False
        else:
            return {}
    return found


PUBLIC = sorted(
    name
    for name, member in inspect.getmembers(Portal, inspect.isfunction)
    if not name.startswith("_") and _text_parameters(member)
)
ACCOUNT_METHODS = {
    "authenticate",
    "change_password",
    "complete_sign_in",
    "confirm_email_change",
    "confirm_sms_enrolment",
    "create_account",
    "create_partner_link",
    "delete_account",
    "delete_partner_link",
    "forgot_identifier",
    "forgot_password",
    "partner_delete_link",
    "partner_links",
    "phone_changed",
    "request_email_change",
    "resend_verification",
    "reset_password",
    "sign_in",
    "sign_out",
    "start_sms_enrolment",
    "update_contact_details",
    "verify_email",
    "view_account",
}


def test_every_public_method_taking_text_is_exercised() -> None:
    assert set(PUBLIC) >= ACCOUNT_METHODS


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Portal, dict[str, str]]]:
    store = SqlStore.open("sqlite://")
    portal = Portal(
        store,
        MemoryMailer(),
        FakeCaptcha(),
        clock=FakeClock(START),
        hasher=FastHasher(),
        settings=PortalSettings(lock_threshold=10**9),
        blobs=LocalBlobStore(tmp_path_factory.mktemp("blobs")),
    )
    new_verified_account(portal, "jdupont", "jean.dupont@example.org")
    session = portal.sign_in("jdupont", PASSWORD)
    assert isinstance(session, Session)
    valid = {
        "session_token": session.token,
        "identifier": "jdupont",
        "email": "jean.dupont@example.org",
        "new_email": "jean@nouveau.fr",
        "captcha_response": "ok",
        "phone": "06 12 34 56 78",
        "partner_code": "caf",
        "reference": "CAF-1",
    }
    yield portal, valid
    store.close()


def _contact_details() -> st.SearchStrategy[ContactDetails]:
    text = st.one_of(st.just(""), hostile_text)
    return st.builds(
        ContactDetails,
        civility=st.one_of(st.none(), st.sampled_from(list(Civility)), hostile_text),
        family_name=text,
        given_names=text,
        birth_date=st.one_of(st.none(), st.dates(date(1850, 1, 1)), hostile_text),
        address_line1=text,
        address_line2=text,
        postcode=text,
        city=text,
        country=text,
        phone=st.one_of(text, st.just("06 12 34 56 78")),
    )


@pytest.mark.parametrize("name", PUBLIC)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_text_gets_a_result_or_a_typed_error(
    world: tuple[Portal, dict[str, str]], name: str, data: st.DataObject
) -> None:
    portal, valid = world
    method = getattr(portal, name)
    kwargs: dict[str, object] = {}
    for parameter, optional in _text_parameters(getattr(Portal, name)).items():
        if parameter == "details":
            kwargs[parameter] = data.draw(st.one_of(_contact_details(), not_text))
            continue
        choices = [hostile_text, not_text]
        if parameter in valid:
            choices.append(st.just(valid[parameter]))
        if optional:
            choices.append(st.none())
        kwargs[parameter] = data.draw(st.one_of(*choices), label=parameter)
    try:
        method(**kwargs)
    except StorageError as exc:  # pragma: no cover - the failure this test exists to catch
        pytest.fail(f"{name} let a value reach the store: {exc.detail}")
    except PortalError:
        pass


@pytest.mark.parametrize("name", PUBLIC)
@pytest.mark.parametrize("value", ["\ud800", "x" * 1_048_576, "\x00", 12], ids=repr)
def test_a_hostile_value_in_any_text_parameter_is_invalid_input(
    world: tuple[Portal, dict[str, str]], name: str, value: object
) -> None:
    """Each text parameter in turn, the others valid: the boundary names the culprit."""
    portal, valid = world
    parameters = _text_parameters(getattr(Portal, name))
    for culprit in parameters:
        if culprit == "details":
            continue
        kwargs: dict[str, object] = {p: valid.get(p, "x") for p in parameters if p != "details"}
        if "details" in parameters:
            kwargs["details"] = ContactDetails()
        kwargs[culprit] = value
        if value == "\x00" and culprit.endswith("password"):
            continue  # controls are allowed in passwords; only surrogates and size are refused
        with pytest.raises(InvalidInput) as info:
            getattr(portal, name)(**kwargs)
        assert info.value.facts["field"] == culprit
