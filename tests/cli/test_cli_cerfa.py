"""``msp-docs cerfa``: the catalogue, fields as JSON, fill with exit codes, blank copies."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
from typer.testing import CliRunner

from msp_docs_cli.app import app
from tests.conftest import CERFA, shared_file

runner = CliRunner()


def forms_dir() -> str:
    shared_file(CERFA / "cerfa_11580_05.pdf")
    return str(CERFA)


def test_list_shows_the_catalogue_as_json() -> None:
    result = runner.invoke(app, ["cerfa", "list", "--forms-dir", forms_dir(), "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["number"]: row for row in json.loads(result.stdout)}
    assert rows["11580*05"]["kind"] == "fillable" and rows["11580*05"]["path"]
    assert rows["13750*05"]["kind"] == "blank"


def test_fields_as_json_for_writing_a_map() -> None:
    path = str(CERFA / "cerfa_16216_01.pdf")
    forms_dir()
    result = runner.invoke(app, ["cerfa", "fields", path, "--json"])
    assert result.exit_code == 0, result.output
    fields = json.loads(result.stdout)
    assert len(fields) == 59
    siren = next(f for f in fields if f["name"] == "Siren")
    assert siren["max_length"] == 9 and siren["kind"] == "text"
    assert {"name", "kind", "states", "widgets", "font_size", "alignment"} <= set(siren)


def test_fill_and_flatten(tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"Nom": "Dupré", "d35": "05/03/2024", "CAC21": True}))
    prefill = tmp_path / "profile.json"
    prefill.write_text(json.dumps({"city": "Besançon"}))
    out = tmp_path / "out.pdf"
    result = runner.invoke(
        app,
        ["cerfa", "fill", "11580*05", "--forms-dir", forms_dir(), "--values", str(values),
         "--prefill", str(prefill), "-o", str(out), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["prefilled"] == ["a22"] and report["form"] == "11580*05"
    fields = pypdf.PdfReader(out).get_fields()
    assert fields is not None and fields["a22"]["/V"] == "Besançon"
    flat = tmp_path / "flat.pdf"
    result = runner.invoke(
        app,
        ["cerfa", "fill", "11580_05", "--forms-dir", forms_dir(), "--values", str(values),
         "-o", str(flat), "--flatten"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not pypdf.PdfReader(flat).get_fields()


def test_refused_value_exits_10_and_writes_nothing(tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"d35": "5 mars 2024"}))
    out = tmp_path / "out.pdf"
    result = runner.invoke(
        app,
        ["cerfa", "fill", "11580*05", "--forms-dir", forms_dir(), "--values", str(values),
         "-o", str(out), "--lang", "fr"],
    )  # fmt: skip
    assert result.exit_code == 10
    assert "JJ/MM/AAAA" in result.stderr
    assert not out.exists()
    result = runner.invoke(
        app,
        ["cerfa", "fill", "99999*01", "--forms-dir", forms_dir(), "--values", str(values),
         "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 10 and "unknown-form" in result.stderr


def test_blank_a4_and_check(tmp_path: Path) -> None:
    out = tmp_path / "blank.pdf"
    result = runner.invoke(
        app, ["cerfa", "blank", "12596-04", "--forms-dir", forms_dir(), "--a4", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = pypdf.PdfReader(out).pages[0]
    assert round(float(page.mediabox.width)) == 595
    result = runner.invoke(app, ["cerfa", "check", "--forms-dir", forms_dir()])
    assert result.exit_code == 0 and "16216*01: ok" in result.stdout
