"""The whole shared corpus through the public API: every file's outcome as decided, safe output.

Decisions per file live in tests/corpus_codes/ ("accept" or the exact error code); this test
checks them against MANIFEST.tsv's expected column and runs each file through ``convert``:
an accepted file gives a PDF that pypdf and ``qpdf --check`` open, with the page count the input
has, and with no active content; a refused one raises exactly the decided error code.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

import msp_docs
from tests.conftest import CorpusFile, corpus_manifest, shared_missing
from tests.corpus_codes import Observed, images, other, pdf
from tests.pdfcheck import active_content, metadata_leaks

DECISIONS: dict[str, str] = {**images.DECISIONS, **pdf.DECISIONS, **other.DECISIONS}
ROWS = corpus_manifest()


def test_every_corpus_file_has_a_decision_consistent_with_the_manifest() -> None:
    if not ROWS:
        shared_missing("../shared/corpus")
    missing = [row.name for row in ROWS if row.name not in DECISIONS]
    assert not missing
    for row in ROWS:
        decision = DECISIONS[row.name]
        if row.expected == "accept":
            assert decision == "accept", row.name
        elif row.expected == "reject":
            assert decision != "accept", row.name
            assert not isinstance(decision, Observed), f"{row.name}: the manifest specifies it"
        else:  # either: a refusal's code is observed, not specified
            assert decision == "accept" or isinstance(decision, Observed), row.name


def _expected_pages(row: CorpusFile) -> int | None:
    if row.kind != "pdf":
        return None
    import pikepdf

    try:
        with pikepdf.open(row.path) as source:
            return len(source.pages)
    except pikepdf.PdfError:
        return None


@pytest.mark.corpus
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_corpus_file(row: CorpusFile, tmp_path: Path) -> None:
    decision = DECISIONS[row.name]
    sink = io.BytesIO()
    if decision != "accept":
        with pytest.raises(msp_docs.MspDocsError) as info:
            msp_docs.convert(row.path, sink)
        assert not isinstance(info.value, msp_docs.InternalError), info.value.detail
        assert sink.getvalue() == b""
        if isinstance(decision, Observed):
            # An "either" row: refusing is our choice, this code only what we answer today.
            assert info.value.code == decision, (
                f"the observed refusal of this 'either' row changed from {decision} to "
                f"{info.value.code} ({info.value.message()}); if the new code is right, "
                "record it in tests/corpus_codes"
            )
        else:
            assert info.value.code == decision, info.value.message()
        return
    report = msp_docs.convert(row.path, sink)
    data = sink.getvalue()
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert report.output is not None
    assert len(reader.pages) == report.output.pages == report.inputs[0].pages
    expected = _expected_pages(row)
    if expected is not None:
        assert len(reader.pages) == expected
    assert active_content(data) == []
    assert metadata_leaks(data) == []
    qpdf = shutil.which("qpdf")
    if qpdf:
        target = tmp_path / "out.pdf"
        target.write_bytes(data)
        check = subprocess.run([qpdf, "--check", str(target)], capture_output=True, check=False)
        assert check.returncode == 0, check.stdout.decode(errors="replace")[-500:]
