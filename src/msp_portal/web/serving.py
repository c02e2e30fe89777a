"""An application factory for ASGI servers run by hand: settings from the environment.

``uvicorn --factory msp_portal.web.serving:app_from_env --workers 4`` serves the portal with
several processes; every ``MSP_PORTAL_*`` variable of docs/web.md applies.
"""

from __future__ import annotations

from fastapi import FastAPI

from msp_portal.web.app import create_app
from msp_portal.web.settings import WebSettings


def app_from_env() -> FastAPI:
    """The portal's application with :meth:`WebSettings.from_env`."""
    return create_app(WebSettings.from_env())
