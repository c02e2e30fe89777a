"""The options commands share, and turning them into the library's values (limits, inputs...)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from msp_docs.limits import Limits
from msp_docs.options import Lang, PageSize
from msp_docs_cli._text import say

if TYPE_CHECKING:
    from msp_docs import Input

__all__ = [
    "AllFramesOpt",
    "FileArg",
    "FilesArg",
    "FitOpt",
    "FlattenOpt",
    "JsonOpt",
    "LangOpt",
    "MaxFilesOpt",
    "MaxSizeOpt",
    "MaxSizePerFileOpt",
    "MinDpiOpt",
    "OutputOpt",
    "PageSizeOpt",
    "PasswordFileOpt",
    "StrictOpt",
    "TitleOpt",
    "fit_size",
    "inputs",
    "limits",
    "output",
    "parse_size",
    "password",
]

FilesArg = Annotated[
    list[str],
    typer.Argument(help="Input files in order; '-' reads standard input.", metavar="FILE..."),
]
FileArg = Annotated[
    str, typer.Argument(help="Input file; '-' reads standard input.", metavar="FILE")
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
MaxFilesOpt = Annotated[int, typer.Option("--max-files", min=1, help="Most files per merge.")]
MaxSizeOpt = Annotated[
    str, typer.Option("--max-size", help="Most bytes over all inputs (and for the output).")
]
MaxSizePerFileOpt = Annotated[str, typer.Option("--max-size", help="Most bytes of each file.")]
OutputOpt = Annotated[str, typer.Option("-o", "--output", help="Output PDF; '-' for stdout.")]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Title of the document.")]
PageSizeOpt = Annotated[PageSize, typer.Option("--page-size", help="Page size for images.")]
FlattenOpt = Annotated[bool, typer.Option("--flatten", help="Composite transparency onto white.")]
AllFramesOpt = Annotated[
    bool, typer.Option("--all-frames", help="Every frame of an animated GIF as a page.")
]
FitOpt = Annotated[
    str | None,
    typer.Option(
        "--fit",
        help="Make the output at most this size (e.g. 10MiB) by reducing images; inputs may "
        "then total up to 80 MiB.",
    ),
]
MinDpiOpt = Annotated[
    float,
    typer.Option("--min-dpi", min=10, max=1200, help="With --fit: never below this resolution."),
]

_UNITS = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1000, "kib": 1024,
    "m": 1000**2, "mb": 1000**2, "mib": 1024**2, "mo": 1024**2,
    "g": 1000**3, "gb": 1000**3, "gib": 1024**3,
}  # fmt: skip


def parse_size(text: str, lang: str = "en") -> int:
    """Parse ``10MiB``, ``512 KiB``, ``2MB`` or ``1048576`` into bytes.

    KiB/MiB/GiB are binary, kB/MB/GB decimal; ``Mo`` (the French "mégaoctet" of rule D2) is
    read as MiB, as the service decided.

    Raises:
        typer.BadParameter: not a size.
    """
    raw = text.strip().replace(" ", "").replace("_", "").lower()
    number = raw.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = raw[len(number) :]
    if unit not in _UNITS or not number:
        raise typer.BadParameter(say("not-a-size", lang, text=text))
    try:
        value = float(number)
    except ValueError as exc:
        raise typer.BadParameter(say("not-a-size", lang, text=text)) from exc
    size = int(value * _UNITS[unit])
    if size <= 0:
        raise typer.BadParameter(say("size-not-positive", lang))
    return size


def fit_size(text: str | None, lang: str) -> int | None:
    """The size ``--fit`` asks for, in bytes, or ``None`` without the option."""
    return None if text is None else parse_size(text, lang)


def limits(max_files: int, max_size: str, lang: str) -> Limits:
    """The limits of a call: ``max_size`` bounds the inputs together and the output."""
    size = parse_size(max_size, lang)
    return Limits(max_files=max_files, max_total_bytes=size, max_output_bytes=size)


def password(path: Path | None, lang: str) -> str | None:
    """The first line of the password file, if one is given."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(say("password-file", lang, reason=exc)) from exc
    return text.splitlines()[0] if text else ""


def inputs(files: list[str], lang: str) -> list[Input]:
    """The inputs as the library takes them; ``-`` is standard input (at most once)."""
    from msp_docs import Input

    if files.count("-") > 1:
        raise typer.BadParameter(say("stdin-twice", lang))
    return [Input(sys.stdin.buffer, name="stdin") if f == "-" else Input(f) for f in files]


def output(target: str, lang: str) -> str | BinaryIO:
    """The output: a path, or standard output for ``-`` (never a terminal)."""
    if target != "-":
        return target
    if sys.stdout.isatty():
        raise typer.BadParameter(say("pdf-to-terminal", lang))
    return sys.stdout.buffer
