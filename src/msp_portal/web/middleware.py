"""ASGI middleware: security headers, the CSRF cookie, the cross-site guard, the body cap.

Pure ASGI (no ``BaseHTTPMiddleware``) so that request bodies stream through untouched and a
refusal is sent before the body is read.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from msp_portal.web.errors import HttpProblem

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    # Reset and confirmation links carry tokens in the URL: never tell another site. (Not
    # no-referrer: browsers then send "Origin: null" with the site's own form posts.)
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
STATIC_CACHE = "public, max-age=3600"
HSTS = "max-age=31536000"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_SCOPE_KEY = "msp.csrf_cookie"

ProblemRenderer = Callable[[Request, HttpProblem], Awaitable[Response]]


def relative_path(scope: Scope) -> str:
    """The request path inside this application (without the mount prefix)."""
    path: str = scope.get("path", "/")
    root: str = scope.get("root_path", "")
    return path[len(root) :] or "/" if root and path.startswith(root) else path


def is_api(scope: Scope) -> bool:
    """Whether the request is for the JSON API (errors answer JSON there, pages elsewhere)."""
    return relative_path(scope).startswith("/api/")


def is_static(scope: Scope) -> bool:
    """Whether the request is for the stylesheet and other static files."""
    return relative_path(scope).startswith("/static/")


def cookie_name(scope: Scope, base: str, *, secure: bool) -> str:
    """``__Host-`` when allowed (secure, whole site), ``__Secure-`` when mounted under a path."""
    if not secure:
        return base
    return ("__Secure-" if scope.get("root_path") else "__Host-") + base


def cookie_path(scope: Scope) -> str:
    """The path cookies are scoped to: the mount prefix, or the whole site."""
    root: str = scope.get("root_path", "")
    return root or "/"


def request_cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies (a malformed Cookie header counts as none)."""
    raw = Headers(scope=scope).get("cookie", "")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # http.cookies raises CookieError on hostile input
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


class SecurityHeaders:
    """Adds the security headers to every answer and issues the CSRF cookie to page visitors.

    HTML pages and API answers are ``no-store`` (they carry personal data and tokens); only
    static files may be cached. HSTS is sent over HTTPS.
    """

    def __init__(self, app: ASGIApp, *, csrf_cookie: str, secure: bool) -> None:
        self.app = app
        self.csrf_cookie = csrf_cookie
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = is_static(scope)
        issue: str | None = None
        if not static and not is_api(scope):
            name = cookie_name(scope, self.csrf_cookie, secure=self.secure)
            existing = request_cookies(scope).get(name, "")
            if len(existing) >= 32:
                scope[CSRF_SCOPE_KEY] = existing
            else:
                issue = secrets.token_urlsafe(32)
                scope[CSRF_SCOPE_KEY] = issue
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
                if static:
                    headers.setdefault("cache-control", STATIC_CACHE)
                else:
                    headers["cache-control"] = "no-store"
                    headers["pragma"] = "no-cache"
                if https:
                    headers.setdefault("strict-transport-security", HSTS)
                if issue is not None:
                    name = cookie_name(scope, self.csrf_cookie, secure=self.secure)
                    attributes = [f"{name}={issue}", f"Path={cookie_path(scope)}", "HttpOnly"]
                    attributes.append("SameSite=Lax")
                    if self.secure:
                        attributes.append("Secure")
                    headers.append("set-cookie", "; ".join(attributes))
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CrossSiteGuard:
    """Refuses page form submissions that a browser says come from another site.

    A second line behind the CSRF token: a ``Sec-Fetch-Site`` other than ``same-origin`` (a
    sibling sub-domain included), or else an ``Origin`` that is neither this host nor the public
    address, is refused with 403 before the body is read. The
    JSON API authenticates with a bearer token that browsers never send by themselves, so it is
    left to its clients.
    """

    def __init__(self, app: ASGIApp, *, public_url: str, render: ProblemRenderer) -> None:
        self.app = app
        self.public_netloc = urlsplit(public_url).netloc.lower()
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if (
            scope["type"] == "http"
            and scope["method"] not in SAFE_METHODS
            and not is_api(scope)
            and self._cross_site(Headers(scope=scope))
        ):
            request = Request(scope, receive)
            response = await self.render(request, HttpProblem(403, "cross-site-refused"))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _cross_site(self, headers: Headers) -> bool:
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None:  # browsers since 2020-2023: trust their word first
            return fetch_site.lower() not in {"same-origin", "none"}
        origin = headers.get("origin")
        if origin is None:  # an old browser or not a browser: the CSRF token still decides
            return False
        if origin == "null":
            return True
        netloc = urlsplit(origin).netloc.lower()
        return netloc not in {headers.get("host", "").lower(), self.public_netloc}


class BodyTooLarge(HTTPException):
    """The request body passed its cap (an HTTPException so frameworks let it through)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


class BodyLimit:
    """Caps every request body, so that an oversized body is never read whole.

    Refused from ``Content-Length`` at once, or as soon as the bytes received pass the cap.

    ``limit_for`` gives a request's cap and the limit announced to the user (uploads get a
    larger cap than forms, announced as the documents' limit, D2).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit_for: Callable[[Scope], tuple[int, int]],
        render: ProblemRenderer,
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, announced = self.limit_for(scope)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send, announced)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(announced)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send, announced)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        problem = body_too_large(limit)
        response = await self.render(Request(scope, receive), problem)
        response.headers["connection"] = "close"
        await response(scope, receive, send)


def body_too_large(limit: int) -> HttpProblem:
    """The 413 refusal, with the cap in words in both languages."""
    from msp_portal.web._messages import size_text

    return HttpProblem(
        413,
        "body-too-large",
        limit=limit,
        limit_text=size_text(limit, "en"),
        limit_text_fr=size_text(limit, "fr"),
    )


class InternalErrors:
    """Turns an unexpected exception into the 500 answer, inside the security headers.

    (Starlette's own last-resort handler sits outside every middleware, so its answer would
    go out without them.) ``render`` logs the traceback and answers without detail.
    """

    def __init__(
        self, app: ASGIApp, *, render: Callable[[Request, Exception], Awaitable[Response]]
    ) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            response = await self.render(Request(scope, receive), exc)
            await response(scope, receive, send)
