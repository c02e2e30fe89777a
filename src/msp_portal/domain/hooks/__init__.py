"""Named hooks: the rules of a procedure type that need code, referenced by name from its data.

A procedure type's definition (TOML, see ``docs/procedures.md``) names hooks; this package holds
them. A hook is a pure function: values in, findings out; it never reads the clock (it gets
``ctx.today``, the Paris date of the check) and does no I/O.

* A **field hook** ``(value, ctx) -> Findings`` checks one answered value. It receives the value
  already type-checked and parsed: ``str`` for text, choice and identifier fields (identifiers
  in upper case without spaces), :class:`datetime.date` for dates, ``bool``, a ``tuple`` of
  ``str`` for multi-choices, a ``dict`` of ``str`` for addresses, a ``tuple`` of dicts for
  groups. It is called only for answered values (required-ness is the engine's job).
* A **procedure hook** ``(answers, ctx) -> Findings`` checks the answers as a whole (rules that
  involve several fields); ``answers`` is the raw JSON shape (``{"fields": ..., "organisations":
  ...}``) and ``ctx.path`` is empty.

* A **compute hook** ``(answers, ctx) -> value`` gives the value of a *computed* field (a
  field the citizen does not type, e.g. the address lines actually sent): the engine calls it
  at transmission, on answers that passed every check, and seals, sends and summarises the
  value like any answer. ``ctx.path`` is the field's path, ``ctx.organisation`` set for an
  organisation's own field.
* A **confirmation hook** ``(answers, ConfirmationContext) -> Email`` writes a type's own
  confirmation email in place of the generic one (the change of address says what it did and
  did not change); ``answers`` include the computed values.

Findings carry problems (a path, a stable reason word, facts for the message and, when a rule
has one, its typed error) and proposals (a value the citizen is offered instead of what they
typed, e.g. La Poste's form of an address: they accept it by saving it as their answer, or keep
theirs).

To add hooks, add a module to this package that defines ``FIELD_HOOKS``, ``PROCEDURE_HOOKS``,
``COMPUTE_HOOKS`` and/or ``CONFIRMATION_HOOKS`` (dicts from name to function):
:func:`default_hooks` finds every module of the package, so no engine code changes. Names are
global within a kind: two modules defining the same name is an error at load time.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from types import MappingProxyType
from typing import Any

from msp_portal.domain.dates import format_date_fr
from msp_portal.domain.emails import Email
from msp_portal.errors import PortalError

__all__ = [
    "ComputeHook",
    "ConfirmationContext",
    "ConfirmationHook",
    "FieldHook",
    "Findings",
    "HookContext",
    "HookRegistry",
    "Problem",
    "ProcedureHook",
    "Proposal",
    "default_hooks",
    "fact_text",
]


@dataclass(frozen=True)
class Problem:
    """One thing to correct: where, a stable reason word, and the facts its message needs.

    Paths look like ``fields.birth_date``, ``organisations.caf.contract_id``,
    ``fields.people[0].birth_date``.
    """

    path: str
    reason: str
    facts: tuple[tuple[str, str], ...] = ()
    error: PortalError | None = field(default=None, compare=False)
    """The rule's typed error when it has one (``move-date-out-of-window``...): its code, facts
    and ``message(lang)`` in French or English, for the page and the caller of transmit."""


def fact_text(value: object) -> str:
    """A fact as text: calendar days as JJ/MM/AAAA, instants in ISO 8601, the rest ``str``."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return format_date_fr(value)
    return str(value)


@dataclass(frozen=True)
class Proposal:
    """A value offered instead of the one typed (``value`` has the answer's JSON shape)."""

    path: str
    value: Any
    reason: str


@dataclass(frozen=True)
class Findings:
    """What a check found: problems that block transmission, proposals that do not."""

    problems: tuple[Problem, ...] = ()
    proposals: tuple[Proposal, ...] = ()

    def __add__(self, other: Findings) -> Findings:
        return Findings(self.problems + other.problems, self.proposals + other.proposals)

    @property
    def ok(self) -> bool:
        """Whether nothing blocks transmission."""
        return not self.problems


