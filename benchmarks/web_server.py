"""The portal served by uvicorn on 127.0.0.1, for bench_web.py (run in its own process).

Usage: python benchmarks/web_server.py DATA_DIR  (prints "PORT <n>" once it listens)

Besides the portal, one benchmark route, ``/api/bench/spool``, only streams an upload to disk
and discards it: the web layer's own memory, without what the wallet does with the files.
"""

from __future__ import annotations

import socket
import sys
from datetime import timedelta
from pathlib import Path

import uvicorn
from fastapi import Request

from msp_portal.settings import Limit, PortalSettings, WalletSettings
from msp_portal.web import WebSettings, create_app
from msp_portal.web.deps import web_context
from msp_portal.web.uploads import read_upload_form


def main() -> None:
    data = Path(sys.argv[1])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # A quota out of reach: the benchmark adds many documents to one account.
    wallet = WalletSettings(max_documents=10_000, max_bytes=2**40)
    settings = WebSettings.from_env(
        None,
        data_dir=data,
        public_url=f"http://127.0.0.1:{port}",
        # The 50 sign-in clients are 50 citizens, but they all come from 127.0.0.1: the
        # per-client limits (20 account creations an hour; 30 password checks in flight or
        # failed per 15 minutes) would refuse the 21st and the 31st.
        portal=PortalSettings(
            wallet=wallet,
            client_message_requests=Limit(10_000, timedelta(hours=1)),
            client_password_failures=Limit(10_000, timedelta(minutes=15)),
        ),
    )
    app = create_app(settings)

    @app.post("/api/bench/spool")
    async def bench_spool(request: Request) -> dict[str, int]:
        web = web_context(request)
        with await read_upload_form(
            request, max_files=web.upload_files, max_file_bytes=web.upload_cap, file_field="files"
        ) as form:
            return {"bytes": sum(f.size for f in form.files)}

    print(f"PORT {port}", flush=True)
    # Keep-alive longer than a loaded machine's slowest answer: clients reuse connections.
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_keep_alive=120)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
