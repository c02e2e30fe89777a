"""Email delivery over SMTP with the standard library: plain, STARTTLS or implicit TLS, login."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import StrEnum

from msp_portal.domain.emails import Email
from msp_portal.errors import DeliveryFailed


class SmtpSecurity(StrEnum):
    """How the connection to the SMTP server is protected."""

    NONE = "none"  # only for a relay on the same host or in tests
    STARTTLS = "starttls"  # submission port 587
    SSL = "ssl"  # implicit TLS, port 465


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to hand emails over.

    Attributes:
        host: SMTP server name or address.
        port: Its port (587 for STARTTLS, 465 for SSL, 25 for a local relay).
        security: none, starttls or ssl.
        username: Login, when the server asks for one (sent only over TLS by smtplib's rules).
        password: Its password.
        sender: The From header and envelope sender.
        timeout: Seconds before a silent server counts as down.
        ssl_context: TLS settings; default: the system's CAs, hostname checked.
    """

    host: str
    port: int = 587
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "mon.service-public.fr <ne-pas-repondre@mon.service-public.fr>"
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False, repr=False)


class SmtpMailer:
    """Sends each email in its own SMTP session; any failure becomes DeliveryFailed."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def build(self, email: Email) -> EmailMessage:
        """The MIME message for ``email``: UTF-8 plain text, quoted-printable."""
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.config.sender.rsplit("@", 1)[-1].strip(">"))
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(email.body, charset="utf-8", cte="quoted-printable")
        return message

    def send(self, email: Email) -> None:
        """Deliver ``email`` to the SMTP server."""
        config = self.config
        message = self.build(email)
        context = config.ssl_context or ssl.create_default_context()
        try:
            client: smtplib.SMTP
            if config.security is SmtpSecurity.SSL:
                client = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout, context=context
                )
            else:
                client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            with client:
                if config.security is SmtpSecurity.STARTTLS:
                    client.starttls(context=context)
                if config.username is not None:
                    client.login(config.username, config.password or "")
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(str(exc), channel="email", reason=type(exc).__name__) from exc
