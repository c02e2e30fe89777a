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

Findings carry problems (a path, a stable reason word, facts for the message) and proposals (a
value the citizen is offered instead of what they typed, e.g. La Poste's form of an address:
they accept it by saving it as their answer, or keep theirs).

To add hooks, add a module to this package that defines ``FIELD_HOOKS`` and/or
``PROCEDURE_HOOKS`` (dicts from name to function): :func:`default_hooks` finds every module of
the package, so no engine code changes. Names are global: two modules defining the same name is
an error at load time.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any

__all__ = [
    "FieldHook",
    "Findings",
    "HookContext",
    "HookRegistry",
    "Problem",
    "ProcedureHook",
    "Proposal",
    "default_hooks",
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

    def propose(self, value: Any, reason: str) -> Findings:
        """Findings with one proposal for the value at this context's path."""
        return Findings(proposals=(Proposal(self.path, value, reason),))


FieldHook = Callable[[Any, HookContext], Findings]
ProcedureHook = Callable[[Mapping[str, Any], HookContext], Findings]


@dataclass(frozen=True)
class HookRegistry:
    """The hooks definitions may name. Build it with :func:`default_hooks` (or by hand in tests)."""

    field_hooks: Mapping[str, FieldHook] = field(default_factory=dict)
    procedure_hooks: Mapping[str, ProcedureHook] = field(default_factory=dict)

    def merged(self, other: HookRegistry) -> HookRegistry:
        """Both registries together; a name defined twice is a ValueError."""
        for mine, theirs in (
            (self.field_hooks, other.field_hooks),
            (self.procedure_hooks, other.procedure_hooks),
        ):
            clash = set(mine) & set(theirs)
            if clash:
                raise ValueError(f"hook names defined twice: {sorted(clash)}")
        return HookRegistry(
            MappingProxyType({**self.field_hooks, **other.field_hooks}),
            MappingProxyType({**self.procedure_hooks, **other.procedure_hooks}),
        )


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
            )
        )
    return registry
