"""What msp_docs.forms answers when the file given as a form is not a PDF: typed refusals."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from msp_docs import forms
from msp_docs.errors import EmptyInput, ExitCode, FormNotPdf, UnsupportedKind


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("call", ["fill", "blank", "read_fields", "prepare"])
def test_an_image_given_as_a_form_is_refused_naming_what_it_is(call: str) -> None:
    work = {
        "fill": lambda data: forms.fill(data, {"Nom": "x"}),
        "blank": forms.blank,
        "read_fields": forms.read_fields,
        "prepare": forms.prepare,
    }[call]
    with pytest.raises(FormNotPdf) as caught:
        work(_png())
    error = caught.value
    assert error.code == "form-not-pdf" and error.exit_code == ExitCode.UNSUPPORTED_INPUT
    assert error.facts == {"kind": "png"}
    assert "a PNG image, not a PDF" in error.message("en")
    assert "une image PNG, pas un PDF" in error.message("fr")


def test_empty_and_unaccepted_files_keep_their_own_errors() -> None:
    with pytest.raises(EmptyInput):
        forms.fill(b"", {})
    with pytest.raises(UnsupportedKind) as caught:
        forms.read_fields(b"Nom;Prenom\nDupont;Jean\n" * 20)
    assert caught.value.facts["format"] == "text"
