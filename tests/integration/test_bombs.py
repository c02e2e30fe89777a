"""Issue 3's bombs, built with code (tests/bombs.py): each refused with its code, or made safe.

Run through the public API with isolation on, as a service would. The image backends' own bomb
tests (test_images_bombs.py) also check that refusing allocates almost nothing.
"""

from __future__ import annotations

import io
import time

import pypdf
import pytest

import msp_docs
from tests import bombs
from tests.pdfcheck import active_content

REFUSED = {
    "pdf-flate-bomb-512mib": "decompression-bomb",
    "pdf-jbig2-10e12-pixels": "image-too-large",
    "pdf-ccitt-10e12-pixels": "image-too-large",
    "pdf-100000-pages": "too-many-pages",
    "pdf-page-tree-cycle": "corrupt-pdf",
    # qpdf refuses to parse the page dictionary holding the 10 000-deep array; nothing remains.
    "pdf-nesting-10000": "no-pages",
    "pdf-1000000-objects": "too-many-objects",
    "pdf-1000000-operators": "page-too-complex",
    # The page's content is the object stream's own member; qpdf cannot resolve it.
    "pdf-objstm-self-reference": "corrupt-pdf",
}
# Loops that qpdf or our walk cut: the file is repaired and its one page kept, finite and safe.
REPAIRED = ["pdf-outline-cycle", "pdf-name-tree-cycle", "pdf-xref-loop"]


def test_every_bomb_has_an_expected_outcome() -> None:
    assert set(bombs.PDF_BOMBS) == set(REFUSED) | set(REPAIRED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bomb_is_refused_with_its_code(name: str) -> None:
    data = bombs.PDF_BOMBS[name]()
    started = time.monotonic()
    with pytest.raises(msp_docs.MspDocsError) as caught:
        msp_docs.convert(msp_docs.Input(data, name=f"{name}.pdf"), io.BytesIO())
    assert caught.value.code == REFUSED[name], caught.value.message()
    assert time.monotonic() - started < msp_docs.Limits().max_seconds_per_input


@pytest.mark.parametrize("name", REPAIRED)
def test_loops_are_cut_and_the_output_is_finite(name: str) -> None:
    sink = io.BytesIO()
    report = msp_docs.convert(bombs.PDF_BOMBS[name](), sink)
    assert report.output is not None and report.output.pages == 1
    reader = pypdf.PdfReader(io.BytesIO(sink.getvalue()))
    assert len(reader.pages) == 1
    outline = reader.outline  # would loop for ever if a cycle had been copied
    assert len(outline) <= 3
    assert active_content(sink.getvalue()) == []


IMAGE_CODES = {
    "png-225000x225000": "image-too-large",
    "png-chunk-length-2g": "truncated",
    "png-ztxt-1gib": "decompression-bomb",
    "png-itxt-1gib": "decompression-bomb",
    "png-iccp-1gib": "decompression-bomb",
    "png-idat-1gib": "corrupt-image",
    "gif-frame-65535x65535": "image-too-large",
    "gif-20000-frames": "too-many-frames",
    "jpeg-65000x65000-in-1kib": "image-too-large",
}


def test_every_image_bomb_has_an_expected_code() -> None:
    assert set(bombs.IMAGE_BOMBS) == set(IMAGE_CODES)


@pytest.mark.parametrize("name", sorted(IMAGE_CODES))
def test_image_bomb_is_refused_through_the_api(name: str) -> None:
    extension, build = bombs.IMAGE_BOMBS[name]
    started = time.monotonic()
    with pytest.raises(msp_docs.MspDocsError) as caught:
        msp_docs.convert(msp_docs.Input(build(), name=f"{name}.{extension}"), io.BytesIO())
    assert caught.value.code == IMAGE_CODES[name], caught.value.message()
    assert time.monotonic() - started < msp_docs.Limits().max_seconds_per_input
