"""The change of address as a procedure on the web (C1-C5): started from its page, its form (the
new address as La Poste asks it, the organisations with their numbers and people), each error
beside its field, La Poste's proposal line by line inside the check, "Je refuse ces
modifications. Ma saisie sera conservée", save and resume, "Transmettre ma demande", the
confirmation (the profile is not changed, with the link to change it), one delivery per
organisation in Mon suivi (a real HTTP receiver on 127.0.0.1); and the same over the JSON API."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from msp_portal.adapters.blobs.local import LocalBlobStore
from msp_portal.adapters.http_receiver import HttpReceiver
from msp_portal.adapters.smtp import SmtpConfig, SmtpMailer, SmtpSecurity
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.portal import Portal
from msp_portal.testing import FakeClock
from msp_portal.web import QuestionCaptcha, WebSettings, create_app
from tests.portal.helpers import CountingHasher, SmtpServer
from tests.portal.procedures.conftest import procedure_settings
from tests.portal.procedures.support import CONTRACTS, Receiver, start_receiver
from tests.web.conftest import BASE_URL
from tests.web.helpers import api_session, csrf_of, error_summary, sign_in_page, verified_account

pytestmark = pytest.mark.anyio
ADDRESS = "changement-coordonnees"
# The tests' clock stands on 06/01/2025 (Paris): moves from 06/12/2024 to 06/04/2025.
NEW_ADDRESS = {
    "f.new_number": "12",
    "f.new_street": "Avenue du Général de Gaulle",
    "f.new_postcode": "75001",
    "f.new_locality": "paris 1er",
}
OLD_ADDRESS = {
    "f.old_address.line1": "3 rue de l'Église",
    "f.old_address.postcode": "75014",
    "f.old_address.city": "Paris",
    "f.old_address.country": "France",
}


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[Receiver]:
    receiver = start_receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def receiver(receiver_server: Receiver) -> Receiver:
    with receiver_server.lock:
        receiver_server.requests.clear()
        receiver_server.script.clear()
    return receiver_server


@pytest.fixture
async def coa(
    store: SqlStore,
    smtp: SmtpServer,
    clock: FakeClock,
    hasher: CountingHasher,
    captcha: QuestionCaptcha,
    settings: WebSettings,
    receiver: Receiver,
) -> AsyncIterator[tuple[httpx.AsyncClient, Portal]]:
    """The web app over a portal whose organisations' endpoints are a real HTTP receiver."""
    http = HttpReceiver(timeout=0.5)
    portal = Portal(
        store,
        SmtpMailer(SmtpConfig("127.0.0.1", smtp.port, security=SmtpSecurity.NONE)),
        captcha,
        clock=clock,
        hasher=hasher,
        settings=procedure_settings(receiver.url),
        blobs=LocalBlobStore(settings.blobs),
        receiver=http,
    )
    app = create_app(settings, portal=portal, captcha=captcha)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client, portal
    http.close()


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


