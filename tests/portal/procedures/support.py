"""Test helpers of the procedures: wallet documents, a real HTTP receiver."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from msp_portal.domain.delivery import verify
from msp_portal.domain.wallet import Upload
from tests.pdffixtures import build

SECRET = "s" * 40  # every test organisation's HMAC secret


class Wallet:
    """Adds real wallet documents (msp_docs merges them) for attachments."""

    def __init__(self, portal: Any) -> None:
        self.portal = portal

    def add(self, session: str, title: str, category: str, pages: int = 1) -> str:
        upload = Upload(build(pages), f"{title[:20]}.pdf")
        return str(self.portal.add_document(session, [upload], title=title, category=category).id)


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    answered: int

    @property
    def payload(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 playing a receiving organisation.

    ``script`` says how to answer the next requests, one word each: ``ok`` (200), ``fail``
    (503), ``reject`` (400), ``slow`` (answers 200 after ``slow_seconds``, past the client's
    timeout), ``dup`` (409: already had it). When the script is empty, it answers ``ok``.
    Dossiers are stored once per idempotency key.
    """

    server: ThreadingHTTPServer
    thread: threading.Thread
    script: list[str] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    stored: dict[str, bytes] = field(default_factory=dict)
    slow_seconds: float = 1.5
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def start_receiver() -> Receiver:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            receiver = holder["r"]
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            ok = verify(
                SECRET,
                "POST",
                self.path,
                body,
                timestamp=self.headers.get("X-MSP-Timestamp", ""),
                signature=self.headers.get("X-MSP-Signature", ""),
                now=datetime.fromtimestamp(int(self.headers.get("X-MSP-Timestamp", "0")), UTC),
            )
            with receiver.lock:
                word = receiver.script.pop(0) if receiver.script else "ok"
            status = {"ok": 200, "fail": 503, "reject": 400, "slow": 200, "dup": 409}[word]
            if not ok:
                status = 401
            key = self.headers.get("Idempotency-Key", "")
            with receiver.lock:
                receiver.requests.append(
                    Received(self.path, dict(self.headers.items()), body, ok, status)
                )
                if status in (200, 409) and ok:
                    receiver.stored.setdefault(key, body)  # processed, even if answered late
            if word == "slow":
                time.sleep(receiver.slow_seconds)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the client gave up (timeout)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    receiver = Receiver(server, thread)
    holder["r"] = receiver
    thread.start()
    return receiver
