"""Content-Disposition for any file name: one well-formed header line, a safe ASCII fallback."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msp_portal.web.downloads import content_disposition


@pytest.mark.parametrize(
    ("name", "fallback", "utf8"),
    [
        ("Carte d'identité.pdf", "Carte d_identite.pdf", "Carte d'identité.pdf"),
        ('a"; filename="evil.exe', "a__ filename__evil.exe", 'a"; filename="evil.exe'),
        ("..\\..\\secret.pdf", "secret.pdf", "secret.pdf"),
        ("ligne\r\nSet-Cookie: x=1.pdf", "ligneSet-Cookie_ x_1.pdf", "ligneSet-Cookie: x=1.pdf"),
        ("fac\u202etxt.exe", "factxt.exe", "factxt.exe"),
        ("   ", "document", "document"),
        ("日本語.pdf", "document.pdf", "日本語.pdf"),
        ("...", "document", "document"),
    ],
)
def test_names(name: str, fallback: str, utf8: str) -> None:
    header = content_disposition(name)
    assert header.startswith(f"attachment; filename=\"{fallback}\"; filename*=UTF-8''")
    assert unquote(header.split("UTF-8''", 1)[1]) == utf8


@given(st.text(max_size=300))
def test_any_name_gives_one_latin1_line_without_injection(name: str) -> None:
    header = content_disposition(name)
    header.encode("latin-1")
    assert "\r" not in header and "\n" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback and '"' not in fallback and ";" not in fallback
    encoded = header.split("UTF-8''", 1)[1]
    assert all(c.isalnum() or c in "%-._~" for c in encoded)
