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
        versions.append(found if found else f"{argv[0]} (not installed)")
    if versions:
        lines.append("versions: " + ", ".join(versions))
    return "\n".join(lines)


def spread(values: Sequence[float], scale: float = 1000.0, unit: str = "ms") -> str:
    """``median (min-max) unit`` of ``values`` multiplied by ``scale``."""
    if not values:
        return "-"
    med = statistics.median(values) * scale
    return f"{med:.1f} ({min(values) * scale:.1f}-{max(values) * scale:.1f}) {unit}"
