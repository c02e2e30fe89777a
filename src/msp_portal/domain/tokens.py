"""Secrets handed to users (links, sessions, SMS and unlock codes), stored only as hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata

TOKEN_BYTES = 32  # 256 bits, above the 128 the issue and OWASP ask for
UNLOCK_CODE_BYTES = 10  # 80 bits, above the 64 asked for
SMS_CODE_DIGITS = 6


def new_token() -> str:
    """A fresh URL-safe token of 256 random bits (links, sessions, sign-in attempts)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """SHA-256 hex digest under which a token is stored; high-entropy tokens need no slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_sms_code() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(10**SMS_CODE_DIGITS):0{SMS_CODE_DIGITS}d}"


def normalise_sms_code(typed: str) -> str | None:
    """The six ASCII digits a typed code stands for, or None when it cannot be a code.

    Codes are retyped from a phone or pasted: full-width digits (``１２３４５６``), digits of
    other scripts, no-break and other spaces are all forgiven (NFKC, then every decimal digit
    mapped to ASCII, every blank removed). What is left must be exactly six digits.
    """
    compact = "".join(unicodedata.normalize("NFKC", typed).split())
    digits = []
    for ch in compact:
        value = unicodedata.decimal(ch, None)
        if value is None:
            return None
        digits.append(str(value))
    code = "".join(digits)
    return code if len(code) == SMS_CODE_DIGITS else None


def hash_sms_code(code: str, salt: str) -> str:
    """HMAC-SHA-256 of a code keyed by its challenge's own random salt.

    Six digits cannot be protected against offline guessing by any hash; the salt makes a stolen
    digest useless for any other challenge, and the code lives ten minutes only.
    """
    return hmac.new(salt.encode("ascii"), code.encode("ascii"), hashlib.sha256).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def new_unlock_code() -> str:
    """80 random bits as 16 base-32 characters in groups of four (``ABCD-EFGH-IJKL-MNOP``)."""
    raw = base64.b32encode(secrets.token_bytes(UNLOCK_CODE_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_unlock_code(code: str) -> str:
    """Unlock codes are read aloud and retyped: ignore width, case, blanks and dashes."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", code).upper() if ch.isalnum())
