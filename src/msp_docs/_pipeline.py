"""The pipeline in stage order: read, then per input detect and normalise, then merge, fit, write.

:func:`run` calls the stages below in that order. The per-input stage (:func:`process`) touches
untrusted bytes with C decoders, so it runs in forked, resource-limited children when isolation
is on (``Options.isolate``, the default where fork exists), one per core at a time; the merge and
the write happen in the caller. The work of each stage lives in its own module (``_sources``,
``_detect``, the format backends of ``_backends``, ``_backends/assemble``, ``_fitting`` for
``Options.fit``, ``_write``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeAlias

from msp_docs import _isolation as isolation
from msp_docs._backends import backend_for, preload_assembly, preload_decoders, preload_reduction
from msp_docs._detect import also_valid_as, check_extension, detect, sniff
from msp_docs._fitting import FitInput, fit_target, make_fit
from msp_docs._messages import describe_format
from msp_docs._model import ImageResult, InputSpans, Kind, Note, PdfResult, RasterImage
from msp_docs._sources import InputLike, Loaded, as_inputs, display_name, read_inputs
from msp_docs._write import OutputTarget, check_target, describe_target, write_output
from msp_docs.errors import (
    InternalError,
    MspDocsError,
    OutputTooLarge,
    ProcessingTimeout,
    TooManyPages,
    UnsupportedKind,
)
from msp_docs.limits import Limits
from msp_docs.options import Options
from msp_docs.report import InputReport, OutputReport, Report

__all__ = ["Processed", "Progress", "process", "resolve_spans", "run"]

#: Called with (inputs finished, inputs in all) after each input, and about ten times a second
#: while inputs are processed, in the calling thread (a progress display needs no thread).
Progress: TypeAlias = Callable[[int, int], object]


@dataclass(slots=True)
class Processed:
    """One input after the per-input stage: its kind, warnings and backend result.

    ``prepared``: with ``fit`` likely, an image input's samples at the floor, decoded by the
    same child (``_backends/reduce.Prepared``), so that ``fit`` need not decode it again.
    """

    kind: Kind
    result: ImageResult | PdfResult
    warnings: list[Note] = field(default_factory=list)
    prepared: Any = None


@dataclass(slots=True)
class _Accepted:
    loaded: Loaded
    report: InputReport
    result: ImageResult | PdfResult
    prepared: Any = None


def run(
    operation: str,
    inputs: InputLike | Iterable[InputLike],
    output: OutputTarget | None,
    *,
    limits: Limits,
    options: Options,
    progress: Progress | None = None,
) -> Report:
    """Run the pipeline; write the merged PDF to ``output`` unless it is ``None``.

    Every input gets an entry in the report. With an output, the first rejected input ends the
    call with its error (carrying the report); without one (validate, inspect), rejections are
    only reported. A call that cannot work (no input, an output that cannot be written to) is
    refused before anything is read. No third-party exception escapes: anything unexpected
    becomes :class:`InternalError`.
    """
    report = Report(operation=operation, lang=options.lang.value)
    accepted: list[_Accepted] = []
    try:
        if output is not None:
            check_target(output)
        loaded = _read(inputs, limits, options, report)
        accepted = _process_all(loaded, limits, options, report, progress)
        _check_pages(accepted, limits)
        if output is not None:
            if report.rejected:
                first = report.rejected[0].error
                assert first is not None
                raise first
            if _fit_likely([a.loaded for a in accepted], limits, options):
                data, pages = _fit_output(accepted, None, 0, limits, options)
            else:
                data, pages = _merge(accepted, options)
                data, pages = _fit_output(accepted, data, pages, limits, options)
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
        internal = InternalError(detail=f"{type(exc).__name__}: {exc}")
        internal.report = report
        report.error = internal
        raise internal from exc
    finally:
        for done in accepted:
            _close(done.result)
    return report


# --- stage 1: read ------------------------------------------------------------------------------
def _read(
    inputs: InputLike | Iterable[InputLike], limits: Limits, options: Options, report: Report
) -> list[Loaded]:
    """Collect and read the inputs under the count and byte limits.

    With ``fit`` the inputs may total ``max_fit_input_bytes``: the output is what gets reduced.
    """
    items = as_inputs(inputs, at_most=limits.max_files + 1)
    if options.fit is not None:
        limits = replace(limits, max_total_bytes=limits.max_fit_input_bytes)
    try:
        loaded = read_inputs(items, limits)
    except MspDocsError as error:
        # Report the inputs up to the one that ended the call; the rest were never looked at.
        last = error.input_index if error.input_index is not None else len(items) - 1
        for index, given in enumerate(items[: last + 1]):
            entry = InputReport(index=index, name=display_name(given, index)[0])
            if index == error.input_index:
                entry.status = "rejected"
                entry.error = error
            report.inputs.append(entry)
        raise
    for item in loaded:
        report.inputs.append(InputReport(index=item.index, name=item.name, bytes=len(item.data)))
    return loaded


# --- stage 2: per input, detect then validate and normalise -------------------------------------
def process(
    data: bytes,
    extension: str | None,
    *,
    limits: Limits,
    options: Options,
    prepare_fit: bool = False,
) -> Processed:
    """Detect what ``data`` is, then validate and normalise it with its kind's backend.

    This is the only stage that parses untrusted bytes; with isolation it runs in a child.
    With ``prepare_fit`` (``fit`` will almost surely reduce images), an image input is also
    decoded at its ``fit`` floor here, and for a JPEG that decode is the proof that its data is
    complete, in place of the small-scale one.
    """
    detected = detect(data)
    warnings: list[Note] = []
    warning = check_extension(extension, detected.kind, strict=options.strict)
    if warning is not None:
        warnings.append(warning)
    other = also_valid_as(data, detected.kind)
    if other is not None:
        warnings.append(Note("polyglot", {"other": other, "kind": detected.kind.value}))
    if prepare_fit and detected.kind is Kind.JPEG:
        # fit decodes the image at its floor in this child: that decode is the proof.
        from msp_docs._backends.jpeg import normalise_jpeg

        image = normalise_jpeg(
            data, offset=detected.offset, limits=limits, options=options, prove=False
        )
        prepared = _prepare_fit(detected.kind, data, image, limits, options)
        if prepared is None:
            _prove_jpeg(data, image, limits)
        return Processed(detected.kind, image, warnings, prepared)
    backend = backend_for(detected.kind)
    result = backend(data, offset=detected.offset, limits=limits, options=options)
    prepared = None
    if prepare_fit and isinstance(result, ImageResult):
        prepared = _prepare_fit(detected.kind, data, result, limits, options)
    return Processed(detected.kind, result, warnings, prepared)


#: Samples a child may prepare for ``fit`` per input; larger images are left to the fit stage,
#: which keeps within its own budget.
_PREPARED_SAMPLES = 64 * 1024 * 1024


def _prepare_fit(
    kind: Kind, data: bytes, result: ImageResult, limits: Limits, options: Options
) -> Any:
    """The image's samples at the fit floor, or None when it is not reducible or too large."""
    from msp_docs._backends.reduce import prepare
    from msp_docs._fitting import floor_samples, image_source

    source = image_source(kind.value, data, result, options)
    if source is None or floor_samples(source, options) > _PREPARED_SAMPLES:
        return None
    from msp_docs import _fit

    floor = _fit.ladder(source.native_dpi, options.min_dpi)[0].dpi
    return prepare(source, floor, limits)


