"""Streamed uploads through the real application stack: files go to disk as they arrive, the
caps are counted in bytes and hit before the body is read whole, the CSRF token is checked
before the first file byte, and what a file is comes from msp_docs, never from the browser."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from PIL import Image

import msp_docs
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.portal import Portal
from msp_portal.testing import FakeClock, MemoryMailer
from msp_portal.web import QuestionCaptcha, WebSettings, create_app, csrf
from msp_portal.web.deps import session_cookie, web_context
from msp_portal.web.uploads import display_name, read_upload_form
from tests.web.helpers import api_session, create_account, csrf_of, sign_in_page

pytestmark = pytest.mark.anyio
MIB = 1024 * 1024


@pytest.fixture
def upload_app(app: FastAPI, tmp_path: Path) -> FastAPI:
    """The portal's app with a route shaped like the wallet's: parse, then ask msp_docs."""
    spool = tmp_path / "spool"
    spool.mkdir()

    @app.post("/essai-envoi")
    async def upload(request: Request) -> dict[str, Any]:
        web = web_context(request)

        def check_csrf(fields: dict[str, str]) -> None:
            csrf.verify(
                request,
                fields.get("csrf", ""),
                secret=web.secret,
                session_cookie=session_cookie(request),
            )

        form = await read_upload_form(
            request,
            max_files=web.upload_files,
            max_file_bytes=web.upload_cap,
            before_first_file=check_csrf,
            directory=spool,
        )
        with form:
            return {
                "fields": form.fields,
                "files": [
                    {
                        "name": f.display_name,
                        "size": f.size,
                        "kind": str(msp_docs.inspect(f.path).kind),
                        "in_spool": f.path.parent.parent == spool,
                    }
                    for f in form.files
                ],
            }

    app.state.spool = spool
    return app


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def token(client: httpx.AsyncClient) -> str:
    return csrf_of((await client.get("/connexion")).text)


async def test_files_are_streamed_and_typed_by_msp_docs(
    upload_app: FastAPI, client: httpx.AsyncClient
) -> None:
    files = [
        ("fichiers", ("photo.pdf", png_bytes(), "application/pdf")),  # a PNG dressed as a PDF
        ("fichiers", ("../../etc/passwd\u202e.png", b"%PDF-1.4 not really", "image/png")),
        ("fichiers", ("vide.pdf", b"", "application/pdf")),  # an empty file input: no file
    ]
    response = await client.post(
        "/essai-envoi", data={"csrf": await token(client), "titre": "Mes pièces"}, files=files
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["fields"]["titre"] == "Mes pièces"
    kinds = [(f["name"], f["kind"], f["size"]) for f in result["files"]]
    assert kinds[0][:2] == ("photo.pdf", "png")
    assert kinds[1][0] == "passwd.png"
    assert kinds[1][1] != "png"
    assert len(kinds) == 2
    assert all(f["in_spool"] for f in result["files"])
    assert list(upload_app.state.spool.iterdir()) == []  # removed after use


async def _multipart_stream(
    boundary: str, csrf_token: str, file_bytes: int, pulled: list[int], field: str = "fichiers"
) -> AsyncIterator[bytes]:
    """A multipart body made as it is sent, a chunk at a time (``pulled`` counts what was read)."""
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf_token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        'filename="gros.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    pulled.append(len(head))
    yield head
    chunk = b"%" * (256 * 1024)
    for _ in range(file_bytes // len(chunk)):
        pulled.append(len(chunk))
        yield chunk
    tail = f"\r\n--{boundary}--\r\n".encode()
    pulled.append(len(tail))
    yield tail


async def test_an_oversize_upload_is_refused_before_it_is_read_whole(
    upload_app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The cap is the wallet's: 80 MiB when it makes documents fit (the default)."""
    assert web_context_of(upload_app).upload_cap == 80 * MIB
    pulled: list[int] = []
    response = await client.post(
        "/essai-envoi",
        content=_multipart_stream("b0undary", await token(client), 120 * MIB, pulled),
        headers={"content-type": "multipart/form-data; boundary=b0undary"},
    )
    assert response.status_code == 413
    assert "L&#39;envoi est trop volumineux : 80 Mo au plus sont acceptés" in response.text
    assert sum(pulled) < 81 * MIB  # 120 MiB offered, stopped just past 80 MiB
    assert list(upload_app.state.spool.iterdir()) == []


def web_context_of(app: FastAPI) -> Any:
    return app.state.web


@pytest.fixture
def nofit_app(
    settings: WebSettings, store: SqlStore, captcha: QuestionCaptcha, clock: FakeClock
) -> FastAPI:
    """The portal's app over a wallet that does not make documents fit: 10 MiB (D2)."""
    wallet = dataclasses.replace(settings.portal.wallet, fit=False)
    portal_settings = dataclasses.replace(settings.portal, wallet=wallet)
    portal = Portal(store, MemoryMailer(), captcha, clock=clock, settings=portal_settings)
    return create_app(settings, portal=portal, captcha=captcha)


