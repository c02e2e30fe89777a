"""Detection: what a file really is, decided from its bytes, never from its name or MIME type."""

from __future__ import annotations

from dataclasses import dataclass

from msp_docs._model import Kind, Note
from msp_docs.errors import (
    CorruptImage,
    CorruptPdf,
    EmptyInput,
    ExtensionMismatch,
    OtherFormat,
    Reason,
    TruncatedInput,
    UnsupportedKind,
)

__all__ = [
    "EXTENSIONS",
    "PDF_HEADER_WINDOW",
    "Detected",
    "also_valid_as",
    "check_extension",
    "describe_other",
    "detect",
    "sniff",
]

#: A PDF header is looked for this far into the file (Acrobat's own tolerance).
PDF_HEADER_WINDOW = 1024

#: File-name extensions that each kind may carry without a warning.
EXTENSIONS: dict[Kind, frozenset[str]] = {
    Kind.PDF: frozenset({"pdf"}),
    Kind.PNG: frozenset({"png", "apng"}),
    Kind.GIF: frozenset({"gif"}),
    Kind.JPEG: frozenset({"jpg", "jpeg", "jpe", "jfif", "pjpeg", "pjp", "mpo"}),
}

# Extensions of other well-known formats: a name ending in one of them but holding one of our
# kinds is worth a warning. An unknown extension ("scan.final") is not.
_OTHER_EXTENSIONS = frozenset(
    {
        "heic", "heif", "avif", "webp", "bmp", "dib", "tif", "tiff", "svg", "svgz", "jp2",
        "j2k", "jpx", "jxl", "ico", "psd", "raw", "cr2", "nef", "dng", "doc", "docx", "odt",
        "rtf", "txt", "md", "html", "htm", "xml", "xls", "xlsx", "ods", "csv", "ppt", "pptx",
        "odp", "zip", "rar", "7z", "gz", "tar", "exe", "dll", "js", "sh", "bat", "mp3", "mp4",
        "mov", "avi", "wav", "eps", "ps", "xps", "oxps", "djvu", "epub",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Detected:
    """The kind of an input and where its content starts.

    Attributes:
        kind: The accepted kind the bytes declare.
        offset: Bytes of junk before the PDF header (0 for everything else).
    """

    kind: Kind
    offset: int = 0


def sniff(data: bytes) -> Detected | None:
    """Return the kind the first bytes declare, or ``None`` for anything else (pure).

    A signature that is recognisably one of ours but damaged (a PNG signature mangled by a text
    transfer, a GIF with an unknown version) raises the damaged-file error rather than
    "unsupported", since that is what the user needs to hear.

    Raises:
        EmptyInput: no bytes at all.
        TruncatedInput: the file stops inside its signature.
        CorruptImage: a PNG or GIF signature that is recognisable but wrong.
        CorruptPdf: a PDF header that is recognisable but mangled.
    """
    if not data:
        raise EmptyInput()
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return Detected(Kind.JPEG)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected(Kind.PNG)
    if head.startswith(b"%PDF-"):
        return Detected(Kind.PDF)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Detected(Kind.GIF)
    # Recognisable but damaged signatures.
    if head.startswith(b"\x89PNG") or head[1:8] == b"PNG\r\n\x1a\n":
        if len(data) < 8:
            raise TruncatedInput(kind=Kind.PNG, reason=Reason.SIGNATURE_CUT)
        raise CorruptImage(kind=Kind.PNG, reason=Reason.PNG_SIGNATURE)
    if head.startswith(b"GIF"):
        if len(data) < 6:
            raise TruncatedInput(kind=Kind.GIF, reason=Reason.SIGNATURE_CUT)
        if head[3:4] == b"8" or head[3:6].isalnum():
            raise CorruptImage(detail=repr(head[3:6]), kind=Kind.GIF, reason=Reason.GIF_VERSION)
    if head[1:6] == b"PDF-1" or head[1:6] == b"PDF-2":
        raise CorruptPdf(kind=Kind.PDF, reason=Reason.PDF_HEADER)
    position = data.find(b"%PDF-", 0, PDF_HEADER_WINDOW)
    if position > 0:
        return Detected(Kind.PDF, offset=position)
    if head.startswith(b"\xff\xd8") and len(data) < 3:
        raise TruncatedInput(kind=Kind.JPEG, reason=Reason.SIGNATURE_CUT)
    return None


def detect(data: bytes) -> Detected:
    """Return the kind of ``data`` or raise :class:`UnsupportedKind` naming what it is instead."""
    found = sniff(data)
    if found is None:
        what, mime = describe_other(data)
        raise UnsupportedKind(format=what, mime=mime)
    return found


def describe_other(data: bytes) -> tuple[OtherFormat, str]:
    """What an unsupported file is, from libmagic's reading of its bytes: (format, MIME type)."""
    from msp_docs._backends.magic_ import identify

    mime, text = identify(data)
    return _describe(mime, text), mime


# MIME type (or a prefix ending in "/") -> the format we name; the first that matches wins.
_KNOWN: list[tuple[str, OtherFormat]] = [
    ("image/heic", OtherFormat.HEIC),
    ("image/heif", OtherFormat.HEIF),
    ("image/avif", OtherFormat.AVIF),
    ("image/webp", OtherFormat.WEBP),
    ("image/bmp", OtherFormat.BMP),
    ("image/x-ms-bmp", OtherFormat.BMP),
    ("image/tiff", OtherFormat.TIFF),
    ("image/jp2", OtherFormat.JPEG_2000),
    ("image/jxl", OtherFormat.JPEG_XL),
    ("image/svg+xml", OtherFormat.SVG),
    ("image/vnd.adobe.photoshop", OtherFormat.PHOTOSHOP),
    ("image/x-icon", OtherFormat.ICON),
    ("image/vnd.microsoft.icon", OtherFormat.ICON),
    ("application/zip", OtherFormat.ZIP),
    ("application/x-rar", OtherFormat.RAR),
    ("application/x-7z-compressed", OtherFormat.SEVEN_ZIP),
    ("application/gzip", OtherFormat.GZIP),
    ("application/msword", OtherFormat.WORD),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml", OtherFormat.WORD),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml", OtherFormat.EXCEL),
    ("application/vnd.ms-excel", OtherFormat.EXCEL),
    ("application/vnd.openxmlformats-officedocument.presentationml", OtherFormat.POWERPOINT),
    ("application/vnd.oasis.opendocument.text", OtherFormat.OPENDOCUMENT_TEXT),
    ("application/vnd.oasis.opendocument.spreadsheet", OtherFormat.OPENDOCUMENT_SPREADSHEET),
    ("application/rtf", OtherFormat.RTF),
    ("text/rtf", OtherFormat.RTF),
    ("application/postscript", OtherFormat.POSTSCRIPT),
    ("text/html", OtherFormat.HTML),
    ("text/xml", OtherFormat.XML),
    ("application/xml", OtherFormat.XML),
    ("text/", OtherFormat.TEXT),
    ("application/x-dosexec", OtherFormat.WINDOWS_PROGRAM),
    ("application/x-executable", OtherFormat.PROGRAM),
    ("audio/", OtherFormat.AUDIO),
    ("video/", OtherFormat.VIDEO),
    ("image/", OtherFormat.OTHER_IMAGE),
]


def _describe(mime: str, text: str) -> OtherFormat:
    """Map libmagic's MIME type and description to a format we can name (pure)."""
    lowered = text.lower()
    if "heic" in lowered or "heif" in lowered or mime in ("image/heic", "image/heif"):
        mime = "image/heic" if "heic" in lowered or mime == "image/heic" else "image/heif"
    for prefix, what in _KNOWN:
        if (
            mime == prefix
            or (prefix.endswith("/") and mime.startswith(prefix))
            or (not prefix.endswith("/") and mime.startswith(prefix + "."))
        ):
            return what
    return OtherFormat.UNKNOWN


def also_valid_as(data: bytes, kind: Kind) -> str | None:
    """The other format ``data`` also declares, ``"pdf"`` or ``"zip"``, if any (pure).

    A polyglot is handled as the kind its first bytes declare; this only lets the report say
    so. Looked for: a PDF header in the first 1024 bytes of a non-PDF (what PDF readers accept)
    and a ZIP end-of-central-directory record near the end (what ZIP readers look for).
    """
    if kind is not Kind.PDF and data.find(b"%PDF-", 0, PDF_HEADER_WINDOW) >= 0:
        return "pdf"
    tail = data[-(65_535 + 22) :]
    if tail.rfind(b"PK\x05\x06") >= 0 and b"PK\x03\x04" in data:
        return "zip"
    return None


def check_extension(extension: str | None, kind: Kind, *, strict: bool) -> Note | None:
    """Compare a name's extension with the detected kind (pure).

    Returns a warning note when a known extension disagrees with the content (the content
    wins). Under ``strict`` any extension that is not the kind's raises instead.

    Raises:
        ExtensionMismatch: under ``strict``, when the extension is not one of the kind's.
    """
    if not extension or extension in EXTENSIONS[kind]:
        return None
    if strict:
        raise ExtensionMismatch(extension=extension, kind=kind)
    known = extension in _OTHER_EXTENSIONS or any(extension in v for v in EXTENSIONS.values())
    if not known:
        return None
    return Note("extension-mismatch", {"extension": extension, "kind": kind.value})
