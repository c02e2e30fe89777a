"""La Poste's postcode base as shipped: complete, loaded once, and rebuilt identically."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from msp_portal.domain.postcodes import locality_key, postcode_base
from tests.conftest import ROOT, SHARED, shared_file

LAPOSTE_CSV = SHARED / "data" / "address" / "postcodes" / "019HexaSmal.csv"


def _shared_csv() -> Path:
    return shared_file(LAPOSTE_CSV)


def test_the_shipped_base_has_every_row() -> None:
    base = postcode_base()
    assert base.rows == 39_193
    assert len(base) == 6_328
    assert sum(len(base.localities(code)) for code in base.postcodes()) == 39_193


def test_it_is_read_once_per_process() -> None:
    assert postcode_base() is postcode_base()


def test_import_does_not_load_it() -> None:
    code = (
        "import msp_portal.domain.address, msp_portal.domain.postcodes as p\n"
        "print(p.postcode_base.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_every_row_of_la_postes_file_is_in_the_shipped_base() -> None:
    raw = _shared_csv().read_bytes().decode("iso-8859-1")
    rows = list(csv.reader(io.StringIO(raw, newline=""), delimiter=";"))[1:]
    base = postcode_base()
    assert len(rows) == base.rows
    shipped = {
        (row.postcode, row.commune, row.label, row.line5)
        for code in base.postcodes()
        for row in base.localities(code)
    }
    assert {(pc, commune, label, line5) for _, commune, pc, label, line5 in rows} == shipped


def test_the_build_script_reproduces_the_shipped_files() -> None:
    _shared_csv()
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_address_data.py"), "--check",
         "--shared", str(SHARED)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr


@pytest.mark.parametrize(
    ("postcode", "typed", "commune", "label", "line5"),
    [
        ("75001", "Paris", "PARIS 01", "PARIS", ""),
        ("75001", "Paris 1er", "PARIS 01", "PARIS", ""),
        ("75001", "PARIS 01", "PARIS 01", "PARIS", ""),
        ("69003", "Lyon 3e", "LYON 03", "LYON", ""),
        ("13008", "Marseille 8ème", "MARSEILLE 08", "MARSEILLE", ""),
        ("13008", "Les Goudes", "MARSEILLE 08", "MARSEILLE", "LES GOUDES"),  # Ligne_5 hamlet
        ("20000", "Ajaccio", "AJACCIO", "AJACCIO", ""),  # Corse-du-Sud (2A)
        ("20200", "Bastia", "BASTIA", "BASTIA", ""),  # Haute-Corse (2B)
        ("97100", "Basse-Terre", "BASSE TERRE", "BASSE TERRE", ""),  # Guadeloupe
        ("97200", "Fort-de-France", "FORT DE FRANCE", "FORT DE FRANCE", ""),  # Martinique
        ("97300", "Cayenne", "CAYENNE", "CAYENNE", ""),  # Guyane
        ("97400", "Saint-Denis", "ST DENIS", "ST DENIS", ""),  # La Réunion
        ("97600", "Mamoudzou", "MAMOUDZOU", "MAMOUDZOU", ""),  # Mayotte
        ("97500", "Saint-Pierre", "ST PIERRE", "ST PIERRE ET MIQUELON", "ST PIERRE"),
        ("97133", "Saint-Barthélemy", "ST BARTHELEMY", "ST BARTHELEMY", ""),
        ("97150", "Saint-Martin", "ST MARTIN", "ST MARTIN", ""),
        ("98600", "Uvéa", "UVEA", "UVEA", ""),  # Wallis-et-Futuna
        ("98714", "Papeete", "PAPEETE", "PAPEETE", ""),  # Polynésie française
        ("98800", "Nouméa", "NOUMEA", "NOUMEA", ""),  # Nouvelle-Calédonie
        ("98000", "Monaco", "MONACO", "MONACO", ""),
        ("11560", "Fleury", "FLEURY", "FLEURY D AUDE", ""),  # commune name, other libellé
        ("11560", "Fleury d'Aude", "FLEURY", "FLEURY D AUDE", ""),
        ("17100", "Saintes", "SAINTES", "SAINTES", ""),  # SAINTES is a town, not STES
    ],
)
def test_find(postcode: str, typed: str, commune: str, label: str, line5: str) -> None:
    row = postcode_base().find(postcode, typed)
    assert row is not None, (postcode, typed)
    assert (row.commune, row.label, row.line5) == (commune, label, line5)


def test_unknown_pairs() -> None:
    base = postcode_base()
    assert base.find("75001", "Lyon") is None
    assert base.find("99999", "Paris") is None
    assert "75334" not in base  # a CEDEX postcode: not in the open base
    assert base.names_near("75334")[locality_key("Paris")] == "PARIS"
    assert base.names_near("20999")[locality_key("Porto-Vecchio")] == "PORTO VECCHIO"
    assert base.names_near("97190")[locality_key("Le Gosier")] == "LE GOSIER"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Saint-Étienne", "ST ETIENNE"),
        ("ST ETIENNE", "ST ETIENNE"),
        ("Sainte-Foy-lès-Lyon", "STE FOY LES LYON"),
        ("Les Saintes-Maries-de-la-Mer", "LES STES MARIES DE LA MER"),
        ("Paris 1er", "PARIS 01"),
        ("Paris 20e", "PARIS 20"),
        ("Lyon 3ème", "LYON 03"),
        ("L'Haÿ-les-Roses", "L HAY LES ROSES"),
    ],
)
def test_locality_keys(typed: str, key: str) -> None:
    assert locality_key(typed) == key
