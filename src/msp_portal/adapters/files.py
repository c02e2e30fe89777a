"""Emails and SMS written to a directory instead of sent: a portal that works on a fresh machine.

For development and demonstrations only: a production portal sends email over SMTP and queues
SMS in the database outbox. Each message is one file, written whole then renamed into place,
named so that ``ls`` lists them in the order they were written.
"""

from __future__ import annotations

import itertools
import os
import threading
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from msp_portal.domain.emails import Email
from msp_portal.ports import Clock


class _Directory:
    def __init__(self, directory: Path, clock: Clock) -> None:
        self.directory = directory
        self.clock = clock
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def write(self, suffix: str, data: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            number = next(self._counter)
        stamp = self.clock().strftime("%Y%m%dT%H%M%S%fZ")
        final = self.directory / f"{stamp}-{os.getpid()}-{number:06d}{suffix}"
        partial = final.with_name("." + final.name + ".part")
        partial.write_bytes(data)
        partial.replace(final)
        return final


class DirectoryMailer:
    """A :class:`~msp_portal.ports.Mailer` that writes each email as an ``.eml`` file."""

    def __init__(self, directory: Path, clock: Clock, *, sender: str = "portail@localhost") -> None:
        self._out = _Directory(directory, clock)
        self.sender = sender

    def send(self, email: Email) -> None:
        """Write ``email`` to the directory."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(self._out.clock().timestamp())
        message.set_content(email.body, charset="utf-8")
        self._out.write(".eml", bytes(message))


class DirectorySmsGateway:
    """A :class:`~msp_portal.ports.SmsGateway` that writes each SMS as a ``.sms.txt`` file."""

    def __init__(self, directory: Path, clock: Clock) -> None:
        self._out = _Directory(directory, clock)

    def send(self, phone: str, text: str, *, account_id: int | None = None) -> None:
        """Write the SMS for ``phone`` to the directory."""
        self._out.write(".sms.txt", f"À : {phone}\n\n{text}\n".encode())
