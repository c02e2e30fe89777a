"""``msp-docs merge --fit`` against Ghostscript's ``/ebook`` setting, whole processes, one run.

Sets (generated once into a temporary directory, deterministic):
  4x12MP   four 12 MP phone photos (JPEG, one with EXIF orientation 6), ~16 MB
  4x48MP   four 48 MP-class photos (8064x6048 JPEG), ~50 MB (over 10 MiB: only --fit takes it)
  scans    mixed scans: two grey A4 PNG scans at 300 dpi, a colour JPEG scan, a 3-page PDF of
           JPEG scans

For each set:
  - Ghostscript: ``img2pdf -S A4 --auto-orient`` (A4 pages like ours, so /ebook's 150 dpi means
    the same thing) then, for PDFs, ``qpdf --empty --pages``, then
    ``gs -sDEVICE=pdfwrite -dPDFSETTINGS=/ebook``. Its time is given for gs alone and for the
    chain.
  - msp-docs: ``msp-docs merge --fit 10MiB`` (the portal's target), and ``--fit`` at the size
    Ghostscript produced (same bytes: which keeps more of the pages?).
  - fidelity: every page rendered at 100 dpi with pdftoppm (grey), SSIM (7x7 window) against the
    same tool's unreduced pages (img2pdf's for Ghostscript, ``msp-docs merge`` without fit for
    ours), averaged over pages.

Memory ("mem A/B"): peak summed PSS of the process tree / peak RSS of its largest process,
sampled from /proc in a separate run.

Targets (issue 11): output <= target in 100 % of cases, time <= 0.5 x Ghostscript's, mean SSIM
>= Ghostscript's. Needs gs, qpdf, pdftoppm and numpy (``pip install -e '.[bench]'``; on Debian
``apt-get install ghostscript qpdf poppler-utils``).

Usage: .venv/bin/python benchmarks/bench_fit.py [--runs 3] [--sets 4x12MP,4x48MP,scans]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from _common import machine_banner, spread, tree_memory  # noqa: E402

MiB = 1024 * 1024
TARGET = 10 * MiB


# --- the sets -----------------------------------------------------------------------------------
def _photo(size: tuple[int, int], seed: int, quality: int, orientation: int = 1) -> bytes:
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    small = (size[0] // 4, size[1] // 4)  # drawn small and scaled up: fast, photo-smooth
    scene = Image.radial_gradient("L").resize(small).convert("RGB")
    draw = ImageDraw.Draw(scene)
    for _ in range(60):
        x, y, r = rng.randrange(small[0]), rng.randrange(small[1]), rng.randrange(10, small[0] // 5)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    for row in range(small[1] // 5, small[1] * 4 // 5, small[1] // 30):  # a document's lines
        draw.rectangle((small[0] // 6, row, small[0] * 5 // 6, row + 3), fill=(30, 30, 40))
    scene = scene.filter(ImageFilter.GaussianBlur(1.5)).resize(size, Image.Resampling.BICUBIC)
    random.seed(seed)
    scene = Image.blend(scene, Image.effect_noise(size, 50).convert("RGB"), 0.12)
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def _scan_png(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    page = Image.new("L", (2480, 3508), 244)
    draw = ImageDraw.Draw(page)
    for y in range(300, 3200, 56):
        x = 250
        while x < 2200:
            w = rng.randrange(40, 220)
            draw.rectangle((x, y, x + w, y + 26), fill=rng.randrange(20, 80))
            x += w + 28
    random.seed(seed)
    page = Image.blend(page, Image.effect_noise(page.size, 20), 0.1)
    out = io.BytesIO()
    page.save(out, "PNG", dpi=(300, 300))
    return out.getvalue()


def _scans_pdf(seed: int) -> bytes:
    import pikepdf
    from PIL import Image

    pdf = pikepdf.new()
    for index in range(3):
        page = Image.open(io.BytesIO(_photo((1654, 2339), seed + index, 90))).convert("RGB")
        buffer = io.BytesIO()
        page.save(buffer, "JPEG", quality=90)
        image = pdf.make_stream(
            buffer.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
            Width=1654, Height=2339, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )  # fmt: skip
        pdf.add_blank_page(page_size=(595.28, 841.89))
        pdf.pages[index].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        pdf.pages[index].obj.Contents = pdf.make_stream(b"q 595.28 0 0 841.89 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


SETS: dict[str, Callable[[], dict[str, bytes]]] = {
    "4x12MP": lambda: {
        f"IMG_{i}.jpg": _photo((4032, 3024), i, 92, 6 if i == 1 else 1) for i in range(4)
    },
    "4x48MP": lambda: {f"IMG_48_{i}.jpg": _photo((8064, 6048), 10 + i, 85) for i in range(4)},
    "scans": lambda: {
        "scan1.png": _scan_png(20),
        "scan2.png": _scan_png(21),
        "scan3.jpg": _photo((2480, 3508), 22, 90),
        "scans.pdf": _scans_pdf(30),
    },
}


# --- running ------------------------------------------------------------------------------------
@dataclass
class Timed:
    wall: float
    cpu: float


def run(argv: list[str]) -> Timed:
    """Run a command to its end; wall time, and CPU of it and its reaped descendants."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stderr = proc.stderr.read() if proc.stderr else b""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {stderr.decode(errors='replace')[-800:]}")
    # wait4 gives this child's own usage plus its reaped descendants' (msp-docs' isolated
    # children included). Not its ru_maxrss: a forked child inherits its parent's figure.
    return Timed(wall, usage.ru_utime + usage.ru_stime)


