"""Side-by-side benchmark of ``msp-docs batch`` (issue 4), in one run on this machine.

Measures, on the set of benchmarks/make_batch_set.py (generated when missing):
  - ``msp-docs batch --jobs 2`` against ``--jobs 1`` (throughput, target >= 1.7x);
  - ``msp-docs batch --jobs 2`` against a shell loop running ``img2pdf`` (images) or
    ``qpdf`` (PDFs) once per file, today's way (target >= 4x);
  - memory: peak of the whole process tree (PSS, so pages shared by fork are counted once, and
    RSS), peak RSS of one pool worker and of one isolated child, on 200 and on 2 000 files:
    per-worker memory must not grow with the batch.

Each configuration runs ``--runs`` times, interleaved, with a fresh output directory (nothing is
skipped). The machine may be shared: the load average before each run is printed, and both the
best run (least disturbed) and the median are given; the CPU seconds of the whole tree (every
descendant is reaped by this script, a child subreaper) do not depend on the load. Memory is
sampled from /proc in separate runs: reading every process's page tables 50 times a second
slows what it watches, so timed runs are never sampled.

Usage: .venv/bin/python benchmarks/compare_batch.py [--runs 3] [--count 200] [--big 2000]
                                                    [--no-big]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from _common import machine_banner  # noqa: E402
from make_batch_set import default_dir, generate  # noqa: E402

PEER_LOOP = r"""
out=$1; list=$2; n=0
while IFS= read -r f; do
  n=$((n + 1))
  case "${f,,}" in
    *.pdf) qpdf "$f" "$out/$n.pdf" ;;
    *) "$IMG2PDF" "$f" -o "$out/$n.pdf" ;;
  esac >/dev/null 2>&1
done < "$list"
exit 0
"""


@dataclass
class Sample:
    """One run of one configuration."""

    seconds: float
    cpu: float
    load: float
    tree_pss: int = 0  # KiB
    tree_rss: int = 0
    worker_rss: int = 0
    child_rss: int = 0
    main_rss: int = 0
    workers: set[int] = field(default_factory=set)


# --- process tree sampling ----------------------------------------------------------------------
def _stat(pid: int) -> tuple[int, str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm_end = raw.rindex(")")
    fields = raw[comm_end + 2 :].split()
    return int(fields[1]), raw[raw.index("(") + 1 : comm_end]


def _kib(pid: int, name: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class TreeSampler(threading.Thread):
    """Polls /proc for the descendants of ``root``: summed PSS/RSS and per-role peaks."""

    def __init__(self, root: int, sample: Sample, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root, self.sample, self.every = root, sample, every
        self.stop = threading.Event()

    def run(self) -> None:
        roles: dict[int, str] = {}
        while not self.stop.is_set():
            parents = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    stat = _stat(int(entry))
                    if stat is not None:
                        parents[int(entry)] = stat[0]
            tree = {self.root}
            grew = True
            while grew:
                grew = False
                for pid, parent in parents.items():
                    if parent in tree and pid not in tree:
                        tree.add(pid)
                        grew = True
            pss = rss = 0
            for pid in tree:
                if pid not in roles:
                    roles[pid] = self._role(pid, parents, roles)
                one_rss = _kib(pid, "status", "VmRSS:")
                rss += one_rss
                pss += _kib(pid, "smaps_rollup", "Pss:")
                role = roles[pid]
                if role == "worker":
                    self.sample.workers.add(pid)
                    self.sample.worker_rss = max(self.sample.worker_rss, one_rss)
                elif role == "child":
                    self.sample.child_rss = max(self.sample.child_rss, one_rss)
                elif role == "main":
                    self.sample.main_rss = max(self.sample.main_rss, one_rss)
            self.sample.tree_pss = max(self.sample.tree_pss, pss)
            self.sample.tree_rss = max(self.sample.tree_rss, rss)
            self.stop.wait(self.every)

    def _role(self, pid: int, parents: dict[int, int], roles: dict[int, str]) -> str:
        if pid == self.root:
            return "main"
        parent = parents.get(pid)
        if "forkserver" in _cmdline(pid) and parent == self.root:
            return "forkserver"
        if parent is not None and roles.get(parent) == "forkserver":
            return "worker"
        if parent is not None and roles.get(parent) == "worker":
            return "child"
        return "other"


def _subreaper() -> None:
    """Adopt orphaned descendants (the fork server outlives the batch's main process), so that
    their CPU time is counted in RUSAGE_CHILDREN when they are reaped."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_child_subreaper = 36
    libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def _reap_orphans() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.01)


def measure(argv: list[str], *, env: dict[str, str] | None = None, sample_tree: bool) -> Sample:
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    sample = Sample(0.0, 0.0, load)
    sampler = TreeSampler(proc.pid, sample) if sample_tree else None
    if sampler:
        sampler.start()
    _, stderr = proc.communicate()
    sample.seconds = time.perf_counter() - started
    if sampler:
        sampler.stop.set()
        sampler.join()
    _reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sample.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 9):  # 9: some jobs failed, as the damaged files should
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {stderr.decode()[-2000:]}")
    return sample


# --- the configurations -------------------------------------------------------------------------
def ours(files: Path, work: Path, jobs: int, *, sample_tree: bool = False) -> Sample:
    out = work / f"ours-{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    argv = [str(BIN / "msp-docs"), "batch", str(files), "-o", str(out), "--jobs", str(jobs), "-q"]
    return measure(argv, sample_tree=sample_tree)


