"""The runnable example of the README's Accounts section stays true: it is executed."""

from __future__ import annotations

import os
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


def test_the_change_of_address_procedure_example_runs_and_prints_what_it_says() -> None:
    [block] = [
        block
        for block in re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
        if "start_procedure" in block
    ]
    result = subprocess.run(
        [sys.executable, "-c", block], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "fields.move_date move-date-out-of-window",
        "fields.new_address_choice address-choice-needed",
    ]
    assert "au plus tôt trois mois avant" in lines[2]
    assert "entre le 30/04/2025 et le 31/08/2025" in lines[2]
    assert lines[3] == (
        "4 12 avenue du général de gaulle -> 12 AVENUE DU GENERAL DE GAULLE ['format']"
    )
    assert lines[4] == "6 75001 paris -> 75001 PARIS ['format']"
    assert lines[5] == "['caf', 'ameli']"
    assert lines[6] == (
        "['Nouvelle adresse transmise :', '    12 AVENUE DU GENERAL DE GAULLE', '    75001 PARIS']"
    )
    assert lines[7] == "75014"
    assert lines[8] == "[('caf', 'pending'), ('ameli', 'pending')]"


def test_the_cerfa_dossier_example_runs_and_prints_what_it_says() -> None:
    from tests.conftest import CERFA, shared_file

    forms = shared_file(CERFA / "cerfa_11580_05.pdf").parent
    blocks = [
        block
        for block in re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
        if "desk.transmit" in block
    ]
    assert blocks, "the README has no CERFA dossier example"
    result = subprocess.run(
        [sys.executable, "-c", blocks[0]],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MSP_CERFA_DIR": str(forms)},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Dupré 75011"
    assert lines[1] == "[('d35', 'invalid-field-value'), ('a21', 'invalid-field-value')]"
    assert lines[2:] == ["A-2- dgfip", "True"]
