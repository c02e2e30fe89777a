"""A batch on a real Dask cluster (2 worker processes on 127.0.0.1) equals the local run."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from msp_docs import _isolation as isolation
from msp_docs import batch
from tests.batch import crashers
from tests.batch.files import (
    comparable,
    good_tree,
    jobs_of,
    mixed_tree,
    pdf_pages,
    png_with_text,
    runs,
)

pytest.importorskip("distributed")
pytestmark = pytest.mark.skipif(not isolation.available(), reason="needs fork and memfd")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a LocalCluster running in its own process for this module's tests."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.batch.dask_cluster"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stdin is not None
    address = proc.stdout.readline().strip()
    assert address.startswith("tcp://127.0.0.1:"), address
    try:
        yield address
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


def run_batch(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "msp_docs", "batch", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.pdf")}


def report_jobs(path: Path, run: int = 0) -> dict[str, dict]:
    return {output: comparable(line) for output, line in jobs_of(runs(path)[run]).items()}


def _creation_date(path: Path) -> str | None:
    from pypdf import PdfReader

    metadata = PdfReader(path).metadata
    return None if metadata is None else metadata.get("/CreationDate")


def test_a_dask_run_equals_the_local_run(scheduler: str, tmp_path: Path) -> None:
    src = tmp_path / "in"
    mixed_tree(src)
    more = good_tree(src / "more", 9)
    listing = tmp_path / "jobs.jsonl"
    tree_jobs = batch.jobs_from_directory(src)
    lines = [f'{{"output": "{j.output}", "inputs": ["{j.inputs[0]}"]}}' for j in tree_jobs]
    parts = ", ".join(f'"{src / "more" / name}"' for name in more[:4])
    lines.append(f'{{"output": "merged.pdf", "inputs": [{parts}], "title": "Tout"}}')
    listing.write_text("\n".join(lines) + "\n")
    # The workers started without it: only the batch can give them the caller's date.
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}

    local, remote = tmp_path / "local", tmp_path / "dask"
    here = run_batch(listing, "-o", local, env=env)
    there = run_batch(listing, "-o", remote, "--scheduler", scheduler, env=env)
    assert here.returncode == there.returncode == 9, there.stderr
    assert "16 done, 0 skipped, 5 failed" in there.stderr
    assert outputs(remote) == outputs(local)
    assert pdf_pages(remote / "merged.pdf") == 4
    assert _creation_date(remote / "merged.pdf") == "D:20231114221320Z"
    report = remote / batch.REPORT_NAME
    assert report_jobs(report) == report_jobs(local / batch.REPORT_NAME)
    (start,) = [line for line in runs(report)[0] if line["type"] == "start"]
    assert start["executor"] == f"dask:{scheduler}"

    again = run_batch(listing, "-o", remote, "--scheduler", scheduler, env=env)
    assert again.returncode == 9 and "0 done, 16 skipped, 5 failed" in again.stderr
    second = report_jobs(report, 1)
    assert {o for o, line in second.items() if line["status"] == "skipped"} == set(outputs(local))
    assert {
        o: {**x, "status": "done"} if x["status"] == "skipped" else x for o, x in second.items()
    } == report_jobs(report, 0)


def test_decoder_crashes_on_dask_workers_fail_their_job_alone(
    scheduler: str, tmp_path: Path
) -> None:
    src = tmp_path / "in"
    good_tree(src, 6)
    for mark in (crashers.SEGV, crashers.MEMORY):
        (src / f"{mark}.png").write_bytes(png_with_text(mark))
    result = run_batch(src, "-o", tmp_path / "out", "--scheduler", scheduler)
    assert result.returncode == 9, result.stderr
    assert "6 done, 0 skipped, 2 failed" in result.stderr
    failed = {
        output: line["error"]
        for output, line in jobs_of(runs(tmp_path / "out" / batch.REPORT_NAME)[0]).items()
        if line["status"] == "failed"
    }
    assert set(failed) == {"CRASH-SEGV.pdf", "CRASH-MEMORY.pdf"}
    assert failed["CRASH-SEGV.pdf"]["code"] == "unprocessable"
    assert failed["CRASH-SEGV.pdf"]["facts"] == {"reason": "crashed", "value": "SIGSEGV"}
    assert "memory" in failed["CRASH-MEMORY.pdf"]["message"]
