"""Build the address reference data shipped in src/msp_portal/data/address/ from the originals.

Run after La Poste publishes a new postcode base (or to check the shipped files):

    .venv/bin/python scripts/build_address_data.py [--shared ../shared] [--check]

- ``laposte_postcodes.txt.gz``: La Poste's "Base officielle des codes postaux" (ISO-8859-1,
  ``;``-separated, 39 193 rows) turned into one line per postcode, ASCII, gzip-compressed
  deterministically (no timestamp). Each line is ``POSTCODE<TAB>entry<TAB>entry...`` and each
  entry ``commune|acheminement|ligne5``, with an empty acheminement when it equals the commune
  name. Rows keep the base's order; the INSEE code is not kept (the portal does not use it).
- ``normadresse.csv`` and its licence: copied unchanged (Apache-2.0, Etalab's rules).

``--check`` rebuilds in memory and fails if the shipped files differ.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "msp_portal" / "data" / "address"
POSTCODES_SHA256 = "5cbd7b36387444bf4b36416c6d63a19d26d3651ec9708b292d0e71471ad8b83b"
ABBREVIATIONS_SHA256 = "7ceb467a4399803be442a573687dbf8b8eb4197ea8a99e3af03c892ad29322d7"
FOLDED = re.compile(r"[A-Z0-9]+(?: [A-Z0-9]+)*")
HEADER = [
    "#Code_commune_INSEE",
    "Nom_de_la_commune",
    "Code_postal",
    "Libellé_d_acheminement",
    "Ligne_5",
]


def convert_postcodes(raw: bytes) -> bytes:
    """The compact, gzip-compressed form of La Poste's CSV (see the module docstring)."""
    reader = csv.reader(io.StringIO(raw.decode("iso-8859-1"), newline=""), delimiter=";")
    header = next(reader)
    if header != HEADER:
        raise SystemExit(f"unexpected header: {header}")
    by_postcode: dict[str, list[str]] = {}
    rows = 0
    for _insee, commune, postcode, label, line5 in reader:
        for field in (commune, label, line5):
            # The portal compares these names without folding them again: check they are.
            if field and not FOLDED.fullmatch(field):
                raise SystemExit(f"not in capitals A-Z, digits and single spaces: {field!r}")
        if not (len(postcode) == 5 and postcode.isdigit()):
            raise SystemExit(f"unexpected postcode {postcode!r}")
        entry = f"{commune}|{'' if label == commune else label}|{line5}"
        by_postcode.setdefault(postcode, []).append(entry)
        rows += 1
    lines = [
        f"# La Poste base officielle des codes postaux, sha256 {POSTCODES_SHA256}, {rows} rows"
    ]
    lines += ["\t".join([postcode, *entries]) for postcode, entries in sorted(by_postcode.items())]
    text = "\n".join(lines) + "\n"
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("ascii"))
    return out.getvalue()


def _read_checked(path: Path, sha256: str) -> bytes:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{path}: sha256 {digest}, expected {sha256} (update the script)")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    source = args.shared / "data" / "address"
    postcodes = convert_postcodes(
        _read_checked(source / "postcodes" / "019HexaSmal.csv", POSTCODES_SHA256)
    )
    abbreviations = _read_checked(
        source / "abbreviations" / "normadresse.csv", ABBREVIATIONS_SHA256
    )
    outputs = {
        "laposte_postcodes.txt.gz": postcodes,
        "normadresse.csv": abbreviations,
        "LICENSE-go-normadresse": (
            source / "abbreviations" / "LICENSE-go-normadresse"
        ).read_bytes(),
    }
    if args.check:
        stale = [name for name, data in outputs.items() if (TARGET / name).read_bytes() != data]
        for name in stale:
            print(f"{TARGET / name} differs from its source", file=sys.stderr)
        return 1 if stale else 0
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, data in outputs.items():
        tmp = TARGET / (name + ".part")
        tmp.write_bytes(data)
        shutil.move(tmp, TARGET / name)
        print(f"{TARGET / name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
