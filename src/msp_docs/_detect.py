"""Detection: what a file really is, decided from its bytes, never from its name or MIME type."""

from __future__ import annotations

from dataclasses import dataclass

from msp_docs._model import Kind, Note
from msp_docs.errors import (
    CorruptImage,
    CorruptPdf,
    EmptyInput,
    ExtensionMismatch,
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
            raise TruncatedInput("PNG signature cut off", kind="png")
        raise CorruptImage("bad PNG signature", kind="png", reason="bad PNG signature")
    if head.startswith(b"GIF"):
        if len(data) < 6:
            raise TruncatedInput("GIF signature cut off", kind="gif")
        if head[3:4] == b"8" or head[3:6].isalnum():
            raise CorruptImage(
                "unknown GIF version", kind="gif", reason=f"unknown version {head[3:6]!r}"
            )
    if head[1:6] == b"PDF-1" or head[1:6] == b"PDF-2":
        raise CorruptPdf("mangled PDF header", kind="pdf", reason="damaged PDF header")
    position = data.find(b"%PDF-", 0, PDF_HEADER_WINDOW)
    if position > 0:
        return Detected(Kind.PDF, offset=position)
    if head.startswith(b"\xff\xd8") and len(data) < 3:
        raise TruncatedInput("JPEG signature cut off", kind="jpeg")
    return None


def detect(data: bytes) -> Detected:
    """Return the kind of ``data`` or raise :class:`UnsupportedKind` naming what it is instead."""
    found = sniff(data)
    if found is None:
        described, described_fr, advice, advice_fr, mime = describe_other(data)
        raise UnsupportedKind(
            described_as=described,
            described_as_fr=described_fr,
            advice=advice,
            advice_fr=advice_fr,
            mime=mime,
        )
    return found


def describe_other(data: bytes) -> tuple[str, str, str, str, str]:
    """Name an unsupported file for a citizen, from libmagic's reading of its bytes.

    Returns:
        (description, French description, advice, French advice, MIME type).
    """
    from msp_docs._backends.magic_ import identify

    mime, text = identify(data)
    return _describe(mime, text)


_ADVICE_EXPORT = (
    "Export it as PDF or JPEG and try again.",
    "Exportez-le en PDF ou en JPEG puis réessayez.",
)
_ADVICE_PDF = (
    "Save or print it as PDF (File > Save as > PDF) and try again.",
    "Enregistrez-le ou imprimez-le en PDF (Fichier > Enregistrer sous > PDF) puis réessayez.",
)
_ADVICE_IMAGE = (
    "Export it as PNG or JPEG and try again.",
    "Exportez-le en PNG ou en JPEG puis réessayez.",
)

# MIME type (or prefix ending in "/") -> (English, French, advice)
_KNOWN: list[tuple[str, str, str, tuple[str, str]]] = [
    (
        "image/heic",
        "a HEIC photo",
        "une photo HEIC",
        (
            "Export it as JPEG (on an iPhone: Settings > Camera > Formats > Most Compatible).",
            "Exportez-la en JPEG (sur iPhone : Réglages > Appareil photo > Formats > Le plus "
            "compatible).",
        ),
    ),
    ("image/heif", "a HEIF photo", "une photo HEIF", _ADVICE_IMAGE),
    ("image/avif", "an AVIF image", "une image AVIF", _ADVICE_IMAGE),
    ("image/webp", "a WebP image", "une image WebP", _ADVICE_IMAGE),
    ("image/bmp", "a BMP image", "une image BMP", _ADVICE_IMAGE),
    ("image/x-ms-bmp", "a BMP image", "une image BMP", _ADVICE_IMAGE),
    ("image/tiff", "a TIFF image", "une image TIFF", _ADVICE_EXPORT),
    ("image/jp2", "a JPEG 2000 image", "une image JPEG 2000", _ADVICE_IMAGE),
    ("image/jxl", "a JPEG XL image", "une image JPEG XL", _ADVICE_IMAGE),
    ("image/svg+xml", "an SVG drawing", "un dessin SVG", _ADVICE_PDF),
    ("image/vnd.adobe.photoshop", "a Photoshop file", "un fichier Photoshop", _ADVICE_EXPORT),
    ("image/x-icon", "an icon file", "un fichier d'icône", _ADVICE_IMAGE),
    ("image/vnd.microsoft.icon", "an icon file", "un fichier d'icône", _ADVICE_IMAGE),
    (
        "application/zip",
        "a ZIP archive",
        "une archive ZIP",
        (
            "Extract the documents it holds and add them one by one.",
            "Extrayez les documents qu'elle contient et ajoutez-les un par un.",
        ),
    ),
    (
        "application/x-rar",
        "a RAR archive",
        "une archive RAR",
        (
            "Extract the documents it holds and add them one by one.",
            "Extrayez les documents qu'elle contient et ajoutez-les un par un.",
        ),
    ),
    (
        "application/x-7z-compressed",
        "a 7-Zip archive",
        "une archive 7-Zip",
        (
            "Extract the documents it holds and add them one by one.",
            "Extrayez les documents qu'elle contient et ajoutez-les un par un.",
        ),
    ),
    (
        "application/gzip",
        "a compressed archive",
        "une archive compressée",
        (
            "Extract the documents it holds and add them one by one.",
            "Extrayez les documents qu'elle contient et ajoutez-les un par un.",
        ),
    ),
    ("application/msword", "a Word document", "un document Word", _ADVICE_PDF),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml",
        "a Word document",
        "un document Word",
        _ADVICE_PDF,
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml",
        "an Excel spreadsheet",
        "un tableur Excel",
        _ADVICE_PDF,
    ),
    ("application/vnd.ms-excel", "an Excel spreadsheet", "un tableur Excel", _ADVICE_PDF),
    (
        "application/vnd.openxmlformats-officedocument.presentationml",
        "a PowerPoint presentation",
        "une présentation PowerPoint",
        _ADVICE_PDF,
    ),
    (
        "application/vnd.oasis.opendocument.text",
        "an OpenDocument text",
        "un texte OpenDocument",
        _ADVICE_PDF,
    ),
    (
        "application/vnd.oasis.opendocument.spreadsheet",
        "an OpenDocument spreadsheet",
        "un tableur OpenDocument",
        _ADVICE_PDF,
    ),
    ("application/rtf", "an RTF document", "un document RTF", _ADVICE_PDF),
    ("text/rtf", "an RTF document", "un document RTF", _ADVICE_PDF),
    ("application/postscript", "a PostScript file", "un fichier PostScript", _ADVICE_PDF),
    ("text/html", "a web page", "une page web", _ADVICE_PDF),
    ("text/xml", "an XML file", "un fichier XML", _ADVICE_PDF),
    ("application/xml", "an XML file", "un fichier XML", _ADVICE_PDF),
    ("text/", "a text file", "un fichier texte", _ADVICE_PDF),
    (
        "application/x-dosexec",
        "a Windows program",
        "un programme Windows",
        (
            "A program is not a document; choose the document itself.",
            "Un programme n'est pas un document ; choisissez le document lui-même.",
        ),
    ),
    (
        "application/x-executable",
        "a program",
        "un programme",
        (
            "A program is not a document; choose the document itself.",
            "Un programme n'est pas un document ; choisissez le document lui-même.",
        ),
    ),
    (
        "audio/",
        "an audio file",
        "un fichier audio",
        (
            "Only documents and photos are accepted.",
            "Seuls les documents et les photos sont acceptés.",
        ),
    ),
    (
        "video/",
        "a video",
        "une vidéo",
        (
            "Only documents and photos are accepted; send a photo instead.",
            "Seuls les documents et les photos sont acceptés ; envoyez plutôt une photo.",
        ),
    ),
    (
        "image/",
        "an image in an unsupported format",
        "une image d'un format non accepté",
        _ADVICE_IMAGE,
    ),
]


