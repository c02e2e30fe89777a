"""Hooks of the change of address (``changement-coordonnees``, rules C1-C5) on the procedure engine.

The rules are the pure functions of ``move_date`` (C1), ``address`` (C3), ``contracts`` (C4) and
``change_of_address`` (the confirmation, C4-C5); this module only reads them out of a dossier's
answers and gives their verdicts the engine's shape. C2 (dates typed JJ/MM/AAAA) is the engine's
own check of every date field (``answers.check_content``, with ``dates.parse_date_fr``).

How the definition (``definitions/procedures/changement-coordonnees.toml``) uses them:

* ``move-date`` (field hook on ``move_date``): C1's window, today being ``ctx.today`` (the Paris
  day of the check); the problem carries :class:`~msp_portal.errors.MoveDateOutOfWindow`.
* ``contract-number`` (validator of each organisation's ``contract_id``): C4's check of that
  organisation's number; the problem carries :class:`~msp_portal.errors.InvalidContractNumber`.
* ``la-poste-address`` (procedure hook): C3. The new address is typed in the fields named in
  :data:`NEW_ADDRESS_FIELDS`; a field that cannot be put into La Poste's form is a problem
  (:class:`~msp_portal.errors.InvalidAddress`, at that field's path); otherwise one *proposal*
  at ``fields.new_address_choice`` shows the lines, each change and the warnings. The citizen
  answers it by saving ``new_address_choice`` (``accept``, or ``refuse``: "Je refuse ces
  modifications. Ma saisie sera conservée") together with ``new_address_proposal``, the
  proposal's id. When the address has changes and no choice answers its current proposal,
  transmission is blocked (:class:`~msp_portal.errors.AddressChoiceNeeded`): a choice made for
  an address typed differently is never applied to another. An address La Poste's form leaves
  unchanged needs no choice. Warnings (postcode and locality that do not match) never block.
* Computed fields, sealed and sent at transmission: ``declared-address-lines`` (exactly the
  normalised lines, or exactly what was typed), ``declared-address-normalised``,
  ``declared-address-warnings`` (their codes) and, per organisation, ``contract-number-compact``
  (the number as checked, without separators).
* ``change-of-address`` (confirmation hook): the confirmation email of ``change_of_address``
  (C4: who is covered, household members with their own contracts; C5: the profile is not
  changed, and where to change it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from msp_portal.domain.address import (
    TYPED_MAX,
    AddressChoice,
    DeclaredAddress,
    Normalisation,
    TypedAddress,
    declare,
    normalise_address,
    typed_lines,
)
from msp_portal.domain.change_of_address import (
    PROFILE_PATH,
    DeclaredContract,
    confirmation,
)
from msp_portal.domain.contracts import check_contract_number, normalise_contract_number
from msp_portal.domain.dates import parse_date_fr
from msp_portal.domain.emails import Email
from msp_portal.domain.hooks import (
    ComputeHook,
    ConfirmationContext,
    ConfirmationHook,
    FieldHook,
    Findings,
    HookContext,
    ProcedureHook,
    Proposal,
)
from msp_portal.domain.move_date import check_move_date
from msp_portal.errors import AddressChoiceNeeded, InvalidAddress, UnknownOrganisation

__all__ = [
    "CHOICE_FIELD",
    "COMPUTE_HOOKS",
    "CONFIRMATION_HOOKS",
    "CONTRACT_FIELD",
    "FIELD_HOOKS",
    "NEW_ADDRESS_FIELDS",
    "PEOPLE_FIELD",
    "PROCEDURE_HOOKS",
    "PROPOSAL_FIELD",
    "REFUSE_LABEL",
    "declared_address",
    "proposal_id",
    "typed_new_address",
]

NEW_ADDRESS_FIELDS: dict[str, str] = {
    "line2": "new_line2",
    "line3": "new_line3",
    "number": "new_number",
    "suffix": "new_suffix",
    "street": "new_street",
    "line5": "new_line5",
    "postcode": "new_postcode",
    "locality": "new_locality",
}
"""Each part of :class:`~msp_portal.domain.address.TypedAddress` -> the field that holds it."""
CHOICE_FIELD = "new_address_choice"
"""The citizen's answer to La Poste's form: ``accept`` or ``refuse``."""
PROPOSAL_FIELD = "new_address_proposal"
"""The id of the proposal the choice answers (:func:`proposal_id`)."""
MOVE_DATE_FIELD = "move_date"
CONTRACT_FIELD = "contract_id"
"""Each organisation's own field holding the contract number, as typed."""
PEOPLE_FIELD = "people"
"""Each organisation's own group: the people attached to that contract."""
REFUSE_LABEL = "Je refuse ces modifications. Ma saisie sera conservée"


# --- reading the answers ------------------------------------------------------------------------
def _fields(answers: Mapping[str, Any]) -> Mapping[str, Any]:
    fields = answers.get("fields")
    return fields if isinstance(fields, Mapping) else {}


