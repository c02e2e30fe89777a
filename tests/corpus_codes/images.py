"""Decisions for the PNG, GIF and JPEG rows of ../shared/corpus/MANIFEST.tsv.

Each value is "accept" or the exact error code the file must be refused with. Rows the manifest
marks "either" carry the reason of the decision in a comment.
"""

from __future__ import annotations

from tests.corpus_codes import Observed

DECISIONS: dict[str, str] = {
    # --- GIF ------------------------------------------------------------------------------------
    "gif-87a-25x7.gif": "accept",
    "gif-animated-31frames-trns.gif": "accept",
    "gif-animated-42frames.gif": "accept",
    "gif-animated-dispose-bg.gif": "accept",
    "gif-animated-dispose-prev.gif": "accept",
    "gif-bad-lzw-code.gif": "corrupt-image",
    "gif-bad-magic-gif90a.gif": "corrupt-image",
    "gif-bg-outside-palette.gif": "accept",
    "gif-bomb-frame-extents.gif": "image-too-large",
    "gif-bomb-screen-4gpx.gif": "image-too-large",
    "gif-comment-after-frame.gif": "accept",
    "gif-frames-65535x65535.gif": "image-too-large",
    "gif-interlaced-static.gif": "accept",
    # either: accepted with a grey palette and a palette-invented warning, as decoders do.
    "gif-no-palette.gif": "accept",
    # either: accepted; every image is complete, only the one-byte trailer is missing.
    "gif-no-trailer.gif": "accept",
    # The declared 8224x8224 screen (67.6 MP) is over the 50 MP limit: refused before decoding.
    "gif-ossfuzz-8224x8224.gif": "image-too-large",
    # The declared 12352x12418 screen (153 MP) is refused before its malformed blocks are read.
    "gif-php-bug-75571-12352x12418.gif": "image-too-large",
    "gif-plain-text-ext.gif": "accept",
    "gif-small-frame-big-canvas.gif": "accept",
    "gif-static-128.gif": "accept",
    "gif-transparent.gif": "accept",
    "gif-truncated-header-4b.gif": "truncated",
    "gif-truncated-lzw.gif": "truncated",
    "gif-zero-width.gif": "invalid-dimensions",
    # --- JPEG -----------------------------------------------------------------------------------
    "jpeg-16bit-qtables.jpg": "accept",
    "jpeg-1x1-jfif-cm.jpg": "accept",
    "jpeg-200dpi-photoshop.jpg": "accept",
    # either: accepted; libjpeg-turbo decodes arithmetic coding, re-encoded losslessly (Flate).
    "jpeg-arith-1x1-smallest.jpg": "accept",
    "jpeg-baseline-rgb-128.jpg": "accept",
    "jpeg-cmyk-adobe.jpg": "accept",
    "jpeg-exif-corrupt.jpg": "accept",
    "jpeg-exif-dpi-zero.jpg": "accept",
    "jpeg-exif-orient-2.jpg": "accept",
    "jpeg-exif-orient-3.jpg": "accept",
    "jpeg-exif-orient-4.jpg": "accept",
    "jpeg-exif-orient-5.jpg": "accept",
    "jpeg-exif-orient-6.jpg": "accept",
    "jpeg-exif-orient-7.jpg": "accept",
    "jpeg-exif-orient-8.jpg": "accept",
    "jpeg-exif-orient6-empty-gps.jpg": "accept",
    "jpeg-exif-orient8-2x1.jpg": "accept",
    # either: accepted; the stray FF00 and bytes between segments are skipped by decoders and
    # left out of the embedded copy (the entropy-coded data is untouched).
    "jpeg-ff00-in-header.jpg": "accept",
    "jpeg-gray-128.jpg": "accept",
    # either: accepted for the same reason: the 5 stray bytes are left out of the output.
    "jpeg-junk-between-markers.jpg": "accept",
    "jpeg-mpo-bad-header.jpg": "accept",
    # either: accepted; the first image is complete, the second (after EOI) is removed as
    # trailing data, with a note.
    "jpeg-mpo-stereo.mpo": "accept",
    "jpeg-no-eoi.jpg": "truncated",
    # either: accepted; the MP3 after EOI never reaches the output (trailing-data-removed).
    "jpeg-polyglot-mp3.jpg": "accept",
    "jpeg-progressive-20scans.jpg": "accept",
    "jpeg-progressive-icc-400k.jpg": "accept",
    "jpeg-progressive-iptc.jpg": "accept",
    "jpeg-restart-markers.jpg": "accept",
    "jpeg-truncated-progressive.jpg": "truncated",
    # either: refused; the primary image's scan is cut off before its EOI, so the photo itself
    # is incomplete (the gain map is irrelevant).
    "jpeg-ultrahdr-gainmap.jpg": Observed("truncated"),
    "jpeg-xmp-2000x1072.jpg": "accept",
    # --- PNG ------------------------------------------------------------------------------------
    "png-1x1-interlaced.png": "accept",
    "png-2400x2000-itxt.png": "accept",
    # either: accepted; the default image (IDAT) is used, with an animation-first-frame warning.
    "png-apng-41frames.png": "accept",
    "png-bad-colortype.png": "corrupt-image",
    "png-bad-iccp-crc.png": "checksum-mismatch",
    "png-bad-idat-crc.png": "checksum-mismatch",
    "png-bad-ihdr-crc.png": "checksum-mismatch",
    "png-bad-signature.png": "corrupt-image",
    "png-bitdepth-zero.png": "corrupt-image",
    # The IDAT CRC is wrong before the garbage chunk header is reached: the first damage found.
    "png-broken-data-stream.png": "checksum-mismatch",
    # either: accepted; an ancillary chunk before IHDR is ignored (never copied), as libpng does.
    "png-chunk-before-ihdr.png": "accept",
    # either: accepted; the image data is complete, the compressed bytes after the end of its
    # zlib stream are dropped (trailing-data-removed).
    "png-chunks-after-idat.png": "accept",
    "png-crlf-corrupted.png": "corrupt-image",
    "png-exif-chunk.png": "accept",
    "png-gamma-0.35.png": "accept",
    "png-gray-16bit.png": "accept",
    "png-gray-1bit.png": "accept",
    "png-icc-rgba.png": "accept",
    "png-idat-1byte-chunks.png": "accept",
    "png-interlaced-palette-4bit.png": "accept",
    "png-interlaced-rgba.png": "accept",
    "png-lf-corrupted.png": "corrupt-image",
    # either: accepted as the PNG its bytes are (an extension-mismatch warning; refused only
    # under strict).
    "png-named-dot-jpg.jpg": "accept",
    "png-no-idat.png": "corrupt-image",
    "png-no-iend.png": "truncated",
    "png-odd-size-39x39.png": "accept",
    "png-palette-1bit.png": "accept",
    "png-palette-8bit.png": "accept",
    "png-palette-trns.png": "accept",
    "png-phys-8x32.png": "accept",
    "png-rgb-16bit.png": "accept",
    "png-rgb-8bit.png": "accept",
    "png-rgba-16bit.png": "accept",
    "png-rgba-8bit.png": "accept",
    "png-sig-then-garbage.png": "corrupt-image",
    "png-smallest-1x1.png": "accept",
    "png-truncated-end.png": "truncated",
    "png-truncated-idat.png": "truncated",
    # either: refused; two different palettes make the picture depend on the viewer, and
    # libpng refuses a second PLTE.
    "png-two-plte.png": Observed("corrupt-image"),
    "png-ztxt-decompression-bomb.png": "decompression-bomb",
}
