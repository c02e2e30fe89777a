"""The ``msp-docs batch`` command: bulk conversion with progress, a JSON Lines report and resume."""

from __future__ import annotations

import math
import os
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from msp_docs.errors import ExitCode
from msp_docs.options import Lang, Options, PageSize
from msp_docs_cli import _display as display
from msp_docs_cli import _options as opts
from msp_docs_cli._text import agree, count, say

if TYPE_CHECKING:
    from rich.progress import Progress

    from msp_docs.batch import Job, JobResult, ListFormat, Summary

__all__ = ["BatchProgress", "ListFormatChoice", "batch", "progress_text"]


class ListFormatChoice(StrEnum):
    """Formats of a job list."""

    CSV = "csv"
    JSONL = "jsonl"


_TTY_REFRESH = 0.1  # seconds between two redraws of the bar
_LINE_EVERY = 60.0  # seconds without a progress line before one is printed anyway (not a TTY)


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
            help="Run on a Dask cluster, tcp://HOST:PORT (needs the 'dask' extra; paths must "
            "be the same on every worker).",
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
    page_size: opts.PageSizeOpt = PageSize.A4,
    flatten: opts.FlattenOpt = False,
    all_frames: opts.AllFramesOpt = False,
    password_file: opts.PasswordFileOpt = None,
    max_files: opts.MaxFilesOpt = 4,
    max_size: opts.MaxSizeOpt = "10MiB",
    strict: opts.StrictOpt = False,
    lang: opts.LangOpt = Lang.EN,
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

    words = lang.value
    if scheduler is not None and jobs is not None:
        raise typer.BadParameter(say("jobs-and-scheduler", words))
    limits = opts.limits(max_files, max_size, words)
    options = Options(
        page_size=page_size,
        flatten=flatten,
        all_frames=all_frames,
        password=opts.password(password_file, words),
        strict=strict,
        lang=lang,
    )
    report_path = report if report is not None else output / batch_api.REPORT_NAME
    progress: BatchProgress | None = None
    try:
        job_list = _plan(source, output, report_path, base, list_format, words)
        progress = BatchProgress(len(job_list), lang=words, quiet=quiet)
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
    except MspDocsError as error:
        if progress is not None:
            progress.stop()
        display.err(say("error", words, code=error.code, message=error.message(words)))
        raise typer.Exit(int(error.exit_code)) from error
    except KeyboardInterrupt:
        if progress is not None:
            progress.interrupted()
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    progress.close(summary)
    raise typer.Exit(int(ExitCode.OK if summary.failed == 0 else ExitCode.JOBS_FAILED))


def _plan(
    source: Path,
    output: Path,
    report: Path,
    base: Path | None,
    list_format: ListFormatChoice | None,
    lang: str,
) -> list[Job]:
    from msp_docs import batch as batch_api

    if source.is_dir():
        if base is not None or list_format is not None:
            raise typer.BadParameter(say("list-options", lang))
        root = source.resolve()
        for path, what in ((output, "the-output"), (report, "the-report")):
            target = path.resolve()
            if target == root or root in target.parents or target in root.parents:
                raise typer.BadParameter(say("inside-input", lang, what=say(what, lang), path=path))
        return batch_api.jobs_from_directory(source)
    fmt: ListFormat | None = None
    if list_format is not None:
        fmt = "csv" if list_format is ListFormatChoice.CSV else "jsonl"
    return batch_api.read_job_list(source, base=base, format=fmt)