@dataclass(frozen=True)
class HookContext:
    """What a hook may know besides the value.

    Attributes:
        today: The date of the check in Europe/Paris (hooks never read the clock).
        procedure: The procedure type's id.
        path: Where the value is (``""`` for a procedure hook).
        organisation: The organisation code when the field is one of an organisation's fields.
        answers: Every answer, in the raw JSON shape (read-only use).
    """

    today: date
    procedure: str
    path: str = ""
    organisation: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)

    def problem(self, reason: str, **facts: object) -> Findings:
        """Findings with one problem at this context's path."""
        pairs = tuple(sorted((k, str(v)) for k, v in facts.items()))
        return Findings(problems=(Problem(self.path, reason, pairs),))

    def refuse(self, error: PortalError, path: str | None = None) -> Findings:
        """Findings with one problem carrying the typed ``error``.

        The problem's reason is the error's code, its facts the error's facts (as text); it is
        at this context's path, or at ``path``.
        """
        pairs = tuple(sorted((k, fact_text(v)) for k, v in error.facts.items()))
        return Findings(problems=(Problem(path or self.path, error.code, pairs, error),))

    def propose(self, value: Any, reason: str) -> Findings:
        """Findings with one proposal for the value at this context's path."""
        return Findings(proposals=(Proposal(self.path, value, reason),))


@dataclass(frozen=True)
class ConfirmationContext:
    """What a confirmation hook may know besides the answers.

    Attributes:
        to: The account's email address.
        procedure: The procedure type's title.
        reference: The dossier's reference (``A-1-...``).
        transmitted_at: The instant of transmission (aware, UTC).
        organisations: ``(code, name)`` of each receiving organisation, in order.
        base_url: Start of the portal's links (``PortalSettings.base_url``), without final ``/``.
    """

    to: str
    procedure: str
    reference: str
    transmitted_at: datetime
    organisations: tuple[tuple[str, str], ...]
    base_url: str


FieldHook = Callable[[Any, HookContext], Findings]
ProcedureHook = Callable[[Mapping[str, Any], HookContext], Findings]
ComputeHook = Callable[[Mapping[str, Any], HookContext], Any]
ConfirmationHook = Callable[[Mapping[str, Any], ConfirmationContext], Email]


@dataclass(frozen=True)
class HookRegistry:
    """The hooks definitions may name. Build it with :func:`default_hooks` (or by hand in tests)."""

    field_hooks: Mapping[str, FieldHook] = field(default_factory=dict)
    procedure_hooks: Mapping[str, ProcedureHook] = field(default_factory=dict)
    compute_hooks: Mapping[str, ComputeHook] = field(default_factory=dict)
    confirmation_hooks: Mapping[str, ConfirmationHook] = field(default_factory=dict)

    def merged(self, other: HookRegistry) -> HookRegistry:
        """Both registries together; a name defined twice in one kind is a ValueError."""
        kinds = ("field_hooks", "procedure_hooks", "compute_hooks", "confirmation_hooks")
        joined: list[Mapping[str, Any]] = []
        for kind in kinds:
            mine, theirs = getattr(self, kind), getattr(other, kind)
            clash = set(mine) & set(theirs)
            if clash:
                raise ValueError(f"hook names defined twice: {sorted(clash)}")
            joined.append(MappingProxyType({**mine, **theirs}))
        return HookRegistry(*joined)


@cache
def default_hooks() -> HookRegistry:
    """Every hook defined by the modules of this package (found by name, imported once)."""
    registry = HookRegistry()
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        registry = registry.merged(
            HookRegistry(
                MappingProxyType(dict(getattr(module, "FIELD_HOOKS", {}))),
                MappingProxyType(dict(getattr(module, "PROCEDURE_HOOKS", {}))),
                MappingProxyType(dict(getattr(module, "COMPUTE_HOOKS", {}))),
                MappingProxyType(dict(getattr(module, "CONFIRMATION_HOOKS", {}))),
            )
        )
    return registry
