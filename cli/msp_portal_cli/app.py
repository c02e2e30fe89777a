"""The ``msp-portal`` command line: the only place where portal errors become exit codes.

Each area of the portal has its commands in a module of its own (``_address``, ``_procedures``,
``_wallet``, ``_web``), which imports nothing from this one; this module registers each with one
line.
"""

from __future__ import annotations

from typing import Annotated

import typer

from msp_docs import __version__
from msp_portal_cli import _address, _procedures, _wallet, _web
from msp_portal_cli._common import DATABASE_OPTION, EXIT_OK, EXIT_PORTAL_ERROR

__all__ = ["app", "main"]

app = typer.Typer(
    name="msp-portal",
    help="Operate the citizen portal: database schema, background jobs, exports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"msp-portal {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Operate the citizen portal: database schema, background jobs, exports."""


@app.command()
def migrate(database: Annotated[str, DATABASE_OPTION] = "sqlite:///portal.db") -> None:
    """Create the portal's tables, or bring them to the latest schema version."""
    from msp_portal.adapters.sql.store import SqlStore
    from msp_portal.errors import PortalError

    try:
        store = SqlStore.open(database, migrate=True)
    except PortalError as error:
        typer.echo(f"error [{error.code}]: {error}", err=True)
        raise typer.Exit(EXIT_PORTAL_ERROR) from None
    store.close()
    typer.echo(f"{_safe_url(database)}: schema up to date")


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    head, sep, tail = url.partition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, credentials = head.partition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}"


app.add_typer(_address.address_app, name="address")
app.add_typer(_procedures.procedures_app, name="procedures")
app.add_typer(_wallet.wallet_app, name="wallet")
app.command()(_web.serve)


def main() -> None:
    """Console-script entry point."""
    app()
