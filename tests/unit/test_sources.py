"""Reading inputs: counts and byte totals are enforced while reading, not after."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from msp_docs._sources import CHUNK_SIZE, Input, as_inputs, read_inputs
from msp_docs.errors import CannotReadInput, InputTooLarge, TooManyFiles
from msp_docs.limits import Limits, MiB
from tests.fixtures import CountingStream, endless_zeros


def test_fifth_input_is_refused_before_anything_is_read() -> None:
    streams = [CountingStream(iter([b"x" * 10]), name=f"f{i}.pdf") for i in range(5)]
    with pytest.raises(TooManyFiles) as info:
        read_inputs(as_inputs(streams), Limits())
    assert all(s.reads == 0 for s in streams)
    assert info.value.code == "too-many-files"
    assert info.value.input_name == "f4.pdf"
    assert info.value.facts["limit"] == 4


def test_endless_iterable_of_inputs_is_not_materialised() -> None:
    def forever():
        while True:
            yield b"data"

    items = as_inputs(forever(), at_most=5)
    assert len(items) == 5
    with pytest.raises(TooManyFiles):
        read_inputs(items, Limits())


def test_stream_past_the_total_stops_reading_at_the_limit() -> None:
    stream = CountingStream(endless_zeros(), name="upload.bin")
    limits = Limits()
    with pytest.raises(InputTooLarge) as info:
        read_inputs([Input(stream)], limits)
    assert limits.max_total_bytes < stream.bytes_read <= limits.max_total_bytes + CHUNK_SIZE
    assert info.value.input_name == "upload.bin"
    assert info.value.facts["limit"] == 10 * MiB == 10_485_760
    assert info.value.facts["read"] > 10 * MiB


def test_ten_mib_plus_one_over_several_inputs_names_the_one_that_crossed() -> None:
    first = b"a" * (6 * MiB)
    second = CountingStream(iter([b"b" * (4 * MiB), b"c"] + [b"never"] * 1000), name="two")
    with pytest.raises(InputTooLarge) as info:
        read_inputs([Input(first, name="one"), Input(second)], Limits())
    assert info.value.input_name == "two"
    assert info.value.facts["read"] == 10 * MiB + 1
    assert second.bytes_read == 4 * MiB + 1  # stopped right after the byte that crossed


def test_exactly_the_limit_is_accepted() -> None:
    loaded = read_inputs([Input(b"x" * (10 * MiB), name="big")], Limits())
    assert len(loaded[0].data) == 10 * MiB


def test_names_come_from_paths_streams_or_defaults(tmp_path: Path) -> None:
    path = tmp_path / "scan.JPG"
    path.write_bytes(b"abc")
    stream = io.BytesIO(b"def")
    loaded = read_inputs(
        [Input(path), Input(stream), Input(b"ghi", name="../../etc/\u202epasswd.txt")], Limits()
    )
    assert [item.name for item in loaded] == ["scan.JPG", "input-2", "passwd.txt"]
    assert loaded[0].extension == "jpg"
    assert [item.data for item in loaded] == [b"abc", b"def", b"ghi"]


def test_missing_path_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(CannotReadInput) as info:
        read_inputs([Input(tmp_path / "nope.pdf")], Limits())
    assert info.value.input_name == str(tmp_path / "nope.pdf")  # as given, not only its name
    assert info.value.exit_code == 8


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="max_files"):
        Limits(max_files=0)
