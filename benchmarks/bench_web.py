"""The portal over HTTP against the library call, on loopback, bounded in count and time.

Measures, in one run (the server is benchmarks/web_server.py in its own process):
  1. sign-in latency p50/p95 with 50 concurrent HTTP clients, against 50 threads calling
     Portal.sign_in in process on the same database kind (the web layer's cost is the ratio);
  2. add-document throughput: a 4-file document added over HTTP (POST /api/v1/wallet/documents),
     against Portal.add_document of the same files in process (SQLite, local blob directory),
     with the same concurrency (target: HTTP >= 0.9 x library);
  3. the server's memory while 20 clients upload 10 MiB each at once: through a route that only
     streams to disk (the web layer's own cost), then through the wallet's add-document route
     (what the whole portal holds), as peak RSS growth over the idle server.

Usage: .venv/bin/python benchmarks/bench_web.py [--sign-ins 500] [--documents 12]
Every request goes to 127.0.0.1 only; every loop has a fixed count and a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from msp_portal import LocalBlobStore, Portal, Session, SqlStore, Upload
from msp_portal.settings import PortalSettings, WalletSettings
from msp_portal.testing import FakeCaptcha, MemoryMailer

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference"
FILES = ["photo.jpg", "scan.png", "screenshot.png", "scans.pdf"]
PASSWORD = "cheval agrafe pile correcte"
TIMEOUT = 120.0
MIB = 1024 * 1024


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def describe(samples: list[float]) -> str:
    return f"p50 {pct(samples, 0.5):7.1f} ms  p95 {pct(samples, 0.95):7.1f} ms  (n={len(samples)})"


class Server:
    def __init__(self, data: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "web_server.py"), str(data)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            raise SystemExit(f"server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{line.split()[1]}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/api/v1/partners", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise SystemExit("server did not answer")

    def rss_kib(self, field: str = "VmRSS") -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def reset_peak(self) -> None:
        # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0); harmless if refused.
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


async def http_sign_ins(url: str, clients: int, total: int) -> list[float]:
    samples: list[float] = []
    per_client = total // clients
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT, limits=limits) as client:

        async def one_client(number: int) -> None:
            for _ in range(per_client):
                start = time.perf_counter()
                response = await client.post(
                    "/api/v1/sessions",
                    json={"identifier": f"bench{number}", "password": PASSWORD},
                )
                samples.append(time.perf_counter() - start)
                assert response.status_code == 201, response.text

        await asyncio.wait_for(
            asyncio.gather(*(one_client(n) for n in range(clients))), TIMEOUT * 5
        )
    return samples


def library_sign_ins(database: str, clients: int, total: int) -> list[float]:
    store = SqlStore.open(database)
    portal = Portal(store, MemoryMailer(), FakeCaptcha())
    for number in range(clients):
        portal.create_account(f"bench{number}", f"bench{number}@example.org", PASSWORD)
    samples: list[float] = []
    lock = threading.Lock()

    def one_client(number: int) -> None:
        for _ in range(total // clients):
            start = time.perf_counter()
            portal.sign_in(f"bench{number}", PASSWORD)
            with lock:
                samples.append(time.perf_counter() - start)

    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(one_client, n) for n in range(clients)]:
            future.result(timeout=TIMEOUT * 5)
    store.close()
    return samples


def bench_sign_in(server: Server, work: Path, clients: int, total: int) -> None:
    # One account per client: 50 citizens signing in. (Parallel sign-ins to ONE account lock
    # it by design: each attempt is counted as a failure before its check, docs/portal.md.)
    for number in range(clients):
        created = httpx.post(
            server.url + "/api/v1/accounts",
            json={
                "identifier": f"bench{number}",
                "email": f"bench{number}@example.org",  # one each: 5 mails an hour per address
                "password": PASSWORD,
            },
            timeout=TIMEOUT,
        )
        assert created.status_code in {201, 409}, created.text
    # Interleaved A/B rounds: the machine is shared, so neither side gets the quiet minutes.
    http: list[float] = []
    library: list[float] = []
    for round_number in range(2):
        http += asyncio.run(http_sign_ins(server.url, clients, total // 2))
        db = f"sqlite:///{work / f'library-{round_number}.db'}"
        library += library_sign_ins(db, clients, total // 2)
    print(f"\n== sign-in, {clients} concurrent clients, argon2id m=19 MiB t=2")
    print("HTTP (uvicorn, one process)   ", describe(http))
    print("library (Portal.sign_in)      ", describe(library))
    print(
        f"ratio HTTP / library: p50 {pct(http, 0.5) / pct(library, 0.5):.2f}, "
        f"p95 {pct(http, 0.95) / pct(library, 0.95):.2f}"
    )


def upload_files() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("files", (name, (REFERENCE / name).read_bytes(), "application/octet-stream"))
        for name in FILES
    ]


def http_documents(url: str, headers: dict[str, str], documents: int, concurrency: int) -> float:
    # The multipart body is encoded once: the client's own CPU shares the server's two cores.
    request = httpx.Request(
        "POST", url, data={"title": "Dossier", "category": "other"}, files=upload_files()
    )
    body = request.read()
    sent = {**headers, "content-type": request.headers["content-type"]}

    # One client for the round, made before the clock starts, as a browser keeps its
    # connections: httpx.post() alone builds a client per call, and its TLS context (the CA
    # bundle parsed, ~30 ms of CPU, even for http://) took the server's cores.
    with httpx.Client(timeout=TIMEOUT) as client:

        def one(_: int) -> None:
            response = client.post(url + "/api/v1/wallet/documents", content=body, headers=sent)
            assert response.status_code == 201, response.text

        start = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, range(documents)))
        return documents / (time.perf_counter() - start)


def library_documents(portal: Portal, token: str, documents: int, concurrency: int) -> float:
    def one(_: int) -> None:
        with contextlib.ExitStack() as stack:
            uploads = [
                Upload(stack.enter_context((REFERENCE / name).open("rb")), name) for name in FILES
            ]
            portal.add_document(token, uploads, title="Dossier", category="other")

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(documents)))
    return documents / (time.perf_counter() - start)


def bench_add_document(server: Server, work: Path, documents: int, concurrency: int) -> None:
    size = sum((REFERENCE / name).stat().st_size for name in FILES)
    headers = http_account(server.url, "docs")
    store = SqlStore.open(f"sqlite:///{work / 'library-docs.db'}")
    settings = PortalSettings(wallet=WalletSettings(max_documents=10_000, max_bytes=2**40))
    portal = Portal(
        store,
        MemoryMailer(),
        FakeCaptcha(),
        blobs=LocalBlobStore(work / "lib-blobs"),
        settings=settings,
    )
    portal.create_account("docs", "docs@example.org", PASSWORD)
    session = portal.sign_in("docs", PASSWORD)
    assert isinstance(session, Session)
    http_documents(server.url, headers, 1, 1)  # warm-up: imports and isolation children
    library_documents(portal, session.token, 1, 1)
    http_rates: list[float] = []
    library_rates: list[float] = []
    for _ in range(3):
        http_rates.append(http_documents(server.url, headers, documents, concurrency))
        library_rates.append(library_documents(portal, session.token, documents, concurrency))
    h, lib = statistics.median(http_rates), statistics.median(library_rates)
    print(
        f"\n== add a 4-file document ({size / MIB:.1f} MiB), {concurrency} at a time, "
        f"{documents} documents per round, 3 rounds interleaved"
    )
    print(
        f"HTTP wallet add-document {h:6.2f} doc/s  (min {min(http_rates):.2f}, "
        f"max {max(http_rates):.2f})"
    )
    print(
        f"Portal.add_document      {lib:6.2f} doc/s  (min {min(library_rates):.2f}, "
        f"max {max(library_rates):.2f})"
    )
    print(f"ratio HTTP / library: {h / lib:.2f}  (target >= 0.90)")


def http_account(url: str, identifier: str) -> dict[str, str]:
    """An account on the server and its session's Authorization header."""
    account = {"identifier": identifier, "email": "b@example.org", "password": PASSWORD}
    created = httpx.post(url + "/api/v1/accounts", json=account, timeout=TIMEOUT)
    assert created.status_code in {201, 409}, created.text
    signed_in = httpx.post(
        url + "/api/v1/sessions",
        json={"identifier": identifier, "password": PASSWORD},
        timeout=TIMEOUT,
    )
    return {"authorization": f"Bearer {signed_in.json()['session']['token']}"}


