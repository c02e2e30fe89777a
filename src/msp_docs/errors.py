"""The error tree of msp_docs: every failure a caller can see, with stable codes and exit codes.

::

    MspDocsError                      exit 1   internal-error
    ├── LimitExceeded                 exit 3
    │   ├── TooManyFiles                       too-many-files
    │   ├── InputTooLarge                      input-too-large
    │   ├── OutputTooLarge                     output-too-large
    │   ├── ImageTooLarge                      image-too-large
    │   ├── TooManyPages                       too-many-pages
    │   ├── TooManyFrames                      too-many-frames
    │   ├── TooManyObjects                     too-many-objects
    │   └── PageTooComplex                     page-too-complex
    ├── UnsupportedInput              exit 4
    │   ├── UnsupportedKind                    unsupported-kind
    │   ├── EmptyInput                         empty-input
    │   ├── ExtensionMismatch                  extension-mismatch   (only with strict)
    │   ├── UnsupportedVariant                 unsupported-variant
    │   └── XfaOnlyForm                        xfa-only-form
    ├── DamagedInput                  exit 5
    │   ├── TruncatedInput                     truncated
    │   ├── ChecksumMismatch                   checksum-mismatch
    │   ├── CorruptImage                       corrupt-image
    │   ├── InvalidDimensions                  invalid-dimensions
    │   ├── CorruptPdf                         corrupt-pdf
    │   └── NoPages                            no-pages
    ├── PasswordError                 exit 6
    │   ├── PasswordRequired                   password-required
    │   └── WrongPassword                      wrong-password
    ├── UnsafeInput                   exit 7
    │   ├── DecompressionBomb                  decompression-bomb
    │   ├── UnsafeContent                      unsafe-content
    │   ├── ProcessingTimeout                  processing-timeout
    │   └── UnprocessableInput                 unprocessable
    ├── CannotReadInput               exit 8   cannot-read-input
    ├── OutputError                   exit 8   cannot-write-output
    ├── FormError                     exit 10  (forms: a value or a form the caller named)
    │   ├── UnknownForm                        unknown-form
    │   ├── NotFillable                        not-fillable
    │   ├── UnknownField                       unknown-field
    │   ├── InvalidFieldValue                  invalid-field-value
    │   │   └── ValueTooLong                   value-too-long
    │   └── InvalidFormMap                     invalid-form-map
    └── InternalError                 exit 1   internal-error

Exit code 0 is success and 2 a command-line usage error (typer's own). The codes, the exit codes and
the names of the facts are a public interface: services render their own wording from
``error.code`` and ``error.facts``; :meth:`MspDocsError.message` renders ours (English or French).
Errors are matched by type or code, never by message text. ``msp-docs batch`` adds exit code 9,
:data:`EXIT_JOBS_FAILED`: the batch ran, but some of its jobs failed. Form errors (``msp-docs
cerfa``) exit with 10, :data:`EXIT_FORM`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from msp_docs.report import Report

__all__ = [
    "EXIT_FORM",
    "EXIT_JOBS_FAILED",
    "CannotReadInput",
    "ChecksumMismatch",
    "CorruptImage",
    "CorruptPdf",
    "DamagedInput",
    "DecompressionBomb",
    "EmptyInput",
    "ExtensionMismatch",
    "FormError",
    "ImageTooLarge",
    "InputTooLarge",
    "InternalError",
    "InvalidDimensions",
    "InvalidFieldValue",
    "InvalidFormMap",
    "LimitExceeded",
    "MspDocsError",
    "NoPages",
    "NotFillable",
    "OutputError",
    "OutputTooLarge",
    "PageTooComplex",
    "PasswordError",
    "PasswordRequired",
    "ProcessingTimeout",
    "TooManyFiles",
    "TooManyFrames",
    "TooManyObjects",
    "TooManyPages",
    "TruncatedInput",
    "UnknownField",
    "UnknownForm",
    "UnprocessableInput",
    "UnsafeContent",
    "UnsafeInput",
    "UnsupportedInput",
    "UnsupportedKind",
    "UnsupportedVariant",
    "ValueTooLong",
    "WrongPassword",
    "XfaOnlyForm",
    "error_classes",
]


class MspDocsError(Exception):
    """Root of every error msp_docs raises.

    Attributes:
        code: Stable machine-readable code (class attribute), e.g. ``"too-many-files"``.
        exit_code: Exit status of the CLI for this error (class attribute).
        input_name: Display name of the input the error concerns, if any.
        input_index: Position of that input in the call, if any.
        facts: The measured values needed to render a message (sizes, limits, kinds...).
        report: The report of the call the error ended, when there is one.
    """

    code: ClassVar[str] = "internal-error"
    exit_code: ClassVar[int] = 1

    def __init__(
        self,
        detail: str | None = None,
        *,
        input_name: str | None = None,
        input_index: int | None = None,
        **facts: Any,
    ) -> None:
        self.detail = detail
        self.input_name = input_name
        self.input_index = input_index
        self.facts: dict[str, Any] = dict(facts)
        self.report: Report | None = None
        super().__init__(self.message())

    def for_input(self, name: str, index: int | None = None) -> MspDocsError:
        """Attach the input this error concerns (kept if already set) and return self."""
        if self.input_name is None:
            self.input_name = name
            self.input_index = index
            self.args = (self.message(),)
        return self

    def message(self, lang: str = "en") -> str:
        """Render the message (what is wrong and what to do) in ``lang`` ("en" or "fr")."""
        from msp_docs._messages import render_error

        return render_error(self, lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """Return a JSON-serialisable description: code, exit code, input, facts, message."""
        return {
            "code": self.code,
            "exit_code": self.exit_code,
            "input": self.input_name,
            "input_index": self.input_index,
            "facts": _jsonable(self.facts),
            "detail": self.detail,
            "message": self.message(lang),
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (isolation, batch workers): keep every field.
        return (_rebuild, (type(self), self.detail, self.input_name, self.input_index, self.facts))


def _rebuild(
    cls: type[MspDocsError],
    detail: str | None,
    input_name: str | None,
    input_index: int | None,
    facts: Mapping[str, Any],
) -> MspDocsError:
    return cls(detail, input_name=input_name, input_index=input_index, **facts)


def _jsonable(facts: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, str | int | float | bool) or value is None:
            out[key] = value
        elif isinstance(value, list | tuple):
            out[key] = [v if isinstance(v, str | int | float | bool) else str(v) for v in value]
        else:
            out[key] = str(value)
    return out


#: Exit status of ``msp-docs batch`` when the batch ran to its end but at least one job failed
#: (each failure is a line of its report). A batch that cannot run exits 1, 2 or 8.
EXIT_JOBS_FAILED = 9

#: Exit status of the errors of :class:`FormError` (a form or a value the caller named).
EXIT_FORM = 10


# --- limits -------------------------------------------------------------------------------------
class LimitExceeded(MspDocsError):
    """A configured limit (``Limits``) was crossed."""

    code = "limit-exceeded"
    exit_code = 3


class TooManyFiles(LimitExceeded):
    """More inputs than ``Limits.max_files``; facts: ``count``, ``limit``."""

    code = "too-many-files"


class InputTooLarge(LimitExceeded):
    """The inputs together exceed ``Limits.max_total_bytes``; facts: ``read``, ``limit``."""

    code = "input-too-large"


class OutputTooLarge(LimitExceeded):
    """The merged PDF exceeds ``Limits.max_output_bytes``; facts: ``size``, ``limit``."""

    code = "output-too-large"


class ImageTooLarge(LimitExceeded):
    """An image declares more pixels than allowed; facts: ``width``, ``height``, ``limit``."""

    code = "image-too-large"


class TooManyPages(LimitExceeded):
    """More pages than ``Limits.max_pages``; facts: ``pages``, ``limit``."""

    code = "too-many-pages"


class TooManyFrames(LimitExceeded):
    """An animation with more frames than ``Limits.max_frames``; facts: ``frames``, ``limit``."""

    code = "too-many-frames"


class TooManyObjects(LimitExceeded):
    """A PDF with more objects than ``Limits.max_pdf_objects``; facts: ``objects``, ``limit``."""

    code = "too-many-objects"


class PageTooComplex(LimitExceeded):
    """A page whose content has more operators than ``Limits.max_content_operators``.

    Facts: ``page``, ``operators`` (counted so far), ``limit``.
    """

    code = "page-too-complex"


# --- unsupported --------------------------------------------------------------------------------
class UnsupportedInput(MspDocsError):
    """The input is of a kind or variant the wallet does not take."""

    code = "unsupported-input"
    exit_code = 4


class UnsupportedKind(UnsupportedInput):
    """Not a PDF, PNG, GIF or JPEG; facts: ``described_as`` (e.g. "a ZIP archive"), ``advice``."""

    code = "unsupported-kind"


class EmptyInput(UnsupportedInput):
    """The input holds no bytes at all."""

    code = "empty-input"


class ExtensionMismatch(UnsupportedInput):
    """Under ``strict``, the name's extension disagrees with the content.

    Facts: ``extension``, ``kind``.
    """

    code = "extension-mismatch"


class UnsupportedVariant(UnsupportedInput):
    """A supported kind in a variant that cannot be decoded; facts: ``variant``."""

    code = "unsupported-variant"


class XfaOnlyForm(UnsupportedInput):
    """A form made of dynamic XFA only: without XFA it has no field left to fill or show.

    Facts: ``form``.
    """

    code = "xfa-only-form"


# --- damaged ------------------------------------------------------------------------------------
class DamagedInput(MspDocsError):
    """The input is of a supported kind but does not fully decode."""

    code = "damaged-input"
    exit_code = 5


class TruncatedInput(DamagedInput):
    """The data stops before the end the format requires."""

    code = "truncated"


class ChecksumMismatch(DamagedInput):
    """A checksum in the file (a PNG chunk CRC) does not match its data; facts: ``chunk``."""

    code = "checksum-mismatch"


class CorruptImage(DamagedInput):
    """Image data that does not decode; facts may name the ``reason``."""

    code = "corrupt-image"


class InvalidDimensions(DamagedInput):
    """An image with a zero or impossible width/height; facts: ``width``, ``height``."""

    code = "invalid-dimensions"


class CorruptPdf(DamagedInput):
    """A PDF that cannot be opened or repaired, or whose page content cannot be reached."""

    code = "corrupt-pdf"


class NoPages(DamagedInput):
    """A PDF that opens but has no page."""

    code = "no-pages"


# --- passwords ----------------------------------------------------------------------------------
class PasswordError(MspDocsError):
    """An encrypted PDF that cannot be opened without a (different) password."""

    code = "password"
    exit_code = 6


class PasswordRequired(PasswordError):
    """The PDF needs a user password and none was given."""

    code = "password-required"


class WrongPassword(PasswordError):
    """A password was given but does not open the PDF."""

    code = "wrong-password"


# --- unsafe -------------------------------------------------------------------------------------
class UnsafeInput(MspDocsError):
    """The input was refused to protect the service or the people who open the output."""

    code = "unsafe-input"
    exit_code = 7


class DecompressionBomb(UnsafeInput):
    """Compressed data that expands beyond the limits; facts: ``what``, ``limit``."""

    code = "decompression-bomb"


class UnsafeContent(UnsafeInput):
    """Content that cannot be made safe and cannot be removed without losing the document."""

    code = "unsafe-content"


class ProcessingTimeout(UnsafeInput):
    """Processing one input took longer than ``Limits.max_seconds_per_input``.

    Facts: ``seconds``.
    """

    code = "processing-timeout"


class UnprocessableInput(UnsafeInput):
    """The isolated worker processing the input died or ran out of memory; facts: ``reason``."""

    code = "unprocessable"


# --- input/output and internal ------------------------------------------------------------------
class CannotReadInput(MspDocsError):
    """An input path could not be opened or read; facts: ``reason``."""

    code = "cannot-read-input"
    exit_code = 8


class OutputError(MspDocsError):
    """The output could not be written; facts: ``target``, ``reason``."""

    code = "cannot-write-output"
    exit_code = 8


# --- forms -------------------------------------------------------------------------------------
class FormError(MspDocsError):
    """A form, a field or a value named by the caller that cannot be used (exit 10)."""

    code = "form-error"
    exit_code = EXIT_FORM


class UnknownForm(FormError):
    """No form of that number in the catalogue, or its PDF file is missing.

    Facts: ``form``, ``reason`` (``invalid-number``, ``not-in-catalogue``, ``file-missing``).
    """

    code = "unknown-form"


class NotFillable(FormError):
    """The form has no fillable field (a form to print and fill by hand); facts: ``form``."""

    code = "not-fillable"


class UnknownField(FormError):
    """A value names a field the form does not have; facts: ``field``, ``form``."""

    code = "unknown-field"


class InvalidFieldValue(FormError):
    """A value a field cannot take.

    Facts: ``field`` (its PDF name), ``label`` (its readable label), ``reason`` and
    ``reason_fr`` (what is wrong, in words), ``source`` (``user`` or ``profile``: where the
    value came from).
    """

    code = "invalid-field-value"


class ValueTooLong(InvalidFieldValue):
    """A value longer than the field takes, or too long to fit its box.

    Facts: ``field``, ``label``, ``length``, ``max_length`` (when the field has one).
    """

    code = "value-too-long"


class InvalidFormMap(FormError):
    """A catalogue entry or field map that does not describe its form (an operator's error).

    Facts: ``form``, ``where`` (file or field), ``reason``.
    """

    code = "invalid-form-map"


class InternalError(MspDocsError):
    """A bug in msp_docs: an unexpected exception, wrapped so that nothing raw escapes."""

    code = "internal-error"
    exit_code = 1


def error_classes() -> list[type[MspDocsError]]:
    """Every error class, root first (used by the docs, the CLI's exit-code table and tests)."""
    seen: list[type[MspDocsError]] = []
    stack: list[type[MspDocsError]] = [MspDocsError]
    while stack:
        cls = stack.pop(0)
        if cls not in seen:
            seen.append(cls)
            stack.extend(cls.__subclasses__())
    return seen
