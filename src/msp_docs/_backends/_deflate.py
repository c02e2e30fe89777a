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

__all__ = ["BACKEND", "MAX_LEVEL", "compress", "inflate"]

#: The highest level :func:`compress` accepts.
MAX_LEVEL = 12

_compress: Callable[[bytes | bytearray | memoryview, int], bytes]
_inflate: Callable[[bytes, int], bytes | bytearray | None]
try:
    from deflate import DeflateError
    from deflate import zlib_compress as _libdeflate
    from deflate import zlib_decompress as _libinflate
except ImportError:  # pragma: no cover - exercised by the fallback test in a subprocess
    BACKEND = "zlib"

    def _compress(data: bytes | bytearray | memoryview, level: int) -> bytes:
        return zlib.compress(data, min(level, 9))

    def _inflate(data: bytes, most: int) -> bytes | bytearray | None:
        return None

else:
    BACKEND = "libdeflate"

    def _compress(data: bytes | bytearray | memoryview, level: int) -> bytes:
        return bytes(_libdeflate(data, level))

    def _inflate(data: bytes, most: int) -> bytes | bytearray | None:
        try:
            return _libinflate(data, most)  # a bytearray: as good as bytes for its readers
        except DeflateError:
            return None


def compress(data: bytes | bytearray | memoryview, level: int) -> bytes:
    """A zlib stream of ``data`` at ``level`` (0 stores, 1..12 compress; zlib caps it at 9)."""
    if not 0 <= level <= MAX_LEVEL:
        raise ValueError(f"level must be 1..{MAX_LEVEL}, not {level}")
    return _compress(data, level)


def inflate(data: bytes, most: int) -> bytes | bytearray | None:
    """``data`` (a zlib stream) inflated in one call, or ``None``.

    ``None`` when the stream is damaged, its checksum wrong, it inflates to more than ``most``
    bytes, or libdeflate is not installed: the caller then takes its own step-by-step path,
    which says exactly what is wrong. Bytes after the end of the stream are ignored: a caller
    that cares checks where the stream ends. ``most`` bytes are allocated at once, so callers
    bound it.
    """
    return _inflate(data, most)
