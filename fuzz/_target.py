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
from msp_docs._pipeline import process
from msp_docs.errors import InternalError

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


def main(prefix: bytes, *, repair: Callable[[bytes], bytes] | None = None) -> None:
    """Run the fuzzer (``python fuzz/fuzz_png.py fuzz/corpus/png -max_total_time=600``).

    ``repair`` makes libFuzzer's mutations structure-aware: applied after each mutation (a PNG's
    chunk CRCs recomputed, say), it lets mutated files get past the checksums into the decoder.
    """
    atheris.instrument_all()
    if repair is None:
        atheris.Setup(sys.argv, one_input(prefix))
    else:

        def mutate(data: bytes, max_size: int, seed: int) -> bytes:
            mutated = atheris.Mutate(data, max_size)
            # Half the time keep the raw mutation: broken checksums must be refused too.
            return repair(mutated) if seed % 2 else mutated

        atheris.Setup(sys.argv, one_input(prefix), custom_mutator=mutate)
    atheris.Fuzz()
