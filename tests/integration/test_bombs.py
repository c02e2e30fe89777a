"""Issue 3's and issue 12's bombs, built with code (tests/bombs.py): each refused with its code.

Run through the public API with isolation on, as a service would. The answer must not depend on
the machine's load: each bomb is refused by counting (declared sizes, object counts, inflated
bytes) long before the time budget matters, and ``.ci/run`` runs this module a second time
beside processes that keep every core busy. No test here measures time; the image backends'
own bomb tests (test_images_bombs.py) check that refusing allocates almost nothing.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

import pypdf
import pytest

import msp_docs
from tests import bombs
from tests.conftest import ROOT
from tests.pdfcheck import active_content

REFUSED = {
    "pdf-flate-bomb-512mib": "decompression-bomb",
    "pdf-jbig2-10e12-pixels": "image-too-large",
    "pdf-ccitt-10e12-pixels": "image-too-large",
    "pdf-50000-pages": "too-many-pages",
    "pdf-page-tree-cycle": "corrupt-pdf",
    # qpdf refuses to parse the page dictionary holding the 10 000-deep array; nothing remains.
    "pdf-nesting-10000": "no-pages",
    "pdf-1000000-objects": "too-many-objects",
    "pdf-1000000-dictionaries": "too-many-objects",
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
    with pytest.raises(msp_docs.MspDocsError) as caught:
        msp_docs.convert(msp_docs.Input(data, name=f"{name}.pdf"), io.BytesIO())
    assert caught.value.code == REFUSED[name], caught.value.message()


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
    with pytest.raises(msp_docs.MspDocsError) as caught:
        msp_docs.convert(msp_docs.Input(build(), name=f"{name}.{extension}"), io.BytesIO())
    assert caught.value.code == IMAGE_CODES[name], caught.value.message()


# --- issue 12's held-out cases --------------------------------------------------------------------
_MEASURE = textwrap.dedent(
    """
    import io, json, resource, sys
    sys.path.insert(0, sys.argv[1])
    import msp_docs
    from tests import bombs
    data = bombs.PDF_BOMBS[sys.argv[2]]()
    try:
        msp_docs.convert(msp_docs.Input(data, name="bomb.pdf"), io.BytesIO())
        code = None
    except msp_docs.MspDocsError as error:
        code = error.code
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"code": code, "child_peak_kib": children.ru_maxrss, "size": len(data)}))
    """
)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        # ~7 MB whose object streams hold a million small dictionaries: qpdf built them all
        # (510 MB, then the child died: "unprocessable"). The object counts the raw structure
        # declares refuse it before qpdf parses anything (70 MB).
        ("pdf-1000000-dictionaries", "too-many-objects"),
        # 50 000 pages: opening pushed inherited attributes down every page (150 MB) before
        # they could be counted; the page tree's /Count refuses it first (45 MB).
        ("pdf-50000-pages", "too-many-pages"),
    ],
)
def test_bombs_are_counted_not_built(name: str, code: str) -> None:
    # Measured in a fresh process, whose only decoding child is this one.
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(ROOT), name],
        capture_output=True,
        text=True,
        check=True,
    )
    outcome = json.loads(done.stdout)
    assert outcome["code"] == code
    assert outcome["size"] < msp_docs.Limits().max_total_bytes
    assert outcome["child_peak_kib"] < 100 * 1024, outcome


def test_page_content_inflating_to_a_gigabyte_stops_at_the_content_cap() -> None:
    # 1 GB of spaces in one content stream (1 MB compressed): inflating used to go on up to the
    # 256 MiB stream limit. The content of a document is capped as a whole, far lower, and
    # inflating stops at the first megabyte past the cap.
    data = bombs.pdf_flate_bomb(1024 * bombs.MiB)
    with pytest.raises(msp_docs.DecompressionBomb) as caught:
        msp_docs.convert(msp_docs.Input(data, name="spaces.pdf"), io.BytesIO())
    limits = msp_docs.Limits()
    assert caught.value.facts["limit"] == limits.max_content_bytes
    assert limits.max_content_bytes * 8 <= limits.max_stream_bytes