async def test_declare_refusing_la_poste_changes_then_track_each_organisation(
    coa: tuple[httpx.AsyncClient, Portal], smtp: SmtpServer, receiver: Receiver
) -> None:
    client, portal = coa
    await verified_account(client, portal)
    await sign_in_page(client)
    intro = await client.get("/changement-adresse")
    assert "Cette déclaration ne modifie pas les coordonnées de votre profil" in intro.text
    started = await client.post(
        "/demarches/commencer", data={"csrf": csrf_of(intro.text), "demarche": ADDRESS}
    )
    assert started.status_code == 303
    dossier_path = started.headers["location"]
    form = await client.get(dossier_path)
    # The proposal's answers are not questions of the form; computed fields are not asked.
    for absent in ("new_address_choice", "new_address_proposal", "new_address_lines"):
        assert f'name="f.{absent}"' not in form.text
    assert 'name="o.caf.contract_id"' in form.text and 'value="ajouter:o.caf.people"' in form.text

    # Every error at once, each beside its field: the date window, the CAF number's check.
    bad = {
        "csrf": csrf_of(form.text),
        "f.move_date": "01/12/2024",
        **OLD_ADDRESS,
        **NEW_ADDRESS,
        "org": ["caf", "impots"],
        "o.caf.contract_id": "12",
        "o.impots.contract_id": CONTRACTS["impots"],
    }
    answered = await client.post(dossier_path, data=bad)
    assert answered.headers["location"] == dossier_path + "/verification"
    errors = await client.get(answered.headers["location"])
    summary = error_summary(errors.text)
    assert "Il y a 2 problèmes" in summary
    assert "06/12/2024" in summary and "06/04/2025" in summary  # both allowed dates (C1)
    assert 'href="#f-move_date"' in errors.text and 'href="#o-caf-contract_id"' in errors.text
    assert 'id="f-move_date-erreur"' in errors.text
    assert 'value="12"' in errors.text  # what was typed stays

    # A person attached to the CAF number: "Ajouter une personne" adds a row, without script.
    grown = await client.post(
        dossier_path, data={**bad, "csrf": csrf_of(errors.text), "action": "ajouter:o.caf.people"}
    )
    assert grown.status_code == 303 and "ajouter=o.caf.people" in grown.headers["location"]
    with_row = await client.get(grown.headers["location"].split("#")[0])
    assert 'name="o.caf.people.0.family_name"' in with_row.text
    good = {
        **bad,
        "csrf": csrf_of(with_row.text),
        "f.move_date": "15/02/2025",
        "o.caf.contract_id": CONTRACTS["caf"],
        "o.caf.people.count": "1",
        "o.caf.people.0.family_name": "Dupont",
        "o.caf.people.0.given_names": "Zoé",
        "o.caf.people.0.birth_date": "03/04/2012",
        "o.caf.people.0.relation": "child",
    }
    answered = await client.post(dossier_path, data=good)
    check = await client.get(answered.headers["location"])
    assert "resume-erreur" not in check.text
    page = text_of(check.text)
    # La Poste's form, line by line (before -> after), and the refusal box, in the procedure.
    assert "Votre nouvelle adresse aux normes de La Poste" in page
    assert "12 Avenue du Général de Gaulle 12 AVENUE DU GENERAL DE GAULLE" in page
    assert "75001 paris 1er 75001 PARIS" in page
    assert "Je refuse ces modifications. Ma saisie sera conservée." in page
    assert "Votre demande est complète" not in page  # the choice is still to be made
    refused = await client.post(
        dossier_path + "/proposition",
        data={**_proposal_form(check.text), "csrf": csrf_of(check.text), "refuser": "oui"},
    )
    assert refused.status_code == 303
    check = await client.get(refused.headers["location"].split("#")[0])
    page = text_of(check.text)
    assert "Vous avez refusé ces modifications" in page and "Votre demande est complète" in page

    # Saved, resumed: the refusal stays.
    saved = await client.post(dossier_path + "/enregistrer", data={"csrf": csrf_of(check.text)})
    file_number, password = re.findall(r'class="code-deblocage">([^<]+)<', saved.text)[:2]
    dossier_id = dossier_path.rsplit("/", 1)[1]
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
    assert resumed.headers["location"] == dossier_path
    check = await client.get(dossier_path + "/verification")
    assert "Vous avez refusé ces modifications" in text_of(check.text)

    profile_before = portal.view_account(await _token(client)).contact
    smtp.clear()
    sent = await client.post(dossier_path + "/transmettre", data={"csrf": csrf_of(check.text)})
    assert sent.status_code == 200, text_of(sent.text)
    page = text_of(sent.text)
    reference = re.search(r"A-1-[0-9A-Z-]+", page)
    assert reference
    # C5: the confirmation says the profile is not changed, and links to where it is.
    assert "ne met pas à jour les coordonnées de votre profil" in page
    assert 'href="/mon-profil/mes-coordonnees"' in sent.text
    assert "elles doivent créer leur propre compte" in page  # C4: household members
    assert "l'adresse a été transmise telle que vous l'avez saisie" in page
    assert (await client.get("/mon-profil/mes-coordonnees")).status_code == 200
    assert portal.view_account(await _token(client)).contact == profile_before

    # Mon suivi: one delivery per organisation, pending, then received.
    tracking = text_of((await client.get("/mon-suivi")).text)
    assert reference.group(0) in tracking
    assert "Caisse d'allocations familiales (CAF) : envoi en cours" in tracking or (
        tracking.count("envoi en cours") == 2
    )
    run = portal.deliver_pending()
    assert (run.attempted, run.delivered) == (2, 2)
    sent_to = {r.payload["organisation"]: r.payload for r in receiver.requests}
    assert set(sent_to) == {"caf", "impots"}
    lines = sent_to["caf"]["answers"]["fields"]["new_address_lines"]
    assert lines == "12 Avenue du Général de Gaulle\n75001 paris 1er"  # exactly what was typed
    tracking = text_of((await client.get("/mon-suivi")).text)
    assert tracking.count("reçue par l'organisme") == 2 and "envoi en cours" not in tracking


