"""What the services need from the outside world, as small interfaces the service plugs in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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


@dataclass(frozen=True)
class BlobRef:
    """Where stored bytes are: their SHA-256 (lower-case hex, the blob's key) and their size."""

    sha256: str
    size: int


class BlobStore(Protocol):
    """Document bytes, content-addressed: a blob's key is the SHA-256 of its bytes.

    Blobs never change. ``put`` returns only once the bytes are durable, and never leaves a
    partial blob visible under a key, so a crash at any point leaves either the whole blob or
    nothing (perhaps an unreferenced blob, which orphan collection removes). Metadata (who owns
    a document, its title) lives in the SQL store, never here.
    """

    def put(self, chunks: Iterable[bytes]) -> BlobRef:
        """Store the concatenated ``chunks``; storing bytes already present is a no-op."""

    def open(self, sha256: str) -> Iterator[bytes]:
        """Stream a blob's bytes in chunks; raises ``BlobMissing`` when there is no such blob."""

    def delete(self, sha256: str) -> None:
        """Remove a blob; removing a missing one is not an error."""

    def stored(self) -> Iterator[tuple[str, datetime]]:
        """Every key with the aware UTC instant it was written (for orphan collection)."""
