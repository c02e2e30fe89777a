"""Generate the benchmark reference set (issue 2): four realistic uploads, 6-9 MB in all.

- photo.jpg        12 MP (4032x3024) phone photo of a document, EXIF orientation 6, GPS
- scan.png         2480x1860 8-bit grey PNG scan (A4 landscape-ish at 300 dpi, scanner noise)
- screenshot.png   1240x930 RGBA PNG screenshot of photographic, noisy content (issue 11)
- scans.pdf        3-page PDF of JPEG scans (A4 at 200 dpi)

Deterministic (fixed seeds). Usage: python benchmarks/make_reference_set.py [OUT_DIR]
(default: benchmarks/reference/, which is git-ignored).
"""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent / "reference"


def _noise(size: tuple[int, int], seed: int, sigma: float) -> Image.Image:
    random.seed(seed)
    return Image.effect_noise(size, sigma)


def _lines(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    rng: random.Random,
    fill: int | tuple[int, int, int],
    height: int,
) -> None:
    left, top, right, bottom = box
    y = top
    while y + height <= bottom:
        x = left
        end = right - rng.randint(0, (right - left) // 4)
        while x < end:
            word = rng.randint(height, height * 6)
            draw.rectangle((x, y, min(x + word, end), y + height * 6 // 10), fill=fill)
            x += word + height // 2
        y += height * 2


def photo(path: Path) -> None:
    """A page photographed on a wooden table, stored sideways as phones do (orientation 6)."""
    rng = random.Random(10)
    upright = Image.new("RGB", (3024, 4032), (150, 110, 75))
    draw = ImageDraw.Draw(upright)
    draw.polygon([(260, 300), (2800, 380), (2760, 3760), (220, 3690)], fill=(238, 236, 230))
    _lines(draw, (420, 600, 2580, 3400), rng, (45, 45, 55), 44)
    grain = _noise(upright.size, 11, 32).convert("RGB")
    upright = Image.blend(upright.filter(ImageFilter.GaussianBlur(1.2)), grain, 0.16)
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "BenchPhone"
    exif[0x8825] = {1: "N", 2: (43.0, 36.0, 16.0), 3: "E", 4: (1.0, 26.0, 38.0)}
    stored.save(path, "JPEG", quality=90, exif=exif, dpi=(72, 72))


def scan(path: Path) -> None:
    """A grey scan with paper texture: poor compression, like real scans."""
    rng = random.Random(20)
    page = Image.new("L", (2480, 1860), 240)
    draw = ImageDraw.Draw(page)
    _lines(draw, (160, 160, 2320, 1700), rng, 55, 34)
    grain = _noise(page.size, 21, 10)
    page = Image.blend(page, grain, 0.15)
    page.save(path, "PNG", dpi=(300, 300))


def screenshot(path: Path) -> None:
    """Issue 11's screenshot: a photo viewer on screen, photographic and noisy, rounded corners.

    Noise is what makes such a screenshot slow to re-encode losslessly (its alpha channel sends
    it through the re-encoder) and large: about 1.8 MB.
    """
    rng = random.Random(31)
    scene = Image.radial_gradient("L").resize((1240, 930)).convert("RGB")
    draw = ImageDraw.Draw(scene)
    for _ in range(30):
        x, y, r = rng.randrange(1240), rng.randrange(930), rng.randrange(30, 300)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    scene = scene.filter(ImageFilter.GaussianBlur(4))
    scene = Image.blend(scene, _noise(scene.size, 32, 48).convert("RGB"), 0.22)
    draw = ImageDraw.Draw(scene)
    draw.rectangle((0, 0, 1239, 44), fill=(32, 33, 36))
    mask = Image.new("L", scene.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, 1239, 929), radius=24, fill=255)
    shot = scene.convert("RGBA")
    shot.putalpha(mask)
    shot.save(path, "PNG")


def scans_pdf(path: Path) -> None:
    pdf = pikepdf.new()
    for index in range(3):
        rng = random.Random(40 + index)
        page = Image.new("RGB", (1654, 2339), (246, 245, 240))
        draw = ImageDraw.Draw(page)
        _lines(draw, (140, 180, 1510, 2200), rng, (40, 40, 50), 26)
        page = Image.blend(page, _noise(page.size, 50 + index, 24).convert("RGB"), 0.12)
        buffer = io.BytesIO()
        page.save(buffer, "JPEG", quality=88)
        image = pdf.make_stream(
            buffer.getvalue(),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=page.width,
            Height=page.height,
            ColorSpace=pikepdf.Name.DeviceRGB,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )
        content = pdf.make_stream(b"q 595.28 0 0 841.89 0 0 cm /Im0 Do Q")
        pdf.pages.append(
            pikepdf.Page(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Page,
                    MediaBox=[0, 0, 595.28, 841.89],
                    Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
                    Contents=content,
                )
            )
        )
    pdf.save(path, deterministic_id=True)


#: Bumped whenever a file's recipe changes: a set of another version is made again.
VERSION = "2"


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    stamp = out / "VERSION"
    if not stamp.exists() or stamp.read_text().strip() != VERSION:
        for old in out.iterdir():
            old.unlink()
        stamp.write_text(VERSION + "\n")
    makers = {
        "photo.jpg": photo,
        "scan.png": scan,
        "screenshot.png": screenshot,
        "scans.pdf": scans_pdf,
    }
    total = 0
    for name, make in makers.items():
        target = out / name
        if not target.exists():
            make(target)
        size = target.stat().st_size
        total += size
        print(f"{name:16} {size / 1e6:6.2f} MB")
    print(f"{'total':16} {total / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
