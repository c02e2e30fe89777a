"""The public surface: error codes and their wording, exports, and the layering with msp_docs."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import msp_portal
from msp_portal._messages import ERRORS
from msp_portal.errors import AccountLocked, PortalError, error_classes

ROOT = Path(__file__).resolve().parents[2]


def test_every_error_has_a_unique_code_and_english_and_french_wording() -> None:
    classes = error_classes()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    for cls in classes:
        assert issubclass(cls, PortalError)
        english, french = ERRORS[cls.code]
        assert english and french and english != french
        assert cls().message("fr")  # renders even without facts
    # Keys are codes, or "code:reason" for a reason's own wording.
    assert {key.split(":")[0] for key in ERRORS} == set(codes)


def test_errors_render_their_facts_and_survive_pickling() -> None:
    error = AccountLocked(until=datetime(2025, 7, 14, 10, 30, tzinfo=UTC))
    assert "12:30 (heure de Paris)" in error.message("fr")
    assert "14/07/2025" in error.message("fr")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is AccountLocked and copy.facts == error.facts
    assert error.to_dict("fr")["code"] == "account-locked"


def test_public_api_is_sorted_and_complete() -> None:
    assert msp_portal.__all__ == sorted(msp_portal.__all__)
    for name in msp_portal.__all__:
        assert hasattr(msp_portal, name), name


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {m.split(".")[0] for m in out.split()}


def test_msp_portal_sits_above_msp_docs_without_needing_it() -> None:
    loaded = _modules_after("import msp_portal")
    assert "msp_docs" not in loaded  # accounts need nothing from the document pipeline
    assert not loaded & {"PIL", "pikepdf", "pypdf", "img2pdf", "magic", "zxcvbn", "psycopg"}


def test_msp_docs_never_imports_msp_portal() -> None:
    assert "msp_portal" not in _modules_after("import msp_docs")
    for source in (ROOT / "src" / "msp_docs").rglob("*.py"):
        assert "msp_portal" not in source.read_text(encoding="utf-8"), source


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_services_and_domain_depend_on_ports_never_on_adapters() -> None:
    """The services see a Store protocol and plain records; the SQL store is one adapter."""
    package = ROOT / "src" / "msp_portal"
    for layer in ("services", "domain"):
        for source in (package / layer).rglob("*.py"):
            adapters = {m for m in _imports(source) if m.startswith("msp_portal.adapters")}
            assert adapters == set(), f"{source.relative_to(ROOT)} imports {adapters}"
    assert "msp_portal.adapters" not in " ".join(_imports(package / "ports.py"))


def test_heavy_or_optional_libraries_load_only_when_used() -> None:
    assert "phonenumbers" not in _modules_after("import msp_portal")
