"""Decisions for the PDF rows of ../shared/corpus/MANIFEST.tsv: "accept" or the error code.

`accept` and `reject` rows follow the manifest; every `either` row carries the reason for the
choice. The rule for `either`: repair what qpdf can repair and strip active content rather than
refuse; refuse only what cannot be shown faithfully (page content that does not decode, a page
tree that cannot be read).
"""

from __future__ import annotations

from tests.corpus_codes import Observed

DECISIONS: dict[str, str] = {
    # --- accept (manifest) ------------------------------------------------------------------
    "pdf-117pages-linearized.pdf": "accept",
    "pdf-acroform-latex.pdf": "accept",
    "pdf-annotations-fpdf2.pdf": "accept",
    "pdf-cmyk-image.pdf": "accept",
    "pdf-duplicate-xref-entry.pdf": "accept",
    "pdf-fax-10pages.pdf": "accept",
    "pdf-form-acrobat-3pages.pdf": "accept",
    "pdf-hybrid-xref.pdf": "accept",
    "pdf-imagemagick-6pages.pdf": "accept",
    "pdf-inline-images.pdf": "accept",
    "pdf-latex-4pages.pdf": "accept",
    "pdf-libreoffice-writer.pdf": "accept",
    "pdf-mini-1page.pdf": "accept",
    "pdf-minimal-latex.pdf": "accept",
    "pdf-object-streams.pdf": "accept",
    "pdf-outline-links.pdf": "accept",
    "pdf-page-no-contents.pdf": "accept",
    "pdf-pdfa-ghostscript.pdf": "accept",
    "pdf-rotated-pages.pdf": "accept",
    # --- reject (manifest) ------------------------------------------------------------------
    # Header "UPDF-1": detection recognises a mangled PDF header.
    "pdf-bad-header-updf.pdf": "corrupt-pdf",
    "pdf-encrypted-userpw-aes256.pdf": "password-required",
    "pdf-encrypted-userpw-lo.pdf": "password-required",
    "pdf-encrypted-userpw-rc4.pdf": "password-required",
    "pdf-page-tree-loop.pdf": "corrupt-pdf",
    # 23 bytes with no %PDF- header at all: detection names it as an unsupported (text) file,
    # which is what it is; no PDF parser ever sees it.
    "pdf-startxref-only-23b.pdf": "unsupported-kind",
    "pdf-zero-pages.pdf": "no-pages",
    # --- either: decided --------------------------------------------------------------------
    # The page's only content stream has invalid LZW data: the page would show nothing.
    "pdf-broken-lzw.pdf": Observed("corrupt-pdf"),
    # Wrong xref offsets: qpdf rebuilds the table; the content is intact.
    "pdf-broken-xref.pdf": "accept",
    # The corrupt stream is an unused extra entry of the page (/Other), not its content: the
    # page whitelist drops it, the visible page is intact.
    "pdf-damaged-stream.pdf": "accept",
    # Signed: accepted with a warning; the signature value is removed (a merge breaks it).
    "pdf-digitally-signed.pdf": "accept",
    # The attachment is removed and reported; the page itself is an ordinary document.
    "pdf-embedded-attachment.pdf": "accept",
    # Empty user password: opens without one; the output is written without encryption.
    "pdf-encrypted-emptypw-aes128.pdf": "accept",
    "pdf-encrypted-ownerpw-aes256.pdf": "accept",
    "pdf-encrypted-ownerpw-rc4-40.pdf": "accept",
    # qpdf reads the latest revision, as viewers do; the hidden earlier one is not written out.
    "pdf-incremental-hidden.pdf": "accept",
    # The JavaScript (OpenAction, page /AA) is removed and reported; the page is kept.
    "pdf-js-openaction.pdf": "accept",
    # Header at byte 1016, inside the 1024 bytes Acrobat tolerates: junk ignored and reported.
    "pdf-junk-1016-bytes.pdf": "accept",
    # The Launch OpenAction is removed and reported; the page is kept.
    "pdf-launch-action.pdf": "accept",
    # 14 junk bytes, linearized, empty-password encryption: all three handled.
    "pdf-leading-junk.pdf": "accept",
    # 100+ nested /Pages levels: qpdf refuses to walk deeper than its limit, and so do we.
    "pdf-page-tree-deep.pdf": Observed("corrupt-pdf"),
    # qpdf repairs the stream lengths; the output holds qpdf's one reading of the page.
    "pdf-schizo-text.pdf": "accept",
    # Looping /Prev chain: qpdf reconstructs the xref table; the page is intact.
    "pdf-trailer-loop.pdf": "accept",
    # Truncated: the /Pages root object is gone (page order unknown) and a stream is lost.
    "pdf-unreadable-metadata.pdf": Observed("corrupt-pdf"),
    # Looping /Prev chain in an incremental update: reconstructed, all 30 pages intact.
    "pdf-xref-loop.pdf": "accept",
}
