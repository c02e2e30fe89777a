"""The values of a batch: jobs, per-job results as report lines, the summary.

The errors of a batch that cannot run are in :mod:`msp_docs.errors` (``BatchError`` and its
subclasses), with every other error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ErrorRecord",
    "InputRecord",
    "Job",
    "JobResult",
    "Status",
    "Summary",
]

Status = Literal["done", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class Job:
    """One output PDF and the inputs merged into it, in order.

    Attributes:
        output: Path of the PDF relative to the batch's output directory, POSIX separators
            (``"2024/05/dossier-12.pdf"``). It identifies the job in the report.
        inputs: Input paths, merged in this order; relative paths are relative to the current
            directory of the process that calls :func:`msp_docs.batch.run`.
        title: Title of the PDF; default the first input's name, as for ``merge``.
    """

    output: str
    inputs: tuple[str, ...]
    title: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InputRecord:
    """What a job's report line says about one input.

    Attributes:
        path: The input's path as the job gives it.
        name: The name the PDF knows it by (bookmark, default title): the file's name.
        bytes: Bytes read (the whole file unless reading stopped at a limit).
        sha256: Hex SHA-256 of the whole file, or ``None`` if it was not read to the end.
        kind: The kind detected from the bytes, if it got that far.
        status: ``accepted``, ``rejected`` or ``not-read``, as in the merge report.
        actions: Codes of what was done to it (``reencoded``, ``metadata-removed``...).
        warnings: Codes of what its owner should know.
    """

    path: str
    name: str
    bytes: int = 0
    sha256: str | None = None
    kind: str | None = None
    status: str = "not-read"
    actions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used in the report."""
        return {
            "path": self.path,
            "name": self.name,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "kind": self.kind,
            "status": self.status,
            "actions": list(self.actions),
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputRecord:
        """Read back what :meth:`to_dict` wrote."""
        return cls(
            path=str(data["path"]),
            name=str(data["name"]),
            bytes=int(data.get("bytes") or 0),
            sha256=data.get("sha256"),
            kind=data.get("kind"),
            status=str(data.get("status", "not-read")),
            actions=tuple(data.get("actions") or ()),
            warnings=tuple(data.get("warnings") or ()),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorRecord:
    """Why a job failed: the typed error's code, exit code, message and facts."""

    code: str
    exit_code: int
    message: str
    input: str | None = None
    input_index: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used in the report."""
        return {
            "code": self.code,
            "exit_code": self.exit_code,
            "message": self.message,
            "input": self.input,
            "input_index": self.input_index,
            "facts": self.facts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ErrorRecord:
        """Read back what :meth:`to_dict` wrote."""
        return cls(
            code=str(data["code"]),
            exit_code=int(data["exit_code"]),
            message=str(data.get("message", "")),
            input=data.get("input"),
            input_index=data.get("input_index"),
            facts=dict(data.get("facts") or {}),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class JobResult:
    """The outcome of one job: one line of the JSON Lines report.

    Attributes:
        output: The job's output path, relative to the output directory (the job's identity).
        status: ``done`` (written now), ``skipped`` (an earlier run's output still matches) or
            ``failed``.
        inputs: One record per input, in order.
        title: The job's title, if it sets one.
        key: SHA-256 over the inputs' names and contents, the title and the options that shape
            the output; ``None`` when an input could not be read whole. Resume compares it.
        output_bytes: Size of the PDF (done or skipped).
        output_sha256: SHA-256 of the PDF (done or skipped).
        pages: Pages of the PDF (done or skipped).
        error: Why the job failed.
        seconds: Time the job took in its worker (for a skip: the time to check it).
    """

    output: str
    status: Status
    inputs: tuple[InputRecord, ...] = ()
    title: str | None = None
    key: str | None = None
    output_bytes: int | None = None
    output_sha256: str | None = None
    pages: int | None = None
    error: ErrorRecord | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the job's output exists and matches its inputs (done or skipped)."""
        return self.status != "failed"

    def to_dict(self) -> dict[str, Any]:
        """Return the report line (without the ``type`` and ``run`` the writer adds)."""
        return {
            "output": self.output,
            "status": self.status,
            "inputs": [i.to_dict() for i in self.inputs],
            "title": self.title,
            "key": self.key,
            "output_bytes": self.output_bytes,
            "output_sha256": self.output_sha256,
            "pages": self.pages,
            "error": self.error.to_dict() if self.error else None,
            "seconds": round(self.seconds, 4),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobResult:
        """Read back a report line.

        Raises:
            KeyError, TypeError, ValueError: the line is not a job line of this schema.
        """
        status = data["status"]
        if status not in ("done", "skipped", "failed"):
            raise ValueError(f"unknown status {status!r}")
        error = data.get("error")
        return cls(
            output=str(data["output"]),
            status=status,
            inputs=tuple(InputRecord.from_dict(i) for i in data.get("inputs") or ()),
            title=data.get("title"),
            key=data.get("key"),
            output_bytes=data.get("output_bytes"),
            output_sha256=data.get("output_sha256"),
            pages=data.get("pages"),
            error=ErrorRecord.from_dict(error) if error else None,
            seconds=float(data.get("seconds") or 0.0),
        )


@dataclass(slots=True, kw_only=True)
class Summary:
    """What :func:`msp_docs.batch.run` returns: the counts and the failed jobs.

    Attributes:
        jobs: Jobs in the batch.
        done: Jobs whose output was written by this run.
        skipped: Jobs whose output from an earlier run still matches (resume).
        failed: Jobs that failed (each is a line of the report with its error).
        seconds: Wall-clock time of the run.
        interrupted: True when the run was stopped (Ctrl-C) before every job finished.
        failures: The failed jobs' results, in the order they finished.
        report: Path of the JSON Lines report, if one was written.
    """

    jobs: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    failures: list[JobResult] = field(default_factory=list)
    report: str | None = None

    @property
    def finished(self) -> int:
        """Jobs that have an outcome."""
        return self.done + self.skipped + self.failed

    @property
    def ok(self) -> bool:
        """True when every job ended done or skipped."""
        return not self.interrupted and self.failed == 0 and self.finished == self.jobs

    def count(self, result: JobResult) -> None:
        """Add one job's outcome."""
        if result.status == "done":
            self.done += 1
        elif result.status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1
            self.failures.append(result)

    def to_dict(self) -> dict[str, Any]:
        """Return the summary line of the report (without ``type`` and ``run``)."""
        rate = self.finished / self.seconds if self.seconds > 0 else None
        return {
            "jobs": self.jobs,
            "done": self.done,
            "skipped": self.skipped,
            "failed": self.failed,
            "interrupted": self.interrupted,
            "seconds": round(self.seconds, 3),
            "jobs_per_second": round(rate, 3) if rate is not None else None,
        }
