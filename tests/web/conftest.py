"""Fixtures of the web tests: the portal's ASGI app over a real SQLite database and a real
SMTP server on 127.0.0.1, driven in process through httpx's ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from msp_portal.adapters.blobs.local import LocalBlobStore
from msp_portal.adapters.smtp import SmtpConfig, SmtpMailer, SmtpSecurity
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.portal import Portal
from msp_portal.testing import FakeClock
from msp_portal.web import QuestionCaptcha, WebSettings, create_app
from tests.portal.conftest import START
from tests.portal.helpers import CountingHasher, SmtpServer, start_smtp_server

SECRET = "s" * 48
BASE_URL = "https://testserver"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = start_smtp_server()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    smtp_server.clear()
    return smtp_server


@pytest.fixture(scope="session")
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def settings(tmp_path: Path) -> WebSettings:
    return WebSettings(
        secret_key=SECRET,
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'portal.db'}",
        public_url="https://testserver",
    )


@pytest.fixture
def store(settings: WebSettings) -> Iterator[SqlStore]:
    opened = SqlStore.open(settings.database_url)
    yield opened
    opened.close()


@pytest.fixture
def captcha(clock: FakeClock) -> QuestionCaptcha:
    return QuestionCaptcha(SECRET.encode(), clock)


@pytest.fixture
def portal(
    store: SqlStore,
    smtp: SmtpServer,
    clock: FakeClock,
    hasher: CountingHasher,
    captcha: QuestionCaptcha,
    settings: WebSettings,
) -> Portal:
    mailer = SmtpMailer(SmtpConfig("127.0.0.1", smtp.port, security=SmtpSecurity.NONE))
    return Portal(
        store,
        mailer,
        captcha,
        clock=clock,
        hasher=hasher,
        settings=settings.portal,
        blobs=LocalBlobStore(settings.blobs),
    )


@pytest.fixture
def app(settings: WebSettings, portal: Portal, captcha: QuestionCaptcha) -> FastAPI:
    return create_app(settings, portal=portal, captcha=captcha)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http
