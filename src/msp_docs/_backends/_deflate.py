"""Deflate for the streams we write: libdeflate when it is installed, zlib otherwise.

Measured on this project's 2-core machines (``benchmarks/bench_deflate.py``): libdeflate (the
``deflate`` package) compresses noisy image rows 3-4 times faster than zlib at level 1 for a
smaller output, and its higher levels beat zlib's best on flat screenshots. ISA-L (``isal``) is
faster still on noise, but it has only four levels and its best is far behind on flat content
(60 % larger on a text-and-UI screenshot); zlib-ng at level 1 writes noise 40 % larger. One
library with a wide range of levels serves both kinds of image, so libdeflate it is.

Levels follow libdeflate's scale, 1 (fastest) to 12 (smallest); zlib, the fallback when the
``deflate`` package cannot be imported, caps them at 9. Both write a zlib stream (RFC 1950),
which is what a PDF ``/FlateDecode`` filter reads.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

__all__ = ["BACKEND", "MAX_LEVEL", "compress"]

#: The highest level :func:`compress` accepts.
MAX_LEVEL = 12

_compress: Callable[[bytes, int], bytes]
try:
    from deflate import zlib_compress as _libdeflate
except ImportError:  # pragma: no cover - exercised by the fallback test in a subprocess
    BACKEND = "zlib"

    def _compress(data: bytes, level: int) -> bytes:
        return zlib.compress(data, min(level, 9))

else:
    BACKEND = "libdeflate"

    def _compress(data: bytes, level: int) -> bytes:
        return bytes(_libdeflate(data, level))


def compress(data: bytes | bytearray | memoryview, level: int) -> bytes:
    """A zlib stream of ``data`` at ``level`` (1..12; zlib caps it at 9)."""
    if not 1 <= level <= MAX_LEVEL:
        raise ValueError(f"level must be 1..{MAX_LEVEL}, not {level}")
    return _compress(bytes(data) if not isinstance(data, bytes) else data, level)
