"""msp_portal.web: the portal over HTTP, a JSON API and French pages (the ``web`` extra).

``create_app(WebSettings.from_env())`` gives an ASGI application; ``msp-portal serve`` runs it.
Importing :mod:`msp_portal` does not import this package nor its web framework.
"""

from __future__ import annotations

from msp_portal.web.app import create_app
from msp_portal.web.captcha import CaptchaQuestion, QuestionCaptcha, captcha_response
from msp_portal.web.settings import WebSettings

__all__ = ["CaptchaQuestion", "QuestionCaptcha", "WebSettings", "captcha_response", "create_app"]