async def uploads_at_once(
    url: str, route: str, headers: dict[str, str], clients: int, size: int
) -> list[int]:
    # 10 MiB that start like a PDF: msp_docs reads them before it refuses them.
    payload = b"%PDF-1.4\n" + b"\x00" * (size - 9)
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:

        async def one() -> int:
            response = await client.post(
                route,
                data={"title": "Gros", "category": "other"},
                files=[("files", ("gros.pdf", payload, "application/pdf"))],
                headers=headers,
            )
            return response.status_code

        return await asyncio.wait_for(asyncio.gather(*(one() for _ in range(clients))), TIMEOUT)


def bench_memory(server: Server, route: str, clients: int, size: int) -> None:
    headers = http_account(server.url, "memory")
    idle = server.rss_kib()
    server.reset_peak()
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, server.rss_kib())
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    statuses = asyncio.run(uploads_at_once(server.url, route, headers, clients, size))
    done.set()
    watcher.join()
    peak = max(peak, server.rss_kib("VmHWM"))
    assert all(status < 500 for status in statuses), statuses
    offered = clients * size / MIB
    print(
        f"\n== {clients} clients upload {size / MIB:.0f} MiB each at once ({offered:.0f} MiB) "
        f"to {route} (answers {sorted(set(statuses))})"
    )
    print(
        f"server RSS idle {idle / 1024:.0f} MiB, peak {peak / 1024:.0f} MiB, "
        f"growth {(peak - idle) / 1024:.0f} MiB = {(peak - idle) / 1024 / offered:.2f} x "
        "the bytes offered"
    )


