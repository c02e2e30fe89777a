"""The ``msp-docs cerfa`` commands: the catalogue, a form's fields, fill, blank copies."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from msp_docs.options import Lang
from msp_docs_cli.app import EXIT_USAGE, JsonOpt, LangOpt, _err, _open_output, app

if TYPE_CHECKING:
    from msp_docs.cerfa import Catalogue
    from msp_docs.errors import MspDocsError
    from msp_docs.forms import FilledForm

__all__ = ["cerfa_app"]

cerfa_app = typer.Typer(
    name="cerfa",
    help="CERFA forms: the catalogue, a form's fields, fill (and flatten), blank copies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(cerfa_app, name="cerfa")

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
OutputOpt = Annotated[str, typer.Option("-o", "--output", help="Output PDF; '-' for stdout.")]


def _catalogue(forms_dir: Path | None, maps: list[Path] | None) -> Catalogue:
    from msp_docs.cerfa import Catalogue

    directory = forms_dir or Path(os.environ.get(FORMS_DIR_ENV, "."))
    extra = list(maps or [])
    if not extra and os.environ.get(MAPS_DIR_ENV):
        extra = [Path(p) for p in os.environ[MAPS_DIR_ENV].split(os.pathsep) if p]
    return Catalogue.load(directory, maps=extra)


def _fail(error: MspDocsError, lang: str) -> None:
    _err(f"error [{error.code}]: {error.message(lang)}")
    raise typer.Exit(error.exit_code)


def _is_file(form: str) -> bool:
    return form.lower().endswith(".pdf") or os.sep in form or Path(form).is_file()


@cerfa_app.command("list")
def list_forms(
    forms_dir: FormsDirOpt = None,
    maps: MapsOpt = None,
    lang: LangOpt = Lang.EN,
    as_json: JsonOpt = False,
) -> None:
    """List the catalogue: number, kind, receiving organisation, title, whether the PDF is there."""
    from msp_docs.errors import MspDocsError, UnknownForm

    try:
        catalogue = _catalogue(forms_dir, maps)
    except MspDocsError as error:
        _fail(error, lang.value)
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
        missing = "" if row["path"] else "  (PDF missing)"
        typer.echo(f"{row['number']}  {row['kind']:8}  {row['title']}{missing}")
        typer.echo(f"          {row['organisation']}")


@cerfa_app.command()
def fields(
    form: FormArg,
    forms_dir: FormsDirOpt = None,
    maps: MapsOpt = None,
    lang: LangOpt = Lang.EN,
    as_json: JsonOpt = False,
) -> None:
    """List the fields of FORM's PDF (name, kind, on-states, lengths, pages and rectangles).

    Give a PDF file to start writing the field map of a new form, or a catalogue number.
    """
    from msp_docs import forms
    from msp_docs.errors import MspDocsError

    try:
        if _is_file(form):
            found = forms.read_fields(form)
        else:
            catalogue = _catalogue(forms_dir, maps)
            found = catalogue.fields(catalogue.get(form))
    except MspDocsError as error:
        _fail(error, lang.value)
        return
    if as_json:
        typer.echo(json.dumps([f.to_dict() for f in found], indent=2, ensure_ascii=False))
        return
    for f in found:
        extra = []
        if f.states:
            extra.append("states " + "/".join(f.states))
        if f.max_length:
            extra.append(f"max {f.max_length}")
        if f.multiline:
            extra.append("multiline")
        page = f.widgets[0].page if f.widgets else 0
        typer.echo(f"{f.name:24} {f.kind.value:9} p{page} {', '.join(extra)}")
    _err(f"{len(found)} fields")


def _read_values(path: str, what: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        values = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise typer.BadParameter(f"cannot read {what} {path}: {exc}") from exc
    if not isinstance(values, dict):
        raise typer.BadParameter(f"{what} {path} must hold a JSON object (name -> value)")
    return values


def _done(result: FilledForm, as_json: bool, lang: str) -> None:
    report = result.report
    if as_json:
        typer.echo(report.to_json())
        return
    for note in report.actions:
        _err(f"  done: {note.message(lang)}")
    for note in report.warnings:
        _err(f"  warning: {note.message(lang)}")
    target = "standard output" if report.target == "<stream>" else report.target
    _err(f"wrote {target}: {report.pages} page(s), {report.bytes} bytes")


@cerfa_app.command()
def fill(
    form: FormArg,
    output: OutputOpt,
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
    lang: LangOpt = Lang.EN,
    as_json: JsonOpt = False,
) -> None:
    """Fill FORM with the values of a JSON file and write the PDF.

    With a catalogue number, values are keyed by the map's names and checked against it
    (formats, dates JJ/MM/AAAA, states), and --prefill gives the profile. With a PDF file,
    values are keyed by the PDF's field names. Exit 10 when a value is refused.
    """
    from msp_docs import forms
    from msp_docs.errors import MspDocsError

    if output == "-" and as_json:
        raise typer.BadParameter("--json and '-o -' both use standard output; choose one")
    given = _read_values(values, "values")
    profile = _read_values(prefill, "prefill") if prefill else None
    target = _open_output(output)
    try:
        if _is_file(form):
            if profile:
                raise typer.BadParameter("--prefill needs a catalogue form (its map)")
            result = forms.fill(form, given, flatten=flatten, output=target, lang=lang.value)
        else:
            catalogue = _catalogue(forms_dir, maps)
            result = catalogue.fill(
                form, given, prefill=profile, flatten=flatten, output=target, lang=lang.value
            )
    except MspDocsError as error:
        _fail(error, lang.value)
        return
    except ValueError as exc:  # unknown profile keys
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_USAGE) from exc
    _done(result, as_json, lang.value)


@cerfa_app.command()
def blank(
    form: FormArg,
    output: OutputOpt,
    a4: Annotated[
        bool, typer.Option("--a4", help="Scale pages that are not A4 to fit A4 (printing).")
    ] = False,
    flatten: Annotated[
        bool, typer.Option("--flatten", help="Remove the fields (a copy to fill by hand).")
    ] = False,
    forms_dir: FormsDirOpt = None,
    maps: MapsOpt = None,
    lang: LangOpt = Lang.EN,
    as_json: JsonOpt = False,
) -> None:
    """Write FORM with no value: as it is (sanitised), or flattened and fitted to A4 for print."""
    from msp_docs import forms
    from msp_docs.errors import MspDocsError

    if output == "-" and as_json:
        raise typer.BadParameter("--json and '-o -' both use standard output; choose one")
    target = _open_output(output)
    try:
        if _is_file(form):
            result = forms.blank(form, flatten=flatten, fit_a4=a4, output=target, lang=lang.value)
        else:
            catalogue = _catalogue(forms_dir, maps)
            result = catalogue.blank(
                form, flatten=flatten, fit_a4=a4, output=target, lang=lang.value
            )
    except MspDocsError as error:
        _fail(error, lang.value)
        return
    _done(result, as_json, lang.value)


@cerfa_app.command()
def check(
    forms_dir: FormsDirOpt = None,
    maps: MapsOpt = None,
    lang: LangOpt = Lang.EN,
) -> None:
    """Check every catalogue map against its PDF; list the PDF fields a map leaves out."""
    from msp_docs.errors import MspDocsError

    try:
        catalogue = _catalogue(forms_dir, maps)
    except MspDocsError as error:
        _fail(error, lang.value)
        return
    failed: MspDocsError | None = None
    for form in catalogue:
        try:
            left_out = catalogue.check(form)
        except MspDocsError as error:
            _err(f"{form.number}: error [{error.code}]: {error.message(lang.value)}")
            failed = failed or error
            continue
        note = f" (not mapped: {', '.join(left_out)})" if left_out else ""
        typer.echo(f"{form.number}: ok{note}")
    if failed is not None:
        raise typer.Exit(failed.exit_code)
