"""Running a batch on a real Dask cluster (2 worker processes on 127.0.0.1) equals a local run."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from msp_docs import batch, isolation
from tests.batch.files import comparable, good_tree, jobs_of, mixed_tree, runs

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.skipif(not isolation.available(), reason="needs fork and memfd")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=True,
    ) as running:
        yield running


def outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.pdf")}


def _creation_date(path: Path) -> str | None:
    from pypdf import PdfReader

    metadata = PdfReader(path).metadata
    return None if metadata is None else metadata.get("/CreationDate")


def report_jobs(path: Path) -> dict[str, dict]:
    (run,) = runs(path)
    return {output: comparable(line) for output, line in jobs_of(run).items()}


def test_a_dask_run_equals_the_local_run(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Set after the workers started, so only the batch can hand it to them: the outputs carry
    # this date and must still match the local run byte for byte.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    src = tmp_path / "in"
    mixed_tree(src)
    more = good_tree(src / "more", 9)
    jobs = batch.jobs_from_directory(src)
    parts = tuple(str(src / "more" / name) for name in more[:4])
    jobs.append(batch.Job("merged.pdf", parts, title="Tout"))

    local, remote = tmp_path / "local", tmp_path / "dask"
    here = batch.run(jobs, output_dir=local, report=local / "r.jsonl")
    seen: list[batch.JobResult] = []
    there = batch.run(
        jobs,
        output_dir=remote,
        report=remote / "r.jsonl",
        scheduler=cluster.scheduler_address,
        on_result=seen.append,
    )
    assert (there.done, there.skipped, there.failed) == (here.done, here.skipped, here.failed)
    assert (there.done, there.failed) == (16, 5)
    assert len(seen) == len(jobs)
    assert outputs(remote) == outputs(local)
    assert _creation_date(remote / "merged.pdf") == "D:20231114221320Z"
    assert report_jobs(remote / "r.jsonl") == report_jobs(local / "r.jsonl")
    (start,) = [line for line in runs(remote / "r.jsonl")[0] if line["type"] == "start"]
    assert start["executor"] == f"dask:{cluster.scheduler_address}"

    again = batch.run(
        jobs, output_dir=remote, report=remote / "r.jsonl", scheduler=cluster.scheduler_address
    )
    assert (again.done, again.skipped, again.failed) == (0, 16, 5)


def test_the_command_line_runs_on_the_cluster(cluster: Any, tmp_path: Path) -> None:
    src = tmp_path / "in"
    mixed_tree(src)
    local = subprocess.run(
        [sys.executable, "-m", "msp_docs", "batch", str(src), "-o", str(tmp_path / "local")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    remote = subprocess.run(
        [sys.executable, "-m", "msp_docs", "batch", str(src), "-o", str(tmp_path / "dask"),
         "--scheduler", cluster.scheduler_address],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert local.returncode == remote.returncode == 9, remote.stderr
    assert "6 done, 0 skipped, 5 failed" in remote.stderr
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")
    assert report_jobs(tmp_path / "dask" / batch.REPORT_NAME) == report_jobs(
        tmp_path / "local" / batch.REPORT_NAME
    )
