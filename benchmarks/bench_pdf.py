"""Time the PDF side (open_pdf + assemble) beside qpdf and a naive pikepdf merge.

Usage: .venv/bin/python benchmarks/bench_pdf.py [--repeat 7]

Prints, for each input set, the median CPU time (user + system) of our open + sanitise + merge
in-process and of a whole ``msp_docs.merge`` process, the latter as a ratio to peers measured
in the same run: ``qpdf --empty --pages`` (no sanitising, no checks; PDF-only sets) and a naive
merge (img2pdf for images, pikepdf ``pages.extend``, which drops form fields and bookmarks).
Inputs: a 3-page PDF of large JPEG scans and the images of the reference set (generated here),
the corpus' 117-page linearized PDF and the CERFA forms (when ../shared is present).
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

NAIVE = """
import io, sys, pikepdf
out = pikepdf.new()
for name in sys.argv[2:]:
    if not name.endswith(".pdf"):
        import img2pdf
        name = io.BytesIO(img2pdf.convert(name))
    out.pages.extend(pikepdf.open(name).pages)
out.save(sys.argv[1])
"""

OURS = """
import sys, msp_docs
msp_docs.merge(sys.argv[2:], sys.argv[1])
"""


def scan_pdf(path: Path) -> None:
    """A 3-page PDF of A4 colour scans at 300 dpi, as JPEG (DCT) images, ~1.5 MB each."""
    import pikepdf
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(7)
    pdf = pikepdf.new()
    for number in range(3):
        image = Image.new("RGB", (2480, 3508), (246, 244, 238))
        draw = ImageDraw.Draw(image)
        for y in range(300, 3300, 60):
            x = 250
            while x < 2200:
                word = rng.randint(40, 260)
                draw.rectangle((x, y, x + word, y + 28), fill=(40, 40, 60))
                x += word + 30
        noise = Image.effect_noise((2480, 3508), 18).convert("RGB")
        image = Image.blend(image, noise, 0.12).filter(ImageFilter.GaussianBlur(0.6))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        xobject = pikepdf.Stream(pdf, b"")
        xobject.write(buffer.getvalue(), filter=pikepdf.Name.DCTDecode)
        xobject.Type, xobject.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        xobject.Width, xobject.Height, xobject.BitsPerComponent = 2480, 3508, 8
        xobject.ColorSpace = pikepdf.Name.DeviceRGB
        content = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobject)),
            Contents=content,
        )
        pdf.pages.append(pikepdf.Page(page))
        del number  # the pages differ only by the random text layout
    pdf.save(path)


def reference_images(work: Path) -> list[Path]:
    """The images of the team's reference set: a 12 MP photo, a grey scan, an RGBA screenshot."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(11)
    photo = Image.effect_noise((4032, 3024), 40).convert("RGB")
    photo = Image.blend(photo, Image.new("RGB", photo.size, (120, 150, 90)), 0.5)
    photo = photo.filter(ImageFilter.GaussianBlur(1.2))
    scan = Image.new("L", (2480, 1860), 245)
    draw = ImageDraw.Draw(scan)
    for y in range(150, 1700, 45):
        x = 150
        while x < 2300:
            word = rng.randint(30, 200)
            draw.rectangle((x, y, x + word, y + 20), fill=40)
            x += word + 25
    shot = Image.new("RGBA", (1240, 930), (0, 0, 0, 0))
    ImageDraw.Draw(shot).rounded_rectangle((0, 0, 1239, 929), 40, fill=(230, 236, 245, 255))
    paths = [work / "photo.jpg", work / "scan.png", work / "shot.png"]
    photo.save(paths[0], quality=92)
    scan.save(paths[1])
    shot.save(paths[2])
    return paths


def median_time(run: Callable[[], object], repeat: int) -> float:
    """Median CPU time (user + system, this process and its children) of ``run``.

    CPU time rather than wall time: the machine is shared, and CPU time is what a run costs
    whatever else is running.
    """
    times = []
    for _ in range(repeat):
        start = _cpu()
        run()
        times.append(_cpu() - start)
    return statistics.median(times)


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def in_process(paths: list[Path]) -> Callable[[], object]:
    from msp_docs._backends.assemble import Part, assemble
    from msp_docs._backends.pdf import open_pdf
    from msp_docs.limits import Limits
    from msp_docs.options import Options

    datas = [p.read_bytes() for p in paths]
    options = Options()

    def run() -> object:
        results = [open_pdf(d, offset=0, limits=Limits(), options=options) for d in datas]
        merged = assemble(
            [Part(label=f"input {i}", result=r) for i, r in enumerate(results)],
            title="bench",
            options=options,
            timestamp=None,
        )
        for r in results:
            r.document.close()
        return merged

    return run


def process(argv: list[str]) -> Callable[[], object]:
    return lambda: subprocess.run(argv, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="msp-bench-"))
    try:
        scans = work / "scans-3pages.pdf"
        scan_pdf(scans)
        sets: dict[str, list[Path]] = {"3-page JPEG scans": [scans]}
        reference = [*reference_images(work), scans]
        sets["reference set (3 images + scans)"] = reference
        long_pdf = SHARED / "corpus" / "pdf-117pages-linearized.pdf"
        if long_pdf.is_file():
            sets["117-page linearized"] = [long_pdf]
        forms = [SHARED / "cerfa" / n for n in ("cerfa_16216_01.pdf", "cerfa_11580_05.pdf")]
        if all(p.is_file() for p in forms):
            sets["CERFA 16216 + 16216 + 11580"] = [forms[0], forms[0], forms[1]]
        out = work / "out.pdf"
        python = sys.executable
        qpdf = shutil.which("qpdf")
        total = sum(p.stat().st_size for p in reference)
        print(f"reference set: {total / 1e6:.1f} MB; scans PDF {scans.stat().st_size / 1e6:.1f} MB")
        print(f"{'input set':32} {'ours in-proc':>12} {'ours proc':>10} {'qpdf proc':>10} "
              f"{'naive proc':>10} {'ours/qpdf':>9} {'ours/naive':>10}")  # fmt: skip
        for label, paths in sets.items():
            names = [str(p) for p in paths]
            pdf_only = all(p.suffix == ".pdf" for p in paths)
            ours_in = median_time(in_process(paths), args.repeat) if pdf_only else float("nan")
            ours = median_time(process([python, "-c", OURS, str(out), *names]), args.repeat)
            naive = median_time(process([python, "-c", NAIVE, str(out), *names]), args.repeat)
            if qpdf and pdf_only:
                peer = median_time(
                    process([qpdf, "--empty", "--pages", *names, "--", str(out)]), args.repeat
                )
            else:
                peer = float("nan")
            print(
                f"{label:32} {ours_in * 1000:10.1f}ms {ours * 1000:8.0f}ms {peer * 1000:8.0f}ms "
                f"{naive * 1000:8.0f}ms {ours / peer:9.2f} {ours / naive:10.2f}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
