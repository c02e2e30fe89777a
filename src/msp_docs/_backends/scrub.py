"""Removing active content, attachments and metadata from an opened PDF, in one pass over it.

The policy (what is removed and why) is in :mod:`msp_docs._backends.sanitize`; this module
applies it with pikepdf. Every object of the file is looked at once, whether it is reachable or
not and whether it sits in an object stream or not: its serialised form is searched for the
names that matter (in C++, fast) and only the objects that hold one are walked in Python,
together with the dictionaries and arrays written inside them. Stream data is never decoded.
Pages get a second, cheap look of their own (:func:`scrub_page`): their keys are whitelisted and
their attachment and multimedia annotations removed.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from msp_docs._backends.sanitize import (
    ASCII_FILTERS,
    ATTACHMENT_ANNOTATIONS,
    FILTER_PATTERN,
    KEPT_PAGE_KEYS,
    MULTIMEDIA_ANNOTATIONS,
    REMOVED_NAME_TREES,
    SLOT_ONLY_TRIGGERS,
    TRIGGER_PATTERN,
    Removed,
    classify_action,
    decoded_on_write,
    worst_case_size,
)
from msp_docs.errors import CorruptPdf, DecompressionBomb, ImageTooLarge, Part, Reason

__all__ = [
    "Destinations",
    "ascii_decode",
    "name_text",
    "scrub_document",
    "scrub_page",
    "tidy_form",
]

_TRIGGER = re.compile(TRIGGER_PATTERN)
_IMAGE = re.compile(rb"/Subtype\s*/Image(?=[\s()<>\[\]{}/%]|\Z)")
_FILTERS = re.compile(FILTER_PATTERN)

# Keys removed from annotations of the kinds removed from pages, in case such an annotation is
# still referenced from somewhere else (a pop-up's /Parent): the media or file goes either way.
_MEDIA_KEYS = ("/3DD", "/RichMediaContent", "/RichMediaSettings", "/Movie", "/Sound", "/FS")


def scrub_document(
    pdf: pikepdf.Pdf, *, max_depth: int, max_stream_bytes: int, max_image_pixels: int
) -> Removed:
    """Remove active content, embedded files, signatures and metadata from every object.

    Image streams are never decoded, but their declared size is checked: a viewer opening the
    output would allocate it (a JBIG2 or CCITT image can declare 10^12 pixels in a few bytes).

    Raises:
        CorruptPdf: objects nested deeper than ``max_depth``.
        ImageTooLarge: an image XObject declaring more than ``max_image_pixels`` pixels.
        DecompressionBomb: a stream that qpdf will decode when writing (LZW, RunLength) could
            expand beyond ``max_stream_bytes``.
    """
    walker = _Walker(max_depth, max_stream_bytes)
    info = pdf.trailer.get("/Info")
    if isinstance(info, Dictionary) and len(info.keys()) > 0:
        walker.removed.info = True
    walker.catalog = pdf.Root.objgen
    objects: Iterable[Any] = pdf.objects
    for obj in objects:
        if not isinstance(obj, pikepdf.Object):
            continue  # numbers, strings and names held as objects of their own
        if isinstance(obj, Stream):
            text = obj.stream_dict.unparse(resolved=True)
            if _FILTERS.search(text):
                walker.filters(obj)
            if _IMAGE.search(text):
                _check_image_size(obj, max_image_pixels)
        elif isinstance(obj, Dictionary | Array):
            text = obj.unparse(resolved=True)
        else:
            continue
        found = set(_TRIGGER.findall(text))
        if not found:
            continue
        if found <= SLOT_ONLY_TRIGGERS:
            if isinstance(obj, Dictionary):
                walker.slots(obj)
        else:
            walker.walk(obj)
    # After the walk, which counted what they hold: the catalog's trees of scripts, files and
    # media go. Their own objects are then unreferenced and never written.
    names = pdf.Root.get("/Names")
    if isinstance(names, Dictionary):
        for tree in REMOVED_NAME_TREES:
            if "/" + tree in names:
                del names["/" + tree]
    return walker.removed


def _check_image_size(stream: Stream, max_pixels: int) -> None:
    width, height = stream.get("/Width"), stream.get("/Height")
    try:
        w, h = int(width), int(height)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return  # not a usable image; a viewer draws nothing
    if w * h > max_pixels:
        raise ImageTooLarge(
            detail=f"image object {stream.objgen[0]}", width=w, height=h, limit=max_pixels
        )


def scrub_page(page: Dictionary, removed: Removed, destinations: Destinations) -> None:
    """Keep only the page keys that describe its content, and drop media and attachments.

    Annotations of the removed kinds are taken off the page, as are entries of /Annots that are
    not annotations at all. Links to named destinations are given the destination itself: the
    merged document needs no names (and two inputs' names cannot clash), and the page copy has
    nothing left to look up.
    """
    for key in list(page.keys()):
        if key[1:] not in KEPT_PAGE_KEYS:
            if key == "/LastModified":
                removed.page_dates += 1
            elif key == "/Metadata":
                removed.object_metadata += 1
            elif key == "/PieceInfo":
                removed.piece_info += 1
            del page[key]
    annots = page.get("/Annots")
    if annots is None:
        return
    if not isinstance(annots, Array):
        del page["/Annots"]
        return
    kept: list[Any] = []
    for annot in annots:
        if not isinstance(annot, Dictionary):
            continue
        subtype = name_text(annot.get("/Subtype"))
        if subtype in ATTACHMENT_ANNOTATIONS:
            removed.attachment_annotations += 1
            _strip(annot, _MEDIA_KEYS)
        elif subtype in MULTIMEDIA_ANNOTATIONS:
            removed.multimedia_annotations += 1
            _strip(annot, _MEDIA_KEYS)
        else:
            kept.append(annot)
            if destinations:
                _explicit_link(annot, destinations)
    if len(kept) != len(annots):
        if kept:
            page["/Annots"] = Array(kept)
        else:
            del page["/Annots"]


def tidy_form(pdf: pikepdf.Pdf, *, max_depth: int) -> None:
    """Drop entries of the form's field tree that are not fields (missing objects, garbage).

    The page copy follows /Fields and /Kids and expects dictionaries there; a damaged file
    can leave nulls where fields were lost. Loops are cut as well.
    """
    form = pdf.Root.get("/AcroForm")
    if not isinstance(form, Dictionary):
        if form is not None:
            del pdf.Root["/AcroForm"]
        return
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, str, int]] = [(form, "/Fields", 0)]
    while stack:
        owner, key, depth = stack.pop()
        entries = owner.get(key)
        if entries is None:
            continue
        if not isinstance(entries, Array) or depth > max_depth:
            del owner[key]
            continue
        kept = []
        for entry in entries:
            if not isinstance(entry, Dictionary):
                continue
            if entry.is_indirect:
                if entry.objgen in seen:
                    continue
                seen.add(entry.objgen)
            kept.append(entry)
            stack.append((entry, "/Kids", depth + 1))
        if len(kept) != len(entries):
            owner[key] = Array(kept)


class Destinations:
    """The named destinations of a document, read once, as explicit destination arrays."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self._strings: dict[str, Any] = {}
        self._names: dict[str, Any] = {}
        names = pdf.Root.get("/Names")
        tree = names.get("/Dests") if isinstance(names, Dictionary) else None
        if isinstance(tree, Dictionary):
            try:
                self._strings = dict(pikepdf.NameTree(tree).items())
            except (pikepdf.PdfError, TypeError, ValueError, UnicodeDecodeError):
                self._strings = {}  # a damaged tree: the page copy looks names up itself
        legacy = pdf.Root.get("/Dests")
        if isinstance(legacy, Dictionary):
            keys = legacy.keys()
            self._names = {key: legacy[key] for key in keys}

    def __bool__(self) -> bool:
        return bool(self._strings or self._names)

    def explicit(self, target: Any) -> Array | None:
        """The explicit destination a name (string or name object) stands for, if known."""
        if isinstance(target, pikepdf.String):
            entry = self._strings.get(str(target))
        elif isinstance(target, Name):
            entry = self._names.get(str(target))
        else:
            return None
        if isinstance(entry, Dictionary):
            entry = entry.get("/D")
        if not isinstance(entry, Array) or len(entry) == 0:
            return None
        page = entry[0]
        if not isinstance(page, Dictionary) or not page.is_indirect:
            return None
        return Array(list(entry))


def _explicit_link(annot: Any, destinations: Destinations) -> None:
    target = annot.get("/Dest")
    if target is not None and not isinstance(target, Array):
        explicit = destinations.explicit(target)
        if explicit is not None:
            annot["/Dest"] = explicit
    action = annot.get("/A")
    if isinstance(action, Dictionary) and name_text(action.get("/S")) == "GoTo":
        explicit = destinations.explicit(action.get("/D"))
        if explicit is not None:
            action["/D"] = explicit


class _Walker:
    """Walks objects and the direct objects inside them, applying the policy to each dictionary."""

    def __init__(self, max_depth: int, max_stream_bytes: int) -> None:
        self.max_depth = max_depth
        self.max_stream_bytes = max_stream_bytes
        self.removed = Removed()
        self.catalog: tuple[int, int] = (0, 0)
        self._counted: set[tuple[int, int]] = set()
        self._embedded: set[tuple[int, int]] = set()

    def walk(self, top: Any) -> None:
        stack: list[tuple[Any, int]] = [(top, 0)]
        while stack:
            obj, depth = stack.pop()
            if depth > self.max_depth:
                raise CorruptPdf(reason=Reason.OBJECTS_TOO_DEEP)
            if isinstance(obj, Array):
                values: list[Any] = list(obj)
            else:
                # keys() then [key], not items(): a key that is not UTF-8 comes back from
                # keys() with surrogate escapes, where items() raises.
                keys = obj.keys()
                values = [obj[key] for key in keys]
                self._dictionary(obj)
            for value in values:
                if isinstance(value, Dictionary | Array) and not value.is_indirect:
                    stack.append((value, depth + 1))

    def slots(self, obj: Any) -> None:
        """Empty the /A and /Next slots that lead to a removed or emptied action.

        For objects whose only trigger names are /A or /Next: nothing in them needs the whole
        walk, but an action they lead to may have been emptied as an object of its own.
        """
        stack: list[tuple[Any, int]] = [(obj, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > self.max_depth:
                raise CorruptPdf(reason=Reason.ACTIONS_TOO_DEEP)
            if "/A" in node:
                action = node["/A"]
                if _removable(action):
                    del node["/A"]
                elif isinstance(action, Dictionary) and not action.is_indirect:
                    stack.append((action, depth + 1))
            if "/Next" in node and "/S" in node:
                self._next(node)
                following = node.get("/Next")
                chain = following if isinstance(following, Array) else [following]
                for action in chain:
                    if isinstance(action, Dictionary) and not action.is_indirect:
                        stack.append((action, depth + 1))

    # --- one dictionary ---------------------------------------------------------------------------
    def _dictionary(self, d: Any) -> None:
        """Apply every rule to one dictionary (or stream dictionary)."""
        kind = _action_kind(d)
        if kind is not None:
            # Counted once here, wherever it hangs; emptied so that an unexpected reference to
            # it (one the slot rules below do not know) leads nowhere.
            self._count(d, kind)
            for key in list(d.keys()):
                del d[key]
            return
        keys = set(d.keys())
        if "/ByteRange" in keys or name_text(d.get("/Type")) == "Sig":
            self._signature(d)
        if "/AA" in keys:
            self._additional_actions(d["/AA"])
            del d["/AA"]
        if "/JS" in keys:
            self._count(d, "javascript")
            del d["/JS"]
        if "/A" in keys and _removable(d["/A"]):
            del d["/A"]
        if "/Next" in keys and "/S" in keys:
            self._next(d)
        if "/OpenAction" in keys:
            self._open_action(d)
        if "/EF" in keys or "/RF" in keys:
            self._embedded_files(d)
        if "/AF" in keys:
            del d["/AF"]
        if "/Metadata" in keys:
            if d.is_indirect and d.objgen == self.catalog:
                self.removed.xmp = True
            else:
                self.removed.object_metadata += 1
            del d["/Metadata"]
        if "/PieceInfo" in keys:
            self.removed.piece_info += 1
            del d["/PieceInfo"]
        if "/Perms" in keys:
            del d["/Perms"]
        if "/XFA" in keys:
            self._xfa(d)
        for key in ("/NeedsRendering", "/Collection", "/SigFlags", *_MEDIA_KEYS[:5]):
            if key in keys:
                del d[key]
        if "/V" in keys and name_text(d.get("/FT")) == "Sig":
            del d["/V"]

    def filters(self, stream: Stream) -> None:
        """Keep qpdf from decoding, when it writes the output, a stream that could explode.

        A one-filter array becomes the filter's name (qpdf copies a Flate stream as it is only
        then); ASCII layers in front are undone here (the stream keeps what lies under them);
        a stream qpdf would still decode must then be bounded by its worst case.
        """
        filters = stream.get("/Filter")
        if isinstance(filters, Array) and len(filters) <= 1:
            only = filters[0] if len(filters) == 1 else None
            params = stream.get("/DecodeParms")
            param = params[0] if isinstance(params, Array) and len(params) == 1 else None
            del stream["/Filter"]
            if isinstance(params, Array):
                del stream["/DecodeParms"]
            if only is not None:
                stream["/Filter"] = only
                if param is not None:
                    stream["/DecodeParms"] = param
            filters = only
        chain = list(filters) if isinstance(filters, Array) else [filters]
        names = [name_text(f) or "" for f in chain if f is not None]
        if not decoded_on_write(names):
            return
        raw = stream.read_raw_bytes()
        if names[0] in ASCII_FILTERS:
            raw, names = _unwrap_ascii(stream, raw, names)
        if decoded_on_write(names) and worst_case_size(len(raw), names) > self.max_stream_bytes:
            raise DecompressionBomb(
                what=Part.STREAM, value=stream.objgen[0], limit=self.max_stream_bytes
            )

    def _count(self, d: Any, kind: str) -> None:
        if d.is_indirect:
            if d.objgen in self._counted:
                return
            self._counted.add(d.objgen)
        self.removed.actions[kind] += 1

    def _signature(self, d: Any) -> None:
        if d.is_indirect:
            if d.objgen in self._counted:
                return
            self._counted.add(d.objgen)
        references = d.get("/Reference")
        methods = set()
        if isinstance(references, Array):
            for ref in references:
                if isinstance(ref, Dictionary):
                    methods.add(name_text(ref.get("/TransformMethod")))
        if methods & {"UR", "UR3"}:
            self.removed.usage_rights += 1
        else:
            self.removed.signatures += 1

    def _additional_actions(self, aa: Any) -> None:
        """Count the actions of a removed /AA that are not counted as active content anyway."""
        if not isinstance(aa, Dictionary):
            return
        triggers = aa.keys()
        for trigger in triggers:
            action = aa[trigger]
            if isinstance(action, Dictionary) and _action_kind(action) is None and "/S" in action:
                self._count(action, "automatic")

    def _next(self, d: Any) -> None:
        following = d["/Next"]
        if isinstance(following, Array):
            kept = [a for a in following if not _removable(a)]
            if not kept:
                del d["/Next"]
            elif len(kept) != len(following):
                d["/Next"] = Array(kept)
        elif _removable(following):
            del d["/Next"]

    def _open_action(self, d: Any) -> None:
        action = d["/OpenAction"]
        if isinstance(action, Array):
            return  # an explicit destination: the page the document opens at
        if isinstance(action, Dictionary) and name_text(action.get("/S")) == "GoTo":
            return
        if isinstance(action, Dictionary) and _action_kind(action) is None and "/S" in action:
            self._count(action, "open-action")
        del d["/OpenAction"]

    def _embedded_files(self, d: Any) -> None:
        for key in ("/EF", "/RF"):
            files = d.get(key)
            if isinstance(files, Dictionary):
                names = files.keys()
                for name in names:
                    stream = files[name]
                    if isinstance(stream, Stream):
                        self._embedded.add(stream.objgen)
            if key in d:
                del d[key]
        self.removed.embedded_files = len(self._embedded)

    def _xfa(self, d: Any) -> None:
        self.removed.xfa = True
        fields = d.get("/Fields")
        if not isinstance(fields, Array) or not any(isinstance(f, Dictionary) for f in fields):
            self.removed.xfa_only = True
        del d["/XFA"]


def _unwrap_ascii(stream: Stream, raw: bytes, names: list[str]) -> tuple[bytes, list[str]]:
    """Undo the leading ASCII filters of a stream in place; return its new data and filters.

    Data that is not valid for its filter is left as it was (the bound then applies to it).
    """
    params = stream.get("/DecodeParms")
    parms = list(params) if isinstance(params, Array) else [params] * len(names)
    done = 0
    for name in names:
        if name not in ASCII_FILTERS:
            break
        try:
            raw = ascii_decode(name, raw)
        except ValueError:
            break
        done += 1
    if done == 0:
        return raw, names
    rest, rest_parms = names[done:], parms[done : len(names)]
    filters: Any = None
    decode_parms: Any = None
    if len(rest) == 1:
        filters = Name("/" + rest[0])
        decode_parms = rest_parms[0] if rest_parms and rest_parms[0] is not None else None
    elif rest:
        filters = Array([Name("/" + n) for n in rest])
        if any(p is not None for p in rest_parms):
            decode_parms = Array(rest_parms)
    stream.write(raw, filter=filters, decode_parms=decode_parms)
    return raw, rest


def ascii_decode(name: str, data: bytes) -> bytes:
    """Decode ASCIIHex or ASCII85 data as a PDF reader does (pure).

    Raises:
        ValueError: data that is not valid for the filter.
    """
    text = data.translate(None, b" \t\r\n\f\x00")
    if name in ("ASCIIHexDecode", "AHx"):
        end = text.find(b">")
        text = text if end < 0 else text[:end]
        if len(text) % 2:
            text += b"0"
        try:
            return binascii.unhexlify(text)
        except binascii.Error as exc:
            raise ValueError(str(exc)) from exc
    end = text.find(b"~>")
    text = text if end < 0 else text[:end]
    if text.startswith(b"<~"):
        text = text[2:]
    return base64.a85decode(text)


def name_text(value: Any) -> str | None:
    """The text of a name object without its slash, or ``None`` for anything else.

    A name whose bytes are not UTF-8 is given in its escaped form (``J#c7``), which matches no
    name the policy knows, instead of raising.
    """
    if not isinstance(value, Name):
        return None
    try:
        return str(value)[1:]
    except UnicodeDecodeError:
        return value.unparse()[1:].decode("ascii", "replace")


def _text(value: Any) -> str | None:
    if isinstance(value, pikepdf.String):
        return bytes(value).decode("latin-1")
    return None


def _action_kind(d: Any) -> str | None:
    """The removal kind of an action dictionary, or ``None`` (kept, or not an action)."""
    # /Type is optional in actions and viewers do not check it, so it is not looked at: a
    # dictionary of another type with one of these /S values is not valid anyway.
    action_type = name_text(d.get("/S"))
    if action_type is None:
        return None
    return classify_action(action_type, uri=_text(d.get("/URI")), names_file="/F" in d)


def _removable(action: Any) -> bool:
    """Whether an action slot should be emptied: a removed action, or one already emptied."""
    if not isinstance(action, Dictionary):
        return False  # a destination array, a boolean (/A of a movie): nothing to run
    if len(action.keys()) == 0:
        return True
    return _action_kind(action) is not None


def _strip(annot: Any, keys: tuple[str, ...]) -> None:
    for key in (*keys, "/A", "/AA"):
        if key in annot:
            del annot[key]
