"""The ``msp-docs`` command line: the only place where errors become exit codes."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, Literal, TypeVar

import typer

from msp_docs._version import __version__
from msp_docs.limits import Limits
from msp_docs.options import Lang, Options, PageSize

if TYPE_CHECKING:
    from msp_docs._sources import Input
    from msp_docs.errors import MspDocsError
    from msp_docs.report import InputReport, Report

__all__ = ["app", "main", "parse_size"]

EXIT_OK = 0
EXIT_USAGE = 2

app = typer.Typer(
    name="msp-docs",
    help="Validate, normalise and merge PDF, PNG, GIF and JPEG files into one safe PDF.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

T = TypeVar("T")

_UNITS = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1000, "kib": 1024,
    "m": 1000**2, "mb": 1000**2, "mib": 1024**2, "mo": 1024**2,
    "g": 1000**3, "gb": 1000**3, "gib": 1024**3,
}  # fmt: skip


def parse_size(text: str) -> int:
    """Parse ``10MiB``, ``512 KiB``, ``2MB`` or ``1048576`` into bytes.

    KiB/MiB/GiB are binary, kB/MB/GB decimal; ``Mo`` (the French "mégaoctet" of rule D2) is
    read as MiB, as the service decided.
    """
    raw = text.strip().replace(" ", "").replace("_", "").lower()
    number = raw.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = raw[len(number) :]
    if unit not in _UNITS or not number:
        raise typer.BadParameter(f"not a size: {text!r} (use e.g. 10MiB, 500KiB, 2000000)")
    try:
        value = float(number)
    except ValueError as exc:
        raise typer.BadParameter(f"not a size: {text!r}") from exc
    size = int(value * _UNITS[unit])
    if size <= 0:
        raise typer.BadParameter("a size must be positive")
    return size


def _version(value: bool) -> None:
    if value:
        typer.echo(f"msp-docs {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Validate, normalise and merge PDF, PNG, GIF and JPEG files into one safe PDF.

    Exit codes: 0 ok, 1 internal error, 2 usage, 3 limit exceeded, 4 unsupported file,
    5 damaged file, 6 password needed or wrong, 7 refused as unsafe, 8 cannot read/write.
    """


# --- shared options -----------------------------------------------------------------------------
FilesArg = Annotated[
    list[str], typer.Argument(help="Input files in order; '-' reads standard input.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the JSON report on standard output.")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of messages.")]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Refuse files whose extension disagrees with content.")
]
PasswordFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="File whose first line is the password of encrypted PDFs.",
        dir_okay=False,
    ),
]
MaxFilesOpt = Annotated[int, typer.Option("--max-files", min=1, help="Most files per call.")]
MaxSizeOpt = Annotated[
    str, typer.Option("--max-size", help="Most bytes over all inputs (and for the output).")
]


def _limits(max_files: int, max_size: str) -> Limits:
    size = parse_size(max_size)
    return Limits(max_files=max_files, max_total_bytes=size, max_output_bytes=size)


def _password(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"cannot read the password file: {exc}") from exc
    return text.splitlines()[0] if text else ""


def _inputs(files: list[str]) -> list[Input]:
    from msp_docs._sources import Input

    if files.count("-") > 1:
        raise typer.BadParameter("standard input ('-') can be read only once")
    out = []
    for name in files:
        if name == "-":
            out.append(Input(sys.stdin.buffer, name="stdin"))
        else:
            out.append(Input(name))
    return out


# --- output to the terminal ---------------------------------------------------------------------
def _err(text: str) -> None:
    typer.echo(text, err=True)


@contextmanager
def _progress(message: str, *, quiet: bool) -> Iterator[None]:
    """Show a spinner on a terminal's stderr when the work takes longer than half a second."""
    if quiet or not sys.stderr.isatty():
        yield
        return
    stop = threading.Event()

    def spin() -> None:
        if stop.wait(0.5):
            return
        frames = "|/-\\"
        i = 0
        while not stop.wait(0.1):
            sys.stderr.write(f"\r{message} {frames[i % 4]}")
            sys.stderr.flush()
            i += 1
        sys.stderr.write("\r" + " " * (len(message) + 2) + "\r")
        sys.stderr.flush()

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# The words of the human output: (accepted, refused, done, warning, separator), per language.
_LABELS = {
    "en": ("  ok ", "  NO ", "done: ", "warning: ", ": "),
    "fr": ("  ok ", " NON ", "fait : ", "attention : ", " : "),
}


