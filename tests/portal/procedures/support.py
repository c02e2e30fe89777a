"""Test helpers of the procedures: an in-memory blob store and wallet, a real HTTP receiver."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from msp_portal.domain.delivery import verify
from msp_portal.domain.dossiers import AttachedDocument
from msp_portal.errors import StorageError
from msp_portal.ports import BlobRef
from tests.pdffixtures import build

SECRET = "s" * 40  # every test organisation's HMAC secret


class MemoryBlobStore:
    """The BlobStore protocol in memory (tests only; the wallet branch ships the real ones)."""

    def __init__(self) -> None:
        self.blobs: dict[str, tuple[bytes, datetime]] = {}
        self._lock = threading.Lock()

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        data = b"".join(chunks)
        sha = hashlib.sha256(data).hexdigest()
        with self._lock:
            self.blobs.setdefault(sha, (data, datetime.now(UTC)))
        return BlobRef(sha, len(data))

    def open(self, sha256: str) -> Iterator[bytes]:
        with self._lock:
            found = self.blobs.get(sha256)
        if found is None:
            raise StorageError(reason="blob-missing", blob=sha256)
        data = found[0]
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    def delete(self, sha256: str) -> None:
        with self._lock:
            self.blobs.pop(sha256, None)

    def stored(self) -> Iterator[tuple[str, datetime]]:
        with self._lock:
            items = [(k, v[1]) for k, v in self.blobs.items()]
        yield from items


class MemoryWallet:
    """Wallet documents per account, their bytes in a blob store."""

    def __init__(self, blobs: MemoryBlobStore) -> None:
        self.blobs = blobs
        self.docs: dict[tuple[int, str], AttachedDocument] = {}

    def add(self, account_id: int, doc_id: str, title: str, category: str, pages: int = 1) -> str:
        ref = self.blobs.put([build(pages)])
        self.docs[(account_id, doc_id)] = AttachedDocument(
            "", doc_id, title, category, ref.sha256, ref.size
        )
        return doc_id

    def document(self, account_id: int, document_id: str) -> AttachedDocument | None:
        return self.docs.get((account_id, document_id))


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


class DirBlobStore(MemoryBlobStore):
    """Blobs as files in a directory (tests only): durable across a killed child process."""

    def __init__(self, root: Any) -> None:
        super().__init__()
        self.root = root

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        import os

        data = b"".join(chunks)
        sha = hashlib.sha256(data).hexdigest()
        final = self.root / sha
        if not final.exists():
            tmp = self.root / f".{sha}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        return BlobRef(sha, len(data))

    def open(self, sha256: str) -> Iterator[bytes]:
        path = self.root / sha256
        if not path.exists():
            raise StorageError(reason="blob-missing", blob=sha256)
        yield path.read_bytes()
