"""Side-by-side, whole-process comparison of msp-docs with its peers on the reference set.

Runs, in one go on this machine:
  - msp-docs merge of the reference set (all validation and sanitising on)
  - img2pdf once per image + ``qpdf --empty --pages`` (the shell chain people use today)
  - a naive img2pdf + pikepdf script (benchmarks/peers/naive_merge.py)
  - ``msp-docs --help`` (start-up cost)
  - ``msp_docs.convert`` of the 12 MP JPEG, in-process
and prints medians, ratios against the targets of issue 2, and peak RSS of the merge.

Usage: .venv/bin/python benchmarks/compare_peers.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
REFERENCE = HERE / "reference"
IMAGES = ["photo.jpg", "scan.png", "screenshot.png"]
PDFS = ["scans.pdf"]


def run_timed(argv: list[str], **kwargs: object) -> tuple[float, int]:
    """Run a command; return (wall seconds, peak RSS in KiB of that process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(argv)}")
    return elapsed, usage.ru_maxrss


def median_of(runs: int, once: Callable[[], float]) -> tuple[float, list[float]]:
    samples = [once() for _ in range(runs)]
    return statistics.median(samples), samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    subprocess.run(
        [sys.executable, str(HERE / "make_reference_set.py")], check=True, stdout=subprocess.DEVNULL
    )
    files = [str(REFERENCE / n) for n in IMAGES + PDFS]
    qpdf = shutil.which("qpdf")
    work = Path(tempfile.mkdtemp(prefix="msp-bench-"))
    peaks: dict[str, int] = {}

    def ours() -> float:
        elapsed, rss = run_timed(
            [str(BIN / "msp-docs"), "merge", *files, "-o", str(work / "ours.pdf")],
            stderr=subprocess.DEVNULL,
        )
        peaks["msp-docs merge"] = max(peaks.get("msp-docs merge", 0), rss)
        return elapsed

    def chain() -> float:
        total = 0.0
        parts = []
        for name in IMAGES:
            target = work / (name + ".pdf")
            elapsed, rss = run_timed(
                [str(BIN / "img2pdf"), str(REFERENCE / name), "-o", str(target)]
            )
            total += elapsed
            parts.append(str(target))
            peaks["img2pdf"] = max(peaks.get("img2pdf", 0), rss)
        parts += [str(REFERENCE / n) for n in PDFS]
        elapsed, rss = run_timed(
            [qpdf or "qpdf", "--empty", "--pages", *parts, "--", str(work / "chain.pdf")]
        )
        peaks["qpdf"] = max(peaks.get("qpdf", 0), rss)
        return total + elapsed

    def naive() -> float:
        elapsed, rss = run_timed(
            [
                sys.executable,
                str(HERE / "peers" / "naive_merge.py"),
                *files,
                str(work / "naive.pdf"),
            ]
        )
        peaks["naive img2pdf+pikepdf"] = max(peaks.get("naive img2pdf+pikepdf", 0), rss)
        return elapsed

    def help_() -> float:
        return run_timed([str(BIN / "msp-docs"), "--help"])[0]

    results: dict[str, float] = {}
    # Interleave the tools run by run so that machine noise hits them alike.
    samples: dict[str, list[float]] = {
        "msp-docs merge": [],
        "img2pdf + qpdf chain": [],
        "naive img2pdf+pikepdf": [],
        "msp-docs --help": [],
    }
    ours(), naive(), help_()  # warm the page cache
    if qpdf:
        chain()
    for _ in range(args.runs):
        samples["msp-docs merge"].append(ours())
        if qpdf:
            samples["img2pdf + qpdf chain"].append(chain())
        samples["naive img2pdf+pikepdf"].append(naive())
        samples["msp-docs --help"].append(help_())
    for name, values in samples.items():
        if values:
            results[name] = statistics.median(values)

    # In-process convert of the 12 MP JPEG (imports already paid, as in a service).
    import msp_docs

    photo = (REFERENCE / "photo.jpg").read_bytes()
    msp_docs.convert(photo, str(work / "warm.pdf"))
    convert_times = []
    for _ in range(max(args.runs, 15)):
        start = time.perf_counter()
        msp_docs.convert(photo, str(work / "photo.pdf"))
        convert_times.append(time.perf_counter() - start)
    results["convert 12 MP JPEG in-process"] = statistics.median(convert_times)

    size = sum(Path(f).stat().st_size for f in files)
    print(f"reference set: {len(files)} files, {size / 1e6:.2f} MB; {args.runs} runs, medians")
    for name, value in results.items():
        print(f"  {name:34} {value * 1000:8.1f} ms")
    print("peak RSS (max over runs):")
    for name, kib in peaks.items():
        print(f"  {name:34} {kib / 1024:8.1f} MB")
    print("targets (issue 2):")
    chain_t = results.get("img2pdf + qpdf chain")
    if chain_t:
        ratio = results["msp-docs merge"] / chain_t
        print(
            f"  merge / img2pdf+qpdf chain   = {ratio:.3f}  (target <= 0.35) "
            f"{'OK' if ratio <= 0.35 else 'MISSED'}"
        )
    ratio_n = results["msp-docs merge"] / results["naive img2pdf+pikepdf"]
    print(f"  merge / naive script         = {ratio_n:.3f}")
    help_t = results["msp-docs --help"]
    print(
        f"  --help                       = {help_t * 1000:.0f} ms (target <= 150) "
        f"{'OK' if help_t <= 0.150 else 'MISSED'}"
    )
    conv = results["convert 12 MP JPEG in-process"]
    print(
        f"  convert 12 MP JPEG           = {conv * 1000:.1f} ms (target <= 20) "
        f"{'OK' if conv <= 0.020 else 'MISSED'}"
    )
    peak = peaks["msp-docs merge"] / 1024
    print(
        f"  merge peak RSS               = {peak:.0f} MB (target <= 200) "
        f"{'OK' if peak <= 200 else 'MISSED'}"
    )
    for name in ("ours.pdf", "chain.pdf", "naive.pdf"):
        path = work / name
        if path.exists():
            print(f"  output {name:10} {path.stat().st_size / 1e6:6.2f} MB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
