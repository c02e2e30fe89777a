"""Decisions for the corpus files that are none of our kinds (or not files at all)."""

DECISIONS: dict[str, str] = {
    "empty-0bytes.pdf": "empty-input",
    # 5 bytes "oops\n" named .pdf: libmagic calls it text; we say what it is.
    "fake-pdf-oops-5bytes.pdf": "unsupported-kind",
    "other-bmp.bmp": "unsupported-kind",
    "other-jp2.jp2": "unsupported-kind",
    "other-svg-named-dot-png.png": "unsupported-kind",
    "other-svg.svg": "unsupported-kind",
    "other-tiff.tif": "unsupported-kind",
    "other-webp.webp": "unsupported-kind",
}
