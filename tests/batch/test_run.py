"""msp_docs.batch.run on real files: statuses, report lines, resume, isolation, determinism."""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from msp_docs import Limits, Options, batch
from msp_docs import _isolation as isolation
from msp_docs.batch import Job, JobListError, JobResult
from tests.batch import crashers
from tests.batch.files import (
    comparable,
    good_tree,
    jobs_of,
    mixed_tree,
    pdf_pages,
    png_with_text,
    runs,
    sha256,
)
from tests.fixtures import jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.skipif(not isolation.available(), reason="needs fork and memfd")


def run_dir(src: Path, out: Path, **kwargs: object) -> tuple[batch.Summary, list[JobResult]]:
    seen: list[JobResult] = []
    summary = batch.run(
        batch.jobs_from_directory(src),
        output_dir=out,
        report=out / "report.jsonl",
        on_result=seen.append,
        **kwargs,  # type: ignore[arg-type]
    )
    return summary, seen


# --- directory mode -----------------------------------------------------------------------------
def test_a_mixed_tree_gives_one_pdf_per_good_file_and_a_failed_line_per_bad_one(
    tmp_path: Path,
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    expected = mixed_tree(src)
    summary, seen = run_dir(src, out)
    good = {n for n, e in expected.items() if e.pages is not None}
    assert (summary.jobs, summary.done, summary.skipped, summary.failed) == (11, 6, 0, 5)
    assert not summary.ok and len(summary.failures) == 5
    assert len(seen) == 11

    (run,) = runs(out / "report.jsonl")
    start, *job_lines, end = run
    assert start["type"] == "start" and start["schema"] == "msp-docs/batch/1"
    assert start["jobs"] == 11 and start["executor"].startswith("processes:")
    assert end == {**end, "type": "summary", "jobs": 11, "done": 6, "skipped": 0, "failed": 5}
    lines = jobs_of(run)
    assert len(lines) == len(job_lines) == 11
    for name, expect in expected.items():
        output = name.rsplit(".", 1)[0] + ".pdf"
        line = lines[output]
        (entry,) = line["inputs"]
        source = src / name
        assert entry["path"] == str(source) and entry["name"] == source.name
        assert entry["bytes"] == source.stat().st_size
        assert entry["sha256"] == sha256(source)
        assert line["seconds"] > 0
        if name in good:
            pdf = out / output
            assert line["status"] == "done" and line["error"] is None
            assert line["output_bytes"] == pdf.stat().st_size
            assert line["output_sha256"] == sha256(pdf)
            assert line["pages"] == pdf_pages(pdf) == expect.pages
            assert entry["status"] == "accepted" and entry["kind"] in ("jpeg", "png", "gif", "pdf")
        else:
            assert line["status"] == "failed"
            assert not (out / output).exists()
            assert line["output_bytes"] is None and line["pages"] is None
            error = line["error"]
            assert error["exit_code"] == expect.exit_code, (name, error)
            if expect.code:
                assert error["code"] == expect.code
            assert error["message"] and error["input"] == source.name
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == sorted(
        n.rsplit(".", 1)[0] + ".pdf" for n in good
    )


def test_messages_follow_the_language(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "notes.txt").write_text("bonjour")
    summary, _ = run_dir(src, tmp_path / "out", options=Options(lang="fr"))
    (failure,) = summary.failures
    assert failure.error is not None and "non accepté" in failure.error.message


# --- job lists ----------------------------------------------------------------------------------
def test_job_list_jobs_merge_their_inputs_in_order_with_their_title(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(jpeg_bytes(300, 200))
    (tmp_path / "b.pdf").write_bytes(pdf_bytes(2))
    (tmp_path / "c.png").write_bytes(png_with_text("c", width=50, height=70))
    listing = tmp_path / "jobs.csv"
    listing.write_text(
        "output,input1,input2,input3,input4,title\n"
        "dossiers/one,a.jpg,b.pdf,c.png,,Justificatifs de domicile\n"
        "two.pdf,c.png,,,,\n"
        "five.pdf,a.jpg,b.pdf,c.png,a.jpg,\n"
    )
    jobs = batch.read_job_list(listing)
    listing5 = tmp_path / "more.jsonl"
    listing5.write_text('{"output": "many", "inputs": ["a.jpg","a.jpg","a.jpg","a.jpg","c.png"]}\n')
    jobs += batch.read_job_list(listing5)
    out = tmp_path / "out"
    summary = batch.run(jobs, output_dir=out, report=out / "r.jsonl")
    assert (summary.done, summary.failed) == (3, 1)
    from pypdf import PdfReader

    one = PdfReader(out / "dossiers" / "one.pdf")
    assert len(one.pages) == 4
    assert one.metadata is not None and one.metadata.title == "Justificatifs de domicile"
    assert [o.title for o in one.outline] == ["a.jpg", "b.pdf", "c.png"]
    assert PdfReader(out / "two.pdf").metadata.title == "c.png"  # type: ignore[union-attr]
    assert pdf_pages(out / "five.pdf") == 5
    lines = jobs_of(runs(out / "r.jsonl")[0])
    assert [i["name"] for i in lines["dossiers/one.pdf"]["inputs"]] == ["a.jpg", "b.pdf", "c.png"]
    assert lines["dossiers/one.pdf"]["title"] == "Justificatifs de domicile"
    many = lines["many.pdf"]
    assert many["error"]["code"] == "too-many-files" and many["error"]["exit_code"] == 3
    assert [i["status"] for i in many["inputs"]] == ["not-read"] * 4 + ["rejected"]


def test_limits_apply_per_job(tmp_path: Path) -> None:
    (tmp_path / "big.jpg").write_bytes(jpeg_bytes(600, 600, quality=100))
    (tmp_path / "small.jpg").write_bytes(jpeg_bytes(20, 20))
    size = (tmp_path / "big.jpg").stat().st_size
    jobs = [
        Job("both.pdf", (str(tmp_path / "small.jpg"), str(tmp_path / "big.jpg"))),
        Job("small.pdf", (str(tmp_path / "small.jpg"),)),
    ]
    summary = batch.run(jobs, output_dir=tmp_path / "out", limits=Limits(max_total_bytes=size))
    assert summary.done == 1
    (failure,) = summary.failures
    assert failure.output == "both.pdf" and failure.error is not None
    assert failure.error.code == "input-too-large" and failure.error.input == "big.jpg"
    small, big = failure.inputs
    assert small.sha256 == hashlib.sha256((tmp_path / "small.jpg").read_bytes()).hexdigest()
    assert big.sha256 is None  # not read to its end: no hash is claimed for it
    assert big.bytes == size - small.bytes + 1


def test_inputs_that_cannot_be_read_fail_their_job_alone(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.jpg")  # reading it would block forever
    (tmp_path / "ok.jpg").write_bytes(jpeg_bytes())
    jobs = [
        Job("fifo.pdf", (str(tmp_path / "fifo.jpg"),)),
        Job("missing.pdf", (str(tmp_path / "ok.jpg"), str(tmp_path / "nope.png"))),
        Job("dir.pdf", (str(tmp_path),)),
        Job("ok.pdf", (str(tmp_path / "ok.jpg"),)),
    ]
    summary = batch.run(jobs, output_dir=tmp_path / "out")
    assert summary.done == 1
    failures = {f.output: f.error for f in summary.failures}
    assert {o: (e.code, e.facts["reason"]) for o, e in failures.items() if e} == {
        "fifo.pdf": ("cannot-read-input", "not-regular"),
        "missing.pdf": ("cannot-read-input", "not-found"),
        "dir.pdf": ("cannot-read-input", "not-regular"),
    }
    assert failures["missing.pdf"] is not None and failures["missing.pdf"].input_index == 1


def test_jobs_that_would_overwrite_an_input_or_each_other_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(pdf_bytes())
    with pytest.raises(JobListError, match="overwrite one of the inputs"):
        batch.run([Job("a.pdf", (str(tmp_path / "a.pdf"),))], output_dir=tmp_path)
    with pytest.raises(JobListError, match="written by two jobs"):
        batch.run([Job("x.pdf", ("a",)), Job("x.pdf", ("b",))], output_dir=tmp_path / "o")
    with pytest.raises(JobListError, match="inside the output directory"):
        batch.run([Job("../x.pdf", ("a",))], output_dir=tmp_path / "o")
    assert not (tmp_path / "o").exists()


# --- resume -------------------------------------------------------------------------------------
def test_a_second_run_skips_what_is_done_and_retries_what_failed(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    mixed_tree(src)
    first, _ = run_dir(src, out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")}
    second, _ = run_dir(src, out)
    assert (second.done, second.skipped, second.failed) == (0, first.done, first.failed)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")} == mtimes  # nothing rewritten
    one, two = runs(out / "report.jsonl")
    before, after = jobs_of(one), jobs_of(two)
    for output, line in after.items():
        if line["status"] == "skipped":
            assert comparable(line) == {**comparable(before[output]), "status": "skipped"}
        else:
            assert line["status"] == before[output]["status"] == "failed"


def test_what_changed_is_redone_and_force_redoes_everything(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    names = good_tree(src, 6)
    run_dir(src, out)
    (src / names[0]).write_bytes(png_with_text("changed", width=90, height=90))  # new content
    (out / names[1].replace(".jpg", ".pdf")).write_bytes(b"%PDF-1.4 tampered")  # output edited
    (out / names[2].replace(".gif", ".pdf")).unlink()  # output removed
    summary, seen = run_dir(src, out)
    redone = {r.output for r in seen if r.status == "done"}
    assert redone == {n.rsplit(".", 1)[0] + ".pdf" for n in names[:3]}
    assert summary.skipped == 3
    assert pdf_pages(out / names[1].replace(".jpg", ".pdf")) == 1

    summary, _ = run_dir(
        src, out, options=Options(lang="fr"), limits=Limits(max_seconds_per_input=9)
    )
    assert summary.skipped == 6  # language and time budget do not change an output
    summary, _ = run_dir(src, out, options=Options(page_size="letter"))
    assert summary.done == 6  # the page size does
    summary, _ = run_dir(src, out, options=Options(page_size="letter"), force=True)
    assert (summary.done, summary.skipped) == (6, 0)


def test_stale_temporary_files_are_removed_and_never_taken_for_outputs(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    names = good_tree(src, 3)
    (out / "dir-1").mkdir(parents=True)
    target = names[1].replace(".jpg", ".pdf")
    stale = out / "dir-1" / f".{Path(target).name}.k3j2h1g0.part"
    stale.write_bytes(b"%PDF-1.4 half written")
    unrelated = out / ".someone-else.part"
    unrelated.write_bytes(b"keep")
    summary, _ = run_dir(src, out)
    assert summary.done == 3
    assert not stale.exists() and unrelated.exists()
    assert pdf_pages(out / target) == 1


# --- executors, isolation, determinism ----------------------------------------------------------
def test_same_inputs_give_identical_outputs_whatever_the_worker_or_the_order(
    tmp_path: Path,
) -> None:
    src = tmp_path / "in"
    mixed_tree(src)
    good_tree(src / "more", 6)
    jobs = batch.jobs_from_directory(src)
    parts = ("photo.jpg", "scans/letter.pdf", "icons/logo.gif", "scans/page-2.png")
    listing = [Job("merged.pdf", tuple(str(src / p) for p in parts))]
    outputs = {}
    lines = {}
    variants = {
        "pool-2": {"workers": 2},
        "pool-1": {"workers": 1},
        "threads-reversed": {"executor": ThreadPoolExecutor(3), "reverse": True},
        "in-process": {"options": Options(isolate=False)},
    }
    for name, kwargs in variants.items():
        out = tmp_path / name
        order = list(reversed(jobs + listing)) if kwargs.pop("reverse", False) else jobs + listing
        batch.run(order, output_dir=out, report=out / "r.jsonl", **kwargs)  # type: ignore[arg-type]
        outputs[name] = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.pdf")}
        lines[name] = {k: comparable(v) for k, v in jobs_of(runs(out / "r.jsonl")[0]).items()}
    reference = outputs["pool-2"]
    assert len(reference) == 13
    for name in variants:
        assert outputs[name] == reference, name
    for name in ("pool-1", "threads-reversed"):
        assert lines[name] == lines["pool-2"], name


def test_a_given_executor_is_used_and_left_open(tmp_path: Path) -> None:
    src = tmp_path / "in"
    good_tree(src, 4)
    with ThreadPoolExecutor(2) as pool:
        summary = batch.run(
            batch.jobs_from_directory(src), output_dir=tmp_path / "o", executor=pool
        )
        assert summary.done == 4
        assert pool.submit(lambda: 42).result() == 42


def test_decoder_crashes_hangs_and_memory_blowups_fail_alone_inside_pool_workers(
    tmp_path: Path,
) -> None:
    src = tmp_path / "in"
    good = good_tree(src, 5)
    for mark in (crashers.SEGV, crashers.HANG, crashers.MEMORY):
        (src / f"{mark}.png").write_bytes(png_with_text(mark))
    with crashers.pool(2) as pool:
        summary = batch.run(
            batch.jobs_from_directory(src),
            output_dir=tmp_path / "out",
            executor=pool,
            limits=Limits(max_seconds_per_input=2),  # the hang costs two seconds, no more
        )
    assert summary.done == len(good)
    failures = {f.output: f.error for f in summary.failures}
    assert set(failures) == {"CRASH-SEGV.pdf", "CRASH-HANG.pdf", "CRASH-MEMORY.pdf"}
    segv, hang, memory = (
        failures[f"{m}.pdf"] for m in ("CRASH-SEGV", "CRASH-HANG", "CRASH-MEMORY")
    )
    assert segv is not None and segv.code == "unprocessable" and "SIGSEGV" in segv.message
    assert hang is not None and hang.code == "processing-timeout"
    assert memory is not None and memory.code == "unprocessable"
    assert "memory" in memory.message


def test_a_tiny_memory_cap_fails_every_job_with_a_typed_error(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):  # alpha must be decoded to be split off: megabytes, whatever the backend
        (src / f"{i}.png").write_bytes(png_with_text(str(i), width=1000, height=1000, mode="RGBA"))
    summary, _ = run_dir(src, tmp_path / "out", limits=Limits(max_memory_bytes=1024 * 1024))
    assert summary.failed == 3
    assert {f.error.code for f in summary.failures if f.error} == {"unprocessable"}


def test_a_worker_killed_from_outside_costs_no_job(tmp_path: Path) -> None:
    src = tmp_path / "in"
    good_tree(src, 12)
    killed: list[int] = []

    def kill_one_worker(result: JobResult) -> None:
        if not killed:
            worker = multiprocessing.active_children()[0]
            os.kill(worker.pid, signal.SIGKILL)  # type: ignore[arg-type]
            killed.append(worker.pid)  # type: ignore[arg-type]

    summary = batch.run(
        batch.jobs_from_directory(src), output_dir=tmp_path / "o", on_result=kill_one_worker
    )
    assert killed
    assert (summary.done, summary.failed) == (12, 0)


def test_a_job_that_kills_its_worker_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msp_docs.batch import _runner

    monkeypatch.setattr(_runner, "_process_pool", crashers.pool)
    src = tmp_path / "in"
    good_tree(src, 8)
    (src / "killer.png").write_bytes(png_with_text(crashers.SEGV))
    summary = batch.run(
        batch.jobs_from_directory(src),
        output_dir=tmp_path / "o",
        options=Options(isolate=False),  # the decoder runs in the pool worker itself
    )
    assert (summary.done, summary.failed) == (8, 1)
    (failure,) = summary.failures
    assert failure.output == "killer.pdf" and failure.error is not None
    assert failure.error.code == "unprocessable" and failure.error.facts["reason"] == "worker-died"


def test_results_are_plain_values(tmp_path: Path) -> None:
    src = tmp_path / "in"
    good_tree(src, 1)
    summary, (result,) = run_dir(src, tmp_path / "out")
    assert summary.ok and result.ok
    assert JobResult.from_dict(result.to_dict()) == dataclasses.replace(
        result, seconds=round(result.seconds, 4)
    )


def test_the_memory_cap_counts_from_the_worker_not_from_zero(tmp_path: Path) -> None:
    """Workers that reserved more address space than the cap (threads' arenas and stacks do,
    in Dask workers) still run jobs: each job may add max_memory_bytes to its worker."""
    src = tmp_path / "in"
    good_tree(src, 3)
    (src / "needy.png").write_bytes(png_with_text(crashers.NEED))
    with crashers.pool(2, initializer=crashers.install_and_reserve) as pool:
        summary = batch.run(
            batch.jobs_from_directory(src), output_dir=tmp_path / "o", executor=pool
        )
    assert (summary.done, summary.failed) == (4, 0), summary.failures


def test_outputs_are_synced_one_by_one_unless_the_batch_owns_its_workers(tmp_path: Path) -> None:
    """Local pool: one sync at the end of the batch; any other executor: fsync per output."""
    src = tmp_path / "in"
    good_tree(src, 2)
    submitted = []

    class Recording(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            submitted.append(args[0])
            return super().submit(fn, *args, **kwargs)

    with Recording(1) as pool:
        batch.run(batch.jobs_from_directory(src), output_dir=tmp_path / "o", executor=pool)
    assert [task.durable for task in submitted] == [True, True]

    from msp_docs.batch import _runner

    opened = _runner._Pool.open(None, None, 1, 1)
    try:
        assert opened.syncs_at_end and opened.make is not None
    finally:
        opened.close()
