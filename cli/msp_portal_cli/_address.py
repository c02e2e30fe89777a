"""``msp-portal address``: the change-of-address rules from the command line (C1, C3, C4).

``normalise`` puts one address into La Poste's form and prints the lines, the changes and the
warnings (``--json`` for the whole result); ``check-number`` checks a contract number;
``organisations`` lists the organisations and their numbers; ``move-date`` prints the allowed
window for a move date (and checks one).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from msp_portal_cli._common import EXIT_OK, EXIT_PORTAL_ERROR

if TYPE_CHECKING:
    from msp_portal.errors import PortalError

__all__ = ["address_app"]

address_app = typer.Typer(
    name="address",
    help="Change of address: normalise an address (La Poste), check contract numbers and dates.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of the messages: en or fr.")]

_LABELS = {
    "en": {
        "changes": "Changes",
        "warnings": "Warnings",
        "line": "line",
        "sent": "Sent",
        "refused": "exactly as typed, flagged as not normalised",
    },
    "fr": {
        "changes": "Modifications",
        "warnings": "Avertissements",
        "line": "ligne",
        "sent": "Transmis",
        "refused": "saisie conservée telle quelle, signalée comme non normalisée",
    },
}


def _lang(lang: str) -> str:
    return "fr" if lang.lower().startswith("fr") else "en"


def _fail(error: PortalError, lang: str, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"error": error.to_dict(lang)}, ensure_ascii=False, indent=2))
    typer.echo(f"error [{error.code}]: {error.message(lang)}", err=True)
    raise typer.Exit(EXIT_PORTAL_ERROR)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@address_app.command("normalise")
def normalise(
    street: Annotated[str, typer.Option(help="Street type and name (may start with the number).")],
    postcode: Annotated[str, typer.Option(help="Postcode, 5 digits.")],
    locality: Annotated[str, typer.Option(help="Locality (commune, or its CEDEX form).")],
    number: Annotated[str, typer.Option(help="House number, e.g. 12 or 12bis.")] = "",
    suffix: Annotated[str, typer.Option(help="Repetition index: bis, ter, quater, B...")] = "",
    recipient: Annotated[str, typer.Option(help="Line 1: civility, first name, name.")] = "",
    line2: Annotated[str, typer.Option(help="Line 2: flat, floor, staircase, 'chez'.")] = "",
    line3: Annotated[str, typer.Option(help="Line 3: building, entrance, residence.")] = "",
    line5: Annotated[str, typer.Option(help="Line 5: lieu-dit, hamlet, BP.")] = "",
    refuse: Annotated[
        bool,
        typer.Option(
            "--refuse",
            help="Show what is sent when the citizen refuses the changes (exactly what was typed).",
        ),
    ] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = "en",
) -> None:
    """Put one address into La Poste's standard form (NF Z10-011) and show every change."""
    from msp_portal.domain.address import TypedAddress, declare, normalise_address
    from msp_portal.errors import PortalError

    lang = _lang(lang)
    typed = TypedAddress(
        street=street,
        postcode=postcode,
        locality=locality,
        number=number,
        suffix=suffix,
        recipient=recipient,
        line2=line2,
        line3=line3,
        line5=line5,
    )
    try:
        result = normalise_address(typed)
    except PortalError as error:
        _fail(error, lang, as_json)
        return
    declared = declare(result, "refuse" if refuse else "accept")
    if as_json:
        _print_json({**result.to_dict(lang), "declared": declared.to_dict()})
        raise typer.Exit(EXIT_OK)
    words = _LABELS[lang]
    for line in declared.lines:
        typer.echo(line)
    if refuse:
        typer.echo(f"\n({words['sent']}: {words['refused']})")
    if result.changes:
        typer.echo(f"\n{words['changes']}:")
        for change in result.changes:
            typer.echo(
                f"  {words['line']} {change.line}: {change.before or '-'} -> {change.after or '-'}"
                f"  ({', '.join(change.reasons)})"
            )
    if result.warnings:
        typer.echo(f"\n{words['warnings']}:")
        for warning in result.warnings:
            typer.echo(f"  {warning.message(lang)}")


address_app.command("normalize", hidden=True)(normalise)  # the American spelling works too


@address_app.command("check-number")
def check_number(
    organisation: Annotated[str, typer.Argument(help="Organisation code (see 'organisations').")],
    number: Annotated[str, typer.Argument(help="The contract number, spaces allowed.")],
    as_json: JsonOpt = False,
    lang: LangOpt = "en",
) -> None:
    """Check a contract number with its organisation's rule (NIR key, tax number key...)."""
    from msp_portal.domain.contracts import check_contract_number, normalise_contract_number
    from msp_portal.errors import PortalError

    lang = _lang(lang)
    try:
        problem = check_contract_number(organisation, number)
        if problem is not None:
            raise problem
        compact = normalise_contract_number(organisation, number)
    except PortalError as error:
        _fail(error, lang, as_json)
        return
    if as_json:
        _print_json({"organisation": organisation, "number": compact, "valid": True})
    else:
        typer.echo(f"{compact}: ok")


@address_app.command("organisations")
def organisations(as_json: JsonOpt = False) -> None:
    """List the organisations a change of address goes to, with their number and its check."""
    from msp_portal.domain.contracts import contract_organisations

    rows = [
        {
            "code": org.code,
            "name": org.name,
            "number": org.number_label[0],
            "kind": str(org.number_kind),
            "checked": "key" if org.checked else "format only",
        }
        for org in contract_organisations()
    ]
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['code']:<14} {row['number']:<24} {row['checked']:<12} {row['name']}")


@address_app.command("move-date")
def move_date(
    date_typed: Annotated[
        str | None, typer.Argument(metavar="[JJ/MM/AAAA]", help="A move date to check.")
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(help="Day of the declaration, JJ/MM/AAAA (default: today in Paris)."),
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = "en",
) -> None:
    """Print the move dates that can be declared today (rule C1), and check one."""
    from msp_portal.clock import system_clock
    from msp_portal.domain.dates import format_date_fr, parse_date_field
    from msp_portal.domain.move_date import check_move_date, move_date_window
    from msp_portal.domain.paris import paris_today
    from msp_portal.errors import PortalError

    lang = _lang(lang)
    try:
        day = (
            paris_today(system_clock()) if today is None else parse_date_field(today, field="today")
        )
        window = move_date_window(day)
        problem = None if date_typed is None else check_move_date(date_typed, day)
    except PortalError as error:
        _fail(error, lang, as_json)
        return
    result = {
        "today": format_date_fr(day),
        "earliest": format_date_fr(window.earliest),
        "latest": format_date_fr(window.latest),
    }
    if date_typed is not None:
        result["checked"] = date_typed
    if as_json and problem is None:
        _print_json(result)
    elif not as_json:
        typer.echo(f"{result['today']}: {result['earliest']} - {result['latest']}")
    if problem is not None:
        _fail(problem, lang, as_json)
