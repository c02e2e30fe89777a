"""Lossless re-encoding: our encoder against Pillow's PNG encoder, and the deflate libraries.

Every image msp-docs re-encodes losslessly goes through one encoder (PNG predictors chosen per
image, then libdeflate; ``msp_docs._backends._predictors``). This script catches the raw
images at that encoder while real inputs are normalised, then encodes each one
  - with what msp-docs used before (Pillow's PNG encoder at level 6 with its adaptive filters;
    plain zlib level 6 for 16-bit RGB and CMYK, which Pillow cannot write as PNG),
  - with our encoder,
and prints sizes, CPU time (one core: everything here runs on this thread) and the targets of
issue 11: output <= 1.05 x Pillow's summed over each set, >= 100 MB/s of raw pixels on noisy
content. ``--libraries`` adds libdeflate, ISA-L, zlib-ng and zlib at several levels on the same
filtered rows (``pip install -e '.[bench]'`` brings the optional ones).

Sets: ``corpus`` (every re-encoded image of ../shared/corpus), ``flat`` (generated text and UI
screenshots with alpha), ``noisy`` (generated photos with alpha: an RGBA screenshot of
photographic content, photos with fine and coarse grain, a grey scan with grain). Pillow cannot
write interlaced PNGs, so alpha is what sends these through the re-encoder.

Usage: .venv/bin/python benchmarks/bench_deflate.py [--repeat 5] [--libraries]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import machine_banner  # noqa: E402
from msp_docs import Limits, Options  # noqa: E402
from msp_docs._backends import _pillow, _predictors  # noqa: E402
from msp_docs._backends.gif import normalise_gif  # noqa: E402
from msp_docs._backends.jpeg import normalise_jpeg  # noqa: E402
from msp_docs._backends.png import normalise_png  # noqa: E402
from msp_docs._formats import png as png_format  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@dataclass
class Raw:
    """One image as the encoder received it."""

    name: str
    raw: bytes
    width: int
    height: int
    bits: int
    channels: int
    palette: bool

    @property
    def row_bytes(self) -> int:
        return (self.width * self.channels * self.bits + 7) // 8

    @property
    def bpp(self) -> int:
        return max(1, self.channels * self.bits // 8)


# --- catching the images at the encoder ---------------------------------------------------------
def capture(name: str, data: bytes) -> list[Raw]:
    """Normalise ``data`` in-process and return every image that was encoded losslessly."""
    caught: list[Raw] = []
    original = _pillow.flate_raster

    def spy(raw: bytes, **kw: object) -> object:
        space = kw["colour_space"]
        caught.append(
            Raw(
                f"{name}#{len(caught)}",
                raw,
                int(kw["width"]),  # type: ignore[call-overload]
                int(kw["height"]),  # type: ignore[call-overload]
                int(kw["bits"]),  # type: ignore[call-overload]
                int(kw["channels"]),  # type: ignore[call-overload]
                type(space).__name__ == "IndexedColour",
            )
        )
        return original(raw, **kw)  # type: ignore[arg-type]

    backends: dict[bytes, Callable[..., object]] = {
        b"\x89PNG": normalise_png,
        b"GIF8": normalise_gif,
        b"\xff\xd8": normalise_jpeg,
    }
    backend = next((b for sig, b in backends.items() if data.startswith(sig)), None)
    if backend is None:
        return []
    _pillow.flate_raster = spy  # type: ignore[assignment]
    try:
        backend(data, offset=0, limits=Limits(), options=Options(all_frames=True))
    except Exception:
        return []
    finally:
        _pillow.flate_raster = original
    return caught


# --- generated images ---------------------------------------------------------------------------
def _png(image: Image.Image, **kw: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **kw)
    return out.getvalue()


def _rounded_alpha(image: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, image.width - 1, image.height - 1), radius, 255)
    out = image.convert("RGBA")
    out.putalpha(mask)
    return out


def text_screenshot(width: int, height: int, seed: int) -> bytes:
    """A document or form on screen: real glyphs in rows, a header bar, rounded corners."""
    rng = random.Random(seed)
    shot = Image.new("RGB", (width, height), (250, 250, 252))
    draw = ImageDraw.Draw(shot)
    draw.rectangle((0, 0, width, 64), fill=(0, 35, 149))
    words = [
        "vous",
        "pouvez",
        "ajouter",
        "des",
        "documents",
        "au",
        "format",
        "PDF",
        "PNG",
        "GIF",
        "JPG",
        "attestation",
    ]
    y = 90
    while y < height - 30:
        x = 40
        while x < width - 120:
            word = rng.choice(words)
            draw.text((x, y), word, fill=(30, 30, 40))
            x += 7 * len(word) + 8
        y += 18
    return _png(_rounded_alpha(shot, 24))


def ui_screenshot(width: int, height: int, seed: int) -> bytes:
    """A web form: bars, fields, buttons, an icon grid; transparent corners."""
    rng = random.Random(seed)
    shot = Image.new("RGB", (width, height), (244, 246, 250))
    draw = ImageDraw.Draw(shot)
    draw.rectangle((0, 0, width, 80), fill=(0, 99, 203))
    for i in range((height - 120) // 70):
        y = 110 + i * 70
        draw.rounded_rectangle(
            (40, y, width - 40, y + 52), 8, fill=(255, 255, 255), outline=(200, 204, 214)
        )
        draw.text((60, y + 18), f"Champ {i}: " + "x" * rng.randrange(5, 40), fill=(40, 40, 50))
        draw.rounded_rectangle((width - 220, y + 10, width - 60, y + 42), 6, fill=(0, 99, 203))
    return _png(_rounded_alpha(shot, 30))


def photo(width: int, height: int, seed: int, noise: float) -> Image.Image:
    rng = random.Random(seed)
    base = Image.radial_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(base)
    for _ in range(40):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(20, width // 4)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    base = base.filter(ImageFilter.GaussianBlur(6))
    random.seed(seed)
    grain = Image.effect_noise((width, height), noise).convert("RGB")
    return ImageChops.add(base, grain, 1.0, -128)


def noisy_rgba_screenshot() -> bytes:
    """Issue 11's screenshot: 1240x930 RGBA of photographic, noisy content."""
    return _png(_rounded_alpha(photo(1240, 930, 30, 40), 24))


