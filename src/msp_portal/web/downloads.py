"""Sending files back: a safe ``Content-Disposition`` and streamed bodies that are never cached."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from starlette.responses import StreamingResponse

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ ()\-]")
NAME_MAX = 150


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """The header for ``filename`` (RFC 6266 with RFC 8187's ``filename*``).

    Whatever the name holds (quotes, semicolons, line breaks, path separators, bidi controls,
    any letter), the header stays one well-formed line: an ASCII fallback for old clients and
    the UTF-8 name, percent-encoded, for the others.
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")[:NAME_MAX]
    name = name or "document"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = _UNSAFE_ASCII.sub("_", ascii_name).strip(" ")
    stem, dot, extension = ascii_name.rpartition(".")
    if not (stem if dot else ascii_name).strip(" ._"):  # nothing left of the name itself
        ascii_name = f"document.{extension}" if dot and extension else "document"
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(
    chunks: Iterator[bytes], *, filename: str, media_type: str, size: int | None = None
) -> StreamingResponse:
    """Stream ``chunks`` as a download named ``filename`` (never cached, never sniffed)."""
    headers = {
        "content-disposition": content_disposition(filename),
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
    }
    if size is not None:
        headers["content-length"] = str(size)
    return StreamingResponse(chunks, media_type=media_type, headers=headers)
