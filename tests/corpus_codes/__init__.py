"""Per-file decisions for ../shared/corpus: "accept" or the exact error code, by kind.

Rows the manifest marks ``accept`` or ``reject`` are specified by the manifest. Rows it marks
``either`` leave the choice to us: accepting one is a decision of ours (its reason is written
beside it); the error code of one we refuse is only what msp-docs answers today, recorded as
:class:`Observed` — any typed refusal would be a valid answer, and the test says so when it
changes instead of reporting a broken specification.
"""

from __future__ import annotations

__all__ = ["Observed"]


class Observed(str):
    """An error code observed for an ``either`` row, recorded so that a change shows up."""

    __slots__ = ()
