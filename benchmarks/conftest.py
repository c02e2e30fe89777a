"""Fixtures for the stage micro-benchmarks: the reference set, generated on first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference"


@pytest.fixture(scope="session")
def reference() -> dict[str, bytes]:
    subprocess.run(
        [sys.executable, str(HERE / "make_reference_set.py")], check=True, stdout=subprocess.DEVNULL
    )
    return {p.name: p.read_bytes() for p in REFERENCE.iterdir() if p.is_file()}
