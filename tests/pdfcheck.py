"""Independent checks of an output PDF: what pypdf and a byte-level scan find in it.

Nothing here uses pikepdf or qpdf (which wrote the file): the structure is read with pypdf, and
the bytes are scanned by a small lexer of our own that skips strings and stream data, inflates
object streams and decodes ``#xx`` escapes in names, so that a name hidden in an object stream
or spelt ``/J#61vaScript`` is still found.

- :func:`active_content` lists every trace of active content: the names of scripts, launch,
  form submission and import, remote and embedded go-to actions, embedded files, rich media,
  3D, movies, sounds, screens, XFA and additional actions (/AA); an /OpenAction that does not
  go to a page; a URI with a scheme other than http, https or mailto.
- :func:`metadata_leaks` lists metadata that came from an input: Info entries other than the
  title, producer and dates, and any /Metadata, /PieceInfo or /LastModified.

Both return human-readable findings; an empty list means clean. Usable beyond tests, e.g. to
audit outputs in the security work.
"""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

#: Names that must appear nowhere in an output, as a key or as a value.
FORBIDDEN = frozenset(
    {
        "JavaScript", "JS", "Launch", "SubmitForm", "ImportData", "GoToR", "GoToE",
        "EmbeddedFile", "EmbeddedFiles", "EF", "AF", "FileAttachment", "RichMedia",
        "RichMediaContent", "RichMediaSettings", "RichMediaExecute", "Rendition", "Renditions",
        "Movie", "Sound", "Screen", "3D", "3DD", "GoTo3DView", "AA", "XFA",
    }
)  # fmt: skip

#: Keys that carry metadata of an input.
METADATA_KEYS = frozenset({"Metadata", "PieceInfo", "LastModified"})

#: Info entries the output may have (written by msp-docs itself).
OWN_INFO = frozenset({"/Title", "/Producer", "/CreationDate", "/ModDate"})

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_DELIMITERS = b"()<>[]{}/%"
_WHITESPACE = b"\x00\t\n\x0c\r "
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_ENDSTREAM = re.compile(rb"endstream")
_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)\b(?!\s+\d+\s+R)")


def active_content(data: bytes) -> list[str]:
    """Every trace of active content in ``data`` (a PDF), found by both scans."""
    return _byte_findings(data) + _structure_findings(data)


def metadata_leaks(data: bytes) -> list[str]:
    """Input metadata that reached ``data`` (a PDF)."""
    reader = PdfReader(io.BytesIO(data), strict=False)
    found: list[str] = []
    info = reader.trailer.get("/Info")
    if info is not None:
        info = info.get_object()
        for key in info:
            if key not in OWN_INFO:
                found.append(f"Info {key}")
        producer = str(info.get("/Producer", ""))
        if producer and not producer.startswith("msp-docs"):
            found.append(f"Info /Producer {producer!r}")
    for where, obj in _objects(reader):
        for path, key, _value in _walk(obj):
            if key[1:] in METADATA_KEYS:
                found.append(f"{where}{path}: {key}")
    for name in _names(data):
        if name in METADATA_KEYS:
            found.append(f"bytes: /{name}")
    return found


def page_count(data: bytes) -> int:
    """Pages of ``data`` as pypdf counts them."""
    return len(PdfReader(io.BytesIO(data), strict=False).pages)


# --- structure (pypdf) --------------------------------------------------------------------------
def _structure_findings(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data), strict=False)
    found: list[str] = []
    root = reader.trailer["/Root"].get_object()
    open_action = root.get("/OpenAction")
    if open_action is not None:
        open_action = open_action.get_object()
        if isinstance(open_action, DictionaryObject) and open_action.get("/S") != "/GoTo":
            found.append(f"catalog /OpenAction {open_action.get('/S')}")
    for where, obj in _objects(reader):
        for path, key, value in _walk(obj):
            if key[1:] in FORBIDDEN:
                found.append(f"{where}{path}: key {key}")
            if isinstance(value, NameObject) and value[1:] in FORBIDDEN:
                found.append(f"{where}{path}{key}: value {value}")
            if key == "/URI" and isinstance(value, TextStringObject | ByteStringObject):
                uri = value if isinstance(value, str) else value.decode("latin-1")
                scheme = uri.partition(":")[0].lower() if ":" in uri else ""
                if scheme not in SAFE_SCHEMES:
                    found.append(f"{where}{path}: URI {uri!r}")
    return found