def _describe_input(entry: InputReport, lang: str) -> list[str]:
    accepted, refused, done, warning, colon = _LABELS.get(lang, _LABELS["en"])
    lines = []
    if entry.status == "accepted":
        facts = [entry.kind.value.upper() if entry.kind else "?"]
        if entry.pages is not None:
            facts.append(f"{entry.pages} page{'s' if entry.pages != 1 else ''}")
        if entry.width and entry.height:
            facts.append(f"{entry.width}×{entry.height} px")
        lines.append(f"{accepted} {entry.name}{colon}{', '.join(facts)}")
    elif entry.error is not None:
        lines.append(f"{refused} {entry.error.message(lang)}")
    for note in entry.actions:
        lines.append(f"        {done}{note.message(lang)}")
    for note in entry.warnings:
        lines.append(f"        {warning}{note.message(lang)}")
    return lines


def _print_report(report: Report) -> None:
    for entry in report.inputs:
        for line in _describe_input(entry, report.lang):
            _err(line)


def _fail(error: MspDocsError, *, as_json: bool, lang: str) -> None:
    if as_json and error.report is not None:
        typer.echo(error.report.to_json())
    elif error.report is not None:
        _print_report(error.report)
    _err(f"error [{error.code}]: {error.message(lang)}")
    raise typer.Exit(error.exit_code)


def _run(work: Callable[[], T], *, as_json: bool, lang: str, message: str) -> T:
    from msp_docs.errors import MspDocsError

    try:
        with _progress(message, quiet=as_json):
            return work()
    except MspDocsError as error:
        _fail(error, as_json=as_json, lang=lang)
        raise  # unreachable: _fail always exits


def _open_output(output: str) -> str | BinaryIO:
    if output != "-":
        return output
    if sys.stdout.isatty():
        raise typer.BadParameter(
            "refusing to write a PDF to a terminal; redirect it or name a file"
        )
    return sys.stdout.buffer


# --- commands -----------------------------------------------------------------------------------
OutputOpt = Annotated[str, typer.Option("-o", "--output", help="Output PDF; '-' for stdout.")]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Title of the document.")]
PageSizeOpt = Annotated[PageSize, typer.Option("--page-size", help="Page size for images.")]
FlattenOpt = Annotated[bool, typer.Option("--flatten", help="Composite transparency onto white.")]
AllFramesOpt = Annotated[
    bool, typer.Option("--all-frames", help="Every frame of an animated GIF as a page.")
]


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
    **choices: Any,
) -> None:
    """What merge and convert share: check the options, run, report, exit."""
    from msp_docs import _api as api

    if output == "-" and as_json:
        raise typer.BadParameter("--json and '-o -' both use standard output; choose one")
    limits = _limits(max_files, max_size)
    options = Options(password=_password(password_file), lang=lang, **choices)
    inputs = _inputs(files)
    target = _open_output(output)
    if operation == "merge":
        work = partial(api.merge, inputs, target, limits=limits, options=options)
        message = f"Merging {len(files)} file(s)"
    else:
        work = partial(api.convert, inputs[0], target, limits=limits, options=options)
        message = "Converting"
    report = _run(work, as_json=as_json, lang=lang.value, message=message)
    _success(report, as_json=as_json)


@app.command()
def merge(
    files: FilesArg,
    output: OutputOpt,
    title: TitleOpt = None,
    page_size: PageSizeOpt = PageSize.A4,
    flatten: FlattenOpt = False,
    all_frames: AllFramesOpt = False,
    password_file: PasswordFileOpt = None,
    max_files: MaxFilesOpt = 4,
    max_size: MaxSizeOpt = "10MiB",
    strict: StrictOpt = False,
    lang: LangOpt = Lang.EN,
    as_json: JsonOpt = False,
) -> None:
    """Merge FILES (PDF, PNG, GIF, JPEG) into one PDF, in the order given."""
    _write_pdf(
        "merge", files, output, max_files=max_files, max_size=max_size,
        password_file=password_file, as_json=as_json, lang=lang, title=title,
        page_size=page_size, flatten=flatten, all_frames=all_frames, strict=strict,
    )  # fmt: skip


