"""Display names: what a user's file name may contribute to reports and bookmarks, made safe."""

from __future__ import annotations

import unicodedata

__all__ = ["MAX_NAME_LENGTH", "clean_name"]

#: Longest display name kept, in characters (the extension is kept when shortening).
MAX_NAME_LENGTH = 120

# Characters that reorder or hide text (bidi controls: "gpj.exe" tricks, zero-width joiners).
_INVISIBLE = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069",
}  # fmt: skip


def clean_name(raw: str, *, fallback: str = "document") -> str:
    """Return a display name safe to show in a report, a message or a PDF bookmark.

    Keeps the last path component only; drops control characters, bidi overrides and other
    invisible format characters; turns path separators into ``_``; collapses whitespace;
    NFC-normalises; shortens to :data:`MAX_NAME_LENGTH` characters keeping the extension.
    A name that ends up empty (or is ``.``/``..``) becomes ``fallback``. The result never
    decides a path: outputs are named by the caller.
    """
    text = unicodedata.normalize("NFC", str(raw))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    kept: list[str] = []
    for ch in text:
        if ch in _INVISIBLE:
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        kept.append(" " if category in ("Zs", "Zl", "Zp") else ch)
    text = " ".join("".join(kept).split())
    if text in ("", ".", ".."):
        return fallback
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            text = stem[: MAX_NAME_LENGTH - len(ext) - 2] + "…." + ext
        else:
            text = text[: MAX_NAME_LENGTH - 1] + "…"
    return text
