"""The pipeline, in stage order: collect → read → detect → normalise → merge → write.

Each stage is a function below, called in that order by :func:`run`; the work of each stage
lives in its own module (``sources``, ``detect``, the format backends, ``write``).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from msp_docs.detect import check_extension, detect
from msp_docs.errors import (
    InternalError,
    MspDocsError,
    OutputTooLarge,
    TooManyPages,
)
from msp_docs.limits import Limits
from msp_docs.model import ImageResult, Kind, PdfResult
from msp_docs.options import Options
from msp_docs.report import InputReport, OutputReport, Report
from msp_docs.sources import InputLike, Loaded, as_inputs, read_inputs
from msp_docs.write import OutputTarget, describe_target, write_output

__all__ = ["Normalised", "run"]

# Kind -> (backend module, function). Imported on first use so that `import msp_docs` stays light.
_BACKENDS: dict[Kind, tuple[str, str]] = {
    Kind.JPEG: ("msp_docs._backends.jpeg", "normalise_jpeg"),
    Kind.PNG: ("msp_docs._backends.png", "normalise_png"),
    Kind.GIF: ("msp_docs._backends.gif", "normalise_gif"),
    Kind.PDF: ("msp_docs._backends.pdf", "open_pdf"),
}


@dataclass(slots=True)
class Normalised:
    """An accepted input on its way to the merge: its report entry and its backend result."""

    loaded: Loaded
    report: InputReport
    result: ImageResult | PdfResult


def run(
    operation: str,
    inputs: InputLike | Iterable[InputLike],
    output: OutputTarget | None,
    *,
    limits: Limits,
    options: Options,
) -> Report:
    """Run the pipeline; write the merged PDF to ``output`` unless it is ``None``.

    Every input gets an entry in the report. With an output, the first rejected input ends the
    call with its error (carrying the report); without one (validate, inspect), rejections are
    only reported. No third-party exception escapes: anything unexpected becomes
    :class:`InternalError`.
    """
    report = Report(operation=operation, lang=options.lang.value)
    accepted: list[Normalised] = []
    try:
        for item in _read(inputs, limits, report):
            normalised = _normalise(item, limits, options, report)
            if normalised is not None:
                accepted.append(normalised)
        _check_pages(accepted, limits)
        if output is not None:
            if report.rejected:
                first = report.rejected[0].error
                assert first is not None
                raise first
            data, pages = _merge(accepted, options)
            _check_output_size(data, limits)
            write_output(output, data)
            report.output = OutputReport(
                bytes=len(data), pages=pages, target=describe_target(output)
            )
    except MspDocsError as error:
        error.report = report
        report.error = error
        raise
    except Exception as exc:  # a bug of ours or an unwrapped library error: never raw
        internal = InternalError(f"{type(exc).__name__}: {exc}")
        internal.report = report
        report.error = internal
        raise internal from exc
    finally:
        for done in accepted:
            _close(done.result)
    return report


# --- stages -------------------------------------------------------------------------------------
def _read(inputs: InputLike | Iterable[InputLike], limits: Limits, report: Report) -> list[Loaded]:
    """Collect and read the inputs under the count and byte limits."""
    items = as_inputs(inputs, at_most=limits.max_files + 1)
    try:
        loaded = read_inputs(items, limits)
    except MspDocsError as error:
        # Report what was (or would have been) read, then end the call.
        for index, _item in enumerate(items[: limits.max_files + 1]):
            entry = InputReport(index=index, name=error.input_name or f"input-{index + 1}")
            if index == error.input_index:
                entry.status = "rejected"
                entry.error = error
                report.inputs.append(entry)
                break
        raise
    for item in loaded:
        report.inputs.append(InputReport(index=item.index, name=item.name, bytes=len(item.data)))
    return loaded


def _normalise(item: Loaded, limits: Limits, options: Options, report: Report) -> Normalised | None:
    """Detect one input's kind, then validate and normalise it with its backend."""
    entry = report.inputs[item.index]
    try:
        detected = detect(item.data)
        entry.kind = detected.kind
        warning = check_extension(item.extension, detected.kind, strict=options.strict)
        if warning is not None:
            entry.warnings.append(warning)
        result = _backend(detected.kind)(
            item.data, offset=detected.offset, limits=limits, options=options
        )
    except MspDocsError as error:
        error.for_input(item.name, item.index)
        entry.status = "rejected"
        entry.error = error
        if error.facts.get("described_as"):
            entry.described_as = str(error.facts["described_as"])
        return None
    except MemoryError as exc:
        raise InternalError("out of memory", input_name=item.name) from exc
    except Exception as exc:  # never let a decoder's exception escape raw
        internal = InternalError(
            f"{type(exc).__name__}: {exc}", input_name=item.name, input_index=item.index
        )
        entry.status = "rejected"
        entry.error = internal
        return None
    entry.status = "accepted"
    entry.actions.extend(result.actions)
    entry.warnings.extend(result.warnings)
    entry.details.update(result.details)
    if isinstance(result, ImageResult):
        entry.pages = len(result.pages)
        entry.width, entry.height, entry.dpi = result.width, result.height, result.dpi
    else:
        entry.pages = result.pages
    return Normalised(item, entry, result)


def _check_pages(accepted: list[Normalised], limits: Limits) -> None:
    """Refuse an output with more pages than the limit, naming the input that crossed it."""
    total = 0
    for item in accepted:
        total += item.report.pages or 0
        if total > limits.max_pages:
            raise TooManyPages(
                input_name=item.loaded.name,
                input_index=item.loaded.index,
                pages=total,
                limit=limits.max_pages,
            )


def _merge(accepted: list[Normalised], options: Options) -> tuple[bytes, int]:
    """Assemble the accepted inputs into one PDF, in input order."""
    from msp_docs._backends.assemble import Part, assemble

    parts = [Part(label=n.loaded.label or n.loaded.name, result=n.result) for n in accepted]
    title = options.title or (accepted[0].loaded.label or accepted[0].loaded.name)
    merged = assemble(parts, title=title, options=options, timestamp=_source_date())
    for part, item in zip(merged.notes, accepted, strict=True):
        item.report.actions.extend(part)
    return merged.data, merged.pages


def _check_output_size(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_output_bytes:
        raise OutputTooLarge(size=len(data), limit=limits.max_output_bytes)


# --- helpers ------------------------------------------------------------------------------------
def _backend(kind: Kind) -> Callable[..., ImageResult | PdfResult]:
    module_name, function = _BACKENDS[kind]
    module = importlib.import_module(module_name)
    backend: Callable[..., ImageResult | PdfResult] = getattr(module, function)
    return backend


def _close(result: ImageResult | PdfResult) -> None:
    if isinstance(result, PdfResult):
        close: Any = getattr(result.document, "close", None)
        if callable(close):
            close()


def _source_date() -> datetime | None:
    """The reproducible-build timestamp (SOURCE_DATE_EPOCH), or None: no date by default."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw.isdigit():
        return None
    return datetime.fromtimestamp(int(raw), tz=UTC)
