"""Shared fixtures: where the shared corpus is, and helpers to read it.

``../shared`` (beside the repository; ``MSP_SHARED`` overrides the path) holds the corpus of real
uploads (``corpus/`` with ``MANIFEST.tsv``) and real CERFA forms (``cerfa/``). Tests read them
there and never copy them. Without it, the tests that need it are skipped, except in CI
(``CI=true``), where its absence fails the run: a CI that silently skips the corpus tests
proves nothing.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MSP_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
CERFA = SHARED / "cerfa"
SAMPLES = ROOT / "samples"


def in_ci() -> bool:
    """Whether the tests run in CI (``CI=true``, as CI services set it)."""
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def shared_missing(what: str) -> NoReturn:
    """Skip a test whose ../shared file is absent, or fail it in CI."""
    message = f"{what} not available (looked in {SHARED}; set MSP_SHARED to its path)"
    if in_ci():
        pytest.fail(f"{message}: under CI=true the shared corpus is required")
    pytest.skip(message)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("MSP_DOCS_EXPECT_INSTALLED"):
        # .ci/run's run against the built wheel: the code under test must be the installed one.
        import msp_docs
        import msp_docs_cli

        for module in (msp_docs, msp_docs_cli):
            if Path(module.__file__ or "").resolve().is_relative_to(ROOT):
                raise pytest.UsageError(
                    f"{module.__name__} comes from {module.__file__}, not the wheel"
                )
    # Parametrised corpus tests have no parameters at all without the corpus (pytest then
    # skips them without calling them): under CI, stop before any test runs instead.
    if in_ci() and not ((CORPUS / "MANIFEST.tsv").is_file() and CERFA.is_dir()):
        raise pytest.UsageError(
            f"CI=true but ../shared is missing: {CORPUS / 'MANIFEST.tsv'} or {CERFA} not found "
            "(set MSP_SHARED to the directory that holds corpus/ and cerfa/)"
        )


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


def shared_file(path: Path) -> Path:
    """A file of ../shared: skips the test when it is absent, fails it under CI=true."""
    if not path.is_file():
        shown = path.relative_to(SHARED) if path.is_relative_to(SHARED) else path
        shared_missing(f"shared file {shown}")
    return path


def corpus_path(name: str) -> Path:
    """Path of a corpus file; skips the test when the corpus is absent (fails under CI=true)."""
    return shared_file(CORPUS / name)


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        shared_missing("../shared/corpus")
    return CORPUS
