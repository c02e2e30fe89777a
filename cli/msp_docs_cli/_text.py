"""Every word the ``msp-docs`` command prints on its own, in English and French.

Messages about documents come from the library (``error.message(lang)``, ``note.message(lang)``);
this module holds the rest: labels, progress, tallies, usage mistakes. Each entry is an
(English, French) pair of ``str.format`` templates.
"""

from __future__ import annotations

from msp_docs.errors import ExitCode

__all__ = ["EXIT_CODES", "TEXT", "count", "exit_codes_help", "say"]

TEXT: dict[str, tuple[str, str]] = {
    # report lines
    "accepted": ("  ok ", "  ok "),
    "refused": ("  NO ", " NON "),
    "done": ("done: ", "fait : "),
    "warning": ("warning: ", "attention : "),
    "input": ("{accepted} {name}: {facts}", "{accepted} {name} : {facts}"),
    "pixels": ("{width}×{height} px", "{width}×{height} px"),
    "detail": ("        {key}: {value}", "        {key} : {value}"),
    "error": ("error [{code}]: {message}", "erreur [{code}] : {message}"),
    "wrote": ("wrote {target}: {pages}, {size}", "écrit : {target}, {pages}, {size}"),
    "standard-output": ("standard output", "la sortie standard"),
    "not-written": (
        "nothing was written (the first refusal ends a merge)",
        "rien n'a été écrit (le premier refus arrête la fusion)",
    ),
    "validated": (
        "{files} checked: {accepted} accepted, {refused} refused",
        "{files} vérifié{s} : {accepted} accepté{a}, {refused} refusé{r}",
    ),
    # progress
    "merging": ("Merging", "Fusion"),
    "converting": ("Converting", "Conversion"),
    "checking": ("Checking", "Vérification"),
    "inspecting": ("Inspecting", "Analyse"),
    # batch
    "batch-line": (
        "{finished}/{total}  done {done}  skipped {skipped}  failed {failed}  {rate:.1f}/s  "
        "ETA {eta}",
        "{finished}/{total}  faits {done}  sautés {skipped}  échecs {failed}  {rate:.1f}/s  "
        "reste {eta}",
    ),
    "batch-progress": ("batch: {text}", "lot : {text}"),
    "batch-failed": ("failed: {output} [{code}] {message}", "échec : {output} [{code}] {message}"),
    "batch-summary": (
        "batch: {jobs} in {seconds:.1f} s ({rate:.1f}/s): {counts}{report}",
        "lot : {jobs} en {seconds:.1f} s ({rate:.1f}/s) : {counts}{report}",
    ),
    "batch-counts": (
        "{done} done, {skipped} skipped, {failed} failed",
        "{done} fait{d}, {skipped} sauté{s}, {failed} en échec",
    ),
    "batch-report": ("; report {path}", " ; rapport {path}"),
    "batch-interrupted": (
        "batch interrupted after {finished} of {jobs}: {counts}; run the same command again to "
        "resume",
        "lot interrompu après {finished} sur {jobs} : {counts} ; relancez la même commande pour "
        "reprendre",
    ),
    # the command line's own mistakes (exit 2)
    "not-a-size": (
        "not a size: {text!r} (use e.g. 10MiB, 500KiB, 2000000)",
        "ce n'est pas une taille : {text!r} (par exemple 10MiB, 500KiB, 2000000)",
    ),
    "size-not-positive": ("a size must be positive", "une taille doit être positive"),
    "password-file": (
        "cannot read the password file: {reason}",
        "impossible de lire le fichier du mot de passe : {reason}",
    ),
    "stdin-twice": (
        "standard input ('-') can be read only once",
        "l'entrée standard (« - ») ne peut être lue qu'une fois",
    ),
    "pdf-to-terminal": (
        "refusing to write a PDF to a terminal; redirect it or name a file",
        "un PDF ne s'écrit pas dans un terminal ; redirigez-le ou nommez un fichier",
    ),
    "json-and-stdout": (
        "--json and '-o -' both use standard output; choose one",
        "--json et « -o - » utilisent tous deux la sortie standard ; choisissez",
    ),
    "jobs-and-scheduler": (
        "--jobs sets the local pool; a Dask cluster has its own workers",
        "--jobs règle les processus locaux ; un cluster Dask a les siens",
    ),
    "list-options": (
        "--base and --format are for job lists, not directories",
        "--base et --format valent pour les listes de travaux, pas pour les dossiers",
    ),
    "inside-input": (
        "{what} ({path}) must not be inside the input directory, nor contain it",
        "{what} ({path}) ne doit ni être dans le dossier d'entrée, ni le contenir",
    ),
    "the-output": ("the output directory", "le dossier de sortie"),
    "the-report": ("the report", "le rapport"),
    # cerfa
    "pdf-missing": ("  (PDF missing)", "  (PDF absent)"),
    "field-states": ("states {states}", "états {states}"),
    "field-max-length": ("max {most}", "{most} au plus"),
    "field-multiline": ("multiline", "plusieurs lignes"),
    "form-ok": ("ok", "ok"),
    "not-mapped": (" (not mapped: {fields})", " (non décrits : {fields})"),
    "values-unreadable": (
        "cannot read {option} {path}: {reason}",
        "impossible de lire {option} {path} : {reason}",
    ),
    "values-not-an-object": (
        "{option} {path} must hold a JSON object (name -> value)",
        "{option} {path} doit contenir un objet JSON (nom -> valeur)",
    ),
    "prefill-needs-a-map": (
        "--prefill needs a catalogue form (its map names the profile keys)",
        "--prefill demande un formulaire du catalogue (sa description nomme les clés du profil)",
    ),
}

