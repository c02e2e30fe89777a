"""Opening an uploaded PDF: repair, decryption, page checks and removal of active content."""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Stream

from msp_docs._backends.sanitize import Removed, worst_case_size
from msp_docs._backends.scrub import (
    Destinations,
    name_text,
    scrub_document,
    scrub_page,
    tidy_form,
)
from msp_docs._formats.pdf import declared_objects
from msp_docs._model import Note, PdfResult
from msp_docs.errors import (
    CorruptPdf,
    DecompressionBomb,
    NoPages,
    PageTooComplex,
    Part,
    PasswordRequired,
    Reason,
    TooManyObjects,
    TooManyPages,
    UnsafeContent,
    WrongPassword,
)
from msp_docs.limits import Limits
from msp_docs.options import Options

__all__ = ["corrupt_reason", "count_problems", "open_pdf", "trailing_bytes"]

# qpdf's messages for damage it cannot repair -> why, for the user (pure data). qpdf reports
# damage with messages only (pikepdf gives no code): they choose the words of the reason,
# never what happens to the file, which is refused as corrupt-pdf whatever they say.
_REASONS = (
    ("loop detected in /pages", Reason.PAGE_TREE_LOOP),
    ("too deeply nested", Reason.PAGE_TREE_DEEP),
    ("unable to find trailer", Reason.NO_STRUCTURE),
    ("unable to find /root", Reason.NO_STRUCTURE),
    ("can't find pdf header", Reason.NO_PDF_HEADER),
    ("root of pages tree", Reason.NO_PAGE_TREE),
    ("/count is wrong", Reason.PAGE_TREE_INCONSISTENT),
    ("unsupported encryption", Reason.UNKNOWN_ENCRYPTION),
)

# What qpdf raises on damage it cannot get past: PdfError, and QpdfRuntimeError (a
# RuntimeError) for inconsistencies found while repairing (e.g. a page tree's /Count).
# What qpdf raises through pikepdf on damaged input: its own errors, runtime errors, and
# ValueError/OverflowError for numbers that do not fit (found by fuzzing: an integer of 21 digits
# in an xref entry).
_DAMAGE = (pikepdf.PdfError, RuntimeError, ValueError, OverflowError)

_EOF_MARKER = b"%%EOF"
_OBJECT = re.compile(r"object (\d+)[ ,](\d+)")
_NUMBERS = re.compile(r"\d+")
_STREAM_NAME = re.compile(r"<_io\.BytesIO object at 0x[0-9a-f]+>")


