"""The report: job keys, the options that count for resume, appending, locking, reading back."""

from __future__ import annotations

import dataclasses
import fcntl
import json
from pathlib import Path

import pytest

from msp_docs import Limits, Options
from msp_docs.batch import InputRecord, JobResult, load_previous, options_fingerprint
from msp_docs.batch._report import ReportWriter, job_key
from msp_docs.errors import OutputError

DEFAULT_LIMITS, DEFAULT_OPTIONS = Limits(), Options()


def key(
    limits: Limits = DEFAULT_LIMITS, options: Options = DEFAULT_OPTIONS, **kwargs: object
) -> str:
    inputs = kwargs.get("inputs", [("a.jpg", "00" * 32)])
    title = kwargs.get("title")
    return job_key(options_fingerprint(limits, options), inputs, title)  # type: ignore[arg-type]


def test_the_key_follows_what_shapes_the_output() -> None:
    base = key()
    assert key() == base
    assert key(inputs=[("b.jpg", "00" * 32)]) != base  # the name is the bookmark and title
    assert key(inputs=[("a.jpg", "11" * 32)]) != base
    assert key(title="T") != base
    assert key(options=Options(page_size="letter")) != base
    assert key(options=Options(flatten=True)) != base
    assert key(limits=Limits(max_files=5)) != base
    assert key(options=Options(password="x")) != base  # a password was given or not


def test_the_key_ignores_what_does_not_change_an_output() -> None:
    base = key()
    assert key(options=Options(lang="fr", isolate=False)) == base
    assert key(limits=Limits(max_seconds_per_input=60, max_memory_bytes=2**31)) == base
    assert key(options=Options(password="one")) == key(options=Options(password="two"))


def test_the_fingerprint_never_holds_the_password() -> None:
    text = json.dumps(options_fingerprint(Limits(), Options(password="s3cret-pw")))
    assert "s3cret" not in text


def result(output: str, status: str = "done", key: str | None = "k") -> JobResult:
    return JobResult(
        output=output,
        status=status,  # type: ignore[arg-type]
        inputs=(InputRecord(path="in/a.jpg", name="a.jpg", bytes=3, sha256="ab"),),
        key=key,
        output_bytes=10,
        output_sha256="cd",
        pages=1,
    )


def test_lines_are_appended_and_read_back_latest_first(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "report.jsonl"
    with ReportWriter(path) as writer:
        writer.write("start", "r1", {"jobs": 3})
        for line in (result("a.pdf"), result("b.pdf"), result("c.pdf", "failed", None)):
            writer.write("job", "r1", line.to_dict())
    with ReportWriter(path) as writer:
        writer.write("start", "r2", {"jobs": 3})
        writer.write("job", "r2", result("a.pdf", "failed", None).to_dict())
        writer.write("job", "r2", dataclasses.replace(result("b.pdf"), key="k2").to_dict())
    previous = load_previous(path)
    assert set(previous) == {"b.pdf"}  # a.pdf failed last, c.pdf never succeeded
    assert previous["b.pdf"].key == "k2"
    assert previous["b.pdf"] == dataclasses.replace(result("b.pdf"), key="k2")
    assert [json.loads(x)["run"] for x in path.read_text().splitlines()] == ["r1"] * 4 + ["r2"] * 3


def test_a_line_cut_short_by_a_kill_is_ignored_and_the_next_run_starts_a_new_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "report.jsonl"
    whole = json.dumps({"type": "job", "run": "r1", **result("a.pdf").to_dict()})
    cut = json.dumps({"type": "job", "run": "r1", **result("b.pdf").to_dict()})[:50]
    path.write_text(whole + "\n" + cut)
    assert set(load_previous(path)) == {"a.pdf"}
    with ReportWriter(path) as writer:
        writer.write("job", "r2", result("c.pdf").to_dict())
    assert set(load_previous(path)) == {"a.pdf", "c.pdf"}
    assert path.read_text().splitlines()[1] == cut


def test_garbage_and_other_line_types_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "report.jsonl"
    path.write_text('not json\n[1]\n{"type": "job", "status": "weird", "output": "x"}\n{}\n')
    assert load_previous(path) == {}
    assert load_previous(tmp_path / "missing.jsonl") == {}


def test_a_report_in_use_by_another_batch_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.jsonl"
    with open(path, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(OutputError) as caught:
            ReportWriter(path)
    assert caught.value.facts["reason"] == "report-locked"
    assert "another batch" in caught.value.message()
    ReportWriter(path).close()  # free again once the other holder is gone