def _prove_jpeg(data: bytes, result: ImageResult, limits: Limits) -> None:
    """The proof the JPEG backend left to us, when no fit decode took its place."""
    from msp_docs._backends.jpeg import prove_decodes

    image = result.pages[0].image
    if image.filter == "DCTDecode":  # passed through: only then was the proof skipped
        cleaned = image.data.join(data) if isinstance(image.data, InputSpans) else image.data
        prove_decodes(cleaned, (image.width, image.height), limits)


def _process_portable(
    data: bytes,
    extension: str | None,
    *,
    limits: Limits,
    options: Options,
    prepare_fit: bool = False,
) -> Processed:
    """:func:`process` for a child: a PDF document comes back as bytes, to be reopened."""
    processed = process(data, extension, limits=limits, options=options, prepare_fit=prepare_fit)
    if isinstance(processed.result, PdfResult):
        from msp_docs._backends.transfer import export_document

        processed.result.document = export_document(processed.result.document)
    return processed


def _process_all(
    loaded: list[Loaded],
    limits: Limits,
    options: Options,
    report: Report,
    progress: Progress | None,
) -> list[_Accepted]:
    total = len(loaded)
    outcomes: list[Processed | MspDocsError] = []
    prepare_fit = _fit_likely(loaded, limits, options)
    if progress is not None:
        progress(0, total)
    if options.isolate and isolation.available() and loaded:
        tick = None if progress is None else (lambda done: progress(done, total))
        outcomes = _process_isolated(loaded, limits, options, tick, prepare_fit)
    else:
        for item in loaded:
            outcomes.append(_process_here(item, limits, options, prepare_fit))
            if progress is not None:
                progress(len(outcomes), total)
    accepted = []
    for item, outcome in zip(loaded, outcomes, strict=True):
        entry = report.inputs[item.index]
        if isinstance(outcome, MspDocsError):
            _reject(entry, outcome.for_input(item.name, item.index), options.lang.value)
            continue
        entry.status = "accepted"
        entry.kind = outcome.kind
        resolve_spans(outcome.result, item.data)
        entry.warnings.extend(outcome.warnings)
        result = outcome.result
        entry.actions.extend(result.actions)
        entry.warnings.extend(result.warnings)
        entry.details.update(result.details)
        if isinstance(result, ImageResult):
            entry.pages = len(result.pages)
            entry.width, entry.height, entry.dpi = result.width, result.height, result.dpi
        else:
            entry.pages = result.pages
        accepted.append(_Accepted(item, entry, result, outcome.prepared))
    return accepted


