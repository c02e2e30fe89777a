"""The mail worker: resolve recovery requests, hand queued emails to the relay, purge old ones.

Use cases only queue mail (services.context.queue_mail); a worker process, or a periodic task
of any instance, calls :meth:`msp_portal.Portal.deliver_mail` to do the slow, failing part.
"""

from __future__ import annotations

from dataclasses import dataclass

from msp_portal.domain.limits import retry_delay
from msp_portal.services.context import Collaborators
from msp_portal.services.recovery import resolve_requests


@dataclass(frozen=True)
class MailReport:
    """What one pass of the mail worker did.

    Attributes:
        queued: Emails queued from recovery requests in this pass.
        dropped: Recovery emails not queued because a send limit was reached.
        sent: Emails handed over to the relay.
        failed: Hand-overs that failed; those emails are retried later (1, 2, 4 ... minutes).
    """

    queued: int
    dropped: int
    sent: int
    failed: int


def deliver_mail(ctx: Collaborators, *, limit: int = 100) -> MailReport:
    """One pass: up to ``limit`` recovery requests, then up to ``limit`` due emails, oldest first.

    Each email is claimed (marked sent) before it is handed over, so two workers never send the
    same one; a worker that dies between claim and hand-over loses that email rather than
    sending it twice (recovery can always be asked for again). A failed hand-over puts the email
    back with its error and a later due time; after ``settings.mail_max_attempts`` it stays
    unsent until the retention purge.
    """
    queued, dropped = resolve_requests(ctx, limit=limit)
    sent = failed = 0
    due = ctx.store.due_mail(ctx.now(), max_attempts=ctx.settings.mail_max_attempts, limit=limit)
    for mail in due:
        if not ctx.store.claim_mail(mail.id, ctx.now()):
            continue
        try:
            ctx.mailer.send(mail.email)
        except Exception as exc:  # any relay failure is recorded and retried
            retry_at = ctx.now() + retry_delay(mail.attempts + 1)
            ctx.store.release_mail(mail.id, f"{type(exc).__name__}: {exc}", retry_at)
            failed += 1
        else:
            sent += 1
    return MailReport(queued, dropped, sent, failed)


def purge_outboxes(ctx: Collaborators) -> int:
    """Delete queued SMS and emails older than ``settings.outbox_retention``; returns the count."""
    return ctx.store.purge_outboxes(ctx.now() - ctx.settings.outbox_retention)
