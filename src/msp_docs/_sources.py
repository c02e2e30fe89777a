"""Inputs: paths, bytes or binary streams, read in chunks under the call's byte budget."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, TypeAlias, runtime_checkable

from msp_docs._names import clean_name
from msp_docs.errors import (
    CannotReadInput,
    InputTooLarge,
    Reason,
    TooManyFiles,
    UsageError,
    _os_reason,
)
from msp_docs.limits import Limits

__all__ = [
    "CHUNK_SIZE",
    "Input",
    "InputLike",
    "Loaded",
    "as_inputs",
    "display_name",
    "read_inputs",
]

CHUNK_SIZE = 64 * 1024


@runtime_checkable
class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Input:
    """One input and how to call it.

    Attributes:
        source: A path, the bytes themselves, or a binary file-like object (which may be
            non-seekable: stdin, an HTTP request body). Streams are read, never closed.
        name: Display name used in reports, errors and (by default) the bookmark. Defaults to
            the path's file name, or ``input-N`` for bytes and streams.
        label: Bookmark title for this input, if different from the name.
    """

    source: str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO
    name: str | None = None
    label: str | None = None


InputLike: TypeAlias = Input | str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO


@dataclass(frozen=True, slots=True)
class Loaded:
    """An input read into memory, with its cleaned display name."""

    index: int
    name: str
    label: str | None
    data: bytes
    extension: str | None


def as_inputs(
    inputs: InputLike | Iterable[InputLike], *, at_most: int | None = None
) -> list[Input]:
    """Normalise what a caller passes into a list of :class:`Input` (reads no content).

    With ``at_most``, stop after that many items, so an endless iterable of inputs is never
    materialised: taking ``max_files + 1`` is enough to refuse one too many.

    Raises:
        UsageError: no input at all, or an input that is neither a path, bytes, a binary
            stream nor an :class:`Input` of one of them.
    """
    items: Iterable[InputLike]
    if isinstance(inputs, Input | str | os.PathLike | bytes | bytearray | memoryview | _Readable):
        items = [inputs]  # one input given bare
    elif isinstance(inputs, Iterable):
        items = inputs
    else:  # what the types already forbid, from a caller without a type checker
        raise UsageError(reason=Reason.CALL_INPUT_TYPE, given=type(inputs).__name__)
    out: list[Input] = []
    for item in items:
        if at_most is not None and len(out) >= at_most:
            break
        given = item if isinstance(item, Input) else Input(item)
        if not _is_source(given.source):
            raise UsageError(reason=Reason.CALL_INPUT_TYPE, given=type(given.source).__name__)
        out.append(given)
    if not out:
        raise UsageError(reason=Reason.CALL_NO_INPUTS)
    return out


def _is_source(value: object) -> bool:
    """A path, bytes, or a binary stream (something with a ``read`` method)."""
    return isinstance(value, str | os.PathLike | bytes | bytearray | memoryview | _Readable)


def display_name(item: Input, index: int) -> tuple[str, str | None]:
    """The cleaned display name of an input and its lower-case extension (reads nothing)."""
    raw = item.name
    if raw is None and isinstance(item.source, str | os.PathLike):
        raw = os.fspath(item.source)
        if raw == "-":
            raw = "stdin"
    if raw is None:
        stream_name = getattr(item.source, "name", None)
        raw = stream_name if isinstance(stream_name, str) and stream_name else None
    if raw is None:
        return f"input-{index + 1}", None
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    ext = base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else None
    return clean_name(base, fallback=f"input-{index + 1}"), ext


class _OverBudget(Exception):
    """Internal: an input brought the running total past the budget after ``read`` bytes."""

    def __init__(self, read: int) -> None:
        super().__init__(read)
        self.read = read


def _read_one(item: Input, name: str, remaining: int) -> bytes:
    """Read one input, never holding more than ``remaining + 1`` of its bytes."""
    src = item.source
    if isinstance(src, bytes | bytearray | memoryview):
        size = memoryview(src).nbytes
        if size > remaining:
            raise _OverBudget(remaining + 1)  # in memory already: the byte that crossed
        return src if isinstance(src, bytes) else bytes(src)
    if isinstance(src, str | os.PathLike):
        try:
            with Path(src).open("rb") as fh:
                declared = os.fstat(fh.fileno()).st_size
                if declared > remaining:
                    raise _OverBudget(declared)  # refused without reading it
                return _read_stream(fh, remaining)
        except OSError as exc:
            # Named as the caller typed it: "scan.pdf" alone does not say which one is missing.
            reason, value = _os_reason(exc)
            raise CannotReadInput(input_name=os.fspath(src), reason=reason, value=value) from exc
    return _read_stream(src, remaining)


def _read_stream(stream: BinaryIO | io.BufferedIOBase, remaining: int) -> bytes:
    """Read a stream to its end in chunks, asking never for more than one byte past the budget."""
    read = getattr(stream, "read1", None) or stream.read
    buffer = bytearray()
    while True:
        chunk = read(min(CHUNK_SIZE, remaining + 1 - len(buffer)))
        if not chunk:
            return bytes(buffer)
        buffer += chunk
        if len(buffer) > remaining:
            raise _OverBudget(len(buffer))


def read_inputs(inputs: list[Input], limits: Limits) -> list[Loaded]:
    """Read every input in order, stopping as soon as a limit is crossed.

    A list longer than ``limits.max_files`` is refused before anything is read. Streams are read
    in chunks of at most :data:`CHUNK_SIZE`, never asking for more than one byte past the running
    budget, so a caller that sends an endless stream costs the limit plus one byte; a file whose
    size already exceeds the budget is refused without being read; bytes are taken as they are.

    Raises:
        TooManyFiles: more inputs than ``limits.max_files``.
        InputTooLarge: the running total passed ``limits.max_total_bytes``.
        CannotReadInput: a path could not be opened or read.
    """
    if len(inputs) > limits.max_files:
        name, _ = display_name(inputs[limits.max_files], limits.max_files)
        raise TooManyFiles(
            input_name=name,
            input_index=limits.max_files,
            count=limits.max_files + 1,
            limit=limits.max_files,
        )
    loaded: list[Loaded] = []
    total = 0
    for index, item in enumerate(inputs):
        name, ext = display_name(item, index)
        try:
            data = _read_one(item, name, limits.max_total_bytes - total)
        except _OverBudget as over:
            raise InputTooLarge(
                input_name=name,
                input_index=index,
                read=total + over.read,
                limit=limits.max_total_bytes,
                read_of_this_input=over.read,
            ) from None
        total += len(data)
        loaded.append(Loaded(index, name, item.label, data, ext))
    return loaded