def open_pdf(data: bytes, *, offset: int, limits: Limits, options: Options) -> PdfResult:
    """Open, repair, decrypt and sanitise a PDF; check that every page's content can be read.

    Args:
        data: The whole input.
        offset: Where ``%PDF-`` starts (junk before it is ignored and reported).
        limits: Page, object, depth and stream-size bounds.
        options: ``password`` is tried when the PDF needs a user password.

    Returns:
        The opened document (decrypted, stripped of active content and metadata) with the notes
        of what was done.

    Raises:
        CorruptPdf: it cannot be opened or repaired, or a page's content cannot be read.
        NoPages: it has no page.
        TooManyPages: more pages than ``limits.max_pages``.
        PasswordRequired: a user password is needed and none was given.
        WrongPassword: the password given does not open it.
        TooManyObjects: more objects than ``limits.max_pdf_objects``, as the raw structure
            declares them (checked before the file is parsed) or as parsed.
        PageTooComplex: a page's content has more operators than allowed.
        ImageTooLarge: an image declares more pixels than ``limits.max_image_pixels``.
        UnsafeContent: an XFA-only form.
        DecompressionBomb: the page content inflates beyond ``limits.max_content_bytes``
            (all pages together), or a stream qpdf decodes (LZW, RunLength) could decode beyond
            ``limits.max_stream_bytes``.
    """
    body = data[offset:] if offset else data
    actions: list[Note] = []
    warnings: list[Note] = []
    if offset:
        actions.append(Note("leading-junk-removed", {"bytes": offset}))
    # Counted before qpdf parses anything: building every object of a hostile file is what
    # takes the time and the memory (a million packed dictionaries: 500 MB).
    declared = declared_objects(body, enough=limits.max_pdf_objects)
    if declared.objects > limits.max_pdf_objects:
        raise TooManyObjects(objects=declared.objects, limit=limits.max_pdf_objects)
    pdf, password_used = _open(body, options.password, limits)
    try:
        removed, details = _sanitise(pdf, limits)
    except _DAMAGE as exc:
        pdf.close()
        raise _corrupt(exc) from exc
    except BaseException:
        pdf.close()
        raise
    repairs = count_problems(pdf.get_warnings())
    if repairs:
        actions.append(Note("repaired", {"count": repairs}))
    if pdf.is_encrypted:
        actions.append(Note("decrypted-with-password" if password_used else "encryption-removed"))
    trailing = trailing_bytes(body)
    if trailing:
        actions.append(Note("trailing-data-removed", {"bytes": trailing, "kind": "pdf"}))
    removed_actions, removed_warnings = removed.notes()
    actions.extend(removed_actions)
    warnings.extend(removed_warnings)
    details["removed"] = removed.counts()
    details["repairs"] = repairs
    return PdfResult(
        document=pdf, pages=details["pages"], actions=actions, warnings=warnings, details=details
    )


# --- opening ------------------------------------------------------------------------------------
def _open(body: bytes, password: str | None, limits: Limits) -> tuple[pikepdf.Pdf, bool]:
    """Open with an empty password, then with ``password``; return (pdf, password was needed).

    The page tree's declared ``/Count`` is checked first, on a copy opened without pushing
    inherited page attributes down the tree: qpdf's opening walks every page for that (50 000
    pages: half a second and 150 MB).
    """
    pdf, used = _open_once(body, password, inherit=False)
    try:
        declared = _declared_pages(pdf)
    finally:
        pdf.close()
    if declared > limits.max_pages:
        raise TooManyPages(pages=declared, limit=limits.max_pages)
    return _open_once(body, password if used else None, inherit=True)


def _open_once(body: bytes, password: str | None, *, inherit: bool) -> tuple[pikepdf.Pdf, bool]:
    try:
        return pikepdf.open(io.BytesIO(body), inherit_page_attributes=inherit), False
    except pikepdf.PasswordError as exc:
        if password is None:
            raise PasswordRequired() from exc
    except _DAMAGE as exc:
        raise _corrupt(exc) from exc
    try:
        pdf = pikepdf.open(io.BytesIO(body), password=password, inherit_page_attributes=inherit)
        return pdf, True
    except pikepdf.PasswordError as exc:
        raise WrongPassword() from exc
    except _DAMAGE as exc:
        raise _corrupt(exc) from exc


def _sanitise(pdf: pikepdf.Pdf, limits: Limits) -> tuple[Removed, dict[str, Any]]:
    """Check the limits and the pages, remove what must go; return the tally and the facts."""
    objects = len(pdf.objects)
    if objects > limits.max_pdf_objects:
        raise TooManyObjects(objects=objects, limit=limits.max_pdf_objects)
    pages = len(pdf.pages)
    if pages == 0:
        raise NoPages()
    if pages > limits.max_pages:
        raise TooManyPages(pages=pages, limit=limits.max_pages)
    removed = scrub_document(
        pdf,
        max_depth=limits.max_depth,
        max_stream_bytes=limits.max_stream_bytes,
        max_image_pixels=limits.max_image_pixels,
    )
    if removed.xfa_only:
        raise UnsafeContent(reason=Reason.XFA_ONLY)
    tidy_form(pdf, max_depth=limits.max_depth)
    sizes: list[list[float]] = []
    destinations = Destinations(pdf)
    content = _Content(limits)
    for index, page in enumerate(pdf.pages):
        scrub_page(page.obj, removed, destinations)
        content.check(page.obj, index + 1)
        size = _size(page.obj)
        if size is not None and size not in sizes:
            sizes.append(size)
    details: dict[str, Any] = {
        "pages": pages,
        "version": pdf.pdf_version,
        "encrypted": pdf.is_encrypted,
        "linearized": pdf.is_linearized,
        "form_fields": _field_count(pdf),
        "page_sizes": sizes[:10],
    }
    return removed, details


