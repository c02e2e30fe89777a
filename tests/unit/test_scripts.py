"""The set-up scripts as a newcomer runs them: pip only when needed, then how to run msp-docs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT

# Stands for .venv/bin/python and .venv/bin/msp-docs: logs how it was called, does nothing.
FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >> "$(dirname "$0")/../calls.log"
"""


def _checkout(tmp_path: Path) -> Path:
    """A copy of what the scripts use, with a venv whose programs only log their calls."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    for name in ("setup.sh", "demo.sh"):
        shutil.copy2(ROOT / "scripts" / name, root / "scripts" / name)
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(ROOT / "samples", root / "samples")
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for program in ("python", "msp-docs"):
        (bin_dir / program).write_text(FAKE)
        (bin_dir / program).chmod(0o755)
    return root


def _run(root: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(root / "scripts" / script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": "python3"},
        timeout=120,
        check=False,
    )


def _pip_calls(root: Path) -> list[str]:
    log = root / ".venv" / "calls.log"
    calls = log.read_text().splitlines() if log.exists() else []
    return [c for c in calls if " pip install " in f" {c} "]


def test_pip_runs_only_when_pyproject_or_the_extras_change(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    assert _run(root, "setup.sh", "test").returncode == 0
    assert _run(root, "setup.sh", "test").returncode == 0
    assert _run(root, "setup.sh").returncode == 0  # the base is part of what [test] installed
    assert len(_pip_calls(root)) == 1
    assert _run(root, "setup.sh", "portal").returncode == 0  # never installed: pip runs
    assert len(_pip_calls(root)) == 2
    with (root / "pyproject.toml").open("a") as fh:
        fh.write("\n# a changed dependency list\n")
    assert _run(root, "setup.sh", "test").returncode == 0
    assert len(_pip_calls(root)) == 3


def test_demo_says_how_to_run_msp_docs(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    done = _run(root, "demo.sh")
    assert done.returncode == 0, done.stderr
    assert ".venv/bin/msp-docs --help" in done.stderr
    assert "source .venv/bin/activate" in done.stderr
    merges = [c for c in (root / ".venv" / "calls.log").read_text().splitlines() if "merge" in c]
    assert len(merges) == 1 and "-o out/merged.pdf" in merges[0]
    second = _run(root, "demo.sh")  # a second run re-installs nothing
    assert second.returncode == 0 and len(_pip_calls(root)) == 1
