"""Every PNG, GIF and JPEG of the shared corpus gets exactly the outcome decided for it."""

from __future__ import annotations

import io
import warnings

import pypdf
import pytest
from PIL import Image

from msp_docs import Options, convert, validate
from tests.conftest import CORPUS, corpus_manifest, corpus_path, shared_missing
from tests.corpus_codes.images import DECISIONS

pytestmark = pytest.mark.corpus


def test_every_image_row_of_the_manifest_is_decided() -> None:
    rows = corpus_manifest()
    if not rows:
        shared_missing("../shared/corpus")
    image_rows = {
        r.name
        for r in rows
        if r.kind in ("png", "gif", "jpg")
        or r.name in ("png-named-dot-jpg.jpg", "jpeg-mpo-stereo.mpo")
    }
    assert image_rows == set(DECISIONS)
    by_name = {r.name: r for r in rows}
    for name, decision in DECISIONS.items():
        expected = by_name[name].expected
        if expected == "accept":
            assert decision == "accept", name
        elif expected == "reject":
            assert decision != "accept", name


@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_decision(name: str) -> None:
    path = corpus_path(name)
    decision = DECISIONS[name]
    report = validate([path])
    entry = report.inputs[0]
    if decision != "accept":
        assert entry.status == "rejected", f"{name} was accepted"
        assert entry.error is not None
        assert entry.error.code == decision, entry.error.to_dict()
        return
    assert entry.status == "accepted", entry.error.to_dict() if entry.error else name
    out = io.BytesIO()
    convert(path, out)
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 1
    (image,) = reader.pages[0].images
    stored = _stored_size(path.read_bytes())
    assert image.image.size == stored
    shown = (entry.width, entry.height)
    assert shown in (stored, stored[::-1])


def _stored_size(data: bytes) -> tuple[int, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's note about a malformed MPO header
        return Image.open(io.BytesIO(data)).size


@pytest.mark.parametrize(
    ("name", "frames"),
    [
        ("gif-animated-31frames-trns.gif", 31),
        ("gif-animated-42frames.gif", 42),
        ("gif-animated-dispose-bg.gif", 5),
        ("gif-animated-dispose-prev.gif", 5),
    ],
)
def test_all_frames_become_pages(name: str, frames: int) -> None:
    if not CORPUS.is_dir():
        shared_missing("../shared/corpus")
    out = io.BytesIO()
    report = convert(corpus_path(name), out, options=Options(all_frames=True))
    assert report.inputs[0].pages == frames
    assert len(pypdf.PdfReader(io.BytesIO(out.getvalue())).pages) == frames
