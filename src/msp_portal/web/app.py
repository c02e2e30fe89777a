"""The application factory: settings in, an ASGI application out (runnable or mountable)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import Headers
from starlette.types import Scope

from msp_docs import __version__
from msp_portal.adapters.blobs.local import LocalBlobStore
from msp_portal.adapters.files import DirectoryMailer, DirectorySmsGateway
from msp_portal.adapters.smtp import SmtpMailer
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.clock import system_clock
from msp_portal.domain.paris import paris_date, paris_time
from msp_portal.portal import Portal
from msp_portal.ports import BlobStore, Clock, Mailer
from msp_portal.services.cerfa import CerfaDesk
from msp_portal.web import handlers
from msp_portal.web._messages import size_text
from msp_portal.web.captcha import QuestionCaptcha
from msp_portal.web.deps import CSRF_COOKIE, WebContext
from msp_portal.web.middleware import BodyLimit, CrossSiteGuard, InternalErrors, SecurityHeaders
from msp_portal.web.routers import (
    api_accounts,
    api_address,
    api_cerfa,
    api_partners,
    api_procedures,
    api_profile,
    api_wallet,
    pages_accounts,
    pages_cerfa,
    pages_procedures,
    pages_profile,
    pages_wallet,
)
from msp_portal.web.settings import MULTIPART_OVERHEAD_BYTES, WebSettings
from msp_portal.web.workers import MessageWorker

if TYPE_CHECKING:
    from msp_docs.cerfa import Catalogue

HERE = Path(__file__).parent


def create_app(
    settings: WebSettings,
    *,
    portal: Portal | None = None,
    captcha: QuestionCaptcha | None = None,
    clock: Clock = system_clock,
    cerfa: Catalogue | None = None,
) -> FastAPI:
    """Build the portal's ASGI application.

    Args:
        settings: How to serve (see :class:`WebSettings`).
        portal: An already wired :class:`~msp_portal.Portal` (a service with its own store,
            mailer, captcha provider...). By default one is built from ``settings``: the
            database at ``settings.database_url`` (migrated when ``settings.migrate``), emails
            over SMTP or into ``settings.messages_dir``, SMS into the outbox or that directory.
        captcha: The captcha questions shown by the recovery pages. It must be the object the
            portal verifies with; by default a :class:`QuestionCaptcha` signed with the secret.
        clock: The clock of the default portal and captcha (tests pass a fake one).
        cerfa: The CERFA catalogue of the default portal (``Portal(..., cerfa=...)``: its
            fillable forms are sent online as dossiers, F3-F4); by default ``msp_docs``' maps
            (and ``settings.cerfa_maps``) over the PDFs of ``settings.cerfa_forms``. A portal
            passed in brings its own (``portal.cerfa``); one built without a catalogue still
            gets blank and filled forms from this one, but no dossier.

    The application can be served alone (``msp-portal serve``, uvicorn) or mounted in a
    service's own ASGI application (``service.mount("/portail", create_app(settings))``): its
    links, redirects and cookies follow the mount path.
    """
    captcha = captcha or QuestionCaptcha(settings.secret_key.encode("utf-8"), clock)
    if portal is not None and portal.cerfa is not None:
        desk = portal.cerfa
    else:
        if cerfa is None:
            from msp_docs.cerfa import Catalogue

            cerfa = Catalogue.load(settings.cerfa_forms, maps=settings.cerfa_maps)
        if portal is None:
            portal = _default_portal(settings, captcha, clock, cerfa)
        desk = portal.cerfa if portal.cerfa is not None else CerfaDesk(portal, cerfa)
    wallet = portal.ctx.settings.wallet
    upload_cap = settings.upload_cap(wallet.max_upload_bytes)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["version"] = __version__
    templates.env.filters["date_fr"] = paris_date
    templates.env.filters["heure_fr"] = paris_time
    templates.env.filters["taille"] = lambda size: size_text(int(size), "fr")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        worker = MessageWorker(portal) if settings.run_workers else None
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        lifespan=lifespan,
        title=f"{settings.site_name} — API",
        version=__version__,
        description=(
            "The citizen portal's JSON API. Errors answer "
            '`{"error": {"code", "facts", "message": {"en", "fr"}}}`; the codes are stable. '
            "Authenticated calls send `Authorization: Bearer <session token>`."
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive pages load scripts from a CDN: not under our CSP
        redoc_url=None,
    )
    app.state.web = WebContext(
        portal=portal,
        settings=settings,
        templates=templates,
        captcha=captcha,
        cerfa=desk,
        merges=anyio.CapacityLimiter(settings.max_concurrent_merges),
        upload_cap=upload_cap,
        upload_files=wallet.max_upload_files,
    )
    handlers.install(app)
    api = [api_accounts, api_profile, api_partners, api_wallet, api_procedures]
    api += [api_address, api_cerfa]
    pages = [pages_accounts, pages_profile, pages_wallet, pages_procedures]
    pages += [pages_cerfa]
    for router in [*api, *pages]:
        app.include_router(router.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def limit_for(scope: Scope) -> tuple[int, int]:
        content_type = Headers(scope=scope).get("content-type", "")
        if content_type.lower().startswith("multipart/"):
            return upload_cap + MULTIPART_OVERHEAD_BYTES, upload_cap
        return settings.max_form_bytes, settings.max_form_bytes

    # Added innermost first: the security headers wrap everything, even the refusals.
    app.add_middleware(BodyLimit, limit_for=limit_for, render=handlers.render_problem)
    app.add_middleware(
        CrossSiteGuard, public_url=settings.public_url, render=handlers.render_problem
    )
    app.add_middleware(InternalErrors, render=handlers.internal_error)
    app.add_middleware(SecurityHeaders, csrf_cookie=CSRF_COOKIE, secure=settings.cookie_secure)
    return app


def _default_portal(
    settings: WebSettings, captcha: QuestionCaptcha, clock: Clock, cerfa: Catalogue | None
) -> Portal:
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    store = SqlStore.open(settings.database_url, migrate=settings.migrate)
    blobs = _blob_store(settings)
    if settings.messages_dir is not None:
        return Portal(
            store,
            DirectoryMailer(settings.messages_dir, clock),
            captcha,
            clock=clock,
            sms=DirectorySmsGateway(settings.messages_dir, clock),
            settings=settings.portal,
            blobs=blobs,
            cerfa=cerfa,
        )
    if settings.smtp is None:
        raise ValueError("WebSettings needs smtp (an SMTP server) or messages_dir (files)")
    mailer: Mailer = SmtpMailer(settings.smtp)
    return Portal(
        store, mailer, captcha, clock=clock, settings=settings.portal, blobs=blobs, cerfa=cerfa
    )


def _blob_store(settings: WebSettings) -> BlobStore:
    """Where document bytes go: S3 when ``blob_url`` says so, else the local directory."""
    if settings.blob_url is not None:
        from msp_portal.adapters.blobs.s3 import S3BlobStore

        bucket, _, prefix = settings.blob_url.removeprefix("s3://").partition("/")
        return S3BlobStore(bucket, prefix=prefix, endpoint_url=settings.s3_endpoint_url)
    settings.blobs.mkdir(parents=True, exist_ok=True)
    return LocalBlobStore(settings.blobs)
