"""Streamed multipart uploads: each file goes to disk as it arrives, under caps counted in bytes.

The body is read chunk by chunk from the ASGI server and parsed by python-multipart's streaming
parser; file parts are written to a private temporary directory, never held whole in memory.
The cap on the files' total size (D2) is checked on every chunk, so an oversized upload is
refused (413) as soon as it passes the cap, not after it has been read. The browser's
Content-Type and file name decide nothing: the bytes go to ``msp_docs``, which tells what they
are; the name is kept only to be shown back to the citizen.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from msp_portal.web.errors import HttpProblem
from msp_portal.web.middleware import body_too_large

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_FIELD_BYTES = 8 * 1024
MAX_FIELDS = 32
MAX_PART_HEADERS = 8
DISPLAY_NAME_MAX = 120


@dataclass(frozen=True)
class UploadedFile:
    """One uploaded file on disk: where, how many bytes, and the name the browser gave."""

    path: Path
    size: int
    display_name: str


@dataclass
class UploadForm:
    """The parsed form: its text fields, and its files in the order they were sent.

    Use it as a context manager (or call :meth:`close`): the temporary files go with it.
    """

    directory: Path
    fields: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)

    def close(self) -> None:
        """Remove the temporary files."""
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> UploadForm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def display_name(raw: str) -> str:
    """A file name fit to show and to log: no path, no control or bidi characters, bounded."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    return name.strip()[:DISPLAY_NAME_MAX] or "document"


class _Collector:
    """python-multipart callbacks that keep fields in memory and stream files to disk."""

    def __init__(
        self,
        form: UploadForm,
        *,
        max_files: int,
        max_file_bytes: int,
        file_field: str,
        before_first_file: Callable[[dict[str, str]], None] | None,
    ) -> None:
        self.form = form
        self.max_files = max_files
        self.max_file_bytes = max_file_bytes
        self.file_field = file_field
        self.before_first_file = before_first_file
        self.file_bytes = 0
        self.ended = False
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._filename: str | None = None
        self._value = bytearray()
        self._sink: IO[bytes] | None = None
        self._sink_path: Path | None = None
        self._sink_size = 0

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def end(self) -> None:
        self.ended = True

    def part_begin(self) -> None:
        self._headers = {}
        self._name, self._filename = "", None
        self._value = bytearray()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        if len(self._headers) >= MAX_PART_HEADERS:
            raise HttpProblem(400, "invalid-request", fields="multipart headers")
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        if raw_filename is None:
            if len(self.form.fields) >= MAX_FIELDS:
                raise HttpProblem(400, "invalid-request", fields="too many fields")
            return
        self._filename = display_name(raw_filename.decode("utf-8", "replace"))
        if self._name != self.file_field:
            raise HttpProblem(400, "invalid-request", fields=self._name[:40] or "file")
        if not self.form.files and self._sink is None and self.before_first_file is not None:
            self.before_first_file(self.form.fields)
        if len(self.form.files) >= self.max_files:
            raise HttpProblem(413, "too-many-files", limit=self.max_files)
        fd, name = tempfile.mkstemp(dir=self.form.directory, suffix=".upload")
        self._sink = os.fdopen(fd, "wb")
        self._sink_path = Path(name)
        self._sink_size = 0

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._sink is None:
            if len(self._value) + len(chunk) > MAX_FIELD_BYTES:
                raise HttpProblem(400, "invalid-request", fields=self._name[:40] or "field")
            self._value += chunk
            return
        self.file_bytes += len(chunk)
        if self.file_bytes > self.max_file_bytes:
            raise body_too_large(self.max_file_bytes)
        self._sink.write(chunk)
        self._sink_size += len(chunk)

    def part_end(self) -> None:
        if self._sink is None:
            self.form.fields[self._name] = self._value.decode("utf-8", "replace")
            return
        self._sink.close()
        assert self._sink_path is not None and self._filename is not None
        if self._sink_size:  # a file input left empty sends a part with no bytes: not a file
            self.form.files.append(UploadedFile(self._sink_path, self._sink_size, self._filename))
        else:
            self._sink_path.unlink(missing_ok=True)
        self._sink = None

    def abort(self) -> None:
        if self._sink is not None:
            self._sink.close()


async def read_upload_form(
    request: Request,
    *,
    max_files: int,
    max_file_bytes: int,
    file_field: str = "fichiers",
    before_first_file: Callable[[dict[str, str]], None] | None = None,
    directory: Path | None = None,
) -> UploadForm:
    """Read a ``multipart/form-data`` body, streaming its files to a temporary directory.

    Args:
        request: The request whose body is read.
        max_files: Files accepted (more: 413 ``too-many-files``).
        max_file_bytes: Total bytes of all files (more: 413 ``body-too-large`` at once).
        file_field: The only field name that may carry files.
        before_first_file: Called with the fields read so far when the first file starts
            (the CSRF check: hidden fields come before file inputs in the form).
        directory: Where the temporary directory is made (default: the system's).

    Raises:
        HttpProblem: 415 when the body is not multipart, 400 when it is malformed, 413 past a
            cap; whatever ``before_first_file`` raises. Nothing stays on disk then.
    """
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise HttpProblem(415, "unsupported-media-type", expected="multipart/form-data")
    form = UploadForm(Path(tempfile.mkdtemp(prefix="msp-upload-", dir=directory)))
    collector = _Collector(
        form,
        max_files=max_files,
        max_file_bytes=max_file_bytes,
        file_field=file_field,
        before_first_file=before_first_file,
    )
    try:
        parser = MultipartParser(boundary, collector.callbacks())
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if not collector.ended:  # the body stopped before the closing boundary
            raise HttpProblem(400, "invalid-request", fields="multipart")
    except MultipartParseError:
        collector.abort()
        form.close()
        raise HttpProblem(400, "invalid-request", fields="multipart") from None
    except BaseException:
        collector.abort()
        form.close()
        raise
    return form
