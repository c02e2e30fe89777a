"""The naive peer: img2pdf for images, pikepdf to merge (what a 20-line script would do)."""

from __future__ import annotations

import io
import sys

import img2pdf
import pikepdf


def main() -> None:
    *inputs, output = sys.argv[1:]
    merged = pikepdf.new()
    sources = []
    for name in inputs:
        if name.lower().endswith(".pdf"):
            source = pikepdf.open(name)
        else:
            with open(name, "rb") as fh:
                source = pikepdf.open(io.BytesIO(img2pdf.convert(fh.read())))
        sources.append(source)
        merged.pages.extend(source.pages)
    merged.save(output)


if __name__ == "__main__":
    main()
