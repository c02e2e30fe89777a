"""msp-portal address: normalise, check-number, organisations, move-date (human and --json)."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from msp_portal_cli.app import app

runner = CliRunner()


def test_normalise_prints_the_lines_and_the_changes() -> None:
    result = runner.invoke(
        app,
        ["address", "normalise", "--number", "12", "--street", "avenue du général de gaulle",
         "--postcode", "75001", "--locality", "paris"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["12 AVENUE DU GENERAL DE GAULLE", "75001 PARIS"]
    assert (
        "line 4: 12 avenue du général de gaulle -> 12 AVENUE DU GENERAL DE GAULLE" in result.stdout
    )


def test_normalise_json_has_lines_changes_warnings_and_the_declared_address() -> None:
    result = runner.invoke(
        app,
        ["address", "normalise", "--street", "12 bis bd du Maréchal Jean-Marie de Lattre de "
         "Tassigny", "--postcode", "75001", "--locality", "Lyon", "--json", "--lang", "fr"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["lines"][-1] == "75001 LYON"
    assert all(len(line) <= 38 for line in data["lines"])
    assert {change["line"] for change in data["changes"]} == {4, 6}
    assert data["warnings"][0]["code"] == "locality-mismatch"
    assert "risque de ne pas être prise en compte" in data["warnings"][0]["message"]
    assert data["declared"]["normalised"] is True and data["declared"]["choice"] == "accept"


def test_refuse_shows_what_is_sent_as_typed() -> None:
    result = runner.invoke(
        app,
        ["address", "normalise", "--street", "rue x", "--postcode", "75001", "--locality",
         "paris", "--refuse", "--json"],
    )  # fmt: skip
    data = json.loads(result.stdout)
    assert data["declared"] == {
        "choice": "refuse",
        "normalised": False,
        "lines": ["rue x", "75001 paris"],
        "typed": data["typed"],
        "warnings": [],
    }


def test_an_invalid_address_exits_1_with_the_error() -> None:
    result = runner.invoke(
        app, ["address", "normalise", "--street", "rue x", "--postcode", "750", "--locality", "P"]
    )
    assert result.exit_code == 1
    assert "error [invalid-address]" in result.stderr and "5 digits" in result.stderr
    as_json = runner.invoke(
        app,
        ["address", "normalise", "--street", "rue x", "--postcode", "750", "--locality", "P",
         "--json", "--lang", "fr"],
    )  # fmt: skip
    assert as_json.exit_code == 1
    error = json.loads(as_json.stdout)["error"]
    assert error["code"] == "invalid-address" and error["facts"]["field"] == "postcode"
    assert "5 chiffres" in error["message"]


def test_check_number() -> None:
    ok = runner.invoke(app, ["address", "check-number", "ameli", "2 95 10 99 126 111 93"])
    assert ok.exit_code == 0 and ok.stdout.strip() == "295109912611193: ok"
    bad = runner.invoke(app, ["address", "check-number", "impots", "3023217600054", "--json"])
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["error"]["facts"]["reason"] == "key"
    unknown = runner.invoke(app, ["address", "check-number", "nasa", "1"])
    assert unknown.exit_code == 1 and "unknown-organisation" in unknown.stderr


def test_organisations() -> None:
    result = runner.invoke(app, ["address", "organisations", "--json"])
    rows = json.loads(result.stdout)
    assert [row["code"] for row in rows][:2] == ["caf", "ameli"]
    assert {row["checked"] for row in rows} == {"key", "format only"}


def test_move_date() -> None:
    window = runner.invoke(app, ["address", "move-date", "--today", "31/05/2025"])
    assert window.exit_code == 0
    assert window.stdout.strip() == "31/05/2025: 30/04/2025 - 31/08/2025"
    ok = runner.invoke(
        app, ["address", "move-date", "30/04/2025", "--today", "31/05/2025", "--json"]
    )
    assert ok.exit_code == 0 and json.loads(ok.stdout)["checked"] == "30/04/2025"
    late = runner.invoke(app, ["address", "move-date", "01/09/2025", "--today", "31/05/2025"])
    assert late.exit_code == 1 and "move-date-out-of-window" in late.stderr
    badly_typed = runner.invoke(app, ["address", "move-date", "1/9/2025", "--lang", "fr"])
    assert badly_typed.exit_code == 1 and "JJ/MM/AAAA" in badly_typed.stderr


def test_help_lists_the_address_commands_without_loading_the_base() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['msp-portal', 'address', '--help']\n"
        "from msp_portal_cli.app import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "import msp_portal.domain.postcodes as p\n"
        "print('LOADED', p.postcode_base.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "normalise" in out.stdout and "check-number" in out.stdout
    assert "LOADED 0" in out.stdout
