"""Inputs the fuzzers (fuzz/) found to crash the pipeline, rebuilt with code, each now answered.

Each test reduces a crasher to what triggered it; the crasher files themselves derive from the
shared corpus and are not stored here.
"""

from __future__ import annotations

import io
import re

import pytest

import msp_docs
from msp_docs import Options
from tests.bombs import raw_pdf, stream

IN_PROCESS = Options(isolate=False)  # a raw exception must surface here, not in a child


def _one_page_pdf() -> bytes:
    return raw_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] /Contents 4 0 R >>",
            4: stream(b"", b"0 0 m 1 1 l S"),
        }
    )


def test_startxref_beyond_64_bits_is_a_damaged_pdf() -> None:
    # atheris, fuzz_pdf.py: qpdf's ValueError "overflow/underflow converting ... to 64-bit
    # integer" escaped the PDF backend and became an internal error.
    data = re.sub(rb"startxref\n\d+", b"startxref\n137932384626433832795", _one_page_pdf())
    with pytest.raises(msp_docs.CorruptPdf) as caught:
        msp_docs.convert(data, io.BytesIO(), options=IN_PROCESS)
    assert "64-bit" in (caught.value.detail or "")
