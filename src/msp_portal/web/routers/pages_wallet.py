"""Pages: the document wallet ("porte-documents", D4-D6).

List, add (up to 4 files with "Ajouter un autre fichier"), the merge result with what was done
to each file, download, rename, re-categorise, delete, export.
"""

from __future__ import annotations

from contextlib import ExitStack
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from msp_portal.domain.wallet import Category, Upload
from msp_portal.errors import DocumentRefused, InvalidInput, WalletQuotaExceeded
from msp_portal.web import csrf
from msp_portal.web.deps import CsrfChecked, PageSession, PortalDep, session_cookie, web_context
from msp_portal.web.downloads import file_response
from msp_portal.web.rendering import redirect, render
from msp_portal.web.uploads import read_upload_form

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
FILE_FIELD = "fichiers"
CATEGORIES = [(c.value, c.label("fr")) for c in Category]


def _terms(request: Request) -> dict[str, Any]:
    """What the add page and the result say of the limits: the wallet's, shown as they are."""
    web = web_context(request)
    wallet = web.portal.ctx.settings.wallet
    return {
        "files": web.upload_files,
        "upload_cap": web.upload_cap,
        "fit": wallet.fit,
        "document_cap": wallet.max_document_bytes,
        "min_dpi": round(wallet.min_dpi),
    }


@router.get("/porte-documents", name="page_wallet")
def wallet(request: Request, session: PageSession, portal: PortalDep) -> Response:
    """The wallet: documents, newest first, and how much of the quota they use."""
    documents = portal.documents(session)
    quota = web_context(request).portal.ctx.settings.wallet
    return render(
        request,
        "porte_documents.html",
        documents=documents,
        used_bytes=sum(d.size for d in documents),
        quota=quota,
    )


@router.get("/porte-documents/ajouter", name="page_wallet_add")
def add_form(request: Request, session: PageSession) -> Response:
    """Add a document: a title, a category, a file, then "Ajouter un autre fichier"."""
    return render(
        request,
        "document_ajouter.html",
        categories=CATEGORIES,
        values={"categorie": "other"},
        terms=_terms(request),
    )


@router.post("/porte-documents/ajouter")
async def add(request: Request, session: PageSession, portal: PortalDep) -> Response:
    """Stream the files to disk, have them merged into one PDF, show what was done."""
    web = web_context(request)

    def check_csrf(fields: dict[str, str]) -> None:
        csrf.verify(
            request,
            fields.get(csrf.FIELD, ""),
            secret=web.secret,
            session_cookie=session_cookie(request),
        )

    form = await read_upload_form(
        request,
        max_files=web.upload_files,
        max_file_bytes=web.upload_cap,
        file_field=FILE_FIELD,
        before_first_file=check_csrf,
    )
    with form, ExitStack() as files:
        check_csrf(form.fields)  # also when no file was sent
        title = form.fields.get("titre", "")
        category = form.fields.get("categorie", "other")
        uploads = [
            Upload(files.enter_context(f.path.open("rb")), f.display_name) for f in form.files
        ]
        try:
            document = await web.merge(
                partial(portal.add_document, session, uploads, title=title, category=category)
            )
        except (InvalidInput, DocumentRefused, WalletQuotaExceeded) as error:
            values = {"titre": title, "categorie": category}
            return render(
                request,
                "document_ajouter.html",
                error=error,
                categories=CATEGORIES,
                values=values,
                terms=_terms(request),
            )
    return render(
        request, "document.html", document=document, just_added=True, terms=_terms(request)
    )


@router.get("/porte-documents/export", name="page_wallet_export")
def export(session: PageSession, portal: PortalDep) -> Response:
    """The whole wallet as one ZIP (every PDF and a manifest), streamed (D6)."""
    archive = portal.export_wallet(session)
    return file_response(archive.chunks, filename=archive.filename, media_type="application/zip")


@router.get("/porte-documents/{document_id}", name="page_document")
def document(
    request: Request, document_id: str, session: PageSession, portal: PortalDep
) -> Response:
    """A document: what it holds and what was done to its files."""
    found = portal.document(session, document_id[:64])
    return render(request, "document.html", document=found, terms=_terms(request))


@router.get("/porte-documents/{document_id}/telecharger", name="page_document_download")
def download(document_id: str, session: PageSession, portal: PortalDep) -> Response:
    """The document's PDF, streamed."""
    content = portal.download_document(session, document_id[:64])
    return file_response(
        content.chunks,
        filename=content.document.filename,
        media_type="application/pdf",
        size=content.document.size,
    )


@router.get("/porte-documents/{document_id}/modifier", name="page_document_edit")
def edit_form(
    request: Request, document_id: str, session: PageSession, portal: PortalDep
) -> Response:
    """Rename or re-categorise."""
    found = portal.document(session, document_id[:64])
    values = {"titre": found.title, "categorie": found.category.value}
    return render(
        request,
        "document_modifier.html",
        document_id=found.id,
        categories=CATEGORIES,
        values=values,
    )


@router.post("/porte-documents/{document_id}/titre", dependencies=[CsrfChecked])
def rename(
    request: Request,
    document_id: str,
    session: PageSession,
    portal: PortalDep,
    titre: FormText = "",
    categorie: FormText = "",
) -> Response:
    """Rename the document."""
    try:
        portal.rename_document(session, document_id[:64], titre)
    except InvalidInput as error:
        values = {"titre": titre, "categorie": categorie}
        return render(
            request,
            "document_modifier.html",
            error=error,
            document_id=document_id[:64],
            categories=CATEGORIES,
            values=values,
        )
    return redirect(
        request, "page_document", params={"document_id": document_id[:64]}, info="document-modifie"
    )


@router.post("/porte-documents/{document_id}/categorie", dependencies=[CsrfChecked])
def recategorise(
    request: Request,
    document_id: str,
    session: PageSession,
    portal: PortalDep,
    categorie: FormText = "",
) -> Response:
    """Change the document's category."""
    portal.recategorise_document(session, document_id[:64], categorie)
    return redirect(
        request, "page_document", params={"document_id": document_id[:64]}, info="document-modifie"
    )


@router.get("/porte-documents/{document_id}/supprimer", name="page_document_delete")
def delete_form(
    request: Request, document_id: str, session: PageSession, portal: PortalDep
) -> Response:
    """Confirm the deletion."""
    return render(
        request, "document_supprimer.html", document=portal.document(session, document_id[:64])
    )


@router.post("/porte-documents/{document_id}/supprimer", dependencies=[CsrfChecked])
def delete(request: Request, document_id: str, session: PageSession, portal: PortalDep) -> Response:
    """Delete the document."""
    portal.delete_document(session, document_id[:64])
    return redirect(request, "page_wallet", info="document-supprime")
