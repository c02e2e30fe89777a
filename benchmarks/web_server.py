"""The portal served by uvicorn on 127.0.0.1, for bench_web.py (run in its own process).

Usage: python benchmarks/web_server.py DATA_DIR  (prints "PORT <n>" once it listens)

Besides the portal, two benchmark routes stand where the wallet's add-document route will be
until it lands: ``/bench/merge`` streams the upload to disk and merges it with msp_docs (what
add-document does, minus the blob store), ``/bench/spool`` only streams it to disk.
"""

from __future__ import annotations

import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import Request
from starlette.concurrency import run_in_threadpool

import msp_docs
from msp_portal.web import WebSettings, create_app
from msp_portal.web.deps import web_context
from msp_portal.web.uploads import read_upload_form


def main() -> None:
    data = Path(sys.argv[1])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = WebSettings.from_env({}, data_dir=data, public_url=f"http://127.0.0.1:{port}")
    app = create_app(settings)

    @app.post("/api/bench/merge")
    async def bench_merge(request: Request) -> dict[str, Any]:
        limit = web_context(request).settings.max_upload_bytes
        with await read_upload_form(request, max_files=4, max_file_bytes=limit) as form:
            out = Path(tempfile.mkstemp(suffix=".pdf", dir=form.directory)[1])
            paths = [f.path for f in form.files]
            report = await run_in_threadpool(msp_docs.merge, paths, out)
            return {"pages": report.output.pages if report.output else 0}

    @app.post("/api/bench/spool")
    async def bench_spool(request: Request) -> dict[str, int]:
        limit = web_context(request).settings.max_upload_bytes
        with await read_upload_form(request, max_files=4, max_file_bytes=limit) as form:
            return {"bytes": sum(f.size for f in form.files)}

    print(f"PORT {port}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
