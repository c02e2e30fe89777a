"""Delivery of signed dossiers to receiving organisations over HTTP(S), with httpx.

httpx is imported when the first request is made, never at ``import msp_portal``.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

__all__ = ["HttpReceiver"]


class HttpReceiver:
    """The ``Receiver`` port over one pooled httpx client (close it when done).

    Redirects are not followed (a signed request is for one URL); a timeout, a refused or reset
    connection or a TLS failure is "no answer" (None), which the worker retries later.
    """

    def __init__(self, timeout: float = 10.0, *, verify: ssl.SSLContext | bool = True) -> None:
        self.timeout = timeout
        self.verify = verify
        self._client: Any = None

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int | None:
        """POST ``body`` to ``url``; the HTTP status, or None when no answer came."""
        import httpx

        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=False,
                verify=self.verify,
            )
        try:
            response = self._client.post(url, content=body, headers=dict(headers))
        except httpx.HTTPError:
            return None
        return int(response.status_code)

    def close(self) -> None:
        """Close the pooled connections."""
        if self._client is not None:
            self._client.close()
            self._client = None