def phone_photo(seed: int, target: int) -> bytes:
    """A large phone photo (blur and sensor noise, JPEG quality 97) of about ``target`` bytes."""
    import io
    import random

    from PIL import Image, ImageDraw, ImageFilter

    scale = (target / (26.9 * MIB)) ** 0.5  # 7200 x 5400 gives about 26.9 MiB
    size = (int(7200 * scale), int(5400 * scale))
    rng = random.Random(seed)
    scene = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(scene)
    for _ in range(30):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(150, 1500)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    scene = scene.filter(ImageFilter.GaussianBlur(3))
    random.seed(seed)
    scene = Image.blend(scene, Image.effect_noise(size, 60).convert("RGB"), 0.3)
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=97)
    return out.getvalue()


def big_photos(work: Path, cap: int) -> list[Path]:
    """Four photos of about 19 MiB: together just under the 80 MiB cap."""
    paths: list[Path] = []
    for seed in range(4):
        path = work / f"big-{seed}.jpg"
        path.write_bytes(phone_photo(seed, int(cap / 4 * 0.95)))
        paths.append(path)
    total = sum(p.stat().st_size for p in paths)
    assert 60 * MIB < total <= cap, total
    return paths


def bench_big_upload(server: Server, work: Path, rounds: int) -> None:
    wallet = WalletSettings(max_documents=10_000, max_bytes=2**40)
    cap = wallet.max_upload_bytes
    photos = big_photos(work, cap)
    total = sum(p.stat().st_size for p in photos)
    headers = http_account(server.url, "big")
    request = httpx.Request(
        "POST",
        server.url + "/api/v1/wallet/documents",
        data={"title": "Photos", "category": "other"},
        files=[("files", (p.name, p.read_bytes(), "image/jpeg")) for p in photos],
    )
    body = request.read()
    sent = {**headers, "content-type": request.headers["content-type"]}
    store = SqlStore.open(f"sqlite:///{work / 'library-big.db'}")
    portal = Portal(
        store,
        MemoryMailer(),
        FakeCaptcha(),
        blobs=LocalBlobStore(work / "lib-big-blobs"),
        settings=PortalSettings(wallet=wallet),
    )
    portal.create_account("big", "big@example.org", PASSWORD)
    session = portal.sign_in("big", PASSWORD)
    assert isinstance(session, Session)
    http_times: list[float] = []
    library_times: list[float] = []
    growths: list[float] = []
    output = 0
    for _ in range(rounds):
        idle = server.rss_kib()
        server.reset_peak()
        start = time.perf_counter()
        response = httpx.post(
            server.url + "/api/v1/wallet/documents", content=body, headers=sent, timeout=TIMEOUT
        )
        http_times.append(time.perf_counter() - start)
        assert response.status_code == 201, response.text
        output = int(response.json()["size"])
        growths.append((server.rss_kib("VmHWM") - idle) / 1024)
        start = time.perf_counter()
        with contextlib.ExitStack() as stack:
            uploads = [Upload(stack.enter_context(p.open("rb")), p.name) for p in photos]
            portal.add_document(session.token, uploads, title="Photos", category="other")
        library_times.append(time.perf_counter() - start)
    h, lib = statistics.median(http_times), statistics.median(library_times)
    print(
        f"\n== one upload of 4 photos, {total / MIB:.1f} MiB (cap {cap / MIB:.0f} MiB), made to "
        f"fit {wallet.max_document_bytes / MIB:.0f} MiB ({output / MIB:.1f} MiB), "
        f"{rounds} rounds interleaved"
    )
    print(f"HTTP add-document   {h:6.2f} s  (min {min(http_times):.2f}, max {max(http_times):.2f})")
    print(
        f"Portal.add_document {lib:6.2f} s  (min {min(library_times):.2f}, "
        f"max {max(library_times):.2f})"
    )
    print(f"time ratio HTTP / library: {h / lib:.2f}")
    print(
        f"server peak RSS growth {statistics.median(growths):.0f} MiB "
        f"(min {min(growths):.0f}, max {max(growths):.0f}) for {total / MIB:.0f} MiB uploaded"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--sign-ins", type=int, default=500)
    parser.add_argument("--documents", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--big-rounds", type=int, default=3)
    parser.add_argument(
        "--only", choices=["memory", "sign-in", "documents", "big"], action="append"
    )
    args = parser.parse_args()
    subprocess.run(
        [sys.executable, str(HERE / "make_reference_set.py")], check=True, stdout=subprocess.DEVNULL
    )
    work = Path(tempfile.mkdtemp(prefix="msp-bench-web-"))
    server = Server(work / "server")
    try:
        only = set(args.only or ["memory", "sign-in", "documents", "big"])
        if "memory" in only:
            bench_memory(server, "/api/bench/spool", clients=20, size=10 * MIB)
            bench_memory(server, "/api/v1/wallet/documents", clients=20, size=10 * MIB)
        if "sign-in" in only:
            bench_sign_in(server, work, args.clients, args.sign_ins)
        if "documents" in only:
            bench_add_document(server, work, args.documents, args.concurrency)
        if "big" in only:
            bench_big_upload(server, work, args.big_rounds)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
