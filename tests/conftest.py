"""Shared fixtures: where the shared corpus is, and helpers to read it."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MSP_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
CERFA = SHARED / "cerfa"
SAMPLES = ROOT / "samples"


@dataclass(frozen=True)
class CorpusFile:
    """One row of ../shared/corpus/MANIFEST.tsv."""

    name: str
    kind: str
    expected: str  # accept | reject | either
    why: str

    @property
    def path(self) -> Path:
        return CORPUS / self.name


def corpus_manifest() -> list[CorpusFile]:
    """The corpus rows, or an empty list when ../shared is absent."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return [CorpusFile(r["file"], r["kind"], r["expected"], r["why"]) for r in rows]


def corpus_path(name: str) -> Path:
    """Path of a corpus file; skips the test when the corpus is absent."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"shared corpus file {name} not available")
    return path


def shared_file(path: Path) -> Path:
    """A file of ../shared: skips the test when it is absent, fails under CI=true."""
    if not path.is_file():
        message = (
            f"{path.relative_to(SHARED) if path.is_relative_to(SHARED) else path} not available"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: ../shared must be present)")
        pytest.skip(message)
    return path


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus not available")
    return CORPUS
