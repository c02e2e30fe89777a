"""CERFA forms sent online as dossiers over HTTP (F3, F4), on the real cerfa_11580_05 of
../shared/cerfa: started from the form's page with what was typed, refused values beside their
fields, saved and resumed from Mon suivi, checked, printed (nothing sent), transmitted with an
A-2 reference, in Mon suivi; and the same through the JSON API."""

from __future__ import annotations

import html
import io
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from msp_portal.adapters.blobs.local import LocalBlobStore
from msp_portal.adapters.smtp import SmtpConfig, SmtpMailer, SmtpSecurity
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.portal import Portal
from msp_portal.testing import FakeClock
from msp_portal.web import QuestionCaptcha, WebSettings, create_app
from tests.conftest import CERFA, shared_file
from tests.portal.helpers import CountingHasher, SmtpServer
from tests.web.conftest import BASE_URL
from tests.web.helpers import api_session, csrf_of, error_summary, sign_in_page, verified_account
from tests.web.test_api_accounts import assert_error

pytestmark = pytest.mark.anyio
DONOR = "Donateur : nom"
DATE = "Date du versement ou du don (reportée à côté de la signature)"


@pytest.fixture
async def web(
    store: SqlStore,
    smtp: SmtpServer,
    clock: FakeClock,
    hasher: CountingHasher,
    captcha: QuestionCaptcha,
    settings: WebSettings,
) -> AsyncIterator[tuple[httpx.AsyncClient, Portal]]:
    """The web app over a portal built with the CERFA catalogue (``Portal(cerfa=...)``)."""
    from msp_docs.cerfa import Catalogue

    shared_file(CERFA / "cerfa_11580_05.pdf")
    portal = Portal(
        store,
        SmtpMailer(SmtpConfig("127.0.0.1", smtp.port, security=SmtpSecurity.NONE)),
        captcha,
        clock=clock,
        hasher=hasher,
        settings=settings.portal,
        blobs=LocalBlobStore(settings.blobs),
        cerfa=Catalogue.load(CERFA),
    )
    app = create_app(settings, portal=portal, captcha=captcha)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client, portal


def labels(page: str) -> dict[str, str]:
    """Label text -> input name, as a person reads the form."""
    found = re.findall(r'<label for="(c\d+)">([^<]+)<', page)
    return {html.unescape(text).removesuffix(" (prérempli)").strip(): name for name, text in found}


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


async def test_pages_send_a_cerfa_as_a_dossier(web: tuple[httpx.AsyncClient, Portal]) -> None:
    client, portal = web
    await verified_account(client, portal)
    await sign_in_page(client)
    page = await client.get("/formulaires/11580-05")
    assert 'formaction="/formulaires/11580-05/envoyer"' in page.text
    names = labels(page.text)
    typed = {"csrf": csrf_of(page.text), names[DONOR]: "Durand", names[DATE]: "31/02/2024"}
    started = await client.post("/formulaires/11580-05/envoyer", data=typed)
    # The dossier exists; the refused date is shown beside its field, what was typed kept.
    assert started.status_code == 422
    assert "Date du versement" in error_summary(started.text)
    assert f'id="{names[DATE]}-erreur"' in started.text
    assert 'value="Durand"' in started.text and 'value="31/02/2024"' in started.text
    action = re.search(r'action="(/formulaires/dossier/[\w-]+)"', started.text)
    assert action, re.findall(r'action="[^"]*"', started.text)
    dossier_path = action.group(1)
    dossier_id = dossier_path.rsplit("/", 1)[1]
    fixed = {**typed, "csrf": csrf_of(started.text), names[DATE]: "29/02/2024"}
    saved = await client.post(dossier_path, data={**fixed, "action": "enregistrer"})
    assert saved.status_code == 200 and "Numéro de télédossier" in saved.text
    file_number, password = re.findall(r'class="code-deblocage">([^<]+)<', saved.text)[:2]

    # Resumed from Mon suivi: the generic resume leads back to the form, values as saved.
    tracking = await client.get("/mon-suivi")
    assert "Reçu des dons" in tracking.text or "11580" in tracking.text
    resume_form = await client.get(f"/mon-suivi/reprendre?dossier={dossier_id}")
    resumed = await client.post(
        "/mon-suivi/reprendre",
        data={
            "csrf": csrf_of(resume_form.text),
            "dossier": dossier_id,
            "numero": file_number,
            "mot_de_passe": password,
        },
    )
    moved = await client.get(resumed.headers["location"])
    assert moved.status_code == 303 and moved.headers["location"] == dossier_path
    form = await client.get(dossier_path)
    assert 'value="29/02/2024"' in form.text and 'value="Durand"' in form.text

    answered = await client.post(dossier_path, data={**fixed, "csrf": csrf_of(form.text)})
    assert answered.headers["location"] == dossier_path + "/verification"
    check = await client.get(answered.headers["location"])
    if "resume-erreur" in check.text:  # required fields of the form still empty
        required = re.findall(r'href="#(c\d+)"', check.text)
        assert required
        filled = {**fixed, "csrf": csrf_of(check.text), **dict.fromkeys(required, "X")}
        await client.post(dossier_path, data=filled)
        check = await client.get(dossier_path + "/verification")
    assert "Votre demande est complète" in check.text, error_summary(check.text)
    assert "Durand" in text_of(check.text)

    printed = await client.get(dossier_path + "/imprimer")
    assert printed.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(printed.content))
    assert not reader.get_fields() and "Durand" in "".join(p.extract_text() for p in reader.pages)

    sent = await client.post(dossier_path + "/transmettre", data={"csrf": csrf_of(check.text)})
    assert sent.status_code == 200, text_of(sent.text)
    reference = re.search(r"A-2-[0-9A-Z-]+", sent.text)
    assert reference, text_of(sent.text)
    tracking = text_of((await client.get("/mon-suivi")).text)
    assert reference.group(0) in tracking and "Transmise" in tracking
    # Once sent, the form's page shows the receipt; its values cannot be changed.
    receipt = await client.get(dossier_path)
    assert receipt.status_code == 303
    frozen = await client.post(dossier_path, data={**fixed, "csrf": csrf_of(check.text)})
    assert frozen.status_code == 409 and "Durand" in frozen.text


