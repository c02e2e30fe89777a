"""Browser tests: the portal served by a real uvicorn on 127.0.0.1, driven by Playwright in
Debian's chromium (headless; Playwright's own browser download is not used), with axe-core
run on every page. Outside CI they skip when chromium or Playwright is missing; in CI
(CI=true) that is a failure."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from msp_portal.adapters.blobs.local import LocalBlobStore
from msp_portal.adapters.files import DirectoryMailer, DirectorySmsGateway
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.portal import Portal
from msp_portal.testing import FakeClock
from msp_portal.web import QuestionCaptcha, WebSettings, create_app
from tests.conftest import CERFA
from tests.portal.conftest import START
from tests.portal.helpers import CountingHasher

CHROMIUM = Path(os.environ.get("MSP_PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = Path(os.environ.get("MSP_PORTAL_SCREENSHOTS", ROOT / "build" / "screenshots"))


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (scripts/setup.sh test installs Debian's chromium)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (scripts/setup.sh test)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module: Playwright's sync API keeps an event loop running in
    this thread while it is started, which other modules' async tests cannot share."""
    problem = _missing()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh, empty user-data-dir of its own.
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@dataclass
class LiveServer:
    """A portal served by uvicorn on 127.0.0.1, with what the test needs to reach behind it."""

    url: str
    clock: FakeClock
    store: SqlStore
    messages: Path
    portal: Portal

    def last_message(self, suffix: str) -> str:
        self.portal.deliver_mail()  # what the application's mail worker does every 2 s
        files = sorted(p for p in self.messages.glob(f"*{suffix}") if not p.name.startswith("."))
        assert files, f"no {suffix} written"
        return files[-1].read_text(encoding="utf-8")

    def last_email_body(self, to: str | None = None) -> str:
        """The body of the last email written (to ``to`` when given)."""
        import email
        import email.policy

        self.portal.deliver_mail()  # what the application's mail worker does every 2 s
        files = sorted(p for p in self.messages.glob("*.eml") if not p.name.startswith("."))
        for path in reversed(files):
            message = email.message_from_string(
                path.read_text(encoding="utf-8"), policy=email.policy.default
            )
            if to is None or message["To"] == to:
                part = message.get_body(preferencelist=("plain",))
                assert part is not None
                return str(part.get_content())  # type: ignore[attr-defined]
        raise AssertionError(f"no email to {to}")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    import uvicorn

    from msp_docs.cerfa import Catalogue

    clock = FakeClock(START)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    settings = WebSettings(
        secret_key="b" * 48,
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'portal.db'}",
        public_url=url,
        cerfa_dir=CERFA,
    )
    store = SqlStore.open(settings.database_url)
    messages = tmp_path / "messages"
    captcha = QuestionCaptcha(settings.secret_key.encode(), clock)
    portal = Portal(
        store,
        DirectoryMailer(messages, clock),
        captcha,
        clock=clock,
        sms=DirectorySmsGateway(messages, clock),
        hasher=CountingHasher(),
        settings=settings.portal,
        blobs=LocalBlobStore(settings.blobs),
        cerfa=Catalogue.load(CERFA),  # its fillable forms are sent online as dossiers
    )
    app = create_app(settings, portal=portal, captcha=captcha)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield LiveServer(url, clock, store, messages, portal)
    server.should_exit = True
    thread.join(timeout=20)
    store.close()
    sock.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