def _fit_likely(loaded: list[Loaded], limits: Limits, options: Options) -> bool:
    """Whether ``fit`` will almost surely reduce images: the inputs alone exceed the target.

    Then the children that validate image inputs also decode them at the fit floor (one decode
    instead of two, one child instead of two). When the guess is wrong (the inputs were large
    but the output is not), that decode was wasted, nothing else.
    """
    target = fit_target(limits, options)
    return target is not None and sum(len(item.data) for item in loaded) > target


def _process_here(
    item: Loaded, limits: Limits, options: Options, prepare_fit: bool = False
) -> Processed | MspDocsError:
    # This thread's processor time, not the clock: the answer must not depend on the load.
    started = time.thread_time()
    try:
        processed = process(
            item.data, item.extension, limits=limits, options=options, prepare_fit=prepare_fit
        )
    except MspDocsError as error:
        return error
    except Exception as exc:  # never let a decoder's exception escape raw
        return InternalError(detail=f"{type(exc).__name__}: {exc}")
    elapsed = time.thread_time() - started
    if elapsed > limits.max_seconds_per_input:
        # Without isolation nothing can stop a decoder mid-way; refuse the result afterwards.
        _close(processed.result)
        return ProcessingTimeout(seconds=limits.max_seconds_per_input)
    return processed


def _process_isolated(
    loaded: list[Loaded],
    limits: Limits,
    options: Options,
    tick: Callable[[int], object] | None,
    prepare_fit: bool = False,
) -> list[Processed | MspDocsError]:
    preload_decoders()  # once here, not once per child
    if prepare_fit:
        preload_reduction()
    if any(_unrecognised(item.data) for item in loaded):
        # libmagic loads its database on first use (~10 ms): once here, not once per child.
        from msp_docs._backends.magic_ import identify

        identify(b"")
    jobs = [
        isolation.Job(
            _process_portable,
            (item.data, item.extension),
            {"limits": limits, "options": options, "prepare_fit": prepare_fit},
            cost=estimated_cost(item.data),
        )
        for item in loaded
    ]
    outcomes = isolation.run_jobs(
        jobs,
        seconds=limits.max_seconds_per_input,
        memory_bytes=limits.max_memory_bytes,
        # The caller imports what the merge needs while the first children work; children
        # forked afterwards inherit it.
        while_waiting=preload_assembly,
        tick=tick,
    )
    results: list[Processed | MspDocsError] = []
    for outcome in outcomes:
        if outcome.error is not None:
            results.append(outcome.error)
            continue
        processed = outcome.value
        assert processed is not None
        if isinstance(processed.result, PdfResult):
            from msp_docs._backends.transfer import import_document

            processed.result.document = import_document(processed.result.document)
        results.append(processed)
    return results


def resolve_spans(result: ImageResult | PdfResult, source: bytes) -> None:
    """Replace image data given as :class:`InputSpans` of ``source`` by the bytes themselves."""
    if not isinstance(result, ImageResult):
        return
    for index, page in enumerate(result.pages):
        image = _resolved(page.image, source)
        if image is not page.image:
            result.pages[index] = replace(page, image=image)


def _resolved(image: RasterImage, source: bytes) -> RasterImage:
    mask = _resolved(image.soft_mask, source) if image.soft_mask is not None else None
    data = image.data.join(source) if isinstance(image.data, InputSpans) else image.data
    if data is image.data and mask is image.soft_mask:
        return image
    return replace(image, data=data, soft_mask=mask)


