"""The delivery worker (P8, P9): send the outbox's deliveries to receiving organisations.

Run it from the CLI (``msp-portal procedures deliver``, scheduled by the operator) or call
:func:`deliver_due`. Each delivery is claimed by one conditional UPDATE (a lease), so several
workers may run at once; an attempt is counted when it is claimed, so a worker killed while
sending costs one attempt and the delivery is taken over when its lease ends. Organisations see
the same ``Idempotency-Key`` on every attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from msp_portal.domain.delivery import classify, delivery_payload, retry_delay, sign
from msp_portal.domain.lifecycle import DeliveryEvent, DeliveryState, deliver
from msp_portal.errors import PortalError
from msp_portal.ports import DeliveryJob
from msp_portal.services.procedures import ProcedureCollaborators, blob_bytes

__all__ = ["DeliveryRun", "deliver_due", "flush_confirmations", "requeue_failed"]


@dataclass(frozen=True)
class DeliveryRun:
    """What one pass of the worker did."""

    attempted: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    emails_sent: int = 0


def _attempt(pctx: ProcedureCollaborators, job: DeliveryJob) -> tuple[DeliveryEvent, str | None]:
    endpoint = pctx.settings.endpoints.get(job.organisation)
    if endpoint is None:
        return DeliveryEvent.RETRYABLE_FAILURE, "no endpoint configured for this organisation"
    if pctx.receiver is None or pctx.blobs is None:
        return DeliveryEvent.RETRYABLE_FAILURE, "no receiver or blob store configured"
    dossier = job.dossier
    assert dossier.reference and dossier.transmitted_at and dossier.dossier_pdf
    ptype = pctx.catalogue.get(dossier.procedure)
    try:
        document = blob_bytes(pctx, dossier.dossier_pdf.sha256, "dossier")
    except PortalError as exc:
        return DeliveryEvent.RETRYABLE_FAILURE, f"dossier PDF unreadable ({exc.code})"
    body = delivery_payload(
        reference=dossier.reference,
        procedure=dossier.procedure,
        version=dossier.version,
        title=ptype.title if ptype else dossier.procedure,
        transmitted_at=dossier.transmitted_at,
        organisation=job.organisation,
        answers=dossier.answers,
        attachments=dossier.attachments,
        document=document,
        document_sha256=dossier.dossier_pdf.sha256,
    )
    parts = urlsplit(endpoint.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = sign(endpoint.secret, "POST", path, pctx.now(), body).as_dict(job.idempotency_key)
    status = pctx.receiver.post(endpoint.url, body, headers)
    event = classify(status)
    error = (
        None
        if event is DeliveryEvent.SUCCEEDED
        else ("no answer" if status is None else f"HTTP {status}")
    )
    return event, error


def deliver_due(pctx: ProcedureCollaborators, *, limit: int | None = None) -> DeliveryRun:
    """Send every delivery that is due (once each), then the waiting confirmation emails."""
    settings = pctx.settings
    counts = {"attempted": 0, "delivered": 0, "retrying": 0, "failed": 0}
    for delivery_id in pctx.store.due_deliveries(pctx.now(), limit or settings.delivery_batch):
        try:
            job = pctx.store.claim_delivery(delivery_id, pctx.now(), settings.delivery_lease)
        except PortalError:
            # A dossier that fails its seal is never sent; the others go on. It stays pending
            # (and visible as such) until the operator has looked at it.
            counts["failed"] += 1
            continue
        if job is None:
            continue  # another worker has it
        counts["attempted"] += 1
        event, error = _attempt(pctx, job)
        state = deliver(
            DeliveryState.PENDING,
            event,
            attempts=job.attempts,
            max_attempts=settings.delivery_max_attempts,
        )
        now = pctx.now()
        wait = retry_delay(
            job.attempts,
            base=settings.delivery_base_delay,
            cap=settings.delivery_max_delay,
            jitter=pctx.jitter(),
        )
        pctx.store.finish_delivery(
            delivery_id,
            state=state,
            now=now,
            next_attempt_at=now + wait if state is DeliveryState.PENDING else now,
            error=error,
        )
        key = {
            DeliveryState.DELIVERED: "delivered",
            DeliveryState.PENDING: "retrying",
            DeliveryState.FAILED: "failed",
        }[state]
        counts[key] += 1
    return DeliveryRun(**counts, emails_sent=flush_confirmations(pctx))


def flush_confirmations(pctx: ProcedureCollaborators, *, limit: int = 500) -> int:
    """Send confirmation emails left unsent (mail server down, crash after the commit)."""
    sent = 0
    for pending in pctx.store.pending_emails(limit):
        try:
            pctx.base.mailer.send(pending.email)
        except PortalError as exc:
            pctx.store.email_failed(pending.id, exc.detail or exc.code)
            continue
        sent += pctx.store.email_sent(pending.id, pctx.now())
    return sent


def requeue_failed(pctx: ProcedureCollaborators, organisation: str | None = None) -> int:
    """Failed deliveries (of one organisation, or all) become due again; how many."""
    return pctx.store.requeue_failed(pctx.now(), organisation)
