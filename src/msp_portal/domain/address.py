"""Rule C3: an address put into La Poste's standard form (NF Z10-011) before it is sent.

The citizen types fields (:class:`TypedAddress`); :func:`normalise_address` returns the six lines
La Poste prints, every change line by line (before → after) and warnings; the citizen then
accepts the changes or refuses them ("Je refuse ces modifications. Ma saisie sera conservée"),
which :func:`declare` records as the :class:`DeclaredAddress` a procedure stores and sends.

The lines (at most 6, at most 38 characters each, spaces included):

1. recipient (civility, first name, name) — optional
2. inside the building: flat, floor, corridor, staircase, "chez" — optional
3. outside the building: entrance, building, residence — optional
4. number, repetition index (bis, ter...) and street (type and name)
5. lieu-dit, hamlet, BP or other special delivery
6. postcode (5 digits) and locality (libellé d'acheminement, possibly ``CEDEX nn``)

Lines 1 to 3 keep the citizen's case and French accents (a name is written as its owner writes
it); lines 4 to 6 are in capitals without accents or punctuation. The street label is abbreviated
with the shipped table only when it does not fit (``street_label``). The postcode and locality are
checked against La Poste's base (``postcodes``); when they do not match, the address is still
accepted, with a warning that it may not be taken into account (the FAQ's words).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import lru_cache
from typing import Any

from msp_portal.domain.postal_text import fold
from msp_portal.domain.postcodes import Locality, locality_key, postcode_base, spell_out
from msp_portal.domain.street_label import LABEL_MAX, shorten_label
from msp_portal.errors import InvalidAddress

__all__ = [
    "FIELD_LABELS",
    "LINE_MAX",
    "LOCALITY_MAX",
    "AddressChoice",
    "AddressWarning",
    "DeclaredAddress",
    "LineChange",
    "Normalisation",
    "TypedAddress",
    "check_address",
    "declare",
    "normalise_address",
    "typed_lines",
]

LINE_MAX = 38
"""Characters on a line of a postal address, spaces included (NF Z10-011)."""
LOCALITY_MAX = 32
"""Characters of a locality after the postcode and its space on line 6."""
TYPED_MAX = 200
"""Longest field accepted before abbreviation (a street label of 200 characters is not real)."""

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "recipient": ("Recipient", "Destinataire"),
    "line2": ("Flat, floor, staircase", "Appartement, étage, escalier"),
    "line3": ("Building, entrance, residence", "Bâtiment, entrée, résidence"),
    "number": ("Number", "Numéro"),
    "suffix": ("Bis, ter...", "Bis, ter..."),
    "street": ("Street", "Voie"),
    "line5": ("Lieu-dit, BP", "Lieu-dit, boîte postale"),
    "postcode": ("Postcode", "Code postal"),
    "locality": ("Locality", "Localité"),
}
"""Each field's name on the form (English, French), used in messages."""

_REPETITIONS = {"BIS": "B", "TER": "T", "QUATER": "Q", "QUINQUIES": "C", "SEXIES": "S"}
_INDEX = "|".join(_REPETITIONS) + "|[A-Z]"
_NUMBER = re.compile(rf"0*([0-9]{{1,5}})(?: ?({_INDEX}))?")
_NUMBER_IN_STREET = re.compile(rf"0*([0-9]{{1,5}})(?: ?({_INDEX}))? (?=[A-Z])")
_CEDEX = re.compile(r"(.+?) CEDEX(?: ([0-9]{1,3}))?")
_SPECIAL_DELIVERY = (
    (re.compile(r"^B P(?= |$)"), "BP"),
    (re.compile(r"^C S(?= |$)"), "CS"),
    (re.compile(r"^T S A(?= |$)"), "TSA"),
)
_FRENCH_LETTERS = "ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸàâäçéèêëîïôöùûüÿŒœÆæ"
_FREE_PUNCTUATION = "'-.,/&()"
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-", "–": "-", "—": "-"})
_WHITESPACE = re.compile(r"\s+")


