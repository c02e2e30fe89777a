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
    │   ├── PageTooComplex                     page-too-complex
    │   └── CannotFit                          cannot-fit           (only with fit)
    ├── UnsupportedInput              exit 4
    │   ├── UnsupportedKind                    unsupported-kind
    │   ├── EmptyInput                         empty-input
    │   ├── ExtensionMismatch                  extension-mismatch   (only with strict)
    │   ├── UnsupportedVariant                 unsupported-variant
    │   ├── XfaOnlyForm                        xfa-only-form        (forms)
    │   └── FormNotPdf                         form-not-pdf         (forms)
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
    ├── UsageError                    exit 2   invalid-call          (a caller's mistake)
    ├── BatchError                    exit 2   (``msp_docs.batch``: the batch itself cannot run)
    │   ├── JobListError                       invalid-job-list
    │   ├── SchedulerError                     scheduler-unavailable
    │   ├── PoolError                 exit 1   workers-cannot-start
    │   └── UnguardedMainError                 unguarded-main
    ├── FormError                     exit 10  (``msp_docs.forms``, ``msp_docs.cerfa``)
    │   ├── UnknownForm                        unknown-form
    │   ├── NotFillable                        not-fillable
    │   ├── UnknownField                       unknown-field
    │   ├── InvalidFieldValue                  invalid-field-value
    │   │   └── ValueTooLong                   value-too-long
    │   └── InvalidFormMap                     invalid-form-map     (an operator's mistake)
    └── InternalError                 exit 1   internal-error       (a bug: please report it)

The exit codes are :class:`ExitCode`; 0 is success, 2 a command-line or calling mistake, 9 a
batch that ran but where some jobs failed, 10 a form or a value the caller named that cannot be
used, 130 an interrupted command. The codes, the exit codes and the names and values of the
facts are a public interface: services render their own wording from ``error.code`` and
``error.facts``; :meth:`MspDocsError.message` renders ours (English or French, from
``msp_docs._messages``). Errors are matched by type or code, never by message text.

How an error class is written (the pattern to follow when adding one): a subclass of the right
family, a ``code`` and, when it differs from its family's, an ``exit_code``; then its facts as
annotated class attributes. Every subclass is made a dataclass with keyword-only fields, so a
fact without a default must be given, by name, with the right type (mypy checks each raise),
and the error can never be rendered with a fact missing. Why an input is damaged or unusable is
a :class:`Reason` (with ``value``, a number or name the wording shows), never words: the words
are in ``msp_docs._messages``, in English and French, and a test renders every class and every
reason in both. For example::

    class TooManyPages(LimitExceeded):
        code = "too-many-pages"

        pages: int
        limit: int

    raise TooManyPages(pages=1200, limit=1000)
"""

from __future__ import annotations

import dataclasses
import errno
from collections.abc import Mapping
from dataclasses import field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, dataclass_transform

from msp_docs._model import Kind

if TYPE_CHECKING:
    from msp_docs.report import Report

__all__ = [
    "BatchError",
    "CannotFit",
    "CannotReadInput",
    "ChecksumMismatch",
    "CorruptImage",
    "CorruptPdf",
    "DamagedInput",
    "DecompressionBomb",
    "EmptyInput",
    "ExitCode",
    "ExtensionMismatch",
    "FormError",
    "FormNotPdf",
    "ImageTooLarge",
    "InputTooLarge",
    "InternalError",
    "InvalidDimensions",
    "InvalidFieldValue",
    "InvalidFormMap",
    "JobListError",
    "LimitExceeded",
    "MspDocsError",
    "NoPages",
    "NotFillable",
    "OtherFormat",
    "OutputError",
    "OutputTooLarge",
    "PageTooComplex",
    "Part",
    "PasswordError",
    "PasswordRequired",
    "PoolError",
    "ProcessingTimeout",
    "Reason",
    "SchedulerError",
    "TooManyFiles",
    "TooManyFrames",
    "TooManyObjects",
    "TooManyPages",
    "TruncatedInput",
    "UnguardedMainError",
    "UnknownField",
    "UnknownForm",
    "UnprocessableInput",
    "UnsafeContent",
    "UnsafeInput",
    "UnsupportedInput",
    "UnsupportedKind",
    "UnsupportedVariant",
    "UsageError",
    "ValueTooLong",
    "WrongPassword",
    "XfaOnlyForm",
    "error_classes",
]


class ExitCode(IntEnum):
    """Exit status of ``msp-docs`` (a stable interface, listed in the README)."""

    OK = 0
    INTERNAL_ERROR = 1  # a bug: please report it
    USAGE = 2  # a command-line or calling mistake, a bad job list
    LIMIT_EXCEEDED = 3
    UNSUPPORTED_INPUT = 4
    DAMAGED_INPUT = 5
    PASSWORD = 6  # needed or wrong
    UNSAFE_INPUT = 7
    CANNOT_READ_OR_WRITE = 8
    JOBS_FAILED = 9  # ``batch`` ran to its end, but some of its jobs failed
    FORM = 10  # a form, a field or a value the caller named cannot be used (``msp-docs cerfa``)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it


class Reason(StrEnum):
    """Why an input is damaged, unsafe or unusable, or why a file cannot be read or written.

    The ``reason`` fact of several errors and notes; its wording (English and French) is in
    ``msp_docs._messages``. Some reasons show the error's ``value`` (a chunk name, a page
    number, a signal...).
    """

    # signatures and headers
    SIGNATURE_CUT = "signature-cut"
    PNG_SIGNATURE = "png-signature"
    GIF_VERSION = "gif-version"
    PDF_HEADER = "pdf-header"
    HEADER_CUT = "header-cut"
    # PNG structure
    CHUNK_BEFORE_HEADER = "chunk-before-header"  # value: the chunk type
    TWO_HEADERS = "two-headers"
    TWO_PALETTES = "two-palettes"
    PALETTE_AFTER_DATA = "palette-after-data"
    PALETTE_LENGTH = "palette-length"
    DATA_SPLIT = "data-split"
    UNKNOWN_CRITICAL_CHUNK = "unknown-critical-chunk"  # value: the chunk type
    NO_PALETTE = "no-palette"
    NO_END_CHUNK = "no-end-chunk"
    CHUNK_LENGTH = "chunk-length"
    CHUNK_TYPE = "chunk-type"
    CHUNK_CUT = "chunk-cut"  # value: the chunk type
    HEADER_CHUNK = "header-chunk"
    COLOUR_TYPE = "colour-type"  # value: the colour type
    BIT_DEPTH = "bit-depth"  # value: the bit depth
    HEADER_METHODS = "header-methods"
    # image data (every format)
    NO_IMAGE_DATA = "no-image-data"
    TOO_MUCH_DATA = "too-much-data"
    TOO_LITTLE_DATA = "too-little-data"
    ROW_FILTER = "row-filter"
    COMPRESSED_DATA = "compressed-data"
    DATA_CUT = "data-cut"
    DECODER = "decoder"  # the decoder refused the data (its message is the error's detail)
    # JPEG structure
    NO_SOI = "no-soi"
    SECOND_SOI = "second-soi"
    NO_EOI = "no-eoi"
    SEGMENT_CUT = "segment-cut"
    SEGMENT_LENGTH = "segment-length"
    RESTART_INTERVAL = "restart-interval"
    UNEXPECTED_MARKER = "unexpected-marker"  # value: the marker, e.g. "0xFFC8"
    TWO_FRAMES = "two-frames"
    FRAME_HEADER_CUT = "frame-header-cut"
    FRAME_HEADER = "frame-header"
    COMPONENTS = "components"
    PRECISION = "precision"  # value: bits per sample
    SCAN_BEFORE_FRAME = "scan-before-frame"
    SCAN_HEADER = "scan-header"
    SCAN_COMPONENT = "scan-component"
    SCAN_INCOMPLETE = "scan-incomplete"  # value: the restart intervals found
    RESTART_ORDER = "restart-order"
    # JPEG variants a PDF cannot carry as they are, or that cannot be decoded at all
    HIERARCHICAL_JPEG = "hierarchical-jpeg"
    JPEG_LS = "jpeg-ls"
    LOSSLESS_JPEG = "lossless-jpeg"
    ARITHMETIC_CODING = "arithmetic-coding"
    JPEG_PRECISION = "jpeg-precision"  # value: bits per sample
    JPEG_COMPONENTS = "jpeg-components"  # value: the number of components
    # why an image is re-encoded
    GIF_LZW = "gif-lzw"
    INTERLACED = "interlaced"
    ALPHA_CHANNEL = "alpha-channel"
    COLOUR_KEY_FLATTENED = "colour-key-flattened"
    TRANSPARENCY_FLATTENED = "transparency-flattened"
    ALPHA_UNUSED = "alpha-unused"
    # GIF structure
    NO_IMAGE = "no-image"
    NO_IMAGE_BEFORE_END = "no-image-before-end"
    EXTENSION_CUT = "extension-cut"
    UNKNOWN_BLOCK = "unknown-block"  # value: the block introducer, e.g. "0x2A"
    COLOUR_TABLE_CUT = "colour-table-cut"
    BLOCK_CUT = "block-cut"
    DESCRIPTOR_CUT = "descriptor-cut"
    LZW_CODE_SIZE = "lzw-code-size"  # value: the code size
    # colour profiles and EXIF (warnings)
    ICC_SHORT = "icc-short"
    ICC_NOT_A_PROFILE = "icc-not-a-profile"
    ICC_TRUNCATED = "icc-truncated"
    ICC_CLASS = "icc-class"  # value: the profile class
    ICC_COLOUR_SPACE = "icc-colour-space"  # value: the colour space
    ICC_COMPONENTS = "icc-components"  # value: the profile's components
    ICC_UNREADABLE = "icc-unreadable"
    ICC_CHUNK_COUNT = "icc-chunk-count"
    ICC_CHUNKS_MISSING = "icc-chunks-missing"
    ICC_MALFORMED_CHUNK = "icc-malformed-chunk"
    ICC_COMPRESSED_DATA = "icc-compressed-data"
    EXIF_NOT_TIFF = "exif-not-tiff"
    EXIF_IFD_OUTSIDE = "exif-ifd-outside"
    EXIF_IFD_COUNT = "exif-ifd-count"
    EXIF_IFD_CUT = "exif-ifd-cut"
    EXIF_TAG = "exif-tag"  # value: the tag, e.g. "0x0112"
    # PDF structure (what qpdf says it cannot get past, in words)
    PAGE_TREE_LOOP = "page-tree-loop"
    PAGE_TREE_DEEP = "page-tree-deep"
    NO_STRUCTURE = "no-structure"
    NO_PDF_HEADER = "no-pdf-header"
    NO_PAGE_TREE = "no-page-tree"
    PAGE_TREE_INCONSISTENT = "page-tree-inconsistent"
    UNKNOWN_ENCRYPTION = "unknown-encryption"
    OBJECTS_TOO_DEEP = "objects-too-deep"
    ACTIONS_TOO_DEEP = "actions-too-deep"
    PAGE_CONTENT_MISSING = "page-content-missing"  # value: the page number
    PAGE_CONTENT_UNDECODABLE = "page-content-undecodable"  # value: the page number
    XFA_ONLY = "xfa-only"
    # isolated workers
    WORKER_NOT_STARTED = "worker-not-started"  # value: the system's reason
    OUT_OF_MEMORY = "out-of-memory"
    KILLED = "killed"
    CRASHED = "crashed"  # value: the signal, e.g. "SIGSEGV"
    WORKER_EXITED = "worker-exited"  # value: the exit status
    WORKER_DIED = "worker-died"
    # files and streams
    NOT_FOUND = "not-found"
    PERMISSION_DENIED = "permission-denied"
    IS_A_DIRECTORY = "is-a-directory"
    NOT_A_DIRECTORY = "not-a-directory"
    NOT_REGULAR = "not-regular"
    NO_SPACE = "no-space"
    READ_ONLY = "read-only"
    OS_ERROR = "os-error"  # value: the system's message
    DIRECTORY_MISSING = "directory-missing"  # value: the directory
    TEXT_STREAM = "text-stream"
    STREAM_ERROR = "stream-error"  # value: the stream's message
    REPORT_LOCKED = "report-locked"
    # a caller's mistakes (UsageError)
    CALL_NO_INPUTS = "call-no-inputs"
    CALL_INPUT_TYPE = "call-input-type"
    CALL_OUTPUT_TYPE = "call-output-type"
    CALL_EXECUTOR_AND_SCHEDULER = "call-executor-and-scheduler"
    CALL_PROFILE_KEYS = "call-profile-keys"  # prefill values under keys the catalogue lacks
    CALL_CACHE_BOUNDS = "call-cache-bounds"
    # batch job lists
    LIST_FORMAT_UNKNOWN = "list-format-unknown"
    NOT_UTF8 = "not-utf8"
    NOT_CSV = "not-csv"  # value: the CSV reader's message
    NOT_JSON = "not-json"  # value: the JSON reader's message
    NOT_AN_OBJECT = "not-an-object"
    NO_OUTPUT_COLUMN = "no-output-column"
    UNKNOWN_COLUMN = "unknown-column"  # value: the column
    DUPLICATE_INPUT_COLUMN = "duplicate-input-column"
    TOO_MANY_CELLS = "too-many-cells"  # value: the cells of the row
    UNKNOWN_KEYS = "unknown-keys"  # value: the keys
    INPUTS_AND_INPUT = "inputs-and-input"
    INPUTS_NOT_A_LIST = "inputs-not-a-list"
    NOT_A_STRING = "not-a-string"  # value: the key
    NO_INPUT = "no-input"
    OUTPUT_EMPTY = "output-empty"
    OUTPUT_CONTROL_CHARACTER = "output-control-character"
    OUTPUT_ABSOLUTE = "output-absolute"
    OUTPUT_OUTSIDE = "output-outside"
    OUTPUT_NOT_CLEAN = "output-not-clean"
    OUTPUT_TWICE = "output-twice"  # value: the output
    OUTPUT_OF_LINE = "output-of-line"  # value: the line of the job list that already writes it
    OUTPUT_OVERWRITES_INPUT = "output-overwrites-input"
    SOURCE_NOT_A_DIRECTORY = "source-not-a-directory"
    # batch executors
    DASK_MISSING = "dask-missing"
    SCHEDULER_UNREACHABLE = "scheduler-unreachable"  # value: the client's message
    NO_WORKERS = "no-workers"
    # forms: which form (UnknownForm), what a value cannot be (InvalidFieldValue)
    INVALID_NUMBER = "invalid-number"
    NOT_IN_CATALOGUE = "not-in-catalogue"
    FILE_MISSING = "file-missing"
    FORM_UNPROCESSABLE = "form-unprocessable"
    DATE_FORMAT = "date-format"
    POSTCODE_FORMAT = "postcode-format"
    EMAIL_FORMAT = "email-format"
    PHONE_FORMAT = "phone-format"
    DIGITS_FORMAT = "digits-format"
    AMOUNT_FORMAT = "amount-format"
    CHECKBOX_VALUE = "checkbox-value"
    CHOOSE_ONE = "choose-one"  # value: the choices
    NOT_A_STATE = "not-a-state"  # value: the states
    NOT_AN_OPTION = "not-an-option"  # value: the options
    TEXT_EXPECTED = "text-expected"
    TEXT_NOT_BOOLEAN = "text-not-boolean"
    FIELD_READ_ONLY = "field-read-only"
    FIELD_NOT_FILLABLE = "field-not-fillable"
    LINE_BREAK = "line-break"
    UNPRINTABLE = "unprintable"  # value: the characters no font of the form can draw
    TOO_LONG = "too-long"
    # form maps (InvalidFormMap): what is wrong in a catalogue file
    MAP_NOT_TOML = "map-not-toml"  # value: the TOML reader's message
    MAP_SCHEMA = "map-schema"  # value: the schema expected
    MAP_NUMBER = "map-number"  # value: what was written
    MAP_UNKNOWN_KEYS = "map-unknown-keys"  # value: the keys
    MAP_TITLE = "map-title"
    MAP_ORGANISATION = "map-organisation"
    MAP_KIND = "map-kind"
    MAP_FILE = "map-file"
    MAP_FIELDS = "map-fields"
    MAP_BLANK_WITH_FIELDS = "map-blank-with-fields"
    MAP_NO_FIELDS = "map-no-fields"
    MAP_NAME_TWICE = "map-name-twice"
    MAP_PDF_FIELD_TWICE = "map-pdf-field-twice"  # value: the PDF field
    MAP_FIELD_NOT_A_TABLE = "map-field-not-a-table"
    MAP_NAME = "map-name"
    MAP_TYPE = "map-type"  # value: the types
    MAP_LABEL = "map-label"
    MAP_PROFILE_KEY = "map-profile-key"  # value: the key
    MAP_FORMAT_NOT_TEXT = "map-format-not-text"
    MAP_FORMAT = "map-format"  # value: the formats
    MAP_MAX_LENGTH = "map-max-length"
    MAP_COMB_LENGTH = "map-comb-length"
    MAP_CHECKBOX_ON = "map-checkbox-on"
    MAP_ON_NOT_CHECKBOX = "map-on-not-checkbox"
    MAP_RADIO_STATES = "map-radio-states"
    MAP_STATES_TEXT = "map-states-text"
    MAP_STATES_NOT_RADIO = "map-states-not-radio"
    MAP_OPTIONS = "map-options"
    MAP_DATE_PARTS = "map-date-parts"
    MAP_PARTS_NOT_DATE = "map-parts-not-date"
    MAP_YEAR_DIGITS = "map-year-digits"
    MAP_REQUIRED = "map-required"
    MAP_TWICE_IN_CATALOGUE = "map-twice-in-catalogue"
    MAP_NO_PDF_FIELD = "map-no-pdf-field"  # value: the PDF field
    MAP_PDF_FIELD_KIND = "map-pdf-field-kind"  # value: what the PDF field is
    MAP_ON_STATE = "map-on-state"  # value: the PDF's states
    MAP_STATES_DIFFER = "map-states-differ"  # value: the PDF's states
    MAP_CELLS_DIFFER = "map-cells-differ"  # value: the PDF's /MaxLen


class Part(StrEnum):
    """What compressed data a :class:`DecompressionBomb` was in."""

    PAGE_CONTENT = "page-content"  # value: the page number
    STREAM = "stream"  # value: the object number
    TEXT_CHUNKS = "text-chunks"
    ICC_PROFILE = "icc-profile"


class OtherFormat(StrEnum):
    """What an input is when it is not one of the accepted kinds, as far as we can tell."""

    HEIC = "heic"
    HEIF = "heif"
    AVIF = "avif"
    WEBP = "webp"
    BMP = "bmp"
    TIFF = "tiff"
    JPEG_2000 = "jpeg-2000"
    JPEG_XL = "jpeg-xl"
    SVG = "svg"
    PHOTOSHOP = "photoshop"
    ICON = "icon"
    ZIP = "zip"
    RAR = "rar"
    SEVEN_ZIP = "7z"
    GZIP = "gzip"
    WORD = "word"
    EXCEL = "excel"
    POWERPOINT = "powerpoint"
    OPENDOCUMENT_TEXT = "opendocument-text"
    OPENDOCUMENT_SPREADSHEET = "opendocument-spreadsheet"
    RTF = "rtf"
    POSTSCRIPT = "postscript"
    HTML = "html"
    XML = "xml"
    TEXT = "text"
    WINDOWS_PROGRAM = "windows-program"
    PROGRAM = "program"
    AUDIO = "audio"
    VIDEO = "video"
    OTHER_IMAGE = "other-image"
    UNKNOWN = "unknown"


#: Values a ``value`` fact may take: a number, a name or a short technical token.
Value = str | int | None

# Fields that say which input an error concerns and how it was found, not what went wrong.
_CONTEXT = frozenset({"detail", "input_name", "input_index", "report"})


@dataclass_transform(kw_only_default=True, eq_default=False, field_specifiers=(field,))
class _TypedFacts:
    """Makes each subclass a dataclass: its annotated attributes are its typed, named facts."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(kw_only=True, eq=False, repr=False)(cls)


class MspDocsError(Exception, _TypedFacts):
    """Root of every error msp_docs raises.

    Attributes:
        code: Stable machine-readable code (class attribute), e.g. ``"too-many-files"``.
        exit_code: Exit status of the CLI for this error (class attribute).
        detail: Technical text for diagnosis (a library's message), never shown as the message.
        input_name: Display name of the input the error concerns, if any.
        input_index: Position of that input in the call, if any.
        kind: The kind the input was detected as, when it got that far.
        report: The report of the call the error ended, when there is one.
    """

    code: ClassVar[str] = "internal-error"
    exit_code: ClassVar[ExitCode] = ExitCode.INTERNAL_ERROR

    detail: str | None = None
    input_name: str | None = None
    input_index: int | None = None
    kind: Kind | None = None
    report: Report | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.args = (self.message(),)

    @property
    def facts(self) -> dict[str, Any]:
        """The named values that describe what went wrong (those not set are left out)."""
        values = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name not in _CONTEXT and value is not None:
                values[f.name] = value
        return values

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
            "exit_code": int(self.exit_code),
            "input": self.input_name,
            "input_index": self.input_index,
            "facts": _jsonable(self.facts),
            "detail": self.detail,
            "message": self.message(lang),
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (isolation, batch workers): keep every field.
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        return (_rebuild, (type(self), values))


def _rebuild(cls: type[MspDocsError], values: Mapping[str, Any]) -> MspDocsError:
    return cls(**values)


def _jsonable(facts: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, str | int | float | bool):
            out[key] = value
        elif isinstance(value, list | tuple):
            out[key] = [v if isinstance(v, str | int | float | bool) else str(v) for v in value]
        else:
            out[key] = str(value)
    return out


# --- limits -------------------------------------------------------------------------------------
class LimitExceeded(MspDocsError):
    """A configured limit (``Limits``) was crossed."""

    code = "limit-exceeded"
    exit_code = ExitCode.LIMIT_EXCEEDED


class TooManyFiles(LimitExceeded):
    """More inputs than ``Limits.max_files``; ``count`` is the position of the first one over."""

    code = "too-many-files"

    count: int
    limit: int


class InputTooLarge(LimitExceeded):
    """The inputs together exceed ``Limits.max_total_bytes``.

    ``read`` is the total read when reading stopped, ``read_of_this_input`` this input's share.
    """

    code = "input-too-large"

    read: int
    limit: int
    read_of_this_input: int | None = None


class OutputTooLarge(LimitExceeded):
    """The merged PDF would exceed ``Limits.max_output_bytes``."""

    code = "output-too-large"

    size: int
    limit: int


class ImageTooLarge(LimitExceeded):
    """An image declares more pixels, or a longer side, than the limits allow."""

    code = "image-too-large"

    width: int
    height: int
    limit: int


class TooManyPages(LimitExceeded):
    """More pages than ``Limits.max_pages`` (counted, or as the page tree declares them)."""

    code = "too-many-pages"

    pages: int
    limit: int


class TooManyFrames(LimitExceeded):
    """An animation with more frames than ``Limits.max_frames``.

    ``frames`` is the count an APNG declares, or for a GIF the frames read when reading stopped.
    """

    code = "too-many-frames"

    frames: int
    limit: int


class TooManyObjects(LimitExceeded):
    """A PDF with more objects than ``Limits.max_pdf_objects`` (declared or built)."""

    code = "too-many-objects"

    objects: int
    limit: int


class PageTooComplex(LimitExceeded):
    """A page whose content has more operators than ``Limits.max_content_operators``.

    ``operators`` is the count when counting stopped.
    """

    code = "page-too-complex"

    page: int
    operators: int
    limit: int


class CannotFit(LimitExceeded):
    """With ``Options.fit``, even the smallest output reachable at the floor is too large.

    ``target`` is the size asked for; ``smallest`` the size of the smallest output reachable
    with every image at the legibility floor (``min_dpi``) and the lowest JPEG quality tried;
    ``fixed`` what cannot be reduced (text, vector content, small images, structure). Sizes are
    in bytes.
    """

    code = "cannot-fit"

    target: int
    smallest: int
    min_dpi: float
    fixed: int


# --- unsupported --------------------------------------------------------------------------------
class UnsupportedInput(MspDocsError):
    """The input is of a kind or variant the wallet does not take."""

    code = "unsupported-input"
    exit_code = ExitCode.UNSUPPORTED_INPUT


class UnsupportedKind(UnsupportedInput):
    """Not a PDF, PNG, GIF or JPEG: ``format`` says what it seems to be, ``mime`` as libmagic."""

    code = "unsupported-kind"

    format: OtherFormat
    mime: str


class EmptyInput(UnsupportedInput):
    """The input holds no bytes at all."""

    code = "empty-input"


class ExtensionMismatch(UnsupportedInput):
    """Under ``strict``, the name's extension disagrees with the content (``kind``)."""

    code = "extension-mismatch"

    extension: str
    kind: Kind = field()  # required here: the message names what the content is


class UnsupportedVariant(UnsupportedInput):
    """A supported kind in a variant that cannot be decoded."""

    code = "unsupported-variant"

    reason: Reason
    value: Value = None


class XfaOnlyForm(UnsupportedInput):
    """A dynamic XFA form: its fields exist only for Adobe's XFA engine, none to fill or show."""

    code = "xfa-only-form"


class FormNotPdf(UnsupportedInput):
    """A file given as a form that is not a PDF (``kind`` says what it is)."""

    code = "form-not-pdf"

    kind: Kind = field()  # required here: the message names what the file is


# --- damaged ------------------------------------------------------------------------------------
class DamagedInput(MspDocsError):
    """The input is of a supported kind but does not fully decode."""

    code = "damaged-input"
    exit_code = ExitCode.DAMAGED_INPUT


class TruncatedInput(DamagedInput):
    """The data stops before the end the format requires."""

    code = "truncated"

    reason: Reason | None = None
    value: Value = None


class ChecksumMismatch(DamagedInput):
    """A checksum in the file does not match its data; ``chunk`` names where (``IDAT``...)."""

    code = "checksum-mismatch"

    chunk: str


class CorruptImage(DamagedInput):
    """Image data that does not decode."""

    code = "corrupt-image"

    reason: Reason | None = None
    value: Value = None


class InvalidDimensions(DamagedInput):
    """An image with a zero or impossible width or height."""

    code = "invalid-dimensions"

    width: int
    height: int


class CorruptPdf(DamagedInput):
    """A PDF that cannot be opened or repaired, or whose page content cannot be reached."""

    code = "corrupt-pdf"

    reason: Reason | None = None
    value: Value = None


class NoPages(DamagedInput):
    """A PDF that opens but has no page."""

    code = "no-pages"


# --- passwords ----------------------------------------------------------------------------------
class PasswordError(MspDocsError):
    """An encrypted PDF that cannot be opened without a (different) password."""

    code = "password"
    exit_code = ExitCode.PASSWORD


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
    exit_code = ExitCode.UNSAFE_INPUT


class DecompressionBomb(UnsafeInput):
    """Compressed data (``what``) that expands beyond ``limit`` bytes."""

    code = "decompression-bomb"

    what: Part
    limit: int
    value: Value = None


class UnsafeContent(UnsafeInput):
    """Content that cannot be made safe and cannot be removed without losing the document."""

    code = "unsafe-content"

    reason: Reason


class ProcessingTimeout(UnsafeInput):
    """Processing one input took longer than ``Limits.max_seconds_per_input`` (``seconds``)."""

    code = "processing-timeout"

    seconds: float


class UnprocessableInput(UnsafeInput):
    """The isolated worker processing the input died or ran out of memory."""

    code = "unprocessable"

    reason: Reason
    value: Value = None


# --- input/output -------------------------------------------------------------------------------
class CannotReadInput(MspDocsError):
    """An input (or a job list, a report, a directory) could not be opened or read."""

    code = "cannot-read-input"
    exit_code = ExitCode.CANNOT_READ_OR_WRITE

    reason: Reason
    value: Value = None


class OutputError(MspDocsError):
    """The output (``target``: a path, or ``<stream>``) could not be written."""

    code = "cannot-write-output"
    exit_code = ExitCode.CANNOT_READ_OR_WRITE

    target: str
    reason: Reason
    value: Value = None


def _os_reason(exc: OSError) -> tuple[Reason, Value]:
    """The reason (and, for an unusual one, the system's words) of a failed file operation."""
    by_errno = {
        errno.ENOENT: Reason.NOT_FOUND,
        errno.EACCES: Reason.PERMISSION_DENIED,
        errno.EPERM: Reason.PERMISSION_DENIED,
        errno.EISDIR: Reason.IS_A_DIRECTORY,
        errno.ENOTDIR: Reason.NOT_A_DIRECTORY,
        errno.ENOSPC: Reason.NO_SPACE,
        errno.EROFS: Reason.READ_ONLY,
    }
    reason = by_errno.get(exc.errno or 0)
    if reason is not None:
        return reason, None
    return Reason.OS_ERROR, exc.strerror or type(exc).__name__


# --- the caller's mistakes and our own bugs -----------------------------------------------------
class UsageError(MspDocsError):
    """The call itself is wrong (no input, an input of the wrong type, a text-mode output).

    ``given`` describes what was passed, when that helps (a type name).
    """

    code = "invalid-call"
    exit_code = ExitCode.USAGE

    reason: Reason
    given: str | None = None


# --- forms --------------------------------------------------------------------------------------
class FormError(MspDocsError):
    """A form, a field or a value named by the caller that cannot be used (exit 10)."""

    code = "form-error"
    exit_code = ExitCode.FORM


class UnknownForm(FormError):
    """No form ``form`` to fill: not a CERFA number, not in the catalogue, or its PDF is missing.

    ``reason`` is :attr:`Reason.INVALID_NUMBER`, :attr:`Reason.NOT_IN_CATALOGUE` or
    :attr:`Reason.FILE_MISSING`.
    """

    code = "unknown-form"

    form: str
    reason: Reason


class NotFillable(FormError):
    """Form ``form`` has no field to fill (a form to print and fill by hand)."""

    code = "not-fillable"

    form: str


class UnknownField(FormError):
    """A value names a field (``field``) that form ``form`` does not have."""

    code = "unknown-field"

    field: str
    form: str


class InvalidFieldValue(FormError):
    """A value field ``field`` (shown as ``label``) cannot take; ``reason`` says why.

    ``value`` is what the reason's wording shows (the choices, the characters no font can
    draw...), never the value typed. ``source`` says where the value came from, ``user`` or
    ``profile``, when a catalogue map resolved it.
    """

    code = "invalid-field-value"

    field: str
    label: str
    reason: Reason
    value: Value = None
    source: str | None = None


class ValueTooLong(InvalidFieldValue):
    """A value of ``length`` characters: more than ``max_length``, or too long for its box.

    ``max_length`` is ``None`` when the field has no length limit and the text, even at the
    smallest size allowed, does not fit its box.
    """

    code = "value-too-long"

    reason: Reason = Reason.TOO_LONG
    length: int
    max_length: int | None = None


class InvalidFormMap(FormError):
    """A catalogue file or field map (``form``) that does not describe its form.

    An operator's mistake, not the caller's: ``where`` names the file or the map entry,
    ``reason`` what is wrong there.
    """

    code = "invalid-form-map"

    form: str
    where: str
    reason: Reason
    value: Value = None


class InternalError(MspDocsError):
    """A bug in msp_docs: an unexpected exception, wrapped so that nothing raw escapes."""

    code = "internal-error"
    exit_code = ExitCode.INTERNAL_ERROR


# --- batch --------------------------------------------------------------------------------------
class BatchError(MspDocsError):
    """A batch (``msp_docs.batch``) cannot run at all; one job failing is only reported.

    These concern the batch's own set-up, never one document. Unreadable job lists and
    unwritable reports raise :class:`CannotReadInput` and :class:`OutputError`.
    """

    code = "batch-error"
    exit_code = ExitCode.USAGE


class JobListError(BatchError):
    """A job list (or a planned directory) that cannot be turned into jobs.

    ``source`` is the job list's path (``<jobs>`` for jobs given in code) or the directory;
    ``line`` the 1-based line at fault, when one line is.
    """

    code = "invalid-job-list"

    source: str
    reason: Reason
    line: int | None = None
    value: Value = None


class SchedulerError(BatchError):
    """The Dask scheduler at ``address`` cannot be used (not installed, unreachable, no worker)."""

    code = "scheduler-unavailable"

    reason: Reason
    address: str
    value: Value = None


class PoolError(BatchError):
    """The local worker processes die as soon as they start, so no job can run."""

    code = "workers-cannot-start"
    exit_code = ExitCode.INTERNAL_ERROR


class UnguardedMainError(BatchError):
    """``batch.run`` was called while a worker process imported the caller's script.

    Worker processes import the main script; a script that calls ``batch.run`` at import time,
    without an ``if __name__ == "__main__":`` guard, would start a batch in each of them.
    """

    code = "unguarded-main"


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
