"""Hostile files built with code (issue 3): decompression bombs, loops, floods.

Every builder returns bytes and stays cheap to run: compressed payloads are produced in a
streaming way, never materialised inflated. ``write_all`` writes them all to a folder (used by
benchmarks/corpus_bounds.py --bombs).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

MiB = 1024 * 1024


# --- a minimal raw PDF writer -------------------------------------------------------------------
def raw_pdf(objects: dict[int, bytes], *, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """Serialise numbered object bodies with a classic xref table (no validation at all)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        if number in offsets:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        root,
        trailer_extra,
        xref,
    )
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    """A stream object body with the right /Length."""
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def _deflate_repeated(block: bytes, count: int) -> bytes:
    """zlib data that inflates to ``block * count``, built without holding the inflated data."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(block) for _ in range(count)]
    parts.append(packer.flush())
    return b"".join(parts)


def _one_page(content_ref: bytes = b"4 0 R", resources: bytes = b"<< >>") -> dict[int, bytes]:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
        + resources
        + b" /Contents "
        + content_ref
        + b" >>",
    }


# --- PDF bombs ----------------------------------------------------------------------------------
def pdf_flate_bomb(inflated: int = 512 * MiB) -> bytes:
    """A page whose content stream inflates to ``inflated`` bytes of spaces."""
    data = _deflate_repeated(b" " * MiB, inflated // MiB)
    objects = _one_page()
    objects[4] = stream(b"/Filter /FlateDecode", data)
    return raw_pdf(objects)


def pdf_giant_bitmap(filter_name: bytes = b"JBIG2Decode") -> bytes:
    """An image XObject declaring a 1 000 000 x 1 000 000 bitmap (10^12 pixels) in a few bytes."""
    objects = _one_page(resources=b"<< /XObject << /Im0 5 0 R >> >>")
    objects[4] = stream(b"", b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    parms = (
        b" /DecodeParms << /K -1 /Columns 1000000 /Rows 1000000 >>"
        if b"CCITT" in (filter_name)
        else b""
    )
    objects[5] = stream(
        b"/Type /XObject /Subtype /Image /Width 1000000 /Height 1000000 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 1 /Filter /" + filter_name + parms,
        b"\x00" * 32,
    )
    return raw_pdf(objects)


def _object_stream_pdf(
    bodies: Iterable[bytes], first_number: int, head: dict[int, bytes], *, per_stream: int = 0
) -> bytes:
    """Objects ``first_number..`` packed in compressed object streams, with an xref stream.

    ``per_stream`` objects go in each object stream (0: all of them in one).
    """
    objects = dict(head)
    packed: list[tuple[int, int]] = []  # (object stream index, index inside it) per body
    streams: list[tuple[bytearray, bytearray, int]] = []
    for body in bodies:
        if not streams or (per_stream and streams[-1][2] >= per_stream):
            streams.append((bytearray(), bytearray(), 0))
        index, payload, count = streams[-1]
        index += b"%d %d " % (first_number + len(packed), len(payload))
        payload += body + b" "
        packed.append((len(streams) - 1, count))
        streams[-1] = (index, payload, count + 1)
    objstm_first = first_number + len(packed)
    for number, (index, payload, count) in enumerate(streams, start=objstm_first):
        objects[number] = stream(
            b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (count, len(index)),
            zlib.compress(bytes(index) + bytes(payload), 1),
        )
    # Build a cross-reference stream: type 1 for the plain objects, type 2 for packed ones.
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_number = objstm_first + len(streams)
    size = xref_number + 1
    rows = bytearray()
    for number in range(size):
        if number == 0:
            rows += struct.pack(">BII", 0, 0, 65535)
        elif number in offsets:
            rows += struct.pack(">BII", 1, offsets[number], 0)
        elif first_number <= number < objstm_first:
            where, at = packed[number - first_number]
            rows += struct.pack(">BII", 2, objstm_first + where, at)
        elif number == xref_number:
            rows += struct.pack(">BII", 1, len(out), 0)
        else:
            rows += struct.pack(">BII", 0, 0, 0)
    xref_offset = len(out)
    body = stream(
        b"/Type /XRef /Size %d /W [1 4 4] /Root 1 0 R /Filter /FlateDecode" % size,
        zlib.compress(bytes(rows), 1),
    )
    out += b"%d 0 obj\n" % xref_number + body + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def pdf_many_pages(pages: int = 50_000) -> bytes:
    """``pages`` pages (sharing one content stream), packed in an object stream."""
    first = 10
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(pages))
    head = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        3: stream(b"", b"0 0 m 1 1 l S"),
    }
    bodies = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] /Contents 3 0 R >>"
              for _ in range(pages))  # fmt: skip
    return _object_stream_pdf(bodies, first, head)


def pdf_million_objects(count: int = 1_000_000) -> bytes:
    """One ordinary page plus ``count`` tiny objects packed in an object stream."""
    head = _one_page()
    head[4] = stream(b"", b"0 0 m 1 1 l S")
    return _object_stream_pdf((b"null" for _ in range(count)), 10, head)


def pdf_page_tree_cycle() -> bytes:
    """A /Pages node whose /Kids include itself (and its parent)."""
    objects = _one_page()
    objects[2] = b"<< /Type /Pages /Kids [3 0 R 2 0 R 5 0 R] /Count 3 >>"
    objects[4] = stream(b"", b"0 0 m 1 1 l S")
    objects[5] = b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 5 0 R] /Count 2 >>"
    return raw_pdf(objects)


def pdf_outline_cycle() -> bytes:
    """An outline whose items point at each other in a ring (and one at itself as child)."""
    objects = _one_page()
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R /Outlines 5 0 R >>"
    objects[4] = stream(b"", b"0 0 m 1 1 l S")
    objects[5] = b"<< /Type /Outlines /First 6 0 R /Last 7 0 R /Count 2 >>"
    objects[6] = b"<< /Title (a) /Parent 5 0 R /Next 7 0 R /First 6 0 R /Dest [3 0 R /Fit] >>"
    objects[7] = b"<< /Title (b) /Parent 5 0 R /Next 6 0 R /Prev 6 0 R /Dest [3 0 R /Fit] >>"
    return raw_pdf(objects)


def pdf_name_tree_cycle() -> bytes:
    """A /Dests name tree whose /Kids lead back to its root."""
    objects = _one_page()
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R /Names << /Dests 5 0 R >> >>"
    objects[4] = stream(b"", b"0 0 m 1 1 l S")
    objects[5] = b"<< /Kids [6 0 R] >>"
    objects[6] = b"<< /Kids [5 0 R 6 0 R] /Limits [(a) (z)] >>"
    return raw_pdf(objects)


def pdf_deep_nesting(depth: int = 10_000) -> bytes:
    """A page dictionary carrying an array nested ``depth`` levels deep."""
    objects = _one_page()
    objects[4] = stream(b"", b"0 0 m 1 1 l S")
    objects[3] = objects[3][:-2] + b" /Junk " + b"[" * depth + b"]" * depth + b" >>"
    return raw_pdf(objects)


def pdf_xref_loop() -> bytes:
    """An xref section whose /Prev points at itself."""
    objects = _one_page()
    objects[4] = stream(b"", b"0 0 m 1 1 l S")
    data = raw_pdf(objects)
    xref = data.rindex(b"xref\n")
    return data.replace(b"trailer\n<< ", b"trailer\n<< /Prev %d " % xref)


def pdf_operator_flood(operators: int = 1_000_000) -> bytes:
    """A page whose (compressed) content holds ``operators`` path operators."""
    objects = _one_page()
    objects[4] = stream(
        b"/Filter /FlateDecode", _deflate_repeated(b"0 0 m\n" * 1000, operators // 1000)
    )
    return raw_pdf(objects)


def pdf_million_dictionaries(count: int = 1_000_000, per_stream: int = 100_000) -> bytes:
    """One ordinary page plus ``count`` small dictionaries in object streams (about 10 MB).

    Issue 12's held-out case: qpdf builds every object when asked for all of them, which
    took 500 MB; the counts declared in the file's structure refuse it first.
    """
    head = _one_page()
    head[4] = stream(b"", b"0 0 m 1 1 l S")
    bodies = (b"<</A %d>>" % (i % 1000) for i in range(count))
    return _object_stream_pdf(bodies, 10, head, per_stream=per_stream)


def pdf_self_referencing_object_stream() -> bytes:
    """An object stream that /Extends itself and holds its own object number."""
    head = _one_page(content_ref=b"10 0 R")
    data = _object_stream_pdf([b"11 0 R", b"<< /Type /ObjStm >>"], 10, head)
    return data.replace(b"/Type /ObjStm /N 2", b"/Type /ObjStm /Extends 12 0 R /N 2")


# --- image bombs --------------------------------------------------------------------------------
def zeros_stream(size: int) -> bytes:
    """A zlib stream inflating to ``size`` zero bytes (a multiple of 1 MiB), built in milliseconds.

    One MiB of zeros is deflated once, ending on a full flush (so it refers to nothing before
    it); the same block repeated inflates to as many MiB. Then an empty final block and the
    Adler-32 of ``size`` zeros (a = 1, b = size mod 65521).
    """
    assert size % MiB == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MiB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    adler = ((size % 65521) << 16) | 1
    return b"\x78\xda" + block * (size // MiB) + final + struct.pack(">I", adler)


def png_huge_header() -> bytes:
    """A PNG whose IHDR declares 225 000 x 225 000 pixels."""
    from tests.integration._images_support import PNG_SIGNATURE, ihdr, png_chunk

    return (
        PNG_SIGNATURE
        + ihdr(225_000, 225_000, 8, 2)
        + png_chunk(b"IDAT", zlib.compress(b""))
        + png_chunk(b"IEND", b"")
    )


def png_chunk_length(length: int = 2**31 - 1) -> bytes:
    """A PNG whose first chunk after IHDR declares ``length`` bytes."""
    from tests.integration._images_support import PNG_SIGNATURE, ihdr

    return PNG_SIGNATURE + ihdr(1, 1, 8, 0) + struct.pack(">I", length) + b"tEXt" + bytes(100)


def png_text_bomb(kind: bytes = b"zTXt", inflated: int = 1024 * MiB + MiB) -> bytes:
    """A 1x1 PNG with a zTXt or iTXt chunk inflating to more than a gigabyte."""
    from tests.integration._images_support import make_png, png_chunk

    stream = zeros_stream(inflated)
    if kind == b"zTXt":
        body = b"Comment\x00\x00" + stream
    else:
        body = b"Comment\x00\x01\x00en\x00Commentaire\x00" + stream
    return make_png(1, 1, 8, 0, [b"\x00"], extra=(png_chunk(kind, body),))


def png_icc_bomb(inflated: int = 1024 * MiB + MiB) -> bytes:
    """A PNG whose iCCP profile inflates to more than a gigabyte."""
    from tests.integration._images_support import make_png, png_chunk

    iccp = png_chunk(b"iCCP", b"bomb\x00\x00" + zeros_stream(inflated))
    return make_png(1, 1, 8, 2, [bytes(3)], extra=(iccp,))


def png_image_data_bomb() -> bytes:
    """A 1x1 PNG whose image data inflates to a gigabyte."""
    from tests.integration._images_support import PNG_SIGNATURE, ihdr, png_chunk

    return (
        PNG_SIGNATURE
        + ihdr(1, 1, 8, 0)
        + png_chunk(b"IDAT", zeros_stream(1024 * MiB))
        + png_chunk(b"IEND", b"")
    )


def gif_huge_frame() -> bytes:
    """A 10x10 GIF whose one frame declares 65 535 x 65 535 pixels."""
    from tests.integration._images_support import GifFrame, make_gif

    data = bytearray(make_gif(10, 10, [GifFrame(1, 1, b"\x01")], palette=bytes(6)))
    at = data.index(b"\x2c")
    data[at + 5 : at + 9] = struct.pack("<HH", 65535, 65535)
    return bytes(data)


def gif_many_frames(frames: int = 20_000) -> bytes:
    """A 2x2 GIF of ``frames`` frames."""
    from tests.integration._images_support import GifFrame, make_gif

    return make_gif(2, 2, [GifFrame(2, 2, bytes(4))] * frames, palette=bytes(6))


def jpeg_huge_sof() -> bytes:
    """A JPEG under 1 KiB whose SOF claims 65 000 x 65 000 pixels."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (8, 8), 128).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65000, 65000)
    return bytes(data)


