"""Moving an opened PDF between processes: saved as it is in the child, reopened in the caller."""

from __future__ import annotations

import io
from typing import Any

__all__ = ["export_document", "import_document"]


def export_document(document: Any) -> bytes:
    """Serialise a sanitised ``pikepdf.Pdf`` without changing anything it holds."""
    import pikepdf

    buffer = io.BytesIO()
    document.save(
        buffer,
        object_stream_mode=pikepdf.ObjectStreamMode.disable,
        compress_streams=False,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        fix_metadata_version=False,
    )
    document.close()
    return buffer.getvalue()


def import_document(data: bytes) -> Any:
    """Reopen what :func:`export_document` wrote (our own output: nothing to repair)."""
    import pikepdf

    return pikepdf.open(io.BytesIO(data))
