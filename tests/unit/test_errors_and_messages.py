"""One error contract: typed facts, one ExitCode, every word in the messages module (en, fr)."""

from __future__ import annotations

import dataclasses
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

import msp_docs
from msp_docs import errors
from msp_docs._messages import (
    ERRORS,
    FORMATS,
    NOTES,
    PARTS,
    REASONS,
    human_bytes,
    render_note,
    render_reason,
)
from msp_docs.errors import ExitCode, OtherFormat, Part, Reason

SRC = Path(msp_docs.__file__).parent
CONTEXT = {"detail", "input_name", "input_index", "report"}

# A sample value per fact annotation: a new error class with a fact of another type must add
# one here (the test below says which).
SAMPLES: dict[str, Any] = {
    "int": 7,
    "int | None": 3,
    "float": 2.5,
    "str": "x1",
    "str | None": "x2",
    "Reason": Reason.PNG_SIGNATURE,
    "Reason | None": Reason.DATA_CUT,
    "Value": 9,
    "Part": Part.PAGE_CONTENT,
    "OtherFormat": OtherFormat.ZIP,
    "Kind": msp_docs.Kind.JPEG,
    "Kind | None": None,
}


def facts_of(cls: type[errors.MspDocsError]) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.init and f.name not in CONTEXT]


def sample(cls: type[errors.MspDocsError], *, optional: bool = True) -> errors.MspDocsError:
    values = {}
    for f in facts_of(cls):
        has_default = f.default is not dataclasses.MISSING
        if has_default and not optional:
            continue
        value = SAMPLES[str(f.type)]
        if value is not None:
            values[f.name] = value
    return cls(input_name="scan.pdf", **values)


# --- the tree and its codes ---------------------------------------------------------------------
def test_codes_are_unique_and_have_messages() -> None:
    classes = errors.error_classes()
    codes = [cls.code for cls in classes if cls is not errors.InternalError]
    assert len(codes) == len(set(codes))
    for cls in classes:
        assert cls.code in ERRORS, cls
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", cls.code)
        assert isinstance(cls.exit_code, ExitCode)
        assert cls.exit_code not in (ExitCode.OK, ExitCode.JOBS_FAILED, ExitCode.INTERRUPTED)


def test_exit_code_families() -> None:
    assert errors.TooManyFiles.exit_code == errors.OutputTooLarge.exit_code == 3
    assert errors.UnsupportedKind.exit_code == 4
    assert errors.TruncatedInput.exit_code == errors.CorruptPdf.exit_code == 5
    assert errors.PasswordRequired.exit_code == 6
    assert errors.DecompressionBomb.exit_code == 7
    assert errors.OutputError.exit_code == 8
    assert errors.UsageError.exit_code == errors.JobListError.exit_code == ExitCode.USAGE == 2
    assert errors.PoolError.exit_code == errors.InternalError.exit_code == 1
    assert (ExitCode.JOBS_FAILED, ExitCode.INTERRUPTED) == (9, 130)


def test_batch_errors_are_msp_docs_errors() -> None:
    from msp_docs import batch

    for cls in (batch.BatchError, batch.JobListError, batch.SchedulerError, batch.PoolError):
        assert issubclass(cls, msp_docs.MspDocsError)
    assert batch.JobListError is errors.JobListError


