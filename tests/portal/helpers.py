"""Shared test helpers: where the store lives, a counting hasher, a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine

from msp_portal.adapters.argon2_hasher import Argon2Hasher
from msp_portal.adapters.sql.store import SqlStore
from msp_portal.domain.model import Session
from msp_portal.portal import Portal
from msp_portal.settings import Argon2Params

PASSWORD = "cheval agrafe pile correcte"
OTHER_PASSWORD = "une autre phrase assez longue"
WRONG_PASSWORD = "pas le bon mot de passe"


@dataclass(frozen=True)
class StoreSpec:
    """Where a test's database is: a URL, plus a private schema on PostgreSQL."""

    backend: str
    url: str
    schema: str | None = None

    def open(self, **kwargs: Any) -> SqlStore:
        return SqlStore.open(self.url, schema=self.schema, **kwargs)


def new_pg_spec(dsn: str) -> StoreSpec:
    return StoreSpec("postgresql", dsn, "t_" + uuid.uuid4().hex[:16])


def drop_pg_schema(spec: StoreSpec) -> None:
    engine = create_engine(spec.url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {spec.schema} CASCADE")
    engine.dispose()


class CountingHasher:
    """The real argon2id hasher, counting password checks (real and dummy)."""

    def __init__(self, params: Argon2Params | None = None) -> None:
        self.inner = Argon2Hasher(params)
        self.verifications = 0
        self.dummy_verifications = 0
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self.inner.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.verifications += 1
        return self.inner.verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self.inner.needs_rehash(password_hash)

    def verify_dummy(self, password: str) -> None:
        with self._lock:
            self.dummy_verifications += 1
        self.inner.verify_dummy(password)


class _Handler:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class _AnyPortController(Controller):  # type: ignore[misc]
    """aiosmtpd's Controller on port 0: learn the port the OS chose before the readiness probe."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), keeping what it receives."""

    controller: Any
    handler: _Handler = field(repr=False)

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            contents = [e.content for e in self.handler.envelopes]
        return [
            email.message_from_bytes(c, policy=email.policy.default)  # type: ignore[misc]
            for c in contents
        ]

    def recipients(self) -> list[list[str]]:
        with self.handler.lock:
            return [list(e.rcpt_tos) for e in self.handler.envelopes]

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.envelopes.clear()

    def stop(self) -> None:
        self.controller.stop()


def start_smtp_server(**kwargs: Any) -> SmtpServer:
    handler = _Handler()
    controller = _AnyPortController(handler, hostname="127.0.0.1", port=0, **kwargs)
    controller.start()
    return SmtpServer(controller, handler)


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


def link_token(text: str) -> str:
    match = re.search(r"jeton=([A-Za-z0-9_\-]+)", text)
    assert match, text
    return match.group(1)


def queued_link(portal: Portal, to: str, path: str) -> str:
    """The token of the last queued email to ``to`` whose link has ``path`` (read in the store)."""
    for mail in reversed(portal.ctx.store.mail_outbox()):
        if mail.email.to == to and path in mail.email.body:
            return link_token(mail.email.body)
    raise AssertionError(f"no queued email to {to} with {path}")


def verify_address(portal: Portal, identifier: str, email: str, password: str = PASSWORD) -> None:
    """Do what a new holder does: sign in, open the verification link, sign out."""
    token = queued_link(portal, email, "verifier-adresse")
    session = portal.sign_in(identifier, password)
    assert isinstance(session, Session)
    assert portal.verify_email(session.token, token) == email
    portal.sign_out(session.token)


def new_verified_account(
    portal: Portal, identifier: str, email: str, password: str = PASSWORD
) -> None:
    """Create an account, verify its address, and hand the queued mail over (then forgotten)."""
    portal.create_account(identifier, email, password)
    verify_address(portal, identifier, email, password)
    portal.deliver_mail()