def grey_scan_with_alpha() -> bytes:
    """A grey scan with grain, saved with an alpha channel (as some apps export): LA."""
    rng = random.Random(20)
    page = Image.new("L", (2480, 1860), 240)
    draw = ImageDraw.Draw(page)
    for y in range(160, 1700, 68):
        x = 160
        while x < 2300:
            w = rng.randint(34, 200)
            draw.rectangle((x, y, x + w, y + 20), fill=55)
            x += w + 17
    random.seed(21)
    page = Image.blend(page, Image.effect_noise(page.size, 10), 0.15)
    alpha = Image.new("L", page.size, 255)
    ImageDraw.Draw(alpha).rectangle((0, 0, 40, 40), fill=0)
    page = page.convert("LA")
    page.putalpha(alpha)
    return _png(page)


def generated() -> dict[str, dict[str, bytes]]:
    return {
        "flat": {
            "text screenshot 1280x800": text_screenshot(1280, 800, 1),
            "text screenshot 1170x2532": text_screenshot(1170, 2532, 2),
            "UI screenshot 1920x1080": ui_screenshot(1920, 1080, 3),
            "UI screenshot 1280x800": ui_screenshot(1280, 800, 4),
        },
        "noisy": {
            "noisy RGBA screenshot 1240x930": noisy_rgba_screenshot(),
            "photo 2000x1500 RGBA, fine grain": _png(_rounded_alpha(photo(2000, 1500, 5, 24), 40)),
            "photo 1600x1200 RGBA": _png(_rounded_alpha(photo(1600, 1200, 6, 48), 0)),
            "grey scan 2480x1860 with alpha": grey_scan_with_alpha(),
        },
    }


# --- the two encoders ---------------------------------------------------------------------------
def pillow_today(item: Raw) -> bytes:
    """What msp-docs wrote before: Pillow's PNG encoder at level 6, or zlib 6 where it could not."""
    size = (item.width, item.height)
    if item.palette:
        image = Image.frombytes(
            "P", size, item.raw, "raw", f"P;{item.bits}" if item.bits < 8 else "P"
        )
        image.putpalette(bytes(3 * (1 << item.bits)))
    elif item.bits == 16 and item.channels == 1:
        image = Image.frombytes("I;16", size, item.raw, "raw", "I;16B")
    elif item.bits == 8 and item.channels in (1, 3):
        image = Image.frombytes("L" if item.channels == 1 else "RGB", size, item.raw)
    elif item.bits == 1 and item.channels == 1:
        image = Image.frombytes("1", size, item.raw)
    else:  # 16-bit RGB, CMYK: zlib, as raw_flate did
        return zlib.compress(item.raw, 6)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return png_format.parse(out.getvalue()).image_data(out.getvalue())


def ours(item: Raw) -> bytes:
    return _predictors.encode_rows(item.raw, item.row_bytes, item.bpp).data


