"""``msp-portal serve``: the portal on the web, one command on a fresh machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from msp_portal_cli._common import EXIT_PORTAL_ERROR, EXIT_USAGE

__all__ = ["serve"]


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="MSP_PORTAL_DATA_DIR",
            help="Where the SQLite file, blobs, secret key and written messages live "
            "(default: ./msp-portal-data).",
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            "-d",
            envvar="MSP_PORTAL_DATABASE",
            help="SQLAlchemy URL of the database (default: SQLite in the data directory).",
        ),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            envvar="MSP_PORTAL_PUBLIC_URL",
            help="Address citizens use; emailed links start with it (default: http://HOST:PORT).",
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help="Reverse proxies whose X-Forwarded-For/-Proto are believed (comma-separated "
            "addresses); the client address feeds the per-client throttle. Default: none.",
        ),
    ] = "",
) -> None:
    """Serve the portal: the JSON API (/api/v1, schema at /api/openapi.json) and its pages."""
    try:
        import uvicorn

        from msp_portal.errors import PortalError
        from msp_portal.web import WebSettings, create_app
    except ImportError as error:
        typer.echo(
            f"error: the web extra is not installed ({error.name}): pip install 'msp-docs[web]' "
            "(from a checkout: pip install '.[web]', or scripts/setup.sh web)",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE) from None
    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database is not None:
        overrides["database_url"] = database
    overrides["public_url"] = public_url or f"http://{_url_host(host)}:{port}"
    try:
        settings = WebSettings.from_env(None, **overrides)
        application = create_app(settings)
    except PortalError as error:
        typer.echo(f"error [{error.code}]: {error}", err=True)
        raise typer.Exit(EXIT_PORTAL_ERROR) from None
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if settings.messages_dir is not None:
        typer.echo(f"emails and SMS are written to {settings.messages_dir} (no SMTP server set)")
    typer.echo(f"portal at {settings.public_url} (API schema: /api/openapi.json)")
    uvicorn.run(
        application,
        host=host,
        port=port,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or None,
        server_header=False,
        log_level="info",
    )


def _url_host(host: str) -> str:
    if host in {"0.0.0.0", "::"}:  # noqa: S104 - a listening address, shown as loopback
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
