"""The wallet's pure rules: categories, titles, names, file names, quota, the kept report."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msp_portal import (
    Category,
    DocumentNote,
    InvalidCategory,
    InvalidDocumentTitle,
    InvalidUploadName,
    MergeSummary,
    SourceSummary,
    WalletFull,
    WalletQuota,
    WalletTooLarge,
    WalletUsage,
)
from msp_portal.domain.wallet import (
    FILE_NAME_MAX,
    TITLE_MAX,
    check_category,
    check_quota,
    check_title,
    check_upload_name,
    file_name,
)


def test_categories_have_stable_codes_and_labels_in_both_languages() -> None:
    assert [c.value for c in Category] == [
        "identity",
        "proof-of-address",
        "income",
        "family",
        "other",
    ]
    assert Category.PROOF_OF_ADDRESS.label() == "Justificatif de domicile"
    assert Category.PROOF_OF_ADDRESS.label("en") == "Proof of address"
    assert check_category(" income ") is Category.INCOME
    assert check_category(Category.FAMILY) is Category.FAMILY
    for bad in ("Identity", "", None, 3, "\ud800", "x" * 1_000_000):
        with pytest.raises(InvalidCategory) as caught:
            check_category(bad)
        assert "proof-of-address" in caught.value.facts["allowed"]


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("", "empty"),
        ("   \u00a0 ", "empty"),
        ("a" * (TITLE_MAX + 1), "too-long"),
        ("x" * 1_000_000, "too-long"),
        ("deux\nlignes", "control-characters"),
        ("tab\there", "control-characters"),
        ("nul\x00", "control-characters"),
        ("del\x7f", "control-characters"),
        ("c1\x85", "control-characters"),
        ("surrogate \ud83d", "control-characters"),
        ("bidi \u202egnp.exe", "control-characters"),
        ("line\u2028sep", "control-characters"),
        (None, "not-text"),
        (b"bytes", "not-text"),
    ],
)
def test_titles_refused_with_a_reason(title: object, reason: str) -> None:
    with pytest.raises(InvalidDocumentTitle) as caught:
        check_title(title)
    assert caught.value.facts == {"reason": reason, "maximum": TITLE_MAX}


def test_titles_are_normalised_not_rewritten() -> None:
    assert check_title("  Avis  d'impôt\u00a02024 ") == "Avis d'impôt 2024"
    assert check_title("Cafe\u0301") == "Café"  # NFC
    assert check_title("a" * TITLE_MAX) == "a" * TITLE_MAX
    assert check_title("Facture 💡 EDF") == "Facture 💡 EDF"


@given(st.text(max_size=400))
def test_any_text_is_a_title_or_a_typed_refusal(text: str) -> None:
    try:
        title = check_title(text)
    except InvalidDocumentTitle:
        return
    assert 1 <= len(title) <= TITLE_MAX
    assert title == title.strip() and "  " not in title
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in title)
    title.encode("utf-8")  # storable


def test_upload_names_keep_the_last_path_component() -> None:
    assert check_upload_name("C:\\Users\\jean\\scan.png", 1) == "scan.png"
    assert check_upload_name("/home/jean/lettre.pdf", 2) == "lettre.pdf"
    assert check_upload_name("", 3) == "fichier-3"
    assert check_upload_name("dossier/", 4) == "fichier-4"
    with pytest.raises(InvalidUploadName) as caught:
        check_upload_name("a\x00.png", 2)
    assert caught.value.facts["index"] == 2


@given(st.text(max_size=300))
def test_file_names_are_safe_everywhere(title: str) -> None:
    name = file_name(title)
    assert name.endswith(".pdf")
    stem = name[: -len(".pdf")]
    assert 1 <= len(stem) <= FILE_NAME_MAX
    assert not set(stem) & set('\\/:*?"<>|')
    assert not any(ord(c) < 32 or ord(c) == 127 for c in stem)
    assert not stem.startswith(".") and not stem.endswith((".", " "))


def test_file_names_from_titles() -> None:
    assert file_name("Facture EDF / mars") == "Facture EDF _ mars.pdf"
    assert file_name("...") == "document.pdf"
    assert file_name("../../etc/passwd") == "_.._etc_passwd.pdf"


def test_quota() -> None:
    quota = WalletQuota(max_documents=2, max_bytes=1_000_000)
    check_quota(WalletUsage(1, 500_000), 500_000, quota)  # exactly full: fine
    with pytest.raises(WalletFull) as full:
        check_quota(WalletUsage(2, 0), 1, quota)
    assert full.value.facts == {"limit": 2}
    with pytest.raises(WalletTooLarge) as large:
        check_quota(WalletUsage(1, 600_000), 400_001, quota)
    assert large.value.facts["used_mb"] == "0.6" and large.value.facts["limit_mb"] == "1.0"
    assert "0.4 Mo" in large.value.message("fr")


@given(
    st.lists(
        st.builds(
            SourceSummary,
            name=st.text(),
            kind=st.sampled_from([None, "pdf", "jpeg"]),
            bytes=st.integers(0, 10**7),
            pages=st.none() | st.integers(0, 1000),
            actions=st.lists(
                st.builds(
                    DocumentNote,
                    code=st.text(string.ascii_lowercase, min_size=1),
                    message_en=st.text(),
                    message_fr=st.text(),
                    facts=st.dictionaries(st.text(), st.integers() | st.text()),
                ),
                max_size=3,
            ).map(tuple),
        ),
        max_size=4,
    ).map(tuple),
)
def test_the_kept_report_survives_its_json_form(sources: tuple[SourceSummary, ...]) -> None:
    import json

    summary = MergeSummary(sources=sources, pages=3, bytes=1234, tool_version="0.1.0")
    again = MergeSummary.from_dict(json.loads(json.dumps(summary.to_dict())))
    assert again == summary


def test_notes_render_in_either_language() -> None:
    note = DocumentNote("exif-oriented", "turned", "tournée", {"orientation": 6})
    assert note.message() == "tournée" and note.message("en") == "turned"
