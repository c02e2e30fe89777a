"""Micro-benchmarks of the pipeline's stages on the reference set (pytest-benchmark).

Run: .venv/bin/pytest benchmarks/ --benchmark-only  (not part of the test suite)
"""

from __future__ import annotations

import io

import pytest

import msp_docs
from msp_docs import Limits, Options
from msp_docs._detect import detect
from msp_docs._pipeline import process

LIMITS = Limits()
IN_PROCESS = Options(isolate=False)


def test_detect(benchmark, reference) -> None:
    data = reference["photo.jpg"]
    benchmark(detect, data)


@pytest.mark.parametrize("name", ["photo.jpg", "scan.png", "screenshot.png", "scans.pdf"])
def test_process_one_input(benchmark, reference, name) -> None:
    data = reference[name]

    def run() -> None:
        result = process(data, None, limits=LIMITS, options=IN_PROCESS).result
        close = getattr(getattr(result, "document", None), "close", None)
        if callable(close):
            close()

    benchmark(run)


def test_convert_12mp_jpeg_in_process(benchmark, reference) -> None:
    data = reference["photo.jpg"]
    benchmark(lambda: msp_docs.convert(data, io.BytesIO(), options=IN_PROCESS))


def test_convert_12mp_jpeg_isolated(benchmark, reference) -> None:
    data = reference["photo.jpg"]
    benchmark(lambda: msp_docs.convert(data, io.BytesIO()))


def test_merge_reference_set_in_process(benchmark, reference) -> None:
    files = [reference[n] for n in ("photo.jpg", "scan.png", "screenshot.png", "scans.pdf")]
    benchmark(lambda: msp_docs.merge(files, io.BytesIO(), options=IN_PROCESS))


def test_merge_reference_set_isolated(benchmark, reference) -> None:
    files = [reference[n] for n in ("photo.jpg", "scan.png", "screenshot.png", "scans.pdf")]
    benchmark(lambda: msp_docs.merge(files, io.BytesIO()))