def estimated_cost(data: bytes) -> float:
    """A rough guess, in milliseconds on this kind of machine, of what processing will take.

    Only orders the work (costliest first); read from a few header bytes, never trusted for
    anything else. Measured: JPEG ~9 ms per MB of file (the decode that proves it complete),
    PNG ~3 ms per megapixel passed through and ~45 ms per megapixel re-encoded (alpha,
    interlace), GIF ~20 ms per megapixel, PDF ~2 ms per MB.
    """
    megabytes = len(data) / 1e6
    if data.startswith(b"\x89PNG") and len(data) >= 29 and data[12:16] == b"IHDR":
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        megapixels = min(width * height, 10**9) / 1e6
        reencoded = data[25] in (4, 6) or data[28] == 1  # alpha channel, or interlaced
        return megapixels * (45.0 if reencoded else 3.0)
    if data.startswith(b"GIF") and len(data) >= 10:
        width, height = int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
        return width * height / 1e6 * 20.0
    if data.startswith(b"\xff\xd8"):
        return megabytes * 9.0
    return megabytes * 2.0


def _unrecognised(data: bytes) -> bool:
    """True if no signature of ours matches (a cheap look at the first bytes, nothing parsed)."""
    try:
        return sniff(data) is None
    except MspDocsError:
        return False


def _reject(entry: InputReport, error: MspDocsError, lang: str) -> None:
    entry.status = "rejected"
    entry.error = error
    if entry.kind is None and error.kind is not None:
        entry.kind = error.kind
    if isinstance(error, UnsupportedKind):
        entry.described_as = describe_format(error.format, lang)


# --- stage 3: merge -----------------------------------------------------------------------------
def _check_pages(accepted: list[_Accepted], limits: Limits) -> None:
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


def _merge(accepted: list[_Accepted], options: Options) -> tuple[bytes, int]:
    """Assemble the accepted inputs into one PDF, in input order, and report its actions."""
    merged = _assemble(accepted, options)
    _report_merge(accepted, merged.notes)
    return merged.data, merged.pages


def _assemble(accepted: list[_Accepted], options: Options) -> Any:
    from msp_docs._backends.assemble import Part, assemble

    parts = [Part(label=n.loaded.label or n.loaded.name, result=n.result) for n in accepted]
    title = options.title or (accepted[0].loaded.label or accepted[0].loaded.name)
    return assemble(parts, title=title, options=options, timestamp=_source_date())


def _report_merge(accepted: list[_Accepted], notes: list[list[Note]]) -> None:
    for part, item in zip(notes, accepted, strict=True):
        item.report.actions.extend(part)


# --- stage 3b: with fit, reduce images until the output fits ------------------------------------
def _fit_output(
    accepted: list[_Accepted], data: bytes | None, pages: int, limits: Limits, options: Options
) -> tuple[bytes, int]:
    """The merged output, reduced to ``options.fit`` when it is larger (see ``_fitting``).

    ``data`` None: the inputs alone exceed the target, so the merge without reduction was not
    made (it would copy every input's bytes for nothing); the merges made here report their
    notes once, from the last one.
    """
    target = fit_target(limits, options)
    if target is None or (data is not None and len(data) <= target):
        assert data is not None
        return data, pages
    last: list[Any] = []  # the last merge made here (its notes are reported when data is None)

    def remerge() -> bytes:
        last[:] = [_assemble(accepted, options)]
        merged: bytes = last[0].data
        return merged

    inputs = [
        FitInput(
            a.loaded.data, a.report.kind.value if a.report.kind else "", a.result, [], a.prepared
        )
        for a in accepted
    ]
    fitted = make_fit(inputs, data, target, remerge=remerge, limits=limits, options=options)
    if data is None:
        pages = last[0].pages
        _report_merge(accepted, last[0].notes)
    for item, fit_input in zip(accepted, inputs, strict=True):
        if fit_input.actions and isinstance(item.result, ImageResult):
            # The image was replaced: what was said of how it was embedded no longer holds.
            item.report.actions[:] = [
                n for n in item.report.actions if n.code not in ("passthrough", "reencoded")
            ]
        item.report.actions.extend(fit_input.actions)
    return fitted, pages


# --- stage 4: write (write_output) and its check ------------------------------------------------
def _check_output_size(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_output_bytes:
        raise OutputTooLarge(size=len(data), limit=limits.max_output_bytes)


# --- helpers ------------------------------------------------------------------------------------
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
