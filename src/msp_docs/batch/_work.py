"""One job, as a worker runs it: read and hash the inputs, skip or merge, write the PDF atomically.

:func:`execute` is what executors run, so it and its :class:`Task` are plain module-level
values that pickle by reference (process pools, Dask workers). It never raises: every outcome,
a bug of ours included, comes back as a :class:`JobResult`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import signal
import stat
import time
from dataclasses import dataclass
from typing import Any

from msp_docs._api import merge
from msp_docs._names import clean_name
from msp_docs._sources import Input
from msp_docs._write import write_output
from msp_docs.batch._model import ErrorRecord, InputRecord, Job, JobResult
from msp_docs.batch._report import job_key
from msp_docs.errors import (
    CannotReadInput,
    InternalError,
    MspDocsError,
    OutputError,
    Reason,
    _os_reason,
)
from msp_docs.limits import Limits
from msp_docs.options import Options
from msp_docs.report import Report

__all__ = ["Task", "execute", "failed_result", "ignore_interrupts", "ping"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    """Everything a worker needs for one job; no open file, no callable, so it pickles.

    Attributes:
        job: The job as given (its paths are what the report shows).
        inputs: The inputs' absolute paths (workers may have another current directory).
        output: The output's absolute path.
        limits: As for ``merge``.
        options: As for ``merge``; the job's title replaces ``options.title`` when set.
        fingerprint: :func:`options_fingerprint` of the batch, part of the job's key.
        previous: The job's last successful outcome in the report, when resuming.
        source_date: The caller's ``SOURCE_DATE_EPOCH``: every worker writes the same date.
        durable: ``fsync`` each output before its rename. The runner turns it off for its own
            local pool and syncs once when the batch ends: a per-file sync costs more than the
            conversion of a small file and makes the workers queue on the disk. (A resumed
            batch checks each output's SHA-256 anyway, so a file cut short by a power loss is
            redone, never taken as done.)
    """

    job: Job
    inputs: tuple[str, ...]
    output: str
    limits: Limits
    options: Options
    fingerprint: dict[str, Any]
    previous: JobResult | None = None
    source_date: str | None = None
    durable: bool = True


_CHUNK = 1024 * 1024


class _NotRegular(OSError):
    pass


def ignore_interrupts() -> None:
    """Initialise a pool worker so that Ctrl-C is left to the runner.

    Ctrl-C reaches the whole process group, but only the runner decides what to do about it
    (cancel what waits, write the summary); a worker finishes the job it has.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def ping() -> int:
    """Answer the runner's check that a new worker process works; return its pid."""
    return os.getpid()


def execute(task: Task) -> JobResult:
    """Run one job; return its outcome (never raises)."""
    started = time.perf_counter()
    _align_source_date(task.source_date)
    try:
        result = _run(task)
    except Exception as exc:  # a bug of ours: this job fails, the batch goes on
        error = InternalError(detail=f"{type(exc).__name__}: {exc}")
        result = failed_result(task.job, error, lang=task.options.lang.value)
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def failed_result(
    job: Job,
    error: MspDocsError,
    records: list[InputRecord] | None = None,
    *,
    lang: str = "en",
) -> JobResult:
    """The outcome of a job that failed with ``error``."""
    if records is None:
        records = [_blank(job, i) for i in range(len(job.inputs))]
    return JobResult(
        output=job.output,
        status="failed",
        inputs=tuple(records),
        title=job.title,
        error=_error_record(error, lang),
    )


def _run(task: Task) -> JobResult:
    job, limits = task.job, task.limits
    lang = task.options.lang.value
    if len(task.inputs) > limits.max_files:
        # merge refuses this before reading anything; let it say so in its own terms.
        sources = [Input(p, name=_name(job, i)) for i, p in enumerate(task.inputs)]
        return _merge_and_write(task, sources, [_blank(job, i) for i in range(len(sources))])
    records, data, error = _read_inputs(task)
    if error is not None:
        return failed_result(job, error, records, lang=lang)
    complete = all(r.sha256 is not None for r in records) and len(records) == len(job.inputs)
    key = None
    if complete:
        key = job_key(task.fingerprint, [(r.name, r.sha256 or "") for r in records], job.title)
        previous = task.previous
        if previous is not None and previous.key == key and _output_matches(task.output, previous):
            inputs = tuple(
                dataclasses.replace(old, path=new.path)
                for old, new in zip(previous.inputs, records, strict=True)
            )
            return dataclasses.replace(previous, status="skipped", inputs=inputs, error=None)
    sources = [Input(content, name=r.name) for content, r in zip(data, records, strict=False)]
    return dataclasses.replace(_merge_and_write(task, sources, records), key=key)


