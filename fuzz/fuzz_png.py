"""Coverage-guided fuzz target for PNG inputs (atheris)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import struct
import zlib

from _target import main

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def fix_crcs(data: bytes) -> bytes:
    """Recompute every complete chunk's CRC, leaving everything else as the mutation made it."""
    out = bytearray(data)
    pos = len(SIGNATURE) if data.startswith(SIGNATURE) else 0
    while pos + 12 <= len(out):
        (length,) = struct.unpack(">I", out[pos : pos + 4])
        end = pos + 8 + length
        if end + 4 > len(out):
            break
        out[end : end + 4] = struct.pack(">I", zlib.crc32(out[pos + 4 : end]))
        pos = end + 4
    return bytes(out)


if __name__ == "__main__":
    main(SIGNATURE, repair=fix_crcs)