def _declared_pages(pdf: pikepdf.Pdf) -> int:
    """The page count the root of the page tree declares (0 when it declares none)."""
    try:
        tree = pdf.Root.get("/Pages")
        count = tree.get("/Count") if isinstance(tree, Dictionary) else None
    except (*_DAMAGE, AttributeError, TypeError):
        return 0
    return count if isinstance(count, int) else 0


# --- page content -------------------------------------------------------------------------------
# An upper bound of the content operators: runs of up to four letters (operators are one to three
# letters and a star, or ' and "). Words in text strings, hex strings and inline image data count
# too, which only makes the limit a little stricter for pages that are absurd anyway; in
# exchange the count runs at C speed and skips whitespace and numbers fast (a pattern that starts
# with a character set is searched for, not tried at every byte).
_OPERATOR = re.compile(rb"[A-Za-z'\"][A-Za-z0-9*]{0,3}")
_CHUNK = 1 << 20


class _Content:
    """Checks the content of every page of one document against the content limits.

    Every content stream must decode. Its operators count against the page's
    ``max_content_operators``, its inflated size against the document's ``max_content_bytes``:
    together they bound the work of the whole check, whatever the number of pages (a stream
    shared by many pages is decoded once). Decoding stops as soon as a bound is crossed.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.remaining = limits.max_content_bytes
        self.operators: dict[tuple[int, int], int] = {}  # per content stream, counted once

    def check(self, page: Dictionary, number: int) -> None:
        """Check that every content stream of a page decodes, within the limits."""
        contents = page.get("/Contents")
        if contents is None:
            return
        streams = list(contents) if isinstance(contents, Array) else [contents]
        counter = _OperatorCounter(number, self.limits.max_content_operators)
        for stream in streams:
            if not isinstance(stream, Stream):
                raise CorruptPdf(reason=Reason.PAGE_CONTENT_MISSING, value=number)
            known = self.operators.get(stream.objgen)
            if known is not None:
                counter.add(known)
                continue
            before = counter.count
            self._decode(stream, number, counter)
            self.operators[stream.objgen] = counter.count - before

    def _bomb(self, number: int) -> DecompressionBomb:
        limit = self.limits.max_content_bytes
        return DecompressionBomb(what=Part.PAGE_CONTENT, value=number, limit=limit)

    def _decode(self, stream: Stream, number: int, counter: _OperatorCounter) -> None:
        filters = stream.get("/Filter")
        if filters is None:
            self._charge(len(stream.read_raw_bytes()), number)
            counter.feed(stream.read_raw_bytes())
            return
        chain = list(filters) if isinstance(filters, Array) else [filters]
        names = [name_text(f) or "" for f in chain]
        if names in (["FlateDecode"], ["Fl"]) and self._inflate(stream, number, counter):
            return
        # Other filters are decoded by qpdf, in memory: only when the worst case is bounded.
        if worst_case_size(len(stream.read_raw_bytes()), names) > self.limits.max_stream_bytes:
            raise self._bomb(number)
        try:
            decoded = stream.read_bytes()
        except _DAMAGE as exc:
            raise CorruptPdf(
                detail=_clean(str(exc)), reason=Reason.PAGE_CONTENT_UNDECODABLE, value=number
            ) from exc
        self._charge(len(decoded), number)
        counter.feed(decoded)

    def _charge(self, size: int, number: int) -> None:
        self.remaining -= size
        if self.remaining < 0:
            raise self._bomb(number)

    def _inflate(self, stream: Stream, number: int, counter: _OperatorCounter) -> bool:
        """Inflate a Flate content stream a megabyte at a time, keeping none of it.

        Returns False when zlib refuses the data, to let qpdf judge it (qpdf tolerates a wrong
        checksum at the end, as viewers do); what was counted until then is taken back. Memory
        stays at one chunk whatever the stream declares; the size and the operators are counted
        as it goes, and inflating stops at the first chunk past a bound.
        """
        remaining, operators = self.remaining, counter.count
        inflater = zlib.decompressobj()
        pending = stream.read_raw_bytes()
        tail = b""
        try:
            while pending:
                chunk = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                self._charge(len(chunk), number)
                # Keep a few bytes across the cut so an operator split in two is seen once.
                cut = max(chunk.rfind(b" "), chunk.rfind(b"\n"))
                text = tail + (chunk[:cut] if cut >= 0 else chunk)
                tail = chunk[cut:] if cut >= 0 else b""
                counter.feed(text)
                if not chunk and not pending:
                    break
            rest = inflater.flush()
            self._charge(len(rest), number)
            counter.feed(tail + rest)
        except zlib.error:
            self.remaining, counter.count = remaining, operators
            return False
        return True


class _OperatorCounter:
    """Counts the operators of one page's content, chunk by chunk, against the limit."""

    def __init__(self, page: int, limit: int) -> None:
        self.page, self.limit, self.count = page, limit, 0

    def feed(self, data: bytes) -> None:
        self.add(len(_OPERATOR.findall(data)))

    def add(self, operators: int) -> None:
        self.count += operators
        if self.count > self.limit:
            raise PageTooComplex(page=self.page, operators=self.count, limit=self.limit)


