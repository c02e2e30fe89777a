"""The ``msp-docs batch`` command: bulk conversion with progress, a JSON Lines report and resume."""

from __future__ import annotations

import math
import os
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from msp_docs.errors import EXIT_JOBS_FAILED
from msp_docs.options import Lang, Options, PageSize
from msp_docs_cli.app import (
    EXIT_OK,
    LangOpt,
    MaxFilesOpt,
    MaxSizeOpt,
    PasswordFileOpt,
    StrictOpt,
    _limits,
    _password,
    app,
)

if TYPE_CHECKING:
    from msp_docs.batch import Job, JobResult, ListFormat, Summary

__all__ = ["ListFormatChoice", "Progress", "batch", "progress_text"]

#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


class ListFormatChoice(StrEnum):
    """Formats of a job list."""

    CSV = "csv"
    JSONL = "jsonl"


_TTY_REFRESH = 0.1  # seconds between two redraws of the bar
_LINE_EVERY = 60.0  # seconds without a progress line before one is printed anyway (not a TTY)


@app.command()
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            help="A directory (each file becomes one PDF, the tree mirrored) or a job list "
            "(.csv or .jsonl: output, 1-4 inputs, optional title per line).",
            exists=True,
            metavar="SOURCE",
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output directory.")],
    jobs: Annotated[
        int | None,
        typer.Option("-j", "--jobs", min=1, help="Jobs at once (default: the usable CPUs)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run on a Dask cluster, tcp://HOST:PORT (needs msp-docs[dask]; paths must be "
            "the same on every worker).",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="JSON Lines report, appended to and read to resume "
            "(default: OUTPUT/msp-docs-batch.jsonl).",
            dir_okay=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Redo every job, even those already done.")
    ] = False,
    list_format: Annotated[
        ListFormatChoice | None,
        typer.Option("--format", help="Job list format (default: from the list's extension)."),
    ] = None,
    base: Annotated[
        Path | None,
        typer.Option(
            "--base",
            help="Directory that a job list's relative inputs are in (default: the list's).",
            file_okay=False,
        ),
    ] = None,
    page_size: Annotated[
        PageSize, typer.Option("--page-size", help="Page size for images.")
    ] = PageSize.A4,
    flatten: Annotated[
        bool, typer.Option("--flatten", help="Composite transparency onto white.")
    ] = False,
    all_frames: Annotated[
        bool, typer.Option("--all-frames", help="Every frame of an animated GIF as a page.")
    ] = False,
    password_file: PasswordFileOpt = None,
    max_files: MaxFilesOpt = 4,
    max_size: MaxSizeOpt = "10MiB",
    strict: StrictOpt = False,
    lang: LangOpt = Lang.EN,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="Print nothing but errors of the batch itself.")
    ] = False,
) -> None:
    """Convert many files: a directory tree, or a job list of merges, into PDFs in OUTPUT.

    Jobs run in parallel; each is a merge (same checks and sanitising). A failed job is reported
    and the batch goes on. The report has one JSON line per job; running the same command again
    skips the jobs whose output still matches their inputs. Exit codes: 0 every job done or
    skipped, 9 some jobs failed (see the report), 2 bad arguments or job list, 8 cannot read
    the job list or write the report, 1 internal error, 130 interrupted.
    """
    from msp_docs import batch as batch_api
    from msp_docs.errors import MspDocsError

    if scheduler is not None and jobs is not None:
        raise typer.BadParameter("--jobs sets the local pool; a Dask cluster has its own workers")
    limits = _limits(max_files, max_size)
    options = Options(
        page_size=page_size,
        flatten=flatten,
        all_frames=all_frames,
        password=_password(password_file),
        strict=strict,
        lang=lang,
    )
    report_path = report if report is not None else output / batch_api.REPORT_NAME
    progress: Progress | None = None
    try:
        job_list = _plan(source, output, report_path, base, list_format)
        progress = Progress(len(job_list), sys.stderr, lang=lang.value, quiet=quiet)
        summary = batch_api.run(
            job_list,
            output_dir=output,
            report=report_path,
            scheduler=scheduler,
            workers=jobs,
            limits=limits,
            options=options,
            force=force,
            on_result=progress.update,
        )
    except batch_api.BatchError as error:
        _err(f"error: {error}")
        raise typer.Exit(error.exit_code) from error
    except MspDocsError as error:
        _err(f"error [{error.code}]: {error.message(lang.value)}")
        raise typer.Exit(error.exit_code) from error
    except KeyboardInterrupt:
        if progress is not None:
            progress.abort()
        _err("batch interrupted; run the same command again to resume")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    progress.close(summary)
    raise typer.Exit(EXIT_OK if summary.failed == 0 else EXIT_JOBS_FAILED)


