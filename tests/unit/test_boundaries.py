"""Boundaries that hold: what is public, who imports whom, what each install needs.

The import graph itself is checked by import-linter (contracts in pyproject.toml, run by
scripts/test.sh); these tests check what a graph cannot say.
"""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import msp_docs
import msp_docs_cli
import msp_portal_cli
from tests.conftest import ROOT, SAMPLES

# The public interface: the package itself and these modules. Every other module has a name
# that starts with an underscore, or sits in a package that does (README, "Public API").
_LIBRARY = {"", "errors", "limits", "options", "report", "batch", "forms", "cerfa", "__main__"}
PUBLIC = {
    "msp_docs": _LIBRARY,
    "msp_docs_cli": {"", "app", "__main__"},
    "msp_portal_cli": {"", "app"},
}


def _modules(package: object) -> list[str]:
    path = Path(package.__file__).parent  # type: ignore[attr-defined]
    return [m.name for m in pkgutil.walk_packages([str(path)])]


@pytest.mark.parametrize(
    "package", [msp_docs, msp_docs_cli, msp_portal_cli], ids=lambda p: p.__name__
)
def test_a_module_is_public_only_when_listed(package: object) -> None:
    name = package.__name__  # type: ignore[attr-defined]
    public = PUBLIC[name]
    for module in _modules(package):
        parts = module.split(".")
        if any(part.startswith("_") and part != "__main__" for part in parts):
            continue  # private: an underscore name, or inside an underscore package
        assert module in public, f"{name}.{module} is public: give it an underscore name"
    for module in public - {""}:
        assert module in _modules(package), module


def test_public_modules_export_only_public_names() -> None:
    import importlib

    for module in sorted(PUBLIC["msp_docs"] - {"", "__main__"}):
        loaded = importlib.import_module(f"msp_docs.{module}")
        exported = loaded.__all__
        for name in exported:
            assert not name.startswith("_") and hasattr(loaded, name), (module, name)
    assert msp_docs.__all__ == sorted(msp_docs.__all__)
    for name in msp_docs.__all__:
        assert hasattr(msp_docs, name), name


def test_formats_use_the_standard_library_only() -> None:
    formats = Path(msp_docs.__file__).parent / "_formats"
    for path in formats.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "msp_docs", (path.name, name)
                assert not name.startswith(("msp_docs._backends", "msp_docs._pipeline")), name


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        check=False,
        timeout=120,
    )


def test_the_library_does_not_import_its_command_line() -> None:
    done = _run("import sys, msp_docs, msp_docs.batch; print('msp_docs_cli' in sys.modules)")
    assert done.stdout.strip() == "False", done.stderr
    version = subprocess.run(
        [sys.executable, "-m", "msp_docs", "--version"], capture_output=True, text=True, check=False
    )
    assert version.returncode == 0 and version.stdout.startswith("msp-docs "), version.stderr


# Makes the named modules unimportable, as if they were not installed.
_BLOCK = """
import sys
for name in {names!r}:
    sys.modules[name] = None
"""


# What the extras install (portal, postgres, s3, test, bench), by module: none is msp_docs'.
_NOT_CORE = [
    "pypdf", "img2pdf", "sqlalchemy", "argon2", "zxcvbn", "phonenumbers", "fpdf", "httpx",
    "psycopg", "boto3", "botocore", "moto", "stdnum", "numpy", "isal", "zlib_ng",
]  # fmt: skip


def test_msp_docs_works_without_the_test_and_benchmark_libraries(tmp_path: Path) -> None:
    # pypdf and img2pdf are test and benchmark tools (extras); every kind goes through a merge,
    # with fit (libdeflate, the fit decodes), and a form is filled with a name that needs the
    # embedded font (fontTools) and found in the catalogue shipped as package data.
    import pikepdf

    from tests.pdffixtures import text_field

    form = tmp_path / "form.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        text_field(pdf, 0, "Nom")
        pdf.save(form)
    code = _BLOCK.format(names=_NOT_CORE) + (
        "import io, msp_docs\n"
        "from msp_docs import cerfa, forms\n"
        f"samples = sorted(__import__('pathlib').Path({str(SAMPLES)!r}).iterdir())\n"
        "report = msp_docs.merge(samples, io.BytesIO())\n"
        "fitted = msp_docs.merge(samples, io.BytesIO(), options=msp_docs.Options(fit=400_000))\n"
        f"filled = forms.fill({str(form)!r}, {{'Nom': 'Łukasz Dupré'}})\n"
        "catalogue = cerfa.Catalogue.load('.')\n"
        "print(report.output.pages, fitted.output.bytes <= 400_000, filled.report.filled,\n"
        "      len(list(catalogue)))\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    pages, fitted, filled, forms_known = done.stdout.split(" ", 3)
    assert int(pages) >= 4 and fitted == "True"
    assert filled == "['Nom']" and int(forms_known) >= 4


@pytest.mark.parametrize(
    ("module", "distribution"),
    [
        ("sqlalchemy", "SQLAlchemy"),
        ("phonenumbers", "phonenumbers"),
        ("fpdf", "fpdf2"),
        ("httpx", "httpx"),
    ],
)
def test_msp_portal_without_its_extra_says_which_to_install(module: str, distribution: str) -> None:
    done = _run(_BLOCK.format(names=[module]) + "import msp_portal\n")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: msp_portal needs the 'portal' extra")
    assert distribution in last and "pip install 'msp-docs[portal]'" in last
