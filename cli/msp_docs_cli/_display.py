"""What the human sees on standard error: each input's outcome, the errors, a progress display.

The progress display is rich's, driven by the work itself (the library calls back as inputs are
processed, about ten times a second): it starts no thread, since the library forks decoding
children from this process, and forking a process that runs threads can deadlock the child.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

import typer

from msp_docs_cli._text import agree, count, say

if TYPE_CHECKING:
    from rich.progress import Progress

    from msp_docs import InputReport, MspDocsError, Report

__all__ = [
    "Spinner",
    "describe_input",
    "err",
    "fail",
    "is_terminal",
    "print_report",
    "print_written",
    "short",
    "tally",
]

#: Seconds of work before the progress display appears (quick commands print no animation).
SHOW_AFTER = 0.5


def err(text: str) -> None:
    """Print a line on standard error."""
    typer.echo(text, err=True)


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal a progress display may draw on."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def describe_input(entry: InputReport, lang: str) -> list[str]:
    """The lines that tell one input's outcome: accepted with its facts, or the refusal."""
    lines = []
    if entry.status == "accepted":
        facts = [entry.kind.value.upper() if entry.kind else "?"]
        if entry.pages is not None:
            facts.append(count(entry.pages, "page", lang))
        if entry.width and entry.height:
            facts.append(say("pixels", lang, width=entry.width, height=entry.height))
        accepted = say("accepted", lang)
        lines.append(say("input", lang, accepted=accepted, name=entry.name, facts=", ".join(facts)))
    elif entry.error is not None:
        lines.append(f"{say('refused', lang)} {entry.error.message(lang)}")
    for note in entry.actions:
        lines.append(f"        {say('done', lang)}{note.message(lang)}")
    for note in entry.warnings:
        lines.append(f"        {say('warning', lang)}{note.message(lang)}")
    return lines


def print_report(report: Report) -> None:
    """Every input's lines, on standard error."""
    for entry in report.inputs:
        for line in describe_input(entry, report.lang):
            err(line)


def print_written(report: Report) -> None:
    """The line that says where the output went."""
    out = report.output
    if out is None:
        return
    lang = report.lang
    target = say("standard-output", lang) if out.target == "<stream>" else out.target
    err(
        say(
            "wrote",
            lang,
            target=target,
            pages=count(out.pages, "page", lang),
            size=count(out.bytes, "byte", lang),
        )
    )


def tally(report: Report) -> str:
    """How many inputs were checked, accepted and refused (``validate``)."""
    lang = report.lang
    refused = len(report.rejected)
    accepted = sum(1 for i in report.inputs if i.accepted)
    return say(
        "validated",
        lang,
        files=count(len(report.inputs), "file", lang),
        s=agree(len(report.inputs), lang),
        accepted=accepted,
        a=agree(accepted, lang),
        refused=refused,
        r=agree(refused, lang),
    )


def fail(error: MspDocsError, *, as_json: bool, lang: str) -> None:
    """Report the error that ended a command, once, then exit with its code.

    In human mode the inputs are listed first; an error that is one input's refusal has been
    printed with it, so only what the list does not say is added.
    """
    report = error.report
    if as_json and report is not None:
        typer.echo(report.to_json())
    elif report is not None:
        print_report(report)
    shown = report is not None and any(i.error is error for i in report.inputs)
    if as_json or not shown:
        err(say("error", lang, code=error.code, message=error.message(lang)))
    elif report is not None and report.operation in ("merge", "convert"):
        err(say("not-written", lang))
    raise typer.Exit(int(error.exit_code))


def short(value: Any) -> str:
    """A value for a details line, cut at 200 characters."""
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


class Spinner:
    """A spinner, a count and the time spent, on a terminal's standard error.

    Drawn only on a terminal, only when ``quiet`` is off, and only once the work has taken
    :data:`SHOW_AFTER` seconds; redrawn each time the work calls :meth:`update` (no thread).
    """

    def __init__(
        self, message: str, *, quiet: bool, stream: TextIO | None = None, force: bool = False
    ) -> None:
        self.message = message
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and (force or is_terminal(self.stream))
        self.force = force
        self.started = time.monotonic()
        self._progress: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> Spinner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def update(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` items are finished (and that work goes on)."""
        if not self.enabled or time.monotonic() - self.started < SHOW_AFTER:
            return
        if self._progress is None:
            self._start(total)
        assert self._progress is not None
        self._progress.update(self._task, completed=done, total=total)
        self._progress.refresh()

    def _start(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=self.stream, force_terminal=self.force or None)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            auto_refresh=False,  # no refresh thread: the work calls update()
            transient=True,
            redirect_stdout=False,  # standard output may be carrying the PDF
            redirect_stderr=False,
        )
        self._task = self._progress.add_task(self.message, total=total)
        self._progress.start()
