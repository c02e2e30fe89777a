"""Backends: the only modules that import Pillow, pikepdf or libmagic (imported lazily).

Each accepted kind has a backend: a function that validates and normalises one input's bytes
(:class:`Backend`). :func:`backend_for` imports the one a kind needs on first use, so that
``import msp_docs`` stays light; :func:`preload_decoders`, :func:`preload_reduction` and
:func:`preload_assembly` import ahead of time what forked children and the merge will need.
"""

from __future__ import annotations

from typing import Protocol

from msp_docs._model import ImageResult, Kind, PdfResult
from msp_docs.limits import Limits
from msp_docs.options import Options

__all__ = ["Backend", "backend_for", "preload_assembly", "preload_decoders", "preload_reduction"]


class Backend(Protocol):
    """Validates and normalises one input of one kind.

    Args:
        data: The whole input.
        offset: Where the content starts (junk before a PDF header is allowed).
        limits: The bounds of the call.
        options: What the caller chose.

    Returns:
        Image pages ready for a PDF, or an opened and sanitised PDF.

    Raises:
        MspDocsError: a subclass saying why the input is refused.
    """

    def __call__(
        self, data: bytes, *, offset: int, limits: Limits, options: Options
    ) -> ImageResult | PdfResult: ...


def backend_for(kind: Kind) -> Backend:
    """The backend of ``kind``, imported on first use."""
    if kind is Kind.JPEG:
        from msp_docs._backends.jpeg import normalise_jpeg

        return normalise_jpeg
    if kind is Kind.PNG:
        from msp_docs._backends.png import normalise_png

        return normalise_png
    if kind is Kind.GIF:
        from msp_docs._backends.gif import normalise_gif

        return normalise_gif
    from msp_docs._backends.pdf import open_pdf

    return open_pdf


def preload_decoders() -> None:
    """Import the image decoders, so that children forked afterwards start with them loaded."""
    from PIL import GifImagePlugin, Image, JpegImagePlugin, PngImagePlugin  # noqa: F401

    from msp_docs._backends import _predictors, gif, jpeg, png  # noqa: F401


def preload_reduction() -> None:
    """Import what ``fit``'s decodes need, so that children forked afterwards start with it."""
    from msp_docs._backends import reduce  # noqa: F401


def preload_assembly() -> None:
    """Import what the merge needs (pikepdf alone is a third of a command's start-up)."""
    import pikepdf  # noqa: F401

    from msp_docs._backends import assemble, pdf  # noqa: F401
