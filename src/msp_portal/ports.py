"""What the services need from the outside world, as small interfaces the service plugs in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from msp_portal.domain.emails import Email

Clock = Callable[[], datetime]
"""Returns the current instant as an aware UTC datetime."""


class Mailer(Protocol):
    """Hands one email over for delivery; raises DeliveryFailed when it cannot."""

    def send(self, email: Email) -> None:
        """Send ``email``."""


class SmsGateway(Protocol):
    """Takes one SMS for delivery (the shipped gateway queues it in the database outbox)."""

    def send(self, phone: str, text: str) -> None:
        """Send ``text`` to ``phone`` (E.164)."""


class Captcha(Protocol):
    """The service's captcha provider."""

    def verify(self, response: str) -> bool:
        """Whether ``response`` solves the captcha that was shown."""


class PasswordHasher(Protocol):
    """Slow password hashing (argon2id in the shipped adapter)."""

    def hash(self, password: str) -> str:
        """Hash a password with the current parameters."""

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``."""

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether ``password_hash`` was made with other parameters than the current ones."""

    def verify_dummy(self, password: str) -> None:
        """Spend the time of a real check, for identifiers that do not exist."""