@pytest.mark.parametrize(
    ("route", "body_type"),
    [("/api/v1/wallet/documents", "api"), ("/porte-documents/ajouter", "page")],
)
async def test_without_fit_the_cap_is_10_mib_on_both_upload_routes(
    nofit_app: FastAPI, route: str, body_type: str
) -> None:
    assert web_context_of(nofit_app).upload_cap == 10 * MIB
    transport = httpx.ASGITransport(app=nofit_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        await create_account(client)
        field = "files" if body_type == "api" else "fichiers"
        if body_type == "api":
            headers = await api_session(client)
            csrf_token = ""
        else:
            headers = {}
            await sign_in_page(client)
            csrf_token = csrf_of((await client.get(route)).text)
        pulled: list[int] = []
        response = await client.post(
            route,
            content=_multipart_stream("b0undary", csrf_token, 40 * MIB, pulled, field=field),
            headers={**headers, "content-type": "multipart/form-data; boundary=b0undary"},
        )
    assert response.status_code == 413, response.text
    assert sum(pulled) < 11 * MIB
    if body_type == "api":
        error = response.json()["error"]
        assert error["code"] == "body-too-large" and error["facts"]["limit"] == 10 * MIB
        assert error["message"]["fr"].startswith("L'envoi est trop volumineux : 10 Mo au plus")
    else:
        assert "L&#39;envoi est trop volumineux : 10 Mo au plus sont acceptés" in response.text


async def test_a_declared_length_over_the_cap_is_refused_unread(nofit_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=nofit_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        await create_account(client)
        headers = await api_session(client)
        pulled: list[int] = []

        async def body() -> AsyncIterator[bytes]:
            pulled.append(1)
            yield b"x"

        response = await client.post(
            "/api/v1/wallet/documents",
            content=body(),
            headers={
                **headers,
                "content-type": "multipart/form-data; boundary=b",
                "content-length": str(10 * MIB + 64 * 1024 + 1),
            },
        )
    assert response.status_code == 413 and response.headers["connection"] == "close"
    assert response.json()["error"]["facts"]["limit"] == 10 * MIB
    assert pulled == []


def test_an_operator_cap_lowers_the_wallets_and_never_raises_it(
    settings: WebSettings,
) -> None:
    assert settings.upload_cap(80 * MIB) == 80 * MIB
    lowered = dataclasses.replace(settings, max_upload_bytes=5 * MIB)
    assert lowered.upload_cap(80 * MIB) == 5 * MIB
    raised = dataclasses.replace(settings, max_upload_bytes=500 * MIB)
    assert raised.upload_cap(10 * MIB) == 10 * MIB


async def test_an_upload_just_under_the_cap_passes(
    upload_app: FastAPI, client: httpx.AsyncClient
) -> None:
    pulled: list[int] = []
    response = await client.post(
        "/essai-envoi",
        content=_multipart_stream("b0undary", await token(client), 10 * MIB, pulled),
        headers={"content-type": "multipart/form-data; boundary=b0undary"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["files"][0]["size"] == 10 * MIB


async def test_the_csrf_token_is_checked_before_the_first_file_byte(
    upload_app: FastAPI, client: httpx.AsyncClient
) -> None:
    await client.get("/connexion")
    pulled: list[int] = []
    response = await client.post(
        "/essai-envoi",
        content=_multipart_stream("b0undary", "faux", 8 * MIB, pulled),
        headers={"content-type": "multipart/form-data; boundary=b0undary"},
    )
    assert response.status_code == 403
    assert "Le formulaire a expiré" in response.text
    assert sum(pulled) < 1 * MIB
    assert list(upload_app.state.spool.iterdir()) == []


async def test_too_many_files(upload_app: FastAPI, client: httpx.AsyncClient) -> None:
    files = [("fichiers", (f"{i}.png", png_bytes(), "image/png")) for i in range(5)]
    response = await client.post("/essai-envoi", data={"csrf": await token(client)}, files=files)
    assert response.status_code == 413
    assert "Au plus 4 fichiers" in response.text
    assert list(upload_app.state.spool.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (
            b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nabc',
            "multipart/form-data; boundary=b",
            400,
        ),
        (b"garbage", "multipart/form-data; boundary=b", 400),
        (b"a=b", "application/x-www-form-urlencoded", 415),
        (b"--b--\r\n", "multipart/form-data", 415),
    ],
)
async def test_malformed_bodies(
    upload_app: FastAPI, client: httpx.AsyncClient, content: bytes, content_type: str, status: int
) -> None:
    await client.get("/connexion")
    response = await client.post(
        "/essai-envoi", content=content, headers={"content-type": content_type}
    )
    assert response.status_code == status, response.text
    assert list(upload_app.state.spool.iterdir()) == []


async def test_files_only_in_the_file_field(upload_app: FastAPI, client: httpx.AsyncClient) -> None:
    files = [("titre", ("x.png", png_bytes(), "image/png"))]
    response = await client.post("/essai-envoi", data={"csrf": await token(client)}, files=files)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("C:\\Users\\Jean\\scan.pdf", "scan.pdf"),
        ("../../x.png", "x.png"),
        ("a\u202egpj.exe", "agpj.exe"),
        ("ligne\r\nX-Injected: 1.pdf", "ligneX-Injected: 1.pdf"),
        ("", "document"),
        ("é" * 500, "é" * 120),
    ],
)
def test_display_names(raw: str, shown: str) -> None:
    assert display_name(raw) == shown