@app.command()
def convert(
    file: Annotated[str, typer.Argument(help="Input file; '-' reads standard input.")],
    output: OutputOpt,
    title: TitleOpt = None,
    page_size: PageSizeOpt = PageSize.A4,
    flatten: FlattenOpt = False,
    all_frames: AllFramesOpt = False,
    password_file: PasswordFileOpt = None,
    max_size: MaxSizeOpt = "10MiB",
    strict: StrictOpt = False,
    lang: LangOpt = Lang.EN,
    as_json: JsonOpt = False,
) -> None:
    """Convert one FILE into a normalised PDF."""
    _write_pdf(
        "convert", [file], output, max_files=1, max_size=max_size,
        password_file=password_file, as_json=as_json, lang=lang, title=title,
        page_size=page_size, flatten=flatten, all_frames=all_frames, strict=strict,
    )  # fmt: skip


def _success(report: Report, *, as_json: bool) -> None:
    if as_json:
        typer.echo(report.to_json())
        return
    _print_report(report)
    if report.output is not None:
        out = report.output
        target = "standard output" if out.target == "<stream>" else out.target
        _err(f"wrote {target}: {out.pages} page(s), {out.bytes} bytes")


@app.command()
def validate(
    files: FilesArg,
    password_file: PasswordFileOpt = None,
    max_files: MaxFilesOpt = 4,
    max_size: MaxSizeOpt = "10MiB",
    strict: StrictOpt = False,
    lang: LangOpt = Lang.EN,
    as_json: JsonOpt = False,
) -> None:
    """Check FILES as merge would, without writing anything (exit 0 only if all pass)."""
    from msp_docs._api import validate as validate_files

    limits = _limits(max_files, max_size)
    options = Options(password=_password(password_file), strict=strict, lang=lang)
    inputs = _inputs(files)
    report = _run(
        lambda: validate_files(inputs, limits=limits, options=options),
        as_json=as_json,
        lang=lang.value,
        message=f"Checking {len(files)} file(s)",
    )
    if as_json:
        typer.echo(report.to_json())
    else:
        _print_report(report)
    rejected = report.rejected
    if rejected and rejected[0].error is not None:
        raise typer.Exit(rejected[0].error.exit_code)


@app.command()
def inspect(
    file: Annotated[str, typer.Argument(help="Input file; '-' reads standard input.")],
    password_file: PasswordFileOpt = None,
    max_size: MaxSizeOpt = "10MiB",
    lang: LangOpt = Lang.EN,
    as_json: JsonOpt = False,
) -> None:
    """Describe FILE: what it really is, its size, pages, pixels and format details."""
    import json

    from msp_docs._api import inspect as inspect_file

    limits = _limits(1, max_size)
    options = Options(password=_password(password_file), lang=lang)
    (source,) = _inputs([file])
    entry = _run(
        lambda: inspect_file(source, limits=limits, options=options),
        as_json=as_json,
        lang=lang.value,
        message="Inspecting",
    )
    if as_json:
        typer.echo(json.dumps(entry.to_dict(lang.value), indent=2, ensure_ascii=False))
    else:
        for line in _describe_input(entry, lang.value):
            typer.echo(line)
        for key, value in sorted(entry.details.items()):
            typer.echo(f"        {key}: {_short(value)}")
    if entry.error is not None:
        raise typer.Exit(entry.error.exit_code)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


def main() -> None:
    """Console-script entry point."""
    # A broken pipe (``msp-docs ... -o - | head``) is the reader's choice, not our error.
    try:
        app()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


import msp_docs_cli.batch_cmd  # noqa: E402 - registers `msp-docs batch` on `app`
import msp_docs_cli.cerfa_cmd  # noqa: E402, F401 - registers `msp-docs cerfa` on `app`