def _plan(
    source: Path,
    output: Path,
    report: Path,
    base: Path | None,
    list_format: ListFormatChoice | None,
) -> list[Job]:
    from msp_docs import batch as batch_api

    if source.is_dir():
        if base is not None or list_format is not None:
            raise typer.BadParameter("--base and --format are for job lists, not directories")
        root = source.resolve()
        for path, what in ((output, "the output directory"), (report, "the report")):
            target = path.resolve()
            if target == root or root in target.parents or target in root.parents:
                raise typer.BadParameter(
                    f"{what} ({path}) must not be inside the input directory, nor contain it"
                )
        return batch_api.jobs_from_directory(source)
    fmt: ListFormat | None = None
    if list_format is not None:
        fmt = "csv" if list_format is ListFormatChoice.CSV else "jsonl"
    return batch_api.read_job_list(source, base=base, format=fmt)


def _err(text: str) -> None:
    typer.echo(text, err=True)


# --- progress -----------------------------------------------------------------------------------
def progress_text(
    *, total: int, done: int, skipped: int, failed: int, seconds: float, width: int | None = None
) -> str:
    """One progress report: counts, rate and time left; with ``width``, a bar that fits (pure).

    The rate counts every finished job; the time left assumes the same rate for the rest.
    """
    finished = done + skipped + failed
    rate = finished / seconds if seconds > 0 else 0.0
    eta = _clock((total - finished) / rate) if rate > 0 else "?"
    counts = (
        f"{finished}/{total}  done {done}  skipped {skipped}  failed {failed}  "
        f"{rate:.1f}/s  ETA {eta}"
    )
    if width is None:
        return counts
    room = width - len(counts) - 3
    if room < 10:
        return counts[: max(0, width - 1)]
    filled = room * finished // total if total else room
    return f"[{'#' * filled}{'-' * (room - filled)}] {counts}"


def _clock(seconds: float) -> str:
    whole = math.ceil(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Shows a batch's progress on ``stream``: a bar on a terminal, plain lines otherwise.

    On a terminal the bar is redrawn in place (at most ten times a second) and failed jobs are
    printed above it. Elsewhere (a CI log, a file), one line is printed at each tenth of the
    batch and at its end, or after a minute without one, and one line per failed job: nothing
    is overwritten.
    """

    def __init__(
        self, total: int, stream: TextIO, *, lang: str = "en", quiet: bool = False
    ) -> None:
        self.total = total
        self.stream = stream
        self.lang = lang
        self.quiet = quiet
        from msp_docs.batch import Summary

        self.tty = _isatty(stream)
        self.counts = Summary(jobs=total)  # the runner's own tally, kept as results arrive
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._last_line = self.started
        self._step = max(1, math.ceil(total / 10))
        self._next_line = self._step

    @property
    def finished(self) -> int:
        """Jobs with an outcome so far."""
        return self.counts.finished

    def update(self, result: JobResult) -> None:
        """Count one finished job and show it."""
        self.counts.count(result)
        if self.quiet:
            return
        now = time.monotonic()
        if result.error is not None:
            error = result.error
            self._clear()
            self.stream.write(f"failed: {result.output} [{error.code}] {error.message}\n")
            self._last_draw = 0.0
        if self.tty:
            if now - self._last_draw >= _TTY_REFRESH or self.finished == self.total:
                self._draw(now)
        elif (
            self.finished >= self._next_line
            or self.finished == self.total
            or now - self._last_line >= _LINE_EVERY
        ):
            self._line(now)
        self.stream.flush()

    def close(self, summary: Summary) -> None:
        """End the display with the batch's summary."""
        if self.quiet:
            return
        self._clear()
        rate = summary.finished / summary.seconds if summary.seconds > 0 else 0.0
        report = f"; report {summary.report}" if summary.report else ""
        self.stream.write(
            f"batch: {summary.jobs} jobs in {summary.seconds:.1f} s ({rate:.1f}/s): "
            f"{summary.done} done, {summary.skipped} skipped, {summary.failed} failed{report}\n"
        )
        self.stream.flush()

    def abort(self) -> None:
        """End the display early (interrupted): leave the terminal on a fresh line."""
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()

    def _text(self, now: float, width: int | None) -> str:
        return progress_text(
            total=self.total,
            done=self.counts.done,
            skipped=self.counts.skipped,
            failed=self.counts.failed,
            seconds=now - self.started,
            width=width,
        )

    def _draw(self, now: float) -> None:
        width = _width(self.stream)
        self.stream.write("\r" + self._text(now, width - 1) + "\x1b[K")
        self._last_draw = now

    def _line(self, now: float) -> None:
        self.stream.write("batch: " + self._text(now, None) + "\n")
        self._last_line = now
        while self._next_line <= self.finished:
            self._next_line += self._step

    def _clear(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _width(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80
