"""Shared body of the fuzz targets: any bytes must give a result or one of our typed errors."""

from __future__ import annotations

import sys
from collections.abc import Callable

import atheris

# Everything the per-input stage can run, imported up front (the pipeline imports backends
# lazily) so that instrument_all() covers it: our code and the Python parts of Pillow/pikepdf.
import msp_docs._backends.gif
import msp_docs._backends.jpeg
import msp_docs._backends.pdf
import msp_docs._backends.png  # noqa: F401
from msp_docs import Limits, MspDocsError, Options
from msp_docs.errors import InternalError
from msp_docs.pipeline import process

# In-process (no fork): a crash must reach the fuzzer, not be absorbed by isolation.
OPTIONS = Options(isolate=False)
ALL_FRAMES = Options(isolate=False, all_frames=True, flatten=True)
LIMITS = Limits(max_seconds_per_input=30)


def one_input(prefix: bytes) -> Callable[[bytes], None]:
    """A fuzz entry point that feeds ``prefix + data`` (keeps the fuzzer inside one format)."""

    def test(data: bytes) -> None:
        payload = data if data.startswith(prefix) else prefix + data
        options = ALL_FRAMES if len(data) % 2 else OPTIONS
        try:
            result = process(payload, None, limits=LIMITS, options=options).result
        except InternalError:
            raise
        except MspDocsError:
            return
        close = getattr(getattr(result, "document", None), "close", None)
        if callable(close):
            close()

    return test


def main(prefix: bytes) -> None:
    """Run the fuzzer (``python fuzz/fuzz_png.py fuzz/corpus/png -max_total_time=600``)."""
    atheris.instrument_all()
    atheris.Setup(sys.argv, one_input(prefix))
    atheris.Fuzz()
