"""JSON API: the document wallet (D4-D6).

Add (streamed upload), list, download, rename, re-categorise, delete, export.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from msp_portal.domain.wallet import Category, Upload, WalletDocument, WalletUsage
from msp_portal.web.deps import BearerToken, PortalDep, web_context
from msp_portal.web.downloads import file_response
from msp_portal.web.schemas import ErrorOut, Short
from msp_portal.web.uploads import read_upload_form

ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 404, 409, 413, 415, 422, 503)}
router = APIRouter(prefix="/api/v1/wallet", tags=["wallet"], responses=ERRORS)  # type: ignore[arg-type]
DocumentId = Annotated[str, Path(max_length=64)]
FILE_FIELD = "files"


class NoteOut(BaseModel):
    """What msp_docs did to an upload, or warns about, in both languages, with its facts.

    A ``fit-reduced`` note's facts say what was reduced, from what to what: ``from_width``,
    ``from_height``, ``from_bytes``, ``to_width``, ``to_height``, ``to_bytes``, ``dpi``,
    ``quality``.
    """

    code: str
    message_en: str
    message_fr: str
    facts: dict[str, Any]


class SourceOut(BaseModel):
    """One upload of a document: what it was and what was done to it."""

    name: str
    kind: str | None
    bytes: int
    pages: int | None
    actions: list[NoteOut]
    warnings: list[NoteOut]


class DocumentOut(BaseModel):
    """A document of the wallet."""

    id: str
    title: str
    category: str
    category_label: str
    sha256: str
    size: int
    pages: int
    filename: str
    created_at: datetime
    updated_at: datetime
    sources: list[SourceOut]

    @classmethod
    def of(cls, document: WalletDocument) -> DocumentOut:
        """From the portal's value."""

        def notes(items: Any) -> list[NoteOut]:
            return [
                NoteOut(
                    code=n.code,
                    message_en=n.message_en,
                    message_fr=n.message_fr,
                    facts=dict(n.facts),
                )
                for n in items
            ]

        return cls(
            id=document.id,
            title=document.title,
            category=document.category.value,
            category_label=document.category.label("fr"),
            sha256=document.sha256,
            size=document.size,
            pages=document.pages,
            filename=document.filename,
            created_at=document.created_at,
            updated_at=document.updated_at,
            sources=[
                SourceOut(
                    name=s.name,
                    kind=s.kind,
                    bytes=s.bytes,
                    pages=s.pages,
                    actions=notes(s.actions),
                    warnings=notes(s.warnings),
                )
                for s in document.summary.sources
            ],
        )


class UsageOut(BaseModel):
    """How much of the quota the wallet uses."""

    documents: int
    bytes: int
    max_documents: int | None
    max_bytes: int | None

    @classmethod
    def of(cls, usage: WalletUsage) -> UsageOut:
        """From the portal's value."""
        quota = usage.quota
        return cls(
            documents=usage.documents,
            bytes=usage.bytes,
            max_documents=quota.max_documents if quota else None,
            max_bytes=quota.max_bytes if quota else None,
        )


class TitleIn(BaseModel):
    """A new title."""

    model_config = ConfigDict(extra="forbid")
    title: Short


class CategoryIn(BaseModel):
    """A new category (its code)."""

    model_config = ConfigDict(extra="forbid")
    category: Short


class CategoryOut(BaseModel):
    """A category: stable code, French label."""

    code: str
    label: str


@router.get("/categories")
def categories() -> list[CategoryOut]:
    """The wallet's categories."""
    return [CategoryOut(code=c.value, label=c.label("fr")) for c in Category]


@router.get("")
def usage(token: BearerToken, portal: PortalDep) -> UsageOut:
    """How many documents and bytes the wallet holds, and its quota."""
    return UsageOut.of(portal.wallet_usage(token))


@router.get("/documents")
def documents(token: BearerToken, portal: PortalDep) -> list[DocumentOut]:
    """The documents, newest first."""
    return [DocumentOut.of(d) for d in portal.documents(token)]


@router.post(
    "/documents",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["title", "files"],
                        "properties": {
                            "title": {"type": "string"},
                            "category": {"type": "string", "default": "other"},
                            "files": {
                                "type": "array",
                                "maxItems": 4,
                                "items": {"type": "string", "format": "binary"},
                            },
                        },
                    }
                }
            },
        }
    },
)
async def add_document(request: Request, token: BearerToken, portal: PortalDep) -> DocumentOut:
    """Add a document: 1 to 4 files (multipart ``files``), a ``title``, a ``category``.

    The files are streamed to disk as they arrive (413 past the cap, before the body is read
    whole) and merged by msp_docs into one PDF; what they are is msp_docs' decision. The cap
    is the wallet's: 80 MiB in all when it makes documents fit (photos too large together are
    reduced, each ``fit-reduced`` note saying how), 10 MiB otherwise.
    """
    web = web_context(request)
    form = await read_upload_form(
        request, max_files=web.upload_files, max_file_bytes=web.upload_cap, file_field=FILE_FIELD
    )
    with form, ExitStack() as files:
        # Streams, as the wallet asks of web routes (a path would be read from the server).
        uploads = [
            Upload(files.enter_context(f.path.open("rb")), f.display_name) for f in form.files
        ]
        title = form.fields.get("title", "")
        category = form.fields.get("category", "other")
        document = await web.merge(
            partial(portal.add_document, token, uploads, title=title, category=category)
        )
    return DocumentOut.of(document)


@router.get("/documents/{document_id}")
def document(document_id: DocumentId, token: BearerToken, portal: PortalDep) -> DocumentOut:
    """One document's details."""
    return DocumentOut.of(portal.document(token, document_id))


@router.get("/documents/{document_id}/content", response_class=Response)
def download(document_id: DocumentId, token: BearerToken, portal: PortalDep) -> Response:
    """The document's PDF, streamed (checked against its SHA-256 as it goes)."""
    content = portal.download_document(token, document_id)
    return file_response(
        content.chunks,
        filename=content.document.filename,
        media_type="application/pdf",
        size=content.document.size,
    )


@router.put("/documents/{document_id}/title")
def rename(
    document_id: DocumentId, body: TitleIn, token: BearerToken, portal: PortalDep
) -> DocumentOut:
    """Rename a document."""
    return DocumentOut.of(portal.rename_document(token, document_id, body.title))


@router.put("/documents/{document_id}/category")
def recategorise(
    document_id: DocumentId, body: CategoryIn, token: BearerToken, portal: PortalDep
) -> DocumentOut:
    """Change a document's category."""
    return DocumentOut.of(portal.recategorise_document(token, document_id, body.category))


@router.delete("/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(document_id: DocumentId, token: BearerToken, portal: PortalDep) -> None:
    """Delete a document (a transmitted procedure keeps what it sent)."""
    portal.delete_document(token, document_id)


@router.get("/export", response_class=Response)
def export(token: BearerToken, portal: PortalDep) -> Response:
    """The whole wallet as one ZIP (every PDF and a JSON manifest), streamed (D6)."""
    archive = portal.export_wallet(token)
    return file_response(archive.chunks, filename=archive.filename, media_type="application/zip")