def _objects(reader: PdfReader) -> list[tuple[str, Any]]:
    """Every object in the cross-reference data, those in object streams included."""
    numbers: set[tuple[int, int]] = set()
    for generation, table in reader.xref.items():
        for number in table:
            numbers.add((number, generation))
    for number in reader.xref_objStm:
        numbers.add((number, 0))
    objects = []
    for number, generation in sorted(numbers):
        obj = reader.get_object(IndirectObject(number, generation, reader))
        if obj is not None:
            objects.append((f"obj {number} {generation}", obj))
    objects.append(("trailer", reader.trailer))
    return objects


def _walk(obj: Any) -> list[tuple[str, str, Any]]:
    """(path, key, value) for every dictionary entry of ``obj`` and its direct children."""
    out: list[tuple[str, str, Any]] = []
    stack: list[tuple[str, Any]] = [("", obj)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, DictionaryObject):
            for key, value in node.items():
                out.append((path, str(key), value))
                if isinstance(value, DictionaryObject | ArrayObject):
                    stack.append((f"{path}{key}", value))
        elif isinstance(node, ArrayObject):
            for index, value in enumerate(node):
                if isinstance(value, NameObject):
                    out.append((f"{path}[{index}]", "", value))
                if isinstance(value, DictionaryObject | ArrayObject):
                    stack.append((f"{path}[{index}]", value))
    return out


# --- bytes --------------------------------------------------------------------------------------
def _byte_findings(data: bytes) -> list[str]:
    return [f"bytes: /{name}" for name in _names(data) if name in FORBIDDEN]


def _names(data: bytes) -> list[str]:
    """Every name written in the file's objects, object streams included, #xx decoded."""
    names: list[str] = []
    for text in _object_texts(data):
        names.extend(_lex_names(text))
    return names


def _object_texts(data: bytes) -> list[bytes]:
    """The file with stream data cut out, plus the inflated content of every object stream."""
    texts: list[bytes] = []
    position = 0
    while True:
        found = _STREAM.search(data, position)
        if found is None:
            texts.append(data[position:])
            return texts
        head = data[position : found.start()]
        texts.append(head)
        start = found.end()
        dictionary = head[head.rfind(b"obj") :] if b"obj" in head else head
        length = _LENGTH.search(dictionary)
        end = None
        if length is not None:
            candidate = start + int(length.group(1))
            if data[candidate : candidate + 16].lstrip(b"\r\n \t").startswith(b"endstream"):
                end = candidate
        if end is None:
            after = _ENDSTREAM.search(data, start)
            end = after.start() if after else len(data)
        if b"/ObjStm" in dictionary:
            texts.append(_inflate(data[start:end]))
        position = end


def _inflate(raw: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(raw, 64 * 1024 * 1024)
    except zlib.error:
        return b""


def _lex_names(text: bytes) -> list[str]:
    """Names in PDF object syntax, skipping literal strings, hex strings and comments."""
    names: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == 0x28:  # ( literal string, nested parentheses and escapes
            depth, i = 1, i + 1
            while i < n and depth:
                if text[i] == 0x5C:
                    i += 2
                    continue
                if text[i] == 0x28:
                    depth += 1
                elif text[i] == 0x29:
                    depth -= 1
                i += 1
        elif c == 0x3C and i + 1 < n and text[i + 1] != 0x3C:  # <hex string>
            end = text.find(b">", i)
            i = n if end < 0 else end + 1
        elif c == 0x3C:
            i += 2
        elif c == 0x25:  # % comment
            end = text.find(b"\n", i)
            i = n if end < 0 else end + 1
        elif c == 0x2F:  # /name
            j = i + 1
            while j < n and text[j] not in _DELIMITERS and text[j] not in _WHITESPACE:
                j += 1
            raw = text[i + 1 : j]
            names.append(
                re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode(
                    "latin-1"
                )
            )
            i = j
        else:
            i += 1
    return names
