"""Stand-ins for tests and examples: a clock you move by hand, a mailer that keeps, a captcha."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from msp_portal.domain.emails import Email


class FakeClock:
    """A clock that stands still until :meth:`advance` or :meth:`set` moves it (thread-safe)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        """The current (fake) instant."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta``; returns the new instant."""
        with self._lock:
            self._now += delta
            return self._now

    def set(self, instant: datetime) -> None:
        """Jump to ``instant``."""
        with self._lock:
            self._now = instant


class MemoryMailer:
    """Keeps sent emails in :attr:`sent` (like Django's locmem backend); for tests and demos."""

    def __init__(self) -> None:
        self.sent: list[Email] = []
        self._lock = threading.Lock()

    def send(self, email: Email) -> None:
        """Keep ``email``."""
        with self._lock:
            self.sent.append(email)


class FakeCaptcha:
    """A captcha whose only solution is ``answer``."""

    def __init__(self, answer: str = "ok") -> None:
        self.answer = answer

    def verify(self, response: str) -> bool:
        """Whether ``response`` is the expected answer."""
        return response == self.answer
