"""Writing the output: atomically to a path (temporary file + rename), or to a binary stream."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, TypeAlias

from msp_docs.errors import OutputError, Reason, UsageError, _os_reason

__all__ = ["OutputTarget", "check_target", "describe_target", "write_output"]

OutputTarget: TypeAlias = str | os.PathLike[str] | BinaryIO


@functools.cache
def _umask() -> int:
    # The umask can only be read by setting it; do it once (mkstemp files are 0600, and the
    # output should get the permissions an ordinary new file would).
    current = os.umask(0o022)
    os.umask(current)
    return current


def describe_target(target: OutputTarget) -> str:
    """A printable name for the target: the path, or ``<stream>``."""
    if isinstance(target, str | os.PathLike):
        return os.fspath(target)
    return "<stream>"


def check_target(target: object) -> None:
    """Refuse, before any work is done, an output that can never be written.

    Raises:
        UsageError: not a path nor a binary stream (a text-mode stream included).
        OutputError: the path's directory does not exist, or the path is a directory.
    """
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        directory = path.parent
        if path.is_dir():
            raise OutputError(target=str(path), reason=Reason.IS_A_DIRECTORY)
        if not directory.is_dir():
            reason = Reason.NOT_A_DIRECTORY if directory.exists() else Reason.DIRECTORY_MISSING
            raise OutputError(target=str(path), reason=reason, value=str(directory))
        return
    if isinstance(target, io.TextIOBase):
        raise UsageError(reason=Reason.TEXT_STREAM, given=type(target).__name__)
    if not callable(getattr(target, "write", None)):
        raise UsageError(reason=Reason.CALL_OUTPUT_TYPE, given=type(target).__name__)


def write_output(target: OutputTarget, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``target``; a path is never left partial or empty.

    A path is written to a temporary file in the same directory, flushed to disk and renamed
    over the target, so readers see the old file or the whole new one; on any failure the
    temporary file is removed. A stream is written and flushed, never closed.

    Args:
        target: A path or a binary stream.
        data: The bytes to write.
        durable: Flush a path's file to disk (``fsync``) before the rename. A caller that
            writes many files and syncs once at the end (``msp-docs batch``) passes False:
            the rename still makes the file appear whole to every reader.

    Raises:
        OutputError: the target cannot be written.
        UsageError: the target is a stream that takes text, not bytes.
    """
    if not isinstance(target, str | os.PathLike):
        try:
            target.write(data)
            target.flush()
        except TypeError as exc:  # a stream that wants text: the caller's mistake
            raise UsageError(
                detail=str(exc), reason=Reason.TEXT_STREAM, given=type(target).__name__
            ) from exc
        except (OSError, ValueError) as exc:
            raise OutputError(
                detail=str(exc),
                target="<stream>",
                reason=Reason.STREAM_ERROR,
                value=str(exc) or type(exc).__name__,
            ) from exc
        return
    path = Path(target)
    directory = path.parent
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise _output_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(temp_name, 0o666 & ~_umask())
        os.replace(temp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise _output_error(path, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _output_error(path: Path, exc: OSError) -> OutputError:
    reason, value = _os_reason(exc)
    if reason is Reason.NOT_FOUND:
        reason, value = Reason.DIRECTORY_MISSING, str(path.parent)
    return OutputError(detail=str(exc), target=str(path), reason=reason, value=value)
