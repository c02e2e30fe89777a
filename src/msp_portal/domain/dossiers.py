"""What the procedure use cases hand back, and the seal of a transmitted dossier (P7).

A transmitted dossier is sealed (P7): its content is written once as canonical JSON and its
SHA-256 stored with it; the head of the dossier (the columns listed in "Mon suivi") is hashed
together with that digest into the seal. Every read recomputes what it reads and compares: a
changed answer, reference, date, organisation list or attachment raises
:class:`~msp_portal.errors.DossierTampered` instead of showing a citizen something that was not
sent. The database refuses the change in the first place (triggers); the seal catches what goes
around them (a restored backup, a manual fix, a dropped trigger).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from msp_portal.domain.lifecycle import DeliveryState, DossierState, OrganisationStatus

__all__ = [
    "AttachedDocument",
    "CheckResult",
    "DeliveryView",
    "DossierView",
    "Receipt",
    "SavedDraft",
    "SealedHead",
    "TrackingEntry",
    "TrackingPage",
    "canonical_json",
    "seal",
    "sha256_text",
]


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, UTF-8 characters kept as they are."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_text(text: str) -> str:
    """SHA-256 (hex) of ``text`` in UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SealedHead:
    """The facts of a transmitted dossier that are read without its content."""

    dossier_id: str
    account_id: int
    procedure: str
    version: int
    reference: str
    transmitted_at: datetime
    organisations: tuple[str, ...]
    content_sha256: str


def seal(head: SealedHead) -> str:
    """The seal of a transmitted dossier: SHA-256 of its head, content digest included.

    The head is written as one line per fact, in a fixed order (none of them can hold a line
    break: ids, a reference, an ISO instant, organisation codes, hex digests).
    """
    text = "\n".join(
        (
            "msp-dossier-seal-v1",
            head.dossier_id,
            str(head.account_id),
            head.procedure,
            str(head.version),
            head.reference,
            head.transmitted_at.isoformat(),
            ",".join(head.organisations),
            head.content_sha256,
        )
    )
    return sha256_text(text)


@dataclass(frozen=True)
class AttachedDocument:
    """A wallet document attached to a dossier, as it was when attached (D5)."""

    slot: str
    document_id: str
    title: str
    category: str
    sha256: str
    size: int


@dataclass(frozen=True)
class DossierView:
    """A dossier as its holder sees it.

    ``answers`` are exactly what was last stored (in progress) or saved (saved) or sent.
    """

    dossier_id: str
    procedure: str
    title: str
    state: DossierState
    answers: Mapping[str, Any]
    attachments: tuple[AttachedDocument, ...]
    created_at: datetime
    file_number: str | None
    saved_at: datetime | None
    expires_at: datetime | None
    reference: str | None
    transmitted_at: datetime | None


@dataclass(frozen=True)
class CheckResult:
    """What blocks transmission (``problems``) and what is proposed (``proposals``)."""

    problems: tuple[tuple[str, str], ...]
    proposals: tuple[tuple[str, Any, str], ...]

    @property
    def ok(self) -> bool:
        """Whether the dossier can be transmitted as it is."""
        return not self.problems


@dataclass(frozen=True)
class SavedDraft:
    """A saved procedure (P1, P2): what the confirmation email carries.

    ``password`` is shown once (only its hash is kept); it is None for types that resume
    without one. ``email_sent`` is False when the email could not be handed over: the draft is
    saved all the same and the page should show these values.
    """

    dossier_id: str
    file_number: str
    password: str | None
    resume_link: str
    expires_at: datetime
    email_sent: bool


@dataclass(frozen=True)
class Receipt:
    """A transmitted dossier (P5, P6): its reference, where it goes, its PDF's blob key."""

    dossier_id: str
    reference: str
    transmitted_at: datetime
    organisations: tuple[tuple[str, str], ...]
    dossier_sha256: str
    dossier_size: int


@dataclass(frozen=True)
class DeliveryView:
    """How far a dossier went with one organisation (P8): MSP's delivery, then their status."""

    organisation: str
    name: str
    state: DeliveryState
    attempts: int
    delivered_at: datetime | None
    status: OrganisationStatus | None
    status_message: str
    status_at: datetime | None


@dataclass(frozen=True)
class TrackingEntry:
    """One line of "Mon suivi": a saved draft with its resume link, or a transmitted dossier."""

    dossier_id: str
    procedure: str
    title: str
    state: DossierState
    created_at: datetime
    file_number: str | None
    saved_at: datetime | None
    expires_at: datetime | None
    resume_link: str | None
    reference: str | None
    transmitted_at: datetime | None
    deliveries: tuple[DeliveryView, ...]


@dataclass(frozen=True)
class TrackingPage:
    """One page of "Mon suivi", newest first; ``next_page`` continues it (None: the last page)."""

    entries: tuple[TrackingEntry, ...]
    next_page: str | None
