"""The msp-portal command line: schema creation on a real SQLite file, and its help."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from msp_portal_cli.app import app


def test_migrate_creates_the_schema_in_a_new_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "portal.db"
    result = CliRunner().invoke(app, ["migrate", "--database", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    assert "schema up to date" in result.output
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"accounts", "msp_portal_schema"} <= tables


def test_migrate_hides_the_password_of_a_database_url(tmp_path: Path) -> None:
    from msp_portal_cli.app import _safe_url

    assert _safe_url("postgresql+psycopg://msp:s3cret@127.0.0.1:5432/db") == (
        "postgresql+psycopg://msp:***@127.0.0.1:5432/db"
    )
    assert _safe_url(f"sqlite:///{tmp_path}/p.db") == f"sqlite:///{tmp_path}/p.db"


def test_console_script_runs_as_a_process() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "from msp_portal_cli.app import main; main()", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "migrate" in completed.stdout


def test_procedures_commands_are_registered() -> None:
    result = CliRunner().invoke(app, ["procedures", "--help"])
    assert result.exit_code == 0, result.output
    assert "purge-expired" in result.output and "deliver" in result.output
