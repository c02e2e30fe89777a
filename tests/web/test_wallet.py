"""The wallet over HTTP (API and pages): streamed uploads merged by msp_docs, what was done to
each file, downloads checked byte for byte, rename, re-categorise, delete, export, refusals."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from msp_portal.portal import Portal
from msp_portal.web import QuestionCaptcha, WebSettings
from tests.web.helpers import api_session, create_account, csrf_of, error_summary, sign_in_page
from tests.web.test_api_accounts import assert_error

pytestmark = pytest.mark.anyio
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MIB = 1024 * 1024


def sample(name: str, shown: str | None = None, content_type: str = "application/octet-stream"):  # type: ignore[no-untyped-def]
    return ("files", (shown or name, (SAMPLES / name).read_bytes(), content_type))


async def added(client: httpx.AsyncClient, headers: dict[str, str], **fields: str) -> dict:  # type: ignore[type-arg]
    response = await client.post(
        "/api/v1/wallet/documents",
        data={"title": "Carte d'identité", "category": "identity", **fields},
        files=[sample("1-id-card-photo.jpg", "recto.jpg"), sample("4-letter.pdf", "lettre.pdf")],
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_add_list_download_rename_recategorise_delete(client: httpx.AsyncClient) -> None:
    await create_account(client)
    headers = await api_session(client)
    document = await added(client, headers)
    assert document["title"] == "Carte d'identité"
    assert document["category"] == "identity" and document["category_label"] == "Pièce d'identité"
    assert [s["name"] for s in document["sources"]] == ["recto.jpg", "lettre.pdf"]
    assert [s["kind"] for s in document["sources"]] == ["jpeg", "pdf"]
    assert all(n["message_fr"] for s in document["sources"] for n in s["actions"])
    listed = (await client.get("/api/v1/wallet/documents", headers=headers)).json()
    assert [d["id"] for d in listed] == [document["id"]]
    usage = (await client.get("/api/v1/wallet", headers=headers)).json()
    assert usage == {
        "documents": 1,
        "bytes": document["size"],
        "max_documents": 100,
        "max_bytes": 200 * MIB,
    }

    content = await client.get(
        f"/api/v1/wallet/documents/{document['id']}/content", headers=headers
    )
    assert content.status_code == 200
    assert hashlib.sha256(content.content).hexdigest() == document["sha256"]
    assert content.headers["cache-control"] == "no-store"
    assert content.headers["content-type"] == "application/pdf"
    assert content.headers["content-disposition"].startswith("attachment; filename=")
    assert len(PdfReader(io.BytesIO(content.content)).pages) == document["pages"]

    renamed = await client.put(
        f"/api/v1/wallet/documents/{document['id']}/title",
        json={"title": "Pièce d'identité 2025"},
        headers=headers,
    )
    assert renamed.json()["title"] == "Pièce d'identité 2025"
    bad_title = await client.put(
        f"/api/v1/wallet/documents/{document['id']}/title",
        json={"title": "ligne\nnouvelle"},
        headers=headers,
    )
    assert_error(bad_title, 422, "invalid-document-title")
    moved = await client.put(
        f"/api/v1/wallet/documents/{document['id']}/category",
        json={"category": "family"},
        headers=headers,
    )
    assert moved.json()["category"] == "family"
    assert_error(
        await client.put(
            f"/api/v1/wallet/documents/{document['id']}/category",
            json={"category": "secret"},
            headers=headers,
        ),
        422,
        "invalid-category",
    )

    archive = await client.get("/api/v1/wallet/export", headers=headers)
    assert archive.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "manifest.json" in names and len(names) == 2
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(archive.content)).read("manifest.json"))
    assert document["sha256"] in json.dumps(manifest)

    gone = await client.delete(f"/api/v1/wallet/documents/{document['id']}", headers=headers)
    assert gone.status_code == 204
    assert_error(
        await client.get(f"/api/v1/wallet/documents/{document['id']}", headers=headers),
        404,
        "document-not-found",
    )


async def test_another_account_sees_no_document(client: httpx.AsyncClient) -> None:
    await create_account(client)
    document = await added(client, await api_session(client))
    await create_account(client, "marie", "marie@example.org")
    other = await api_session(client, "marie")
    for path in ("", "/content"):
        response = await client.get(
            f"/api/v1/wallet/documents/{document['id']}{path}", headers=other
        )
        assert_error(response, 404, "document-not-found")
    assert_error(
        await client.get("/api/v1/wallet/documents/../../etc", headers=other), 404, "not-found"
    )


@pytest.mark.parametrize(
    ("files", "fields", "status", "code"),
    [
        (
            [("files", ("photo.pdf", b"PK\x03\x04 pas un pdf", "application/pdf"))],
            {},
            422,
            "upload-unsupported",
        ),
        ([("files", ("vide.png", b"", "image/png"))], {}, 422, "invalid-upload"),
        ([sample("2-scan-grey.png")], {"title": ""}, 422, "invalid-document-title"),
        ([sample("2-scan-grey.png")], {"category": "secret"}, 422, "invalid-category"),
        ([sample("2-scan-grey.png")] * 5, {}, 413, "too-many-files"),
        ([("titre", ("x.png", b"x", "image/png"))], {}, 400, "invalid-request"),
    ],
)
async def test_add_refusals(
    client: httpx.AsyncClient,
    files: list[object],
    fields: dict[str, str],
    status: int,
    code: str,
) -> None:
    await create_account(client)
    headers = await api_session(client)
    response = await client.post(
        "/api/v1/wallet/documents",
        data={"title": "Essai", "category": "other", **fields},
        files=files,
        headers=headers,
    )
    error = assert_error(response, status, code)
    if code == "upload-unsupported":
        assert error["facts"]["docs_code"] and error["facts"]["input_name"] == "photo.pdf"  # type: ignore[index]
    assert (await client.get("/api/v1/wallet/documents", headers=headers)).json() == []


async def _big_body(pulled: list[int]) -> AsyncIterator[bytes]:
    head = (
        b'--xx\r\nContent-Disposition: form-data; name="title"\r\n\r\nGros\r\n'
        b'--xx\r\nContent-Disposition: form-data; name="files"; filename="gros.pdf"\r\n\r\n'
    )
    pulled.append(len(head))
    yield head
    for _ in range(96):  # past the wallet's 80 MiB (it makes documents fit)
        pulled.append(MIB)
        yield b"%" * MIB
    yield b"\r\n--xx--\r\n"


async def test_an_oversize_upload_is_refused_early_and_nothing_is_kept(
    client: httpx.AsyncClient,
) -> None:
    await create_account(client)
    headers = await api_session(client)
    pulled: list[int] = []
    response = await client.post(
        "/api/v1/wallet/documents",
        content=_big_body(pulled),
        headers={**headers, "content-type": "multipart/form-data; boundary=xx"},
    )
    error = assert_error(response, 413, "body-too-large")
    assert "80 Mo" in error["message"]["fr"]  # type: ignore[index]
    assert sum(pulled) < 82 * MIB
    assert (await client.get("/api/v1/wallet/documents", headers=headers)).json() == []


async def test_the_wallet_api_needs_a_session(client: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/api/v1/wallet"),
        ("GET", "/api/v1/wallet/documents"),
        ("POST", "/api/v1/wallet/documents"),
        ("GET", "/api/v1/wallet/export"),
        ("DELETE", "/api/v1/wallet/documents/" + "0" * 32),
    ]:
        assert_error(await client.request(method, path), 401, "session-invalid")
    categories = (await client.get("/api/v1/wallet/categories")).json()
    assert [c["code"] for c in categories] == [
        "identity",
        "proof-of-address",
        "income",
        "family",
        "other",
    ]


async def test_wallet_pages(client: httpx.AsyncClient) -> None:
    await create_account(client)
    await sign_in_page(client)
    empty = await client.get("/porte-documents")
    assert "Votre porte-documents est vide" in empty.text
    form = await client.get("/porte-documents/ajouter")
    assert form.text.count('name="fichiers"') == 4
    assert form.text.count("<summary>Ajouter un autre fichier</summary>") == 3
    token = csrf_of(form.text)
    refused = await client.post(
        "/porte-documents/ajouter",
        data={"csrf": token, "titre": "Archive", "categorie": "other"},
        files=[("fichiers", ("photos.pdf", b"PK\x03\x04 zip", "application/pdf"))],
    )
    assert refused.status_code == 422
    assert "photos.pdf" in error_summary(refused.text)
    assert 'value="Archive"' in refused.text
    files = [
        ("fichiers", ("recto.jpg", (SAMPLES / "1-id-card-photo.jpg").read_bytes(), "image/jpeg")),
        ("fichiers", ("", b"", "application/octet-stream")),  # inputs left empty
        ("fichiers", ("", b"", "application/octet-stream")),
        ("fichiers", ("lettre.pdf", (SAMPLES / "4-letter.pdf").read_bytes(), "application/pdf")),
    ]
    done = await client.post(
        "/porte-documents/ajouter",
        data={"csrf": csrf_of(refused.text), "titre": "Carte d'identité", "categorie": "identity"},
        files=files,
    )
    assert done.status_code == 200, done.text
    assert "Le document a été ajouté" in done.text
    assert "Ce qui a été fait à vos fichiers" in done.text
    assert "recto.jpg" in done.text and "lettre.pdf" in done.text
    listing = await client.get("/porte-documents")
    assert "Carte d&#39;identité" in listing.text and "1 document sur 100" in listing.text
    import re

    document_id = re.search(r'href="/porte-documents/([0-9a-f]{32})"', listing.text).group(1)  # type: ignore[union-attr]
    pdf = await client.get(f"/porte-documents/{document_id}/telecharger")
    assert pdf.content.startswith(b"%PDF-")
    assert "carte" in pdf.headers["content-disposition"].lower()
    edit = await client.get(f"/porte-documents/{document_id}/modifier")
    renamed = await client.post(
        f"/porte-documents/{document_id}/titre",
        data={"csrf": csrf_of(edit.text), "titre": "", "categorie": "identity"},
    )
    assert renamed.status_code == 422
    renamed = await client.post(
        f"/porte-documents/{document_id}/titre",
        data={"csrf": csrf_of(edit.text), "titre": "CNI", "categorie": "identity"},
    )
    assert renamed.headers["location"] == f"/porte-documents/{document_id}?info=document-modifie"
    moved = await client.post(
        f"/porte-documents/{document_id}/categorie",
        data={"csrf": csrf_of(edit.text), "categorie": "family"},
    )
    assert moved.status_code == 303
    page = await client.get(f"/porte-documents/{document_id}")
    assert "<h1>CNI</h1>" in page.text and "Famille et état civil" in page.text
    archive = await client.get("/porte-documents/export")
    assert archive.headers["content-type"] == "application/zip"
    confirm = await client.get(f"/porte-documents/{document_id}/supprimer")
    deleted = await client.post(
        f"/porte-documents/{document_id}/supprimer", data={"csrf": csrf_of(confirm.text)}
    )
    assert deleted.headers["location"] == "/porte-documents?info=document-supprime"
    missing = await client.get(f"/porte-documents/{document_id}")
    assert missing.status_code == 404


def test_release_frames_drops_what_a_refused_upload_held() -> None:
    import gc
    import weakref

    from msp_portal.errors import UploadUnsupported
    from msp_portal.web.deps import release_frames

    class Buffer(bytearray):
        pass

    def read_and_refuse() -> None:
        data = Buffer(10 * MIB)  # what msp_docs read of the upload
        probe.append(weakref.ref(data))
        raise ValueError("not a PDF")

    def add() -> None:
        try:
            read_and_refuse()
        except ValueError as error:
            raise UploadUnsupported(docs_code="unsupported-kind") from error

    probe: list[weakref.ref[Buffer]] = []
    gc.disable()
    try:
        try:
            add()
        except UploadUnsupported as error:
            kept = error
        assert probe[0]() is not None  # the traceback's frames hold the bytes
        release_frames(kept)
        assert probe[0]() is None  # freed at once, without the cyclic collector
        assert kept.facts == {"docs_code": "unsupported-kind"}
    finally:
        gc.enable()


async def test_merges_run_at_most_max_concurrent_merges_at_once(
    settings: WebSettings, portal: Portal, captcha: QuestionCaptcha
) -> None:
    import threading
    import time

    from msp_portal.web import create_app

    running = 0
    most = 0
    lock = threading.Lock()

    class CountingPortal(Portal):
        def add_document(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.2)
            with lock:
                running -= 1
            return super().add_document(*args, **kwargs)  # type: ignore[arg-type]

    counting = CountingPortal.__new__(CountingPortal)
    counting.__dict__.update(portal.__dict__)
    limited = WebSettings(**{**settings.__dict__, "max_concurrent_merges": 2})
    app = create_app(limited, portal=counting, captcha=captcha)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        await create_account(client)
        headers = await api_session(client)
        import asyncio

        responses = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/wallet/documents",
                    data={"title": f"Scan {i}", "category": "other"},
                    files=[sample("2-scan-grey.png")],
                    headers=headers,
                )
                for i in range(6)
            )
        )
    assert [r.status_code for r in responses] == [201] * 6
    assert most == 2


async def test_photos_over_10_mib_are_made_to_fit_and_the_page_says_so(
    client: httpx.AsyncClient,
) -> None:
    """Four phone photos over 10 MiB together (accepted: the cap is 80 MiB with fit): the
    document fits 10 MiB, its page says which images were reduced, from what to what."""
    from tests.portal.wallet.test_fit import _phone_photo

    photos = [_phone_photo(seed) for seed in range(4)]
    assert sum(map(len, photos)) > 10 * MIB
    await create_account(client)
    await sign_in_page(client)
    form = await client.get("/porte-documents/ajouter")
    assert "Jusqu'à 4 fichiers, 80 Mo au plus en tout" in form.text
    done = await client.post(
        "/porte-documents/ajouter",
        data={"csrf": csrf_of(form.text), "titre": "Photos", "categorie": "other"},
        files=[
            ("fichiers", (f"photo-{n}.jpg", data, "image/jpeg")) for n, data in enumerate(photos)
        ],
    )
    assert done.status_code == 200, done.text
    assert "Images réduites pour tenir dans 10 Mo" in done.text
    rows = re.findall(r'<th scope="row">(photo-\d\.jpg)</th>', done.text)
    assert rows and set(rows) <= {f"photo-{n}.jpg" for n in range(4)}
    assert "4000 × 3000 px" in done.text  # before; after, with its resolution and quality
    assert re.search(r"\d+ × \d+ px \(\d+ ppp\), JPEG qualité \d+", done.text)
    headers = await api_session(client)
    [document] = (await client.get("/api/v1/wallet/documents", headers=headers)).json()
    assert document["size"] <= 10 * MIB
    notes = [n for s in document["sources"] for n in s["actions"]]
    reduced = [n for n in notes if n["code"] == "fit-reduced"]
    assert len(reduced) == len(rows)
    assert all(n["facts"]["to_bytes"] < n["facts"]["from_bytes"] for n in reduced)
