"""Pages, in process: every page renders in French, every form refuses a missing CSRF token,
and the account journeys work as a browser would drive them (cookies, redirects, messages)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from msp_portal.adapters.sql.store import SqlStore
from msp_portal.portal import Portal
from msp_portal.testing import FakeClock
from tests.portal.helpers import SmtpServer, body, link_token
from tests.web.helpers import (
    OTHER_PASSWORD,
    PASSWORD,
    create_account,
    csrf_of,
    error_summary,
    hidden,
    notice,
    sign_in_page,
    solve_captcha,
    submit,
    verified_account,
)

pytestmark = pytest.mark.anyio

PUBLIC_PAGES = [
    "/",
    "/accessibilite",
    "/inscription",
    "/connexion",
    "/identifiant-oublie",
    "/mot-de-passe-oublie",
    "/mot-de-passe/reinitialiser?jeton=abc",
    "/telephone-modifie",
    "/profil/confirmer-adresse?jeton=abc",
]
PRIVATE_PAGES = [
    "/profil",
    "/profil/coordonnees",
    "/profil/adresse-electronique",
    "/profil/mot-de-passe",
    "/profil/supprimer",
    "/profil/acces-sms",
    "/profil/liaisons",
]


def page_form_routes() -> list[str]:
    """Every POST route of every page router (``msp_portal.web.routers.pages_*``)."""
    import importlib
    import pkgutil

    import msp_portal.web.routers as package

    paths = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("pages_"):
            router = importlib.import_module(f"{package.__name__}.{module.name}").router
            paths += [
                route.path
                for route in router.routes
                if isinstance(route, APIRoute) and "POST" in route.methods
            ]
    return sorted(paths)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
async def test_public_pages_render_in_french(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in response.text
    assert "<script" not in response.text
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", PRIVATE_PAGES)
async def test_private_pages_send_to_sign_in_then_back(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?" + str(httpx.QueryParams({"suite": path}))
    await create_account(client)
    form = await client.get(response.headers["location"])
    assert hidden(form.text, "suite") == path
    signed_in = await client.post(
        "/connexion",
        data={
            "csrf": csrf_of(form.text),
            "identifiant": "jdupont",
            "mot_de_passe": PASSWORD,
            "suite": path,
        },
    )
    assert signed_in.headers["location"] == path
    assert (await client.get(path)).status_code == 200


async def test_every_page_form_refuses_a_missing_or_foreign_csrf_token(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    routes = page_form_routes()
    assert len(routes) >= 14, routes
    await create_account(client)
    await sign_in_page(client)
    await client.get("/")
    document = ("fichiers", ("a.png", b"\x89PNG\r\n\x1a\n", "image/png"))
    for template in routes:
        path = template.replace("{document_id}", "0" * 32).replace("{numero}", "11580-05")
        for fields in ({"identifiant": "jdupont"}, {"csrf": "A" * 43, "identifiant": "jdupont"}):
            # as a plain form, then as multipart with a file (the upload routes' kind)
            plain = await client.post(path, data=fields)
            assert plain.status_code in {403, 415}, (path, plain.status_code)
            multipart = await client.post(path, data=fields, files=[document])
            assert multipart.status_code == 403, (path, multipart.status_code)
            assert "Le formulaire a expiré" in error_summary(multipart.text), path


async def test_a_csrf_token_from_before_sign_in_fails_after_it(client: httpx.AsyncClient) -> None:
    await create_account(client)
    before = csrf_of((await client.get("/connexion")).text)
    await sign_in_page(client)
    response = await client.post(
        "/profil/supprimer", data={"csrf": before, "mot_de_passe": PASSWORD}
    )
    assert response.status_code == 403


async def test_cross_site_posts_are_refused_before_the_form_is_read(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/connexion")
    data = {"csrf": csrf_of(page.text), "identifiant": "jdupont", "mot_de_passe": PASSWORD}
    for headers in (
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "https://evil.example"},
        {"origin": "null"},
    ):
        response = await client.post("/connexion", data=data, headers=headers)
        assert response.status_code == 403, headers
        assert "autre site" in error_summary(response.text)
    same = await client.post(
        "/connexion",
        data=data,
        headers={"origin": "https://testserver", "sec-fetch-site": "same-origin"},
    )
    assert same.status_code == 401  # reached the portal: no such account


async def test_create_account_sign_in_profile_sign_out(client: httpx.AsyncClient) -> None:
    created = await submit(
        client,
        "/inscription",
        {"identifiant": "jdupont", "courriel": "jean@example.org", "mot_de_passe": PASSWORD},
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/connexion?info=compte-cree-verifier"
    page = await client.get(created.headers["location"])
    assert "Votre compte a été créé" in notice(page.text)
    signed_in = await client.post(
        "/connexion",
        data={"csrf": csrf_of(page.text), "identifiant": "jdupont", "mot_de_passe": PASSWORD},
    )
    assert signed_in.headers["location"] == "/profil"
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith("__Host-msp-session=")
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert attribute in cookie
    assert "Max-Age" not in cookie and "expires" not in cookie.lower()
    profile = await client.get("/profil")
    assert "<dd>jdupont</dd>" in profile.text
    out = await submit(client, "/deconnexion", {}, page_path="/profil")
    assert out.headers["location"] == "/?info=deconnecte"
    assert 'msp-session=""' in out.headers["set-cookie"]
    assert (await client.get("/profil")).status_code == 303


async def test_account_creation_errors_keep_the_values_and_mark_the_field(
    client: httpx.AsyncClient,
) -> None:
    response = await submit(
        client,
        "/inscription",
        {"identifiant": "jdupont", "courriel": "jean@example.org", "mot_de_passe": "court"},
    )
    assert response.status_code == 422
    assert "trop court" in error_summary(response.text)
    assert 'href="#mot_de_passe"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'aria-describedby="mot_de_passe-aide mot_de_passe-erreur"' in response.text
    assert 'value="jean@example.org"' in response.text
    assert "<title>Erreur : Créer un compte" in response.text


async def test_lockout_message_gives_the_unlock_time_in_paris(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await create_account(client)
    for attempt in range(5):
        response = await submit(
            client, "/connexion", {"identifiant": "jdupont", "mot_de_passe": "faux"}
        )
        assert response.status_code == (401 if attempt < 4 else 423)
    message = error_summary(response.text)
    assert "verrouillé" in message
    assert "le 06/01/2025 à 12:00 (heure de Paris)" in message
    clock.advance(timedelta(hours=2))
    assert (await sign_in_page(client)).headers["location"] == "/profil"


async def test_sms_sign_in_through_the_pages(client: httpx.AsyncClient, store: SqlStore) -> None:
    from tests.web.test_api_accounts import sms_code

    await create_account(client)
    await sign_in_page(client)
    step1 = await submit(
        client, "/profil/acces-sms", {"telephone": "0612345678", "mot_de_passe": PASSWORD}
    )
    assert step1.status_code == 200
    assert "•• •• •• •• 78" in step1.text
    step2 = await client.post(
        "/profil/acces-sms/code",
        data={
            "csrf": csrf_of(step1.text),
            "jeton": hidden(step1.text, "jeton"),
            "code": await sms_code(store),
        },
    )
    assert "Accès par code SMS activé" in step2.text
    await submit(client, "/deconnexion", {}, page_path="/")
    first = await submit(client, "/connexion", {"identifiant": "jdupont", "mot_de_passe": PASSWORD})
    assert first.status_code == 200
    assert "Code reçu par SMS" in first.text
    wrong = await client.post(
        "/connexion/code-sms",
        data={"csrf": csrf_of(first.text), "jeton": hidden(first.text, "jeton"), "code": "000000"},
    )
    assert wrong.status_code == 401
    assert "encore 2 essais" in error_summary(wrong.text)
    right = await client.post(
        "/connexion/code-sms",
        data={
            "csrf": csrf_of(wrong.text),
            "jeton": hidden(wrong.text, "jeton"),
            "code": await sms_code(store),
        },
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/profil"


async def test_forgot_identifier_and_password_pages(
    client: httpx.AsyncClient, smtp: SmtpServer, portal: Portal
) -> None:
    await verified_account(client, portal)
    page = await client.get("/identifiant-oublie")
    wrong = await client.post(
        "/identifiant-oublie",
        data={
            "csrf": csrf_of(page.text),
            "courriel": "jean@example.org",
            "captcha_jeton": hidden(page.text, "captcha_jeton"),
            "captcha_reponse": "99",
        },
    )
    assert wrong.status_code == 422
    assert "ne correspondent pas" in error_summary(wrong.text)
    done = await client.post(
        "/identifiant-oublie",
        data={
            "csrf": csrf_of(wrong.text),
            "courriel": "jean@example.org",
            **solve_captcha(wrong.text),
        },
    )
    assert done.status_code == 200
    assert "Demande enregistrée" in done.text
    portal.deliver_mail()
    assert "jdupont" in body(smtp.messages()[-1])

    page = await client.get("/mot-de-passe-oublie")
    done = await client.post(
        "/mot-de-passe-oublie",
        data={"csrf": csrf_of(page.text), "identifiant": "jdupont", **solve_captcha(page.text)},
    )
    assert done.status_code == 200
    portal.deliver_mail()
    token = link_token(body(smtp.messages()[-1]))
    form = await client.get(f"/mot-de-passe/reinitialiser?jeton={token}")
    assert hidden(form.text, "jeton") == token
    reset = await client.post(
        "/mot-de-passe/reinitialiser",
        data={"csrf": csrf_of(form.text), "jeton": token, "mot_de_passe": OTHER_PASSWORD},
    )
    assert reset.headers["location"] == "/connexion?info=mot-de-passe-reinitialise"
    again = await client.post(
        "/mot-de-passe/reinitialiser",
        data={"csrf": csrf_of(form.text), "jeton": token, "mot_de_passe": OTHER_PASSWORD},
    )
    assert again.status_code == 410
    assert "n'est plus valable" in error_summary(again.text)


async def test_contact_details_page_reads_jj_mm_aaaa(client: httpx.AsyncClient) -> None:
    await create_account(client)
    await sign_in_page(client)
    fields = {
        "civility": "M.",
        "family_name": "Dupont",
        "given_names": "Jean",
        "birth_date": "14/07/1985",
        "address_line1": "12 rue de la Paix",
        "postcode": "75002",
        "city": "Paris",
        "phone": "01 23 45 67 89",
    }
    saved = await submit(client, "/profil/coordonnees", fields)
    assert saved.headers["location"] == "/profil?info=coordonnees-enregistrees"
    profile = await client.get(saved.headers["location"])
    assert "14/07/1985" in profile.text
    assert "+33123456789" in profile.text
    bad = await submit(client, "/profil/coordonnees", {**fields, "birth_date": "1985-07-14"})
    assert bad.status_code == 422
    assert "« Date de naissance »" in bad.text
    assert 'value="1985-07-14"' in bad.text
    assert 'aria-invalid="true"' in bad.text


async def test_email_change_pages_do_nothing_on_get(
    client: httpx.AsyncClient, smtp: SmtpServer, portal: Portal
) -> None:
    await create_account(client)
    await sign_in_page(client)
    sent = await submit(
        client,
        "/profil/adresse-electronique",
        {"courriel": "neuf@example.org", "mot_de_passe": PASSWORD},
    )
    assert "Confirmez votre nouvelle adresse" in sent.text
    portal.deliver_mail()
    token = link_token(body(next(m for m in smtp.messages() if m["To"] == "neuf@example.org")))
    page = await client.get(f"/profil/confirmer-adresse?jeton={token}")
    assert "<dd>jean@example.org" in (await client.get("/profil")).text
    confirmed = await client.post(
        "/profil/confirmer-adresse", data={"csrf": csrf_of(page.text), "jeton": token}
    )
    assert "Adresse électronique modifiée" in confirmed.text
    assert "<dd>neuf@example.org" in (await client.get("/profil")).text


async def test_password_change_and_account_deletion_pages(client: httpx.AsyncClient) -> None:
    await create_account(client)
    await sign_in_page(client)
    wrong = await submit(
        client,
        "/profil/mot-de-passe",
        {"mot_de_passe_actuel": "faux", "mot_de_passe": OTHER_PASSWORD},
    )
    assert wrong.status_code == 401
    assert 'href="#mot_de_passe_actuel"' in wrong.text
    changed = await submit(
        client,
        "/profil/mot-de-passe",
        {"mot_de_passe_actuel": PASSWORD, "mot_de_passe": OTHER_PASSWORD},
    )
    assert changed.headers["location"] == "/profil?info=mot-de-passe-change"
    deleted = await submit(client, "/profil/supprimer", {"mot_de_passe": OTHER_PASSWORD})
    assert deleted.headers["location"] == "/?info=compte-supprime"
    assert "Votre compte a été supprimé" in notice(
        (await client.get("/?info=compte-supprime")).text
    )
    assert (await client.get("/profil")).status_code == 303


async def test_an_expired_session_goes_back_to_sign_in(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await create_account(client)
    await sign_in_page(client)
    clock.advance(timedelta(minutes=31))
    response = await client.get("/profil")
    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?suite=%2Fprofil&info=session-expiree"
    assert 'msp-session=""' in response.headers["set-cookie"]


@pytest.mark.parametrize(
    "suite",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "profil", "/\x0bx"],
)
async def test_no_open_redirect_after_sign_in(client: httpx.AsyncClient, suite: str) -> None:
    await create_account(client)
    response = await submit(
        client, "/connexion", {"identifiant": "jdupont", "mot_de_passe": PASSWORD, "suite": suite}
    )
    assert response.headers["location"] == "/profil"


async def test_partner_links_page(
    client: httpx.AsyncClient, store: SqlStore, clock: FakeClock
) -> None:
    await create_account(client)
    account = store.account_by_identifier("jdupont")
    assert account is not None
    store.add_partner_link(account.id, "cnav", "R-1", clock())
    await sign_in_page(client)
    page = await client.get("/profil/liaisons")
    assert "La création de liaison n'est plus disponible" in page.text
    assert "Assurance retraite" in page.text
    assert "06/01/2025" in page.text


async def test_address_verification_needs_the_accounts_own_session(
    client: httpx.AsyncClient, portal: Portal
) -> None:
    from tests.portal.helpers import queued_link

    created = await submit(
        client,
        "/inscription",
        {"identifiant": "jdupont", "courriel": "jean@example.org", "mot_de_passe": PASSWORD},
    )
    assert created.headers["location"] == "/connexion?info=compte-cree-verifier"
    token = queued_link(portal, "jean@example.org", "verifier-adresse")
    link = f"/compte/verifier-adresse?jeton={token}"
    anonymous = await client.get(link)
    assert anonymous.status_code == 303  # sign in first, then back to the link
    assert anonymous.headers["location"].startswith("/connexion?suite=")
    await sign_in_page(client)
    profile = await client.get("/profil")
    assert "(non confirmée)" in profile.text
    page = await client.get(link)
    confirmed = await client.post(
        "/compte/verifier-adresse", data={"csrf": csrf_of(page.text), "jeton": token}
    )
    assert "Adresse électronique confirmée" in confirmed.text
    assert "(non confirmée)" not in (await client.get("/profil")).text
