"""Assembling the output PDF with pikepdf: image pages, copied PDF pages, bookmarks, metadata."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from msp_docs._geometry import layout
from msp_docs._model import (
    DeviceColour,
    ICCColour,
    ImagePage,
    ImageResult,
    IndexedColour,
    Note,
    PdfResult,
    RasterImage,
)
from msp_docs._version import __version__
from msp_docs.options import Options

if TYPE_CHECKING:
    import pikepdf

__all__ = ["Merged", "Part", "assemble"]

PRODUCER = f"msp-docs {__version__}"


@dataclass(slots=True)
class Part:
    """One accepted input: its bookmark title and what its backend produced."""

    label: str
    result: ImageResult | PdfResult


@dataclass(slots=True)
class Merged:
    """The merged PDF: its bytes, page count and, per part, the actions the merge took."""

    data: bytes
    pages: int
    notes: list[list[Note]] = field(default_factory=list)


def assemble(
    parts: Sequence[Part], *, title: str, options: Options, timestamp: datetime | None
) -> Merged:
    """Build the output document from ``parts`` in order and return its bytes.

    The output is deterministic: the same parts and options give the same bytes (the file ID is
    derived from the content, and no date is written unless ``timestamp`` is given).
    """
    import pikepdf

    out = pikepdf.new()
    writer = _ImageWriter(out)
    notes: list[list[Note]] = []
    firsts: list[int] = []
    own_items: list[int] = []
    sources: list[pikepdf.Pdf] = []
    for part in parts:
        firsts.append(len(out.pages))
        part_notes: list[Note] = []
        if isinstance(part.result, ImageResult):
            for page in part.result.pages:
                writer.add_page(page, options)
            own_items.append(0)
        else:
            sources.append(part.result.document)
            own_items.append(_add_pdf(out, part.result.document, part_notes))
        notes.append(part_notes)
    _finish_form(out, sources)
    if options.bookmarks:
        _bookmarks(out, [p.label for p in parts], firsts, own_items)
    _metadata(out, title=title, timestamp=timestamp)
    buffer = io.BytesIO()
    out.save(
        buffer,
        static_id=True,  # replaced below by an ID derived from the content
        compress_streams=True,
        # Flate and image streams are copied as they are. qpdf decodes and compresses again with
        # Flate only uncompressed, LZW and RunLength streams; those were bounded when opened.
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        normalize_content=False,
        min_version=_version(sources),
    )
    return Merged(data=_content_id(buffer.getvalue()), pages=len(out.pages), notes=notes)


_STATIC_ID = b"<31415926535897932384626433832795>"
_STATIC_IDS = b"/ID [" + _STATIC_ID + _STATIC_ID + b"]"


def _content_id(data: bytes) -> bytes:
    """Give the file an ID derived from its content with SHA-256 (deterministic, unique).

    qpdf's own deterministic ID uses a digest we keep out of the pipeline; this is one SHA-256
    pass over the bytes written with qpdf's fixed placeholder ID, which is then replaced in the
    trailer by a hex string of the same length, so no offset moves.
    """
    at = data.rfind(_STATIC_IDS)
    if at < 0:  # pragma: no cover - qpdf always writes the placeholder with static_id
        return data
    digest = hashlib.sha256(data).hexdigest()[:32].encode()
    ids = b"/ID [<" + digest + b"><" + digest + b">]"
    return data[:at] + ids + data[at + len(_STATIC_IDS) :]


# --- images -------------------------------------------------------------------------------------
def _num(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


class _ImageWriter:
    """Turns :class:`ImagePage` values into pages, sharing identical ICC profiles."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.profiles: dict[bytes, Any] = {}

    def add_page(self, page: ImagePage, options: Options) -> None:
        import pikepdf

        image = page.image
        geometry = layout(
            image.width,
            image.height,
            orientation=page.orientation,
            dpi=page.dpi,
            page_size=options.page_size,
            default_dpi=options.default_dpi,
        )
        xobject = self._xobject(image)
        content = ("q " + " ".join(_num(v) for v in geometry.matrix) + " cm /Im0 Do Q\n").encode()
        page_dict = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=pikepdf.Array(
                [0, 0, _decimal(geometry.page_width), _decimal(geometry.page_height)]
            ),
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobject)),
            Contents=self.pdf.make_stream(content),
        )
        self.pdf.pages.append(pikepdf.Page(page_dict))

    def _xobject(self, image: RasterImage) -> pikepdf.Stream:
        import pikepdf

        entries: dict[str, Any] = {
            "/Type": pikepdf.Name.XObject,
            "/Subtype": pikepdf.Name.Image,
            "/Width": image.width,
            "/Height": image.height,
            "/BitsPerComponent": image.bits_per_component,
            "/ColorSpace": self._colour_space(image.colour_space),
        }
        if image.filter is not None:
            entries["/Filter"] = pikepdf.Name("/" + image.filter)
        if image.decode_parms:
            entries["/DecodeParms"] = pikepdf.Dictionary(
                {"/" + k: v for k, v in image.decode_parms.items()}
            )
        if image.decode is not None:
            entries["/Decode"] = pikepdf.Array([_decimal(v) for v in image.decode])
        if image.soft_mask is not None:
            entries["/SMask"] = self._xobject(image.soft_mask)
        if image.colour_key_mask is not None:
            entries["/Mask"] = pikepdf.Array(list(image.colour_key_mask))
        assert isinstance(image.data, bytes), "spans are resolved by the pipeline"
        return self.pdf.make_stream(image.data, pikepdf.Dictionary(entries))

    def _colour_space(self, space: DeviceColour | ICCColour | IndexedColour) -> Any:
        import pikepdf

        if isinstance(space, DeviceColour):
            return pikepdf.Name("/" + space.name)
        if isinstance(space, ICCColour):
            key = hashlib.sha256(space.profile).digest()
            if key not in self.profiles:
                stream = self.pdf.make_stream(
                    space.profile,
                    pikepdf.Dictionary(
                        N=space.components, Alternate=pikepdf.Name("/" + space.alternate.name)
                    ),
                )
                self.profiles[key] = pikepdf.Array([pikepdf.Name.ICCBased, stream])
            return self.profiles[key]
        return pikepdf.Array(
            [
                pikepdf.Name.Indexed,
                self._colour_space(space.base),
                space.hival,
                pikepdf.String(space.lookup),
            ]
        )


