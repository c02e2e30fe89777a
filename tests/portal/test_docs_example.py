"""The runnable example of the README's Accounts section stays true: it is executed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "README.md"


def test_the_documented_example_runs_and_prints_what_it_says() -> None:
    blocks = [
        block
        for block in re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
        if "msp_portal" in block
    ]
    assert blocks, "the README has no msp_portal example"
    result = subprocess.run(
        [sys.executable, "-c", blocks[0]], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:5] == [f"{n} invalid-credentials" for n in range(1, 5)] + ["5 account-locked"]
    assert "déverrouillé le 06/01/2025 à 12:00 (heure de Paris)" in lines[5]
    assert lines[-2:] == ["jdupont", "jean.dupont@example.org"]
