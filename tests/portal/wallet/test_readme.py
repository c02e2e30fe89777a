"""The README's wallet example runs from the repository root and prints what it says."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT


def test_the_wallet_example_runs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [
        b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "add_document" in b
    ]
    result = subprocess.run(
        [sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "3 Pièce d'identité"
    assert "exif-oriented" in lines[1]
    assert lines[2] == "upload-unsupported unsupported-kind 4"
    assert lines[3].startswith("photos.zip est un fichier de type inconnu")
    assert lines[4] == (
        "porte-documents-jdupont-2025-01-06.zip ['manifest.json', "
        '"documents/001 - Carte d\'identité.pdf"]'
    )
