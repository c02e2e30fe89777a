"""The document wallet's rules: categories, titles and names, quota, and what a document is."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, BinaryIO, TypeAlias

from msp_portal.errors import (
    InvalidCategory,
    InvalidDocumentTitle,
    InvalidUploadName,
    WalletFull,
    WalletTooLarge,
)

TITLE_MAX = 150
"""Characters of a title: a long French title ("Avis d'impôt sur les revenus 2024 ...") fits."""

UPLOAD_NAME_MAX = 255
"""Characters of an upload's display name: what file systems allow for one file name."""

DOCUMENT_ID = re.compile(r"[0-9a-f]{32}")
"""Document ids are 128 random bits in lower-case hex: not guessable, fine in a URL."""

# Bidirectional embeddings, overrides and isolates reorder what is displayed ("Trojan Source",
# CVE-2021-42574): a title could show a different text than the one stored. Refused with the
# control characters.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class Category(StrEnum):
    """The wallet's fixed categories: the proofs French administrations ask for most.

    The codes are stable (stored, in exports, in procedure definitions); the labels are for
    display. Procedures name the categories they need as attachments (rule D5).
    """

    IDENTITY = "identity"
    PROOF_OF_ADDRESS = "proof-of-address"
    INCOME = "income"
    FAMILY = "family"
    OTHER = "other"

    def label(self, lang: str = "fr") -> str:
        """What the citizen reads: French by default, English with ``lang="en"``."""
        english, french = _CATEGORY_LABELS[self]
        return french if str(lang).lower().startswith("fr") else english


_CATEGORY_LABELS: dict[Category, tuple[str, str]] = {
    Category.IDENTITY: ("Identity document", "Pièce d'identité"),
    Category.PROOF_OF_ADDRESS: ("Proof of address", "Justificatif de domicile"),
    Category.INCOME: ("Income and taxes", "Revenus et impôts"),
    Category.FAMILY: ("Family and civil status", "Famille et état civil"),
    Category.OTHER: ("Other", "Autre"),
}


def check_category(category: object) -> Category:
    """The category named by ``category`` (a :class:`Category` or its code), or InvalidCategory."""
    if isinstance(category, str):
        try:
            return Category(category.strip())
        except ValueError:
            pass
    raise InvalidCategory(allowed=", ".join(c.value for c in Category))


def _refused_character(text: str) -> bool:
    for char in text:
        kind = unicodedata.category(char)
        # Cc: control characters (line breaks and tabs too: a title is one line);
        # Cs: lone surrogates (not text; they cannot even be encoded in UTF-8).
        if kind in ("Cc", "Cs") or char in _BIDI_CONTROLS or kind in ("Zl", "Zp"):
            return True
    return False


def _clean_text(raw: str, maximum: int) -> tuple[str | None, str | None]:
    """(cleaned text, None) or (None, reason): NFC, blanks collapsed, no controls, bounded."""
    # Refuse megabyte strings before normalising them: NFC may grow a string three times.
    if len(raw) > 4 * maximum:
        return None, "too-long"
    if _refused_character(raw):
        return None, "control-characters"
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    if len(text) > maximum:
        return None, "too-long"
    return text, None


def check_title(title: object) -> str:
    """Return the title as stored (NFC, blanks collapsed), or raise InvalidDocumentTitle.

    A title is required (rule D4): 1 to :data:`TITLE_MAX` characters on one line; control
    characters, lone surrogates and bidirectional overrides are refused, not silently dropped,
    so that what the citizen typed is what is stored.
    """
    if not isinstance(title, str):
        raise InvalidDocumentTitle(reason="not-text", maximum=TITLE_MAX)
    text, reason = _clean_text(title, TITLE_MAX)
    if reason is not None:
        raise InvalidDocumentTitle(reason=reason, maximum=TITLE_MAX)
    if not text:
        raise InvalidDocumentTitle(reason="empty", maximum=TITLE_MAX)
    return text


def check_upload_name(name: object, index: int) -> str:
    """Return an upload's display name (``index`` counts from 1), or raise InvalidUploadName.

    Old browsers sent the whole client path (Windows' ``C:`` then backslashes): only the last
    component is kept. An empty name becomes ``fichier-N``.
    """
    if not isinstance(name, str):
        raise InvalidUploadName(index=index, reason="not-text", maximum=UPLOAD_NAME_MAX)
    text, reason = _clean_text(name, UPLOAD_NAME_MAX)
    if reason is not None:
        raise InvalidUploadName(index=index, reason=reason, maximum=UPLOAD_NAME_MAX)
    assert text is not None
    text = re.split(r"[/\\]", text)[-1].strip()
    return text or f"fichier-{index}"


_UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
FILE_NAME_MAX = 100


def file_name(title: str, *, suffix: str = ".pdf") -> str:
    """A file name made from a title, safe on every common file system and in archives.

    Path separators and characters Windows refuses become ``_``; leading dots and trailing
    dots or blanks are removed (hidden files, Windows); the stem keeps at most
    :data:`FILE_NAME_MAX` characters.
    """
    stem = _UNSAFE_IN_FILE_NAME.sub("_", unicodedata.normalize("NFC", title))
    stem = stem.strip().lstrip(".").rstrip(". ")[:FILE_NAME_MAX].rstrip(". ")
    return (stem or "document") + suffix


UploadSource: TypeAlias = bytes | bytearray | memoryview | BinaryIO | str | os.PathLike[str]


