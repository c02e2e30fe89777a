"""What counts as active content in a PDF, and how what was removed is reported (pure policy).

No PDF library is imported here: the walker (``_backends.scrub``) asks these functions about
names and strings it reads, and records what it removed in a :class:`Removed` tally, which
turns into the report's notes.

Decisions:

- Actions that run code, reach the file system or the network, submit or import form data, or
  play media are removed: ``JavaScript``, ``Launch``, ``SubmitForm``, ``ImportData``, ``GoToR``,
  ``GoToE``, ``Rendition``, ``Movie``, ``Sound``, ``RichMediaExecute``, ``GoTo3DView``, and a
  ``Thread`` action that names another file.
- Actions that stay inside the document are kept: ``GoTo``, ``GoToDp``, ``Named``, ``Hide``,
  ``ResetForm``, ``SetOCGState``, ``Trans`` and an internal ``Thread``.
- ``URI`` links are kept when their scheme is ``http``, ``https`` or ``mailto``: they are what a
  reader clicks in a letter from an administration, and a viewer asks before following them.
  Any other scheme (``javascript:``, ``file:``, ``data:``, ``smb:``...) is removed.
- Additional actions (``/AA``: triggers on open, close, focus, keystroke...) are removed wholesale,
  even when they only go to a page: an action that fires by itself has no place in a document
  filed with an administration.
- A document ``/OpenAction`` is kept only when it goes to a page (a destination or ``GoTo``).
- Embedded files, multimedia annotations (``RichMedia``, ``3D``, ``Movie``, ``Sound``,
  ``Screen``) and file-attachment annotations are removed; so are XFA data when AcroForm fields
  remain. An XFA-only form has nothing left to show without XFA and is refused.
- Digital signatures cannot survive a merge: their value (``/V`` of a signature field, which
  also names the signer and carries the certificates) is removed and the field kept empty, so
  that no viewer shows a broken signature; the visible appearance stays as it was printed.
  Adobe usage rights (``/Perms /UR3``) are removed for the same reason.
- Metadata of the input (the Info dictionary, XMP streams, ``/PieceInfo``, page dates) is
  removed; the output carries only its own title and producer.
- Streams are never decoded to sanitise. Those qpdf would decode while writing the output (see
  :func:`decoded_on_write`) are made harmless first: a one-filter array becomes a name, ASCII
  layers are undone, and what qpdf would still decode is refused when its worst-case size
  exceeds the stream limit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from msp_docs._model import Note

__all__ = [
    "ACTION_KINDS",
    "ASCII_FILTERS",
    "ATTACHMENT_ANNOTATIONS",
    "FILTER_PATTERN",
    "GENERAL_FILTERS",
    "KEPT_PAGE_KEYS",
    "MULTIMEDIA_ANNOTATIONS",
    "REMOVED_NAME_TREES",
    "SAFE_URI_SCHEMES",
    "SLOT_ONLY_TRIGGERS",
    "TRIGGER_PATTERN",
    "WORST_EXPANSION",
    "Removed",
    "classify_action",
    "decoded_on_write",
    "uri_scheme",
    "worst_case_size",
]

#: Action type (``/S``) -> kind of removal, for every action that is removed.
ACTION_KINDS: dict[str, str] = {
    "JavaScript": "javascript",
    "Launch": "launch",
    "SubmitForm": "submit-form",
    "ImportData": "import-data",
    "GoToR": "remote-goto",
    "GoToE": "embedded-goto",
    "Rendition": "multimedia",
    "Movie": "multimedia",
    "Sound": "multimedia",
    "RichMediaExecute": "multimedia",
    "GoTo3DView": "multimedia",
}

#: URI schemes a link may keep.
SAFE_URI_SCHEMES = frozenset({"http", "https", "mailto"})

#: Annotation subtypes removed from pages, by kind.
MULTIMEDIA_ANNOTATIONS = frozenset({"RichMedia", "3D", "Movie", "Sound", "Screen"})
ATTACHMENT_ANNOTATIONS = frozenset({"FileAttachment"})

#: Entries of the catalog's /Names dictionary that are removed (the rest, e.g. /Dests, stay).
REMOVED_NAME_TREES = ("JavaScript", "EmbeddedFiles", "Renditions", "AlternatePresentations")

#: Page dictionary keys that are kept (ISO 32000-2, table 31); every other key is dropped, which
#: takes /AA, /Metadata, /PieceInfo, /LastModified, /AF, /PresSteps, /Thumb and private keys.
KEPT_PAGE_KEYS = frozenset(
    {
        "Type", "Parent", "Resources", "MediaBox", "CropBox", "BleedBox", "TrimBox", "ArtBox",
        "BoxColorInfo", "Contents", "Rotate", "Group", "B", "Dur", "Trans", "Annots",
        "StructParents", "SeparationInfo", "Tabs", "UserUnit", "VP", "OutputIntents",
    }
)  # fmt: skip

# Every name whose presence in an object (as a key or a value) makes the walker look at it
# closely. An object without any of them holds nothing the walker would change, so the
# serialised form of each object is searched first (fast, in C++) and only matches are walked.
_TRIGGER_NAMES = (
    # keys
    "AA", "JS", "A", "OpenAction", "Next", "AF", "EF", "RF", "Metadata", "PieceInfo",
    "Perms", "XFA", "NeedsRendering", "Collection", "SigFlags", "ByteRange", "3DD",
    "RichMediaContent", "RichMediaSettings", "Movie", "Sound",
    # values
    "Sig", "URI", "Thread", *ACTION_KINDS,
)  # fmt: skip

#: Trigger names that, alone, only call for a look at one slot: an /A or /Next that may lead to
#: an action emptied elsewhere (links and bookmarks have them by the hundred).
SLOT_ONLY_TRIGGERS = frozenset({b"/A", b"/Next"})

#: A regular expression (bytes) matching a trigger name in qpdf's canonical serialisation,
#: where a name always ends at a delimiter or white space.
TRIGGER_PATTERN: bytes = (
    rb"/(?:"
    # Longest first, so that /JavaScript is not read as /JS followed by more letters.
    + b"|".join(name.encode() for name in sorted(set(_TRIGGER_NAMES), key=lambda n: (-len(n), n)))
    + rb")(?=[\s()<>\[\]{}/%]|\Z)"
)

#: How many times larger than its encoded form decoded data can get, at worst, per filter.
#: LZW: a 4096-entry table whose entries grow by one byte per 12-bit code gives at most ~1362
#: (qpdf refuses codes once the table is full); Flate: 1032; RunLength: 128 bytes from 2.
WORST_EXPANSION: dict[str, int] = {
    "FlateDecode": 1032,
    "Fl": 1032,
    "LZWDecode": 1400,
    "LZW": 1400,
    "RunLengthDecode": 64,
    "RL": 64,
    "ASCII85Decode": 4,
    "A85": 4,
    "ASCIIHexDecode": 1,
    "AHx": 1,
}

#: The general-purpose filters. When the output is written with compressed streams, qpdf decodes
#: every stream whose filters are all of these, unless it is plain Flate, and compresses the
#: result again with Flate. qpdf's LZW decoder has no memory limit and its Flate limit is off by
#: default: such a stream must not be able to expand beyond the limit (see decoded_on_write).
GENERAL_FILTERS = frozenset(WORST_EXPANSION)

#: ASCII encodings of binary data, which the walker undoes itself (at most 4 times larger, at C
#: speed) so that what is underneath is bounded like any other stream.
ASCII_FILTERS = frozenset({"ASCIIHexDecode", "AHx", "ASCII85Decode", "A85"})


def decoded_on_write(filters: list[str]) -> bool:
    """Whether qpdf decodes a stream with these filters when writing the output.

    A single filter must be given as a name for this to hold: qpdf decodes a stream whose
    /Filter is the array ``[ /FlateDecode ]`` (the walker turns such arrays into names).
    """
    if not filters or filters in (["FlateDecode"], ["Fl"]):
        return False
    return all(name in GENERAL_FILTERS for name in filters)


#: A regular expression (bytes) matching, in a stream dictionary, what makes qpdf decode the
#: stream when it writes the output: a filter array (qpdf copies ``/FlateDecode`` as it is, but
#: not ``[ /FlateDecode ]``) or a general filter other than Flate (see decoded_on_write).
FILTER_PATTERN: bytes = (
    rb"/Filter\s*\[|/(?:LZWDecode|LZW|RunLengthDecode|RL|ASCIIHexDecode|AHx|ASCII85Decode|A85)"
    rb"(?=[\s()<>\[\]{}/%]|\Z)"
)

_LABELS = {
    "launch": "Launch",
    "submit-form": "SubmitForm",
    "import-data": "ImportData",
    "remote-goto": "GoToR",
    "embedded-goto": "GoToE",
    "unsafe-uri": "URI",
    "automatic": "AA",
    "open-action": "OpenAction",
}


def worst_case_size(raw_length: int, filters: list[str]) -> int:
    """The largest size ``raw_length`` encoded bytes can decode to through ``filters``.

    Unknown filters (image codecs qpdf never decodes for us) count as 1.
    """
    size = raw_length
    for name in filters:
        size *= WORST_EXPANSION.get(name, 1)
    return size


def uri_scheme(uri: str) -> str | None:
    """The lower-cased scheme of ``uri``, or ``None`` when it has none (a relative URI)."""
    head, sep, _ = uri.strip().partition(":")
    if not sep or not head or not head[0].isalpha():
        return None
    if not all(c.isalnum() or c in "+-." for c in head):
        return None
    return head.lower()


def classify_action(
    action_type: str, *, uri: str | None = None, names_file: bool = False
) -> str | None:
    """Return the kind under which an action is removed, or ``None`` when it is kept.

    Args:
        action_type: The action's ``/S`` name, without the slash.
        uri: For a ``URI`` action, its ``/URI`` string.
        names_file: The action has an ``/F`` entry (another file), for ``Thread`` actions.
    """
    kind = ACTION_KINDS.get(action_type)
    if kind is not None:
        return kind
    if action_type == "URI":
        scheme = uri_scheme(uri or "")
        if scheme == "javascript":
            return "javascript"
        if scheme is not None and scheme not in SAFE_URI_SCHEMES:
            return "unsafe-uri"
        if scheme is None and uri and uri.strip():
            # A relative URI resolves against a base the viewer chooses: not worth the doubt.
            return "unsafe-uri"
        return None
    if action_type == "Thread" and names_file:
        return "remote-goto"
    return None


@dataclass(slots=True)
class Removed:
    """What was removed from one PDF, counted per kind.

    Attributes:
        actions: Removed actions per kind (``javascript``, ``launch``, ``submit-form``,
            ``import-data``, ``remote-goto``, ``embedded-goto``, ``multimedia``, ``unsafe-uri``,
            ``automatic`` for actions of a removed /AA, ``open-action``).
        embedded_files: Embedded file streams.
        attachment_annotations: File-attachment annotations removed from pages.
        multimedia_annotations: Multimedia annotations removed from pages.
        signatures: Digital signature values.
        usage_rights: Adobe usage rights signatures.
        xfa: XFA data was found.
        xfa_only: XFA was found and no AcroForm field remains without it.
        info: The Info dictionary had entries.
        xmp: The catalog had an XMP metadata stream.
        object_metadata: XMP streams of pages, images, fonts and other objects.
        piece_info: Private application data dictionaries (/PieceInfo).
        page_dates: Page modification dates (/LastModified).
    """

    actions: Counter[str] = field(default_factory=Counter)
    embedded_files: int = 0
    attachment_annotations: int = 0
    multimedia_annotations: int = 0
    signatures: int = 0
    usage_rights: int = 0
    xfa: bool = False
    xfa_only: bool = False
    info: bool = False
    xmp: bool = False
    object_metadata: int = 0
    piece_info: int = 0
    page_dates: int = 0

    def counts(self) -> dict[str, int]:
        """Every non-zero count, by kind, for the report's details (sorted by kind)."""
        counts: dict[str, int] = dict(self.actions)
        counts.update(
            {
                "embedded-file": self.embedded_files,
                "attachment-annotation": self.attachment_annotations,
                "multimedia-annotation": self.multimedia_annotations,
                "signature": self.signatures,
                "usage-rights": self.usage_rights,
                "xfa": int(self.xfa and not self.xfa_only),
                "xmp-metadata": int(self.xmp),
                "info-dictionary": int(self.info),
                "object-metadata": self.object_metadata,
                "piece-info": self.piece_info,
                "page-date": self.page_dates,
            }
        )
        return {k: v for k, v in sorted(counts.items()) if v}

    def notes(self) -> tuple[list[Note], list[Note]]:
        """The report's notes for what was removed: (actions, warnings)."""
        actions: list[Note] = []
        warnings: list[Note] = []
        if self.actions["javascript"]:
            actions.append(Note("javascript-removed", {"count": self.actions["javascript"]}))
        other = {k: v for k, v in sorted(self.actions.items()) if k in _LABELS and v}
        if other:
            kinds = ", ".join(f"{_LABELS[k]} ({v})" for k, v in other.items())
            actions.append(Note("actions-removed", {"kinds": kinds, "count": sum(other.values())}))
        attachments = self.embedded_files or self.attachment_annotations
        if attachments:
            actions.append(Note("attachments-removed", {"count": attachments}))
        multimedia = self.actions["multimedia"] + self.multimedia_annotations
        if multimedia:
            actions.append(Note("multimedia-removed", {"count": multimedia}))
        if self.xfa and not self.xfa_only:
            actions.append(Note("xfa-removed"))
        if self.signatures:
            actions.append(Note("signature-removed", {"count": self.signatures}))
            warnings.append(Note("signature-invalidated"))
        if self.usage_rights:
            actions.append(Note("usage-rights-removed"))
        metadata = {
            "info": self.info,
            "xmp": self.xmp,
            "objects": self.object_metadata,
            "private": self.piece_info,
            "dates": self.page_dates,
        }
        if any(metadata.values()):
            actions.append(Note("pdf-metadata-removed", metadata))
        return actions, warnings
