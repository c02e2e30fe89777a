"""msp_docs: validate, normalise and merge citizens' PDF, PNG, GIF and JPEG uploads into one PDF.

Importing this package is cheap: Pillow, pikepdf, pypdf and libmagic are imported only when a
file is processed.
"""

from __future__ import annotations

from msp_docs._api import convert, inspect, merge, validate
from msp_docs._model import Kind, Note
from msp_docs._sources import Input
from msp_docs._version import __version__
from msp_docs.errors import (
    CannotFit,
    CannotReadInput,
    ChecksumMismatch,
    CorruptImage,
    CorruptPdf,
    DamagedInput,
    DecompressionBomb,
    EmptyInput,
    ExtensionMismatch,
    ImageTooLarge,
    InputTooLarge,
    InternalError,
    InvalidDimensions,
    LimitExceeded,
    MspDocsError,
    NoPages,
    OutputError,
    OutputTooLarge,
    PageTooComplex,
    PasswordError,
    PasswordRequired,
    ProcessingTimeout,
    TooManyFiles,
    TooManyFrames,
    TooManyObjects,
    TooManyPages,
    TruncatedInput,
    UnprocessableInput,
    UnsafeContent,
    UnsafeInput,
    UnsupportedInput,
    UnsupportedKind,
    UnsupportedVariant,
    WrongPassword,
)
from msp_docs.limits import Limits
from msp_docs.options import Lang, Options, PageSize
from msp_docs.report import InputReport, OutputReport, Report

__all__ = [
    "CannotFit",
    "CannotReadInput",
    "ChecksumMismatch",
    "CorruptImage",
    "CorruptPdf",
    "DamagedInput",
    "DecompressionBomb",
    "EmptyInput",
    "ExtensionMismatch",
    "ImageTooLarge",
    "Input",
    "InputReport",
    "InputTooLarge",
    "InternalError",
    "InvalidDimensions",
    "Kind",
    "Lang",
    "LimitExceeded",
    "Limits",
    "MspDocsError",
    "NoPages",
    "Note",
    "Options",
    "OutputError",
    "OutputReport",
    "OutputTooLarge",
    "PageSize",
    "PageTooComplex",
    "PasswordError",
    "PasswordRequired",
    "ProcessingTimeout",
    "Report",
    "TooManyFiles",
    "TooManyFrames",
    "TooManyObjects",
    "TooManyPages",
    "TruncatedInput",
    "UnprocessableInput",
    "UnsafeContent",
    "UnsafeInput",
    "UnsupportedInput",
    "UnsupportedKind",
    "UnsupportedVariant",
    "WrongPassword",
    "__version__",
    "convert",
    "inspect",
    "merge",
    "validate",
]