async def _token(client: httpx.AsyncClient) -> str:
    return (await api_session(client))["authorization"].removeprefix("Bearer ")


def _proposal_form(page: str) -> dict[str, str]:
    """The hidden answers the proposal's form carries (``accept.*`` and ``refuse.*``)."""
    found = re.findall(r'name="((?:accept|refuse)\.[a-z_]+)" value="([^"]*)"', page)
    assert found, "no proposal form"
    return {name: html.unescape(value) for name, value in found}


async def test_a_stale_proposal_is_not_accepted_in_the_current_ones_stead(
    coa: tuple[httpx.AsyncClient, Portal],
) -> None:
    """The address changed in another tab after the proposal was shown: the old answer is
    saved as it was given, and the engine asks again (the page never swaps proposals)."""
    client, portal = coa
    await verified_account(client, portal)
    await sign_in_page(client)
    page = await client.get("/changement-adresse")
    started = await client.post(
        "/demarches/commencer", data={"csrf": csrf_of(page.text), "demarche": ADDRESS}
    )
    dossier_path = started.headers["location"]
    form = await client.get(dossier_path)
    base = {
        "csrf": csrf_of(form.text),
        "f.move_date": "15/02/2025",
        **OLD_ADDRESS,
        **NEW_ADDRESS,
        "org": ["impots"],
        "o.impots.contract_id": CONTRACTS["impots"],
    }
    await client.post(dossier_path, data=base)
    shown = await client.get(dossier_path + "/verification")
    await client.post(dossier_path, data={**base, "f.new_street": "rue de Rivoli"})
    await client.post(
        dossier_path + "/proposition",
        data={**_proposal_form(shown.text), "csrf": csrf_of(shown.text)},
    )
    check = text_of((await client.get(dossier_path + "/verification")).text)
    assert "RUE DE RIVOLI" in check, check
    assert "Votre demande est complète" not in check
    refused = await client.post(dossier_path + "/transmettre", data={"csrf": csrf_of(form.text)})
    assert refused.status_code == 422
    assert "Votre nouvelle adresse aux normes de La Poste" in refused.text


async def test_the_api_declares_as_a_procedure(
    coa: tuple[httpx.AsyncClient, Portal],
) -> None:
    client, portal = coa
    await verified_account(client, portal)
    headers = await api_session(client)
    types = (await client.get("/api/v1/procedures/types", headers=headers)).json()
    assert ADDRESS in {t["id"] for t in types}
    started = await client.post("/api/v1/procedures", json={"procedure": ADDRESS}, headers=headers)
    assert started.status_code == 201, started.text
    dossier = started.json()["dossier_id"]
    answers: dict[str, Any] = {
        "fields": {
            "move_date": "15/02/2025",
            "old_address": {
                "line1": "3 rue de l'Église",
                "postcode": "75014",
                "city": "Paris",
                "country": "France",
            },
            "new_number": "12",
            "new_street": "Avenue du Général de Gaulle",
            "new_postcode": "75001",
            "new_locality": "paris 1er",
        },
        "organisations": {"impots": {"contract_id": CONTRACTS["impots"]}},
    }
    put = await client.put(
        f"/api/v1/procedures/{dossier}/answers", json={"answers": answers}, headers=headers
    )
    assert put.status_code == 200, put.text
    check = (await client.get(f"/api/v1/procedures/{dossier}/check", headers=headers)).json()
    [(path, offered, reason)] = check["proposals"]
    assert (path, reason) == ("fields.new_address_choice", "la-poste-form")
    assert offered["lines"] == ["12 AVENUE DU GENERAL DE GAULLE", "75001 PARIS"]
    assert check["problems"] == [["fields.new_address_choice", "address-choice-needed"]]
    refused = await client.post(
        f"/api/v1/procedures/{dossier}/transmit", headers=headers, json=None
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "answers-incomplete"
    answers["fields"].update(offered["refuse"])
    await client.put(
        f"/api/v1/procedures/{dossier}/answers", json={"answers": answers}, headers=headers
    )
    sent = await client.post(f"/api/v1/procedures/{dossier}/transmit", headers=headers)
    assert sent.status_code == 200, sent.text
    assert sent.json()["reference"].startswith("A-1-")
    tracking = (await client.get("/api/v1/tracking", headers=headers)).json()
    [delivery] = tracking["entries"][0]["deliveries"]
    assert delivery["organisation"] == "impots" and delivery["state"] == "pending"
