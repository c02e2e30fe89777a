"""``msp-portal wallet``: operator commands of the document wallet (export, orphan collection)."""

from __future__ import annotations

import json
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from msp_portal_cli._common import DATABASE_OPTION, EXIT_PORTAL_ERROR, EXIT_USAGE

if TYPE_CHECKING:
    from msp_portal.ports import BlobStore

__all__ = ["open_blob_store", "parse_duration", "wallet_app"]

wallet_app = typer.Typer(
    name="wallet",
    help="The document wallet: export an account's documents, collect orphaned blobs.",
    no_args_is_help=True,
)

BLOBS_OPTION = typer.Option(
    "--blobs",
    "-b",
    envvar="MSP_PORTAL_BLOBS",
    help="Where document bytes are: a directory, or s3://BUCKET/PREFIX (credentials from the "
    "usual AWS environment).",
)
S3_ENDPOINT_OPTION = typer.Option(
    "--s3-endpoint-url",
    envvar="MSP_PORTAL_S3_ENDPOINT_URL",
    help="URL of an S3-compatible server (default: AWS, or AWS_ENDPOINT_URL).",
)

_DURATION = re.compile(r"(\d+)\s*(s|m|h|d)")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """``90m``, ``24h``, ``7d``... as a timedelta; typer.BadParameter otherwise."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise typer.BadParameter(f"{text!r}: write a number and s, m, h or d (e.g. 24h)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def open_blob_store(spec: str, endpoint_url: str | None = None) -> BlobStore:
    """The blob store named by ``spec``: ``s3://bucket/prefix`` or a directory."""
    from msp_portal.adapters.blobs.local import LocalBlobStore
    from msp_portal.adapters.blobs.s3 import S3BlobStore

    if spec.startswith("s3://"):
        bucket, _, prefix = spec.removeprefix("s3://").partition("/")
        if not bucket:
            raise typer.BadParameter("s3:// needs a bucket: s3://BUCKET/PREFIX")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return S3BlobStore(bucket, prefix=prefix, endpoint_url=endpoint_url)
    return LocalBlobStore(Path(spec))


def _fail(code: str, message: str) -> typer.Exit:
    typer.echo(f"error [{code}]: {message}", err=True)
    return typer.Exit(EXIT_PORTAL_ERROR)


@wallet_app.command("export")
def export(
    identifier: Annotated[str, typer.Option("--identifier", "-i", help="The account.")],
    output: Annotated[
        str, typer.Option("--output", "-o", help="The ZIP to write ('-': standard output).")
    ],
    blobs: Annotated[str, BLOBS_OPTION],
    database: Annotated[str, DATABASE_OPTION] = "sqlite:///portal.db",
    s3_endpoint_url: Annotated[str | None, S3_ENDPOINT_OPTION] = None,
) -> None:
    """Export one account's whole wallet: every PDF and a JSON manifest, in one ZIP.

    A file is written atomically (complete, or not at all); with '-' the archive streams to
    standard output.
    """
    from msp_portal.adapters.sql.store import SqlStore
    from msp_portal.adapters.sql.wallet_store import SqlWalletStore
    from msp_portal.clock import system_clock
    from msp_portal.errors import PortalError
    from msp_portal.services.wallet_export import export_documents, write_export

    try:
        store = SqlStore.open(database, migrate=False)
        try:
            account = store.account_by_identifier(identifier)
            if account is None:
                message = f"no live account has the identifier {identifier!r}"
                raise _fail("account-not-found", message)
            documents = SqlWalletStore(store.engine).documents(account.id)
            archive = export_documents(
                open_blob_store(blobs, s3_endpoint_url), identifier, documents, system_clock()
            )
            target = sys.stdout.buffer if output == "-" else Path(output)
            written = write_export(archive, target)
        finally:
            store.close()
    except PortalError as error:
        raise _fail(error.code, error.message("en")) from None
    where = "<stdout>" if output == "-" else output
    typer.echo(f"{where}: {len(archive.documents)} documents, {written} bytes", err=True)


@wallet_app.command("collect-orphans")
def collect_orphans(
    blobs: Annotated[str, BLOBS_OPTION],
    database: Annotated[str, DATABASE_OPTION] = "sqlite:///portal.db",
    grace: Annotated[
        str,
        typer.Option(
            "--grace",
            help="Keep unreferenced blobs younger than this (e.g. 24h); at least 5m.",
        ),
    ] = "24h",
    s3_endpoint_url: Annotated[str | None, S3_ENDPOINT_OPTION] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Remove document bytes that no document or procedure holds any more.

    Safe while the portal runs: a blob goes only once it has no reference and its last claim
    is older than the grace period. Schedule it (hourly or daily).
    """
    from msp_portal.adapters.sql.blob_index import SqlBlobIndex
    from msp_portal.adapters.sql.store import SqlStore
    from msp_portal.adapters.sql.wallet_store import SqlWalletStore
    from msp_portal.clock import system_clock
    from msp_portal.errors import PortalError
    from msp_portal.services.blobs import collect_orphans as collect

    period = parse_duration(grace)
    if period < timedelta(minutes=5):
        typer.echo("error: --grace must be at least 5m", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        store = SqlStore.open(database, migrate=False)
        try:
            report = collect(
                SqlWalletStore(store.engine),
                SqlBlobIndex(store.engine),
                open_blob_store(blobs, s3_endpoint_url),
                now=system_clock(),
                grace=period,
            )
        finally:
            store.close()
    except PortalError as error:
        raise _fail(error.code, error.message("en")) from None
    counts = {
        "documents_purged": report.documents_purged,
        "strays_adopted": report.strays_adopted,
        "blobs_removed": report.blobs_removed,
        "partial_removed": report.partial_removed,
    }
    if as_json:
        typer.echo(json.dumps(counts))
    else:
        typer.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))
