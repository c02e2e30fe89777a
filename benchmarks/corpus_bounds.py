"""Time and peak memory per file, whole-process, over ../shared/corpus and the generated bombs.

Issue 3: every input must be answered within 5 s and 512 MB peak RSS on this machine, whatever
it declares. Each file is converted by a fresh ``msp-docs convert`` process (the CLI's default
configuration); the wall time and the peak RSS (the largest of the CLI process and its forked
decoding children, from wait4's rusage) are recorded. Prints the worst file for each, and every
file over a bound.

Usage: .venv/bin/python benchmarks/corpus_bounds.py [--bombs] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
SECONDS = 5.0
MEGABYTES = 512


def measure(path: Path, out: Path) -> tuple[float, float, int]:
    """Return (seconds, peak RSS in MB, exit code) of converting ``path`` in a fresh process."""
    # wait4's rusage covers the CLI and the decoding children it waited for; ru_maxrss is the
    # largest of them (they run one after the other on the big allocations).
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "msp-docs"), "convert", str(path), "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    parser.add_argument("--bombs", action="store_true", help="also the generated bomb fixtures")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every file")
    args = parser.parse_args()
    files = sorted(
        p for p in args.corpus.iterdir() if p.is_file() and p.suffix not in {".tsv", ".md"}
    )
    workdir = Path(tempfile.mkdtemp(prefix="msp-bounds-"))
    if args.bombs:
        sys.path.insert(0, str(HERE.parent))
        from tests.bombs import write_all

        files += write_all(workdir / "bombs")
    rows = []
    for path in files:
        seconds, rss, code = measure(path, workdir / "out.pdf")
        rows.append((path.name, seconds, rss, code))
    worst_time = max(rows, key=lambda r: r[1])
    worst_rss = max(rows, key=lambda r: r[2])
    print(f"{len(rows)} files; bounds {SECONDS} s and {MEGABYTES} MB per file (whole process)")
    print(f"worst time: {worst_time[0]} {worst_time[1]:.2f} s (exit {worst_time[3]})")
    print(f"worst peak RSS: {worst_rss[0]} {worst_rss[2]:.0f} MB (exit {worst_rss[3]})")
    over = [r for r in rows if r[1] > SECONDS or r[2] > MEGABYTES]
    crashed = [r for r in rows if r[3] not in (0, 3, 4, 5, 6, 7)]
    for name, seconds, rss, code in over:
        print(f"OVER BOUND: {name}: {seconds:.2f} s, {rss:.0f} MB, exit {code}")
    for name, seconds, rss, code in crashed:
        print(f"UNEXPECTED EXIT: {name}: exit {code} ({seconds:.2f} s, {rss:.0f} MB)")
    if args.verbose:
        for name, seconds, rss, code in sorted(rows, key=lambda r: -r[1]):
            print(f"  {name:48} {seconds:6.2f} s {rss:7.0f} MB exit {code}")
    sys.exit(1 if over or crashed else 0)


if __name__ == "__main__":
    main()
