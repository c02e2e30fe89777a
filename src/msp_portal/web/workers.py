"""The portal's background work while the application runs: queued mail, outbox purges.

The accounts queue every email (``Portal.deliver_mail`` hands them to the mailer) and keep sent
messages for ``outbox_retention`` (``Portal.purge_outboxes``). ``msp-portal serve`` runs both
in this thread; a service that mounts the application in its own (sub-applications get no
lifespan events) or runs several processes schedules the two calls itself.
"""

from __future__ import annotations

import logging
import threading
import time

from msp_portal.portal import Portal

log = logging.getLogger("msp_portal.web.workers")
PURGE_EVERY = 24 * 3600.0


class MessageWorker:
    """A daemon thread: mail every ``interval`` seconds, the outbox purge once a day."""

    def __init__(self, portal: Portal, *, interval: float = 2.0) -> None:
        self.portal = portal
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="msp-portal-mail", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to finish its pass and stop."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        next_purge = time.monotonic()
        while not self._stop.is_set():
            try:
                self.portal.deliver_mail()
                if time.monotonic() >= next_purge:
                    self.portal.purge_outboxes()
                    next_purge = time.monotonic() + PURGE_EVERY
            except Exception:  # a failing relay or database must not end the worker
                log.exception("message worker pass failed")
            self._stop.wait(self.interval)
