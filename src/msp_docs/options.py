"""Options: how documents are normalised and merged (everything but the limits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["DEFAULT_DPI", "DEFAULT_MIN_DPI", "Lang", "Options", "PageSize"]

#: DPI assumed by ``PageSize.ORIGINAL`` when an image declares none, or an absurd one.
DEFAULT_DPI = 150.0
#: Legibility floor of ``fit``: images are never downsampled below this on their page.
DEFAULT_MIN_DPI = 150.0


class PageSize(StrEnum):
    """Page size for images: a paper size (image fitted and centred) or the image's own size."""

    A4 = "a4"
    LETTER = "letter"
    ORIGINAL = "original"


class Lang(StrEnum):
    """Language of messages."""

    EN = "en"
    FR = "fr"


@dataclass(frozen=True, kw_only=True, slots=True)
class Options:
    """What a caller may choose; every field has the default a citizen's upload needs.

    Attributes:
        title: Title of the merged document (rule D4); default the first input's name.
        page_size: Page size for images (``a4``, ``letter`` or ``original``).
        flatten: Composite transparent images onto white instead of keeping a soft mask.
        password: User password for encrypted PDFs (tried on every encrypted input); left out
            of ``repr``, so it never reaches a log or a traceback.
        strict: Refuse an input whose name's extension disagrees with its content.
        lang: Language of messages in reports and errors.
        all_frames: Every frame of an animated GIF becomes a page (default: the first only).
        default_dpi: DPI assumed for ``original`` page size when an image has none.
        bookmarks: One bookmark per input (with the input's own bookmarks nested under it).
        isolate: Decode each input in a forked child with memory and time limits (see
            ``msp_docs._isolation``); where fork is unavailable inputs are processed
            in-process and the time budget is checked afterwards, on processor time.
        fit: Make the output at most this many bytes (``None``: no reduction). Inputs may then
            total up to ``Limits.max_fit_input_bytes``; when the merged document is larger,
            images are downsampled (never below ``min_dpi`` on their page) and re-encoded as
            JPEG at the highest quality that fits. Images and documents that fit as they are
            stay untouched. See ``docs/fit.md``.
        min_dpi: The legibility floor of ``fit``, in dots per inch of the page.
    """

    title: str | None = None
    page_size: PageSize = PageSize.A4
    flatten: bool = False
    password: str | None = field(default=None, repr=False)  # never in logs or tracebacks
    strict: bool = False
    lang: Lang = Lang.EN
    all_frames: bool = False
    default_dpi: float = DEFAULT_DPI
    bookmarks: bool = True
    isolate: bool = True
    fit: int | None = None
    min_dpi: float = DEFAULT_MIN_DPI

    def __post_init__(self) -> None:
        # Accept the plain strings a caller (or a config file) naturally writes: "fr", "letter".
        object.__setattr__(self, "page_size", PageSize(self.page_size))
        object.__setattr__(self, "lang", Lang(self.lang))
        if not self.default_dpi > 0:
            raise ValueError(f"default_dpi must be positive, not {self.default_dpi!r}")
        if self.fit is not None and (isinstance(self.fit, bool) or self.fit <= 0):
            raise ValueError(f"fit must be a positive number of bytes, not {self.fit!r}")
        if not 10 <= self.min_dpi <= 1200:
            raise ValueError(f"min_dpi must be between 10 and 1200, not {self.min_dpi!r}")
