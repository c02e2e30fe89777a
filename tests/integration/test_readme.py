"""The README's msp_docs example runs from the repository root and prints what it says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_library_example_runs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "msp_docs" in b]
    assert blocks
    result = subprocess.run(
        [sys.executable, "-c", blocks[0]], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "4"
    assert "exif-oriented" in lines[1] and "metadata-removed" in lines[1]
    assert lines[2] == "unsupported-kind 4"
    assert "seuls les fichiers PDF" in lines[3]
    assert lines[4] == "rejected"
