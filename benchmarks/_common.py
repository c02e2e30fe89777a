"""What every benchmark prints: the machine, the versions, and medians with their range."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
from collections.abc import Iterable, Sequence
from importlib import metadata


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _tool_version(argv: list[str]) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else None


def machine_banner(packages: Iterable[str] = (), tools: Iterable[Sequence[str]] = ()) -> str:
    """Machine, load, Python and the versions of ``packages`` and command-line ``tools``."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    busy = "  <- busier than the CPU count: wall times are noisy"
    lines = [
        f"machine: {_cpu_model()}, {cpus} usable CPUs, {platform.system()} {platform.release()}",
        f"load average (1, 5, 15 min): {load}" + (busy if os.getloadavg()[0] > (cpus or 1) else ""),
        f"python {platform.python_version()}",
    ]
    versions = []
    for name in packages:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    for argv in tools:
        found = _tool_version(list(argv))
        if found is None:
            versions.append(f"{argv[0]} (not installed)")
        else:
            versions.append(found if found.lower().startswith(argv[0]) else f"{argv[0]} {found}")
    if versions:
        lines.append("versions: " + ", ".join(versions))
    return "\n".join(lines)


def spread(values: Sequence[float], scale: float = 1000.0, unit: str = "ms") -> str:
    """``median (min-max) unit`` of ``values`` multiplied by ``scale``."""
    if not values:
        return "-"
    med = statistics.median(values) * scale
    return f"{med:.1f} ({min(values) * scale:.1f}-{max(values) * scale:.1f}) {unit}"


# --- memory of a process tree -------------------------------------------------------------------
def _children_map() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                raw = fh.read()
        except OSError:
            continue
        parents[int(entry)] = int(raw[raw.rindex(")") + 2 :].split()[1])
    return parents


def _kib(pid: int, name: str, key: str) -> int:
    try:
        with open(f"/proc/{pid}/{name}", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory(argv: Sequence[str], every: float = 0.01) -> tuple[int, int]:
    """Run ``argv``; return the peak of the summed PSS of its process tree and the peak RSS of
    its largest single process, in KiB, sampled from /proc every ``every`` seconds.

    PSS counts a page shared by n processes (fork's copy-on-write) as 1/n in each, so the sum
    is what the tree really holds. ``ru_maxrss`` is not used: a forked child starts with its
    parent's figure.
    """
    import time

    proc = subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree_peak = single_peak = 0
    while proc.poll() is None:
        parents = _children_map()
        tree = {proc.pid}
        grew = True
        while grew:
            grew = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        pss = 0
        for pid in tree:
            pss += _kib(pid, "smaps_rollup", "Pss:")
            single_peak = max(single_peak, _kib(pid, "status", "VmHWM:"))
        tree_peak = max(tree_peak, pss)
        time.sleep(every)
    return tree_peak, single_peak
