"""Exception handlers: every failure answers with a stable code, JSON on the API, a page elsewhere.

No traceback ever reaches a client: an unexpected exception answers 500 ``internal-error``
and is logged with its traceback for the operator.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from msp_docs.errors import MspDocsError
from msp_portal.errors import PortalError, SessionInvalid
from msp_portal.web.deps import web_context
from msp_portal.web.errors import (
    HttpProblem,
    docs_error_body,
    docs_status_for,
    portal_error_body,
    problem_body,
    status_for,
)
from msp_portal.web.middleware import BodyTooLarge, body_too_large, is_api, relative_path
from msp_portal.web.rendering import path_for, render

log = logging.getLogger("msp_portal.web")

HTTP_CODES = {404: "not-found", 405: "method-not-allowed", 413: "body-too-large"}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)


async def render_problem(request: Request, problem: HttpProblem) -> Response:
    """A web-layer refusal as JSON (API) or as a French page."""
    if is_api(request.scope):
        return _json(problem.status, problem_body(problem), problem.headers)
    if problem.code == "sign-in-required":
        return _to_sign_in(request)
    return render(request, "erreur.html", error=problem, status=problem.status)


def _to_sign_in(request: Request, *, expired: bool = False) -> Response:
    query = {"suite": relative_next(request)} if request.method == "GET" else {}
    if expired:
        query["info"] = "session-expiree"
    response = RedirectResponse(
        path_for(request, "page_sign_in") + ("?" + urlencode(query) if query else ""), 303
    )
    from msp_portal.web.sessions import clear_session_cookie

    clear_session_cookie(request, response)
    return response


def relative_next(request: Request) -> str:
    """The current page as a ``suite`` parameter (path and query, mount prefix included)."""
    root: str = request.scope.get("root_path", "")
    path = root + relative_path(request.scope)
    return path + ("?" + request.url.query if request.url.query else "")


def retry_after(request: Request, error: PortalError) -> dict[str, str]:
    """``Retry-After`` for a limit with an ``until`` fact (seconds, from the portal's clock)."""
    until = error.facts.get("until")
    if status_for(error) != 429 or not isinstance(until, datetime):
        return {}
    now = web_context(request).portal.ctx.clock()
    return {"retry-after": str(max(1, math.ceil((until - now).total_seconds())))}


async def portal_error(request: Request, exc: Exception) -> Response:
    """A portal error that no route turned into a form message."""
    assert isinstance(exc, PortalError)
    headers = retry_after(request, exc)
    if is_api(request.scope):
        if status_for(exc) == 401:
            headers["www-authenticate"] = "Bearer"
        return _json(status_for(exc), portal_error_body(exc), headers)
    if isinstance(exc, SessionInvalid):
        return _to_sign_in(request, expired=True)
    response = render(request, "erreur.html", error=exc, status=status_for(exc))
    response.headers.update(headers)
    return response


async def docs_error(request: Request, exc: Exception) -> Response:
    """An msp_docs error (a CERFA form or value) that no route turned into a form message."""
    assert isinstance(exc, MspDocsError)
    if is_api(request.scope):
        return _json(docs_status_for(exc), docs_error_body(exc))
    return render(request, "erreur.html", error=exc, status=docs_status_for(exc))


async def http_problem(request: Request, exc: Exception) -> Response:
    """A refusal of the web layer itself."""
    assert isinstance(exc, HttpProblem)
    return await render_problem(request, exc)


async def http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own HTTP errors (unknown route, wrong method, body too large)."""
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, BodyTooLarge):
        problem = body_too_large(exc.limit)
    else:
        code = HTTP_CODES.get(exc.status_code, "invalid-request")
        problem = HttpProblem(exc.status_code, code, fields="?")
    problem.headers.update(exc.headers or {})
    return await render_problem(request, problem)


async def validation_error(request: Request, exc: Exception) -> Response:
    """A body or parameter that does not have the documented form: 422 ``invalid-request``."""
    assert isinstance(exc, RequestValidationError)
    fields = []
    for item in exc.errors():
        location = [str(part) for part in item.get("loc", ()) if part not in {"body", "query"}]
        fields.append(".".join(location) or "body")
    unique = sorted(set(fields))
    problem = HttpProblem(422, "invalid-request", fields=", ".join(unique) or "body")
    if is_api(request.scope):
        body = problem_body(problem)
        body["error"]["facts"]["fields"] = unique
        body["error"]["details"] = [
            {"field": field, "problem": str(item.get("type", ""))}
            for field, item in zip(fields, exc.errors(), strict=True)
        ]
        return _json(422, body)
    return render(request, "erreur.html", error=problem, status=422)


async def internal_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: logged in full, answered without detail."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = HttpProblem(500, "internal-error")
    if is_api(request.scope):
        return _json(500, problem_body(problem))
    try:
        return render(request, "erreur.html", error=problem, status=500)
    except Exception:  # the templates themselves failed: answer in plain text
        return Response(problem.message("fr"), status_code=500, media_type="text/plain")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(PortalError, portal_error)
    app.add_exception_handler(HttpProblem, http_problem)
    app.add_exception_handler(MspDocsError, docs_error)
    app.add_exception_handler(StarletteHTTPException, http_exception)
    app.add_exception_handler(RequestValidationError, validation_error)
    # Unexpected exceptions: middleware.InternalErrors, so the answer keeps the headers.
