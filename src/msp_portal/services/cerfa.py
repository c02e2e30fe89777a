"""CERFA forms for the portal's citizens (F1-F4): fill online, print, or send as a dossier.

Forms are filled online with the profile's contact details as prefill, then downloaded to
print (F1) or **sent online as a dossier** of the procedures model (F3, F4): each fillable form
of the catalogue is a procedure type generated from its catalogue entry
(:mod:`msp_portal.domain.cerfa_procedures`), its answers are the values the citizen typed, and
at transmission the form filled from them and flattened is the dossier's main document, merged
after the summary, sent to the form's organisation with an ``A-2-…`` reference.

The forms themselves are ``msp_docs.cerfa``'s (catalogue, maps, value checks, fill, flatten,
sanitising); this module brings the portal's profile and dossiers to them:

* :class:`CerfaDocuments` is the procedures engine's :class:`~msp_portal.ports.FormDocuments`:
  initial answers from the profile, the map's checks, the filled form;
* :class:`CerfaDesk` is what the web pages call, in the form's own terms (values keyed by the
  map's names, problems naming each field).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from msp_portal.domain.cerfa_procedures import (
    FormProblem,
    answer_ids,
    answers_from_values,
    procedure_id,
    values_from_answers,
)
from msp_portal.domain.contact import ContactDetails
from msp_portal.domain.dates import format_date_fr
from msp_portal.domain.dossiers import DossierView, Receipt, SavedDraft
from msp_portal.domain.lifecycle import DossierState
from msp_portal.domain.model import AccountView
from msp_portal.domain.procedure_types import ProcedureType
from msp_portal.errors import (
    AnswersMalformed,
    AttachmentRefused,
    DossierFrozen,
    FormValuesInvalid,
    IllegalTransition,
    UnknownProcedure,
)

if TYPE_CHECKING:
    from msp_docs.cerfa import Catalogue, CerfaForm
    from msp_docs.errors import MspDocsError
    from msp_docs.forms import FilledForm
    from msp_portal.portal import Portal

__all__ = [
    "CerfaCheck",
    "CerfaDesk",
    "CerfaDocuments",
    "CerfaDossier",
    "profile_for_forms",
    "profile_values",
]

_NUMBERED_STREET = re.compile(r"\s*(\d+\s*(?:bis|ter|quater|[A-Za-z])?)[\s,]+(.+)", re.IGNORECASE)
_REQUIRED = ("This field is required.", "Ce champ est obligatoire.")


def profile_values(contact: ContactDetails, email: str) -> dict[str, str]:
    """Contact details and email as ``msp_docs.cerfa`` prefill keys (empty values left out)."""
    values = {
        "last_name": contact.family_name,
        "first_names": contact.given_names,
        "birth_date": format_date_fr(contact.birth_date) if contact.birth_date else "",
        "address_line1": contact.address_line1,
        "address_line2": contact.address_line2,
        "postcode": contact.postcode,
        "city": contact.city,
        "country": contact.country,
        "email": email,
        "phone": contact.phone,
    }
    street = _NUMBERED_STREET.fullmatch(contact.address_line1)
    if street:
        values["address_number"] = street.group(1).strip()
        values["address_street"] = street.group(2).strip()
    elif contact.address_line1:
        values["address_street"] = contact.address_line1
    return {key: value for key, value in values.items() if value}


def profile_for_forms(view: AccountView) -> dict[str, str]:
    """The profile as ``msp_docs.cerfa`` prefill keys (empty values left out)."""
    return profile_values(view.contact, view.email)


# --- the map's checks, as FormProblems -----------------------------------------------------------
def _entry_of(form: CerfaForm, pdf_name: str) -> str:
    """The map entry a PDF field name belongs to (a date's day, month or year part included)."""
    for entry in form.fields:
        if pdf_name == entry.name or pdf_name in entry.pdf_names:
            return entry.name
    return pdf_name


def _problem(form: CerfaForm, exc: MspDocsError, source: str | None = None) -> FormProblem:
    name = _entry_of(form, str(exc.facts.get("field", "")))
    ids = answer_ids(form)
    label = next((e.label for e in form.fields if e.name == name), name)
    return FormProblem(
        field=name,
        path=f"fields.{ids.get(name, name)}",
        label=label,
        code=exc.code,
        message_en=exc.message("en"),
        message_fr=exc.message("fr"),
        source=source or str(exc.facts.get("source", "user")),
    )


def _check_one(form: CerfaForm, name: str, value: Any, source: str) -> FormProblem | None:
    """The map's verdict on one value (pure: no PDF is read)."""
    from msp_docs.cerfa import resolve_values
    from msp_docs.errors import InvalidFieldValue

    try:
        resolve_values(form, {name: value})
    except InvalidFieldValue as exc:
        return _problem(form, exc, source)
    return None


def _accepted_profile(form: CerfaForm, profile: Mapping[str, str]) -> dict[str, str]:
    """The profile's values the map accepts, by map entry name (a refused one is left out)."""
    out = {}
    for entry in form.fields:
        value = profile.get(entry.profile) if entry.profile else None
        if value and _check_one(form, entry.name, value, "profile") is None:
            out[entry.name] = value
    return out


def _fill(catalogue: Catalogue, form: CerfaForm, values: Mapping[str, Any]) -> FilledForm:
    """The form filled with ``values`` and flattened; msp_docs' refusals as portal errors."""
    from msp_docs.errors import InvalidFieldValue, MspDocsError

    try:
        return catalogue.fill(form, values, flatten=True, lang="fr")
    except InvalidFieldValue as exc:
        problem = _problem(form, exc)
        raise FormValuesInvalid(form=str(form.number), count=1, problems=(problem,)) from exc
    except MspDocsError as exc:
        raise AttachmentRefused(str(exc), slot=f"cerfa {form.number}", reason=exc.code) from exc


@dataclass(frozen=True)
class CerfaDocuments:
    """The procedures engine's ``FormDocuments`` over the CERFA catalogue of ``msp_docs``."""

    catalogue: Catalogue

    def form_of(self, ptype: ProcedureType) -> CerfaForm:
        """The catalogue entry a generated type was made from."""
        from msp_docs.errors import UnknownForm

        try:
            return self.catalogue.get(ptype.form)
        except UnknownForm as exc:
            raise UnknownProcedure(procedure=ptype.id) from exc

    def initial_answers(
        self, ptype: ProcedureType, contact: ContactDetails, email: str
    ) -> dict[str, Any]:
        """The profile's values the form's map accepts (F1: prefilled from the profile)."""
        form = self.form_of(ptype)
        return answers_from_values(form, _accepted_profile(form, profile_values(contact, email)))

    def problems(self, ptype: ProcedureType, answers: Mapping[str, Any]) -> tuple[FormProblem, ...]:
        """Every answered value the form's map refuses, one problem per field."""
        form = self.form_of(ptype)
        values = values_from_answers(form, answers)
        found = (
            _check_one(form, name, value, "user")
            for name, value in values.items()
            if value is not None
        )
        return tuple(p for p in found if p is not None)

    def render(self, ptype: ProcedureType, answers: Mapping[str, Any]) -> bytes:
        """The form filled with the answers, flattened and sanitised by ``msp_docs``."""
        form = self.form_of(ptype)
        return _fill(self.catalogue, form, values_from_answers(form, answers)).data


# --- the desk the web pages call -----------------------------------------------------------------
@dataclass(frozen=True)
class CerfaDossier:
    """A CERFA form being filled (or sent) as a dossier, in the form's own terms.

    Attributes:
        form: The catalogue entry (number, title, organisation, field map with labels).
        dossier: The dossier (state, file number, expiry, reference once transmitted).
        values: Map entry name -> value (text, True/False for checkboxes, the state of a radio
            group, JJ/MM/AAAA for dates; None where nothing is entered).
        prefilled: The entries whose value is the profile's (the page may say so).
    """

    form: CerfaForm
    dossier: DossierView
    values: dict[str, Any]
    prefilled: tuple[str, ...]


@dataclass(frozen=True)
class CerfaCheck:
    """What still blocks "Transmettre ma demande", one problem per field (empty: ready)."""

    problems: tuple[FormProblem, ...]

    @property
    def ok(self) -> bool:
        """Whether the dossier can be transmitted."""
        return not self.problems


@dataclass(frozen=True)
class CerfaDesk:
    """The CERFA catalogue as the portal offers it.

    Blank forms are public; filled forms are for the signed-in holder, prefilled from their
    profile (what they type wins). A fillable form is sent online as a dossier when the portal
    was built with the catalogue (``Portal(..., cerfa=catalogue)``, then ``portal.cerfa``).
    """

    portal: Portal
    catalogue: Catalogue

    def forms(self) -> list[CerfaForm]:
        """Every form of the catalogue, by number."""
        return sorted(self.catalogue, key=lambda form: str(form.number))

    def available(self, form: CerfaForm) -> bool:
        """Whether the form's PDF is in the forms directory."""
        from msp_docs.errors import UnknownForm

        try:
            self.catalogue.path(form)
        except UnknownForm:
            return False
        return True

    def form(self, number: str) -> CerfaForm:
        """The form of that number (``11580*05`` or ``11580-05``); raises ``UnknownForm``."""
        return self.catalogue.get(number)

    def prefill(self, session_token: str) -> dict[str, str]:
        """The signed-in holder's profile as prefill values."""
        return profile_for_forms(self.portal.view_account(session_token))

    def fill(
        self, session_token: str, number: str, values: dict[str, Any], *, flatten: bool
    ) -> FilledForm:
        """Fill a form for the signed-in holder, prefilled from their profile.

        Raises:
            SessionInvalid; msp_docs' ``FormError`` subclasses (unknown form, not fillable,
            unknown field, invalid value naming its field and label).
        """
        prefill = self.prefill(session_token)
        return self.catalogue.fill(number, values, prefill=prefill, flatten=flatten, lang="fr")

    def blank(self, number: str, *, fit_a4: bool) -> FilledForm:
        """A blank copy to print and fill by hand (a fillable form comes flattened, empty)."""
        from msp_docs.cerfa import FormKind

        form = self.catalogue.get(number)
        flatten = form.kind is FormKind.FILLABLE
        return self.catalogue.blank(form, flatten=flatten, fit_a4=fit_a4, lang="fr")

    # --- sent online as a dossier (F3, F4) -------------------------------------------------------
    def procedure(self, number: str) -> ProcedureType:
        """The procedure type that sends this form online.

        Raises:
            UnknownForm: not a form of the catalogue.
            UnknownProcedure: a blank form, or a portal built without this catalogue.
        """
        form = self.catalogue.get(number)
        ptype = self.portal.pctx.catalogue.get(procedure_id(form.number))
        if ptype is None or ptype.form != str(form.number) or self.portal.pctx.forms is None:
            raise UnknownProcedure(procedure=procedure_id(form.number))
        return ptype

    def _form_of(self, view: DossierView) -> CerfaForm:
        ptype = self.portal.pctx.catalogue.get(view.procedure)
        if ptype is None or not ptype.form:
            raise UnknownProcedure(procedure=view.procedure)
        return self.catalogue.get(ptype.form)

    def _dossier(self, session_token: str, view: DossierView) -> CerfaDossier:
        form = self._form_of(view)
        values = values_from_answers(form, view.answers)
        profile = _accepted_profile(form, self.prefill(session_token))
        prefilled = tuple(n for n, v in profile.items() if values.get(n) == v)
        return CerfaDossier(form, view, values, prefilled)

    def start(self, session_token: str, number: str) -> CerfaDossier:
        """Start sending a form online (P4: one procedure in progress), prefilled (F1).

        Raises:
            ProcedureInProgress: another procedure is in progress, named in the facts.
            UnknownForm, UnknownProcedure, SessionInvalid.
        """
        ptype = self.procedure(number)
        return self._dossier(session_token, self.portal.start_procedure(session_token, ptype.id))

    def dossier(self, session_token: str, dossier_id: str) -> CerfaDossier:
        """A CERFA dossier of the signed-in holder, in any state."""
        return self._dossier(session_token, self.portal.view_dossier(session_token, dossier_id))

    def update(
        self, session_token: str, dossier_id: str, values: Mapping[str, Any]
    ) -> CerfaDossier:
        """Replace the form's values: what the user typed, the profile's for the fields left out.

        ``values`` is keyed by the map's names, like :meth:`fill`; a value given (even empty:
        the user cleared the field) wins over the profile. Every value is checked by the map
        before anything is stored; a required field left empty only blocks transmission.

        Raises:
            FormValuesInvalid: every refused field with its label and the reason, in English
                and French (a bad date, a comb value longer than its cells, a bad postcode...).
            AnswersMalformed: a field the form does not have, or values that are not an object.
            DossierFrozen (transmitted, P7), IllegalTransition (saved: resume it first),
            DossierNotFound, ProcedureInProgress, SessionInvalid.
        """
        view = self.portal.view_dossier(session_token, dossier_id)
        form = self._form_of(view)
        if view.state is DossierState.TRANSMITTED:
            raise DossierFrozen(reference=view.reference or "?", action="edit")
        if view.state is not DossierState.IN_PROGRESS:
            raise IllegalTransition(state=view.state.value, action="edit")
        if not isinstance(values, Mapping) or not all(isinstance(k, str) for k in values):
            raise AnswersMalformed(path="values", reason="not-an-object")
        known = {entry.name for entry in form.fields}
        for name in values:
            if name not in known:
                raise AnswersMalformed(path=f"values.{name[:64]}", reason="unknown-field")
        refused = tuple(
            problem
            for problem in (_check_one(form, n, v, "user") for n, v in values.items())
            if problem is not None
        )
        if refused:
            raise FormValuesInvalid(form=str(form.number), count=len(refused), problems=refused)
        profile = _accepted_profile(form, self.prefill(session_token))
        merged = {**{n: v for n, v in profile.items() if n not in values}, **values}
        updated = self.portal.update_answers(
            session_token, dossier_id, answers_from_values(form, merged)
        )
        return self._dossier(session_token, updated)

    def check(self, session_token: str, dossier_id: str) -> CerfaCheck:
        """What still blocks transmission, one problem per field (required, refused values)."""
        view = self.portal.view_dossier(session_token, dossier_id)
        form = self._form_of(view)
        by_path = {f"fields.{i}": name for name, i in answer_ids(form).items()}
        labels = {entry.name: entry.label for entry in form.fields}
        documents = self.portal.pctx.forms
        assert documents is not None
        ptype = self.procedure(str(form.number))
        own = {p.path: p for p in documents.problems(ptype, view.answers)}
        problems = list(own.values())
        for path, reason in self.portal.check_procedure(session_token, dossier_id).problems:
            if path in own:
                continue
            name = by_path.get(path, path)
            en, fr = (
                _REQUIRED
                if reason == "required"
                else (
                    f"This value cannot be accepted ({reason}).",
                    f"Cette valeur ne peut pas être acceptée ({reason}).",
                )
            )
            problems.append(FormProblem(name, path, labels.get(name, name), reason, en, fr))
        return CerfaCheck(tuple(problems))

    def save(self, session_token: str, dossier_id: str) -> SavedDraft:
        """Save as a draft (P1-P3): file number, password and resume link, by email too."""
        return self.portal.save_procedure(session_token, dossier_id)

    def resume(
        self,
        session_token: str,
        dossier_id: str,
        *,
        file_number: str | None = None,
        password: str | None = None,
    ) -> CerfaDossier:
        """Resume a saved draft (P2): the saved values come back exactly."""
        view = self.portal.resume_procedure(
            session_token, dossier_id, file_number=file_number, password=password
        )
        return self._dossier(session_token, view)

    def transmit(self, session_token: str, dossier_id: str) -> Receipt:
        """Transmit ("Transmettre ma demande", P5, F3, F4): the filled, flattened form is sent.

        The form is filled from the dossier's values and flattened, becomes the main document
        (merged after the summary), the dossier is frozen with an ``A-2-…`` reference given in
        the confirmation email, and the delivery to the form's organisation is queued.
        Idempotent (P9).

        Raises:
            AnswersIncomplete: required fields left empty (see :meth:`check`).
            FormValuesInvalid: a value the form cannot show (characters, too long for its box).
            DossierFrozen, IllegalTransition, DossierNotFound, ProcedureInProgress.
        """
        return self.portal.transmit_procedure(session_token, dossier_id)

    def print_copy(self, session_token: str, dossier_id: str) -> FilledForm:
        """The dossier's form filled and flattened, to print and post (F1); nothing is sent.

        Raises:
            FormValuesInvalid: a value the form cannot show; DossierNotFound, SessionInvalid.
        """
        view = self.portal.view_dossier(session_token, dossier_id)
        form = self._form_of(view)
        return _fill(self.catalogue, form, values_from_answers(form, view.answers))
