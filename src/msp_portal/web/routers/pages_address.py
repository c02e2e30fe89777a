"""Pages: the change of address (C1-C3).

The move date and the address, then La Poste's form line by line with the "Je refuse ces
modifications" box, then the address retained.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from msp_portal.domain.address import TypedAddress
from msp_portal.domain.move_date import move_date_window
from msp_portal.services import address_preview
from msp_portal.web.deps import CsrfChecked, PageSession, Today
from msp_portal.web.rendering import render

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=1000)]

# What each field of La Poste's form is called on the page, in line order.
FIELDS = [
    ("recipient", "Destinataire : nom et prénom", "Ligne 1, par exemple Jeanne DUPONT."),
    ("line2", "Appartement, étage, escalier, « chez »", "Ligne 2, par exemple Appartement 12."),
    ("line3", "Bâtiment, entrée, résidence", "Ligne 3, par exemple Résidence Les Tilleuls."),
    ("number", "Numéro dans la voie", None),
    ("suffix", "Indice (bis, ter…)", None),
    ("street", "Voie", "Ligne 4 : type et nom de la voie, par exemple rue de la Paix."),
    ("line5", "Lieu-dit, boîte postale", "Ligne 5, par exemple Le Bourg, ou BP 12."),
    ("postcode", "Code postal", None),
    ("locality", "Commune", "Ligne 6, avec le code postal."),
]
OPTIONAL = {"recipient", "line2", "line3", "number", "suffix", "line5"}
REASONS = {
    "format": "mise en forme (majuscules, accents, ponctuation)",
    "abbreviated": "abrégée pour tenir sur une ligne",
    "number": "numéro séparé de la voie",
    "hamlet": "lieu-dit ajouté",
    "locality": "commune écrite comme La Poste l'achemine",
}


def _typed(values: dict[str, str]) -> TypedAddress:
    return TypedAddress(**{name: values.get(name, "") for name, _, _ in FIELDS})


@router.get("/changement-adresse", name="page_address")
def address_form(request: Request, session: PageSession, today: Today) -> Response:
    """The move date and the new address."""
    return render(
        request,
        "adresse.html",
        fields=FIELDS,
        optional=OPTIONAL,
        window=move_date_window(today),
    )


@router.post("/changement-adresse", dependencies=[CsrfChecked])
def address_check(
    request: Request,
    session: PageSession,
    today: Today,
    move_date: FormText = "",
    recipient: FormText = "",
    line2: FormText = "",
    line3: FormText = "",
    number: FormText = "",
    suffix: FormText = "",
    street: FormText = "",
    line5: FormText = "",
    postcode: FormText = "",
    locality: FormText = "",
) -> Response:
    """Check every field; then La Poste's form, line by line."""
    values = {
        "move_date": move_date,
        "recipient": recipient,
        "line2": line2,
        "line3": line3,
        "number": number,
        "suffix": suffix,
        "street": street,
        "line5": line5,
        "postcode": postcode,
        "locality": locality,
    }
    try:
        found = address_preview.preview(move_date, _typed(values), today)
    except address_preview.PreviewRefused as refused:
        return render(
            request,
            "adresse.html",
            errors=[(error, str(error.facts.get("field", "")) or None) for error in refused.errors],
            values=values,
            fields=FIELDS,
            optional=OPTIONAL,
            window=move_date_window(today),
        )
    return render(
        request, "adresse_verification.html", preview=found, values=values, reasons=REASONS
    )


@router.post("/changement-adresse/valider", name="page_address_declare", dependencies=[CsrfChecked])
def address_declare(
    request: Request,
    session: PageSession,
    move_date: FormText = "",
    recipient: FormText = "",
    line2: FormText = "",
    line3: FormText = "",
    number: FormText = "",
    suffix: FormText = "",
    street: FormText = "",
    line5: FormText = "",
    postcode: FormText = "",
    locality: FormText = "",
    refuser: FormText = "",
) -> Response:
    """The address retained: La Poste's lines, or what was typed if the changes are refused."""
    typed = TypedAddress(
        recipient=recipient,
        line2=line2,
        line3=line3,
        number=number,
        suffix=suffix,
        street=street,
        line5=line5,
        postcode=postcode,
        locality=locality,
    )
    declared = address_preview.declare(typed, refuser == "oui")
    return render(request, "adresse_retenue.html", declared=declared, move_date=move_date)
