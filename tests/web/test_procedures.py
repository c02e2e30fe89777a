"""Online procedures over HTTP (P1-P9): start, answers kept exactly, the check, save with a
file number and password, resume from the link, one at a time, transmit with an A-1
reference and the PDF summary, Mon suivi, the organisations' status reports."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

import httpx
import pytest

from msp_portal.adapters.sql.store import SqlStore
from msp_portal.portal import Portal
from msp_portal.web import QuestionCaptcha, WebSettings, create_app
from tests.web.helpers import (
    api_session,
    csrf_of,
    error_summary,
    sign_in_page,
    verified_account,
)
from tests.web.test_api_accounts import assert_error

pytestmark = pytest.mark.anyio
ANSWERS = {
    "fields": {
        "requester_quality": "self",
        "document": "full-copy",
        "copies": "1",
        "family_name": "DUPONT",
        "given_names": "Jean",
        "birth_date": "14/07/1985",
        "birth_commune": "Lyon",
        "birth_postcode": "69001",
        "purpose": "identity-card",
        "requester_family_name": "DUPONT",
        "requester_given_names": "Jean",
        "delivery_address": {
            "line1": "12 rue de la Paix",
            "line2": "",
            "postcode": "75002",
            "city": "Paris",
            "country": "France",
        },
        "email": "jean@example.org",
    },
    "organisations": {},
}


def purpose_value(portal: Portal) -> str:
    ptype = next(t for t in portal.procedure_types() if t.id == "acte-naissance")
    return next(s for s in ptype.fields if s.id == "purpose").choices[0].value


async def test_api_start_save_resume_transmit_track(
    client: httpx.AsyncClient, portal: Portal
) -> None:
    await verified_account(client, portal)
    headers = await api_session(client)
    types = (await client.get("/api/v1/procedures/types")).json()
    assert {t["id"] for t in types} >= {"acte-naissance", "changement-coordonnees"}
    started = await client.post(
        "/api/v1/procedures", json={"procedure": "acte-naissance"}, headers=headers
    )
    assert started.status_code == 201, started.text
    dossier = started.json()["dossier_id"]
    again = await client.post(
        "/api/v1/procedures", json={"procedure": "acte-naissance"}, headers=headers
    )
    assert assert_error(again, 409, "procedure-in-progress")["facts"]["dossier"] == dossier  # type: ignore[index]
    answers = {**ANSWERS, "fields": {**ANSWERS["fields"], "purpose": purpose_value(portal)}}
    put = await client.put(
        f"/api/v1/procedures/{dossier}/answers", json={"answers": answers}, headers=headers
    )
    assert put.status_code == 200, put.text
    malformed = await client.put(
        f"/api/v1/procedures/{dossier}/answers",
        json={"answers": {"fields": {"inconnu": "x"}}},
        headers=headers,
    )
    assert_error(malformed, 422, "answers-malformed")
    check = (await client.get(f"/api/v1/procedures/{dossier}/check", headers=headers)).json()
    assert check["problems"] == []
    saved = (await client.post(f"/api/v1/procedures/{dossier}/save", headers=headers)).json()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", saved["file_number"])
    assert saved["resume_link"] == f"https://testserver/mon-suivi/reprendre?dossier={dossier}"
    wrong = await client.post(
        f"/api/v1/procedures/{dossier}/resume",
        json={"file_number": saved["file_number"], "password": "FAUX-FAUX-FAUX"},
        headers=headers,
    )
    assert_error(wrong, 401, "resume-credentials-invalid")
    resumed = await client.post(
        f"/api/v1/procedures/{dossier}/resume",
        json={"file_number": saved["file_number"], "password": saved["password"]},
        headers=headers,
    )
    assert resumed.json()["answers"] == answers  # P2: exactly what was saved
    receipt = (await client.post(f"/api/v1/procedures/{dossier}/transmit", headers=headers)).json()
    assert receipt["reference"].startswith("A-1-")
    same = (await client.post(f"/api/v1/procedures/{dossier}/transmit", headers=headers)).json()
    assert same["reference"] == receipt["reference"]  # P9: retrying gives the same receipt
    frozen = await client.put(
        f"/api/v1/procedures/{dossier}/answers", json={"answers": answers}, headers=headers
    )
    assert_error(frozen, 409, "dossier-frozen")
    summary = await client.get(f"/api/v1/procedures/{dossier}/pdf?summary=true", headers=headers)
    assert summary.content.startswith(b"%PDF-") and summary.headers["cache-control"] == "no-store"
    full = await client.get(f"/api/v1/procedures/{dossier}/pdf", headers=headers)
    assert full.content.startswith(b"%PDF-") and full.content != summary.content
    tracking = (await client.get("/api/v1/tracking", headers=headers)).json()
    entry = tracking["entries"][0]
    assert entry["reference"] == receipt["reference"] and entry["state"] == "transmitted"


async def test_status_reports_need_the_organisations_key(
    settings: WebSettings, portal: Portal, captcha: QuestionCaptcha, store: SqlStore
) -> None:
    key = "cle-etat-civil-0123456789abcdef"
    keyed_settings = replace(
        settings.portal, partner_keys={"etat-civil": hashlib.sha256(key.encode()).hexdigest()}
    )
    keyed = Portal.__new__(Portal)
    keyed.__dict__.update(portal.__dict__)
    keyed.ctx = replace(portal.ctx, settings=keyed_settings)
    keyed.pctx = (
        replace(portal.pctx, base=keyed.ctx) if hasattr(portal.pctx, "base") else portal.pctx
    )
    app = create_app(settings, portal=keyed, captcha=captcha)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        await verified_account(client, keyed)
        headers = await api_session(client)
        dossier = (
            await client.post(
                "/api/v1/procedures", json={"procedure": "acte-naissance"}, headers=headers
            )
        ).json()["dossier_id"]
        answers = {**ANSWERS, "fields": {**ANSWERS["fields"], "purpose": purpose_value(keyed)}}
        await client.put(
            f"/api/v1/procedures/{dossier}/answers", json={"answers": answers}, headers=headers
        )
        reference = (
            await client.post(f"/api/v1/procedures/{dossier}/transmit", headers=headers)
        ).json()["reference"]
        path = "/api/v1/partners/etat-civil/statuses"
        body = {"reference": reference, "status": "received", "message": "Bien reçue."}
        assert_error(await client.post(path, json=body), 401, "partner-not-authorised")
        bad = {"authorization": "Bearer mauvaise"}
        assert_error(await client.post(path, json=body, headers=bad), 401, "partner-not-authorised")
        good = {"authorization": f"Bearer {key}"}
        assert (await client.post(path, json=body, headers=good)).status_code == 204
        tracking = (await client.get("/api/v1/tracking", headers=headers)).json()
        delivery = tracking["entries"][0]["deliveries"][0]
        assert delivery["status"] == "received" and delivery["status_message"] == "Bien reçue."


async def test_pages_start_save_resume_transmit(client: httpx.AsyncClient, portal: Portal) -> None:
    await verified_account(client, portal)
    await sign_in_page(client)
    catalogue = await client.get("/demarches")
    assert "Demande d&#39;acte de naissance" in catalogue.text
    started = await client.post(
        "/demarches/commencer", data={"csrf": csrf_of(catalogue.text), "demarche": "acte-naissance"}
    )
    assert started.status_code == 303
    dossier_path = started.headers["location"]
    form = await client.get(dossier_path)
    assert 'name="f.delivery_address.line1"' in form.text
    fields = ANSWERS["fields"]
    data = {
        "csrf": csrf_of(form.text),
        **{f"f.{k}": v for k, v in fields.items() if isinstance(v, str)},
        **{f"f.delivery_address.{k}": v for k, v in fields["delivery_address"].items()},  # type: ignore[union-attr]
        "f.purpose": purpose_value(portal),
        "f.birth_date": "31/02/1985",
    }
    answered = await client.post(dossier_path, data=data)
    assert answered.headers["location"] == dossier_path + "/verification"
    check = await client.get(answered.headers["location"])
    assert "Date de naissance" in check.text  # the impossible date blocks the sending
    refused = await client.post(dossier_path + "/transmettre", data={"csrf": csrf_of(check.text)})
    assert refused.status_code == 422
    again = await client.get(dossier_path)
    assert 'value="31/02/1985"' in again.text  # the answers come back as typed
    saved = await client.post(dossier_path + "/enregistrer", data={"csrf": csrf_of(again.text)})
    assert "Numéro de télédossier" in saved.text
    numbers = re.findall(r'class="code-deblocage">([^<]+)<', saved.text)
    file_number, password = numbers[0], numbers[1]
    dossier_id = dossier_path.rsplit("/", 1)[1]
    tracking = await client.get("/mon-suivi")
    assert f"/mon-suivi/reprendre?dossier={dossier_id}" in tracking.text
    resume_form = await client.get(f"/mon-suivi/reprendre?dossier={dossier_id}")
    wrong = await client.post(
        "/mon-suivi/reprendre",
        data={
            "csrf": csrf_of(resume_form.text),
            "dossier": dossier_id,
            "numero": file_number,
            "mot_de_passe": "FAUX-FAUX-FAUX",
        },
    )
    assert wrong.status_code == 401
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
    form = await client.get(dossier_path)
    fixed = {**data, "csrf": csrf_of(form.text), "f.birth_date": "14/07/1985"}
    await client.post(dossier_path, data=fixed)
    check = await client.get(dossier_path + "/verification")
    assert "Votre demande est complète" in check.text
    sent = await client.post(dossier_path + "/transmettre", data={"csrf": csrf_of(check.text)})
    assert sent.status_code == 200, error_summary(sent.text) if "resume-erreur" in sent.text else ""
    reference = re.search(r"A-1-[0-9A-Z-]+", sent.text)
    assert reference
    summary = await client.get(dossier_path + "/pdf?recapitulatif=1")
    assert summary.content.startswith(b"%PDF-")
    tracking = await client.get("/mon-suivi")
    assert reference.group(0) in tracking.text and "Transmise" in tracking.text


async def test_attachments_from_the_wallet(client: httpx.AsyncClient, portal: Portal) -> None:
    from pathlib import Path

    await verified_account(client, portal)
    headers = await api_session(client)
    samples = Path(__file__).resolve().parents[2] / "samples"
    added = await client.post(
        "/api/v1/wallet/documents",
        data={"title": "Livret de famille", "category": "family"},
        files=[("files", ("livret.png", (samples / "2-scan-grey.png").read_bytes(), "image/png"))],
        headers=headers,
    )
    document_id = added.json()["id"]
    await sign_in_page(client)
    catalogue = await client.get("/demarches")
    started = await client.post(
        "/demarches/commencer", data={"csrf": csrf_of(catalogue.text), "demarche": "acte-naissance"}
    )
    pieces_path = started.headers["location"] + "/pieces"
    page = await client.get(pieces_path)
    assert "Livret de famille" in page.text
    joined = await client.post(
        pieces_path,
        data={"csrf": csrf_of(page.text), "place": "proof", "document": document_id},
    )
    assert joined.status_code == 303
    page = await client.get(pieces_path)
    assert "Retirer" in page.text
    refused = await client.post(
        pieces_path,
        data={"csrf": csrf_of(page.text), "place": "inconnu", "document": document_id},
    )
    assert refused.status_code == 422
    removed = await client.post(
        pieces_path,
        data={
            "csrf": csrf_of(page.text),
            "place": "proof",
            "document": document_id,
            "action": "retirer",
        },
    )
    assert removed.status_code == 303
    assert "Retirer" not in (await client.get(pieces_path)).text
