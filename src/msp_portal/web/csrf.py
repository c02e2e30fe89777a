"""CSRF protection of the pages' forms: a token bound to the visitor's CSRF cookie and session.

The token is HMAC-SHA-256(secret, CSRF cookie, session cookie): a page's form carries it in a
hidden ``csrf`` field. Another site can neither read the cookie nor compute the HMAC, and a
token taken from one visitor (or from before a sign-in) fails for another visitor (or after it):
OWASP's "signed double-submit cookie" bound to the session. The cookie is ``__Host-`` prefixed
(no sub-domain can plant it), HttpOnly, SameSite=Lax.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from starlette.requests import Request

from msp_portal.web.errors import HttpProblem
from msp_portal.web.middleware import CSRF_SCOPE_KEY, SAFE_METHODS

FIELD = "csrf"


def _digest(secret: bytes, csrf_cookie: str, session_cookie: str) -> str:
    mac = hmac.new(secret, b"csrf\x00", hashlib.sha256)
    mac.update(csrf_cookie.encode("utf-8", "replace"))
    mac.update(b"\x00")
    mac.update(session_cookie.encode("utf-8", "replace"))
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")


def csrf_token(request: Request, *, secret: bytes, session_cookie: str | None) -> str:
    """The token the request's pages put in their forms."""
    csrf_cookie: str = request.scope.get(CSRF_SCOPE_KEY, "")
    return _digest(secret, csrf_cookie, session_cookie or "")


def verify(request: Request, given: str, *, secret: bytes, session_cookie: str | None) -> None:
    """Raise 403 ``csrf-failed`` unless ``given`` is this visitor's token."""
    if request.method in SAFE_METHODS:
        return
    expected = csrf_token(request, secret=secret, session_cookie=session_cookie)
    if not request.scope.get(CSRF_SCOPE_KEY) or not hmac.compare_digest(
        given.encode("utf-8", "replace"), expected.encode("ascii")
    ):
        raise HttpProblem(403, "csrf-failed")