def test_exit_codes_are_defined_once() -> None:
    # Every module says ExitCode.X; no other module defines an exit status of its own.
    roots = [SRC, SRC.parent.parent / "cli" / "msp_docs_cli"]
    pattern = re.compile(r"^\s*EXIT_[A-Z_]+\s*(: [^=]+)?=\s*\d+", re.MULTILINE)
    offenders = [
        str(path)
        for root in roots
        for path in root.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- typed facts --------------------------------------------------------------------------------
def test_every_fact_annotation_has_a_sample() -> None:
    unknown = {
        str(f.type) for cls in errors.error_classes() for f in facts_of(cls)
    } - SAMPLES.keys()
    assert not unknown, f"add a sample value for {unknown}"


@pytest.mark.parametrize("cls", errors.error_classes(), ids=lambda c: c.__name__)
def test_every_error_renders_in_both_languages_with_its_facts(
    cls: type[errors.MspDocsError],
) -> None:
    for error in (sample(cls), sample(cls, optional=False)):
        for lang in ("en", "fr"):
            text = error.message(lang)
            assert text and "{" not in text and "?" not in text.replace("? ", ""), text
        described = error.to_dict()
        assert described["code"] == cls.code and described["exit_code"] == int(cls.exit_code)
        assert set(described["facts"]) <= {f.name for f in facts_of(cls)} | {"kind"}


@pytest.mark.parametrize(
    "cls",
    [
        c
        for c in errors.error_classes()
        if any(f.default is dataclasses.MISSING for f in facts_of(c))
    ],
    ids=lambda c: c.__name__,
)
def test_a_missing_fact_is_refused_when_the_error_is_made(cls: type[errors.MspDocsError]) -> None:
    # Rendered as "?" before: "exceed ? ... after ? had been read". Now the error cannot exist.
    with pytest.raises(TypeError):
        cls(input_name="scan.pdf")


def test_free_facts_are_refused() -> None:
    with pytest.raises(TypeError):
        errors.TooManyPages(pages=3, limit=2, colour="blue")  # type: ignore[call-arg]


def test_messages_name_the_file_and_the_facts() -> None:
    error = errors.InputTooLarge(
        input_name="big.jpg", read=11 * 1024 * 1024, limit=10 * 1024 * 1024
    )
    assert "big.jpg" in error.message()
    assert "10.0 MiB" in error.message() and "11.0 MiB" in error.message()
    assert "10,0 Mio" in error.message("fr")
    out = errors.OutputTooLarge(size=12 * 1024 * 1024, limit=10 * 1024 * 1024)
    assert "2.0 MiB over" in out.message()


def test_errors_survive_pickling_with_their_facts() -> None:
    error = errors.CorruptImage(
        input_name="x.png", kind=msp_docs.Kind.PNG, reason=Reason.CHUNK_CUT, value="IDAT"
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is errors.CorruptImage
    assert (copy.input_name, copy.kind, copy.facts) == ("x.png", "png", error.facts)
    assert copy.message("fr") == error.message("fr")


# --- every word in the messages module ----------------------------------------------------------
def test_every_reason_part_and_format_has_both_languages() -> None:
    assert set(REASONS) == set(Reason)
    assert set(PARTS) == set(Part)
    assert set(FORMATS) == set(OtherFormat)
    for reason in Reason:
        for lang in ("en", "fr"):
            text = render_reason(reason, "V", lang)
            assert text and "{" not in text


def test_french_messages_carry_french_reasons() -> None:
    error = errors.CorruptImage(input_name="scan.png", reason=Reason.PNG_SIGNATURE)
    assert "bad PNG signature" in error.message("en")
    assert "signature PNG incorrecte" in error.message("fr")
    crashed = errors.UnprocessableInput(input_name="x.jpg", reason=Reason.CRASHED, value="SIGSEGV")
    assert "le décodeur a planté (SIGSEGV)" in crashed.message("fr")


FIT_REDUCED = {"what": "image", "from_width": 4032, "from_height": 3024, "from_bytes": 3_100_000}
FIT_REDUCED |= {"to_width": 2016, "to_height": 1512, "to_bytes": 1_100_000}
FIT_REDUCED |= {"dpi": 172, "quality": 90}

# Sample facts for every note, as the backends build them.
NOTE_SAMPLES: dict[str, dict[str, Any]] = {
    "metadata-removed": {"items": ["exif", "comment", "APP12"]},
    "exif-oriented": {"orientation": 6},
    "transparency-soft-mask": {},
    "transparency-colour-key": {},
    "transparency-flattened": {},
    "reencoded": {"source": "GIF (LZW)", "target": "Flate", "reason": Reason.GIF_LZW},
    "passthrough": {"encoding": "JPEG, baseline"},
    "trailing-data-removed": {"bytes": 12, "kind": "png-image-data"},
    "stray-bytes-removed": {"bytes": 2},
    "leading-junk-removed": {"bytes": 1016},
    "repaired": {"count": 2},
    "encryption-removed": {},
    "decrypted-with-password": {},
    "javascript-removed": {"count": 1},
    "actions-removed": {"kinds": "Launch (1)", "count": 1},
    "attachments-removed": {"count": 1},
    "multimedia-removed": {"count": 1},
    "xfa-removed": {},
    "pdf-metadata-removed": {"info": True, "xmp": True, "objects": 2, "private": 1, "dates": 3},
    "signature-removed": {"count": 1},
    "usage-rights-removed": {},
    "form-fields-renamed": {"count": 2},
    "frames-as-pages": {"frames": 3},
    "extension-mismatch": {"extension": "png", "kind": "jpeg"},
    "animation-first-frame": {"frames": 4},
    "invalid-orientation": {"value": 9},
    "exif-unreadable": {"reason": Reason.EXIF_TAG, "value": "0x0112"},
    "icc-profile-ignored": {"reason": Reason.ICC_CLASS, "value": "link"},
    "palette-invented": {},
    "signature-invalidated": {},
    "dpi-assumed": {"dpi": 150},
    "polyglot": {"other": "zip", "kind": "jpeg"},
    "outline-items-dropped": {"count": 1},
    "pdf-warnings": {"count": 3},
    "form-usage-rights-removed": {},
    "form-filled": {"count": 3, "prefilled": 1},
    "form-flattened": {},
    "form-cleared": {"count": 12},
    "text-shrunk": {"fields": "Nom, Adresse", "count": 2},
    "pages-fitted-to-a4": {"count": 2},
    "fit-reduced": FIT_REDUCED,
}


def test_every_note_renders_in_both_languages() -> None:
    assert set(NOTE_SAMPLES) == set(NOTES)
    for code, facts in NOTE_SAMPLES.items():
        for lang in ("en", "fr"):
            text = render_note(code, facts, lang)
            assert text and "{" not in text and "?" not in text, (code, lang, text)
    assert "comment, APP12" in render_note("metadata-removed", NOTE_SAMPLES["metadata-removed"])
    assert "commentaire, APP12" in render_note(
        "metadata-removed", NOTE_SAMPLES["metadata-removed"], "fr"
    )
    reduced = {**NOTE_SAMPLES["fit-reduced"], "what": "pdf-image"}
    assert render_note("fit-reduced", reduced).startswith("an image of the PDF reduced")
    assert render_note("fit-reduced", reduced, "fr").startswith("une image du PDF réduite")


def test_every_note_code_used_in_the_source_has_wording() -> None:
    used = set()
    for path in SRC.rglob("*.py"):
        used |= set(re.findall(r'Note\(\s*"([a-z-]+)"', path.read_text(encoding="utf-8")))
    assert used and not used - set(NOTES)


def test_no_words_outside_the_messages_modules() -> None:
    # French (or any text with an accented letter) lives in msp_docs/_messages.py only.
    accented = re.compile(r"[àâçéèêëîïôûùüÿœæÀÂÇÉÈÊËÎÏÔÛÙÜŸŒÆ]")
    offenders = [
        path.name
        for path in SRC.rglob("*.py")
        if path.name != "_messages.py" and accented.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_dispatch_on_exception_text_or_type_names() -> None:
    pattern = re.compile(
        r"in str\(exc\)|str\(exc\)\.lower\(\)|in text\.lower\(\)|\.__name__ ==|__name__ in \("
    )
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_counts_read_naturally() -> None:
    assert render_note("trailing-data-removed", {"bytes": 1, "kind": "jpeg"}) == (
        "data after the end of the JPEG removed (1 byte)"
    )
    assert "1 octet)" in render_note("trailing-data-removed", {"bytes": 1, "kind": "jpeg"}, "fr")
    assert render_note("repaired", {"count": 1}) == (
        "damaged PDF structure repaired (problems fixed: 1)"
    )
    assert (human_bytes(2048), human_bytes(2048, "fr")) == ("2 KiB", "2 Kio")
