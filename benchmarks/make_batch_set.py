"""Generate a realistic batch of uploads for benchmarks/compare_batch.py.

A day of wallet uploads, spread over folders: phone JPEGs (12 MP, some rotated by EXIF, some
shrunk by a messaging app), PNG scans (A4 at 300 dpi, grey, with scanner grain) and
screenshots (phone and desktop, some with alpha), small GIFs (some animated), PDFs (text
letters and image-only scans) and a few damaged files (truncated, empty, mislabelled, bad CRC).

Templates are drawn once, then every file is made unique cheaply (a JPEG comment, a PNG text
chunk, a GIF comment, PDF metadata): no two files share content, so nothing can be cached, and
2 000 files take seconds to write.

Usage: .venv/bin/python benchmarks/make_batch_set.py [--count 200] [--out DIR] [--seed 1]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

# Share of each kind in the set (sums to 1).
MIX = {
    "phone-jpeg": 0.30,
    "small-jpeg": 0.05,
    "scan-png": 0.125,
    "screenshot-png": 0.125,
    "gif": 0.10,
    "text-pdf": 0.15,
    "scan-pdf": 0.10,
    "damaged": 0.05,
}
PER_FOLDER = 25


def default_dir(count: int) -> Path:
    return Path(tempfile.gettempdir()) / f"msp-docs-batch-set-{count}"


# --- templates ----------------------------------------------------------------------------------
def _photo(width: int, height: int, rng: random.Random, *, orientation: int = 1) -> bytes:
    """A 'photo': a gradient scene with shapes and sensor noise, JPEG quality 90."""
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    tint = Image.new("RGB", (width, height), tuple(rng.randrange(40, 220) for _ in range(3)))
    scene = Image.blend(base, tint, 0.5)
    draw = ImageDraw.Draw(scene)
    for _ in range(25):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(width // 40, width // 6)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    scene = Image.blend(scene, noise, 0.12)
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    scene.save(buffer, "JPEG", quality=90, exif=exif.tobytes(), dpi=(72, 72))
    return buffer.getvalue()


def _scan(rng: random.Random, *, grain: float) -> bytes:
    """An A4 page at 300 dpi, grey: lines of 'words' on paper with scanner grain."""
    width, height = 2480, 3508
    page = Image.new("L", (width, height), 245)
    draw = ImageDraw.Draw(page)
    y = 300
    while y < height - 300:
        x = 250
        while x < width - 400:
            w = rng.randrange(60, 260)
            draw.rectangle((x, y, x + w, y + 28), fill=rng.randrange(20, 70))
            x += w + 30
        y += rng.choice((60, 60, 60, 120))
    if grain:
        page = Image.blend(page, Image.effect_noise((width, height), 30), grain)
    buffer = io.BytesIO()
    page.save(buffer, "PNG", dpi=(300, 300))
    return buffer.getvalue()


def _screenshot(width: int, height: int, rng: random.Random, *, alpha: bool) -> bytes:
    """A UI screenshot: flat bars, text rows, a photo thumbnail; rounded transparent corners."""
    shot = Image.new("RGB", (width, height), (250, 250, 252))
    draw = ImageDraw.Draw(shot)
    draw.rectangle((0, 0, width, height // 12), fill=(0, 99, 203))
    y = height // 10
    while y < height - 40:
        draw.rectangle((40, y, 40 + rng.randrange(width // 4, width - 80), y + 18), fill=(60,) * 3)
        y += 44
    thumb = Image.effect_noise((width // 3, width // 4), 60).convert("RGB")
    shot.paste(thumb, (width // 2, height // 3))
    if alpha:
        mask = Image.new("L", (width, height), 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), 60, fill=255)
        shot.putalpha(mask)
    buffer = io.BytesIO()
    shot.save(buffer, "PNG")
    return buffer.getvalue()


def _gif(rng: random.Random, *, frames: int) -> bytes:
    size = rng.choice((64, 120, 200))
    images = []
    for f in range(frames):
        image = Image.new("P", (size, size), 0)
        image.putpalette([rng.randrange(256) for _ in range(48)])
        draw = ImageDraw.Draw(image)
        for i in range(6):
            x = (f * 7 + i * 23) % size
            draw.rectangle((x, i * 9, x + size // 4, i * 9 + size // 5), fill=1 + i % 15)
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=frames > 1, append_images=images[1:], duration=120)
    return buffer.getvalue()


def _text_pdf(pages: int, seed: int) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for index in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[index]
        page.obj["/Resources"] = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        rows = "".join(
            f"BT /F1 10 Tf 60 {780 - 14 * r} Td (Courrier {seed} page {index + 1} ligne {r} "
            f"- attestation de domicile et justificatifs) Tj ET\n"
            for r in range(50)
        )
        page.obj["/Contents"] = pdf.make_stream(rows.encode())
    pdf.docinfo["/Title"] = f"Courrier {seed}"
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _scan_pdf(jpeg: bytes, width: int, height: int, pages: int, seed: int) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    image = pdf.make_stream(
        jpeg,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=width,
        Height=height,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )
    for index in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[index]
        page.obj["/Resources"] = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.obj["/Contents"] = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    pdf.docinfo["/Title"] = f"Scan {seed}"
    pdf.docinfo["/Producer"] = "Office scanner"
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


# --- making each file unique --------------------------------------------------------------------
def jpeg_with_comment(jpeg: bytes, text: str) -> bytes:
    body = text.encode()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def png_with_text(png: bytes, text: str) -> bytes:
    body = b"tEXt" + b"Comment\0" + text.encode()
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    end_of_ihdr = 8 + 25
    return png[:end_of_ihdr] + chunk + png[end_of_ihdr:]


def gif_with_comment(gif: bytes, text: str) -> bytes:
    # After the header (6), logical screen descriptor (7) and global colour table, if any.
    flags = gif[10]
    table = 3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0
    at = 13 + table
    body = text.encode()[:255]
    return gif[:at] + b"\x21\xfe" + bytes([len(body)]) + body + b"\x00" + gif[at:]


# --- the set ------------------------------------------------------------------------------------
class Maker:
    """Draws the templates once, then makes file number ``i`` of each kind."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.rng = rng
        self.photos = [
            (_photo(4032, 3024, rng), "jpg"),
            (_photo(4032, 3024, rng, orientation=6), "jpg"),
            (_photo(3024, 4032, rng), "jpeg"),
            (_photo(4000, 3000, rng, orientation=3), "JPG"),
        ]
        self.small = [(_photo(1600, 1200, rng), "jpg"), (_photo(1200, 1600, rng), "jpg")]
        self.scans = [_scan(rng, grain=0.0), _scan(rng, grain=0.08), _scan(rng, grain=0.15)]
        self.shots = [
            _screenshot(1170, 2532, rng, alpha=False),
            _screenshot(1920, 1080, rng, alpha=False),
            _screenshot(1170, 2532, rng, alpha=True),
            _screenshot(1280, 800, rng, alpha=True),
        ]
        page = Image.open(io.BytesIO(self.scans[1])).resize((1240, 1754)).convert("L")
        buffer = io.BytesIO()
        page.save(buffer, "JPEG", quality=75)
        self.page_jpeg = buffer.getvalue()

    def make(self, kind: str, i: int) -> tuple[str, bytes]:
        tag = f"upload {kind} {i}"
        if kind == "phone-jpeg":
            data, ext = self.photos[i % len(self.photos)]
            return f"IMG_{20240501 + i}.{ext}", jpeg_with_comment(data, tag)
        if kind == "small-jpeg":
            data, ext = self.small[i % len(self.small)]
            return f"IMG-WA{i:04d}.{ext}", jpeg_with_comment(data, tag)
        if kind == "scan-png":
            return f"scan_{i:04d}.png", png_with_text(self.scans[i % len(self.scans)], tag)
        if kind == "screenshot-png":
            return f"Capture {i:04d}.png", png_with_text(self.shots[i % len(self.shots)], tag)
        if kind == "gif":
            return f"image{i:04d}.gif", gif_with_comment(
                _gif(random.Random(i), frames=3 if i % 4 == 0 else 1), tag
            )
        if kind == "text-pdf":
            return f"courrier-{i:04d}.pdf", _text_pdf(1 + i % 5, i)
        if kind == "scan-pdf":
            return f"scan-{i:04d}.pdf", _scan_pdf(self.page_jpeg, 1240, 1754, 1 + i % 3, i)
        return self._damaged(i)

    def _damaged(self, i: int) -> tuple[str, bytes]:
        photo = jpeg_with_comment(self.small[0][0], f"damaged {i}")
        makers: list[Callable[[], tuple[str, bytes]]] = [
            lambda: (f"photo-coupee-{i}.jpg", photo[: len(photo) * 3 // 5]),
            lambda: (f"releve-{i}.pdf", _text_pdf(3, 10_000 + i)[:-700]),
            lambda: (f"vide-{i}.pdf", b""),
            lambda: (f"notes-{i}.pdf", f"Compte rendu {i}\n".encode() * 40),
            lambda: (f"crc-{i}.png", _bad_crc(png_with_text(self.shots[1], f"crc {i}"))),
            lambda: (f"page-{i}.jpg", b"<!DOCTYPE html><html><body>Erreur 404</body></html>\n"),
        ]
        return makers[i % len(makers)]()


def _bad_crc(png: bytes) -> bytes:
    at = png.index(b"IDAT") + 40
    return png[:at] + bytes([png[at] ^ 0xFF]) + png[at + 1 :]


def plan(count: int) -> list[str]:
    """The kind of each file, spread in a fixed, shuffled order."""
    kinds: list[str] = []
    for kind, share in MIX.items():
        kinds += [kind] * round(count * share)
    kinds = (kinds + ["phone-jpeg"] * count)[:count]
    random.Random(count).shuffle(kinds)
    return kinds


def generate(count: int, out: Path, seed: int = 1) -> list[Path]:
    maker = Maker(seed)
    out.mkdir(parents=True, exist_ok=True)
    seen: dict[str, int] = {}
    paths = []
    for n, kind in enumerate(plan(count)):
        i = seen[kind] = seen.get(kind, -1) + 1
        name, data = maker.make(kind, i)
        folder = out / f"2024-05-{1 + n // PER_FOLDER:02d}"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    out = args.out or default_dir(args.count)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty")
    started = time.perf_counter()
    paths = generate(args.count, out, args.seed)
    size = sum(p.stat().st_size for p in paths)
    elapsed = time.perf_counter() - started
    print(f"{len(paths)} files, {size / 1e6:.0f} MB in {out} ({elapsed:.1f} s)")
    for kind in MIX:
        print(f"  {kind:15} {plan(args.count).count(kind)}")
    os.sync()


if __name__ == "__main__":
    main()
