"""SmtpMailer against a real SMTP server on 127.0.0.1: plain, STARTTLS with login, implicit TLS."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from msp_portal import DeliveryFailed, Email, SmtpConfig, SmtpMailer, SmtpSecurity
from tests.portal.helpers import SmtpServer, body, start_smtp_server

MESSAGE = Email(
    "usager@example.org",
    "mon.service-public.fr : réinitialisation de votre mot de passe",
    "Bonjour,\n\nÇa marche : « guillemets », accents é è à, et une ligne très longue " * 3,
)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _server_context(files: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*files)
    return context


def _client_context(files: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(files[0]))


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"portail", b"s3cret")
    # handled=False: let aiosmtpd answer 535 itself (its default is to stay silent).
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def starttls_server(tls_files: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = start_smtp_server(
        tls_context=_server_context(tls_files),
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    yield server
    server.stop()


def test_plain_delivery_in_french_plain_text(smtp: SmtpServer) -> None:
    SmtpMailer(SmtpConfig("127.0.0.1", smtp.port, security=SmtpSecurity.NONE)).send(MESSAGE)
    [message] = smtp.messages()
    assert smtp.recipients() == [["usager@example.org"]]
    assert message["Subject"] == MESSAGE.subject
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "mon.service-public.fr",
        "ne-pas-repondre@mon.service-public.fr",
    )
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert body(message) == MESSAGE.body + "\n"


def test_starttls_with_login(starttls_server: SmtpServer, tls_files: tuple[Path, Path]) -> None:
    config = SmtpConfig(
        "127.0.0.1",
        starttls_server.port,
        security=SmtpSecurity.STARTTLS,
        username="portail",
        password="s3cret",
        ssl_context=_client_context(tls_files),
    )
    SmtpMailer(config).send(MESSAGE)
    [message] = starttls_server.messages()
    assert body(message) == MESSAGE.body + "\n"


def test_wrong_credentials_become_delivery_failed(
    starttls_server: SmtpServer, tls_files: tuple[Path, Path]
) -> None:
    config = SmtpConfig(
        "127.0.0.1",
        starttls_server.port,
        username="portail",
        password="faux",
        ssl_context=_client_context(tls_files),
    )
    with pytest.raises(DeliveryFailed) as info:
        SmtpMailer(config).send(MESSAGE)
    assert info.value.facts["channel"] == "email"
    assert starttls_server.messages() == []


def test_an_untrusted_certificate_is_refused(starttls_server: SmtpServer) -> None:
    config = SmtpConfig("127.0.0.1", starttls_server.port, username="portail", password="s3cret")
    with pytest.raises(DeliveryFailed):
        SmtpMailer(config).send(MESSAGE)  # self-signed, and the system CAs do not know it
    assert starttls_server.messages() == []


def test_implicit_tls(tls_files: tuple[Path, Path]) -> None:
    server = start_smtp_server(ssl_context=_server_context(tls_files))
    try:
        config = SmtpConfig(
            "127.0.0.1",
            server.port,
            security=SmtpSecurity.SSL,
            ssl_context=_client_context(tls_files),
        )
        SmtpMailer(config).send(MESSAGE)
        [message] = server.messages()
        assert message["To"] == "usager@example.org"
    finally:
        server.stop()


def test_no_server_becomes_delivery_failed() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    mailer = SmtpMailer(SmtpConfig("127.0.0.1", port, security=SmtpSecurity.NONE, timeout=5))
    with pytest.raises(DeliveryFailed) as info:
        mailer.send(MESSAGE)
    assert info.value.code == "delivery-failed"
