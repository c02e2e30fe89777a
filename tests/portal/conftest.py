"""Fixtures of the portal tests: a real database (SQLite, and PostgreSQL when
MSP_PORTAL_TEST_DSN is set), a real SMTP server on 127.0.0.1, a fake clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from msp_portal.adapters.smtp import SmtpConfig, SmtpMailer, SmtpSecurity
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.portal import Portal
from msp_portal.testing import FakeCaptcha, FakeClock
from tests.portal.helpers import (
    CountingHasher,
    SmtpServer,
    StoreSpec,
    drop_pg_schema,
    new_pg_spec,
    new_verified_account,
    start_smtp_server,
)

DSN = os.environ.get("MSP_PORTAL_TEST_DSN", "")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not DSN, reason="MSP_PORTAL_TEST_DSN not set (PostgreSQL)"),
    ),
]
# A winter instant: Paris is UTC+1.
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreSpec]:
    if request.param == "sqlite":
        yield StoreSpec("sqlite", f"sqlite:///{tmp_path / 'portal.db'}")
        return
    spec = new_pg_spec(DSN)
    yield spec
    drop_pg_schema(spec)


@pytest.fixture
def store(store_spec: StoreSpec) -> Iterator[SqlStore]:
    opened = store_spec.open()
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = start_smtp_server()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def mailer(smtp: SmtpServer) -> SmtpMailer:
    return SmtpMailer(SmtpConfig("127.0.0.1", smtp.port, security=SmtpSecurity.NONE))


@pytest.fixture(scope="session")
def _shared_hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def hasher(_shared_hasher: CountingHasher) -> CountingHasher:
    _shared_hasher.verifications = 0
    _shared_hasher.dummy_verifications = 0
    return _shared_hasher


@pytest.fixture
def portal(store: SqlStore, clock: FakeClock, mailer: SmtpMailer, hasher: CountingHasher) -> Portal:
    return Portal(store, mailer, FakeCaptcha("ok"), clock=clock, hasher=hasher)


@pytest.fixture
def account(portal: Portal, smtp: SmtpServer, hasher: CountingHasher) -> str:
    """A fresh account 'jdupont' with PASSWORD, its address verified; no mail or check counted."""
    new_verified_account(portal, "jdupont", "jean.dupont@example.org")
    smtp.clear()
    hasher.verifications = hasher.dummy_verifications = 0
    return "jdupont"
