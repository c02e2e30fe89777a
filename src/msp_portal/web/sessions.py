"""The session cookie of the pages: it holds the portal's session token, nothing else.

The token is the portal's own (256 random bits, only its hash stored, idle and absolute
lifetimes enforced by the portal); the cookie is a browser-session cookie (no Max-Age),
HttpOnly, Secure, SameSite=Lax, ``__Host-`` prefixed when the portal is served at the site's
root. Lax rather than Strict so that a citizen following a link from an email or a partner site
arrives signed in; every state-changing form is POST with a CSRF token.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from msp_portal.web.deps import session_cookie_name, web_context
from msp_portal.web.middleware import cookie_path


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """Give the browser its session token."""
    response.set_cookie(
        session_cookie_name(request),
        token,
        path=cookie_path(request.scope),
        secure=web_context(request).settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    """Make the browser forget its session token."""
    response.delete_cookie(
        session_cookie_name(request),
        path=cookie_path(request.scope),
        secure=web_context(request).settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
