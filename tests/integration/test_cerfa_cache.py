"""The catalogue's cache of sanitised forms, on the real CERFA files of ../shared/cerfa.

Repeated fills must skip the sanitising (counted, not timed), give the same bytes and the same
notes as a fill that sanitised, and never serve an older version of a file that changed, even
when its size and modification time were kept.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from msp_docs import forms
from msp_docs.cerfa import Catalogue
from msp_docs.errors import UsageError
from msp_docs.forms import PreparedForm
from tests.conftest import CERFA, shared_file
from tests.pdfcheck import active_content

VALUES = {"Nom": "Dupré", "Prenom": "Łukasz", "d35": "05/03/2024", "CAC21": True}


@pytest.fixture
def forms_dir(tmp_path: Path) -> Path:
    """A forms directory of our own, holding a copy of the two fillable forms."""
    for name in ("cerfa_11580_05.pdf", "cerfa_16216_01.pdf"):
        shutil.copy(shared_file(CERFA / name), tmp_path / name)
    return tmp_path


@pytest.fixture
def prepare_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every time a form is sanitised (forms.prepare), its name."""
    calls: list[str] = []
    real = forms.prepare

    def counting(form: object, **kwargs: object) -> PreparedForm:
        calls.append(getattr(form, "name", str(form)))
        return real(form, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(forms, "prepare", counting)
    return calls


def test_repeated_fills_sanitise_once_and_give_the_same_bytes_and_notes(
    forms_dir: Path, prepare_calls: list[str]
) -> None:
    cat = Catalogue.load(forms_dir)
    first = cat.fill("11580*05", VALUES, flatten=True)
    again = [cat.fill("11580*05", VALUES, flatten=True) for _ in range(3)]
    assert prepare_calls == ["cerfa_11580_05.pdf"]  # the map check and 4 fills: one sanitising
    info = cat.cache_info()
    assert (info.misses, info.entries) == (1, 1) and info.hits >= 3
    assert 0 < info.bytes < 1_000_000
    assert all(r.data == first.data for r in again)
    codes = [n.code for n in first.report.actions]
    assert "repaired" in codes and "javascript-removed" in codes  # what sanitising did...
    assert all([n.code for n in r.report.actions] == codes for r in again)  # ...said each time
    cat.blank("11580*05")
    cat.fields(cat.get("11580*05"))
    assert len(prepare_calls) == 1


def test_a_prepared_form_fills_like_the_file() -> None:
    path = shared_file(CERFA / "cerfa_16216_01.pdf")
    prepared = forms.prepare(path)
    values = {"a1": "42", "Denomination": "Šťastný & fils"}
    assert forms.read_fields(prepared) == forms.read_fields(path)
    from_file, from_prepared = forms.fill(path, values), forms.fill(prepared, values)
    assert forms.read_fields(from_prepared.data) == forms.read_fields(from_file.data)
    assert from_prepared.report.actions == from_file.report.actions
    assert "form-usage-rights-removed" in [n.code for n in from_prepared.report.actions]
    flat = [forms.fill(f, values, flatten=True).data for f in (path, prepared)]
    texts = ["".join(p.extract_text() for p in PdfReader(io.BytesIO(d)).pages) for d in flat]
    assert texts[0] == texts[1] and "Šťastný & fils" in texts[1]
    # Each way is deterministic.
    assert forms.fill(prepared, values).data == from_prepared.data
    assert forms.fill(path, values).data == from_file.data


def same_size_other_bytes(data: bytes) -> bytes:
    """The same form with one byte of its binary header comment changed: valid, same size."""
    end = data.index(b"\n", data.index(b"%PDF-")) + 1
    assert data[end : end + 1] == b"%" and data[end + 1] >= 0x80
    return data[: end + 1] + bytes([data[end + 1] ^ 0x01]) + data[end + 2 :]


def test_a_file_changed_in_place_is_sanitised_again_even_with_the_same_size_and_time(
    forms_dir: Path, prepare_calls: list[str]
) -> None:
    cat = Catalogue.load(forms_dir)
    path = forms_dir / "cerfa_11580_05.pdf"
    before = cat.prepared(cat.get("11580*05"))
    stat = path.stat()
    path.write_bytes(same_size_other_bytes(path.read_bytes()))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    after = cat.prepared(cat.get("11580*05"))
    assert after.digest != before.digest
    assert len(prepare_calls) == 2
    assert cat.cache_info().entries == 1  # the older version was let go


def test_a_new_form_file_is_filled_from_its_new_content(forms_dir: Path) -> None:
    cat = Catalogue.load(forms_dir)
    path = forms_dir / "cerfa_11580_05.pdf"
    cat.fill("11580*05", {"Nom": "Dupré"})
    with pikepdf.open(io.BytesIO(path.read_bytes())) as pdf:  # the operator adds a script
        pdf.Root["/OpenAction"] = pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )
        pdf.save(path)
    result = cat.fill("11580*05", {"Nom": "Dupré"})
    assert cat.cache_info().misses == 2
    assert active_content(result.data) == []
    assert "javascript-removed" in [n.code for n in result.report.actions]


def test_the_cache_is_bounded(forms_dir: Path, prepare_calls: list[str]) -> None:
    one = Catalogue.load(forms_dir, cache_entries=1)
    for number in ("11580*05", "16216*01", "11580*05"):
        one.prepared(one.get(number))
    assert one.cache_info().entries == 1 and len(prepare_calls) == 3
    small = Catalogue.load(forms_dir, cache_bytes=300_000)  # 16216*01 alone is larger
    for number in ("16216*01", "16216*01", "11580*05", "11580*05"):
        small.prepared(small.get(number))
    info = small.cache_info()
    assert info.entries == 1 and info.bytes <= 300_000 and info.misses == 3
    none = Catalogue.load(forms_dir, cache_entries=0)
    none.prepared(none.get("11580*05"))
    none.prepared(none.get("11580*05"))
    assert none.cache_info().entries == 0 and none.cache_info().misses == 2
    with pytest.raises(UsageError, match="cache bounds") as usage:
        Catalogue.load(forms_dir, cache_bytes=-1)
    assert usage.value.code == "invalid-call"


def test_threads_share_one_sanitising(forms_dir: Path, prepare_calls: list[str]) -> None:
    cat = Catalogue.load(forms_dir)
    results: list[bytes] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def work() -> None:
        try:
            start.wait()
            for _ in range(2):
                results.append(cat.fill("16216*01", {"a1": "42"}, flatten=True).data)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 8 and len(set(results)) == 1
    assert prepare_calls == ["cerfa_16216_01.pdf"]


def test_a_prepared_form_is_made_by_prepare_only() -> None:
    with pytest.raises(TypeError):
        PreparedForm("x", b"%PDF-1.7", "0" * 64, (), ())  # type: ignore[call-arg]
    prepared = forms.prepare(shared_file(CERFA / "cerfa_11580_05.pdf"))
    with pytest.raises(AttributeError):
        prepared.data = b"%PDF-1.7 unsanitised"  # type: ignore[misc]
    assert prepared.name == "cerfa_11580_05.pdf" and len(prepared.digest) == 64
