"""Every error and note has English and French wording; codes are unique and stable."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

import msp_docs
from msp_docs import errors
from msp_docs._messages import ERRORS, NOTES, render_note

SRC = Path(msp_docs.__file__).parent


def test_codes_are_unique_and_have_messages() -> None:
    classes = errors.error_classes()
    codes = [cls.code for cls in classes if cls is not errors.InternalError]
    assert len(codes) == len(set(codes))
    for cls in classes:
        assert cls.code in ERRORS, cls
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", cls.code)
        assert cls.exit_code in (1, 3, 4, 5, 6, 7, 8, 10)


def test_exit_code_families() -> None:
    assert errors.TooManyFiles.exit_code == errors.OutputTooLarge.exit_code == 3
    assert errors.UnsupportedKind.exit_code == 4
    assert errors.TruncatedInput.exit_code == errors.CorruptPdf.exit_code == 5
    assert errors.PasswordRequired.exit_code == 6
    assert errors.DecompressionBomb.exit_code == 7
    assert errors.OutputError.exit_code == 8


@pytest.mark.parametrize("cls", errors.error_classes())
def test_every_error_renders_in_both_languages_without_placeholders(
    cls: type[errors.MspDocsError],
) -> None:
    error = cls(input_name="scan.pdf")
    for lang in ("en", "fr"):
        text = error.message(lang)
        assert text and "{" not in text
    assert error.to_dict()["code"] == cls.code


def test_messages_name_the_file_and_the_facts() -> None:
    error = errors.InputTooLarge(
        input_name="big.jpg", read=11 * 1024 * 1024, limit=10 * 1024 * 1024
    )
    assert "big.jpg" in error.message()
    assert "10.0 MiB" in error.message()
    assert "10,0 Mio" in error.message("fr")
    out = errors.OutputTooLarge(size=12 * 1024 * 1024, limit=10 * 1024 * 1024)
    assert "2.0 MiB over" in out.message()


def test_errors_survive_pickling_with_their_facts() -> None:
    error = errors.ImageTooLarge(input_name="x.png", width=10, height=20, limit=5)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is errors.ImageTooLarge
    assert (copy.input_name, copy.facts) == ("x.png", error.facts)


def test_every_note_code_used_in_the_source_has_wording() -> None:
    used = set()
    for path in SRC.rglob("*.py"):
        used |= set(re.findall(r'Note\(\s*"([a-z-]+)"', path.read_text(encoding="utf-8")))
    missing = used - set(NOTES)
    assert not missing
    for code in NOTES:
        for lang in ("en", "fr"):
            assert render_note(code, {}, lang)


def test_french_messages_carry_no_english_technical_reason() -> None:
    error = errors.CorruptImage(input_name="scan.png", reason="bad PNG signature")
    assert "bad PNG signature" in error.message("en")
    assert "signature" not in error.message("fr")
    translated = errors.UnprocessableInput(
        input_name="x.jpg",
        reason="the decoder crashed (SIGSEGV)",
        reason_fr="le décodeur a planté (SIGSEGV)",
    )
    assert "le décodeur a planté" in translated.message("fr")


def test_counts_read_naturally() -> None:
    assert render_note("trailing-data-removed", {"bytes": 1, "kind": "jpeg"}) == (
        "data after the end of the JPEG removed (1 byte)"
    )
    assert "1 octet)" in render_note("trailing-data-removed", {"bytes": 1, "kind": "jpeg"}, "fr")
    assert render_note("repaired", {"count": 1}) == (
        "damaged PDF structure repaired (problems fixed: 1)"
    )