async def test_a_form_without_a_dossier_type_is_not_offered_online(
    settings: WebSettings, portal: Portal, captcha: QuestionCaptcha
) -> None:
    """A portal built without the catalogue prints and downloads forms, but sends none."""
    shared_file(CERFA / "cerfa_11580_05.pdf")
    app = create_app(
        WebSettings(**{**settings.__dict__, "cerfa_dir": CERFA}), portal=portal, captcha=captcha
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL
    ) as client:
        await verified_account(client, portal)
        await sign_in_page(client)
        page = await client.get("/formulaires/11580-05")
        assert page.status_code == 200 and "/envoyer" not in page.text
        headers = await api_session(client)
        refused = await client.post("/api/v1/cerfa/11580-05/dossiers", headers=headers)
        assert_error(refused, 404, "unknown-procedure")


async def test_the_api_sends_a_cerfa_as_a_dossier(web: tuple[httpx.AsyncClient, Portal]) -> None:
    client, portal = web
    await verified_account(client, portal)
    headers = await api_session(client)
    started = await client.post("/api/v1/cerfa/11580-05/dossiers", headers=headers)
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["number"] == "11580*05" and body["dossier"]["procedure"] == "cerfa-11580-05"
    dossier = body["dossier"]["dossier_id"]
    catalogue = (await client.get("/api/v1/cerfa")).json()
    entries = next(f for f in catalogue if f["number"] == "11580*05")["fields"]
    by_label = {e["label"]: e["name"] for e in entries}
    path = f"/api/v1/cerfa/dossiers/{dossier}"
    bad = await client.put(
        path + "/values",
        json={"values": {by_label[DONOR]: "Durand", by_label[DATE]: "31/02/2024"}},
        headers=headers,
    )
    error = assert_error(bad, 422, "form-values-invalid")
    assert [p["label"] for p in error["facts"]["problems"]] == [DATE]  # type: ignore[index]
    good = await client.put(
        path + "/values",
        json={"values": {by_label[DONOR]: "Durand", by_label[DATE]: "29/02/2024"}},
        headers=headers,
    )
    assert good.status_code == 200 and good.json()["values"][by_label[DONOR]] == "Durand"
    check = (await client.get(path + "/check", headers=headers)).json()
    values: dict[str, Any] = {by_label[DONOR]: "Durand", by_label[DATE]: "29/02/2024"}
    if not check["ok"]:
        values.update({p["field"]: "X" for p in check["problems"]})
        await client.put(path + "/values", json={"values": values}, headers=headers)
        check = (await client.get(path + "/check", headers=headers)).json()
    assert check == {"ok": True, "problems": []}
    printed = await client.get(path + "/print", headers=headers)
    assert printed.content.startswith(b"%PDF-")
    sent = await client.post(path + "/transmit", headers=headers)
    assert sent.status_code == 200, sent.text
    assert sent.json()["reference"].startswith("A-2-")
    again = await client.post(path + "/transmit", headers=headers)  # P9: same reference
    assert again.json()["reference"] == sent.json()["reference"]
    tracking = (await client.get("/api/v1/tracking", headers=headers)).json()
    assert tracking["entries"][0]["reference"] == sent.json()["reference"]
    frozen = await client.put(path + "/values", json={"values": values}, headers=headers)
    assert_error(frozen, 409, "dossier-frozen")
    assert_error(await client.get(path, headers={}), 401, "session-invalid")
