"""Web security in process: headers on every answer, cookies, the body cap (before the body is
read whole), error answers without internals, and a portal mounted under a path."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from msp_portal.portal import Portal
from msp_portal.web import QuestionCaptcha, WebSettings, create_app
from msp_portal.web.middleware import CSP
from tests.web.helpers import PASSWORD, create_account, csrf_of
from tests.web.test_api_accounts import assert_error

pytestmark = pytest.mark.anyio

EXPECTED = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/connexion"),
        ("GET", "/nulle-part"),
        ("GET", "/api/v1/partners"),
        ("GET", "/api/v1/account"),
        ("GET", "/api/openapi.json"),
        ("POST", "/api/v1/nulle-part"),
        ("GET", "/static/portail.css"),
    ],
)
async def test_security_headers_on_every_answer(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, (path, name)
    assert response.headers["strict-transport-security"].startswith("max-age=")
    if path.startswith("/static/"):
        assert response.headers["cache-control"] == "public, max-age=3600"
    else:
        assert response.headers["cache-control"] == "no-store"


def test_csp_has_no_script_and_no_inline() -> None:
    assert "default-src 'none'" in CSP
    assert "script-src" not in CSP  # so scripts fall back to default-src 'none'
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert "frame-ancestors 'none'" in CSP and "form-action 'self'" in CSP


async def test_no_hsts_over_plain_http(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
        response = await plain.get("/")
    assert "strict-transport-security" not in response.headers


async def test_csrf_cookie_flags(client: httpx.AsyncClient) -> None:
    cookie = (await client.get("/connexion")).headers["set-cookie"]
    assert cookie.startswith("__Host-msp-csrf=")
    for attribute in ("Path=/", "HttpOnly", "SameSite=Lax", "Secure"):
        assert attribute in cookie
    assert "set-cookie" not in (await client.get("/connexion")).headers  # kept, not renewed
    assert "set-cookie" not in (await client.get("/api/v1/partners")).headers


async def test_404_and_405_answer_json_on_the_api_and_pages_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    assert_error(await client.get("/api/v1/nulle-part"), 404, "not-found")
    assert_error(await client.get("/api/v1/accounts"), 405, "method-not-allowed")
    page = await client.get("/nulle-part")
    assert page.status_code == 404
    assert "Cette page n&#39;existe pas" in page.text
    assert (await client.put("/connexion")).status_code == 405


async def _chunks(count: int, size: int, pulled: list[int]) -> AsyncIterator[bytes]:
    for _ in range(count):
        pulled.append(size)
        yield b"x" * size


async def test_a_streamed_body_is_cut_off_at_the_cap(client: httpx.AsyncClient) -> None:
    pulled: list[int] = []
    response = await client.post(
        "/api/v1/accounts",
        content=_chunks(1000, 16 * 1024, pulled),  # 16 MB offered, no Content-Length
        headers={"content-type": "application/json"},
    )
    assert_error(response, 413, "body-too-large")
    assert sum(pulled) <= 64 * 1024 + 16 * 1024  # stopped one chunk past the cap


async def test_a_declared_length_over_the_cap_is_refused_unread(
    client: httpx.AsyncClient,
) -> None:
    pulled: list[int] = []
    response = await client.post(
        "/api/v1/accounts",
        content=_chunks(10, 16 * 1024, pulled),
        headers={"content-type": "application/json", "content-length": str(20 * 1024 * 1024)},
    )
    assert_error(response, 413, "body-too-large")
    assert pulled == []
    assert response.headers["connection"] == "close"


async def test_a_page_upload_over_the_cap_gets_a_french_page(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/connexion",
        content=b"x",
        headers={"content-type": "multipart/form-data; boundary=b", "content-length": "90000000"},
    )
    assert response.status_code == 413
    assert "80 Mo au plus" in response.text


class ExplodingPortal(Portal):
    def partner_links(self, session_token: str) -> list[object]:  # type: ignore[override]
        raise RuntimeError("secret internal detail /etc/passwd")


async def test_an_unexpected_error_answers_500_without_detail(
    settings: WebSettings, portal: Portal, captcha: QuestionCaptcha
) -> None:
    exploding = ExplodingPortal.__new__(ExplodingPortal)
    exploding.__dict__.update(portal.__dict__)
    app = create_app(settings, portal=exploding, captcha=captcha)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        await create_account(client)
        session = await client.post(
            "/api/v1/sessions", json={"identifier": "jdupont", "password": PASSWORD}
        )
        token = session.json()["session"]["token"]
        response = await client.get(
            "/api/v1/account/partner-links", headers={"authorization": f"Bearer {token}"}
        )
        assert_error(response, 500, "internal-error")
        assert "passwd" not in response.text and "Traceback" not in response.text
        assert response.headers["content-security-policy"] == CSP


async def test_mounted_under_a_path(
    settings: WebSettings, portal: Portal, captcha: QuestionCaptcha
) -> None:
    service = FastAPI()

    @service.get("/")
    def service_home() -> dict[str, str]:
        return {"service": "ok"}

    service.mount("/portail", create_app(settings, portal=portal, captcha=captcha))
    transport = httpx.ASGITransport(app=service)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        assert (await client.get("/")).json() == {"service": "ok"}
        page = await client.get("/portail/connexion")
        assert page.status_code == 200
        assert 'href="/portail/static/portail.css"' in page.text
        assert 'action="/portail/connexion"' in page.text
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("__Secure-msp-csrf=") and "Path=/portail" in cookie
        await create_account(
            client.__class__(transport=transport, base_url="https://testserver/portail")
        )
        signed_in = await client.post(
            "/portail/connexion",
            data={"csrf": csrf_of(page.text), "identifiant": "jdupont", "mot_de_passe": PASSWORD},
        )
        assert signed_in.headers["location"] == "/portail/profil"
        assert "Path=/portail" in signed_in.headers["set-cookie"]
        assert (await client.get("/portail/profil")).status_code == 200
        private = await client.get("/portail/profil/coordonnees")
        assert private.status_code == 200
        assert_error(await client.get("/portail/api/v1/account"), 401, "session-invalid")
        schema = (await client.get("/portail/api/openapi.json")).json()
        assert "/api/v1/accounts" in schema["paths"]
