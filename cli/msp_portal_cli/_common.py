"""What the ``msp-portal`` commands share: exit statuses and the database option."""

from __future__ import annotations

import typer

__all__ = ["DATABASE_OPTION", "EXIT_OK", "EXIT_PORTAL_ERROR", "EXIT_USAGE"]

EXIT_OK = 0
EXIT_PORTAL_ERROR = 1
EXIT_USAGE = 2

DATABASE_OPTION = typer.Option(
    "--database",
    "-d",
    envvar="MSP_PORTAL_DATABASE",
    help="SQLAlchemy URL of the portal's database (sqlite:///portal.db, postgresql+psycopg://...).",
)
