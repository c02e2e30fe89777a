"""The ``msp-portal`` command line: the only place where portal errors become exit codes.

Each area of the portal adds its commands in its own module (``<area>_cmd.py``) that registers
them on :data:`app`; the imports at the end of this module list them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from msp_docs import __version__

__all__ = ["DATABASE_OPTION", "EXIT_OK", "EXIT_PORTAL_ERROR", "EXIT_USAGE", "app", "main"]

EXIT_OK = 0
EXIT_PORTAL_ERROR = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="msp-portal",
    help="Operate the citizen portal: database schema, background jobs, exports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DATABASE_OPTION = typer.Option(
    "--database",
    "-d",
    envvar="MSP_PORTAL_DATABASE",
    help="SQLAlchemy URL of the portal's database (sqlite:///portal.db, postgresql+psycopg://...).",
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


def main() -> None:
    """Console-script entry point."""
    app()


# Areas register their commands here, one module each (keep this list sorted).
import msp_portal_cli.address_cmd  # noqa: E402 - `msp-portal address ...`
import msp_portal_cli.procedures_cmd  # noqa: E402 - `msp-portal procedures ...`
import msp_portal_cli.wallet_cmd  # noqa: E402, F401 - `msp-portal wallet ...`
