"""Where jobs come from: job lists (CSV, JSON Lines) and directory trees mirrored into PDFs."""

from __future__ import annotations

import csv
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from msp_docs.batch._model import Job
from msp_docs.errors import CannotReadInput, JobListError, Reason, _os_reason

__all__ = [
    "ListFormat",
    "UnsafeOutput",
    "clean_output",
    "jobs_from_directory",
    "list_format",
    "parse_job_list",
    "plan_directory",
    "read_job_list",
]

ListFormat = Literal["csv", "jsonl"]

_SUFFIXES: dict[str, ListFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_INPUT_COLUMN = re.compile(r"input(\d*)")
_JSON_KEYS = {"output", "inputs", "input", "title"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


# --- job lists ----------------------------------------------------------------------------------
def list_format(path: str | os.PathLike[str]) -> ListFormat:
    """The format of a job list from its name: ``.csv``, or ``.jsonl`` / ``.ndjson``.

    Raises:
        JobListError: another extension (pass the format explicitly then).
    """
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise JobListError(source=os.fspath(path), reason=Reason.LIST_FORMAT_UNKNOWN)
    return _SUFFIXES[suffix]


def read_job_list(
    path: str | os.PathLike[str],
    *,
    base: str | os.PathLike[str] | None = None,
    format: ListFormat | None = None,
) -> list[Job]:
    """Read a job list: one output PDF per line, from 1 to ``Limits.max_files`` inputs each.

    CSV has a header row naming its columns: ``output``, ``input1``, ``input2``... (or a single
    ``input``), and optionally ``title``; empty input cells are ignored. JSON Lines has one object
    per line: ``{"output": "a.pdf", "inputs": ["x.jpg", "y.pdf"], "title": "..."}``.

    Args:
        path: The job list.
        base: Directory that relative input paths are relative to; default the job list's own
            directory, so a list and its files can be moved together.
        format: ``"csv"`` or ``"jsonl"``; default from the file's extension.

    Raises:
        CannotReadInput: the file cannot be read.
        JobListError: a line is malformed, names no input, an unsafe output path, or an output
            another line already names.
    """
    source = os.fspath(path)
    fmt = format or list_format(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except OSError as exc:
        reason, value = _os_reason(exc)
        raise CannotReadInput(input_name=source, reason=reason, value=value) from exc
    except UnicodeDecodeError as exc:
        raise JobListError(detail=exc.reason, source=source, reason=Reason.NOT_UTF8) from exc
    root = os.fspath(base) if base is not None else os.path.dirname(source)
    return parse_job_list(text.splitlines(keepends=True), format=fmt, source=source, base=root)


def parse_job_list(
    lines: Iterable[str], *, format: ListFormat, source: str = "<jobs>", base: str = ""
) -> list[Job]:
    """Turn the lines of a job list into jobs (pure: reads no file).

    Args:
        lines: The text, line by line (line ends kept or not).
        format: ``"csv"`` or ``"jsonl"``.
        source: Name used in error messages.
        base: Prefix of relative input paths.

    Raises:
        JobListError: see :func:`read_job_list`.
    """
    rows = _csv_rows(lines, source) if format == "csv" else _jsonl_rows(lines, source)
    jobs: list[Job] = []
    seen: dict[str, int] = {}
    for line, output, inputs, title in rows:
        name = _output_or_error(output, source, line)
        if name in seen:
            raise JobListError(
                detail=name,
                source=source,
                line=line,
                reason=Reason.OUTPUT_OF_LINE,
                value=seen[name],
            )
        seen[name] = line
        if not inputs:
            raise JobListError(source=source, line=line, reason=Reason.NO_INPUT)
        paths = tuple(p if os.path.isabs(p) else os.path.join(base, p) for p in inputs)
        jobs.append(Job(output=name, inputs=paths, title=title or None))
    return jobs


def _csv_rows(
    lines: Iterable[str], source: str
) -> Iterable[tuple[int, str, list[str], str | None]]:
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        columns = [c.strip().lower() for c in header]
        input_columns = _input_columns(columns, source)
        if "output" not in columns:
            raise JobListError(source=source, line=1, reason=Reason.NO_OUTPUT_COLUMN)
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                raise JobListError(
                    source=source, line=line, reason=Reason.TOO_MANY_CELLS, value=len(row)
                )
            cells = dict(zip(columns, row, strict=False))
            inputs = [cells[c].strip() for c in input_columns if cells.get(c, "").strip()]
            title = cells.get("title", "").strip() or None
            yield line, cells.get("output", ""), inputs, title
    except csv.Error as exc:
        raise JobListError(
            source=source, line=reader.line_num, reason=Reason.NOT_CSV, value=str(exc)
        ) from exc


def _input_columns(columns: list[str], source: str) -> list[str]:
    numbered: list[tuple[int, str]] = []
    for column in columns:
        if column in ("output", "title"):
            continue
        match = _INPUT_COLUMN.fullmatch(column)
        if match is None:
            raise JobListError(source=source, line=1, reason=Reason.UNKNOWN_COLUMN, value=column)
        numbered.append((int(match.group(1) or 0), column))
    if len({n for n, _ in numbered}) != len(numbered):
        raise JobListError(source=source, line=1, reason=Reason.DUPLICATE_INPUT_COLUMN)
    return [column for _, column in sorted(numbered)]


def _jsonl_rows(
    lines: Iterable[str], source: str
) -> Iterable[tuple[int, str, list[str], str | None]]:
    for line, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except ValueError as exc:
            raise JobListError(
                source=source, line=line, reason=Reason.NOT_JSON, value=str(exc)
            ) from exc
        if not isinstance(item, dict):
            raise JobListError(source=source, line=line, reason=Reason.NOT_AN_OBJECT)
        unknown = set(item) - _JSON_KEYS
        if unknown:
            raise JobListError(
                source=source,
                line=line,
                reason=Reason.UNKNOWN_KEYS,
                value=", ".join(sorted(repr(k) for k in unknown)),
            )
        yield (
            line,
            _string(item, "output", source, line),
            _inputs(item, source, line),
            (_optional_string(item, "title", source, line)),
        )


def _inputs(item: dict[str, Any], source: str, line: int) -> list[str]:
    if "inputs" in item and "input" in item:
        raise JobListError(source=source, line=line, reason=Reason.INPUTS_AND_INPUT)
    raw = item.get("inputs", [item["input"]] if "input" in item else [])
    if not isinstance(raw, list) or not all(isinstance(p, str) and p for p in raw):
        raise JobListError(source=source, line=line, reason=Reason.INPUTS_NOT_A_LIST)
    return list(raw)


def _string(item: dict[str, Any], key: str, source: str, line: int) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise JobListError(source=source, line=line, reason=Reason.NOT_A_STRING, value=key)
    return value


def _optional_string(item: dict[str, Any], key: str, source: str, line: int) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise JobListError(source=source, line=line, reason=Reason.NOT_A_STRING, value=key)
    return value


def _output_or_error(raw: str, source: str, line: int) -> str:
    try:
        return clean_output(raw)
    except UnsafeOutput as exc:
        raise JobListError(source=source, line=line, reason=exc.reason, value=exc.value) from exc


def clean_output(raw: str) -> str:
    """Check an output path from a job list and normalise it (pure).

    It must be relative and stay inside the output directory: no ``..``, no empty or ``.``
    component, no backslash or control character. ``.pdf`` is appended when missing.

    Raises:
        ValueError: the path is unsafe or empty (an :class:`UnsafeOutput`, whose ``reason``
            says why).
    """
    text = raw.strip()
    if not text:
        raise UnsafeOutput(Reason.OUTPUT_EMPTY, raw)
    if _CONTROL.search(text):
        raise UnsafeOutput(Reason.OUTPUT_CONTROL_CHARACTER, repr(raw)[1:-1])
    if text.startswith("/"):
        raise UnsafeOutput(Reason.OUTPUT_ABSOLUTE, raw)
    parts = text.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UnsafeOutput(Reason.OUTPUT_OUTSIDE, raw)
    if not text.lower().endswith(".pdf"):
        text += ".pdf"
    return text


class UnsafeOutput(ValueError):
    """An output path of a job that is unsafe or empty: why, and the path as given."""

    def __init__(self, reason: Reason, value: str) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.value = value


# --- directories --------------------------------------------------------------------------------
def jobs_from_directory(root: str | os.PathLike[str]) -> list[Job]:
    """One job per file under ``root`` (recursively), its PDF at the same place in the output.

    Every entry that is not a directory becomes a job, whatever its name or type: a file the
    wallet does not take fails (``unsupported-kind``, ``not a regular file``...) and is
    reported, never skipped in silence. Symbolic links to directories are not followed (they
    could loop); they fail as "not a regular file". Names are sorted, so the plan is the same on
    every machine.

    Raises:
        JobListError: ``root`` is not a directory.
        CannotReadInput: a directory of the tree cannot be listed.
    """
    source = os.fspath(root)
    if not os.path.isdir(source):
        raise JobListError(source=source, reason=Reason.SOURCE_NOT_A_DIRECTORY)
    relative = list(_walk(source))
    return [
        Job(output=output, inputs=(os.path.join(source, *name.split("/")),))
        for name, output in plan_directory(relative)
    ]


def _walk(root: str) -> Iterator[str]:
    """Relative POSIX paths of every non-directory entry under ``root``, depth first, sorted.

    Iterative, so a deep tree cannot exhaust the interpreter's recursion limit.
    """
    stack: list[tuple[str, Iterator[os.DirEntry[str]]]] = [("", _entries(root))]
    while stack:
        prefix, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        name = f"{prefix}/{entry.name}" if prefix else entry.name
        try:
            is_dir = stat.S_ISDIR(entry.stat(follow_symlinks=False).st_mode)
        except OSError:
            is_dir = False  # vanished or unreadable: the job will say so
        if is_dir:
            stack.append((name, _entries(entry.path)))
        else:
            yield name


def _entries(directory: str) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as it:
            return iter(sorted(it, key=lambda e: e.name))
    except OSError as exc:
        reason, value = _os_reason(exc)
        raise CannotReadInput(input_name=directory, reason=reason, value=value) from exc


def plan_directory(files: Sequence[str]) -> list[tuple[str, str]]:
    """Pair each file (relative POSIX path) with its output PDF's relative path (pure).

    ``scan.jpg`` gives ``scan.pdf``. When two files of one directory would give the same name
    (``a.jpg`` and ``a.png``; ``a.pdf`` and ``a.jpg``), each of them keeps its whole name
    instead (``a.jpg.pdf``, ``a.png.pdf``), repeated until no two outputs clash: the rule depends
    only on the names present, so it is the same on every run and every machine.
    """
    outputs = {name: _replace_suffix(name) for name in files}
    while True:
        owners: dict[str, list[str]] = {}
        for name, output in outputs.items():
            owners.setdefault(output.casefold(), []).append(name)
        clashing = [n for group in owners.values() if len(group) > 1 for n in group]
        changed = [n for n in clashing if outputs[n] != n + ".pdf"]
        if not changed:
            break
        for name in changed:
            outputs[name] = name + ".pdf"
    return [(name, outputs[name]) for name in files]


def _replace_suffix(name: str) -> str:
    directory, _, base = name.rpartition("/")
    stem, dot, _suffix = base.rpartition(".")
    if dot and stem:
        base = stem
    out = base + ".pdf"
    return f"{directory}/{out}" if directory else out