# --- values -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TypedAddress:
    """The address fields as the citizen typed them (every field is text, possibly empty).

    ``number`` may carry its index (``12bis``); when ``number`` is empty a number typed at the
    start of ``street`` (``12 bis rue ...``) is used. ``line5`` is a lieu-dit, hamlet or BP.
    """

    street: str = ""
    postcode: str = ""
    locality: str = ""
    number: str = ""
    suffix: str = ""
    recipient: str = ""
    line2: str = ""
    line3: str = ""
    line5: str = ""

    def to_dict(self) -> dict[str, str]:
        """The fields by name (JSON-serialisable)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TypedAddress:
        """Read :meth:`to_dict`'s form back; unknown names and non-text values are refused."""
        known = {f.name for f in fields(cls)}
        for name, value in data.items():
            if name not in known:
                raise InvalidAddress(f"unknown field {name!r}", **_about(name, "unknown-field"))
            if not isinstance(value, str):
                raise InvalidAddress(**_about(name, "characters"))
        return cls(**dict(data))


@dataclass(frozen=True)
class LineChange:
    """One line that normalisation changed: its position (1–6), before and after, and why.

    Reasons: ``format`` (capitals, accents, punctuation, spaces), ``abbreviated`` (street label
    or index shortened to fit), ``number`` (house number taken from the street or written
    without leading zeros), ``hamlet`` (the base's Ligne_5 added), ``locality`` (La Poste's
    libellé d'acheminement instead of what was typed).
    """

    line: int
    before: str
    after: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "line": self.line,
            "before": self.before,
            "after": self.after,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class AddressWarning:
    """Something to check before sending; the address can still be sent.

    Codes: ``postcode-unknown`` (facts ``postcode``) and ``locality-mismatch`` (facts
    ``postcode``, ``locality`` and ``known``, some localities of that postcode, maybe empty).
    """

    code: str
    facts: Mapping[str, str] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        """The warning in English or French, saying the request may not be taken into account."""
        from msp_portal._messages import render_address_warning

        return render_address_warning(self.code, self.facts, lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON-serialisable form: code, facts, message."""
        return {"code": self.code, "facts": dict(self.facts), "message": self.message(lang)}


@dataclass(frozen=True)
class Normalisation:
    """The result of :func:`normalise_address`: the proposal shown to the citizen."""

    typed: TypedAddress
    """What was typed."""
    by_position: tuple[str, str, str, str, str, str]
    """Lines 1 to 6 after normalisation, ``""`` for an empty line."""
    fields: TypedAddress
    """The normalised address as fields: normalising them again changes nothing."""
    changes: tuple[LineChange, ...]
    """Every line that differs from what was typed, in line order."""
    warnings: tuple[AddressWarning, ...]
    locality: Locality | None
    """The row of La Poste's base the postcode and locality matched, if any."""

    @property
    def lines(self) -> tuple[str, ...]:
        """The printed lines (empty lines left out): at most 6, each at most 38 characters."""
        return tuple(line for line in self.by_position if line)

    @property
    def changed(self) -> bool:
        """Whether accepting gives something else than what was typed."""
        return bool(self.changes)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON-serialisable form (the CLI's ``--json`` output)."""
        return {
            "lines": list(self.lines),
            "by_position": list(self.by_position),
            "changed": self.changed,
            "changes": [change.to_dict() for change in self.changes],
            "warnings": [warning.to_dict(lang) for warning in self.warnings],
            "typed": self.typed.to_dict(),
            "fields": self.fields.to_dict(),
        }


class AddressChoice(StrEnum):
    """The citizen's answer to the proposed changes."""

    ACCEPT = "accept"
    """"Valider": the normalised lines are sent."""
    REFUSE = "refuse"
    """"Je refuse ces modifications. Ma saisie sera conservée": what was typed is sent."""


@dataclass(frozen=True)
class DeclaredAddress:
    """The address a change-of-address declaration stores and sends to each organisation.

    ``normalised`` is False when the citizen refused the changes: ``lines`` are then exactly
    what was typed (:func:`typed_lines`), which organisations should treat as unchecked. The
    typed fields and the warnings travel with it either way.
    """

    choice: AddressChoice
    normalised: bool
    lines: tuple[str, ...]
    typed: TypedAddress
    warnings: tuple[AddressWarning, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, read back by :meth:`from_dict`."""
        return {
            "choice": str(self.choice),
            "normalised": self.normalised,
            "lines": list(self.lines),
            "typed": self.typed.to_dict(),
            "warnings": [{"code": w.code, "facts": dict(w.facts)} for w in self.warnings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeclaredAddress:
        """Read :meth:`to_dict`'s form back (as stored by a procedure)."""
        return cls(
            choice=AddressChoice(data["choice"]),
            normalised=bool(data["normalised"]),
            lines=tuple(str(line) for line in data["lines"]),
            typed=TypedAddress.from_dict(data["typed"]),
            warnings=tuple(
                AddressWarning(str(w["code"]), {str(k): str(v) for k, v in w["facts"].items()})
                for w in data["warnings"]
            ),
        )


# --- the rule -----------------------------------------------------------------------------------
def typed_lines(typed: TypedAddress) -> tuple[str, str, str, str, str, str]:
    """Lines 1 to 6 exactly as typed: each field verbatim, fields of one line joined by a space.

    Fields left empty (or only blank) are left out. This is what is sent when the citizen
    refuses the changes.
    """

    def join(*parts: str) -> str:
        return " ".join(part for part in parts if part.strip())

    return (
        join(typed.recipient),
        join(typed.line2),
        join(typed.line3),
        join(typed.number, typed.suffix, typed.street),
        join(typed.line5),
        join(typed.postcode, typed.locality),
    )


def normalise_address(typed: TypedAddress) -> Normalisation:
    """Put ``typed`` into La Poste's form, or raise :class:`~msp_portal.errors.InvalidAddress`.

    Refused: a missing street (when there is no lieu-dit either), postcode or locality; a
    postcode that is not 5 digits; a number that is not one; a line 1, 2, 3 or 5 longer than 38
    characters; a street that does not fit on line 4 even abbreviated; a field with nothing
    printable. Everything else gives a :class:`Normalisation`.
    """
    for name in FIELD_LABELS:
        value = getattr(typed, name)
        if not isinstance(value, str):
            raise InvalidAddress(**_about(name, "characters"))
        if len(value) > TYPED_MAX * 5:  # answer a megabyte string without reading it all
            raise InvalidAddress(**_about(name, "too-long", length=len(value), maximum=LINE_MAX))
    reasons: dict[int, list[str]] = {i: [] for i in range(1, 7)}

    recipient = _free_line(typed.recipient, "recipient")
    line2 = _free_line(typed.line2, "line2")
    line3 = _free_line(typed.line3, "line3")
    number, suffix, street = _street_parts(typed, reasons[4])
    line5 = _special_delivery(typed.line5)
    if not street and not line5:
        raise InvalidAddress(**_about("street", "required"))
    if number and not street:
        raise InvalidAddress(**_about("street", "required"))
    postcode = _postcode(typed.postcode)
    locality, hamlet, row, warnings = _locality(postcode, typed.locality, reasons[6])
    if hamlet and not street and line5 and not _ends_with(line5, hamlet):
        # No street: the lieu-dit typed is the address's line 4, line 5 takes the hamlet.
        street, line5 = line5, ""
        reasons[4].append("hamlet")
    if hamlet:
        line5 = _with_hamlet(line5, hamlet, reasons[5])
    number, suffix, label = _fit_street(number, suffix, street, reasons[4])

    line4 = " ".join(part for part in (number, suffix, label) if part)
    by_position = (recipient, line2, line3, line4, line5, f"{postcode} {locality}")
    normalised = TypedAddress(
        street=label,
        postcode=postcode,
        locality=locality,
        number=number,
        suffix=suffix,
        recipient=recipient,
        line2=line2,
        line3=line3,
        line5=line5,
    )
    changes = []
    for position, (old, new) in enumerate(zip(typed_lines(typed), by_position, strict=True), 1):
        if old != new:
            why = reasons[position]
            if _fold_or_clean(old, position) != old or not why:
                why = [*why, "format"]  # capitals, accents, punctuation or spaces
            changes.append(LineChange(position, old, new, tuple(dict.fromkeys(why))))
    return Normalisation(typed, by_position, normalised, tuple(changes), warnings, row)


def check_address(typed: TypedAddress) -> InvalidAddress | None:
    """Validator: None when ``typed`` can be normalised, else the error (not raised)."""
    try:
        normalise_address(typed)
    except InvalidAddress as error:
        return error
    return None


def declare(normalisation: Normalisation, choice: AddressChoice | str) -> DeclaredAddress:
    """The address to store and send, after the citizen accepted or refused the changes."""
    choice = AddressChoice(choice)
    if choice is AddressChoice.ACCEPT:
        return DeclaredAddress(
            choice, True, normalisation.lines, normalisation.typed, normalisation.warnings
        )
    lines = tuple(line for line in typed_lines(normalisation.typed) if line)
    return DeclaredAddress(choice, False, lines, normalisation.typed, normalisation.warnings)


# --- the steps ----------------------------------------------------------------------------------
_TOO_LONG_HINTS = {
    "street": (
        "It does not fit on its line even abbreviated: check it.",
        "Elle ne tient pas sur sa ligne même abrégée : vérifiez-la.",
    ),
    "locality": (
        "La Poste's localities have at most 32 characters: check it.",
        "Les localités de La Poste comptent 32 caractères au plus : vérifiez-la.",
    ),
}
_ABBREVIATE_HINT = (
    "Shorten it, for example APP for appartement, BAT for bâtiment, ETG for étage, RES for "
    "résidence, BP for boîte postale.",
    "Abrégez-le, par exemple APP pour appartement, BAT pour bâtiment, ETG pour étage, RES pour "
    "résidence, BP pour boîte postale.",
)


def _about(name: str, reason: str, **facts: Any) -> dict[str, Any]:
    """The facts of an :class:`InvalidAddress` about field ``name``."""
    label_en, label_fr = FIELD_LABELS.get(name, (name, name))
    if reason == "too-long":
        facts["hint_en"], facts["hint_fr"] = _TOO_LONG_HINTS.get(name, _ABBREVIATE_HINT)
    return {"field": name, "reason": reason, "label_en": label_en, "label_fr": label_fr, **facts}


@lru_cache(maxsize=4096)  # bounded: hostile input may bring every code point
def _free_char(char: str) -> str:
    """How a character of lines 1-3 is kept: itself, a plain letter or digit, or a space."""
    if char.isascii():
        return char if char.isalnum() or char in _FREE_PUNCTUATION else " "
    if char in _FRENCH_LETTERS:
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base.isascii() and base.isalnum() else " "


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.translate(_TYPOGRAPHY))
    return " ".join("".join(_free_char(c) for c in text).split())


def _free_line(text: str, name: str) -> str:
    """Lines 1-3: the citizen's case and French accents kept, other characters simplified."""
    cleaned = _clean(text)
    if text.strip() and not any(c.isalnum() for c in cleaned):
        raise InvalidAddress(**_about(name, "characters"))
    if len(cleaned) > LINE_MAX:
        raise InvalidAddress(**_about(name, "too-long", length=len(cleaned), maximum=LINE_MAX))
    return cleaned


def _fold_or_clean(text: str, position: int) -> str:
    return fold(text) if position >= 4 else _clean(text)


def _folded(text: str, name: str) -> str:
    folded = fold(unicodedata.normalize("NFKC", text))
    if text.strip() and not folded:
        raise InvalidAddress(**_about(name, "characters"))
    return folded


def _street_parts(typed: TypedAddress, why: list[str]) -> tuple[str, str, str]:
    """Number, repetition index and street label, folded; the number may come from the street."""
    street = _folded(typed.street, "street")
    number = _folded(typed.number, "number")
    suffix = _folded(typed.suffix, "suffix")
    if number:
        match = _NUMBER.fullmatch(number)
        if match is None or (match.group(2) and suffix):
            raise InvalidAddress(**_about("number", "number-format"))
        if match.group(2):
            suffix = match.group(2)
        if not number.startswith(match.group(1)):  # leading zeros
            why.append("number")
        number = match.group(1)
    elif street and (match := _NUMBER_IN_STREET.match(street)):
        if match.group(2) and suffix:
            raise InvalidAddress(**_about("number", "number-format"))
        number, suffix, street = match.group(1), match.group(2) or suffix, street[match.end() :]
        why.append("number")
    if suffix and not (suffix in _REPETITIONS or re.fullmatch(r"[A-Z]", suffix)):
        raise InvalidAddress(**_about("suffix", "suffix-format"))
    if suffix and not number:
        raise InvalidAddress(**_about("number", "required"))
    if len(street) > TYPED_MAX:
        raise InvalidAddress(**_about("street", "too-long", length=len(street), maximum=LINE_MAX))
    return number, suffix, street


def _fit_street(number: str, suffix: str, street: str, why: list[str]) -> tuple[str, str, str]:
    """Abbreviate the label (and then the index) only as much as line 4 needs."""
    if not street:
        return number, suffix, ""
    room = LINE_MAX
    for index in (suffix, _REPETITIONS.get(suffix, suffix)):
        prefix = " ".join(part for part in (number, index) if part)
        room = LINE_MAX - (len(prefix) + 1 if prefix else 0)
        label = _shorten_to_fit(street, min(LABEL_MAX, room), room)
        if label is not None:
            if label != street or index != suffix:
                why.append("abbreviated")
            return number, index, label
    raise InvalidAddress(
        **_about("street", "too-long", length=len(street), maximum=min(LABEL_MAX, room))
    )


def _shorten_to_fit(label: str, limit: int, room: int) -> str | None:
    """The label within ``limit`` (Etalab's 32) if the table gets it there, else within ``room``.

    A label the table cannot bring to ``limit`` but that fits the line is kept unabbreviated;
    one longer than the line is abbreviated to the line, then given another chance at
    ``limit``. Whatever is returned, the same call on it returns it unchanged (normalising twice
    changes nothing). None: the label cannot fit on the line.
    """
    candidate = label
    for _ in range(3):
        short = shorten_label(candidate, limit)
        if len(short) <= limit:
            return short
        if len(candidate) <= room:
            return candidate
        candidate = shorten_label(candidate, room)
        if len(candidate) > room:
            return None
    return candidate


def _special_delivery(text: str) -> str:
    line5 = _folded(text, "line5")
    for pattern, replacement in _SPECIAL_DELIVERY:
        line5 = pattern.sub(replacement, line5)
    if len(line5) > LINE_MAX:
        raise InvalidAddress(**_about("line5", "too-long", length=len(line5), maximum=LINE_MAX))
    return line5


def _postcode(text: str) -> str:
    if not text.strip():
        raise InvalidAddress(**_about("postcode", "required"))
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    if not (len(compact) == 5 and compact.isascii() and compact.isdigit()):
        raise InvalidAddress(**_about("postcode", "postcode-format"))
    return compact


def _locality(
    postcode: str, text: str, why: list[str]
) -> tuple[str, str, Locality | None, tuple[AddressWarning, ...]]:
    """Line 6's locality, the hamlet for line 5 (or ""), the base row and the warnings."""
    typed = _folded(spell_out(text), "locality")
    if not typed:
        raise InvalidAddress(**_about("locality", "required"))
    cedex = ""
    name = typed
    if match := _CEDEX.fullmatch(typed):
        name, number = match.group(1), match.group(2)
        cedex = " CEDEX" + (f" {number}" if number else "")
    base = postcode_base()
    row = base.find(postcode, name)
    warnings: tuple[AddressWarning, ...] = ()
    hamlet = ""
    if row is not None:
        hamlet = row.line5  # the hamlet typed, or the Ligne_5 the base gives this place
        name = row.label
    elif postcode in base:
        warnings = (_mismatch(postcode, typed, base.localities(postcode)),)
    elif cedex and (label := base.names_near(postcode).get(locality_key(name))):
        name = label
    else:
        warnings = (AddressWarning("postcode-unknown", {"postcode": postcode}),)
    locality = name + cedex
    if locality != typed:
        why.append("locality")
    if len(locality) > LOCALITY_MAX:
        raise InvalidAddress(
            **_about("locality", "too-long", length=len(locality), maximum=LOCALITY_MAX)
        )
    return locality, hamlet, row, warnings


def _mismatch(postcode: str, typed: str, rows: tuple[Locality, ...]) -> AddressWarning:
    names = list(dict.fromkeys(name for row in rows for name in (row.label, row.commune)))
    close = difflib.get_close_matches(typed, names, n=3, cutoff=0.6)
    known = close or (names if len(names) <= 3 else [])
    facts = {"postcode": postcode, "locality": typed, "known": ", ".join(known)}
    return AddressWarning("locality-mismatch", facts)


def _ends_with(line: str, words: str) -> bool:
    return line == words or line.endswith(" " + words)


def _with_hamlet(line5: str, hamlet: str, why: list[str]) -> str:
    """Line 5 with the base's Ligne_5: alone, after a BP, or left as typed if it cannot fit."""
    if _ends_with(line5, hamlet):
        return line5
    joined = f"{line5} {hamlet}" if line5 else hamlet
    if len(joined) > LINE_MAX:
        return line5
    why.append("hamlet")
    return joined
