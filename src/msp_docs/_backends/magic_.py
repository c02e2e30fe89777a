"""libmagic, through python-magic: names what a file is when it is none of our kinds."""

from __future__ import annotations

import threading

__all__ = ["identify"]

_LOCK = threading.Lock()  # a libmagic cookie must not be used by two threads at once
_SAMPLE = 256 * 1024  # libmagic looks at the head of a file; this is more than it reads


def identify(data: bytes) -> tuple[str, str]:
    """Return (MIME type, description) of ``data`` according to libmagic.

    Falls back to ``("application/octet-stream", "data")`` if libmagic is unavailable or fails:
    naming a refused file is a courtesy, never a reason to fail differently.
    """
    try:
        import magic

        with _LOCK:
            mime = magic.from_buffer(data[:_SAMPLE], mime=True)
            text = magic.from_buffer(data[:_SAMPLE])
    except Exception:
        return "application/octet-stream", "data"
    return str(mime or "application/octet-stream"), str(text or "data")
