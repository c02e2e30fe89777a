"""What routes receive by injection: the portal, the caller's session, the client key, CSRF.

Everything comes from ``request.app.state.web`` (a :class:`WebContext` built once by the
factory): routes import no global and never build a collaborator themselves.
"""

from __future__ import annotations

import ipaddress
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Form, Request
from fastapi.templating import Jinja2Templates

from msp_portal.domain.paris import paris_today
from msp_portal.errors import PortalError, SessionInvalid
from msp_portal.portal import Portal
from msp_portal.services.cerfa import CerfaDesk
from msp_portal.web import csrf
from msp_portal.web.captcha import QuestionCaptcha
from msp_portal.web.errors import HttpProblem
from msp_portal.web.middleware import cookie_name, request_cookies
from msp_portal.web.settings import WebSettings

T = TypeVar("T")
SESSION_COOKIE = "msp-session"
CSRF_COOKIE = "msp-csrf"


@dataclass(frozen=True)
class WebContext:
    """The collaborators of the web layer, built once by :func:`msp_portal.web.create_app`."""

    portal: Portal
    settings: WebSettings
    templates: Jinja2Templates
    captcha: QuestionCaptcha
    cerfa: CerfaDesk
    merges: anyio.CapacityLimiter
    upload_cap: int
    """Bytes the files of one upload may hold in all (what the wallet accepts, or less)."""
    upload_files: int
    """Files one upload may carry (the wallet's ``max_upload_files``)."""

    async def merge(self, call: Callable[[], T]) -> T:
        """Run a merging call in a worker thread, at most ``max_concurrent_merges`` at once.

        A refused upload's error carries, through its traceback's frames, the upload's bytes
        as msp_docs read them; those frames sit in reference cycles that only Python's
        cyclic collector frees, long after the answer is sent (measured: 20 refused 10 MiB
        uploads held 240 MiB). The frames' locals are cleared before the error goes on: its
        code and facts are all the answer needs.
        """
        try:
            return await anyio.to_thread.run_sync(call, limiter=self.merges)
        except PortalError as error:
            release_frames(error)
            raise

    @property
    def secret(self) -> bytes:
        """The signing key."""
        return self.settings.secret_key.encode("utf-8")


def release_frames(error: BaseException) -> None:
    """Clear the locals of the finished frames in ``error``'s traceback and its causes'."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__


def web_context(request: Request) -> WebContext:
    """The application's :class:`WebContext`."""
    context: WebContext = request.app.state.web
    return context


Web = Annotated[WebContext, Depends(web_context)]


def get_portal(request: Request) -> Portal:
    """The application's :class:`~msp_portal.Portal`."""
    return web_context(request).portal


PortalDep = Annotated[Portal, Depends(get_portal)]


def today(request: Request) -> date:
    """Today in Paris, from the portal's injected clock (the move-date window, C1)."""
    return paris_today(web_context(request).portal.ctx.clock())


Today = Annotated[date, Depends(today)]


def get_cerfa(request: Request) -> CerfaDesk:
    """The CERFA forms desk."""
    return web_context(request).cerfa


CerfaDep = Annotated[CerfaDesk, Depends(get_cerfa)]


def session_cookie_name(request: Request) -> str:
    """The session cookie's name for this mount and security setting."""
    return cookie_name(
        request.scope, SESSION_COOKIE, secure=web_context(request).settings.cookie_secure
    )


def session_cookie(request: Request) -> str | None:
    """The session token held by the browser, if any (not yet checked)."""
    return request_cookies(request.scope).get(session_cookie_name(request)) or None


def bearer_token(request: Request) -> str:
    """The API caller's session token from ``Authorization: Bearer``; 401 when absent.

    The API never reads the session cookie: a browser sends cookies to any site's request,
    never an Authorization header, so the API needs no CSRF defence.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise SessionInvalid("no bearer token")
    return token


BearerToken = Annotated[str, Depends(bearer_token)]


def page_session(request: Request) -> str:
    """The page visitor's session token; without one, 401 ``sign-in-required`` (a redirect)."""
    token = session_cookie(request)
    if token is None:
        raise HttpProblem(401, "sign-in-required")
    return token


PageSession = Annotated[str, Depends(page_session)]


def client_key(request: Request) -> str:
    """Who is asking, for the portal's per-client throttle: the client address.

    For IPv6, its /64: one host holds a whole /64. The address is the ASGI server's
    ``client``: behind a reverse proxy, have the server rewrite it from the proxy's headers
    (``msp-portal serve --forwarded-allow-ips``), never trust such headers here.
    """
    host = request.client.host if request.client is not None else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64] or "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return (
        str(address.ipv4_mapped or address)
        if isinstance(address, ipaddress.IPv6Address)
        else str(address)
    )


ClientKey = Annotated[str, Depends(client_key)]


def check_csrf(request: Request, csrf_field: Annotated[str, Form(alias=csrf.FIELD)] = "") -> None:
    """Refuse an unsafe page request whose form lacks this visitor's CSRF token (403)."""
    web = web_context(request)
    csrf.verify(request, csrf_field, secret=web.secret, session_cookie=session_cookie(request))


CsrfChecked = Depends(check_csrf)
