"""Helpers of the web tests: read a page as a browser would (its forms, CSRF token, captcha)."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from msp_portal.portal import Portal
from msp_portal.web.captcha import _WORDS
from tests.portal.helpers import queued_link

PASSWORD = "cheval agrafe pile correcte"
OTHER_PASSWORD = "une autre phrase assez longue"


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no CSRF field in the page"
    return match.group(1)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def solve_captcha(page: str) -> dict[str, str]:
    """Answer the text captcha as a person reads it ("Combien font trois plus quatre ?")."""
    prompt = html.unescape(re.search(r"Combien font ([^?]+) \?", page).group(1))  # type: ignore[union-attr]
    left, right = prompt.split(" plus ")
    total = _WORDS.index(left.strip()) + _WORDS.index(right.strip())
    return {"captcha_jeton": hidden(page, "captcha_jeton"), "captcha_reponse": str(total)}


def error_summary(page: str) -> str:
    match = re.search(r'class="resume-erreur"[^>]*>(.*?)</div>', page, re.S)
    assert match, "no error summary on the page"
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def notice(page: str) -> str:
    match = re.search(r'class="avis" role="status"><p>(.*?)</p>', page, re.S)
    assert match, "no notice on the page"
    return html.unescape(match.group(1))


async def submit(
    client: httpx.AsyncClient, path: str, data: dict[str, Any], *, page_path: str | None = None
) -> httpx.Response:
    """GET the form's page, then POST the form with its CSRF token (and hidden fields given)."""
    page = await client.get(page_path or path)
    assert page.status_code == 200, page.text
    return await client.post(path, data={"csrf": csrf_of(page.text), **data})


async def create_account(
    client: httpx.AsyncClient, identifier: str = "jdupont", email: str = "jean@example.org"
) -> None:
    response = await client.post(
        "/api/v1/accounts", json={"identifier": identifier, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 201, response.text


async def verified_account(
    client: httpx.AsyncClient,
    portal: Portal,
    identifier: str = "jdupont",
    email: str = "jean@example.org",
) -> None:
    """Create an account and confirm its address as its holder does (signed in, the link)."""
    await create_account(client, identifier, email)
    token = queued_link(portal, email, "verifier-adresse")
    headers = await api_session(client, identifier)
    verified = await client.post(
        "/api/v1/account/email-verification", json={"token": token}, headers=headers
    )
    assert verified.json() == {"email": email}, verified.text
    await client.delete("/api/v1/sessions/current", headers=headers)
    portal.deliver_mail()


async def sign_in_page(client: httpx.AsyncClient, identifier: str = "jdupont") -> httpx.Response:
    response = await submit(
        client, "/connexion", {"identifiant": identifier, "mot_de_passe": PASSWORD}
    )
    assert response.status_code == 303, response.text
    return response


async def api_session(client: httpx.AsyncClient, identifier: str = "jdupont") -> dict[str, str]:
    """Sign in through the API; the Authorization header of the session."""
    response = await client.post(
        "/api/v1/sessions", json={"identifier": identifier, "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    return {"authorization": f"Bearer {response.json()['session']['token']}"}