def _decimal(value: float) -> int | Decimal:
    # Decimal, not float: the number is written exactly as computed, the same on every platform.
    return int(value) if value == int(value) else Decimal(_num(value))


# --- PDFs ---------------------------------------------------------------------------------------
def _add_pdf(out: pikepdf.Pdf, src: pikepdf.Pdf, notes: list[Note]) -> int:
    """Append every page of ``src`` with its form fields, named destinations and bookmarks.

    Returns:
        The number of top-level bookmarks ``src`` brought, which end up nested under its own.
    """
    before = _top_level_items(out)
    result = out.add_pages_from(src)
    if result.renamed_fields:
        notes.append(Note("form-fields-renamed", {"count": len(result.renamed_fields)}))
    if result.outline_items_dropped:
        notes.append(Note("outline-items-dropped", {"count": result.outline_items_dropped}))
    return _top_level_items(out) - before


def _top_level_items(out: pikepdf.Pdf) -> int:
    outlines = out.Root.get("/Outlines")
    if outlines is None:
        return 0
    seen: set[tuple[int, int]] = set()
    item = outlines.get("/First")
    # The items were written by the copy just before: no loop, but stay bounded anyway.
    while item is not None and item.objgen not in seen:
        seen.add(item.objgen)
        item = item.get("/Next")
    return len(seen)


def _finish_form(out: pikepdf.Pdf, sources: Sequence[pikepdf.Pdf]) -> None:
    """Make the merged /AcroForm whole: fields, default appearance, resources, appearances."""
    import pikepdf

    form = out.Root.get("/AcroForm")
    if form is None:
        return
    fields = form.get("/Fields")
    if not isinstance(fields, pikepdf.Array) or len(fields) == 0:
        del out.Root["/AcroForm"]
        return
    if any(_needs_appearances(src) for src in sources):
        form["/NeedAppearances"] = True
    resources = form.get("/DR")
    if not isinstance(resources, pikepdf.Dictionary):
        resources = form["/DR"] = pikepdf.Dictionary()
    fonts = resources.get("/Font")
    if not isinstance(fonts, pikepdf.Dictionary):
        fonts = resources["/Font"] = pikepdf.Dictionary()
    if "/Helv" not in fonts:
        fonts["/Helv"] = out.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name.Helvetica,
                Encoding=pikepdf.Name.WinAnsiEncoding,
            )
        )
    if "/DA" not in form:
        # Fields carry their own /DA after the copy; this is the default for new ones.
        form["/DA"] = pikepdf.String("/Helv 0 Tf 0 g")


def _needs_appearances(src: pikepdf.Pdf) -> bool:
    form = src.Root.get("/AcroForm")
    return form is not None and bool(form.get("/NeedAppearances", False))


def _version(sources: Sequence[pikepdf.Pdf]) -> str:
    """The output's PDF version: at least that of every PDF merged into it."""
    versions = ["1.5"]
    for src in sources:
        major, _, minor = src.pdf_version.partition(".")
        if major.isdigit() and minor.isdigit():
            versions.append(f"{int(major)}.{int(minor)}")
    return max(versions, key=lambda v: tuple(int(n) for n in v.split(".")))


# --- outline and metadata -----------------------------------------------------------------------
def _bookmarks(out: pikepdf.Pdf, labels: list[str], firsts: list[int], own: list[int]) -> None:
    """One bookmark per input at its first page, the input's own bookmarks nested under it."""
    import pikepdf

    # Deep enough for what the page copy carries (64 levels) plus the level added here.
    with out.open_outline(max_depth=66) as outline:
        carried = list(outline.root)
        if len(carried) != sum(own):
            carried, own = [], [0] * len(own)  # cannot happen; never attach items wrongly
        items: list[pikepdf.OutlineItem] = []
        start = 0
        for label, first, count in zip(labels, firsts, own, strict=True):
            item = pikepdf.OutlineItem(label, first)
            item.children = carried[start : start + count]
            item.is_closed = bool(count)
            start += count
            items.append(item)
        outline.root = items


def _metadata(out: pikepdf.Pdf, *, title: str, timestamp: datetime | None) -> None:
    import pikepdf

    info = out.make_indirect(pikepdf.Dictionary())
    info["/Title"] = pikepdf.String(title)
    info["/Producer"] = pikepdf.String(PRODUCER)
    if timestamp is not None:
        stamp = "D:" + timestamp.strftime("%Y%m%d%H%M%S") + "Z"
        info["/CreationDate"] = pikepdf.String(stamp)
        info["/ModDate"] = pikepdf.String(stamp)
    out.trailer["/Info"] = info