IMAGE_BOMBS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "png-225000x225000": ("png", png_huge_header),
    "png-chunk-length-2g": ("png", png_chunk_length),
    "png-ztxt-1gib": ("png", png_text_bomb),
    "png-itxt-1gib": ("png", lambda: png_text_bomb(b"iTXt")),
    "png-iccp-1gib": ("png", png_icc_bomb),
    "png-idat-1gib": ("png", png_image_data_bomb),
    "gif-frame-65535x65535": ("gif", gif_huge_frame),
    "gif-20000-frames": ("gif", gif_many_frames),
    "jpeg-65000x65000-in-1kib": ("jpg", jpeg_huge_sof),
}


PDF_BOMBS: dict[str, Callable[[], bytes]] = {
    "pdf-flate-bomb-512mib": pdf_flate_bomb,
    "pdf-jbig2-10e12-pixels": pdf_giant_bitmap,
    "pdf-ccitt-10e12-pixels": lambda: pdf_giant_bitmap(b"CCITTFaxDecode"),
    "pdf-50000-pages": pdf_many_pages,
    "pdf-1000000-dictionaries": pdf_million_dictionaries,
    "pdf-page-tree-cycle": pdf_page_tree_cycle,
    "pdf-outline-cycle": pdf_outline_cycle,
    "pdf-name-tree-cycle": pdf_name_tree_cycle,
    "pdf-nesting-10000": pdf_deep_nesting,
    "pdf-xref-loop": pdf_xref_loop,
    "pdf-1000000-objects": pdf_million_objects,
    "pdf-1000000-operators": pdf_operator_flood,
    "pdf-objstm-self-reference": pdf_self_referencing_object_stream,
}


def write_all(folder: Path) -> list[Path]:
    """Write every bomb to ``folder`` and return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in PDF_BOMBS.items():
        path = folder / f"{name}.pdf"
        path.write_bytes(build())
        paths.append(path)
    for name, (extension, make) in IMAGE_BOMBS.items():
        path = folder / f"{name}.{extension}"
        path.write_bytes(make())
        paths.append(path)
    return paths
