"""WebSettings: how the portal is served (database, storage, public address, cookies, limits)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from msp_portal.adapters.smtp import SmtpConfig, SmtpSecurity
from msp_portal.settings import PortalSettings

DEFAULT_DATA_DIR = Path("msp-portal-data")
MIB = 1024 * 1024
# The files of one upload are capped at what the wallet accepts (WalletSettings.max_upload_bytes:
# 80 MiB with fit, 10 MiB without, D2). A multipart body carries those bytes plus part headers
# and the form's small fields; 64 KiB covers them for 4 files with room to spare.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
# JSON bodies and url-encoded forms hold identifiers, passwords (1024 characters at most),
# contact details: 64 KiB is generous and keeps a flood of bodies from filling memory.
DEFAULT_MAX_FORM_BYTES = 64 * 1024
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name


@dataclass(frozen=True)
class WebSettings:
    """Everything :func:`msp_portal.web.create_app` needs to serve the portal.

    Attributes:
        database_url: SQLAlchemy URL of the portal's database (SQLite file by default;
            ``postgresql+psycopg://...`` for PostgreSQL).
        data_dir: Where the defaults live: the SQLite file, the document blobs, the secret key,
            and the messages written to files when no SMTP server is configured.
        blob_dir: The local blob directory of the document wallet (default ``data_dir/blobs``).
        blob_url: ``s3://BUCKET/PREFIX`` to keep document bytes in S3-compatible storage
            instead of ``blob_dir`` (credentials from the usual AWS chain).
        s3_endpoint_url: The S3 endpoint, for storage other than AWS.
        public_url: The address citizens use (scheme, host and mount path); the links sent by
            email start with it.
        secret_key: Signs CSRF tokens and captcha questions; at least 32 characters.
        cookie_secure: Cookies carry ``Secure`` (browsers still accept it on http://localhost
            and http://127.0.0.1). Turn off only for a test server reached by another name.
        max_upload_bytes: Cap on the files of one upload; a larger body is refused with 413
            before it is read whole. ``None`` (the default): what the portal's wallet accepts
            (``WalletSettings.max_upload_bytes``: 80 MiB when it makes documents fit, 10 MiB
            otherwise, rule D2). A number lowers that cap; it never raises it.
        max_form_bytes: Cap on any other request body (JSON, url-encoded forms).
        smtp: The SMTP server; ``None`` writes each email as a file in ``messages_dir``.
        messages_dir: When set, emails and SMS are written there as files instead of being
            sent (a development portal on a fresh machine); ``None`` in production.
        site_name: The portal's name in page titles and the header.
        cerfa_dir: The CERFA forms' PDF files (default ``data_dir/cerfa``); the catalogue's
            maps come with ``msp_docs``, plus those of ``cerfa_maps``.
        cerfa_maps: An operator's directories of extra form maps.
        migrate: Create or upgrade the database schema when the application starts.
        run_workers: Hand queued mail over and purge the outboxes in a thread while the
            application runs (its lifespan; see :mod:`msp_portal.web.workers`).
        max_concurrent_merges: Documents merged at once (the others wait their turn): a merge
            holds its uploads in memory and keeps a core busy, so this bounds the server's
            memory under a burst of uploads. Default: the number of cores.
        portal: The account rules' numbers; ``base_url`` is taken from ``public_url``.
    """

    secret_key: str
    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR / 'portal.db'}"
    data_dir: Path = DEFAULT_DATA_DIR
    blob_dir: Path | None = None
    blob_url: str | None = None
    s3_endpoint_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    cookie_secure: bool = True
    max_upload_bytes: int | None = None
    max_form_bytes: int = DEFAULT_MAX_FORM_BYTES
    smtp: SmtpConfig | None = None
    messages_dir: Path | None = None
    site_name: str = "Mon espace citoyen"
    cerfa_dir: Path | None = None
    cerfa_maps: tuple[Path, ...] = ()
    migrate: bool = True
    run_workers: bool = True
    max_concurrent_merges: int = field(default_factory=lambda: os.cpu_count() or 2)
    portal: PortalSettings = field(default_factory=PortalSettings)

    def __post_init__(self) -> None:
        if len(self.secret_key) < 32:
            raise ValueError("secret_key must have at least 32 characters")
        parts = urlsplit(self.public_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"public_url must be an http(s) address, not {self.public_url!r}")
        if self.max_concurrent_merges < 1:
            raise ValueError("max_concurrent_merges must be at least 1")
        if (self.max_upload_bytes is not None and self.max_upload_bytes < 1) or (
            self.max_form_bytes < 1024
        ):
            raise ValueError("max_upload_bytes must be positive and max_form_bytes >= 1024")
        if self.blob_url is not None and not self.blob_url.startswith("s3://"):
            raise ValueError(f"blob_url must be s3://BUCKET/PREFIX, not {self.blob_url!r}")
        if self.portal.base_url != self.public_url.rstrip("/"):
            object.__setattr__(
                self, "portal", replace(self.portal, base_url=self.public_url.rstrip("/"))
            )

    @property
    def blobs(self) -> Path:
        """The blob directory actually used."""
        return self.blob_dir if self.blob_dir is not None else self.data_dir / "blobs"

    @property
    def cerfa_forms(self) -> Path:
        """The CERFA forms directory actually used."""
        return self.cerfa_dir if self.cerfa_dir is not None else self.data_dir / "cerfa"

    def upload_cap(self, wallet_cap: int) -> int:
        """The cap on the files of one upload, given what the wallet accepts."""
        if self.max_upload_bytes is None:
            return wallet_cap
        return min(self.max_upload_bytes, wallet_cap)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> WebSettings:
        """Settings from ``MSP_PORTAL_*`` variables (see docs/web.md), then ``overrides``.

        Without ``MSP_PORTAL_SECRET_KEY`` a key is made once and kept in
        ``data_dir/secret_key`` (mode 0600), so CSRF tokens survive a restart. Without
        ``MSP_PORTAL_SMTP_HOST`` emails and SMS are written as files in ``data_dir/messages``.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        data_dir = Path(
            str(overrides.get("data_dir") or env.get("MSP_PORTAL_DATA_DIR") or DEFAULT_DATA_DIR)
        )
        values["data_dir"] = data_dir
        values["database_url"] = env.get("MSP_PORTAL_DATABASE") or (
            f"sqlite:///{data_dir / 'portal.db'}"
        )
        blobs = env.get("MSP_PORTAL_BLOBS", "")
        if blobs.startswith("s3://"):
            values["blob_url"] = blobs
        elif blobs:
            values["blob_dir"] = Path(blobs)
        if env.get("MSP_PORTAL_S3_ENDPOINT_URL"):
            values["s3_endpoint_url"] = env["MSP_PORTAL_S3_ENDPOINT_URL"]
        if env.get("MSP_PORTAL_PUBLIC_URL"):
            values["public_url"] = env["MSP_PORTAL_PUBLIC_URL"]
        if env.get("MSP_PORTAL_COOKIE_SECURE"):
            values["cookie_secure"] = _flag(env["MSP_PORTAL_COOKIE_SECURE"])
        if env.get("MSP_PORTAL_MAX_UPLOAD_BYTES"):
            values["max_upload_bytes"] = int(env["MSP_PORTAL_MAX_UPLOAD_BYTES"])
        if env.get("MSP_CERFA_DIR"):
            values["cerfa_dir"] = Path(env["MSP_CERFA_DIR"])
        if env.get("MSP_CERFA_MAPS"):
            values["cerfa_maps"] = tuple(Path(p) for p in env["MSP_CERFA_MAPS"].split(":") if p)
        if env.get("MSP_PORTAL_RUN_WORKERS"):
            values["run_workers"] = _flag(env["MSP_PORTAL_RUN_WORKERS"])
        if env.get("MSP_PORTAL_MAX_CONCURRENT_MERGES"):
            values["max_concurrent_merges"] = int(env["MSP_PORTAL_MAX_CONCURRENT_MERGES"])
        if env.get("MSP_PORTAL_SITE_NAME"):
            values["site_name"] = env["MSP_PORTAL_SITE_NAME"]
        if env.get("MSP_PORTAL_SMTP_HOST"):
            smtp = SmtpConfig(
                host=env["MSP_PORTAL_SMTP_HOST"],
                port=int(env.get("MSP_PORTAL_SMTP_PORT") or 587),
                security=SmtpSecurity(env.get("MSP_PORTAL_SMTP_SECURITY") or "starttls"),
                username=env.get("MSP_PORTAL_SMTP_USERNAME") or None,
                password=env.get("MSP_PORTAL_SMTP_PASSWORD") or None,
            )
            if env.get("MSP_PORTAL_SMTP_SENDER"):
                smtp = replace(smtp, sender=env["MSP_PORTAL_SMTP_SENDER"])
            values["smtp"] = smtp
        else:
            values["messages_dir"] = data_dir / "messages"
        values.update(overrides)
        if "secret_key" not in values:
            values["secret_key"] = env.get("MSP_PORTAL_SECRET_KEY") or _kept_secret(data_dir)
        return cls(**values)  # type: ignore[arg-type]


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on", "oui"}:
        return True
    if value in {"0", "false", "no", "off", "non"}:
        return False
    raise ValueError(f"not a yes/no value: {text!r}")


def _kept_secret(data_dir: Path) -> str:
    """The secret key stored in ``data_dir``, made on first use (readable by the owner only)."""
    path = data_dir / SECRET_KEY_FILE
    try:
        existing = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        existing = ""
    if len(existing) >= 32:
        return existing
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
