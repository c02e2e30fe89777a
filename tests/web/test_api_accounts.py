"""JSON API, accounts: every route with good and bad bodies, stable codes, both languages."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from msp_portal.adapters.sql.store import SqlStore
from msp_portal.portal import Portal
from msp_portal.testing import FakeClock
from tests.portal.helpers import SmtpServer, body, link_token
from tests.web.helpers import (
    OTHER_PASSWORD,
    PASSWORD,
    api_session,
    create_account,
    verified_account,
)

pytestmark = pytest.mark.anyio


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]["en"] and error["message"]["fr"]
    assert error["message"]["en"] != error["message"]["fr"]
    return error  # type: ignore[no-any-return]


async def test_create_account_then_sign_in_and_out(client: httpx.AsyncClient) -> None:
    await create_account(client)
    response = await client.post(
        "/api/v1/sessions", json={"identifier": "jdupont", "password": PASSWORD}
    )
    assert response.status_code == 201
    result = response.json()
    assert result["status"] == "signed-in"
    assert result["session"]["identifier"] == "jdupont"
    headers = {"authorization": f"Bearer {result['session']['token']}"}
    account = await client.get("/api/v1/account", headers=headers)
    assert account.status_code == 200
    assert account.json()["email"] == "jean@example.org"
    out = await client.delete("/api/v1/sessions/current", headers=headers)
    assert out.status_code == 204
    assert_error(await client.get("/api/v1/account", headers=headers), 401, "session-invalid")


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (
            {"identifier": "é", "email": "a@example.org", "password": PASSWORD},
            422,
            "invalid-identifier",
        ),
        (
            {"identifier": "marie", "email": "pas-une-adresse", "password": PASSWORD},
            422,
            "invalid-email",
        ),
        (
            {"identifier": "marie", "email": "m@example.org", "password": "court"},
            422,
            "password-too-short",
        ),
        (
            {"identifier": "marie", "email": "m@example.org", "password": "motdepasse123"},
            422,
            "password-too-common",
        ),
        (
            {"identifier": "jdupont", "email": "m@example.org", "password": OTHER_PASSWORD},
            409,
            "identifier-taken",
        ),
    ],
)
async def test_create_account_refusals_carry_the_portal_code(
    client: httpx.AsyncClient, payload: dict[str, str], status: int, code: str
) -> None:
    await create_account(client)
    assert_error(await client.post("/api/v1/accounts", json=payload), status, code)


@pytest.mark.parametrize(
    ("content", "content_type", "fields"),
    [
        (b'{"identifier": "x"}', "application/json", ["email", "password"]),
        (
            b'{"identifier": "x", "email": "e", "password": "p", "admin": true}',
            "application/json",
            ["admin"],
        ),
        (b'{"identifier": 12, "email": "e", "password": "p"}', "application/json", ["identifier"]),
        (
            b'{"identifier": "x", "email": "e", "password": "\\ud800"}',
            "application/json",
            ["password"],
        ),
        (
            b'{"identifier": "x", "email": "e", "password": "' + b"a" * 5000 + b'"}',
            "application/json",
            ["password"],
        ),
        (b"{not json", "application/json", ["1"]),
        (b"[]", "application/json", ["body"]),
        (b"identifier=x&email=e&password=p", "application/x-www-form-urlencoded", ["body"]),
    ],
)
async def test_bad_bodies_answer_invalid_request_with_the_fields(
    client: httpx.AsyncClient, content: bytes, content_type: str, fields: list[str]
) -> None:
    response = await client.post(
        "/api/v1/accounts", content=content, headers={"content-type": content_type}
    )
    error = assert_error(response, 422, "invalid-request")
    assert error["facts"]["fields"] == fields  # type: ignore[index]


async def test_a_body_over_the_form_cap_is_refused_413(client: httpx.AsyncClient) -> None:
    big = b'{"identifier": "' + b"x" * 70_000 + b'"}'
    response = await client.post(
        "/api/v1/accounts", content=big, headers={"content-type": "application/json"}
    )
    error = assert_error(response, 413, "body-too-large")
    assert error["facts"]["limit"] == 64 * 1024  # type: ignore[index]
    assert "64 Ko" in error["message"]["fr"]  # type: ignore[index]


async def test_wrong_password_five_times_locks_with_the_unlock_time(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await create_account(client)
    wrong = {"identifier": "jdupont", "password": "pas le bon mot de passe"}
    for _ in range(4):
        assert_error(await client.post("/api/v1/sessions", json=wrong), 401, "invalid-credentials")
    error = assert_error(await client.post("/api/v1/sessions", json=wrong), 423, "account-locked")
    # START is 09:00 UTC in winter: unlocked at 11:00 UTC, 12:00 in Paris.
    assert error["facts"] == {"until": "2025-01-06T11:00:00+00:00"}
    assert "12:00" in error["message"]["fr"]  # type: ignore[index]
    right = {"identifier": "jdupont", "password": PASSWORD}
    assert_error(await client.post("/api/v1/sessions", json=right), 423, "account-locked")
    clock.advance(timedelta(hours=2))
    assert (await client.post("/api/v1/sessions", json=right)).status_code == 201


async def test_unknown_identifier_is_not_told_apart(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/sessions", json={"identifier": "personne", "password": PASSWORD}
    )
    assert_error(response, 401, "invalid-credentials")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_missing_or_malformed_bearer_is_401(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/v1/account"), 401, "session-invalid")
    for value in ("Basic abc", "Bearer", "Bearer    ", "jeton"):
        response = await client.get("/api/v1/account", headers={"authorization": value})
        assert_error(response, 401, "session-invalid")


async def test_the_api_ignores_the_session_cookie(client: httpx.AsyncClient) -> None:
    await create_account(client)
    headers = await api_session(client)
    token = headers["authorization"].removeprefix("Bearer ")
    client.cookies.set("__Host-msp-session", token)
    assert_error(await client.get("/api/v1/account"), 401, "session-invalid")


async def sms_code(store: SqlStore) -> str:
    import re

    texts = [message.body for message in store.outbox()]
    match = re.search(r"\b(\d{6})\b", texts[-1])
    assert match, texts
    return match.group(1)


async def test_sms_access_enrol_then_two_step_sign_in_then_phone_changed(
    client: httpx.AsyncClient, store: SqlStore
) -> None:
    await create_account(client)
    headers = await api_session(client)
    start = await client.post(
        "/api/v1/account/sms-access",
        json={"password": PASSWORD, "phone": "06 12 34 56 78"},
        headers=headers,
    )
    assert start.status_code == 202, start.text
    enrolment = start.json()
    assert enrolment["phone_hint"].endswith("78")
    wrong = await client.post(
        "/api/v1/account/sms-access/confirm",
        json={"enrolment_token": enrolment["challenge_token"], "code": "000000"},
        headers=headers,
    )
    assert_error(wrong, 401, "sms-code-invalid")
    confirm = await client.post(
        "/api/v1/account/sms-access/confirm",
        json={"enrolment_token": enrolment["challenge_token"], "code": await sms_code(store)},
        headers=headers,
    )
    assert confirm.status_code == 200, confirm.text
    unlock_code = confirm.json()["unlock_code"]

    first = await client.post(
        "/api/v1/sessions", json={"identifier": "jdupont", "password": PASSWORD}
    )
    assert first.status_code == 202
    assert first.json()["status"] == "sms-code-required"
    challenge = first.json()["sms_challenge"]["challenge_token"]
    second = await client.post(
        "/api/v1/sessions/sms", json={"challenge_token": challenge, "code": await sms_code(store)}
    )
    assert second.status_code == 201, second.text
    assert second.json()["identifier"] == "jdupont"

    bad = {"identifier": "jdupont", "password": PASSWORD, "unlock_code": "faux"}
    assert_error(
        await client.post("/api/v1/sms-access/phone-changed", json=bad), 401, "invalid-credentials"
    )
    good = {"identifier": "jdupont", "password": PASSWORD, "unlock_code": unlock_code}
    response = await client.post("/api/v1/sms-access/phone-changed", json=good)
    assert response.status_code == 204
    again = await client.post(
        "/api/v1/sessions", json={"identifier": "jdupont", "password": PASSWORD}
    )
    assert again.status_code == 201


async def test_sms_step_with_an_unknown_challenge(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/sessions/sms", json={"challenge_token": "inconnu", "code": "123456"}
    )
    assert_error(response, 401, "sms-challenge-invalid")


async def captcha_answer(client: httpx.AsyncClient) -> str:
    from tests.web.helpers import solve_captcha

    question = (await client.get("/api/v1/captcha")).json()
    solved = solve_captcha(f'{question["prompt"]} <input name="captcha_jeton" value="x">')
    return f"{question['token']}:{solved['captcha_reponse']}"


async def test_forgot_identifier_and_password_then_reset(
    client: httpx.AsyncClient, smtp: SmtpServer, portal: Portal
) -> None:
    await verified_account(client, portal)
    response = await client.post(
        "/api/v1/recovery/identifier",
        json={"email": "jean@example.org", "captcha_response": await captcha_answer(client)},
    )
    assert response.status_code == 202
    portal.deliver_mail()
    assert "jdupont" in body(smtp.messages()[-1])
    reused = await client.post(
        "/api/v1/recovery/identifier",
        json={"email": "jean@example.org", "captcha_response": "1.2.3:4"},
    )
    assert_error(reused, 422, "captcha-failed")

    response = await client.post(
        "/api/v1/recovery/password",
        json={"identifier": "jdupont", "captcha_response": await captcha_answer(client)},
    )
    assert response.status_code == 202
    portal.deliver_mail()
    text = body(smtp.messages()[-1])
    assert "https://testserver/mot-de-passe/reinitialiser?jeton=" in text
    token = link_token(text)
    short = await client.post(
        "/api/v1/recovery/password/reset", json={"token": token, "new_password": "court"}
    )
    assert_error(short, 422, "password-too-short")
    done = await client.post(
        "/api/v1/recovery/password/reset", json={"token": token, "new_password": OTHER_PASSWORD}
    )
    assert done.status_code == 204
    replay = await client.post(
        "/api/v1/recovery/password/reset", json={"token": token, "new_password": OTHER_PASSWORD}
    )
    assert_error(replay, 410, "link-invalid")


async def test_forgot_password_answers_the_same_for_an_unknown_identifier(
    client: httpx.AsyncClient, smtp: SmtpServer, portal: Portal
) -> None:
    response = await client.post(
        "/api/v1/recovery/password",
        json={"identifier": "personne", "captcha_response": await captcha_answer(client)},
    )
    assert response.status_code == 202
    assert response.content == b""
    portal.deliver_mail()
    assert smtp.messages() == []


async def test_captcha_question_is_plain_french_text(client: httpx.AsyncClient) -> None:
    question = (await client.get("/api/v1/captcha")).json()
    assert question["prompt"].startswith("Combien font ")
    assert len(question["token"].split(".")) == 3


async def test_password_spraying_from_one_client_gets_429_with_retry_after(
    client: httpx.AsyncClient,
) -> None:
    statuses = []
    for attempt in range(31):  # one password tried on a new identifier each time
        response = await client.post(
            "/api/v1/sessions",
            json={"identifier": f"victime{attempt}", "password": "Printemps2025!"},
        )
        statuses.append(response.status_code)
    assert statuses[:30] == [401] * 30
    error = assert_error(response, 429, "too-many-requests")
    assert int(response.headers["retry-after"]) > 0
    assert error["facts"]["until"]  # type: ignore[index]


class _Request:
    def __init__(self, host: str) -> None:
        self.client = type("Client", (), {"host": host})()


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("testclient", "testclient"),
    ],
)
def test_client_key_is_the_address_or_its_ipv6_64(host: str, key: str) -> None:
    from msp_portal.web.deps import client_key

    assert client_key(_Request(host)) == key  # type: ignore[arg-type]
