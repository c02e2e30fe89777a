"""Street labels shortened to La Poste's 32 characters with Etalab's abbreviation table.

The label -> expected pairs below are data taken from two other projects' test suites (used as
data, not code): Etalab's 42 cases as published in BaseAdresseNationale/js-normadresse
(``__tests__/index.js``, MIT licence) and the extra cases of nivalis-studio/normadresse
(``index.spec.ts``, MIT licence, (c) 2025 Nivalis). Copies of both files and their licences are in
``../shared/data/address/cases/`` (see its SOURCES.md); the tests themselves are ours.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msp_portal.domain.postal_text import fold
from msp_portal.domain.street_label import LABEL_MAX, shorten_label

# Etalab's cases (js-normadresse, MIT).
ETALAB = [
    ("BOULEVARD DU MARECHAL JEAN MARIE DE LATTRE DE TASSIGNY", "BD MAL J M DE LATTRE DE TASSIGNY"),
    ("SENTIER DE LA CÔTE", "SENTIER DE LA COTE"),
    ("SQUARE DES SOEURS DE SAINT VINCENT DE PAUL", "SQ SOEURS DE ST VINCENT DE PAUL"),
    ("RUE LINO BORRINI DIT LINO VENTURA", "RUE L BORRINI DIT LINO VENTURA"),
    ("RUE ETIENNE GEOFFROY DE SAINT HILAIRE", "RUE E GEOFFROY DE SAINT HILAIRE"),
    ("RUE DU PRINCE FERDINAND DE BOURBON DES DEUX SICILES", "RUE P F DE BOURBON DEUX SICILES"),
    ("RUE DU MARECHAL PHILIPPE DE HAUTECLOCQUE DIT LECLERC", "RUE MAL P DE H DIT LECLERC"),
    ("RUE DU LIEUTENANT DE VAISSEAU JEAN DOMINIQUE ANDRIEUX", "RUE DU LTDV J DOMINIQUE ANDRIEUX"),
    ("RUE DU GROUPE SCOLAIRE LOUIS BRETON", "RUE DU GROU SCOLAIRE L BRETON"),
    ("RUE DU CORPS EXPEDITIONNAIRE FRANCAIS EN ITALIE 1943 1944", "RUE C E FR ITALIE 1943 1944"),
    ("RUE DES FRERES MARC ET JEAN MARIE GAMON", "RUE DES FRERES M ET J M GAMON"),
    ("TRAVERSE NOTRE DAME DE BON SECOURS", "TRAVERSE ND DE BON SECOURS"),
    ("AVENUE GEORGES ET CLAUDE CAUSTIER", "AV GEORGES ET CLAUDE CAUSTIER"),
    ("AVENUE DE LA DIVISION DU GENERAL LECLERC", "AV DE LA DIVISION DU GAL LECLERC"),
    ("ALLÉE DE L'ABBAYE NOTRE DAME DU GRAND MARCHÉ", "ALL DE L ABBAYE ND DU GD MARCHE"),
    ("ALLEE 1ER BATAILLON DU RGT DE BIGORRE FFI 1944 1945", "ALL 1ER BTN R B FFI 1944 1945"),
    ("AGGLOMERATION DE VILLENEUVE D ENTRAUNES", "AGGL DE VILLENEUVE D ENTRAUNES"),
    ("SENTIER DE LA RAVINE DES PONCEAUX", "SENT DE LA RAVINE DES PONCEAUX"),
    ("SENTIER DE LA FONTAINE DU PETIT DAMIETTE", "SENT DE LA FONT DU PT DAMIETTE"),
    ("RUE EMMANUEL D ASTIER DE LA VIGERIE", "RUE E D ASTIER DE LA VIGERIE"),
    ("PLACE CHARLES DE GAULLE ET DE LA RESISTANCE", "PL C DE GAULLE DE LA RESISTANCE"),
    ("ALLEE DES VILLAS DE LA GRANDE BASTIDE", "ALL DES VILLAS DE LA GDE BASTIDE"),
    ("RUE L APPEL DU 18 JUIN DU GENERAL DE GAULLE", "RUE APPEL 18 JUIN GAL DE GAULLE"),
    ("ANCIEN CHEMIN DE GRANGE DE PUZAIS AU SCEY", "ANC CHEM GRANGE PUZAIS AU SCEY"),
    ("BOURG DE SAINT MICHEL L ECLUSE ET LEPARON", "BOUR ST MICHEL L ECLU ET LEPARON"),
    ("CARREFOUR DU GENERAL JACQUES PARIS DE BOLLARDIERE", "CARR GAL J PARIS DE BOLLARDIERE"),
    ("CHEMIN DE L EGLISE DE SAINT CHRISTOPHE", "CHEM DE L EGLI DE ST CHRISTOPHE"),
    ("CARREFOUR JEAN DE LATTRE DE TASSIGNY", "CARR JEAN DE LATTRE DE TASSIGNY"),
    ("CHEMIN DE LA FERME DES BOIS AU CHEMIN DES MOULINS", "CHEM FERM BOIS CHEM DES MOULINS"),
    ("CHEMIN DE LA GRANDE RUE AU CHEMIN DES ROBERDES", "CHEM GDE RUE CHEM DES ROBERDES"),
    ("CHEMIN DE TRAVERSE DE LA FORET DE SENART", "CHEM DE TRAV DE LA FOR DE SENART"),
    ("CHEMIN DE VILLENEUVE SAINT GEORGES A LA GRANGE", "CHEM DE V ST GEORGES GRANGE"),
    ("CHEMIN DEPARTEMENTAL 116 D ARPAJON A AUNEAU", "CHEM DEP 116 D ARPAJON A AUNEAU"),
    ("CHEMIN DES DROITS DE L HOMME ET DE L ENFANT", "CHEM DROITS HOMME ET DE L ENFANT"),
    ("CENTRE ADMINISTRATIF WALDECK L HUILIER", "CTRE A WALDECK L HUILIER"),
    ("BOULEVARD SAINT JEAN BAPTISTE DE LA SALLE", "BD ST JEAN BAPTISTE DE LA SALLE"),
    ("BOURG DE SAINT ETIENNE DES LANDES", "BOURG DE ST ETIENNE DES LANDES"),
    ("BOURG SAINT JULIEN DES EGLANTIERS", "BOURG ST JULIEN DES EGLANTIERS"),
    ("CARREFOUR DE L EUROPE PRIX NOBEL DE LA PAIX 2012", "CARR EUROPE PRIX NOBEL PAIX 2012"),
    ("MONTEE DE L EGLISE SAINT PIERRE SAINT PAUL", "MONT DE L EGLI ST PIERRE ST PAUL"),
    ("VOIE DE LA DECLARATION UNIVERSELLE DES DROITS DE L HOMME", "VOIE D UNIVERSELLE DROITS HOMME"),
    (
        "RUE ALICE DOMON ET LÉONIE DUQUET, SŒUR ALICIA ET SŒUR LÉONIE",
        "RUE A D L D S A SOEUR LEONIE",
    ),
]

# nivalis-studio/normadresse's additional cases (MIT): (label, limit, expected).
NIVALIS = [
    ("PLACE DE LA GRANDE PLACE ROUGE", 25, "PL DE LA GDE PLACE ROUGE"),
    ("RUE COURTE", 32, "RUE COURTE"),
    ("PLACE A", 32, "PLACE A"),
    ("BOULEVARD DU MARECHAL JEAN MARIE DE LATTRE DE TASSIGNY", 20, "BD MAL J M L TASSIGNY"),
    ("BOULEVARD DU MARECHAL JEAN MARIE DE LATTRE DE TASSIGNY", 15, "BD MAL J M L TASSIGNY"),
    (
        "BOULEVARD DU MARECHAL JEAN MARIE DE LATTRE DE TASSIGNY",
        50,
        "BD DU MARECHAL JEAN MARIE DE LATTRE DE TASSIGNY",
    ),
    ("Rue de l'Église Saint-Pierre", 32, "RUE DE L EGLISE SAINT PIERRE"),
    ("Avenue des Champs-Élysées", 32, "AVENUE DES CHAMPS ELYSEES"),
    ("Boulevard Saint-Germain-des-Prés", 32, "BOULEVARD SAINT GERMAIN DES PRES"),
    ("RUE DE LA\nPAIX", 32, "RUE DE LA PAIX"),
    ("AVENUE\n\nDES CHAMPS", 32, "AVENUE DES CHAMPS"),
    ("\nRUE DE LA LIBERTE\n", 32, "RUE DE LA LIBERTE"),
    ("RUE PAULINE REVERDY DES LILAS BLANCS", 32, "RUE PAULINE REVERDY LILAS BLANCS"),
    ("ALLEE JEANNETTE MARTIN ET DE LA RESISTANCE", 32, "ALL JEANNETTE M DE LA RESISTANCE"),
    ("", 32, ""),
    ("   ", 32, ""),
    ("A", 32, "A"),
    ("RUE 123 456", 32, "RUE 123 456"),
    ("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ", 32, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ"),
    ("ABCDEFGHIJKLMNOP", 10, "ABCDEFGHIJKLMNOP"),
    ("AVENUE", 10, "AVENUE"),
    ("RUE DE", 10, "RUE DE"),
]


@pytest.mark.parametrize(("label", "expected"), ETALAB)
def test_etalab_cases(label: str, expected: str) -> None:
    assert shorten_label(label) == expected
    assert len(expected) <= LABEL_MAX


@pytest.mark.parametrize(("label", "limit", "expected"), NIVALIS)
def test_nivalis_cases(label: str, limit: int, expected: str) -> None:
    assert shorten_label(label, limit) == expected


def test_a_saint_keeps_its_name() -> None:
    # A first name right after SAINT is a saint's name: not reduced to an initial.
    assert "SAINT PHILIPPE" in shorten_label("RUE SAINT PHILIPPE MARIE JACQUES BERNARD")


def test_multi_word_titles_are_adopted_whole() -> None:
    assert shorten_label("RUE DU LIEUTENANT DE VAISSEAU JEAN DOMINIQUE ANDRIEUX") == (
        "RUE DU LTDV J DOMINIQUE ANDRIEUX"
    )


def test_a_step_1_street_type_must_start_a_word() -> None:
    # "ALLEE " inside "GALLEE" is not the street type ALLEE (js-normadresse would make it GALL).
    label = "RUE DE LA GALLEE DU PROFESSEUR JEAN BERNARD MARTIN"
    assert "GALLEE" in shorten_label(label)


def test_labels_that_fit_are_only_folded() -> None:
    assert shorten_label("Allée de l'Œuvre", 32) == "ALLEE DE L OEUVRE"


words = st.sampled_from(
    "RUE AVENUE BOULEVARD DU DE LA LES GENERAL MARECHAL JEAN MARIE SAINT PIERRE NOTRE "  # noqa: SIM905
    "DAME LIEUTENANT VAISSEAU GRANDE PETITE CHEMIN ANCIEN RESIDENCE CENTRE COMMERCIAL BIS "
    "1944 FONTAINE EGLISE ET AU X Y Z".split()
)


@given(st.lists(words, min_size=1, max_size=25), st.integers(min_value=5, max_value=40))
def test_result_is_folded_and_only_as_short_as_needed(parts: list[str], limit: int) -> None:
    label = " ".join(parts)
    short = shorten_label(label, limit)
    assert short == fold(short)  # capitals A-Z, digits, single spaces
    assert "@" not in short
    if len(label) <= limit:
        assert short == label
    # Shortening what already fits changes nothing.
    if len(short) <= limit:
        assert shorten_label(short, limit) == short


@given(st.text(max_size=300), st.integers(min_value=1, max_value=60))
def test_any_text_gives_a_folded_label(label: str, limit: int) -> None:
    short = shorten_label(label, limit)
    assert short == fold(short)