def cpu(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.process_time()
        result = run()
        times.append(time.process_time() - started)
    return statistics.median(times), result


# --- report -------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--libraries", action="store_true")
    args = parser.parse_args()
    print(machine_banner(["msp-docs", "Pillow", "deflate", "isal", "zlib-ng"]))
    print(
        f"our deflate backend: {_predictors._deflate.BACKEND}; CPU time, median of {args.repeat}\n"
    )

    sets: dict[str, list[Raw]] = {"corpus": []}
    if CORPUS.is_dir():
        for path in sorted(CORPUS.iterdir()):
            if path.suffix.lower() in (".png", ".gif", ".jpg", ".jpeg"):
                sets["corpus"] += capture(path.name, path.read_bytes())
    else:
        print(f"(no corpus at {CORPUS}: that set is skipped)")
    for set_name, files in generated().items():
        sets[set_name] = [r for name, data in files.items() for r in capture(name, data)]

    header = (
        f"{'image':46} {'raw MB':>7} {'Pillow kB':>10} {'ms':>7} {'ours kB':>9} {'ms':>6} "
        f"{'size':>5} {'MB/s':>6}  plan"
    )
    verdicts = []
    for set_name, items in sets.items():
        print(f"== {set_name}: {len(items)} images")
        print(header)
        tot_raw = tot_pil = tot_ours = 0
        t_ours = 0.0
        for item in items:
            t_pil, pil = cpu(lambda item=item: pillow_today(item), 1 if len(item.raw) > 2e6 else 3)
            t_us, data = cpu(lambda item=item: ours(item), args.repeat)
            assert isinstance(pil, bytes) and isinstance(data, bytes)
            chosen = _predictors.encode_rows(item.raw, item.row_bytes, item.bpp).plan
            tot_raw += len(item.raw)
            tot_pil += len(pil)
            tot_ours += len(data)
            t_ours += t_us
            if len(item.raw) >= 20_000 or set_name != "corpus":
                print(
                    f"{item.name[:46]:46} {len(item.raw) / 1e6:7.2f} {len(pil) / 1e3:10.1f} "
                    f"{t_pil * 1000:7.1f} {len(data) / 1e3:9.1f} {t_us * 1000:6.1f} "
                    f"{len(data) / len(pil):5.2f} {len(item.raw) / 1e6 / max(t_us, 1e-9):6.0f}"
                    f"  {chosen.filter.name.lower()} L{chosen.level}"
                )
        if not items:
            continue
        ratio = tot_ours / tot_pil
        rate = tot_raw / 1e6 / max(t_ours, 1e-9)
        print(
            f"{'SUM ' + set_name:46} {tot_raw / 1e6:7.2f} {tot_pil / 1e3:10.1f} {'':7} "
            f"{tot_ours / 1e3:9.1f} {t_ours * 1000:6.1f} {ratio:5.2f} {rate:6.0f}\n"
        )
        verdicts.append(
            f"  {set_name:7} size ours / Pillow = {ratio:.3f} (target <= 1.05) {_ok(ratio <= 1.05)}"
        )
        if set_name == "noisy":
            verdicts.append(
                f"  noisy   throughput = {rate:.0f} MB/s of raw pixels, one core "
                f"(target >= 100) {_ok(rate >= 100)}"
            )
    print("targets (issue 11):")
    print("\n".join(verdicts))
    if args.libraries:
        libraries(sets, args.repeat)


def _ok(met: bool) -> str:
    return "OK" if met else "MISSED"


def _library_functions() -> dict[str, tuple[Callable[[bytes, int], bytes], tuple[int, ...]]]:
    found: dict[str, tuple[Callable[[bytes, int], bytes], tuple[int, ...]]] = {
        "zlib": (zlib.compress, (1, 6, 9)),
    }
    try:
        import deflate

        found["libdeflate"] = (deflate.zlib_compress, (1, 2, 4, 6, 9, 12))
    except ImportError:
        pass
    try:
        from isal import isal_zlib

        found["ISA-L"] = (isal_zlib.compress, (0, 1, 2, 3))
    except ImportError:
        pass
    try:
        from zlib_ng import zlib_ng

        found["zlib-ng"] = (zlib_ng.compress, (1, 2, 4, 6, 9))
    except ImportError:
        pass
    return found


def libraries(sets: dict[str, list[Raw]], repeat: int) -> None:
    """Each library and level on the rows our filter choice gives, per set."""
    print("\n== deflate libraries on the same filtered rows (total kB, MB/s of raw pixels, CPU)")
    prepared: dict[str, list[tuple[int, bytes]]] = {}
    for set_name, items in sets.items():
        rows = []
        for item in items:
            chosen = _predictors.encode_rows(item.raw, item.row_bytes, item.bpp).plan
            filtered = (
                item.raw
                if chosen.filter == _predictors.Filter.NONE
                else _predictors.filtered(item.raw, item.row_bytes, item.bpp, chosen.filter)
            )
            rows.append((len(item.raw), filtered))
        prepared[set_name] = rows
    print(
        f"{'library':12} {'level':>5} " + " ".join(f"{s + ' kB':>12} {'MB/s':>6}" for s in prepared)
    )
    for name, (function, levels) in _library_functions().items():
        for level in levels:
            cells = []
            for rows in prepared.values():
                size = 0
                seconds = 0.0
                for _raw, data in rows:
                    t, out = cpu(partial(function, data, level), repeat)
                    size += len(out)  # type: ignore[arg-type]
                    seconds += t
                raw_total = sum(r for r, _ in rows)
                cells.append(f"{size / 1e3:12.1f} {raw_total / 1e6 / max(seconds, 1e-9):6.0f}")
            print(f"{name:12} {level:5} " + " ".join(cells))


if __name__ == "__main__":
    main()