def chain(steps: list[list[str]]) -> Timed:
    parts = [run(argv) for argv in steps]
    return Timed(sum(p.wall for p in parts), sum(p.cpu for p in parts))


def gs_steps(files: list[Path], work: Path) -> tuple[list[list[str]], list[str]]:
    images = [str(f) for f in files if f.suffix != ".pdf"]
    pdfs = [str(f) for f in files if f.suffix == ".pdf"]
    steps = []
    merged = work / "unreduced-gs.pdf"
    if images:
        target = work / "images.pdf" if pdfs else merged
        steps.append(
            [str(BIN / "img2pdf"), "-S", "A4", "--auto-orient", *images, "-o", str(target)]
        )
        if pdfs:
            steps.append(["qpdf", "--empty", "--pages", str(target), *pdfs, "--", str(merged)])
    else:
        steps.append(["qpdf", "--empty", "--pages", *pdfs, "--", str(merged)])
    gs = [
        "gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=pdfwrite",
        "-dPDFSETTINGS=/ebook", f"-sOutputFile={work / 'gs.pdf'}", str(merged),
    ]  # fmt: skip
    return steps, gs


# --- fidelity -----------------------------------------------------------------------------------
def pages_at_100dpi(pdf: Path, work: Path) -> list[object]:
    import numpy as np
    from PIL import Image

    prefix = work / f"render-{pdf.stem}"
    for old in work.glob(f"render-{pdf.stem}-*"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "100", "-gray", str(pdf), str(prefix)], check=True)
    return [
        np.asarray(Image.open(p), dtype=np.float64)
        for p in sorted(work.glob(f"render-{pdf.stem}-*.pgm"))
    ]


