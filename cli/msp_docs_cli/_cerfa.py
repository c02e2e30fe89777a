"""The ``msp-docs cerfa`` commands: the catalogue, a form's fields, fill, blank copies."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from msp_docs.errors import ExitCode
from msp_docs.options import Lang
from msp_docs_cli import _display as display
from msp_docs_cli import _options as opts
from msp_docs_cli._text import count, say

if TYPE_CHECKING:
    from msp_docs.cerfa import Catalogue
    from msp_docs.forms import FilledForm

__all__ = ["FORMS_DIR_ENV", "MAPS_DIR_ENV", "cerfa_app"]

cerfa_app = typer.Typer(
    name="cerfa",
    help="CERFA forms: the catalogue, a form's fields, fill (and flatten), blank copies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

#: Environment variables an operator sets instead of the options.
FORMS_DIR_ENV = "MSP_CERFA_DIR"
MAPS_DIR_ENV = "MSP_CERFA_MAPS"

FormsDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--forms-dir",
        help=f"Directory of the forms' PDF files (default: ${FORMS_DIR_ENV}, or '.').",
        file_okay=False,
    ),
]
MapsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--maps",
        help=f"Directory of extra catalogue files (*.toml); repeatable (default: ${MAPS_DIR_ENV}).",
        file_okay=False,
    ),
]
FormArg = Annotated[
    str, typer.Argument(help="A CERFA number (11580*05, 11580_05) or a PDF file.", metavar="FORM")
]


def _catalogue(forms_dir: Path | None, maps: list[Path] | None) -> Catalogue:
    from msp_docs.cerfa import Catalogue

    directory = forms_dir or Path(os.environ.get(FORMS_DIR_ENV, "."))
    extra = list(maps or [])
    if not extra and os.environ.get(MAPS_DIR_ENV):
        extra = [Path(p) for p in os.environ[MAPS_DIR_ENV].split(os.pathsep) if p]
    return Catalogue.load(directory, maps=extra)


def _is_file(form: str) -> bool:
    return form.lower().endswith(".pdf") or os.sep in form or Path(form).is_file()


@cerfa_app.command("list")
def list_forms(
    forms_dir: FormsDirOpt = None,
    maps: MapsOpt = None,
    lang: opts.LangOpt = Lang.EN,
    as_json: opts.JsonOpt = False,
) -> None:
    """List the catalogue: number, kind, receiving organisation, title, whether the PDF is there."""
    from msp_docs.errors import MspDocsError, UnknownForm

    words = lang.value
    try:
        catalogue = _catalogue(forms_dir, maps)
    except MspDocsError as error:
        display.fail(error, as_json=False, lang=words)
        return
    rows = []
    for form in catalogue:
        try:
            path: str | None = str(catalogue.path(form))
        except UnknownForm:
            path = None
        rows.append({**form.to_dict(), "path": path, "fields": len(form.fields)})
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        missing = "" if row["path"] else say("pdf-missing", words)
        typer.echo(f"{row['number']}  {row['kind']:8}  {row['title']}{missing}")
        typer.echo(f"          {row['organisation']}")


@cerfa_app.command()
def fields(
    form: FormArg,
    forms_dir: FormsDirOpt = None,
    maps: MapsOpt = None,
    lang: opts.LangOpt = Lang.EN,
    as_json: opts.JsonOpt = False,
) -> None:
    """List the fields of FORM's PDF (name, kind, on-states, lengths, pages and rectangles).

    Give a PDF file to start writing the field map of a new form, or a catalogue number.
    """
    from msp_docs import forms
    from msp_docs.errors import MspDocsError

    words = lang.value
    try:
        if _is_file(form):
            found = forms.read_fields(form)
        else:
            catalogue = _catalogue(forms_dir, maps)
            found = catalogue.fields(catalogue.get(form))
    except MspDocsError as error:
        display.fail(error, as_json=False, lang=words)
        return
    if as_json:
        typer.echo(json.dumps([f.to_dict() for f in found], indent=2, ensure_ascii=False))
        return
    for f in found:
        extra = []
        if f.states:
            extra.append(say("field-states", words, states="/".join(f.states)))
        if f.max_length:
            extra.append(say("field-max-length", words, most=f.max_length))
        if f.multiline:
            extra.append(say("field-multiline", words))
        page = f.widgets[0].page if f.widgets else 0
        typer.echo(f"{f.name:24} {f.kind.value:9} p{page} {', '.join(extra)}")
    display.err(count(len(found), "field", words))


def _read_values(path: str, option: str, lang: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        values = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise typer.BadParameter(
            say("values-unreadable", lang, option=option, path=path, reason=exc)
        ) from exc
    if not isinstance(values, dict):
        raise typer.BadParameter(say("values-not-an-object", lang, option=option, path=path))
    return values


def _done(result: FilledForm, *, as_json: bool, lang: str) -> None:
    report = result.report
    if as_json:
        typer.echo(report.to_json())
        return
    for note in report.actions:
        display.err(f"  {say('done', lang)}{note.message(lang)}")
    for note in report.warnings:
        display.err(f"  {say('warning', lang)}{note.message(lang)}")
    target = say("standard-output", lang) if report.target == "<stream>" else report.target
    display.err(
        say(
            "wrote",
            lang,
            target=target,
            pages=count(report.pages, "page", lang),
            size=count(report.bytes, "byte", lang),
        )
    )


@cerfa_app.command()
def fill(
    form: FormArg,
    output: opts.OutputOpt,
    values: Annotated[
        str,
        typer.Option(
            "--values", help="JSON object: field -> value ('-' reads standard input).", metavar="F"
        ),
    ],
    prefill: Annotated[
        str | None,
        typer.Option(
            "--prefill",
            help="JSON object: profile key -> value (last_name, postcode...).",
            metavar="F",
        ),
    ] = None,
    flatten: Annotated[
        bool, typer.Option("--flatten", help="For printing: values become page content.")
    ] = False,
    forms_dir: FormsDirOpt = None,
    maps: MapsOpt = None,
    lang: opts.LangOpt = Lang.EN,
    as_json: opts.JsonOpt = False,
) -> None:
    """Fill FORM with the values of a JSON file and write the PDF.

    With a catalogue number, values are keyed by the map's names and checked against it
    (formats, dates JJ/MM/AAAA, states), and --prefill gives the profile. With a PDF file,
    values are keyed by the PDF's field names. Exit 10 when a value is refused.
    """
    from msp_docs import forms
    from msp_docs.errors import MspDocsError

    words = lang.value
    if output == "-" and as_json:
        raise typer.BadParameter(say("json-and-stdout", words))
    given = _read_values(values, "--values", words)
    profile = _read_values(prefill, "--prefill", words) if prefill else None
    if profile and _is_file(form):
        raise typer.BadParameter(say("prefill-needs-a-map", words))
    target = opts.output(output, words)
    try:
        if _is_file(form):
            result = forms.fill(form, given, flatten=flatten, output=target, lang=words)
        else:
            catalogue = _catalogue(forms_dir, maps)
            result = catalogue.fill(
                form, given, prefill=profile, flatten=flatten, output=target, lang=words
            )
    except MspDocsError as error:
        display.fail(error, as_json=False, lang=words)
        return
    _done(result, as_json=as_json, lang=words)


@cerfa_app.command()
def blank(
    form: FormArg,
    output: opts.OutputOpt,
    a4: Annotated[
        bool, typer.Option("--a4", help="Scale pages that are not A4 to fit A4 (printing).")
    ] = False,
    flatten: Annotated[
        bool, typer.Option("--flatten", help="Remove the fields (a copy to fill by hand).")
    ] = False,
    forms_dir: FormsDirOpt = None,
    maps: MapsOpt = None,
    lang: opts.LangOpt = Lang.EN,
    as_json: opts.JsonOpt = False,
) -> None:
    """Write FORM with no value: as it is (sanitised), or flattened and fitted to A4 for print."""
    from msp_docs import forms
    from msp_docs.errors import MspDocsError

    words = lang.value
    if output == "-" and as_json:
        raise typer.BadParameter(say("json-and-stdout", words))
    target = opts.output(output, words)
    try:
        if _is_file(form):
            result = forms.blank(form, flatten=flatten, fit_a4=a4, output=target, lang=words)
        else:
            catalogue = _catalogue(forms_dir, maps)
            result = catalogue.blank(form, flatten=flatten, fit_a4=a4, output=target, lang=words)
    except MspDocsError as error:
        display.fail(error, as_json=False, lang=words)
        return
    _done(result, as_json=as_json, lang=words)


@cerfa_app.command()
def check(
    forms_dir: FormsDirOpt = None,
    maps: MapsOpt = None,
    lang: opts.LangOpt = Lang.EN,
) -> None:
    """Check every catalogue map against its PDF; list the PDF fields a map leaves out."""
    from msp_docs.errors import MspDocsError

    words = lang.value
    try:
        catalogue = _catalogue(forms_dir, maps)
    except MspDocsError as error:
        display.fail(error, as_json=False, lang=words)
        return
    failed: MspDocsError | None = None
    for form in catalogue:
        try:
            left_out = catalogue.check(form)
        except MspDocsError as error:
            message = say("error", words, code=error.code, message=error.message(words))
            display.err(f"{form.number}: {message}")
            failed = failed or error
            continue
        note = say("not-mapped", words, fields=", ".join(left_out)) if left_out else ""
        typer.echo(f"{form.number}: {say('form-ok', words)}{note}")
    raise typer.Exit(int(failed.exit_code if failed is not None else ExitCode.OK))
