"""The portal's own dependencies, the ``portal`` extra: checked once, when msp_portal is imported.

``pip install msp-docs`` installs what msp_docs needs and no more; msp_portal also needs an SQL
toolkit, a password hasher, a password-strength estimator, phone-number metadata, a PDF writer
for dossier summaries and an HTTP client for deliveries. Without them, importing msp_portal
says which extra to install instead of failing on the first missing module (some are imported
only when used, which would be much later).
"""

from __future__ import annotations

import importlib.util

__all__ = ["MISSING_MESSAGE"]

# Module -> distribution of the 'portal' extra (pyproject.toml).
_NEEDED = {
    "sqlalchemy": "SQLAlchemy",
    "argon2": "argon2-cffi",
    "zxcvbn": "zxcvbn",
    "phonenumbers": "phonenumbers",
    "fpdf": "fpdf2",
    "httpx": "httpx",
}

MISSING_MESSAGE = (
    "msp_portal needs the 'portal' extra, which installs {missing}: "
    "pip install 'msp-docs[portal]' (from a checkout: pip install '.[portal]', or "
    "scripts/setup.sh portal)"
)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: blocked (sys.modules[module] is None)
        return False


_missing = [dist for module, dist in _NEEDED.items() if not _installed(module)]
if _missing:
    raise ImportError(MISSING_MESSAGE.format(missing=", ".join(_missing)))
