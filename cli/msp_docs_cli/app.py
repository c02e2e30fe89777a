"""The ``msp-docs`` command line: the only place where errors become exit codes.

This module builds the application from the command modules, which import nothing from it:
``_documents`` (merge, convert, validate, inspect), ``_batch`` and ``_cerfa`` (a group of
commands). A new command is a function in a module of its own, registered below with one line.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from msp_docs import __version__
from msp_docs.errors import ExitCode
from msp_docs_cli import _batch, _cerfa, _documents
from msp_docs_cli._text import exit_codes_help

__all__ = ["app", "main"]

_HELP = "Validate, normalise and merge PDF, PNG, GIF and JPEG files into one safe PDF."

app = typer.Typer(
    name="msp-docs",
    help=_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"msp-docs {__version__}")
        raise typer.Exit(int(ExitCode.OK))


@app.callback(help=f"{_HELP}\n\n{exit_codes_help()}")
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Validate, normalise and merge PDF, PNG, GIF and JPEG files into one safe PDF."""


class _Command(TyperCommand):
    """A command whose usage line shows required arguments bare (``FILE...``), as click does.

    Typer writes them in braces (``{FILE...}``), which reads like a placeholder left unfilled.
    """

    # The context is typer's vendored click Context, which typer does not export: Any.
    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]


app.command(cls=_Command)(_documents.merge)
app.command(cls=_Command)(_documents.convert)
app.command(cls=_Command)(_documents.validate)
app.command(cls=_Command)(_documents.inspect)
app.command(cls=_Command)(_batch.batch)
app.add_typer(_cerfa.cerfa_app, name="cerfa")


def main() -> None:
    """Console-script entry point."""
    # A broken pipe (``msp-docs ... -o - | head``) is the reader's choice, not our error.
    try:
        app()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(int(ExitCode.INTERNAL_ERROR))
