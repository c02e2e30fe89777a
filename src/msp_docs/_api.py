"""The library's entry points: merge, convert, validate and inspect."""

from __future__ import annotations

from collections.abc import Iterable

from msp_docs._pipeline import Progress, run
from msp_docs._sources import InputLike
from msp_docs._write import OutputTarget
from msp_docs.limits import Limits
from msp_docs.options import Options
from msp_docs.report import InputReport, Report

__all__ = ["Progress", "convert", "inspect", "merge", "validate"]

_DEFAULT_LIMITS = Limits()
_DEFAULT_OPTIONS = Options()


def merge(
    inputs: Iterable[InputLike],
    output: OutputTarget,
    *,
    limits: Limits = _DEFAULT_LIMITS,
    options: Options = _DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> Report:
    """Validate, normalise and merge up to ``limits.max_files`` inputs into one PDF.

    Args:
        inputs: Paths, bytes, binary streams (possibly non-seekable) or :class:`Input` values
            (which add a display name and a bookmark label), merged in this order.
        output: A path (written atomically) or a binary stream.
        limits: The bounds of this call.
        options: Page size, title, transparency, password, language...
        progress: Called with (inputs finished, inputs in all) after each input and about
            ten times a second while inputs are processed, in the calling thread: enough to
            drive a progress display without a thread of its own.

    Returns:
        The report: every input's kind, size, pages, actions and warnings, and the output's
        size and page count.

    Raises:
        MspDocsError: a subclass naming the problem, the input it concerns and the facts;
            ``error.report`` holds the report so far. Nothing is written then.
        UsageError: no input, an input or output of the wrong type, a text-mode stream.
    """
    return run("merge", inputs, output, limits=limits, options=options, progress=progress)


def convert(
    input: InputLike,
    output: OutputTarget,
    *,
    limits: Limits = _DEFAULT_LIMITS,
    options: Options = _DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> Report:
    """Turn one PDF, PNG, GIF or JPEG into a normalised PDF (same rules as :func:`merge`)."""
    return run("convert", [input], output, limits=limits, options=options, progress=progress)


def validate(
    inputs: Iterable[InputLike],
    *,
    limits: Limits = _DEFAULT_LIMITS,
    options: Options = _DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> Report:
    """Check what :func:`merge` would accept, without writing anything.

    Rejected inputs are reported (``report.ok`` is False), not raised. Errors that end the call
    itself (too many files, inputs too large together) are raised as by :func:`merge`.
    """
    return run("validate", inputs, None, limits=limits, options=options, progress=progress)


def inspect(
    input: InputLike,
    *,
    limits: Limits = _DEFAULT_LIMITS,
    options: Options = _DEFAULT_OPTIONS,
    progress: Progress | None = None,
) -> InputReport:
    """Describe one input: kind, size, pages, pixels, DPI, format details, and its verdict."""
    report = run("inspect", [input], None, limits=limits, options=options, progress=progress)
    return report.inputs[0]
