"""How errors become HTTP answers: a status per portal error code, bodies in both languages.

A :class:`~msp_portal.PortalError` keeps its stable ``code``; the web layer only chooses the
HTTP status (by the nearest class in its hierarchy that has one, so an error class added later
answers like its parent) and writes the body::

    {"error": {"code": "account-locked",
               "facts": {"until": "2025-01-06T11:00:00+00:00"},
               "message": {"en": "...", "fr": "..."}}}

:class:`HttpProblem` is for what the web layer refuses by itself (a body too large, a missing
CSRF token, an unknown route); its codes are listed in ``_messages.WEB_ERRORS``.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from msp_docs.errors import MspDocsError
from msp_portal.errors import PortalError
from msp_portal.web._messages import render_web_error

# Status by portal error code; a class absent here answers like its nearest listed parent.
STATUS_BY_CODE: dict[str, int] = {
    "portal-error": 400,
    "authentication-failed": 401,
    "invalid-credentials": 401,
    "account-locked": 423,
    "sms-code-invalid": 401,
    "sms-challenge-invalid": 401,
    "session-invalid": 401,
    "invalid-input": 422,
    "identifier-taken": 409,
    "captcha-failed": 422,
    "link-invalid": 410,
    "sms-already-enabled": 409,
    "sms-not-enabled": 409,
    "partner-link-error": 400,
    "partner-link-creation-closed": 403,
    "partner-link-deleted-at-partner": 403,
    "unknown-partner": 404,
    "partner-not-authorised": 401,
    "partner-link-not-found": 404,
    "document-refused": 422,
    "document-not-found": 404,
    "wallet-quota-exceeded": 409,
    "resume-credentials-invalid": 401,
    "dossier-locked": 423,
    "procedure-error": 409,
    "unknown-procedure": 404,
    "dossier-not-found": 404,
    "draft-expired": 410,
    "attachment-refused": 422,
    "delivery-not-found": 404,
    "definition-invalid": 500,
    "too-many-requests": 429,
    "send-limit-reached": 429,
    "delivery-failed": 503,
    "storage-error": 503,
}


# msp_docs errors that reach the web (CERFA forms; uploads come wrapped in portal errors).
DOCS_STATUS_BY_CODE: dict[str, int] = {
    "unknown-form": 404,
    "not-fillable": 409,
    "form-error": 422,
}


def docs_status_for(error: MspDocsError) -> int:
    """The HTTP status of an msp_docs error: 404 unknown form, 409 not fillable, else 422."""
    for cls in type(error).__mro__:
        code = getattr(cls, "code", None)
        if isinstance(code, str) and code in DOCS_STATUS_BY_CODE:
            return DOCS_STATUS_BY_CODE[code]
    return 422


def docs_error_body(error: MspDocsError) -> dict[str, Any]:
    """The JSON body of an msp_docs error (its code, facts and messages)."""
    return error_body(error.code, error.facts, error.message("en"), error.message("fr"))


def status_for(error: PortalError) -> int:
    """The HTTP status of ``error``: its code's, or its nearest parent's."""
    for cls in type(error).__mro__:
        code = getattr(cls, "code", None)
        if isinstance(code, str) and code in STATUS_BY_CODE:
            return STATUS_BY_CODE[code]
    return 400


class HttpProblem(Exception):
    """A refusal of the web layer itself: HTTP ``status``, stable ``code``, ``facts``."""

    def __init__(
        self, status: int, code: str, *, headers: dict[str, str] | None = None, **facts: Any
    ) -> None:
        self.status = status
        self.code = code
        self.facts = facts
        self.headers = headers or {}
        super().__init__(f"{status} {code}")

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return render_web_error(self.code, self.facts, lang)


def _json_value(value: Any) -> Any:
    """One fact as a JSON value: a dataclass (a form's ``FormProblem``) as an object."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return str(value)


def json_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts as JSON values: instants and dates in ISO 8601, dataclasses as objects.

    The problems of ``form-values-invalid`` are objects, each naming its field; other objects
    are text.
    """
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, list | tuple):
            out[key] = [_json_value(v) for v in value]
        else:
            out[key] = _json_value(value)
    return out


def error_body(code: str, facts: dict[str, Any], en: str, fr: str) -> dict[str, Any]:
    """The JSON error body."""
    return {"error": {"code": code, "facts": json_facts(facts), "message": {"en": en, "fr": fr}}}


def portal_error_body(error: PortalError) -> dict[str, Any]:
    """The JSON body of a portal error."""
    return error_body(error.code, error.facts, error.message("en"), error.message("fr"))


def problem_body(problem: HttpProblem) -> dict[str, Any]:
    """The JSON body of a web-layer refusal."""
    return error_body(problem.code, problem.facts, problem.message("en"), problem.message("fr"))