def ssim(a: object, b: object) -> float:
    """Mean SSIM of two grey images (7x7 uniform window, as scikit-image's default)."""
    import numpy as np

    x, y = np.asarray(a), np.asarray(b)
    h, w = min(x.shape[0], y.shape[0]), min(x.shape[1], y.shape[1])
    x, y = x[:h, :w], y[:h, :w]

    def box(m: np.ndarray) -> np.ndarray:
        c = np.cumsum(np.cumsum(np.pad(m, ((1, 0), (1, 0))), 0), 1)
        k = 7
        return (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = box(x), box(y)
    vx = box(x * x) - mx * mx
    vy = box(y * y) - my * my
    cov = box(x * y) - mx * my
    n = 49
    vx, vy, cov = vx * n / (n - 1), vy * n / (n - 1), cov * n / (n - 1)
    s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(s.mean())


def mean_ssim(reduced: Path, unreduced: Path, work: Path) -> float:
    got, want = pages_at_100dpi(reduced, work), pages_at_100dpi(unreduced, work)
    assert len(got) == len(want), (reduced, len(got), len(want))
    return statistics.mean(ssim(a, b) for a, b in zip(got, want, strict=True))


# --- report -------------------------------------------------------------------------------------
@dataclass
class Row:
    tool: str
    times: list[Timed] = field(default_factory=list)
    size: int = 0
    target: int | None = None
    ssim: float = 0.0
    memory: tuple[int, int] = (0, 0)  # peak tree PSS, largest process (KiB), sampled


def bench_set(name: str, files: list[Path], work: Path, runs: int) -> list[Row]:
    steps, gs = gs_steps(files, work)
    chain_row, gs_row = Row("img2pdf + gs /ebook"), Row("gs /ebook alone")
    ours_row = Row("msp-docs --fit 10MiB", target=TARGET)
    same_row = Row("msp-docs --fit <gs size>")
    ours = [
        str(BIN / "msp-docs"), "merge", *map(str, files), "-o", str(work / "ours.pdf"),
        "--fit", str(TARGET),
    ]  # fmt: skip
    unreduced = [
        str(BIN / "msp-docs"), "merge", *map(str, files), "-o", str(work / "unreduced-ours.pdf"),
        "--max-size", "200MiB",
    ]  # fmt: skip
    run(unreduced)
    for index in range(runs):  # interleaved, the order turning each run
        order = ["gs", "ours"] if index % 2 == 0 else ["ours", "gs"]
        for which in order:
            if which == "gs":
                before = chain(steps)
                alone = run(gs)
                gs_row.times.append(alone)
                chain_row.times.append(Timed(before.wall + alone.wall, before.cpu + alone.cpu))
            else:
                ours_row.times.append(run(ours))
    gs_size = (work / "gs.pdf").stat().st_size
    same_row.target = gs_size
    same = [*ours[:-1], str(gs_size)]
    same[same.index(str(work / "ours.pdf"))] = str(work / "ours-same.pdf")
    for _ in range(runs):
        same_row.times.append(run(same))
    gs_row.memory = tree_memory(gs)
    ours_row.memory = tree_memory(ours)
    gs_row.size = chain_row.size = gs_size
    ours_row.size = (work / "ours.pdf").stat().st_size
    same_row.size = (work / "ours-same.pdf").stat().st_size
    gs_row.ssim = chain_row.ssim = mean_ssim(work / "gs.pdf", work / "unreduced-gs.pdf", work)
    ours_row.ssim = mean_ssim(work / "ours.pdf", work / "unreduced-ours.pdf", work)
    same_row.ssim = mean_ssim(work / "ours-same.pdf", work / "unreduced-ours.pdf", work)
    return [gs_row, chain_row, ours_row, same_row]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sets", default=",".join(SETS))
    args = parser.parse_args()
    for tool in ("gs", "qpdf", "pdftoppm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (apt-get install ghostscript qpdf poppler-utils)")
    print(
        machine_banner(
            ["msp-docs", "Pillow", "img2pdf", "numpy"], [["gs", "--version"], ["qpdf", "--version"]]
        )
    )
    print(f"whole processes, {args.runs} runs interleaved; times: median (min-max)\n")
    work = Path(tempfile.mkdtemp(prefix="msp-fit-bench-"))
    verdicts = []
    table = []
    for name in args.sets.split(","):
        folder = work / name
        folder.mkdir()
        files = []
        for file_name, data in SETS[name]().items():
            (folder / file_name).write_bytes(data)
            files.append(folder / file_name)
        size = sum(f.stat().st_size for f in files)
        print(f"== {name}: {len(files)} files, {size / 1e6:.1f} MB", flush=True)
        rows = bench_set(name, files, folder, args.runs)
        for row in rows:
            wall = [t.wall for t in row.times]
            cpu = [t.cpu for t in row.times]
            memory = ""
            if row.memory[0]:
                memory = f"  mem {row.memory[0] / 1024:4.0f}/{row.memory[1] / 1024:4.0f} MiB"
            print(
                f"  {row.tool:26} wall {spread(wall, 1, 's'):22} cpu {spread(cpu, 1, 's'):22} "
                f"out {row.size / 1e3:7.0f} kB  SSIM {row.ssim:.4f}{memory}"
            )
        gs_alone, gs_chain, ours, same = rows
        ratio = statistics.median(t.wall for t in ours.times) / statistics.median(
            t.wall for t in gs_alone.times
        )
        ratio_chain = statistics.median(t.wall for t in ours.times) / statistics.median(
            t.wall for t in gs_chain.times
        )
        fits = ours.size <= TARGET and same.size <= (same.target or 0)
        cpu_ratio = statistics.median(t.cpu for t in ours.times) / statistics.median(
            t.cpu for t in gs_alone.times
        )
        verdicts.append(
            f"  {name:7} fits {'yes' if fits else 'NO'}; time ours/gs wall {ratio:.2f} "
            f"cpu {cpu_ratio:.2f} (vs the chain: wall {ratio_chain:.2f}; target <= 0.5); "
            f"SSIM ours {ours.ssim:.4f}, at gs's size {same.ssim:.4f}, gs {gs_alone.ssim:.4f}"
        )
        table.append((name, size, gs_alone, gs_chain, ours, same))
        print(flush=True)
    print("targets (issue 11):")
    print("\n".join(verdicts))
    print("\nMarkdown (README):")
    print("| set | input | tool | time (median) | output | SSIM at 100 dpi |")
    print("|---|---|---|---|---|---|")
    for name, size, *rows in table:
        for row in rows:
            wall = statistics.median(t.wall for t in row.times)
            print(
                f"| {name} | {size / 1e6:.0f} MB | {row.tool} | {wall:.2f} s | "
                f"{row.size / 1e3:.0f} kB | {row.ssim:.3f} |"
            )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
