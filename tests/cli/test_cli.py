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


# --- first use ----------------------------------------------------------------------------------
def test_every_refusal_is_printed_once_in_human_mode(
    files: dict[str, Path], tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["merge", str(files["photo.jpg"]), str(files["notes.txt"]), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 4
    assert result.stderr.count("notes.txt is a text file") == 1
    assert "nothing was written" in result.stderr


def test_validate_checks_any_number_of_files_one_by_one(
    files: dict[str, Path], tmp_path: Path
) -> None:
    many = []
    for i in range(6):
        path = tmp_path / f"copy-{i}.jpg"
        path.write_bytes(files["photo.jpg"].read_bytes())
        many.append(str(path))
    result = runner.invoke(app, ["validate", *many, str(files["letter.pdf"]), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [i["status"] for i in report["inputs"]] == ["accepted"] * 7
    assert [i["index"] for i in report["inputs"]] == list(range(7))
    human = runner.invoke(app, ["validate", *many, str(files["notes.txt"])])
    assert human.exit_code == 4
    assert human.stderr.splitlines()[-1] == "7 files checked: 6 accepted, 1 refused"
    french = runner.invoke(app, ["validate", many[0], "--lang", "fr"])
    assert french.stderr.splitlines()[-1] == "1 fichier vérifié : 1 accepté, 0 refusé"


def test_human_labels_follow_the_language(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "o.pdf"
    english = runner.invoke(app, ["merge", str(files["letter.pdf"]), "-o", str(out)])
    assert f"wrote {out}: 2 pages, " in english.stderr and " bytes" in english.stderr
    french = runner.invoke(app, ["merge", str(files["letter.pdf"]), "-o", str(out), "--lang", "fr"])
    assert french.exit_code == 0, french.output
    assert f"écrit : {out}, 2 pages, " in french.stderr and " octets" in french.stderr
    assert "wrote" not in french.stderr and "page(s)" not in french.stderr
    refused = runner.invoke(
        app, ["merge", str(files["notes.txt"]), "-o", str(out), "--lang", "fr", "--max-size", "x"]
    )
    assert refused.exit_code == 2 and "ce n'est pas une taille" in refused.output


@pytest.mark.parametrize("command", ["merge", "convert", "validate", "inspect", "batch"])
def test_help_shows_no_placeholders(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    usage = result.stdout.splitlines()[0]
    assert usage.startswith(f"Usage: msp-docs {command} [OPTIONS] ")
    assert "{" not in result.stdout and "}" not in result.stdout


def test_the_root_help_lists_every_exit_code() -> None:
    from msp_docs import ExitCode

    text = " ".join(runner.invoke(app, ["--help"]).stdout.split())
    for code in ExitCode:
        assert f" {int(code)} " in text


def test_a_missing_input_is_named_by_its_full_path(files: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "scans" / "missing.pdf"
    result = runner.invoke(app, ["merge", str(files["photo.jpg"]), str(missing), "-o", "o.pdf"])
    assert result.exit_code == 8
    assert f"{missing} could not be read: no such file or directory" in result.stderr


def test_convert_into_a_missing_directory_says_so(files: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "o.pdf"
    result = runner.invoke(app, ["convert", str(files["photo.jpg"]), "-o", str(target)])
    assert result.exit_code == 8
    assert f"the directory {target.parent} does not exist" in result.stderr
    assert "ok " not in result.stderr  # refused before the photo was processed


def test_flatten_does_not_also_say_alpha_is_kept(tmp_path: Path) -> None:
    from tests.fixtures import png_bytes

    source = tmp_path / "rgba.png"
    source.write_bytes(png_bytes(mode="RGBA", colour=(20, 120, 220, 128)))
    result = runner.invoke(
        app, ["convert", str(source), "-o", str(tmp_path / "o.pdf"), "--flatten"]
    )
    assert result.exit_code == 0, result.output
    assert "flattened onto white" in result.stderr
    assert "soft mask" not in result.stderr


def test_the_progress_display_starts_no_thread_while_children_are_forked(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forking a process that runs threads can deadlock the child (and Python 3.12 warns): the
    # spinner used to be a thread, running while isolation forked decoding children.
    import threading

    from msp_docs import _isolation
    from msp_docs_cli import _display

    threads_at_fork: list[int] = []
    real_fork = _isolation._fork

    def fork() -> int:
        pid = real_fork()
        if pid != 0:
            threads_at_fork.append(threading.active_count())
        return pid

    drawn: list[tuple[int, int]] = []
    real_update = _display.Spinner.update

    def update(self: _display.Spinner, done: int, total: int) -> None:
        drawn.append((done, total))
        real_update(self, done, total)

    monkeypatch.setattr(_isolation, "_fork", fork)
    monkeypatch.setattr(_display, "is_terminal", lambda stream: True)  # as on a terminal
    monkeypatch.setattr(_display, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(_display.Spinner, "update", update)
    args = [str(files["photo.jpg"]), str(files["scan.png"]), str(files["letter.pdf"])]
    result = runner.invoke(app, ["merge", *args, "-o", str(tmp_path / "o.pdf")])
    assert result.exit_code == 0, result.output
    assert len(threads_at_fork) == 3 and set(threads_at_fork) == {threading.active_count()} == {1}
    assert drawn and drawn[-1] == (3, 3)
