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

from msp_docs.batch._model import Job, JobListError
from msp_docs.errors import CannotReadInput

__all__ = [
    "ListFormat",
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
        raise JobListError(
            "cannot tell the job list's format from its name: use .csv or .jsonl, or give the "
            "format",
            source=os.fspath(path),
        )
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
        raise CannotReadInput(input_name=source, reason=exc.strerror or str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise JobListError(f"not UTF-8 text ({exc.reason})", source=source) from exc
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
                f"output {name!r} is already the output of line {seen[name]}",
                source=source,
                line=line,
            )
        seen[name] = line
        if not inputs:
            raise JobListError("no input file", source=source, line=line)
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
            raise JobListError(
                "the header row has no 'output' column (expected e.g. "
                "'output,input1,input2,title')",
                source=source,
                line=1,
            )
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                raise JobListError(
                    f"{len(row)} cells but the header names {len(columns)} columns",
                    source=source,
                    line=line,
                )
            cells = dict(zip(columns, row, strict=False))
            inputs = [cells[c].strip() for c in input_columns if cells.get(c, "").strip()]
            title = cells.get("title", "").strip() or None
            yield line, cells.get("output", ""), inputs, title
    except csv.Error as exc:
        raise JobListError(f"not valid CSV ({exc})", source=source, line=reader.line_num) from exc


def _input_columns(columns: list[str], source: str) -> list[str]:
    numbered: list[tuple[int, str]] = []
    for column in columns:
        if column in ("output", "title"):
            continue
        match = _INPUT_COLUMN.fullmatch(column)
        if match is None:
            raise JobListError(
                f"unknown column {column!r} (columns: output, input1, input2..., title)",
                source=source,
                line=1,
            )
        numbered.append((int(match.group(1) or 0), column))
    if len({n for n, _ in numbered}) != len(numbered):
        raise JobListError("two input columns have the same number", source=source, line=1)
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
            raise JobListError(f"not valid JSON ({exc})", source=source, line=line) from exc
        if not isinstance(item, dict):
            raise JobListError("each line must be a JSON object", source=source, line=line)
        unknown = set(item) - _JSON_KEYS
        if unknown:
            raise JobListError(
                f"unknown key(s) {sorted(unknown)} (keys: output, inputs, title)",
                source=source,
                line=line,
            )
        yield (
            line,
            _string(item, "output", source, line),
            _inputs(item, source, line),
            (_optional_string(item, "title", source, line)),
        )


def _inputs(item: dict[str, Any], source: str, line: int) -> list[str]:
    if "inputs" in item and "input" in item:
        raise JobListError("give 'inputs' or 'input', not both", source=source, line=line)
    raw = item.get("inputs", [item["input"]] if "input" in item else [])
    if not isinstance(raw, list) or not all(isinstance(p, str) and p for p in raw):
        raise JobListError("'inputs' must be a list of file paths", source=source, line=line)
    return list(raw)


def _string(item: dict[str, Any], key: str, source: str, line: int) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise JobListError(f"'{key}' must be a string", source=source, line=line)
    return value


def _optional_string(item: dict[str, Any], key: str, source: str, line: int) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise JobListError(f"'{key}' must be a string", source=source, line=line)
    return value


def _output_or_error(raw: str, source: str, line: int) -> str:
    try:
        return clean_output(raw)
    except ValueError as exc:
        raise JobListError(str(exc), source=source, line=line) from exc


def clean_output(raw: str) -> str:
    """Check an output path from a job list and normalise it (pure).

    It must be relative and stay inside the output directory: no ``..``, no empty or ``.``
    component, no backslash or control character. ``.pdf`` is appended when missing.

    Raises:
        ValueError: the path is unsafe or empty.
    """
    text = raw.strip()
    if not text:
        raise ValueError("the output name is empty")
    if _CONTROL.search(text):
        raise ValueError(f"the output name {raw!r} holds a backslash or a control character")
    if text.startswith("/"):
        raise ValueError(f"the output name {raw!r} must be relative to the output directory")
    parts = text.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"the output name {raw!r} must stay inside the output directory")
    if not text.lower().endswith(".pdf"):
        text += ".pdf"
    return text


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
        raise JobListError("not a directory", source=source)
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
        raise CannotReadInput(
            input_name=directory, reason=exc.strerror or type(exc).__name__
        ) from exc


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
