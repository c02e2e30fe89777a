"""Without ../shared the corpus tests skip, except under CI=true, where the run fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

# A corpus test of each shape: parametrised over the manifest, and reading one file by name.
SELECTION = [
    "tests/integration/test_corpus.py::test_every_corpus_file_has_a_decision_consistent_with_the_manifest",
    "tests/integration/test_images_gif.py",
    "-k",
    "corpus or static",
]


def _pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["MSP_SHARED"] = str(tmp_path / "no-shared-here")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SELECTION],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_outside_ci_a_missing_shared_corpus_skips(tmp_path: Path) -> None:
    done = _pytest(tmp_path, None)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipped" in done.stdout and "failed" not in done.stdout


def test_in_ci_a_missing_shared_corpus_fails_the_run(tmp_path: Path) -> None:
    done = _pytest(tmp_path, "true")
    assert done.returncode != 0
    assert "CI=true but ../shared is missing" in done.stdout + done.stderr
