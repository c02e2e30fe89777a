"""JSON API, profile and partners: contact details, email and password changes, deletion,
partner links and the partners' own call."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI

from msp_portal.adapters.sql.store import SqlStore
from msp_portal.portal import Portal
from msp_portal.web import QuestionCaptcha, WebSettings, create_app
from tests.portal.helpers import SmtpServer, body, link_token
from tests.web.helpers import OTHER_PASSWORD, PASSWORD, api_session, create_account
from tests.web.test_api_accounts import assert_error

pytestmark = pytest.mark.anyio


async def test_contact_details_round_trip(client: httpx.AsyncClient) -> None:
    await create_account(client)
    headers = await api_session(client)
    contact = {
        "civility": "Mme",
        "family_name": "Dupont",
        "given_names": "Jeanne Marie",
        "birth_date": "1985-07-14",
        "address_line1": "  12 rue de la Paix ",
        "postcode": "75002",
        "city": "Paris",
        "country": "France",
        "phone": "01 23 45 67 89",
    }
    saved = await client.put("/api/v1/account/contact", json=contact, headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["address_line1"] == "12 rue de la Paix"
    assert saved.json()["phone"] == "+33123456789"
    account = (await client.get("/api/v1/account", headers=headers)).json()
    assert account["contact"] == saved.json()


@pytest.mark.parametrize(
    ("contact", "status", "code"),
    [
        ({"birth_date": "1850-01-01"}, 422, "invalid-contact-details"),
        ({"phone": "pas un numéro"}, 422, "invalid-contact-details"),
        ({"city": "x" * 101}, 422, "invalid-contact-details"),
        ({"civility": "Dr"}, 422, "invalid-request"),
        ({"birth_date": "14/07/1985"}, 422, "invalid-request"),
        ({"nickname": "JD"}, 422, "invalid-request"),
    ],
)
async def test_contact_details_refusals(
    client: httpx.AsyncClient, contact: dict[str, str], status: int, code: str
) -> None:
    await create_account(client)
    headers = await api_session(client)
    response = await client.put("/api/v1/account/contact", json=contact, headers=headers)
    assert_error(response, status, code)


async def test_email_change_then_confirm(
    client: httpx.AsyncClient, smtp: SmtpServer, portal: Portal
) -> None:
    await create_account(client)
    headers = await api_session(client)
    wrong = await client.post(
        "/api/v1/account/email-change",
        json={"password": "pas le bon mot de passe", "new_email": "neuf@example.org"},
        headers=headers,
    )
    assert_error(wrong, 401, "invalid-credentials")
    response = await client.post(
        "/api/v1/account/email-change",
        json={"password": PASSWORD, "new_email": "neuf@example.org"},
        headers=headers,
    )
    assert response.status_code == 202
    portal.deliver_mail()
    message = next(m for m in smtp.messages() if m["To"] == "neuf@example.org")
    assert message["To"] == "neuf@example.org"
    text = body(message)
    assert "https://testserver/profil/confirmer-adresse?jeton=" in text
    confirm = await client.post(
        "/api/v1/account/email-change/confirm", json={"token": link_token(text)}
    )
    assert confirm.json() == {"email": "neuf@example.org"}
    account = (await client.get("/api/v1/account", headers=headers)).json()
    assert account["email"] == "neuf@example.org"
    again = await client.post(
        "/api/v1/account/email-change/confirm", json={"token": link_token(text)}
    )
    assert_error(again, 410, "link-invalid")


async def test_password_change_ends_other_sessions(client: httpx.AsyncClient) -> None:
    await create_account(client)
    first = await api_session(client)
    second = await api_session(client)
    rejected = await client.post(
        "/api/v1/account/password",
        json={"current_password": PASSWORD, "new_password": "jdupont jdupont jdupont"},
        headers=first,
    )
    assert_error(rejected, 422, "password-contains-identifier")
    response = await client.post(
        "/api/v1/account/password",
        json={"current_password": PASSWORD, "new_password": OTHER_PASSWORD},
        headers=first,
    )
    assert response.status_code == 204
    assert (await client.get("/api/v1/account", headers=first)).status_code == 200
    assert_error(await client.get("/api/v1/account", headers=second), 401, "session-invalid")


async def test_delete_account(client: httpx.AsyncClient) -> None:
    await create_account(client)
    headers = await api_session(client)
    wrong = await client.post("/api/v1/account/delete", json={"password": "x"}, headers=headers)
    assert_error(wrong, 401, "invalid-credentials")
    done = await client.post("/api/v1/account/delete", json={"password": PASSWORD}, headers=headers)
    assert done.status_code == 204
    assert_error(await client.get("/api/v1/account", headers=headers), 401, "session-invalid")
    taken = await client.post(
        "/api/v1/accounts",
        json={"identifier": "jdupont", "email": "j@example.org", "password": PASSWORD},
    )
    assert_error(taken, 409, "identifier-taken")


async def test_partner_directory_and_links(client: httpx.AsyncClient, store: SqlStore) -> None:
    directory = (await client.get("/api/v1/partners")).json()
    assert len(directory) == 10
    ameli = next(p for p in directory if p["code"] == "ameli")
    assert ameli["phone"] == "3646"
    await create_account(client)
    headers = await api_session(client)
    assert (await client.get("/api/v1/account/partner-links", headers=headers)).json() == []
    create = await client.post(
        "/api/v1/account/partner-links", json={"partner": "ameli"}, headers=headers
    )
    assert_error(create, 403, "partner-link-creation-closed")
    delete = await client.delete("/api/v1/account/partner-links/ameli", headers=headers)
    assert_error(delete, 403, "partner-link-deleted-at-partner")


async def test_partner_call_needs_its_key(
    settings: WebSettings, portal: Portal, captcha: QuestionCaptcha, store: SqlStore
) -> None:
    key = "cle-du-partenaire-ameli-0123456789"
    portal_settings = replace(
        settings.portal, partner_keys={"ameli": hashlib.sha256(key.encode()).hexdigest()}
    )
    keyed = Portal(
        store,
        portal.ctx.mailer,
        captcha,
        clock=portal.ctx.clock,
        hasher=portal.ctx.hasher,
        settings=portal_settings,
    )
    portal.create_account("jdupont", "jean@example.org", PASSWORD)
    account = store.account_by_identifier("jdupont")
    assert account is not None
    store.add_partner_link(account.id, "ameli", "REF-42", portal.ctx.clock())
    app: FastAPI = create_app(settings, portal=keyed, captcha=captcha)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        path = "/api/v1/partners/ameli/links/REF-42"
        assert_error(await client.delete(path), 401, "partner-not-authorised")
        bad = {"authorization": "Bearer mauvaise-cle"}
        assert_error(await client.delete(path, headers=bad), 401, "partner-not-authorised")
        good = {"authorization": f"Bearer {key}"}
        unknown = await client.delete("/api/v1/partners/inconnu/links/REF-42", headers=good)
        assert_error(unknown, 404, "unknown-partner")
        assert (await client.delete(path, headers=good)).status_code == 204
        assert_error(await client.delete(path, headers=good), 404, "partner-link-not-found")
