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


def test_the_change_of_address_example_runs_and_prints_what_it_says() -> None:
    blocks = [
        block
        for block in re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
        if "normalise_address" in block
    ]
    assert blocks, "the README has no change-of-address example"
    result = subprocess.run(
        [sys.executable, "-c", blocks[0]], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "('12 BD MAL J M DE LATTRE DE TASSIGNY', '75016 PARIS')"
    assert lines[1].startswith("4 12 BD MAL J M DE LATTRE DE TASSIGNY")
    assert lines[2].startswith("6 75016 PARIS")
    assert "'75016 Paris 16e'" in lines[3]
    assert lines[4] == "move-date-out-of-window too-late"
    assert "entre le 30/04/2025 et le 31/08/2025" in lines[5]
    assert lines[6] == "None"
