"""The command line: exit codes, --json, stdin/stdout, no partial output, in and out of process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from msp_docs_cli._options import parse_size
from msp_docs_cli.app import app
from tests.fixtures import jpeg_bytes, pdf_bytes, png_bytes

runner = CliRunner()
EXE = [sys.executable, "-m", "msp_docs"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "photo.jpg": jpeg_bytes(),
        "scan.png": png_bytes(),
        "letter.pdf": pdf_bytes(2),
        "notes.txt": b"just some text\n" * 10,
        "locked.pdf": _encrypted_pdf(),
    }
    out = {}
    for name, data in made.items():
        path = tmp_path / name
        path.write_bytes(data)
        out[name] = path
    return out


def _encrypted_pdf() -> bytes:
    import io

    import pikepdf

    pdf = pikepdf.open(io.BytesIO(pdf_bytes(1)))
    buffer = io.BytesIO()
    pdf.save(buffer, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return buffer.getvalue()


def test_merge_writes_a_pdf(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = runner.invoke(
        app,
        [
            "merge",
            str(files["photo.jpg"]),
            str(files["letter.pdf"]),
            "-o",
            str(out),
            "--title",
            "Dossier",
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(pypdf.PdfReader(out).pages) == 3
    assert "wrote" in result.stderr


def test_merge_json_report(files: dict[str, Path], tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["merge", str(files["scan.png"]), "-o", str(tmp_path / "o.pdf"), "--json"]
    )
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["schema"] == "msp-docs/report/1"
    assert report["inputs"][0]["kind"] == "png"


@pytest.mark.parametrize(
    ("name", "code", "exit_code"),
    [("notes.txt", "unsupported-kind", 4), ("locked.pdf", "password-required", 6)],
)
def test_failures_have_their_exit_code_and_no_output(
    files: dict[str, Path], tmp_path: Path, name: str, code: str, exit_code: int
) -> None:
    out = tmp_path / "out.pdf"
    result = runner.invoke(
        app, ["merge", str(files["photo.jpg"]), str(files[name]), "-o", str(out), "--json"]
    )
    assert result.exit_code == exit_code
    assert not out.exists()
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["error"]["code"] == code
    assert report["inputs"][1]["error"]["code"] == code


def test_password_file_opens_an_encrypted_pdf(files: dict[str, Path], tmp_path: Path) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text("secret\n")
    out = tmp_path / "out.pdf"
    result = runner.invoke(
        app, ["merge", str(files["locked.pdf"]), "-o", str(out), "--password-file", str(secret)]
    )
    assert result.exit_code == 0, result.output
    assert not pypdf.PdfReader(out).is_encrypted


def test_too_many_files_is_exit_3(files: dict[str, Path], tmp_path: Path) -> None:
    args = [str(files["photo.jpg"])] * 5
    result = runner.invoke(app, ["merge", *args, "-o", str(tmp_path / "o.pdf")])
    assert result.exit_code == 3
    assert result.stderr.count("Too many files: at most 4") == 1
    result = runner.invoke(app, ["merge", *args, "--max-files", "5", "-o", str(tmp_path / "o.pdf")])
    assert result.exit_code == 0


def test_max_size_option(files: dict[str, Path], tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["merge", str(files["photo.jpg"]), "--max-size", "100", "-o", str(tmp_path / "o.pdf")]
    )
    assert result.exit_code == 3
    assert result.stderr.count("The files are too large") == 1


def test_usage_errors_are_exit_2(files: dict[str, Path]) -> None:
    assert runner.invoke(app, ["merge", str(files["photo.jpg"])]).exit_code == 2  # no -o
    assert runner.invoke(app, ["merge", "--page-size", "a5", "x", "-o", "y"]).exit_code == 2
    assert runner.invoke(app, ["nonsense"]).exit_code == 2
    assert runner.invoke(app, ["merge", "x", "--max-size", "lots", "-o", "y"]).exit_code == 2


def test_validate_exit_codes(files: dict[str, Path]) -> None:
    ok = runner.invoke(app, ["validate", str(files["photo.jpg"]), str(files["letter.pdf"])])
    assert ok.exit_code == 0
    bad = runner.invoke(
        app, ["validate", str(files["photo.jpg"]), str(files["notes.txt"]), "--json"]
    )
    assert bad.exit_code == 4
    report = json.loads(bad.stdout)
    assert [i["status"] for i in report["inputs"]] == ["accepted", "rejected"]


def test_inspect(files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["inspect", str(files["scan.png"]), "--json"])
    assert result.exit_code == 0
    entry = json.loads(result.stdout)
    assert (entry["kind"], entry["width"], entry["height"]) == ("png", 40, 30)


def test_french(files: dict[str, Path], tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["merge", str(files["notes.txt"]), "-o", str(tmp_path / "o.pdf"), "--lang", "fr"]
    )
    assert result.exit_code == 4
    assert "seuls les fichiers PDF, PNG, GIF et JPEG" in result.stderr


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("msp-docs ")


def test_parse_size() -> None:
    assert parse_size("10MiB") == 10 * 1024 * 1024
    assert parse_size("10 Mo") == 10 * 1024 * 1024
    assert parse_size("2MB") == 2_000_000
    assert parse_size("512") == 512


# --- a real process -----------------------------------------------------------------------------
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def test_stdin_to_stdout_in_a_real_process(files: dict[str, Path]) -> None:
    proc = subprocess.run(
        [*EXE, "convert", "-", "-o", "-"],
        input=files["photo.jpg"].read_bytes(),
        capture_output=True,
        env=_env(),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"%PDF-")
    import io

    assert len(pypdf.PdfReader(io.BytesIO(proc.stdout)).pages) == 1


def test_real_process_failure_leaves_nothing(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    proc = subprocess.run(
        [*EXE, "merge", str(files["photo.jpg"]), str(files["notes.txt"]), "-o", str(out), "--json"],
        capture_output=True,
        env=_env(),
        check=False,
    )
    assert proc.returncode == 4
    assert json.loads(proc.stdout)["error"]["code"] == "unsupported-kind"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["photo.jpg", "scan.png", "letter.pdf", "notes.txt", "locked.pdf"]
    )
    assert b"Traceback" not in proc.stderr


def test_console_script_help_and_unwritable_output(files: dict[str, Path], tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "msp-docs"
    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "merge" in proc.stdout
    missing_dir = tmp_path / "no" / "such" / "dir" / "o.pdf"
    proc = subprocess.run(
        [str(exe), "merge", str(files["photo.jpg"]), "-o", str(missing_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 8
    assert "cannot-write-output" in proc.stderr and "Traceback" not in proc.stderr