# Nouns counted in output: (English singular, English plural, French singular, French plural).
_NOUNS: dict[str, tuple[str, str, str, str]] = {
    "file": ("file", "files", "fichier", "fichiers"),
    "page": ("page", "pages", "page", "pages"),
    "byte": ("byte", "bytes", "octet", "octets"),
    "job": ("job", "jobs", "travail", "travaux"),
    "field": ("field", "fields", "champ", "champs"),
}

#: The exit codes, as ``--help`` lists them.
EXIT_CODES: dict[ExitCode, str] = {
    ExitCode.OK: "ok",
    ExitCode.INTERNAL_ERROR: "internal error (a bug: please report it)",
    ExitCode.USAGE: "usage",
    ExitCode.LIMIT_EXCEEDED: "limit exceeded",
    ExitCode.UNSUPPORTED_INPUT: "unsupported file",
    ExitCode.DAMAGED_INPUT: "damaged file",
    ExitCode.PASSWORD: "password needed or wrong",
    ExitCode.UNSAFE_INPUT: "refused as unsafe",
    ExitCode.CANNOT_READ_OR_WRITE: "cannot read or write",
    ExitCode.JOBS_FAILED: "batch ran but some jobs failed",
    ExitCode.FORM: "form, field or value refused (cerfa)",
    ExitCode.INTERRUPTED: "interrupted",
}


def _french(lang: str) -> bool:
    return str(lang).lower().startswith("fr")


def say(key: str, lang: str, /, **values: object) -> str:
    """The text ``key`` in ``lang``, filled with ``values``."""
    english, french = TEXT[key]
    return (french if _french(lang) else english).format(**values)


def count(n: int, noun: str, lang: str) -> str:
    """``n`` and the noun agreeing with it: ``1 job``, ``2 jobs``, ``0 fichier``, ``3 travaux``."""
    en_one, en_many, fr_one, fr_many = _NOUNS[noun]
    if _french(lang):
        return f"{n} {fr_one if n <= 1 else fr_many}"
    return f"{n} {en_one if n == 1 else en_many}"


def agree(n: int, lang: str) -> str:
    """The French plural mark of a past participle after ``n`` (``s`` or nothing)."""
    return "s" if _french(lang) and n > 1 else ""


def exit_codes_help() -> str:
    """The exit codes in one sentence, for ``--help``."""
    return "Exit codes: " + ", ".join(f"{int(c)} {words}" for c, words in EXIT_CODES.items()) + "."