def peer(files: Path, work: Path, *, sample_tree: bool = False) -> Sample:
    out = work / "peer"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    listing = work / "files.txt"
    listing.write_text("\n".join(str(p) for p in sorted(files.rglob("*")) if p.is_file()) + "\n")
    script = work / "peer.sh"
    script.write_text(PEER_LOOP)
    env = {**os.environ, "IMG2PDF": str(BIN / "img2pdf")}
    return measure(["bash", str(script), str(out), str(listing)], env=env, sample_tree=sample_tree)


def ensure_set(count: int) -> Path:
    path = default_dir(count)
    if not (path.is_dir() and sum(1 for p in path.rglob("*") if p.is_file()) == count):
        shutil.rmtree(path, ignore_errors=True)
        print(f"generating {count} files in {path} ...", flush=True)
        generate(count, path)
    for p in path.rglob("*"):  # warm the page cache: every tool reads the same files
        if p.is_file():
            p.read_bytes()
    return path


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--big", type=int, default=2000)
    parser.add_argument("--no-big", action="store_true")
    args = parser.parse_args()
    if not shutil.which("qpdf"):
        raise SystemExit("qpdf is needed (scripts/setup.sh test installs it)")
    _subreaper()
    import compileall

    for folder in ("src", "cli"):  # PYTHONDONTWRITEBYTECODE would make us compile every run
        compileall.compile_dir(HERE.parent / folder, quiet=1)
    print(
        machine_banner(
            ["msp-docs", "Pillow", "pikepdf", "img2pdf", "deflate"], [["qpdf", "--version"]]
        )
    )
    files = ensure_set(args.count)
    count = sum(1 for p in files.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in files.rglob("*") if p.is_file())
    work = Path(tempfile.mkdtemp(prefix="msp-batch-bench-"))
    print(f"{count} files, {size / 1e6:.0f} MB; {os.cpu_count()} CPUs; work in {work}\n")

    configs = {
        "msp-docs batch --jobs 2": lambda: ours(files, work, 2),
        "msp-docs batch --jobs 1": lambda: ours(files, work, 1),
        "img2pdf/qpdf shell loop": lambda: peer(files, work),
    }
    results: dict[str, list[Sample]] = {name: [] for name in configs}
    for run in range(args.runs):
        order = list(configs)[run % 3 :] + list(configs)[: run % 3]
        for name in order:
            sample = configs[name]()
            results[name].append(sample)
            print(
                f"run {run + 1} {name:25} {sample.seconds:6.2f} s  cpu {sample.cpu:6.2f} s  "
                f"load {sample.load:4.1f}",
                flush=True,
            )

    print(f"\n{'':25} {'best s':>7} {'median s':>9} {'files/s':>8} {'cpu s/file':>11}")
    best = {}
    for name, samples in results.items():
        best[name] = min(s.seconds for s in samples)
        median = statistics.median(s.seconds for s in samples)
        cpu = statistics.median(s.cpu for s in samples) / count
        print(
            f"{name:25} {best[name]:7.2f} {median:9.2f} {count / best[name]:8.1f} "
            f"{cpu * 1000:8.1f} ms"
        )
    two, one = best["msp-docs batch --jobs 2"], best["msp-docs batch --jobs 1"]
    loop = best["img2pdf/qpdf shell loop"]
    medians = {n: statistics.median(s.seconds for s in v) for n, v in results.items()}
    m_two, m_one = medians["msp-docs batch --jobs 2"], medians["msp-docs batch --jobs 1"]
    m_loop = medians["img2pdf/qpdf shell loop"]
    print(
        f"\n--jobs 2 vs --jobs 1: {one / two:.2f}x (best), {m_one / m_two:.2f}x (median)"
        f"   target >= 1.7x"
    )
    print(
        f"--jobs 2 vs shell loop: {loop / two:.2f}x (best), {m_loop / m_two:.2f}x (median)"
        f"   target >= 4x"
    )

    print("\nmemory (separate, sampled runs): peaks of the whole tree and of one process")
    print(f"{'':25} {'files':>6} {'tree PSS':>9} {'tree RSS':>9} {'main RSS':>9} "
          f"{'worker RSS':>11} {'child RSS':>10} {'workers':>8}")  # fmt: skip
    sizes = [args.count] if args.no_big else [args.count, args.big]
    memory_runs: list[tuple[str, int, Callable[[Path], Sample]]] = [
        ("img2pdf/qpdf shell loop", args.count, lambda f: peer(f, work, sample_tree=True)),
        ("msp-docs batch --jobs 1", args.count, lambda f: ours(f, work, 1, sample_tree=True)),
    ]
    memory_runs += [
        ("msp-docs batch --jobs 2", n, lambda f: ours(f, work, 2, sample_tree=True)) for n in sizes
    ]
    for name, n, once in memory_runs:
        sample = once(ensure_set(n))
        workers = len(sample.workers) if name.startswith("msp") else "-"
        print(
            f"{name:25} {n:6} {_mib(sample.tree_pss):>9} {_mib(sample.tree_rss):>9} "
            f"{_mib(sample.main_rss):>9} {_mib(sample.worker_rss):>11} "
            f"{_mib(sample.child_rss):>10} {workers:>8}",
            flush=True,
        )
    if not args.no_big:
        big = ensure_set(args.big)
        timed = ours(big, work, 2)
        rate = args.big / timed.seconds
        small = count / best["msp-docs batch --jobs 2"]
        print(f"\n{args.big} files, --jobs 2: {timed.seconds:.1f} s, {rate:.1f} files/s "
              f"(best at {count}: {small:.1f} files/s)")  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
