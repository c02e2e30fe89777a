"""Every PDF of the shared corpus gets the decided outcome; accepted ones come out clean."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

import msp_docs
from msp_docs.errors import MspDocsError, WrongPassword
from msp_docs.options import Options
from tests.conftest import CorpusFile, corpus_manifest, corpus_path, shared_missing
from tests.corpus_codes.pdf import DECISIONS
from tests.pdfcheck import active_content, metadata_leaks, page_count

PDF_ROWS = [row for row in corpus_manifest() if row.kind == "pdf"]

pytestmark = pytest.mark.corpus


def test_every_pdf_row_has_a_decision() -> None:
    if not PDF_ROWS:
        shared_missing("../shared/corpus")
    assert sorted(DECISIONS) == sorted(row.name for row in PDF_ROWS)


@pytest.mark.parametrize("row", PDF_ROWS, ids=lambda row: row.name)
def test_decision_follows_the_manifest(row: CorpusFile) -> None:
    decision = DECISIONS[row.name]
    if row.expected == "accept":
        assert decision == "accept"
    elif row.expected == "reject":
        assert decision != "accept"


@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_corpus_pdf(name: str, tmp_path: Path) -> None:
    path = corpus_path(name)
    decision = DECISIONS[name]
    out = io.BytesIO()
    if decision != "accept":
        with pytest.raises(MspDocsError) as caught:
            msp_docs.convert(path, out)
        assert caught.value.code == decision
        assert caught.value.code != "internal-error"
        assert out.getvalue() == b""
        return
    report = msp_docs.convert(path, out)
    data = out.getvalue()
    entry = report.inputs[0]
    assert entry.accepted
    assert report.output is not None
    assert report.output.pages == entry.pages == page_count(data)
    expected_pages = _qpdf_pages(path)
    if expected_pages is not None:
        assert entry.pages == expected_pages
    assert active_content(data) == []
    assert metadata_leaks(data) == []
    written = tmp_path / "out.pdf"
    written.write_bytes(data)
    _qpdf_check(written)


def _qpdf_pages(path: Path) -> int | None:
    """The page count the qpdf command (a separate program) reads from the input."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        return None
    done = subprocess.run(
        [qpdf, "--show-npages", str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode not in (0, 3):
        return None
    return int(done.stdout.split()[0])


def _qpdf_check(path: Path) -> None:
    """`qpdf --check` finds no error and no warning (exit status 0, not 3)."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf command not installed (scripts/setup.sh test installs it)")
    done = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("pdf-encrypted-userpw-aes256.pdf", "view"),
        ("pdf-encrypted-userpw-rc4.pdf", "view"),
        ("pdf-encrypted-userpw-lo.pdf", "openpassword"),
    ],
)
def test_corpus_pdf_opens_with_its_password(name: str, password: str) -> None:
    path = corpus_path(name)
    out = io.BytesIO()
    report = msp_docs.convert(path, out, options=Options(password=password))
    assert "decrypted-with-password" in [n.code for n in report.inputs[0].actions]
    assert page_count(out.getvalue()) == report.inputs[0].pages
    with pytest.raises(WrongPassword):
        msp_docs.convert(path, io.BytesIO(), options=Options(password="not-" + password))
