"""``msp-portal procedures ...``: the operator's jobs for online procedures.

* ``purge-expired``: delete drafts past their 15 days and procedures whose session ended (P3);
  schedule it (cron, systemd timer) every hour or so.
* ``deliver``: one pass of the delivery worker (P8): send due deliveries to the receiving
  organisations and the confirmation emails left unsent; schedule it every minute.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer

from msp_portal_cli._common import DATABASE_OPTION, EXIT_PORTAL_ERROR, EXIT_USAGE
from msp_portal_cli._wallet import BLOBS_OPTION, S3_ENDPOINT_OPTION, open_blob_store

procedures_app = typer.Typer(
    name="procedures",
    help="Online procedures: purge expired drafts, deliver dossiers to organisations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

CONFIG_OPTION = typer.Option(
    "--config",
    "-c",
    envvar="MSP_PORTAL_CONFIG",
    help="TOML file: base_url, [smtp] and one [organisations.CODE] table per receiving "
    "organisation (url, secret_file or secret_env). See docs/procedures.md.",
)


def _fail(message: str, code: int = EXIT_PORTAL_ERROR) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _portal(database: str, config: dict[str, Any], blobs: Any = None) -> Any:
    """A Portal wired for background jobs from the database URL and the config file."""
    from types import MappingProxyType

    from msp_portal.adapters.http_receiver import HttpReceiver
    from msp_portal.adapters.smtp import SmtpConfig, SmtpMailer, SmtpSecurity
    from msp_portal.adapters.sql.store import SqlStore
    from msp_portal.portal import Portal
    from msp_portal.settings import OrganisationEndpoint, PortalSettings, ProcedureSettings

    endpoints = {}
    for code, table in (config.get("organisations") or {}).items():
        endpoints[code] = OrganisationEndpoint(str(table["url"]), _secret(code, table))
    procedures = ProcedureSettings(endpoints=MappingProxyType(endpoints))
    settings = PortalSettings(
        base_url=str(config.get("base_url", PortalSettings().base_url)), procedures=procedures
    )
    smtp = config.get("smtp") or {}
    mailer = SmtpMailer(
        SmtpConfig(
            host=str(smtp.get("host", "localhost")),
            port=int(smtp.get("port", 25)),
            security=SmtpSecurity(smtp.get("security", "none")),
            username=smtp.get("username"),
            password=os.environ.get(str(smtp.get("password_env", "MSP_SMTP_PASSWORD"))),
        )
    )
    store = SqlStore.open(database, migrate=False)
    return Portal(
        store,
        mailer,
        _NoCaptcha(),  # background jobs never show a captcha
        settings=settings,
        blobs=blobs,
        receiver=HttpReceiver(timeout=procedures.delivery_timeout),
    )


class _NoCaptcha:
    def verify(self, response: str) -> bool:
        return False


def _secret(code: str, table: dict[str, Any]) -> str:
    if "secret_file" in table:
        return Path(str(table["secret_file"])).read_text(encoding="utf-8").strip()
    name = str(table.get("secret_env", f"MSP_SECRET_{code.upper().replace('-', '_')}"))
    value = os.environ.get(name)
    if not value:
        raise ValueError(f"organisation {code}: no secret (set {name} or secret_file)")
    return value


def _config(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _fail(f"{path}: {exc}", EXIT_USAGE) from None


@procedures_app.command("purge-expired")
def purge_expired(
    database: Annotated[str, DATABASE_OPTION] = "sqlite:///portal.db",
) -> None:
    """Delete saved drafts past their 15 days, and procedures whose session ended."""
    from msp_portal.errors import PortalError

    try:
        portal = _portal(database, {})
        deleted = portal.purge_expired_procedures()
    except PortalError as error:
        raise _fail(f"[{error.code}] {error}") from None
    typer.echo(f"{deleted} dossier(s) deleted")


@procedures_app.command()
def deliver(
    blobs: Annotated[str, BLOBS_OPTION],
    database: Annotated[str, DATABASE_OPTION] = "sqlite:///portal.db",
    config: Annotated[Path | None, CONFIG_OPTION] = None,
    s3_endpoint_url: Annotated[str | None, S3_ENDPOINT_OPTION] = None,
    requeue_failed: Annotated[
        str | None,
        typer.Option(help="First make failed deliveries due again: 'all' or an organisation code."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Deliveries taken in this pass at most.")] = 200,
) -> None:
    """One pass of the delivery worker: due deliveries, then unsent confirmation emails."""
    from msp_portal.errors import PortalError

    settings = _config(config)
    try:
        portal = _portal(database, settings, open_blob_store(blobs, s3_endpoint_url))
        if requeue_failed is not None:
            count = portal.requeue_failed_deliveries(
                None if requeue_failed == "all" else requeue_failed
            )
            typer.echo(f"{count} failed delivery(ies) requeued")
        run = portal.deliver_pending(limit=limit)
    except PortalError as error:
        raise _fail(f"[{error.code}] {error}") from None
    except (ValueError, KeyError, OSError) as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    typer.echo(
        f"{run.attempted} attempted, {run.delivered} delivered, {run.retrying} to retry, "
        f"{run.failed} failed, {run.emails_sent} email(s) sent"
    )
