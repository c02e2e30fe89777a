"""The document commands: ``merge``, ``convert``, ``validate`` and ``inspect``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import typer

from msp_docs.errors import ExitCode
from msp_docs.options import DEFAULT_MIN_DPI, Lang, Options, PageSize
from msp_docs_cli import _display as display
from msp_docs_cli import _options as opts
from msp_docs_cli._text import say

if TYPE_CHECKING:
    from msp_docs import Report

__all__ = ["convert", "inspect", "merge", "validate"]

T = TypeVar("T")


def _run(work: Callable[[display.Spinner], T], *, as_json: bool, lang: str, message: str) -> T:
    """Run library work under a progress display; a refusal ends the command with its code."""
    from msp_docs import MspDocsError

    try:
        with display.Spinner(message, quiet=as_json) as spinner:
            return work(spinner)
    except MspDocsError as error:
        display.fail(error, as_json=as_json, lang=lang)
        raise  # unreachable: fail() always exits


def _write_pdf(
    operation: Literal["merge", "convert"],
    files: list[str],
    output: str,
    *,
    max_files: int,
    max_size: str,
    password_file: Path | None,
    as_json: bool,
    lang: Lang,
    title: str | None,
    page_size: PageSize,
    flatten: bool,
    all_frames: bool,
    strict: bool,
    fit: str | None,
    min_dpi: float,
) -> None:
    """What merge and convert share: check the options, run, report, exit."""
    import msp_docs

    words = lang.value
    if output == "-" and as_json:
        raise typer.BadParameter(say("json-and-stdout", words))
    limits = opts.limits(max_files, max_size, words)
    options = Options(
        password=opts.password(password_file, words),
        lang=lang,
        title=title,
        page_size=page_size,
        flatten=flatten,
        all_frames=all_frames,
        strict=strict,
        fit=opts.fit_size(fit, words),
        min_dpi=min_dpi,
    )
    inputs = opts.inputs(files, words)
    target = opts.output(output, words)

    def work(spinner: display.Spinner) -> Report:
        if operation == "merge":
            return msp_docs.merge(
                inputs, target, limits=limits, options=options, progress=spinner.update
            )
        return msp_docs.convert(
            inputs[0], target, limits=limits, options=options, progress=spinner.update
        )

    message = say("merging" if operation == "merge" else "converting", words)
    report = _run(work, as_json=as_json, lang=words, message=message)
    if as_json:
        typer.echo(report.to_json())
        return
    display.print_report(report)
    display.print_written(report)


def merge(
    files: opts.FilesArg,
    output: opts.OutputOpt,
    title: opts.TitleOpt = None,
    page_size: opts.PageSizeOpt = PageSize.A4,
    flatten: opts.FlattenOpt = False,
    all_frames: opts.AllFramesOpt = False,
    password_file: opts.PasswordFileOpt = None,
    max_files: opts.MaxFilesOpt = 4,
    max_size: opts.MaxSizeOpt = "10MiB",
    strict: opts.StrictOpt = False,
    fit: opts.FitOpt = None,
    min_dpi: opts.MinDpiOpt = DEFAULT_MIN_DPI,
    lang: opts.LangOpt = Lang.EN,
    as_json: opts.JsonOpt = False,
) -> None:
    """Merge FILE... (PDF, PNG, GIF, JPEG) into one PDF, in the order given."""
    _write_pdf(
        "merge", files, output, max_files=max_files, max_size=max_size,
        password_file=password_file, as_json=as_json, lang=lang, title=title,
        page_size=page_size, flatten=flatten, all_frames=all_frames, strict=strict,
        fit=fit, min_dpi=min_dpi,
    )  # fmt: skip


def convert(
    file: opts.FileArg,
    output: opts.OutputOpt,
    title: opts.TitleOpt = None,
    page_size: opts.PageSizeOpt = PageSize.A4,
    flatten: opts.FlattenOpt = False,
    all_frames: opts.AllFramesOpt = False,
    password_file: opts.PasswordFileOpt = None,
    max_size: opts.MaxSizeOpt = "10MiB",
    strict: opts.StrictOpt = False,
    fit: opts.FitOpt = None,
    min_dpi: opts.MinDpiOpt = DEFAULT_MIN_DPI,
    lang: opts.LangOpt = Lang.EN,
    as_json: opts.JsonOpt = False,
) -> None:
    """Convert one FILE into a normalised PDF."""
    _write_pdf(
        "convert", [file], output, max_files=1, max_size=max_size,
        password_file=password_file, as_json=as_json, lang=lang, title=title,
        page_size=page_size, flatten=flatten, all_frames=all_frames, strict=strict,
        fit=fit, min_dpi=min_dpi,
    )  # fmt: skip


def validate(
    files: opts.FilesArg,
    password_file: opts.PasswordFileOpt = None,
    max_size: opts.MaxSizePerFileOpt = "10MiB",
    strict: opts.StrictOpt = False,
    lang: opts.LangOpt = Lang.EN,
    as_json: opts.JsonOpt = False,
) -> None:
    """Check each FILE as merge would, without writing anything (exit 0 only if all pass).

    Files are checked one by one, so any number can be checked at once; the size limit applies
    to each file. The exit code is that of the first refused file.
    """
    import msp_docs
    from msp_docs import MspDocsError, Report

    words = lang.value
    limits = opts.limits(1, max_size, words)
    options = Options(password=opts.password(password_file, words), strict=strict, lang=lang)
    inputs = opts.inputs(files, words)
    combined = Report(operation="validate", lang=words)

    def work(spinner: display.Spinner) -> None:
        for index, source in enumerate(inputs):

            def tick(_done: int, _total: int, index: int = index) -> None:
                spinner.update(index, len(inputs))  # keeps the spinner turning

            try:
                report = msp_docs.validate([source], limits=limits, options=options, progress=tick)
            except MspDocsError as error:  # this file alone: an unreadable or too large one
                assert error.report is not None
                report = error.report
            for entry in report.inputs:
                entry.index = index
                combined.inputs.append(entry)
            spinner.update(index + 1, len(inputs))

    _run(work, as_json=as_json, lang=words, message=say("checking", words))
    if as_json:
        typer.echo(combined.to_json())
    else:
        display.print_report(combined)
        display.err(display.tally(combined))
    refused = [entry.error for entry in combined.inputs if entry.error is not None]
    if refused:
        raise typer.Exit(int(refused[0].exit_code))
    raise typer.Exit(int(ExitCode.OK))


def inspect(
    file: opts.FileArg,
    password_file: opts.PasswordFileOpt = None,
    max_size: opts.MaxSizeOpt = "10MiB",
    lang: opts.LangOpt = Lang.EN,
    as_json: opts.JsonOpt = False,
) -> None:
    """Describe FILE: what it really is, its size, pages, pixels and format details."""
    import msp_docs

    words = lang.value
    limits = opts.limits(1, max_size, words)
    options = Options(password=opts.password(password_file, words), lang=lang)
    (source,) = opts.inputs([file], words)
    entry = _run(
        lambda spinner: msp_docs.inspect(
            source, limits=limits, options=options, progress=spinner.update
        ),
        as_json=as_json,
        lang=words,
        message=say("inspecting", words),
    )
    if as_json:
        typer.echo(json.dumps(entry.to_dict(words), indent=2, ensure_ascii=False))
    else:
        for line in display.describe_input(entry, words):
            typer.echo(line)
        for key, value in sorted(entry.details.items()):
            typer.echo(say("detail", words, key=key, value=display.short(value)))
    if entry.error is not None:
        raise typer.Exit(int(entry.error.exit_code))