@dataclass(frozen=True)
class Upload:
    """One file given to make a document.

    Attributes:
        source: The bytes, a binary stream (read, never closed; non-seekable is fine: an HTTP
            request body), or a path on the server. A web route passes bytes or streams
            only: a path is read from the server's disk, for operator imports.
        name: Its display name (the client's file name): shown in reports and used as the
            bookmark of its pages. Only the last path component is kept.
    """

    source: UploadSource
    name: str


# --- what msp_docs said about the uploads ---------------------------------------------------------
@dataclass(frozen=True)
class DocumentNote:
    """An action msp_docs took on an upload, or a warning about it, in both languages."""

    code: str
    message_en: str
    message_fr: str
    facts: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "fr") -> str:
        """The note in ``lang`` ("fr" by default, "en")."""
        return self.message_fr if str(lang).lower().startswith("fr") else self.message_en

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "code": self.code,
            "message_en": self.message_en,
            "message_fr": self.message_fr,
            "facts": dict(self.facts),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DocumentNote:
        """Rebuild from :meth:`to_dict`'s form."""
        return cls(
            str(data["code"]),
            str(data["message_en"]),
            str(data["message_fr"]),
            dict(data.get("facts") or {}),
        )


@dataclass(frozen=True)
class SourceSummary:
    """One upload of a document as msp_docs saw it: what it was and what was done to it."""

    name: str
    kind: str | None
    bytes: int
    pages: int | None
    actions: tuple[DocumentNote, ...] = ()
    warnings: tuple[DocumentNote, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "name": self.name,
            "kind": self.kind,
            "bytes": self.bytes,
            "pages": self.pages,
            "actions": [n.to_dict() for n in self.actions],
            "warnings": [n.to_dict() for n in self.warnings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourceSummary:
        """Rebuild from :meth:`to_dict`'s form."""
        return cls(
            name=str(data["name"]),
            kind=data.get("kind"),
            bytes=int(data["bytes"]),
            pages=None if data.get("pages") is None else int(data["pages"]),
            actions=tuple(DocumentNote.from_dict(n) for n in data.get("actions") or ()),
            warnings=tuple(DocumentNote.from_dict(n) for n in data.get("warnings") or ()),
        )


MERGE_SUMMARY_SCHEMA = "msp-portal/merge-summary/1"


@dataclass(frozen=True)
class MergeSummary:
    """The msp_docs report kept with a document: each upload, its actions and warnings."""

    sources: tuple[SourceSummary, ...]
    pages: int
    bytes: int
    tool_version: str

    @property
    def warnings(self) -> tuple[DocumentNote, ...]:
        """Every upload's warnings, in order."""
        return tuple(w for s in self.sources for w in s.warnings)

    @property
    def actions(self) -> tuple[DocumentNote, ...]:
        """Every upload's actions, in order."""
        return tuple(a for s in self.sources for a in s.actions)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (schema ``msp-portal/merge-summary/1``)."""
        return {
            "schema": MERGE_SUMMARY_SCHEMA,
            "tool": {"name": "msp-docs", "version": self.tool_version},
            "output": {"pages": self.pages, "bytes": self.bytes},
            "inputs": [s.to_dict() for s in self.sources],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MergeSummary:
        """Rebuild from :meth:`to_dict`'s form."""
        return cls(
            sources=tuple(SourceSummary.from_dict(s) for s in data.get("inputs") or ()),
            pages=int(data["output"]["pages"]),
            bytes=int(data["output"]["bytes"]),
            tool_version=str(data.get("tool", {}).get("version", "")),
        )


# --- documents and the quota --------------------------------------------------------------------
@dataclass(frozen=True)
class WalletDocument:
    """A document of the wallet: one PDF (immutable bytes) and its metadata.

    Attributes:
        id: 32 lower-case hex characters, random; use it in URLs.
        title: The citizen's title (rule D4); can be changed.
        category: One of :class:`Category`; can be changed.
        sha256: SHA-256 of the PDF (lower-case hex), its key in the blob store. Never changes.
        size: Bytes of the PDF. Never changes.
        pages: Pages of the PDF.
        created_at: When it was added (aware UTC).
        updated_at: When its title or category last changed (aware UTC).
        summary: What msp_docs did to each upload (actions, warnings).
    """

    id: str
    title: str
    category: Category
    sha256: str
    size: int
    pages: int
    created_at: datetime
    updated_at: datetime
    summary: MergeSummary

    @property
    def filename(self) -> str:
        """A download file name made from the title (see :func:`file_name`)."""
        return file_name(self.title)


@dataclass(frozen=True)
class WalletQuota:
    """The most an account's wallet may hold: documents and bytes (the PDFs' sizes)."""

    max_documents: int
    max_bytes: int


@dataclass(frozen=True)
class WalletUsage:
    """What an account's wallet holds now, and its quota."""

    documents: int
    bytes: int
    quota: WalletQuota | None = None


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f}"


def check_quota(usage: WalletUsage, adding: int, quota: WalletQuota) -> None:
    """Raise unless one more document of ``adding`` bytes fits in ``quota``.

    Raises:
        WalletFull: the wallet holds ``max_documents`` already.
        WalletTooLarge: the bytes would pass ``max_bytes``.
    """
    if usage.documents + 1 > quota.max_documents:
        raise WalletFull(limit=quota.max_documents)
    if usage.bytes + adding > quota.max_bytes:
        raise WalletTooLarge(
            used=usage.bytes,
            adding=adding,
            limit=quota.max_bytes,
            used_mb=_mb(usage.bytes),
            adding_mb=_mb(adding),
            limit_mb=_mb(quota.max_bytes),
        )