# --- progress -----------------------------------------------------------------------------------
def progress_text(
    *,
    total: int,
    done: int,
    skipped: int,
    failed: int,
    seconds: float,
    width: int | None = None,
    lang: str = "en",
) -> str:
    """One progress report: counts, rate and time left; with ``width``, a bar that fits (pure).

    The rate counts every finished job; the time left assumes the same rate for the rest.
    """
    finished = done + skipped + failed
    rate = finished / seconds if seconds > 0 else 0.0
    eta = _clock((total - finished) / rate) if rate > 0 else "?"
    counts = say(
        "batch-line",
        lang,
        finished=finished,
        total=total,
        done=done,
        skipped=skipped,
        failed=failed,
        rate=rate,
        eta=eta,
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


def counts_text(done: int, skipped: int, failed: int, lang: str) -> str:
    """``3 done, 0 skipped, 1 failed`` in ``lang``."""
    return say(
        "batch-counts",
        lang,
        done=done,
        d=agree(done, lang),
        skipped=skipped,
        s=agree(skipped, lang),
        failed=failed,
    )


class BatchProgress:
    """Shows a batch's progress on ``stream``: a bar on a terminal, plain lines otherwise.

    On a terminal, rich draws a bar redrawn in place (at most ten times a second, when a job
    finishes: no thread) and failed jobs are printed above it. Elsewhere (a CI log, a file),
    one line is printed at each tenth of the batch and at its end, or after a minute without
    one, and one line per failed job: nothing is overwritten.
    """

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        *,
        lang: str = "en",
        quiet: bool = False,
        force_terminal: bool = False,
    ) -> None:
        import sys

        from msp_docs.batch import Summary

        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.lang = lang
        self.quiet = quiet
        self.tty = force_terminal or display.is_terminal(self.stream)
        self.counts = Summary(jobs=total)  # the runner's own tally, kept as results arrive
        self.started = time.monotonic()
        self._bar: Progress | None = None
        self._task: Any = None
        self._last_draw = 0.0
        self._last_line = self.started
        self._step = max(1, math.ceil(total / 10))
        self._next_line = self._step
        if self.tty and not quiet:
            self._start_bar(force_terminal)

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
            self._print(
                say(
                    "batch-failed",
                    self.lang,
                    output=result.output,
                    code=error.code,
                    message=error.message,
                )
            )
        if self._bar is not None:
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
        self.stop()
        if self.quiet:
            return
        rate = summary.finished / summary.seconds if summary.seconds > 0 else 0.0
        report = say("batch-report", self.lang, path=summary.report) if summary.report else ""
        counts = counts_text(summary.done, summary.skipped, summary.failed, self.lang)
        self.stream.write(
            say(
                "batch-summary",
                self.lang,
                jobs=count(summary.jobs, "job", self.lang),
                seconds=summary.seconds,
                rate=rate,
                counts=counts,
                report=report,
            )
            + "\n"
        )
        self.stream.flush()

    def interrupted(self) -> None:
        """End the display early (Ctrl-C) with what was done, and how to resume."""
        self.stop()
        counts = counts_text(self.counts.done, self.counts.skipped, self.counts.failed, self.lang)
        self.stream.write(
            say(
                "batch-interrupted",
                self.lang,
                finished=self.finished,
                jobs=count(self.total, "job", self.lang),
                counts=counts,
            )
            + "\n"
        )
        self.stream.flush()

    def stop(self) -> None:
        """Take the bar off the terminal (the summary or an error follows)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _start_bar(self, force_terminal: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        console = Console(
            file=self.stream, force_terminal=force_terminal or None, width=_width(self.stream)
        )
        self._bar = Progress(
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            console=console,
            auto_refresh=False,  # redrawn as results arrive: no thread
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._bar.add_task("", total=self.total, counts=self._counts_now(0.0))
        self._bar.start()

    def _counts_now(self, seconds: float) -> str:
        text = progress_text(
            total=self.total,
            done=self.counts.done,
            skipped=self.counts.skipped,
            failed=self.counts.failed,
            seconds=seconds,
            lang=self.lang,
        )
        return text.split("  ", 1)[1] if "  " in text else text  # the bar shows the N/M part

    def _draw(self, now: float) -> None:
        assert self._bar is not None
        self._bar.update(
            self._task, completed=self.finished, counts=self._counts_now(now - self.started)
        )
        self._bar.refresh()
        self._last_draw = now

    def _print(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            self.stream.write(text + "\n")

    def _line(self, now: float) -> None:
        text = progress_text(
            total=self.total,
            done=self.counts.done,
            skipped=self.counts.skipped,
            failed=self.counts.failed,
            seconds=now - self.started,
            lang=self.lang,
        )
        self.stream.write(say("batch-progress", self.lang, text=text) + "\n")
        self._last_line = now
        while self._next_line <= self.finished:
            self._next_line += self._step


def _width(stream: TextIO) -> int | None:
    """The width of the terminal ``stream`` is (rich would take the environment's word for it)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or None
    except (AttributeError, ValueError, OSError):
        return None
