"""Image backends against img2pdf on the reference images, measured in the same run.

Usage: .venv/bin/python benchmarks/bench_images.py [--repeat 7]

The images are those of the reference set (``make_reference_set.py``): a 12 MP JPEG photo with
EXIF orientation, a 2480x1860 grey PNG scan (passed through), issue 11's 1240x930 RGBA
screenshot of photographic, noisy content (re-encoded). For each: our backend alone
(``normalise_*``, in this process), the whole ``msp_docs.convert`` (which decodes in forked,
isolated children) and ``img2pdf.convert``, interleaved. Each figure is wall time and CPU time,
median with min-max; CPU is that of this process plus its reaped children
(``getrusage(RUSAGE_CHILDREN)``), so the work of convert's children is counted, which
``process_time()`` alone would miss. Ratios are ours / img2pdf, of the medians.
"""

from __future__ import annotations

import argparse
import io
import logging
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import img2pdf
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import machine_banner, spread  # noqa: E402
from msp_docs import Limits, Options, convert  # noqa: E402
from msp_docs._backends.jpeg import normalise_jpeg, prove_decodes  # noqa: E402
from msp_docs._backends.png import normalise_png  # noqa: E402
from msp_docs._formats import jpeg as jpeg_format  # noqa: E402

REFERENCE = HERE / "reference"


def cpu_now() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(run: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_now()
    run()
    return time.perf_counter() - wall, cpu_now() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    subprocess.run(
        [sys.executable, str(HERE / "make_reference_set.py")], check=True, stdout=subprocess.DEVNULL
    )
    logging.getLogger("img2pdf").setLevel(logging.ERROR)
    print(machine_banner(["msp-docs", "Pillow", "img2pdf", "deflate"]))
    print(f"median (min-max) of {repeat} interleaved runs; cpu includes reaped children\n")
    limits, options = Limits(), Options()
    files = {n: (REFERENCE / n).read_bytes() for n in ("photo.jpg", "scan.png", "screenshot.png")}
    backends = {"photo.jpg": normalise_jpeg, "scan.png": normalise_png}
    backends["screenshot.png"] = normalise_png
    print(f"{'file':15} {'what':14} {'wall':>24} {'cpu':>24}")
    for name, data in files.items():
        configs: dict[str, Callable[[], object]] = {
            "backend": partial(backends[name], data, offset=0, limits=limits, options=options),
            "convert": partial(convert, data, io.BytesIO()),
            "img2pdf": partial(img2pdf.convert, data),
        }
        samples: dict[str, list[tuple[float, float]]] = {k: [] for k in configs}
        for run in configs.values():
            run()
        for index in range(repeat):
            names = list(configs)
            for key in names[index % 3 :] + names[: index % 3]:
                samples[key].append(measure(configs[key]))
        for key, values in samples.items():
            print(
                f"{name:15} {key:14} {spread([w for w, _ in values]):>24} "
                f"{spread([c for _, c in values]):>24}"
            )
        ours = [statistics.median(v[i] for v in samples["convert"]) for i in (0, 1)]
        peer = [statistics.median(v[i] for v in samples["img2pdf"]) for i in (0, 1)]
        ratios = f"wall {ours[0] / peer[0]:.2f}  cpu {ours[1] / peer[1]:.2f}"
        print(f"{name:15} {'convert/img2pdf':14} {ratios}\n")

    data = files["photo.jpg"]
    parsed = jpeg_format.parse(data)
    cleaned = parsed.cleaned(data)
    size = (parsed.frame.width, parsed.frame.height)
    print("photo.jpg stages (this process):")
    stages: dict[str, Callable[[], object]] = {
        "marker walk": lambda: jpeg_format.parse(data),
        "cleaned copy": lambda: parsed.cleaned(data),
        "1/8-scale decode": lambda: prove_decodes(cleaned, size, limits),
        "(full decode)": lambda: Image.open(io.BytesIO(cleaned)).load(),
    }
    for key, run in stages.items():
        values = [measure(run) for _ in range(repeat)]
        print(f"  {key:18} cpu {spread([c for _, c in values])}")


if __name__ == "__main__":
    main()
