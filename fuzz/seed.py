"""Build the seed corpora for the fuzz targets (fuzz/corpus/<kind>/) from ../shared and fixtures."""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "corpus"
KINDS = {"jpg": "jpeg", "png": "png", "gif": "gif", "pdf": "pdf"}


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    from tests import fixtures

    made = {
        "jpeg": [fixtures.jpeg_bytes(), fixtures.jpeg_bytes(8, 8, progressive=True)],
        "png": [fixtures.png_bytes(), fixtures.png_bytes(5, 5, mode="RGBA", colour=(1, 2, 3, 4))],
        "gif": [fixtures.gif_bytes()],
        "pdf": [fixtures.pdf_bytes(2)],
    }
    for kind, blobs in made.items():
        folder = HERE / "corpus" / kind
        folder.mkdir(parents=True, exist_ok=True)
        for index, blob in enumerate(blobs):
            (folder / f"fixture-{index}").write_bytes(blob)
    manifest = SHARED / "MANIFEST.tsv"
    if manifest.is_file():
        with manifest.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                kind = KINDS.get(row["kind"])
                size = int(row["bytes"])
                if kind and 0 < size <= 200_000:
                    shutil.copy(SHARED / row["file"], HERE / "corpus" / kind / row["file"])


if __name__ == "__main__":
    main()
