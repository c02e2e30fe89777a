"""Nothing in the pipeline keys on MD5 or SHA-1: colliding digests cannot merge two files into one.

The shared corpus has no MD5/SHA-1 collision pair, so this test makes every MD5 and SHA-1 digest
collide instead, in-process, and checks that different inputs still give different, correct
outputs; and the source never asks hashlib for those algorithms.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pypdf
import pytest

import msp_docs
from msp_docs import Options
from tests.fixtures import jpeg_bytes, png_bytes

SRC = Path(msp_docs.__file__).parent


class _Constant:
    def __init__(self, *_: object, **__: object) -> None:
        pass

    def update(self, _: bytes) -> None:
        pass

    def digest(self) -> bytes:
        return b"\0" * 16

    def hexdigest(self) -> str:
        return "0" * 32


def test_colliding_digests_do_not_merge_different_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashlib, "md5", _Constant)
    monkeypatch.setattr(hashlib, "sha1", _Constant)
    in_process = Options(isolate=False)
    for make in (jpeg_bytes, png_bytes):
        first, second = io.BytesIO(), io.BytesIO()
        red, blue = make(colour=(255, 0, 0)), make(colour=(0, 0, 255))
        msp_docs.merge([red, blue], first, options=in_process)
        msp_docs.merge([blue, red], second, options=in_process)
        assert first.getvalue() != second.getvalue()
        for out in (first, second):
            reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
            images = [page.images[0].image for page in reader.pages]
            colours = [img.convert("RGB").getpixel((1, 1)) for img in images]
            assert colours[0] != colours[1]


def test_source_never_uses_md5_or_sha1() -> None:
    pattern = re.compile(r"\b(md5|sha1)\b", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and "never" not in line
    ]
    assert not offenders
