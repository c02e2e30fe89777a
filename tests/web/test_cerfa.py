"""CERFA forms over HTTP, on the real forms of ../shared/cerfa: the catalogue, blank forms,
forms filled online with the profile's prefill (API and pages), refused values."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pypdf import PdfReader

from msp_portal.portal import Portal
from msp_portal.web import QuestionCaptcha, WebSettings, create_app
from tests.conftest import CERFA, shared_file
from tests.web.helpers import api_session, create_account, csrf_of, error_summary, sign_in_page
from tests.web.test_api_accounts import assert_error

pytestmark = pytest.mark.anyio
A4 = (595.3, 841.9)


@pytest.fixture
def cerfa_app(settings: WebSettings, portal: Portal, captcha: QuestionCaptcha) -> FastAPI:
    shared_file(CERFA / "cerfa_11580_05.pdf")
    with_forms = WebSettings(**{**settings.__dict__, "cerfa_dir": CERFA})
    return create_app(with_forms, portal=portal, captcha=captcha)


@pytest.fixture
async def web(cerfa_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=cerfa_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield client


def pdf(response: httpx.Response) -> PdfReader:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert int(response.headers["content-length"]) == len(response.content)
    return PdfReader(io.BytesIO(response.content))


async def test_catalogue(web: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    forms = {f["number"]: f for f in (await web.get("/api/v1/cerfa")).json()}
    assert set(forms) >= {"11580*05", "16216*01", "12596*04", "13750*05"}
    assert forms["11580*05"]["kind"] == "fillable" and forms["11580*05"]["available"]
    assert forms["12596*04"]["kind"] == "blank" and forms["12596*04"]["fields"] == []
    nom = next(f for f in forms["11580*05"]["fields"] if f["name"] == "Nom")
    assert nom == {"name": "Nom", "type": "text", "label": "Donateur : nom", "profile": "last_name"}
    # the default app's forms directory is empty: the forms are listed, not available
    default = (await client.get("/api/v1/cerfa")).json()
    assert default and not any(f["available"] for f in default)


async def test_blank_forms_are_public_and_fitted_to_a4(web: httpx.AsyncClient) -> None:
    response = await web.get("/api/v1/cerfa/12596-04/blank?a4=true")
    reader = pdf(response)
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="cerfa_12596_04-vierge.pdf"'
    )
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) in {A4, A4[::-1]}
    fillable = pdf(await web.get("/api/v1/cerfa/11580*05/blank"))
    assert not fillable.get_fields()  # a fillable form comes blank and flattened


async def test_fill_needs_a_session_and_prefills_from_the_profile(web: httpx.AsyncClient) -> None:
    body = {"values": {"a27": "150,00", "d35": "05/03/2024", "CAC21": True}}
    assert_error(await web.post("/api/v1/cerfa/11580-05/fill", json=body), 401, "session-invalid")
    await create_account(web)
    headers = await api_session(web)
    contact = {
        "family_name": "Dupré",
        "given_names": "Zoé",
        "postcode": "75011",
        "address_line1": "12 rue de la Roquette",
        "city": "Paris",
    }
    await web.put("/api/v1/account/contact", json=contact, headers=headers)
    prefill = (await web.get("/api/v1/cerfa/11580-05/prefill", headers=headers)).json()
    assert prefill["last_name"] == "Dupré" and prefill["address_number"] == "12"
    response = await web.post("/api/v1/cerfa/11580-05/fill", json=body, headers=headers)
    fields = {k: v.get("/V") for k, v in (pdf(response).get_fields() or {}).items()}
    assert fields["Nom"] == "Dupré" and fields["Prenom"] == "Zoé"
    assert fields["a19"] == "12" and fields["a20"] == "rue de la Roquette"
    assert fields["a21"] == "75011" and fields["a27"] == "150,00"
    typed = {"values": {"Nom": "Martin"}, "flatten": True}
    flat = await web.post("/api/v1/cerfa/11580-05/fill", json=typed, headers=headers)
    reader = pdf(flat)
    assert not reader.get_fields()
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Martin" in text and "Dupré" not in text and "Zoé" in text
    assert 'filename="cerfa_11580_05-imprimable.pdf"' in flat.headers["content-disposition"]


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        (
            "/api/v1/cerfa/11580-05/fill",
            {"values": {"d35": "5/3/2024"}},
            422,
            "invalid-field-value",
        ),
        ("/api/v1/cerfa/11580-05/fill", {"values": {"a21": "7501"}}, 422, "invalid-field-value"),
        ("/api/v1/cerfa/11580-05/fill", {"values": {"Inconnu": "x"}}, 422, "unknown-field"),
        ("/api/v1/cerfa/99999-99/fill", {"values": {}}, 404, "unknown-form"),
        ("/api/v1/cerfa/pas-un-numero/fill", {"values": {}}, 404, "unknown-form"),
        ("/api/v1/cerfa/12596-04/fill", {"values": {}}, 409, "not-fillable"),
        ("/api/v1/cerfa/11580-05/fill", {"values": {"Nom": ["liste"]}}, 422, "invalid-request"),
        ("/api/v1/cerfa/11580-05/fill", {"values": {}, "extra": 1}, 422, "invalid-request"),
    ],
)
async def test_fill_refusals(
    web: httpx.AsyncClient, path: str, body: dict[str, object], status: int, code: str
) -> None:
    await create_account(web)
    headers = await api_session(web)
    error = assert_error(await web.post(path, json=body, headers=headers), status, code)
    if code == "invalid-field-value":
        assert error["facts"]["label"]  # type: ignore[index]


async def test_unknown_blank_form(web: httpx.AsyncClient) -> None:
    assert_error(await web.get("/api/v1/cerfa/99999-99/blank"), 404, "unknown-form")


async def test_pages_list_fill_and_refuse(web: httpx.AsyncClient) -> None:
    listing = await web.get("/formulaires")
    assert listing.status_code == 200
    assert 'href="/formulaires/11580-05"' in listing.text
    assert 'href="/formulaires/12596-04/vierge"' in listing.text
    assert (await web.get("/formulaires/11580-05")).status_code == 303  # sign in first
    await create_account(web)
    await sign_in_page(web)
    page = await web.get("/formulaires/11580-05")
    assert page.status_code == 200
    assert "Donateur : nom" in page.text
    data = {"csrf": csrf_of(page.text), "mode": "imprimer"}
    names = {label: name for name, label in _labels(page.text)}
    data[names["Donateur : nom"]] = "Durand"
    data[names["Date du versement ou du don (reportée à côté de la signature)"]] = "31/02/2024"
    refused = await web.post("/formulaires/11580-05", data=data)
    assert refused.status_code == 422
    assert "Date du versement" in error_summary(refused.text)
    assert 'value="Durand"' in refused.text
    data[names["Date du versement ou du don (reportée à côté de la signature)"]] = "29/02/2024"
    data["csrf"] = csrf_of(refused.text)
    reader = pdf(await web.post("/formulaires/11580-05", data=data))
    assert not reader.get_fields()
    assert "Durand" in "".join(p.extract_text() for p in reader.pages)
    assert pdf(await web.get("/formulaires/13750-05/vierge")).pages


def _labels(page: str) -> list[tuple[str, str]]:
    import html
    import re

    return [
        (name, html.unescape(re.sub(r"<[^>]+>|\(facultatif\)", "", label)).strip())
        for name, label in re.findall(r'<label for="(c\d+)">(.*?)</label>', page, re.S)
    ]


def test_cerfa_dir_setting_from_env(tmp_path: Path) -> None:
    settings = WebSettings.from_env(
        {"MSP_CERFA_DIR": str(tmp_path), "MSP_CERFA_MAPS": f"{tmp_path}/a:{tmp_path}/b"},
        data_dir=tmp_path,
    )
    assert settings.cerfa_forms == tmp_path
    assert settings.cerfa_maps == (tmp_path / "a", tmp_path / "b")
