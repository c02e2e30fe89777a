"""WebSettings from the environment, and `msp-portal serve` on a fresh directory: one command
gives a working portal (a real uvicorn process answering on 127.0.0.1)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from msp_portal.adapters.smtp import SmtpSecurity
from msp_portal.web import WebSettings


def test_from_env_defaults_make_and_keep_a_secret_key(tmp_path: Path) -> None:
    first = WebSettings.from_env({}, data_dir=tmp_path / "d")
    key_file = tmp_path / "d" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert WebSettings.from_env({}, data_dir=tmp_path / "d").secret_key == first.secret_key
    assert first.database_url == f"sqlite:///{tmp_path / 'd' / 'portal.db'}"
    assert first.messages_dir == tmp_path / "d" / "messages"
    assert first.blobs == tmp_path / "d" / "blobs"
    assert first.smtp is None


def test_from_env_reads_every_variable(tmp_path: Path) -> None:
    settings = WebSettings.from_env(
        {
            "MSP_PORTAL_DATA_DIR": str(tmp_path),
            "MSP_PORTAL_DATABASE": "postgresql+psycopg://u:p@127.0.0.1/db",
            "MSP_PORTAL_BLOBS": str(tmp_path / "b"),
            "MSP_PORTAL_PUBLIC_URL": "https://portail.example.fr/demarches",
            "MSP_PORTAL_SECRET_KEY": "k" * 40,
            "MSP_PORTAL_COOKIE_SECURE": "non",
            "MSP_PORTAL_MAX_UPLOAD_BYTES": "2048",
            "MSP_PORTAL_SITE_NAME": "Démarches",
            "MSP_PORTAL_SMTP_HOST": "smtp.example.fr",
            "MSP_PORTAL_SMTP_PORT": "465",
            "MSP_PORTAL_SMTP_SECURITY": "ssl",
            "MSP_PORTAL_SMTP_SENDER": "Portail <ne-pas-repondre@example.fr>",
        }
    )
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.blobs == tmp_path / "b"
    assert settings.portal.base_url == "https://portail.example.fr/demarches"
    assert settings.secret_key == "k" * 40
    assert settings.cookie_secure is False
    assert settings.max_upload_bytes == 2048
    assert settings.site_name == "Démarches"
    assert settings.messages_dir is None
    assert settings.smtp is not None
    assert (settings.smtp.port, settings.smtp.security) == (465, SmtpSecurity.SSL)
    assert settings.smtp.sender == "Portail <ne-pas-repondre@example.fr>"
    assert not (tmp_path / "secret_key").exists()


def test_blobs_in_s3(tmp_path: Path) -> None:
    settings = WebSettings.from_env(
        {"MSP_PORTAL_BLOBS": "s3://bucket/portail", "MSP_PORTAL_S3_ENDPOINT_URL": "http://s3"},
        data_dir=tmp_path,
    )
    assert (settings.blob_url, settings.s3_endpoint_url) == ("s3://bucket/portail", "http://s3")


@pytest.mark.parametrize(
    "values",
    [
        {"secret_key": "court"},
        {"secret_key": "k" * 40, "public_url": "portail.example.fr"},
        {"secret_key": "k" * 40, "max_form_bytes": 10},
        {"secret_key": "k" * 40, "blob_url": "/srv/blobs"},
    ],
)
def test_settings_refuse_nonsense(values: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        WebSettings(**values)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_gives_a_working_portal_on_a_fresh_directory(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MSP_PORTAL_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from msp_portal_cli.app import main; main()",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                home = httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    break
                time.sleep(0.05)
        else:
            pytest.fail("the server did not answer")
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        assert home.status_code == 200
        assert "Mon espace citoyen" in home.text
        created = httpx.post(
            base + "/api/v1/accounts",
            json={
                "identifier": "jdupont",
                "email": "jean@example.org",
                "password": "cheval agrafe pile correcte",
            },
        )
        assert created.status_code == 201
        assert (tmp_path / "data" / "portal.db").exists()
        assert (tmp_path / "data" / "secret_key").exists()
        recovery = httpx.get(base + "/api/v1/captcha").json()
        assert recovery["prompt"].startswith("Combien font")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "emails and SMS are written to" in output
    assert f"portal at http://127.0.0.1:{port}" in output


def test_serve_help_does_not_import_the_web_framework() -> None:
    code = (
        "import sys\nsys.argv = ['msp-portal', 'serve', '--help']\n"
        "from msp_portal_cli.app import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi', 'starlette', 'uvicorn', 'jinja2', 'multipart', 'python_multipart'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]"), out.stdout


def test_import_msp_portal_does_not_import_the_web_framework() -> None:
    code = (
        "import sys, msp_portal\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi', 'starlette', 'uvicorn', 'jinja2', 'python_multipart'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
