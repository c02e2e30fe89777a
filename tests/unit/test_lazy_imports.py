"""`import msp_docs` and `msp-docs --help` must not pay for the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "PIL",
    "pikepdf",
    "pypdf",
    "img2pdf",
    "magic",
    "dask",
    "distributed",
    "fontTools",
    "deflate",
)


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def test_import_msp_docs_is_light() -> None:
    loaded = _modules_after("import msp_docs")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


@pytest.mark.parametrize(
    "argv", [["--help"], ["batch", "--help"], ["cerfa", "--help"], ["cerfa", "fill", "--help"]]
)
def test_cli_help_is_light(argv: list[str]) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['msp-docs', *{argv!r}]\n"
        "from msp_docs_cli.app import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
    )
    loaded = _modules_after(code)
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


@pytest.mark.parametrize("module", ["msp_docs.batch", "msp_docs.forms", "msp_docs.cerfa"])
def test_import_msp_docs_modules_is_light(module: str) -> None:
    loaded = _modules_after(f"import {module}")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


def test_public_api_is_sorted_and_complete() -> None:
    import msp_docs

    assert msp_docs.__all__ == sorted(msp_docs.__all__)
    for name in msp_docs.__all__:
        assert hasattr(msp_docs, name), name
