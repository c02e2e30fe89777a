"""The real clock; tests and examples use :class:`msp_portal.testing.FakeClock` instead."""

from __future__ import annotations

from datetime import UTC, datetime


def system_clock() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)