def _merge_and_write(task: Task, sources: list[Input], records: list[InputRecord]) -> JobResult:
    job = task.job
    options = task.options
    if job.title is not None:
        options = dataclasses.replace(options, title=job.title)
    lang = options.lang.value
    buffer = io.BytesIO()
    try:
        report = merge(sources, buffer, limits=task.limits, options=options)
        data = buffer.getvalue()
        _write(task.output, data, durable=task.durable)
    except MspDocsError as error:
        return failed_result(job, error, _with_report(records, error.report), lang=lang)
    assert report.output is not None
    return JobResult(
        output=job.output,
        status="done",
        inputs=tuple(_with_report(records, report)),
        title=job.title,
        output_bytes=len(data),
        output_sha256=hashlib.sha256(data).hexdigest(),
        pages=report.output.pages,
    )


def _write(path: str, data: bytes, *, durable: bool) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    except OSError as exc:
        reason, value = _os_reason(exc)
        raise OutputError(detail=str(exc), target=path, reason=reason, value=value) from exc
    write_output(path, data, durable=durable)


# --- reading ------------------------------------------------------------------------------------
def _read_inputs(
    task: Task,
) -> tuple[list[InputRecord], list[bytes], MspDocsError | None]:
    """Read and hash the inputs in order, within ``max_total_bytes`` (plus one byte).

    Reading stops at the input that crosses the budget; merge then refuses the job with its
    own ``input-too-large``. A path that cannot be opened, or is not a regular file (a FIFO
    would block, a device never ends), fails the job without reading further.
    """
    budget = task.limits.max_total_bytes
    total = 0
    records: list[InputRecord] = []
    data: list[bytes] = []
    for index, path in enumerate(task.inputs):
        name = _name(task.job, index)
        try:
            content = _read_file(path, budget - total + 1)
        except OSError as exc:
            reason, value = (
                (Reason.NOT_REGULAR, None) if isinstance(exc, _NotRegular) else _os_reason(exc)
            )
            error = CannotReadInput(input_name=name, input_index=index, reason=reason, value=value)
            records.extend(_blank(task.job, i) for i in range(index, len(task.inputs)))
            return records, data, error
        total += len(content)
        whole = total <= budget
        records.append(
            InputRecord(
                path=task.job.inputs[index],
                name=name,
                bytes=len(content),
                sha256=hashlib.sha256(content).hexdigest() if whole else None,
            )
        )
        data.append(content)
        if not whole:
            records.extend(_blank(task.job, i) for i in range(index + 1, len(task.inputs)))
            break
    return records, data, None


def _read_file(path: str, at_most: int) -> bytes:
    """Read at most ``at_most`` bytes of a regular file, sized by ``fstat`` (one allocation).

    A buffered ``read(at_most)`` would allocate the whole budget (10 MiB) for every file;
    reading the size the file has, then until end of file (it may be growing), costs a
    quarter of that here.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise _NotRegular(path)
        parts = []
        want = min(at_most, status.st_size + 1)
        while at_most > 0:
            part = os.read(fd, want)
            if not part:
                break
            parts.append(part)
            at_most -= len(part)
            want = min(at_most, _CHUNK)
    finally:
        os.close(fd)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _output_matches(path: str, previous: JobResult) -> bool:
    """True when the PDF at ``path`` is the one ``previous`` recorded (size, then SHA-256)."""
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size != previous.output_bytes:
                return False
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return False
    return digest == previous.output_sha256


# --- records ------------------------------------------------------------------------------------
def _name(job: Job, index: int) -> str:
    raw = job.inputs[index].replace("\\", "/").rsplit("/", 1)[-1]
    return clean_name(raw, fallback=f"input-{index + 1}")


def _blank(job: Job, index: int) -> InputRecord:
    return InputRecord(path=job.inputs[index], name=_name(job, index))


def _with_report(records: list[InputRecord], report: Report | None) -> list[InputRecord]:
    """Add what the pipeline found (kind, status, actions, warnings) to the read records."""
    if report is None:
        return records
    out = []
    for index, record in enumerate(records):
        if index >= len(report.inputs):
            out.append(record)
            continue
        entry = report.inputs[index]
        out.append(
            dataclasses.replace(
                record,
                kind=entry.kind.value if entry.kind else None,
                status=entry.status,
                actions=tuple(n.code for n in entry.actions),
                warnings=tuple(n.code for n in entry.warnings),
            )
        )
    return out


def _error_record(error: MspDocsError, lang: str) -> ErrorRecord:
    described = error.to_dict(lang)
    return ErrorRecord(
        code=error.code,
        exit_code=int(error.exit_code),
        message=described["message"],
        input=error.input_name,
        input_index=error.input_index,
        facts=described["facts"],
    )


def _align_source_date(value: str | None) -> None:
    """Give this worker the caller's ``SOURCE_DATE_EPOCH``, so outputs match byte for byte.

    Dask workers run tasks in threads; every task of a batch sets the same value, so the
    writes agree whatever their order.
    """
    if os.environ.get("SOURCE_DATE_EPOCH") == value:
        return
    if value is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = value
