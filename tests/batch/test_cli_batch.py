"""``msp-docs batch`` as a process: exit codes, progress on and off a terminal, kill -9, resume."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from msp_docs import _isolation as isolation
from msp_docs.batch import REPORT_NAME
from msp_docs_cli._batch import BatchProgress as Progress
from msp_docs_cli._batch import progress_text
from tests.batch.files import good_tree, jobs_of, mixed_tree, pdf_pages, runs, sha256
from tests.fixtures import jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.skipif(not isolation.available(), reason="needs fork and memfd")

MSP = [sys.executable, "-m", "msp_docs", "batch"]
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def batch(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MSP, *map(str, args)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        **kwargs,  # type: ignore[call-overload]
    )


# --- exit codes ---------------------------------------------------------------------------------
def test_all_good_exits_0_and_some_failed_exits_9(tmp_path: Path) -> None:
    good, mixed = tmp_path / "good", tmp_path / "mixed"
    good_tree(good, 4)
    mixed_tree(mixed)
    ok = batch(good, "-o", tmp_path / "o1")
    assert ok.returncode == 0, ok.stderr
    assert "4 done, 0 skipped, 0 failed" in ok.stderr
    some = batch(mixed, "-o", tmp_path / "o2", "--jobs", "2")
    assert some.returncode == 9, some.stderr
    assert "6 done, 0 skipped, 5 failed" in some.stderr
    again = batch(mixed, "-o", tmp_path / "o2")
    assert again.returncode == 9 and "0 done, 6 skipped, 5 failed" in again.stderr
    assert batch(good, "-o", tmp_path / "o1", "--force").stderr.count("4 done") == 1


def test_a_job_list_runs_from_its_own_directory(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "b.pdf").write_bytes(pdf_bytes(2))
    listing = tmp_path / "jobs.jsonl"
    listing.write_text(
        '{"output": "x/ab", "inputs": ["a.jpg", "b.pdf"], "title": "AB"}\n'
        '{"output": "b", "inputs": ["b.pdf"]}\n'
    )
    out = tmp_path / "out"
    result = batch(listing, "-o", out, "--report", tmp_path / "r.jsonl", cwd="/")
    assert result.returncode == 0, result.stderr
    assert pdf_pages(out / "x" / "ab.pdf") == 3 and pdf_pages(out / "b.pdf") == 2
    assert not (out / REPORT_NAME).exists() and (tmp_path / "r.jsonl").is_file()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.write_text("output,input1,colour\na,b,c\n"), "jobs.csv:1: unknown column"),
        (lambda p: p.write_text("output,input1\na,x.jpg\nb,\n"), "jobs.csv:3: no input"),
        (lambda p: p.write_text("output,input1\n../a,x.jpg\n"), "inside the output directory"),
    ],
)
def test_a_bad_job_list_exits_2_naming_the_line(tmp_path: Path, make: object, words: str) -> None:
    listing = tmp_path / "jobs.csv"
    make(listing)  # type: ignore[operator]
    result = batch(listing, "-o", tmp_path / "out")
    assert result.returncode == 2 and words in result.stderr
    assert not (tmp_path / "out").exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    good_tree(tmp_path / "in", 1)
    assert batch(tmp_path / "missing", "-o", tmp_path / "o").returncode == 2
    inside = batch(tmp_path / "in", "-o", tmp_path / "in" / "pdf")
    assert inside.returncode == 2 and "must not be inside the input directory" in inside.stderr
    report = batch(tmp_path / "in", "-o", tmp_path / "o", "--report", tmp_path / "in" / "r.jsonl")
    assert report.returncode == 2
    both = batch(tmp_path / "in", "-o", tmp_path / "o", "--jobs", "2", "--scheduler", "tcp://x:1")
    assert both.returncode == 2


def test_a_report_held_by_another_batch_exits_8(tmp_path: Path) -> None:
    good_tree(tmp_path / "in", 1)
    report = tmp_path / "out" / REPORT_NAME
    report.parent.mkdir()
    with open(report, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = batch(tmp_path / "in", "-o", tmp_path / "out")
    assert result.returncode == 8 and "another batch is running" in result.stderr
    assert not list((tmp_path / "out").rglob("*.pdf"))


def test_an_unreachable_scheduler_exits_2(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    good_tree(tmp_path / "in", 1)
    result = batch(tmp_path / "in", "-o", tmp_path / "o", "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == 2 and "cannot be reached" in result.stderr


# --- progress -----------------------------------------------------------------------------------
def test_off_a_terminal_progress_is_plain_lines_at_each_tenth(tmp_path: Path) -> None:
    mixed_tree(tmp_path / "in")
    result = batch(tmp_path / "in", "-o", tmp_path / "out")
    assert result.returncode == 9
    text = result.stderr
    assert "\r" not in text and "\x1b" not in text
    counts = [int(m) for m in re.findall(r"^batch: (\d+)/11 ", text, re.MULTILINE)]
    assert counts == [2, 4, 6, 8, 10, 11]
    assert len(re.findall(r"^failed: \S+\.pdf \[[a-z-]+\] .+$", text, re.MULTILINE)) == 5
    assert "failed: notes.pdf [unsupported-kind] notes.txt is a text file" in text
    assert text.splitlines()[-1].startswith("batch: 11 jobs in ")


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    mixed_tree(tmp_path / "in")
    result = batch(tmp_path / "in", "-o", tmp_path / "out", "-q")
    assert result.returncode == 9 and result.stderr == "" and result.stdout == ""


def test_on_a_terminal_progress_is_a_bar_redrawn_in_place(tmp_path: Path) -> None:
    mixed_tree(tmp_path / "in")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 72, 0, 0))
    proc = subprocess.Popen(
        [*MSP, str(tmp_path / "in"), "-o", str(tmp_path / "out")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=60) == 9
    text = b"".join(chunks).decode()
    # rich's bar, redrawn in place (carriage return, erase line) as results arrive.
    assert "\r\x1b[2K" in text and "ETA" in text and "/s" in text and "━" in text
    bars = [ANSI.sub("", s) for s in text.replace("\r\n", "\n").split("\r") if "ETA" in s]
    drawn = [line for bar in bars for line in bar.split("\n") if "━" in line]
    assert drawn and all(len(line.replace("\x1b[?25l", "")) <= 72 for line in drawn)
    assert re.search(r"━ 11/11 done 6  skipped 0  failed 5 ", bars[-1])
    assert "failed: notes.pdf [unsupported-kind]" in text
    assert "batch: 11 jobs in " in text and "6 done, 0 skipped, 5 failed" in text


def test_progress_text() -> None:
    assert progress_text(total=200, done=40, skipped=8, failed=2, seconds=10.0) == (
        "50/200  done 40  skipped 8  failed 2  5.0/s  ETA 0:30"
    )
    bar = progress_text(total=200, done=100, skipped=0, failed=0, seconds=1.0, width=80)
    assert len(bar) == 80 and bar.startswith("[" + "#" * 10 + "-" * 10 + "] 100/200 ")
    assert progress_text(total=3, done=0, skipped=0, failed=0, seconds=0.0).endswith("ETA ?")
    assert "ETA 1:00:00" in progress_text(total=2, done=1, skipped=0, failed=0, seconds=3600)


def test_progress_off_a_terminal_prints_a_line_per_tenth_and_per_failure() -> None:
    import io

    from msp_docs.batch import ErrorRecord, JobResult, Summary

    stream = io.StringIO()
    progress = Progress(25, stream)
    error = ErrorRecord(code="corrupt-image", exit_code=5, message="x.png is damaged.")
    for i in range(25):
        status = "failed" if i == 7 else "done"
        progress.update(
            JobResult(output=f"{i}.pdf", status=status, error=error if i == 7 else None)
        )  # type: ignore[arg-type]
    progress.close(Summary(jobs=25, done=24, failed=1, seconds=2.0))
    lines = stream.getvalue().splitlines()
    assert [line.split()[1] for line in lines if line.startswith("batch: ") and "ETA" in line] == [
        "3/25", "6/25", "9/25", "12/25", "15/25", "18/25", "21/25", "24/25", "25/25"
    ]  # fmt: skip
    assert "failed: 7.pdf [corrupt-image] x.png is damaged." in lines
    assert lines[-1] == "batch: 25 jobs in 2.0 s (12.5/s): 24 done, 0 skipped, 1 failed"


# --- kill -9, then resume -----------------------------------------------------------------------
def _slow_images(root: Path, count: int) -> list[str]:
    """``count`` distinct RGBA PNGs that take a visible time each (alpha is always decoded)."""
    from tests.batch.files import png_with_text

    base = png_with_text("0", width=700, height=700, mode="RGBA", colour=(10, 200, 30, 90))
    from PIL import Image

    noisy = Image.effect_noise((700, 700), 80).convert("RGBA")
    import io

    buffer = io.BytesIO()
    noisy.save(buffer, "PNG", compress_level=1)
    base = buffer.getvalue()
    names = []
    for i in range(count):
        name = f"batch-{i % 3}/scan-{i:02d}.png"
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_with_text_chunk(base, f"copy {i}"))
        names.append(name)
    return names


def _with_text_chunk(png: bytes, text: str) -> bytes:
    import zlib

    body = b"tEXt" + b"Comment\0" + text.encode()
    chunk = len(body[4:]).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    end_of_ihdr = 8 + 4 + 4 + 13 + 4
    return png[:end_of_ihdr] + chunk + png[end_of_ihdr:]


@pytest.mark.slow
def test_kill_9_mid_batch_then_resume_completes_exactly_the_missing_jobs(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    names = _slow_images(src, 40)
    everything = {n.replace(".png", ".pdf") for n in names}
    command = [*MSP, str(src), "-o", str(out), "--jobs", "1"]
    proc = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while len(list(out.rglob("*.pdf"))) < 5:
        assert proc.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole batch: runner, workers, their children
    proc.wait()

    report = out / REPORT_NAME
    (killed,) = runs(report)
    assert killed[-1]["type"] == "job"  # no summary: it never got there
    done_before = {o for o, line in jobs_of(killed).items() if line["status"] == "done"}
    assert 0 < len(done_before) < 40
    assert done_before <= {p.relative_to(out).as_posix() for p in out.rglob("*.pdf")}

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    _, second = runs(report)
    assert second[-1]["type"] == "summary" and second[-1]["failed"] == 0
    lines = jobs_of(second)
    assert set(lines) == everything
    skipped = {o for o, line in lines.items() if line["status"] == "skipped"}
    done = {o for o, line in lines.items() if line["status"] == "done"}
    assert skipped == done_before
    assert done == everything - done_before
    for output, line in lines.items():
        pdf = out / output
        assert line["output_sha256"] == sha256(pdf)
        assert pdf_pages(pdf) == 1
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


# --- words --------------------------------------------------------------------------------------
def test_counts_read_naturally_in_both_languages() -> None:
    import io

    from msp_docs.batch import Summary

    for lang, expected in [
        ("en", "batch: 1 job in 0.5 s (2.0/s): 1 done, 0 skipped, 0 failed"),
        ("fr", "lot : 1 travail en 0.5 s (2.0/s) : 1 fait, 0 sauté, 0 en échec"),
    ]:
        stream = io.StringIO()
        Progress(1, stream, lang=lang).close(Summary(jobs=1, done=1, seconds=0.5))
        assert stream.getvalue().splitlines()[-1] == expected
    stream = io.StringIO()
    Progress(3, stream, lang="fr").close(Summary(jobs=3, done=2, skipped=1, seconds=1.0))
    assert stream.getvalue().startswith("lot : 3 travaux en 1.0 s (3.0/s) : 2 faits, 1 sauté,")


def test_a_french_batch_speaks_french(tmp_path: Path) -> None:
    mixed_tree(tmp_path / "in")
    result = batch(tmp_path / "in", "-o", tmp_path / "out", "--lang", "fr")
    assert result.returncode == 9
    assert "échec : notes.pdf [unsupported-kind] notes.txt est un fichier texte" in result.stderr
    assert re.search(r"^lot : \d+/11  faits \d+  sautés \d+  échecs \d+ ", result.stderr, re.M)
    last = result.stderr.splitlines()[-1]
    assert last.startswith("lot : 11 travaux en ") and "6 faits, 0 sauté, 5 en échec" in last


@pytest.mark.slow
def test_an_interrupted_batch_prints_its_counts(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    _slow_images(src, 30)
    proc = subprocess.Popen(
        [*MSP, str(src), "-o", str(out), "--jobs", "1"],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while len(list(out.rglob("*.pdf"))) < 2:
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130
    last = stderr.splitlines()[-1]
    found = re.fullmatch(
        r"batch interrupted after (\d+) of 30 jobs: (\d+) done, 0 skipped, 0 failed; "
        r"run the same command again to resume",
        last,
    )
    assert found is not None, stderr
    assert int(found.group(1)) == int(found.group(2)) >= 1
