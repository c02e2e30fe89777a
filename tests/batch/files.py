"""Trees of real files for batch tests: good JPEG/PNG/GIF/PDF mixed with bad ones."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures import gif_bytes, jpeg_bytes, pdf_bytes, png_bytes


@dataclass(frozen=True)
class Expect:
    """What a file of the tree should give: pages when good, error code or family when bad."""

    pages: int | None = None
    code: str | None = None
    exit_code: int | None = None


def png_with_text(text: str, **kwargs: object) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    return png_bytes(pnginfo=info, **kwargs)


def mixed_tree(root: Path) -> dict[str, Expect]:
    """Write a small realistic tree; return relative input path -> expectation."""
    files: dict[str, tuple[bytes, Expect]] = {
        "photo.jpg": (jpeg_bytes(320, 240, (90, 140, 200)), Expect(pages=1)),
        "scans/page-1.png": (png_bytes(200, 280, mode="L", colour=230), Expect(pages=1)),
        "scans/page-2.png": (
            png_bytes(200, 280, mode="RGBA", colour=(0, 0, 0, 128)),
            Expect(pages=1),
        ),
        "scans/letter.pdf": (pdf_bytes(3, text="letter"), Expect(pages=3)),
        "icons/logo.gif": (gif_bytes(32, 32), Expect(pages=1)),
        "deep/a/b/c/receipt.jpeg": (jpeg_bytes(100, 160), Expect(pages=1)),
        "notes.txt": (b"just some text\n" * 20, Expect(code="unsupported-kind", exit_code=4)),
        "empty.png": (b"", Expect(code="empty-input", exit_code=4)),
        "archive.zip": (_zip(), Expect(code="unsupported-kind", exit_code=4)),
        "truncated.png": (png_bytes(120, 90)[:60], Expect(exit_code=5)),
        "broken.pdf": (b"%PDF-1.7\n" + b"\x00garbage" * 10, Expect(exit_code=5)),
    }
    for name, (data, _) in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return {name: expect for name, (_, expect) in files.items()}


def good_tree(root: Path, count: int, *, size: int = 160) -> list[str]:
    """``count`` distinct, valid images (PNG, JPEG, GIF in turn); return their relative paths."""
    names = []
    for i in range(count):
        kind = i % 3
        if kind == 0:
            name, data = f"img-{i:03d}.png", png_with_text(f"n{i}", width=size, height=size)
        elif kind == 1:
            name, data = f"dir-{i % 4}/img-{i:03d}.jpg", jpeg_bytes(size, size, (i, 80, 160))
        else:
            name, data = f"img-{i:03d}.gif", gif_bytes(16 + i, 16)
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        names.append(name)
    return names


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report_lines(path: Path) -> list[dict]:
    """Every parseable line of a JSON Lines report."""
    lines = []
    for raw in path.read_bytes().splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:
            continue
    return lines


def runs(path: Path) -> list[list[dict]]:
    """The report's lines grouped by run, in order (each group starts with its start line)."""
    groups: list[list[dict]] = []
    for line in report_lines(path):
        if line["type"] == "start":
            groups.append([])
        groups[-1].append(line)
    return groups


def jobs_of(run: list[dict]) -> dict[str, dict]:
    return {line["output"]: line for line in run if line["type"] == "job"}


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path, strict=False).pages)


def comparable(line: dict) -> dict:
    """A job line without what may differ between two equal runs.

    The run id and the timing differ by nature. An error's message and facts are the backend's
    words, which may quote a library's text with a memory address (the placeholder PDF
    backend's "stream <_io.BytesIO object at 0x...>"): the error's code and exit code are
    compared, the message is not.
    """
    out = {k: v for k, v in line.items() if k not in ("run", "seconds")}
    if out.get("error"):
        out["error"] = {k: out["error"][k] for k in ("code", "exit_code", "input", "input_index")}
    return out
