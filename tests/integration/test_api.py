"""The library API end to end: limits, reports, atomic and deterministic output."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import msp_docs
from msp_docs import Input, Limits, Options
from tests.fixtures import (
    CountingStream,
    endless_zeros,
    gif_bytes,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
)


def _pages(path_or_bytes: Path | bytes) -> int:
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def test_merge_four_kinds_in_order(tmp_path: Path) -> None:
    out = tmp_path / "merged.pdf"
    report = msp_docs.merge(
        [
            Input(jpeg_bytes(), name="photo.jpg"),
            Input(png_bytes(), name="scan.png"),
            Input(gif_bytes(), name="anim.gif"),
            Input(pdf_bytes(3), name="letter.pdf", label="Letter"),
        ],
        out,
        options=Options(title="My file"),
    )
    assert report.ok
    assert [i.kind for i in report.inputs] == ["jpeg", "png", "gif", "pdf"]
    assert [i.pages for i in report.inputs] == [1, 1, 1, 3]
    assert report.output is not None and report.output.pages == 6
    assert report.output.bytes == out.stat().st_size
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 6
    assert reader.metadata is not None
    assert reader.metadata.title == "My file"
    assert reader.metadata.producer.startswith("msp-docs ")
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["photo.jpg", "scan.png", "anim.gif", "Letter"]
    # The page text of the PDF input survived in its place.
    assert "hello 2" in reader.pages[4].extract_text()


def test_report_is_json_with_the_documented_schema(tmp_path: Path) -> None:
    report = msp_docs.merge([jpeg_bytes(), png_bytes()], tmp_path / "o.pdf")
    data = json.loads(report.to_json())
    assert data["schema"] == "msp-docs/report/1"
    assert data["ok"] is True and data["error"] is None
    assert set(data["inputs"][0]) == {
        "index",
        "name",
        "kind",
        "described_as",
        "bytes",
        "pages",
        "width",
        "height",
        "dpi",
        "status",
        "error",
        "actions",
        "warnings",
        "details",
    }
    assert data["inputs"][0]["width"] == 64 and data["inputs"][0]["height"] == 48
    assert data["output"]["pages"] == 2


def test_rejected_input_means_no_output_and_a_report(tmp_path: Path) -> None:
    out = tmp_path / "merged.pdf"
    with pytest.raises(msp_docs.UnsupportedKind) as info:
        msp_docs.merge([jpeg_bytes(), Input(b"PK\x03\x04" + b"\0" * 200, name="a.zip")], out)
    assert not out.exists()
    assert not list(tmp_path.iterdir())  # no temporary file left behind
    report = info.value.report
    assert report is not None
    assert [i.status for i in report.inputs] == ["accepted", "rejected"]
    assert report.inputs[1].error is info.value
    assert info.value.input_name == "a.zip"


def test_failed_merge_leaves_an_existing_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "merged.pdf"
    out.write_bytes(b"previous")
    with pytest.raises(msp_docs.MspDocsError):
        msp_docs.merge([b"not a document at all"], out)
    assert out.read_bytes() == b"previous"


def test_output_too_large_says_by_how_much(tmp_path: Path) -> None:
    with pytest.raises(msp_docs.OutputTooLarge) as info:
        msp_docs.merge([pdf_bytes(2)], tmp_path / "o.pdf", limits=Limits(max_output_bytes=500))
    size = info.value.facts["size"]
    assert size > 500
    assert f"{size - 500} bytes over" in info.value.message()
    assert not (tmp_path / "o.pdf").exists()


def test_fifth_file_is_refused_before_reading(tmp_path: Path) -> None:
    streams = [CountingStream(iter([jpeg_bytes()])) for _ in range(5)]
    with pytest.raises(msp_docs.TooManyFiles):
        msp_docs.merge(streams, tmp_path / "o.pdf")
    assert [s.reads for s in streams] == [0] * 5


def test_stream_over_ten_mib_is_refused_without_reading_the_rest(tmp_path: Path) -> None:
    stream = CountingStream(endless_zeros())
    with pytest.raises(msp_docs.InputTooLarge) as info:
        msp_docs.merge([Input(stream, name="upload")], tmp_path / "o.pdf")
    assert stream.bytes_read <= 10 * 1024 * 1024 + 64 * 1024
    assert info.value.report is not None
    assert info.value.report.inputs[0].error is info.value


def test_non_seekable_stream_input_and_stream_output() -> None:
    stream = CountingStream(iter([jpeg_bytes()[:100], jpeg_bytes()[100:]]), name="cam.jpg")
    sink = io.BytesIO()
    report = msp_docs.convert(stream, sink)
    assert report.inputs[0].name == "cam.jpg"
    assert _pages(sink.getvalue()) == 1


def test_output_is_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = [jpeg_bytes(), png_bytes(mode="RGBA", colour=(1, 2, 3, 100)), pdf_bytes(2)]
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    msp_docs.merge(inputs, first)
    msp_docs.merge(inputs, second)
    assert first.read_bytes() == second.read_bytes()
    assert b"CreationDate" not in first.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    msp_docs.merge(inputs, second)
    reader = pypdf.PdfReader(second)
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"] == "D:20231114221320Z"


def test_validate_reports_without_raising_or_writing() -> None:
    report = msp_docs.validate([jpeg_bytes(), b"\x89PNG\r\n\x1a\n" + b"\0" * 10])
    assert not report.ok
    assert [i.status for i in report.inputs] == ["accepted", "rejected"]
    assert report.output is None


def test_inspect_describes_one_file() -> None:
    entry = msp_docs.inspect(Input(png_bytes(31, 17), name="x.png"))
    assert (entry.kind, entry.width, entry.height, entry.pages) == ("png", 31, 17, 1)
    assert entry.accepted


def test_extension_mismatch_warns_or_fails_under_strict(tmp_path: Path) -> None:
    report = msp_docs.merge([Input(png_bytes(), name="photo.jpg")], tmp_path / "o.pdf")
    assert [w.code for w in report.inputs[0].warnings] == ["extension-mismatch"]
    with pytest.raises(msp_docs.ExtensionMismatch):
        msp_docs.merge(
            [Input(png_bytes(), name="photo.jpg")], tmp_path / "p.pdf", options=Options(strict=True)
        )


def test_french_messages() -> None:
    report = msp_docs.validate([Input(b"", name="vide.pdf")], options=Options(lang="fr"))  # type: ignore[arg-type]
    error = report.inputs[0].error
    assert error is not None and error.code == "empty-input"
    assert json.loads(report.to_json())["inputs"][0]["error"]["message"].startswith(
        "vide.pdf est vide"
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048))
def test_any_bytes_give_a_report_or_a_typed_error(data: bytes) -> None:
    try:
        report = msp_docs.validate([data])
    except msp_docs.MspDocsError as error:  # InternalError is one too: a bug, never an answer
        assert not isinstance(error, msp_docs.InternalError), error.detail
        return
    entry = report.inputs[0]
    assert entry.status in ("accepted", "rejected")
    if entry.error is not None:
        assert not isinstance(entry.error, msp_docs.InternalError), entry.error.detail


def test_file_id_comes_from_the_content() -> None:
    import re

    first, second = io.BytesIO(), io.BytesIO()
    msp_docs.merge([jpeg_bytes(colour=(1, 2, 3))], first)
    msp_docs.merge([jpeg_bytes(colour=(200, 2, 3))], second)
    ids = [
        re.findall(rb"/ID \[<([0-9a-f]{32})><([0-9a-f]{32})>\]", o.getvalue())
        for o in (first, second)
    ]
    assert len(ids[0]) == len(ids[1]) == 1
    assert ids[0] != ids[1]  # different documents, different IDs
    assert b"31415926535897932384626433832795" not in first.getvalue()  # no placeholder left


# --- the caller's mistakes are usage errors, not our bugs -----------------------------------------
@pytest.mark.parametrize(
    ("inputs", "reason", "given"),
    [
        ([], "call-no-inputs", None),
        ([123], "call-input-type", "int"),
        ([Input(3.5)], "call-input-type", "float"),  # type: ignore[arg-type]
        (None, "call-input-type", "NoneType"),
    ],
)
def test_wrong_inputs_are_usage_errors(inputs: object, reason: str, given: str | None) -> None:
    with pytest.raises(msp_docs.UsageError) as caught:
        msp_docs.merge(inputs, io.BytesIO())  # type: ignore[arg-type]
    assert caught.value.exit_code == 2 and caught.value.facts["reason"] == reason
    assert caught.value.facts.get("given") == given
    assert "Please report it" not in caught.value.message()
    assert "Invalid call" in caught.value.message() and "Appel incorrect" in caught.value.message(
        "fr"
    )


def test_a_text_mode_output_is_a_usage_error_found_before_any_work(tmp_path: Path) -> None:
    source = CountingStream(iter([jpeg_bytes()]))
    with (tmp_path / "out.pdf").open("w") as text, pytest.raises(msp_docs.UsageError) as caught:
        msp_docs.merge([source], text)  # type: ignore[arg-type]
    assert caught.value.facts["reason"] == "text-stream"
    assert "binary mode" in caught.value.message()
    assert source.reads == 0  # refused before the input was read
    with pytest.raises(msp_docs.UsageError):
        msp_docs.merge([jpeg_bytes()], 42)  # type: ignore[arg-type]


def test_an_output_in_a_missing_directory_fails_before_any_work(tmp_path: Path) -> None:
    source = CountingStream(iter([jpeg_bytes()]))
    target = tmp_path / "no" / "such" / "dir" / "out.pdf"
    with pytest.raises(msp_docs.OutputError) as caught:
        msp_docs.convert(source, target)
    assert source.reads == 0
    assert caught.value.facts == {
        "target": str(target),
        "reason": "directory-missing",
        "value": str(target.parent),
    }
    assert f"the directory {target.parent} does not exist" in caught.value.message()
    assert not target.parent.exists()


def test_a_missing_input_is_named_by_its_path_as_given(tmp_path: Path) -> None:
    missing = tmp_path / "scans" / "missing.pdf"
    with pytest.raises(msp_docs.CannotReadInput) as caught:
        msp_docs.merge([jpeg_bytes(), missing], io.BytesIO())
    assert caught.value.input_name == str(missing)
    assert caught.value.message().startswith(f"{missing} could not be read: no such file")
    assert caught.value.facts == {"reason": "not-found"}


def test_the_password_never_shows_in_a_repr() -> None:
    options = Options(password="s3cret-Pa55", lang="fr")  # type: ignore[arg-type]
    assert "s3cret" not in repr(options) and "s3cret" not in str(options)
    assert options.password == "s3cret-Pa55"
