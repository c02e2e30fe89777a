"""Small inputs made with code (never copied from ../shared): images, PDFs, hostile streams."""

from __future__ import annotations

import io
from collections.abc import Iterator


def jpeg_bytes(
    width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 30, 30), **save: object
) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", **save)
    return buffer.getvalue()


def png_bytes(
    width: int = 40,
    height: int = 30,
    mode: str = "RGB",
    colour: int | tuple[int, ...] = (20, 120, 220),
    **save: object,
) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, (width, height), colour).save(buffer, "PNG", **save)
    return buffer.getvalue()


def gif_bytes(width: int = 16, height: int = 16) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("P", (width, height), 3).save(buffer, "GIF")
    return buffer.getvalue()


def pdf_bytes(pages: int = 1, *, text: str = "hello") -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for index in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        pdf.pages[index].obj["/Resources"] = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        pdf.pages[index].obj["/Contents"] = pdf.make_stream(
            f"BT /F1 12 Tf 72 720 Td ({text} {index + 1}) Tj ET".encode()
        )
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


class CountingStream(io.RawIOBase):
    """A non-seekable binary stream fed by a generator, counting what was read from it."""

    def __init__(self, chunks: Iterator[bytes], name: str | None = None) -> None:
        self._chunks = chunks
        self._pending = b""
        self.bytes_read = 0
        self.reads = 0
        if name is not None:
            self.name = name

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        self.reads += 1
        if not self._pending:
            self._pending = next(self._chunks, b"")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self.bytes_read += size
        return size


def endless_zeros(chunk: int = 8192) -> Iterator[bytes]:
    block = b"\0" * chunk
    while True:
        yield block