def _describe(mime: str, text: str) -> tuple[str, str, str, str, str]:
    """Map libmagic's MIME type and description to words for a citizen (pure)."""
    lowered = text.lower()
    if "heic" in lowered or "heif" in lowered or mime in ("image/heic", "image/heif"):
        mime = "image/heic" if "heic" in lowered or mime == "image/heic" else "image/heif"
    for prefix, en, fr, (advice, advice_fr) in _KNOWN:
        if (
            mime == prefix
            or (prefix.endswith("/") and mime.startswith(prefix))
            or (not prefix.endswith("/") and mime.startswith(prefix + "."))
        ):
            return en, fr, advice, advice_fr, mime
    return (
        "a file of unknown type",
        "un fichier de type inconnu",
        "Choose your document again, exported as PDF or JPEG.",
        "Choisissez à nouveau votre document, exporté en PDF ou en JPEG.",
        mime,
    )


def also_valid_as(data: bytes, kind: Kind) -> str | None:
    """Name another format that ``data`` also declares, if any (pure; cheap signature checks).

    A polyglot is handled as the kind its first bytes declare; this only lets the report say
    so. Looked for: a PDF header in the first 1024 bytes of a non-PDF (what PDF readers accept)
    and a ZIP end-of-central-directory record near the end (what ZIP readers look for).
    """
    if kind is not Kind.PDF and data.find(b"%PDF-", 0, PDF_HEADER_WINDOW) >= 0:
        return "PDF document"
    tail = data[-(65_535 + 22) :]
    if tail.rfind(b"PK\x05\x06") >= 0 and b"PK\x03\x04" in data:
        return "ZIP archive"
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
        raise ExtensionMismatch(extension=extension, kind=kind.value)
    known = extension in _OTHER_EXTENSIONS or any(extension in v for v in EXTENSIONS.values())
    if not known:
        return None
    return Note("extension-mismatch", {"extension": extension, "kind": kind.value})
