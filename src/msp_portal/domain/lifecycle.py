"""The life of a dossier, of each delivery, and of the statuses organisations report: pure rules.

::

    (start) ──> in-progress ──save──> saved ──resume──> in-progress ──transmit──> transmitted
                  │  ▲ edit             │                                          (frozen, P7)
                  │  └──────────────────┘ close (sign-out) when it was saved before
                  └─ close (never saved), abandon ──> (gone)     saved ──abandon / expire──> (gone)

    a transmitted dossier has one delivery per receiving organisation:
    pending ──success──> delivered          pending ──retryable failure──> pending (later)
    pending ──permanent failure, or last attempt──> failed ──requeue (operator)──> pending
    a status report from the organisation proves receipt: pending/failed ──report──> delivered

    statuses an organisation reports (P8): received < in-progress < accepted | rejected (final)

Every function either returns the next state or raises a typed error
(:class:`~msp_portal.errors.IllegalTransition`, :class:`~msp_portal.errors.DossierFrozen` for
anything asked of a transmitted dossier). The SQL store applies the same rules with conditional
updates; these functions are the reference the tests hold it to.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from msp_portal.domain.paris import PARIS
from msp_portal.errors import DossierFrozen, IllegalTransition

__all__ = [
    "Action",
    "DeliveryEvent",
    "DeliveryState",
    "DossierState",
    "OrganisationStatus",
    "after_report",
    "deliver",
    "draft_expiry",
    "next_state",
]


class DossierState(StrEnum):
    """Where a dossier is in its life."""

    IN_PROGRESS = "in-progress"
    SAVED = "saved"
    TRANSMITTED = "transmitted"


class Action(StrEnum):
    """What can be asked of a dossier."""

    EDIT = "edit"
    SAVE = "save"
    RESUME = "resume"
    CLOSE = "close"
    ABANDON = "abandon"
    TRANSMIT = "transmit"
    EXPIRE = "expire"


_DOSSIER: dict[tuple[DossierState, Action], DossierState | None] = {
    (DossierState.IN_PROGRESS, Action.EDIT): DossierState.IN_PROGRESS,
    (DossierState.IN_PROGRESS, Action.SAVE): DossierState.SAVED,
    (DossierState.IN_PROGRESS, Action.ABANDON): None,
    (DossierState.IN_PROGRESS, Action.TRANSMIT): DossierState.TRANSMITTED,
    (DossierState.SAVED, Action.RESUME): DossierState.IN_PROGRESS,
    (DossierState.SAVED, Action.ABANDON): None,
    (DossierState.SAVED, Action.EXPIRE): None,
}


def next_state(
    state: DossierState, action: Action, *, ever_saved: bool, reference: str | None = None
) -> DossierState | None:
    """The state after ``action`` (None: the dossier and its data are gone).

    Closing (sign-out, P4) sends a dossier that was saved before back to its saved version and
    drops one that never was ("unsaved answers are lost").

    Raises:
        DossierFrozen: anything asked of a transmitted dossier (P7).
        IllegalTransition: ``action`` is not possible in ``state``.
    """
    if state is DossierState.TRANSMITTED:
        raise DossierFrozen(reference=reference or "?", state=state.value, action=action.value)
    if state is DossierState.IN_PROGRESS and action is Action.CLOSE:
        return DossierState.SAVED if ever_saved else None
    key = (state, action)
    if key not in _DOSSIER:
        raise IllegalTransition(state=state.value, action=action.value)
    return _DOSSIER[key]


def draft_expiry(saved_at: datetime, days: int) -> datetime:
    """When a draft saved at ``saved_at`` expires (P3), as an aware UTC instant.

    That is ``days`` later at the same Paris wall-clock time. Across a daylight-saving change
    the absolute duration is one hour more or less than ``days`` × 24 h, as a citizen reading
    the date expects.
    """
    local = saved_at.astimezone(PARIS)
    later = (local.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=PARIS, fold=0)
    return later.astimezone(saved_at.tzinfo or PARIS)


# --- deliveries -----------------------------------------------------------------------------------
class DeliveryState(StrEnum):
    """Whether MSP handed a dossier to a receiving organisation (P8: MSP can tell only this)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class DeliveryEvent(StrEnum):
    """What happens to a delivery."""

    SUCCEEDED = "succeeded"
    RETRYABLE_FAILURE = "retryable-failure"
    PERMANENT_FAILURE = "permanent-failure"
    REQUEUE = "requeue"
    REPORTED = "reported"


def deliver(
    state: DeliveryState, event: DeliveryEvent, *, attempts: int, max_attempts: int
) -> DeliveryState:
    """The delivery's state after ``event``; ``attempts`` counts the one that just ended.

    Raises:
        IllegalTransition: e.g. a result for a delivery that is no longer pending.
    """
    if event is DeliveryEvent.REPORTED:
        return DeliveryState.DELIVERED
    if state is DeliveryState.PENDING:
        if event is DeliveryEvent.SUCCEEDED:
            return DeliveryState.DELIVERED
        if event is DeliveryEvent.PERMANENT_FAILURE:
            return DeliveryState.FAILED
        if event is DeliveryEvent.RETRYABLE_FAILURE:
            return DeliveryState.FAILED if attempts >= max_attempts else DeliveryState.PENDING
    if state is DeliveryState.FAILED and event is DeliveryEvent.REQUEUE:
        return DeliveryState.PENDING
    raise IllegalTransition(state=state.value, action=event.value)


# --- statuses reported by organisations -----------------------------------------------------------
class OrganisationStatus(StrEnum):
    """How far a receiving organisation says it is with a dossier (only it can tell, P8)."""

    RECEIVED = "received"
    IN_PROGRESS = "in-progress"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


_RANK = {
    OrganisationStatus.RECEIVED: 1,
    OrganisationStatus.IN_PROGRESS: 2,
    OrganisationStatus.ACCEPTED: 3,
    OrganisationStatus.REJECTED: 3,
}


def after_report(
    current: OrganisationStatus | None, reported: OrganisationStatus
) -> OrganisationStatus:
    """The status after an organisation reports ``reported``.

    A status may skip steps (received → accepted) and may be repeated (a retried call, or a new
    message at the same step); it never goes back, and accepted / rejected are final.

    Raises:
        IllegalTransition: going back, or changing a final status.
    """
    if current is None or current == reported:
        return reported
    if _RANK[current] == 3 or _RANK[reported] <= _RANK[current]:
        raise IllegalTransition(state=current.value, action=reported.value)
    return reported
