"""Display names are safe to show: no control, bidi or path characters, bounded length."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from msp_docs._names import MAX_NAME_LENGTH, clean_name


def test_examples() -> None:
    assert clean_name("facture.pdf") == "facture.pdf"
    assert clean_name("C:\\Users\\me\\scan.png") == "scan.png"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("photo\u202egpj.exe") == "photogpj.exe"
    assert clean_name("a\x00b\x1b[31mc.pdf") == "ab[31mc.pdf"
    assert clean_name("  spaced \t\n out  .pdf") == "spaced out .pdf"
    assert clean_name("..") == "document"
    assert clean_name("\u200b\u200d") == "document"
    long = "x" * 500 + ".pdf"
    cleaned = clean_name(long)
    assert len(cleaned) <= MAX_NAME_LENGTH and cleaned.endswith(".pdf")


@given(st.text())
def test_any_text_gives_a_short_printable_name(raw: str) -> None:
    name = clean_name(raw)
    assert 0 < len(name) <= MAX_NAME_LENGTH
    assert "/" not in name and "\\" not in name
    assert all(ch.isprintable() for ch in name)
    assert name == name.strip()
