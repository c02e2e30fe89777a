"""Turning results and errors into pages: templates, the CSRF token, error summaries, redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from msp_docs.errors import MspDocsError
from msp_portal.errors import PortalError
from msp_portal.web import csrf
from msp_portal.web.deps import session_cookie, web_context
from msp_portal.web.errors import HttpProblem, docs_status_for, status_for

# Which form field an error is about, to mark it invalid and link the summary to it.
FIELD_BY_CODE = {
    "invalid-identifier": "identifiant",
    "identifier-taken": "identifiant",
    "invalid-email": "courriel",
    "invalid-phone": "telephone",
    "password-rejected": "mot_de_passe",
    "password-too-short": "mot_de_passe",
    "password-too-long": "mot_de_passe",
    "password-too-common": "mot_de_passe",
    "password-contains-identifier": "mot_de_passe",
    "captcha-failed": "captcha_reponse",
    "sms-code-invalid": "code",
    "invalid-document-title": "titre",
    "invalid-category": "categorie",
    "invalid-upload": "fichier-1",
    "invalid-upload-name": "fichier-1",
}

# Short notices shown after a redirect (?info=...): fixed texts, so the parameter shows
# nothing an outsider could write.
NOTICES = {
    "compte-cree": "Votre compte a été créé. Vous pouvez maintenant vous connecter.",
    "compte-cree-verifier": "Votre compte a été créé. Un courriel vous a été envoyé : connectez-"
    "vous, puis ouvrez le lien qu'il contient pour confirmer votre adresse électronique.",
    "verification-renvoyee": "Un nouveau lien de confirmation a été envoyé à votre adresse "
    "électronique.",
    "deconnecte": "Vous êtes déconnecté.",
    "session-expiree": "Votre session a expiré. Veuillez vous reconnecter.",
    "mot-de-passe-reinitialise": "Votre mot de passe a été changé. Connectez-vous avec le "
    "nouveau mot de passe.",
    "mot-de-passe-change": "Votre mot de passe a été changé. Vos autres sessions sont fermées.",
    "coordonnees-enregistrees": "Vos coordonnées ont été enregistrées.",
    "compte-supprime": "Votre compte a été supprimé.",
    "acces-sms-retire": "L'accès par code SMS est retiré de votre compte. Connectez-vous avec "
    "votre identifiant et votre mot de passe.",
    "document-supprime": "Le document a été supprimé.",
    "demarche-abandonnee": "La démarche a été abandonnée.",
    "document-modifie": "Le document a été modifié.",
}


def path_for(request: Request, name: str, /, **params: Any) -> str:
    """The path of route ``name`` as the browser must ask for it (mount prefix included)."""
    root: str = request.scope.get("root_path", "")
    return root + str(request.app.url_path_for(name, **params))


def safe_next(request: Request, value: str | None) -> str | None:
    """A ``suite`` (next page) parameter if it is a path of this site, else None.

    No open redirect: no scheme, no host, no ``//``, no backslash, no control character.
    """
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        return None
    root: str = request.scope.get("root_path", "")
    return value if value.startswith(root + "/") else None


def error_view(
    error: PortalError | HttpProblem | MspDocsError, field: str | None = None
) -> dict[str, Any]:
    """What the templates show of an error: the French message and the field it concerns."""
    if field is None:
        field = FIELD_BY_CODE.get(error.code)
        if field is None and isinstance(error, PortalError):
            field = str(error.facts.get("field", "")) or None
    return {"code": error.code, "message": error.message("fr"), "field": field}


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    error: PortalError | HttpProblem | MspDocsError | None = None,
    error_field: str | None = None,
    errors: list[tuple[PortalError, str | None]] | None = None,
    problems: list[dict[str, str]] | None = None,
    values: dict[str, Any] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a page with what every page needs (site name, CSRF token, notices, errors).

    ``error`` is one error (its field found from its code unless ``error_field`` says);
    ``errors`` lists several, each with its field, for forms that report every field at once;
    ``problems`` are messages already written, each ``{"field", "label", "message"}`` (the
    label introduces it in the summary at the top; beside its field, the message alone).
    """
    web = web_context(request)
    session = session_cookie(request)
    notice = NOTICES.get(request.query_params.get("info", ""))
    views = [error_view(error, error_field)] if error is not None else []
    views += [error_view(each, field) for each, field in errors or []]
    views += list(problems or [])
    if error is None and errors:
        error = errors[0][0]
    page = {
        "site_name": web.settings.site_name,
        "csrf_field": csrf.FIELD,
        "csrf_token": csrf.csrf_token(request, secret=web.secret, session_cookie=session),
        "signed_in": session is not None,
        "notice": notice,
        "error": views[0] if views else None,
        "summary": views,
        "field_errors": {view["field"]: view["message"] for view in views if view["field"]},
        "values": values or {},
        "path_for": lambda name, /, **params: path_for(request, name, **params),
        **context,
    }
    if error is not None and status == 200:
        if isinstance(error, PortalError):
            status = status_for(error)
        elif isinstance(error, MspDocsError):
            status = docs_status_for(error)
        else:
            status = error.status
    return web.templates.TemplateResponse(request, template, page, status_code=status)


def redirect(
    request: Request, name: str, /, params: dict[str, str] | None = None, **query: str
) -> RedirectResponse:
    """303 See Other to route ``name`` (after a form: the browser then GETs the page)."""
    target = path_for(request, name, **(params or {}))
    if query:
        target += "?" + urlencode(query)
    return RedirectResponse(target, status_code=303)
