"""PDF opening (placeholder: pikepdf open, no sanitising yet)."""

from __future__ import annotations

import io

from msp_docs.errors import CorruptPdf, NoPages, PasswordRequired
from msp_docs.limits import Limits
from msp_docs.model import PdfResult
from msp_docs.options import Options

__all__ = ["open_pdf"]


def open_pdf(data: bytes, *, offset: int, limits: Limits, options: Options) -> PdfResult:
    """Open, repair and sanitise a PDF."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data), password=options.password or "")
    except pikepdf.PasswordError as exc:
        raise PasswordRequired() from exc
    except pikepdf.PdfError as exc:
        raise CorruptPdf(str(exc), reason=str(exc)) from exc
    if len(pdf.pages) == 0:
        raise NoPages()
    return PdfResult(document=pdf, pages=len(pdf.pages))
