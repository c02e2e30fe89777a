r"""Delivery to receiving organisations (P8, P9): the request, its signature, when to try again.

The protocol, for an organisation's developers (``docs/procedures.md`` has an example):

* ``POST`` to the organisation's endpoint, body ``application/json`` (UTF-8): the dossier's
  reference, type, transmission instant, the answers meant for this organisation, the list of
  attachments with their SHA-256, and the dossier PDF (base64, with its SHA-256 and size).
* Headers: ``Idempotency-Key`` (the same on every attempt for one dossier and organisation:
  process a key once, answer the same to repeats), ``X-MSP-Timestamp`` (Unix seconds),
  ``X-MSP-Signature: v1=<hex>``: HMAC-SHA-256, keyed with the organisation's secret, of
  ``METHOD "\n" PATH "\n" TIMESTAMP "\n" hex(SHA-256(body))`` (PATH with its query string, if
  any). Refuse a timestamp more than 5 minutes away from your clock.
* Answer 2xx once the dossier is stored (409 is read as "already had it"). 408, 425, 429 and 5xx
  (and timeouts, refused connections) are tried again later with exponential backoff and
  jitter; other 4xx end the delivery as failed (an operator may requeue it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from msp_portal.domain.dossiers import AttachedDocument, canonical_json
from msp_portal.domain.lifecycle import DeliveryEvent

__all__ = [
    "SIGNATURE_TOLERANCE",
    "SignedHeaders",
    "classify",
    "delivery_payload",
    "retry_delay",
    "sign",
    "signing_string",
    "verify",
]

SIGNATURE_TOLERANCE = timedelta(minutes=5)
_RETRYABLE = frozenset({408, 425, 429})


def signing_string(method: str, path: str, timestamp: int, body: bytes) -> bytes:
    """What is signed: method, path, timestamp and the body's SHA-256, one per line."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{digest}".encode()


@dataclass(frozen=True)
class SignedHeaders:
    """The headers that authenticate one request."""

    timestamp: int
    signature: str

    def as_dict(self, idempotency_key: str) -> dict[str, str]:
        """The HTTP headers of the request."""
        return {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": idempotency_key,
            "X-MSP-Timestamp": str(self.timestamp),
            "X-MSP-Signature": f"v1={self.signature}",
        }


def sign(secret: str, method: str, path: str, now: datetime, body: bytes) -> SignedHeaders:
    """Sign a request made at ``now`` with the organisation's ``secret``."""
    timestamp = int(now.timestamp())
    mac = hmac.new(secret.encode(), signing_string(method, path, timestamp, body), hashlib.sha256)
    return SignedHeaders(timestamp, mac.hexdigest())


def verify(
    secret: str,
    method: str,
    path: str,
    body: bytes,
    *,
    timestamp: str,
    signature: str,
    now: datetime,
    tolerance: timedelta = SIGNATURE_TOLERANCE,
) -> bool:
    """What a receiving organisation checks: the signature is ours and the request is fresh."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(now.timestamp() - ts) > tolerance.total_seconds():
        return False
    expected = hmac.new(secret.encode(), signing_string(method, path, ts, body), hashlib.sha256)
    given = signature.removeprefix("v1=")
    return hmac.compare_digest(expected.hexdigest(), given)


def classify(status: int | None) -> DeliveryEvent:
    """The outcome of one attempt from its HTTP status (None: no answer, timeout, refused)."""
    if status is None or status in _RETRYABLE or 500 <= status <= 599:
        return DeliveryEvent.RETRYABLE_FAILURE
    if 200 <= status <= 299 or status == 409:
        return DeliveryEvent.SUCCEEDED
    return DeliveryEvent.PERMANENT_FAILURE


def retry_delay(attempts: int, *, base: timedelta, cap: timedelta, jitter: float) -> timedelta:
    """How long to wait after the ``attempts``-th failure: exponential, capped, "equal jitter".

    The ceiling doubles with each failure (``base``, 2 × ``base``, ... up to ``cap``); the wait is
    half of it plus a random part of the other half (``jitter`` in [0, 1)), so receivers that
    come back after an outage are not hit by every sender at the same second.
    """
    ceiling: timedelta = min(cap, base * (2 ** min(max(attempts - 1, 0), 30)))
    half = ceiling / 2
    return half + half * min(max(jitter, 0.0), 1.0)


def delivery_payload(
    *,
    reference: str,
    procedure: str,
    version: int,
    title: str,
    transmitted_at: datetime,
    organisation: str,
    answers: Mapping[str, Any],
    attachments: Sequence[AttachedDocument],
    document: bytes,
    document_sha256: str,
) -> bytes:
    """The JSON body sent to ``organisation``: its own answers only, and the dossier PDF.

    Another organisation's fields (its contract number) are not sent to this one.
    """
    own = (answers.get("organisations") or {}).get(organisation) or {}
    body = {
        "reference": reference,
        "procedure": {"id": procedure, "version": version, "title": title},
        "transmitted_at": transmitted_at.isoformat(),
        "organisation": organisation,
        "answers": {"fields": answers.get("fields", {}), "organisation": own},
        "attachments": [
            {
                "slot": a.slot,
                "title": a.title,
                "category": a.category,
                "sha256": a.sha256,
                "size": a.size,
            }
            for a in attachments
        ],
        "document": {
            "media_type": "application/pdf",
            "sha256": document_sha256,
            "size": len(document),
            "base64": base64.b64encode(document).decode("ascii"),
        },
    }
    return canonical_json(body).encode("utf-8")