def _field_count(pdf: pikepdf.Pdf) -> int:
    """Form fields, counted by name (a field with several widgets counts once)."""
    if "/AcroForm" not in pdf.Root:
        return 0
    return len({field.fully_qualified_name for field in pdf.acroform.fields})


def _size(page: Dictionary) -> list[float] | None:
    box = page.get("/MediaBox")
    if not isinstance(box, Array) or len(box) != 4:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in box)
    except (TypeError, ValueError):
        return None
    return [round(abs(x1 - x0), 2), round(abs(y1 - y0), 2)]


# --- pure helpers -------------------------------------------------------------------------------
def trailing_bytes(body: bytes) -> int:
    """Bytes after the last ``%%EOF`` marker, not counting the end-of-line that may follow it."""
    end = body.rfind(_EOF_MARKER)
    if end < 0:
        return 0
    rest = body[end + len(_EOF_MARKER) :]
    return len(rest.lstrip(b"\r\n \t\x00\x0c"))


def count_problems(warnings: list[str]) -> int:
    """How many distinct problems qpdf's warnings describe.

    qpdf often writes several warnings about one damaged object ("lacks /Length", "attempting
    to recover", "recovered"): they count once per object. A warning about no object counts
    once per distinct wording, offsets aside.
    """
    seen: set[str] = set()
    for warning in warnings:
        found = _OBJECT.search(warning)
        if found:
            seen.add("object {} {}".format(*found.groups()))
        else:
            seen.add(_NUMBERS.sub("#", warning))
    return len(seen)


def corrupt_reason(message: str) -> Reason | None:
    """Why, for a citizen, from qpdf's message about a PDF it cannot open (or ``None``)."""
    lowered = message.lower()
    for needle, reason in _REASONS:
        if needle in lowered:
            return reason
    return None


def _corrupt(exc: Exception) -> CorruptPdf:
    detail = _clean(str(exc))
    return CorruptPdf(detail=detail, reason=corrupt_reason(detail))


def _clean(message: str) -> str:
    # qpdf names the input by its Python repr, which holds a memory address: not stable.
    return _STREAM_NAME.sub("input", message)
