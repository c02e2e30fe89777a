"""docs/batch.md's library example works saved as a script; without its guard, it says so."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from msp_docs import _isolation as isolation
from tests.conftest import ROOT
from tests.fixtures import jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.skipif(not isolation.available(), reason="needs fork and memfd")


def _example() -> str:
    text = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    library = text.split("## Library", 1)[1]
    found = re.search(r"```python\n(.*?)```", library, re.DOTALL)
    assert found is not None
    return found.group(1)


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "photo.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "a.jpg").write_bytes(jpeg_bytes(colour=(9, 9, 9)))
    (tmp_path / "b.pdf").write_bytes(pdf_bytes(2))
    return tmp_path


def _run(script: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=script.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_example_runs_as_a_script(tmp_path: Path) -> None:
    script = _workspace(tmp_path) / "run_batch.py"
    script.write_text(_example(), encoding="utf-8")
    done = _run(script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("2 0 0 ")  # done, skipped, failed
    assert (tmp_path / "pdf" / "photo.pdf").is_file()
    assert (tmp_path / "pdf" / "extra" / "dossier.pdf").is_file()


def test_without_the_guard_the_error_says_to_add_it(tmp_path: Path) -> None:
    # The workers import the script, which would start a batch in each of them: they used to
    # fail with "another batch is running with this report", which misled.
    body = _example().split('if __name__ == "__main__":')[0] + "main()\n"
    script = _workspace(tmp_path) / "unguarded.py"
    script.write_text(body, encoding="utf-8")
    done = _run(script)
    assert done.returncode != 0
    assert 'if __name__ == "__main__":' in done.stderr
    assert "unguarded" in done.stderr.lower() or "importing your script" in done.stderr
    assert "another batch is running" not in done.stderr
