"""The JSON Lines report: written line by line as jobs finish, read back to resume a batch."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import os
from collections.abc import Sequence
from typing import Any

from msp_docs.batch._model import JobResult
from msp_docs.errors import CannotReadInput, OutputError, Reason, _os_reason
from msp_docs.limits import Limits
from msp_docs.options import Options

__all__ = [
    "REPORT_NAME",
    "SCHEMA",
    "ReportWriter",
    "job_key",
    "load_previous",
    "options_fingerprint",
]

SCHEMA = "msp-docs/batch/1"
#: Name of the report in the output directory when none is given.
REPORT_NAME = "msp-docs-batch.jsonl"

# Limits that only bound the resources spent on an input: they decide whether a job fails,
# never what a successful output holds, so raising them to retry failures keeps finished work.
_RESOURCE_LIMITS = frozenset({"max_seconds_per_input", "max_memory_bytes"})


def options_fingerprint(limits: Limits, options: Options) -> dict[str, Any]:
    """What of the limits and options shapes an output, as JSON values (pure).

    Left out: the language (messages only), isolation and the time and memory budgets (they
    decide whether a job succeeds, not what its output holds), and the password itself, which
    must not appear in a report: a PDF opens to the same content whichever password opens it,
    so only whether one was given counts.
    """
    values: dict[str, Any] = {}
    for f in dataclasses.fields(limits):
        if f.name not in _RESOURCE_LIMITS:
            values[f"limits.{f.name}"] = getattr(limits, f.name)
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        if f.name in ("lang", "isolate"):
            continue
        if f.name == "password":
            value = value is not None
        values[f"options.{f.name}"] = str(value) if hasattr(value, "value") else value
    return values


def job_key(
    fingerprint: dict[str, Any], inputs: Sequence[tuple[str, str]], title: str | None
) -> str:
    """SHA-256 of what decides a job's output: inputs (name, content hash), title, options."""
    text = json.dumps(
        {"options": fingerprint, "inputs": [list(i) for i in inputs], "title": title},
        sort_keys=True,
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


class ReportWriter:
    """Appends report lines to a file, one ``write`` each, as soon as a job finishes.

    The file is opened in append mode and locked (``flock``): a second batch using the same
    report is refused instead of interleaving. A line cut short by a kill is tolerated by
    :func:`load_previous`; the next run starts on a fresh line.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC)
        except OSError as exc:
            raise _output_error(self.path, exc) from exc
        try:
            _lock(self._fd)
        except OSError as exc:
            os.close(self._fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise OutputError(target=self.path, reason=Reason.REPORT_LOCKED) from exc
            raise _output_error(self.path, exc) from exc
        if not _ends_with_newline(self.path):
            self._write(b"\n")

    def write(self, kind: str, run: str, payload: dict[str, Any]) -> None:
        """Append one line ``{"type": kind, "run": run, **payload}``."""
        line = {"type": kind, "run": run, **payload}
        data = json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._write(data.encode())

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            raise _output_error(self.path, exc) from exc

    def close(self) -> None:
        """Flush to disk and release the lock."""
        with contextlib.suppress(OSError):
            os.fsync(self._fd)
        os.close(self._fd)

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _output_error(path: str, exc: OSError) -> OutputError:
    reason, value = _os_reason(exc)
    return OutputError(detail=str(exc), target=path, reason=reason, value=value)


def _lock(fd: int) -> None:
    """Take an exclusive lock on the report, or raise ``BlockingIOError`` (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # no flock here: two batches on one report are not detected
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _ends_with_newline(path: str) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        if fh.tell() == 0:
            return True
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def load_previous(path: str | os.PathLike[str]) -> dict[str, JobResult]:
    """The latest outcome of each job in an existing report, keyed by output, when it succeeded.

    Lines are read in order, so the last run's word on a job wins; a job whose latest line is a
    failure has no entry (it must run again). Lines that do not parse (a line cut short by a
    kill, another schema) are ignored. A missing report gives an empty mapping.

    Raises:
        CannotReadInput: the report exists but cannot be read.
    """
    latest: dict[str, JobResult] = {}
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below, OSError handled once
    except FileNotFoundError:
        return latest
    except OSError as exc:
        reason, value = _os_reason(exc)
        raise CannotReadInput(input_name=os.fspath(path), reason=reason, value=value) from exc
    with fh:
        for raw in fh:
            try:
                line = json.loads(raw)
                if not isinstance(line, dict) or line.get("type") != "job":
                    continue
                result = JobResult.from_dict(line)
            except (ValueError, KeyError, TypeError):
                continue
            latest[result.output] = result
    return {output: r for output, r in latest.items() if r.ok and r.key is not None}
