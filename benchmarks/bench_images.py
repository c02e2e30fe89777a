"""Image backends against img2pdf on the reference images, measured in the same run.

Usage: .venv/bin/python benchmarks/bench_images.py [--repeat N]

The three reference images are generated (deterministically) in memory:
  photo.jpg      4032x3024 (12 MP) photo-like RGB JPEG, Pillow quality 90, 4:2:0
  scan.png       2480x1860 8-bit grey PNG (a page of text-like lines), Pillow's default level
  screenshot.png 1240x930 RGBA PNG with transparent rounded corners
For each: our backend alone (normalise_*), the whole in-process msp_docs.convert, and
img2pdf.convert; best of N runs; ratios are ours / img2pdf. Times are CPU time of this
process (time.process_time): on a shared, loaded machine wall-clock times vary several-fold,
CPU times much less; all the work measured here runs on one thread.
"""

from __future__ import annotations

import argparse
import io
import random
import time
from collections.abc import Callable
from functools import partial

import img2pdf
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from msp_docs import Limits, Options, convert
from msp_docs._backends.jpeg import _prove_decodes, normalise_jpeg
from msp_docs._backends.png import normalise_png
from msp_docs._formats import jpeg as jpeg_format


def photo() -> bytes:
    rng = random.Random(1)
    size = (4032, 3024)
    base = Image.radial_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(base)
    for _ in range(120):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(40, 600)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    base = base.filter(ImageFilter.GaussianBlur(6))
    # Sensor-like noise: what makes real photos 3-5 MB at this size.
    noise = Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).point(
        lambda v: 128 + (v - 128) // 12
    )
    textured = ImageChops.add(base, Image.merge("RGB", [noise] * 3), 1.0, -128)
    out = io.BytesIO()
    textured.save(out, "JPEG", quality=90)
    return out.getvalue()


def scan() -> bytes:
    rng = random.Random(2)
    page = Image.new("L", (2480, 1860), 246)
    draw = ImageDraw.Draw(page)
    y = 120
    while y < 1760:
        x = 150
        while x < 2300:
            word = rng.randrange(30, 160)
            draw.rectangle((x, y, x + word, y + 18), fill=rng.randrange(20, 90))
            x += word + 20
        y += 42
    out = io.BytesIO()
    page.save(out, "PNG")
    return out.getvalue()


def screenshot() -> bytes:
    rng = random.Random(3)
    shot = Image.new("RGBA", (1240, 930), (0, 0, 0, 0))
    draw = ImageDraw.Draw(shot)
    draw.rounded_rectangle((0, 0, 1239, 929), radius=30, fill=(250, 250, 252, 255))
    draw.rectangle((0, 40, 1239, 110), fill=(0, 35, 149, 255))
    for y in range(160, 880, 34):
        draw.rectangle((60, y, 60 + rng.randrange(300, 1100), y + 14), fill=(60, 60, 70, 255))
    out = io.BytesIO()
    shot.save(out, "PNG")
    return out.getvalue()


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    limits, options = Limits(), Options()
    files = {"photo.jpg": photo(), "scan.png": scan(), "screenshot.png": screenshot()}
    backends = {"photo.jpg": normalise_jpeg, "scan.png": normalise_png}
    backends["screenshot.png"] = normalise_png
    print(f"{'file':16} {'bytes':>9} {'backend':>9} {'convert':>9} {'img2pdf':>9} {'ratio':>6}")
    for name, data in files.items():
        backend = backends[name]
        ours = best(partial(backend, data, offset=0, limits=limits, options=options), repeat)
        whole = best(partial(convert, data, io.BytesIO()), repeat)
        peer = best(partial(img2pdf.convert, data), repeat)
        print(
            f"{name:16} {len(data):9} {ours:8.1f}ms {whole:8.1f}ms {peer:8.1f}ms "
            f"{whole / peer:6.2f}"
        )
    data = files["photo.jpg"]
    parsed = jpeg_format.parse(data)
    cleaned = parsed.cleaned(data)
    print("photo.jpg stages:")
    print(f"  marker walk      {best(lambda: jpeg_format.parse(data), repeat):7.1f} ms")
    print(f"  cleaned copy     {best(lambda: parsed.cleaned(data), repeat):7.1f} ms")
    decode = best(lambda: _prove_decodes(cleaned, parsed.frame, limits), repeat)
    print(f"  1/8-scale decode {decode:7.1f} ms")
    full = best(lambda: Image.open(io.BytesIO(cleaned)).load(), repeat)
    print(f"  (full decode     {full:7.1f} ms, for comparison)")


if __name__ == "__main__":
    main()
