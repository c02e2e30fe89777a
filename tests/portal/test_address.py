"""Rule C3: La Poste's form (NF Z10-011), the changes shown, the warnings, accept or refuse.

Some inputs below come from the address clean-up cases of addok/addok-france
(``tests/test_utils.py``, MIT licence, (c) République Française; copy in
``../shared/data/address/cases/``), used as data: CEDEX, BP, TSA and CIDEX lines, ``32bis``,
``Lieu-Dit``, ``s/``.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msp_portal import InvalidAddress
from msp_portal.domain.address import (
    LINE_MAX,
    AddressChoice,
    DeclaredAddress,
    Normalisation,
    TypedAddress,
    check_address,
    declare,
    normalise_address,
    typed_lines,
)
from msp_portal.domain.postcodes import postcode_base

UPPER_LINE = re.compile(r"[A-Z0-9]+(?: [A-Z0-9]+)*")
FREE_LINE = re.compile(r"[A-Za-z0-9'\-.,/&()ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸàâäçéèêëîïôöùûüÿŒœÆæ]+(?: [^ ]+)*")
FREE_CHARS = set("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸàâäçéèêëîïôöùûüÿŒœÆæ'-.,/&() ")


def norm(**fields: str) -> Normalisation:
    return normalise_address(TypedAddress(**fields))


def test_the_issues_example() -> None:
    result = norm(number="12", street="avenue du général de gaulle", postcode="75001",
                  locality="paris")  # fmt: skip
    assert result.lines == ("12 AVENUE DU GENERAL DE GAULLE", "75001 PARIS")
    assert [(c.line, c.before, c.after) for c in result.changes] == [
        (4, "12 avenue du général de gaulle", "12 AVENUE DU GENERAL DE GAULLE"),
        (6, "75001 paris", "75001 PARIS"),
    ]
    assert result.warnings == ()
    assert result.locality is not None and result.locality.commune == "PARIS 01"


def test_a_standard_address_has_no_changes() -> None:
    result = norm(number="12", street="RUE DES LILAS", postcode="33000", locality="BORDEAUX")
    assert result.lines == ("12 RUE DES LILAS", "33000 BORDEAUX")
    assert not result.changed


def test_all_six_lines() -> None:
    result = norm(
        recipient="Madame  Hélène Dupré",
        line2="Appartement 12, 3e étage",
        line3="Résidence « Les Tilleuls »",
        number="5",
        suffix="ter",
        street="Rue de l'Église",
        line5="B.P. 90432",
        postcode="11240",
        locality="Saint-Just-de-Bélengard",
    )
    assert result.by_position == (
        "Madame Hélène Dupré",
        "Appartement 12, 3e étage",
        "Résidence Les Tilleuls",
        "5 TER RUE DE L EGLISE",
        "BP 90432 ST JUST DE BELENGARD",  # BP and the former commune (Ligne_5) share line 5
        "11240 ESCUEILLENS ET ST JUST",  # La Poste's libellé d'acheminement
    )
    reasons = {c.line: c.reasons for c in result.changes}
    assert reasons[1] == ("format",)
    assert "hamlet" in reasons[5]
    assert "locality" in reasons[6]


def test_the_street_label_is_abbreviated_only_when_it_does_not_fit() -> None:
    fits = norm(number="1", street="Boulevard Saint-Germain", postcode="75006", locality="Paris")
    assert fits.lines[0] == "1 BOULEVARD SAINT GERMAIN"
    long = norm(
        number="12",
        street="Boulevard du Maréchal Jean-Marie de Lattre de Tassigny",
        postcode="75016",
        locality="Paris",
    )
    assert long.lines[0] == "12 BD MAL J M DE LATTRE DE TASSIGNY"
    assert len(long.lines[0]) <= LINE_MAX
    assert long.changes[0].reasons == ("abbreviated", "format")


def test_a_long_number_leaves_less_room_for_the_label() -> None:
    result = norm(number="1234", suffix="quater", street="AVENUE DU GENERAL DE GAULLE PROLONGEE",
                  postcode="92000", locality="Nanterre")  # fmt: skip
    line4 = result.lines[0]
    assert line4.startswith("1234 QUATER ") and len(line4) <= LINE_MAX


@pytest.mark.parametrize(
    ("number", "suffix", "street", "line4"),
    [
        ("12", "bis", "rue x", "12 BIS RUE X"),
        ("12bis", "", "rue x", "12 BIS RUE X"),
        ("12 BIS", "", "rue x", "12 BIS RUE X"),
        ("12", "B", "rue x", "12 B RUE X"),  # a letter index stays a letter
        ("12", "t", "rue x", "12 T RUE X"),
        ("12", "Quater", "rue x", "12 QUATER RUE X"),
        ("007", "", "rue x", "7 RUE X"),
        ("0", "", "rue x", "0 RUE X"),
        ("", "", "32bis Rue des Vosges", "32 BIS RUE DES VOSGES"),  # addok-france
        ("", "", "12, rue x", "12 RUE X"),
        ("", "", "3 quater chemin y", "3 QUATER CHEMIN Y"),
        ("", "", "1re avenue", "1RE AVENUE"),  # not a number and an index
        ("", "", "12-14 rue x", "12 14 RUE X"),  # a range stays in the label
        ("１２", "", "rue x", "12 RUE X"),  # full-width digits
    ],
)
def test_numbers_and_repetition_indexes(number: str, suffix: str, street: str, line4: str) -> None:
    assert norm(number=number, suffix=suffix, street=street, postcode="33000",
                locality="Bordeaux").by_position[3] == line4  # fmt: skip


@pytest.mark.parametrize(
    ("postcode", "locality", "line5", "lines"),
    [
        # addok-france's CEDEX, BP, TSA and CIDEX lines
        ("31068", "TOULOUSE CEDEX 7", "", ("31068 TOULOUSE CEDEX 7",)),
        ("31604", "Muret Cedex", "BP 80111", ("BP 80111", "31604 MURET CEDEX")),
        ("75334", "Paris Cedex 07", "TSA 30719", ("TSA 30719", "75334 PARIS CEDEX 07")),
        ("31068", "Toulouse", "B.P. 7015", ("BP 7015", "31068 TOULOUSE")),
        ("89110", "Poilly-sur-Tholon", "CIDEX 304", ("CIDEX 304", "89110 POILLY SUR THOLON")),
        (
            "61320",
            "Saint-Didier s/s Écouves",
            "",
            ("ST DIDIER SOUS ECOUVES", "61320 L OREE D ECOUVES"),
        ),
        ("10110", "Bar s/ Seine", "", ("10110 BAR SUR SEINE",)),
        ("13008", "Marseille", "Lieu-Dit Les Chênes", ("LIEU DIT LES CHENES", "13008 MARSEILLE")),
    ],
)
def test_special_delivery_and_cedex(postcode: str, locality: str, line5: str,
                                    lines: tuple[str, ...]) -> None:  # fmt: skip
    result = norm(street="1 rue x", postcode=postcode, locality=locality, line5=line5)
    assert result.lines[1:] == lines


def test_cedex_localities_are_checked_in_their_department() -> None:
    good = norm(street="20 avenue de Ségur", postcode="75334", locality="Paris Cedex 07")
    assert good.warnings == ()
    bad = norm(street="20 avenue de Ségur", postcode="75334", locality="Lyon Cedex 07")
    assert [w.code for w in bad.warnings] == ["postcode-unknown"]


def test_a_hamlet_goes_to_line_5_and_the_libelle_to_line_6() -> None:
    result = norm(street="chemin des Goudes", postcode="13008", locality="Les Goudes")
    assert result.lines == ("CHEMIN DES GOUDES", "LES GOUDES", "13008 MARSEILLE")


def test_without_a_street_the_lieu_dit_is_line_4_when_line_5_takes_the_hamlet() -> None:
    result = norm(line5="Lieu-dit Tetahi", postcode="98760", locality="Anaa")
    assert result.by_position[3:] == ("LIEU DIT TETAHI", "ANAA", "98760 TUUHORA")


def test_a_postcode_and_locality_that_do_not_match_give_a_warning_not_a_refusal() -> None:
    result = norm(street="rue des Lilas", postcode="75001", locality="Lyon")
    assert result.lines == ("RUE DES LILAS", "75001 LYON")
    (warning,) = result.warnings
    assert warning.code == "locality-mismatch"
    assert warning.facts["postcode"] == "75001" and warning.facts["locality"] == "LYON"
    assert "PARIS" in warning.facts["known"]
    french = warning.message("fr")
    assert "risque de ne pas être prise en compte" in french and "75001" in french
    assert "may not be taken into account" in warning.message("en")


def test_a_close_misspelling_is_suggested() -> None:
    result = norm(street="rue x", postcode="33000", locality="Bordaux")
    assert result.warnings[0].facts["known"] == "BORDEAUX"


def test_an_unknown_postcode_gives_a_warning() -> None:
    result = norm(street="rue x", postcode="00000", locality="Nulle Part")
    assert [w.code for w in result.warnings] == ["postcode-unknown"]
    assert "00000" in result.warnings[0].message("fr")


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"street": "rue x", "postcode": "", "locality": "Paris"}, "postcode", "required"),
        ({"street": "rue x", "postcode": "7500", "locality": "Paris"}, "postcode",
         "postcode-format"),
        ({"street": "rue x", "postcode": "2A004", "locality": "Ajaccio"}, "postcode",
         "postcode-format"),
        ({"street": "rue x", "postcode": "75001", "locality": ""}, "locality", "required"),
        ({"street": "rue x", "postcode": "75001", "locality": " \t"}, "locality", "required"),
        ({"street": "", "postcode": "75001", "locality": "Paris"}, "street", "required"),
        ({"number": "12", "street": "", "line5": "BP 4", "postcode": "75001", "locality": "Paris"},
         "street", "required"),
        ({"number": "12a4", "street": "rue x", "postcode": "75001", "locality": "Paris"}, "number",
         "number-format"),
        ({"number": "12bis", "suffix": "ter", "street": "rue x", "postcode": "75001",
          "locality": "Paris"}, "number", "number-format"),
        ({"suffix": "bis", "street": "rue x", "postcode": "75001", "locality": "Paris"}, "number",
         "required"),
        ({"number": "12", "suffix": "tres", "street": "rue x", "postcode": "75001",
          "locality": "Paris"}, "suffix", "suffix-format"),
        ({"recipient": "M" * 39, "street": "rue x", "postcode": "75001", "locality": "Paris"},
         "recipient", "too-long"),
        ({"line2": "x" * 39, "street": "rue x", "postcode": "75001", "locality": "Paris"}, "line2",
         "too-long"),
        ({"street": "rue " + "x" * 40, "postcode": "75001", "locality": "Paris"}, "street",
         "too-long"),
        ({"street": "rue x", "postcode": "75001", "locality": "Paris " * 10}, "locality",
         "too-long"),
        ({"street": "😀😀", "postcode": "75001", "locality": "Paris"}, "street", "characters"),
        ({"line3": "«»", "street": "rue x", "postcode": "75001", "locality": "Paris"}, "line3",
         "characters"),
        ({"street": "rue x" * 300_000, "postcode": "75001", "locality": "Paris"}, "street",
         "too-long"),
    ],
)  # fmt: skip
def test_refusals(fields: dict[str, str], field: str, reason: str) -> None:
    typed = TypedAddress(**fields)
    with pytest.raises(InvalidAddress) as info:
        normalise_address(typed)
    assert (info.value.facts["field"], info.value.facts["reason"]) == (field, reason)
    assert info.value.message("fr") and info.value.message("en")
    assert check_address(typed) is not None


def test_refusal_messages_name_the_field() -> None:
    error = check_address(TypedAddress(recipient="M" * 50, street="r", postcode="75001",
                                       locality="Paris"))  # fmt: skip
    assert error is not None
    assert "« Destinataire » est trop long (50 caractères" in error.message("fr")
    assert "38" in error.message("fr")
    postcode = check_address(TypedAddress(street="r", postcode="750", locality="Paris"))
    assert postcode is not None and "5 chiffres" in postcode.message("fr")


# --- accept or refuse ----------------------------------------------------------------------------
def test_accepting_sends_the_normalised_lines() -> None:
    result = norm(number="12", street="avenue du général de gaulle", postcode="75001",
                  locality="paris")  # fmt: skip
    sent = declare(result, AddressChoice.ACCEPT)
    assert sent.normalised and sent.lines == result.lines


def test_refusing_sends_exactly_what_was_typed_flagged_as_not_normalised() -> None:
    typed = TypedAddress(recipient=" Mme  Dupré ", number="12", street="av. du Gal  de Gaulle",
                         postcode="75 001", locality="paris 1er")  # fmt: skip
    sent = declare(normalise_address(typed), "refuse")
    assert sent.choice is AddressChoice.REFUSE and not sent.normalised
    assert sent.lines == (" Mme  Dupré ", "12 av. du Gal  de Gaulle", "75 001 paris 1er")
    assert sent.typed == typed
    assert DeclaredAddress.from_dict(sent.to_dict()) == sent


def test_the_declared_address_keeps_the_warnings() -> None:
    sent = declare(norm(street="rue x", postcode="75001", locality="Lyon"), "accept")
    again = DeclaredAddress.from_dict(sent.to_dict())
    assert again == sent and again.warnings[0].code == "locality-mismatch"


def test_unknown_choice_and_fields_are_refused() -> None:
    result = norm(street="rue x", postcode="75001", locality="Paris")
    with pytest.raises(ValueError, match="maybe"):
        declare(result, "maybe")
    with pytest.raises(InvalidAddress):
        TypedAddress.from_dict({"street": "x", "country": "FR"})
    with pytest.raises(InvalidAddress):
        TypedAddress.from_dict({"street": 12})


def test_typed_lines_join_the_fields_of_a_line() -> None:
    typed = TypedAddress(number="12", suffix="", street="rue x", postcode="75001", locality="P")
    assert typed_lines(typed) == ("", "", "", "12 rue x", "", "75001 P")


# --- properties ----------------------------------------------------------------------------------
_BASE = postcode_base()
_POSTCODES = _BASE.postcodes()

any_text = st.text(alphabet=st.characters(codec=None), max_size=60)
friendly_text = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 éèêàçôœÉÈ'-.,/()«»’",
    min_size=1,
    max_size=45,
)
optional_line = st.one_of(st.just(""), st.just(""), friendly_text)
street_words = st.sampled_from(
    "rue avenue boulevard allée chemin place impasse du de la des l' d' général maréchal "  # noqa: SIM905
    "Jean-Marie Saint Sainte Notre-Dame lieutenant de vaisseau grande petite résidence "
    "Œuvre Église château 8 mai 1945 bis ter x y ÉÈ".split()
)
streets = st.lists(street_words, min_size=1, max_size=14).map(" ".join)
numbers = st.one_of(
    st.just(""),
    st.integers(0, 9999).map(str),
    st.integers(1, 999).map(lambda n: f"{n}bis"),
    st.integers(1, 99999).map(lambda n: f"0{n}"),
)
postcodes = st.one_of(st.sampled_from(_POSTCODES), st.from_regex(r"[0-9]{5}", fullmatch=True))


@st.composite
def addresses(draw: st.DrawFn) -> TypedAddress:
    """Addresses as citizens type them: mostly valid, sometimes not."""
    postcode = draw(postcodes)
    rows = _BASE.localities(postcode)
    names = [n for r in rows for n in (r.commune, r.label, r.line5) if n] or ["Nulle Part"]
    name = draw(st.one_of(st.sampled_from(names), friendly_text))
    locality = draw(st.sampled_from([name, name.lower(), name.title(), name + " Cedex 9"]))
    number = draw(numbers)
    return TypedAddress(
        street=draw(st.one_of(streets, streets, st.just(""))),
        postcode=draw(st.sampled_from([postcode, postcode[:2] + " " + postcode[2:]])),
        locality=locality,
        number=number,
        suffix=draw(st.sampled_from(["", "", "ter", "B", "q"])) if number[-3:] != "bis" else "",
        recipient=draw(optional_line),
        line2=draw(optional_line),
        line3=draw(optional_line),
        line5=draw(st.sampled_from(["", "", "", "BP 12", "b.p. 7", "TSA 30719", "Lieu-dit X"])),
    )


def assert_printable(result: Normalisation) -> None:
    assert 1 <= len(result.lines) <= 6
    for position, line in enumerate(result.by_position, 1):
        assert len(line) <= LINE_MAX, (position, line)
        if not line:
            continue
        if position >= 4:
            assert UPPER_LINE.fullmatch(line), (position, line)
        else:
            assert line == line.strip() and "  " not in line
            assert all((c.isascii() and c.isalnum()) or c in FREE_CHARS for c in line), line


@given(st.builds(TypedAddress, *(any_text for _ in range(9))))
def test_any_text_gives_lines_that_fit_or_an_address_error(typed: TypedAddress) -> None:
    try:
        result = normalise_address(typed)
    except InvalidAddress as error:
        assert error.facts["field"] in typed.to_dict()
        assert error.message("fr") and error.message("en")
        return
    assert_printable(result)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(addresses())
def test_every_line_fits_and_normalising_twice_changes_nothing(typed: TypedAddress) -> None:
    try:
        result = normalise_address(typed)
    except InvalidAddress as error:
        assert error.facts["field"] in typed.to_dict()
        return
    assert_printable(result)
    again = normalise_address(result.fields)
    assert again.by_position == result.by_position
    assert again.fields == result.fields
    assert again.changes == ()
    refused = declare(result, "refuse")
    assert refused.lines == tuple(line for line in typed_lines(typed) if line)


@settings(max_examples=200)
@given(st.sampled_from(_POSTCODES), st.data())
def test_every_locality_of_the_base_matches_its_postcode(
    postcode: str, data: st.DataObject
) -> None:
    row = data.draw(st.sampled_from(_BASE.localities(postcode)))
    for typed in {row.commune, row.label, row.line5 or row.commune}:
        result = norm(street="rue x", postcode=postcode, locality=typed.title())
        assert result.warnings == (), (postcode, typed)
        assert result.lines[-1] == f"{postcode} {row.label}"
        assert_printable(result)


def test_a_number_typed_in_the_street_takes_the_index_typed_apart() -> None:
    result = norm(suffix="bis", street="12 rue x", postcode="33000", locality="Bordeaux")
    assert result.lines[0] == "12 BIS RUE X"
    with pytest.raises(InvalidAddress) as info:
        norm(suffix="ter", street="12 bis rue x", postcode="33000", locality="Bordeaux")
    assert info.value.facts["reason"] == "number-format"


def test_too_long_messages_say_what_to_do_for_each_field() -> None:
    street = check_address(TypedAddress(street="rue " + "x" * 40, postcode="75001", locality="P"))
    assert street is not None and "même abrégée" in street.message("fr")
    line2 = check_address(TypedAddress(line2="appartement " * 4, street="r", postcode="75001",
                                       locality="P"))  # fmt: skip
    assert line2 is not None and "APP pour appartement" in line2.message("fr")
    assert "APP for appartement" in line2.message("en")
