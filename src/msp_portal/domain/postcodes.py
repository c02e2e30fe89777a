"""La Poste's postcode base: which localities each postcode serves, read once per process.

The data (``data/address/laposte_postcodes.txt.gz``) is La Poste's "Base officielle des codes
postaux" converted by ``scripts/build_address_data.py``: 39 193 rows (commune, libellé
d'acheminement, Ligne_5) under 6 328 postcodes, metropolitan France, Corsica (postcodes 20xxx),
the overseas departments and collectivities the base lists (971–976, 975, 977, 978, 984–988) and
Monaco. CEDEX postcodes are not in it (La Poste publishes them in a separate, non-open base).

Loading reads the compressed file once (``postcode_base()`` is cached) and keeps each postcode's
line as text; a postcode's localities are parsed the first time it is looked up.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from msp_portal.domain.postal_text import fold

__all__ = ["Locality", "PostcodeBase", "locality_key", "postcode_base", "spell_out"]

_SAINTS = re.compile(r"\b(?:SAINT(E?S?))\b")
_SOUS = re.compile(r"(?i)(?<![^\W\d_])s/s(?![^\W\d_])")  # "Saint-Didier s/s Écouves"
_SUR = re.compile(r"(?i)(?<![^\W\d_])s/")  # "Bar s/ Seine"
_ARRONDISSEMENT = re.compile(r" 0*([1-9][0-9]?) ?(?:ER|E|EME|ME)?$")


def spell_out(text: str) -> str:
    """``text`` with the short forms ``s/`` and ``s/s`` written ``sur`` and ``sous``."""
    if "/" not in text:
        return text
    return _SUR.sub(" sur ", _SOUS.sub(" sous ", text))


def locality_key(text: str) -> str:
    """The form under which locality names are compared.

    Folded (capitals, no accents or punctuation), ``SAINT``/``SAINTE``/``SAINTS``/``SAINTES``
    written ``ST``/``STE``/``STS``/``STES`` as La Poste does, ``s/`` and ``s/s`` read ``sur``
    and ``sous``, and a final arrondissement number written on two digits (``Paris 1er``,
    ``PARIS 1`` and ``PARIS 01`` are the same).
    """
    key = _SAINTS.sub(r"ST\1", fold(spell_out(text)))
    return _ARRONDISSEMENT.sub(lambda m: f" {int(m.group(1)):02d}", key)


@dataclass(frozen=True)
class Locality:
    """One row of the base: a commune (or part of one) served by a postcode."""

    postcode: str
    commune: str
    """Nom de la commune (``MARSEILLE 08``)."""
    label: str
    """Libellé d'acheminement, printed after the postcode on line 6 (``MARSEILLE``)."""
    line5: str
    """Ligne_5: hamlet, former commune or lieu-dit printed on line 5, or ``""``."""


@dataclass(frozen=True)
class _Entry:
    locality: Locality
    keys: frozenset[str]  # commune, label and line5 keys


class PostcodeBase:
    """The localities of each postcode (immutable once built)."""

    def __init__(self, lines: dict[str, str], rows: int) -> None:
        self._lines = lines
        self._parsed: dict[str, tuple[_Entry, ...]] = {}
        self._by_prefix: dict[str, dict[str, str]] | None = None
        self.rows = rows
        """Number of rows of La Poste's base (39 193 in the shipped edition)."""

    def __contains__(self, postcode: object) -> bool:
        return postcode in self._lines

    def __len__(self) -> int:
        return len(self._lines)

    def postcodes(self) -> list[str]:
        """Every postcode of the base, sorted."""
        return sorted(self._lines)

    def _entries(self, postcode: str) -> tuple[_Entry, ...]:
        entries = self._parsed.get(postcode)
        if entries is None:
            line = self._lines.get(postcode)
            entries = () if line is None else tuple(_parse(postcode, line))
            self._parsed[postcode] = entries
        return entries

    def localities(self, postcode: str) -> tuple[Locality, ...]:
        """The base's rows for ``postcode`` (empty when the postcode is not in the base)."""
        return tuple(entry.locality for entry in self._entries(postcode))

    def find(self, postcode: str, locality: str) -> Locality | None:
        """The row of ``postcode`` that ``locality`` names, or None.

        ``locality`` may be the commune, the libellé d'acheminement or the Ligne_5 (compared by
        :func:`locality_key`). When it names the commune or libellé of several rows, a row
        without Ligne_5 is preferred; rows that all need the same Ligne_5 give that Ligne_5;
        otherwise the first row is returned without Ligne_5 (the hamlet cannot be told).
        """
        key = locality_key(locality)
        found = [entry.locality for entry in self._entries(postcode) if key in entry.keys]
        if not found:
            return None
        for row in found:
            if row.line5 and locality_key(row.line5) == key:
                return row
        for row in found:
            if not row.line5:
                return row
        if len({row.line5 for row in found}) == 1:
            return found[0]
        first = found[0]
        return Locality(first.postcode, first.commune, first.label, "")

    def names_near(self, postcode: str) -> dict[str, str]:
        """Locality names (by key) served by postcodes of ``postcode``'s department.

        The department is the first two digits, or three for 97x and 98x; Corsica's 2A and 2B
        share postcodes 20xxx. Used to check the locality of a CEDEX postcode, which is not in
        the base. Values are the libellé d'acheminement to print.
        """
        if self._by_prefix is None:
            by_prefix: dict[str, dict[str, str]] = {}
            for code, line in self._lines.items():
                names = by_prefix.setdefault(_department(code), {})
                for raw in line.split("\t"):
                    commune, label, _ = raw.split("|")
                    label = label or commune
                    names.setdefault(_base_key(commune), label)
                    names.setdefault(_base_key(label), label)
            self._by_prefix = by_prefix
        return self._by_prefix.get(_department(postcode), {})


def _department(postcode: str) -> str:
    return postcode[:3] if postcode[:2] in ("97", "98") else postcode[:2]


def _base_key(name: str) -> str:
    # Names in the base are already folded (the build script checks it): only SAINT... words
    # and final numbers need the key's rewriting, and most names have neither.
    if "SAINT" in name or name[-1:].isdigit():
        return locality_key(name)
    return name


def _parse(postcode: str, line: str) -> list[_Entry]:
    entries = []
    for raw in line.split("\t"):
        commune, label, line5 = raw.split("|")
        row = Locality(postcode, commune, label or commune, line5)
        keys = {_base_key(commune), _base_key(row.label)}
        if line5:
            keys.add(_base_key(line5))
        entries.append(_Entry(row, frozenset(keys)))
    return entries


@cache
def postcode_base() -> PostcodeBase:
    """La Poste's base, loaded on first use and kept for the life of the process."""
    data = files("msp_portal").joinpath("data/address/laposte_postcodes.txt.gz").read_bytes()
    text = gzip.decompress(data).decode("ascii")
    header, _, body = text.partition("\n")
    rows = int(header.rsplit(", ", 1)[1].split()[0])
    lines: dict[str, str] = {}
    for line in body.splitlines():
        postcode, _, rest = line.partition("\t")
        lines[postcode] = rest
    return PostcodeBase(lines, rows)