def typed_new_address(answers: Mapping[str, Any]) -> TypedAddress | None:
    """The new address as typed, or None when the engine's own checks already refuse it.

    None: postcode or locality not given (``required``), or a part that is not text or longer
    than the definition allows (``too-long``): reporting those again here would say it twice.
    """
    fields = _fields(answers)
    parts: dict[str, str] = {}
    for part, field_id in NEW_ADDRESS_FIELDS.items():
        value = fields.get(field_id)
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > TYPED_MAX:
            return None
        parts[part] = value
    if not parts["postcode"].strip() or not parts["locality"].strip():
        return None
    return TypedAddress(**parts)


def proposal_id(normalisation: Normalisation) -> str:
    """Sixteen hex digits naming one proposal: what was typed, the lines offered, the warnings.

    A choice is applied only to the proposal it answered: any change to the typed address (or to
    what La Poste's form makes of it) gives another id.
    """
    text = json.dumps(
        {
            "typed": normalisation.typed.to_dict(),
            "lines": list(normalisation.by_position),
            "warnings": [[w.code, dict(w.facts)] for w in normalisation.warnings],
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _normalised(answers: Mapping[str, Any]) -> Normalisation | InvalidAddress | None:
    typed = typed_new_address(answers)
    if typed is None:
        return None
    try:
        return normalise_address(typed)
    except InvalidAddress as error:
        return error


def _choice(answers: Mapping[str, Any], normalisation: Normalisation) -> AddressChoice | None:
    """The choice that answers this very proposal; an unchanged address counts as accepted."""
    fields = _fields(answers)
    choice, seen = fields.get(CHOICE_FIELD), fields.get(PROPOSAL_FIELD)
    if choice in set(AddressChoice) and seen == proposal_id(normalisation):
        return AddressChoice(choice)
    return None if normalisation.changed else AddressChoice.ACCEPT


def declared_address(answers: Mapping[str, Any]) -> DeclaredAddress | None:
    """What is sent for the new address, or None while the choice is missing or outdated.

    Accepted: the normalised lines; refused: exactly what was typed (``normalised`` False).
    """
    normalisation = _normalised(answers)
    if not isinstance(normalisation, Normalisation):
        return None
    choice = _choice(answers, normalisation)
    return None if choice is None else declare(normalisation, choice)


# --- C1: the move date --------------------------------------------------------------------------
def move_date(value: Any, ctx: HookContext) -> Findings:
    """``move-date``: today - 1 month <= move date <= today + 3 months (today: ``ctx.today``)."""
    if not isinstance(value, date):
        return Findings()
    problem = check_move_date(value, ctx.today, field=ctx.path.rpartition(".")[2])
    return Findings() if problem is None else ctx.refuse(problem)


# --- C4: contract numbers -----------------------------------------------------------------------
def contract_number(value: Any, ctx: HookContext) -> Findings:
    """``contract-number``: the check of ``ctx.organisation``'s numbers.

    The NIR's key, the numéro fiscal's key, the CAF's 7 digits... (``contracts``).
    """
    if not isinstance(value, str):
        return Findings()
    try:
        problem = check_contract_number(ctx.organisation or "", value)
    except UnknownOrganisation as error:  # a definition naming it on another organisation
        return ctx.refuse(error)
    return Findings() if problem is None else ctx.refuse(problem)


# --- C3: La Poste's form, proposed --------------------------------------------------------------
def _proposal_value(
    normalisation: Normalisation, pid: str, current: AddressChoice | None
) -> dict[str, Any]:
    return {
        "proposal": pid,
        "changed": normalisation.changed,
        "choice_required": normalisation.changed,
        "choice": None if current is None else str(current),
        "lines": list(normalisation.lines),
        "typed_lines": [line for line in typed_lines(normalisation.typed) if line],
        "changes": [change.to_dict() for change in normalisation.changes],
        "warnings": [
            {
                "code": w.code,
                "facts": dict(w.facts),
                "message": w.message("fr"),
                "message_en": w.message("en"),
            }
            for w in normalisation.warnings
        ],
        "accept": {CHOICE_FIELD: str(AddressChoice.ACCEPT), PROPOSAL_FIELD: pid},
        "refuse": {CHOICE_FIELD: str(AddressChoice.REFUSE), PROPOSAL_FIELD: pid},
        "refuse_label": REFUSE_LABEL,
    }


def la_poste_address(answers: Mapping[str, Any], ctx: HookContext) -> Findings:
    """``la-poste-address``: the new address in La Poste's form, proposed; the choice checked."""
    normalisation = _normalised(answers)
    if normalisation is None:
        return Findings()  # the engine reports the missing or overlong parts
    if isinstance(normalisation, InvalidAddress):
        field_id = NEW_ADDRESS_FIELDS.get(str(normalisation.facts.get("field")), "new_street")
        return ctx.refuse(normalisation, path=f"fields.{field_id}")
    pid = proposal_id(normalisation)
    fields = _fields(answers)
    choice = _choice(answers, normalisation)
    answered = choice if fields.get(PROPOSAL_FIELD) == pid else None
    value = _proposal_value(normalisation, pid, answered)
    findings = Findings(proposals=(Proposal(f"fields.{CHOICE_FIELD}", value, "la-poste-form"),))
    if choice is None and fields.get(CHOICE_FIELD) in (None, "", *AddressChoice):
        # A value that is not a choice at all is the engine's ``unknown-choice``.
        reason = "required" if not fields.get(CHOICE_FIELD) else "outdated"
        error = AddressChoiceNeeded(reason=reason, proposal=pid)
        findings += ctx.refuse(error, path=f"fields.{CHOICE_FIELD}")
    return findings


# --- computed fields ----------------------------------------------------------------------------
def declared_lines(answers: Mapping[str, Any], ctx: HookContext) -> str | None:
    """``declared-address-lines``: the new address as sent, one line per line."""
    declared = declared_address(answers)
    return None if declared is None else "\n".join(declared.lines)


def declared_normalised(answers: Mapping[str, Any], ctx: HookContext) -> bool | None:
    """``declared-address-normalised``: whether the lines sent are La Poste's form."""
    declared = declared_address(answers)
    return None if declared is None else declared.normalised


def declared_warnings(answers: Mapping[str, Any], ctx: HookContext) -> list[str] | None:
    """``declared-address-warnings``: the codes of the address's warnings (None: none)."""
    declared = declared_address(answers)
    if declared is None or not declared.warnings:
        return None
    return list(dict.fromkeys(w.code for w in declared.warnings))


def _own(answers: Mapping[str, Any], organisation: str | None) -> Mapping[str, Any]:
    organisations = answers.get("organisations")
    own = organisations.get(organisation) if isinstance(organisations, Mapping) else None
    return own if isinstance(own, Mapping) else {}


def compact_contract_number(answers: Mapping[str, Any], ctx: HookContext) -> str | None:
    """``contract-number-compact``: the organisation's number as checked (no separators)."""
    typed = _own(answers, ctx.organisation).get(CONTRACT_FIELD)
    if not isinstance(typed, str) or ctx.organisation is None:
        return None
    if check_contract_number(ctx.organisation, typed) is not None:
        return None
    return normalise_contract_number(ctx.organisation, typed)


# --- the confirmation (C4, C5) ------------------------------------------------------------------
def _people(own: Mapping[str, Any]) -> tuple[str, ...]:
    names = []
    for person in own.get(PEOPLE_FIELD) or ():
        if isinstance(person, Mapping):
            parts = (person.get("given_names"), person.get("family_name"))
            name = " ".join(str(p).strip() for p in parts if isinstance(p, str) and p.strip())
            if name:
                names.append(name)
    return tuple(names)


def declared_contracts(
    answers: Mapping[str, Any], organisations: tuple[str, ...]
) -> tuple[DeclaredContract, ...]:
    """Each receiving organisation's contract number (as checked) and the people attached."""
    contracts = []
    for code in organisations:
        own = _own(answers, code)
        typed = own.get(CONTRACT_FIELD)
        number = normalise_contract_number(code, typed) if isinstance(typed, str) else ""
        contracts.append(DeclaredContract(code, number, _people(own)))
    return tuple(contracts)


def confirmation_email(answers: Mapping[str, Any], ctx: ConfirmationContext) -> Email:
    """``change-of-address``: the confirmation of ``change_of_address``, in French."""
    declared = declared_address(answers)
    moved = parse_date_fr(str(_fields(answers).get(MOVE_DATE_FIELD, "")))
    if declared is None or not isinstance(moved, date):  # checked before transmission
        raise ValueError("a change of address is confirmed only once its answers are complete")
    return confirmation(
        to=ctx.to,
        reference=ctx.reference,
        transmitted_at=ctx.transmitted_at,
        move_date=moved,
        address=declared,
        contracts=declared_contracts(answers, tuple(code for code, _ in ctx.organisations)),
        profile_url=ctx.base_url + PROFILE_PATH,
    )


FIELD_HOOKS: dict[str, FieldHook] = {
    "move-date": move_date,
    "contract-number": contract_number,
}
PROCEDURE_HOOKS: dict[str, ProcedureHook] = {"la-poste-address": la_poste_address}
COMPUTE_HOOKS: dict[str, ComputeHook] = {
    "declared-address-lines": declared_lines,
    "declared-address-normalised": declared_normalised,
    "declared-address-warnings": declared_warnings,
    "contract-number-compact": compact_contract_number,
}
CONFIRMATION_HOOKS: dict[str, ConfirmationHook] = {"change-of-address": confirmation_email}
