"""Side-by-side comparison of msp-docs merge with its peers on the reference set, in one run.

Runs, interleaved run by run so that machine noise hits every tool alike:
  - ``msp-docs merge`` of the reference set (all validation and sanitising on), whole process
  - ``img2pdf`` per image + ``qpdf --empty --pages`` (the shell chain people use today)
  - a naive img2pdf + pikepdf script (benchmarks/peers/naive_merge.py)
  - ``msp-docs --help`` (start-up cost)
then, in this process (imports paid, as in a service):
  - ``msp_docs.merge`` against ``img2pdf.convert`` + pikepdf (the same work as the naive script)
  - ``msp_docs.convert`` of the 12 MP JPEG, and its floor: the 1/8-scale decode that proves the
    entropy-coded data complete (what validation requires), timed alone.

For each: wall time and CPU time (user + system of the process and every descendant it
waited for, from ``os.wait4``; in-process: this process plus its reaped children, from
``getrusage``), median with min-max. Memory is sampled from /proc in separate runs (sampling
slows what it watches): the peak of the summed PSS of the whole process tree (pages shared by
fork counted once) and the peak of the largest single process. ``ru_maxrss`` is not used: a
forked child inherits its parent's figure, so it overstates every child.

The reference set (``make_reference_set.py``) holds issue 11's screenshot: 1240x930 RGBA of
photographic, noisy content. Our sources are byte-compiled first: ``PYTHONDONTWRITEBYTECODE``
would otherwise make msp-docs compile itself on every run while the peers' installed modules
have their bytecode.

Usage: .venv/bin/python benchmarks/compare_peers.py [--runs 7]
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
REFERENCE = HERE / "reference"
IMAGES = ["photo.jpg", "scan.png", "screenshot.png"]
PDFS = ["scans.pdf"]
sys.path.insert(0, str(HERE))

from _common import machine_banner, spread, tree_memory  # noqa: E402


def run_timed(argv: list[str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, CPU seconds of it and its reaped descendants)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"command failed: {' '.join(argv)}")
    return elapsed, usage.ru_utime + usage.ru_stime


def memory_of(argvs: list[list[str]]) -> tuple[int, int]:
    """Peak summed PSS of the tree and peak RSS of its largest process (KiB), over ``argvs``."""
    tree = largest = 0
    for argv in argvs:
        pss, single = tree_memory(argv)
        tree, largest = max(tree, pss), max(largest, single)
    return tree, largest


def cpu_now() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed_here(run: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_now()
    run()
    return time.perf_counter() - wall, cpu_now() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    subprocess.run(
        [sys.executable, str(HERE / "make_reference_set.py")], check=True, stdout=subprocess.DEVNULL
    )
    compileall.compile_dir(ROOT / "src", quiet=1)
    compileall.compile_dir(ROOT / "cli", quiet=1)
    if not shutil.which("qpdf"):
        raise SystemExit("qpdf is needed (scripts/setup.sh test installs it)")
    print(
        machine_banner(
            ["msp-docs", "Pillow", "pikepdf", "img2pdf", "deflate"], [["qpdf", "--version"]]
        )
    )
    files = [str(REFERENCE / n) for n in IMAGES + PDFS]
    size = sum(Path(f).stat().st_size for f in files)
    print(f"reference set: {len(files)} files, {size / 1e6:.2f} MB; {args.runs} runs interleaved\n")
    work = Path(tempfile.mkdtemp(prefix="msp-bench-"))

    ours = [str(BIN / "msp-docs"), "merge", *files, "-o", str(work / "ours.pdf")]
    chain = [
        [str(BIN / "img2pdf"), str(REFERENCE / n), "-o", str(work / f"{n}.pdf")] for n in IMAGES
    ]
    chain.append(
        ["qpdf", "--empty", "--pages", *[str(work / f"{n}.pdf") for n in IMAGES],
         *[str(REFERENCE / n) for n in PDFS], "--", str(work / "chain.pdf")]
    )  # fmt: skip
    naive = [
        sys.executable,
        str(HERE / "peers" / "naive_merge.py"),
        *files,
        str(work / "naive.pdf"),
    ]
    help_ = [str(BIN / "msp-docs"), "--help"]

    def chain_once() -> tuple[float, float]:
        parts = [run_timed(argv) for argv in chain]
        return sum(p[0] for p in parts), sum(p[1] for p in parts)

    configs: dict[str, Callable[[], tuple[float, float]]] = {
        "msp-docs merge": lambda: run_timed(ours),
        "img2pdf + qpdf chain": chain_once,
        "naive img2pdf+pikepdf": lambda: run_timed(naive),
        "msp-docs --help": lambda: run_timed(help_),
    }
    for once in configs.values():  # warm the page cache
        once()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in configs}
    for index in range(args.runs):
        names = list(configs)
        for name in names[index % len(names) :] + names[: index % len(names)]:
            samples[name].append(configs[name]())

    # In-process: imports paid, as in a service.
    import logging

    import img2pdf
    import pikepdf

    import msp_docs
    from msp_docs import Limits
    from msp_docs._backends.jpeg import prove_decodes
    from msp_docs._formats import jpeg as jpeg_format

    data = [Path(f).read_bytes() for f in files]
    logging.getLogger("img2pdf").setLevel(logging.ERROR)  # its note about the soft mask

    def ours_here() -> None:
        msp_docs.merge(data, io.BytesIO())

    def peers_here() -> None:
        merged = pikepdf.new()
        for name, blob in zip(files, data, strict=True):
            source = pikepdf.open(
                io.BytesIO(blob if name.endswith(".pdf") else img2pdf.convert(blob))
            )
            merged.pages.extend(source.pages)
        merged.save(io.BytesIO())

    photo = (REFERENCE / "photo.jpg").read_bytes()
    parsed = jpeg_format.parse(photo)
    cleaned = parsed.cleaned(photo)
    size = (parsed.frame.width, parsed.frame.height)
    here: dict[str, Callable[[], object]] = {
        "msp_docs.merge (in-process)": ours_here,
        "img2pdf.convert + pikepdf (in-process)": peers_here,
        "msp_docs.convert 12 MP JPEG": lambda: msp_docs.convert(photo, io.BytesIO()),
        "  its floor: 1/8-scale decode": lambda: prove_decodes(cleaned, size, Limits()),
    }
    for run in here.values():
        run()
    for name in here:
        samples[name] = []
    for index in range(max(args.runs, 9)):
        names = list(here)
        for name in names[index % 2 :] + names[: index % 2]:
            samples[name].append(timed_here(here[name]))

    print(f"{'':42} {'wall':>26} {'cpu (all processes)':>26}")
    for name, values in samples.items():
        wall = [w for w, _ in values]
        cpu = [c for _, c in values]
        print(f"{name:42} {spread(wall):>26} {spread(cpu):>26}")

    print(
        "\nmemory (separate sampled runs): peak PSS of the whole tree, largest process's peak RSS"
    )
    for name, argvs in (
        ("msp-docs merge", [ours]),
        ("img2pdf + qpdf chain (worst step)", chain),
        ("naive img2pdf+pikepdf", [naive]),
    ):
        tree, largest = memory_of(argvs)
        print(f"  {name:40} tree PSS {tree / 1024:6.1f} MiB   largest {largest / 1024:6.1f} MiB")

    def med(name: str, which: int = 0) -> float:
        return statistics.median(v[which] for v in samples[name])

    print("\ntargets (issue 11), ratios of medians:")
    for label, a, b, target in (
        ("merge / img2pdf+qpdf chain", "msp-docs merge", "img2pdf + qpdf chain", 0.35),
        ("merge / naive script", "msp-docs merge", "naive img2pdf+pikepdf", None),
        (
            "in-process merge / img2pdf+pikepdf",
            "msp_docs.merge (in-process)",
            "img2pdf.convert + pikepdf (in-process)",
            0.35,
        ),
    ):
        wall, cpu = med(a) / med(b), med(a, 1) / med(b, 1)
        verdict = (
            ""
            if target is None
            else f" (target <= {target}) {'OK' if wall <= target else 'MISSED'}"
        )
        print(f"  {label:36} wall {wall:.3f}  cpu {cpu:.3f}{verdict}")
    conv, floor = med("msp_docs.convert 12 MP JPEG"), med("  its floor: 1/8-scale decode")
    print(
        f"  convert 12 MP JPEG in-process       {conv * 1000:.1f} ms, "
        f"of which the decode floor {floor * 1000:.1f} ms"
    )
    for name in ("ours.pdf", "chain.pdf", "naive.pdf"):
        path = work / name
        if path.exists():
            print(f"  output {name:10} {path.stat().st_size / 1e6:6.2f} MB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
