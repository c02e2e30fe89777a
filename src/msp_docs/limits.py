"""Limits: the frozen value that bounds what one call may read, decode and write."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["Limits", "MiB"]

MiB = 1024 * 1024


@dataclass(frozen=True, kw_only=True, slots=True)
class Limits:
    """Every bound msp_docs enforces; pass a changed copy (``dataclasses.replace``) to adjust.

    The defaults follow rule D2 (4 files, 10 MiB) and what hostile input requires. Each field is
    documented in ``docs/security.md`` with the reason for its default.

    Attributes:
        max_files: Inputs per call. A further input is refused before any of its bytes is read.
        max_total_bytes: Bytes over all inputs of one call (10 MiB = 10 485 760). Reading stops as
            soon as the running total passes it.
        max_output_bytes: Size of the merged PDF.
        max_fit_input_bytes: Bytes over all inputs of one call made with ``Options.fit``
            (default 4 x 20 MiB: four phone photos of today, whose output is then reduced).
        max_image_pixels: Pixels of one image (width x height), checked against the declared
            dimensions before any decoding. 50 MP holds an A4 page scanned at 600 dpi (35 MP)
            and the 50 MP mode of current phones; a 10 MiB file cannot honestly hold more.
        max_image_side: Longest side of an image in pixels.
        max_pages: Pages in one output (and in one input PDF).
        max_frames: Frames of an animated GIF or PNG that are inspected.
        max_metadata_bytes: Inflated size allowed for one metadata item (ICC profile, text chunk).
        max_stream_bytes: Inflated size allowed for one PDF stream we decode.
        max_pdf_objects: Objects in one input PDF, counted first from what its raw structure
            declares (before any PDF library parses it), then from what the library built.
        max_content_operators: Operators in the content of one page.
        max_content_bytes: Inflated page content of one input PDF, all pages together (a
            content stream shared by several pages counts once).
        max_depth: Nesting depth of PDF trees (pages, outlines, names) we walk.
        max_seconds_per_input: Time budget for processing one input: the time its worker
            computes or waits for anything but a processor (so the same input gets the same
            answer on a busy machine); never more than 4 times it in wall-clock time.
        max_memory_bytes: Memory an isolated worker process may hold: its address space may
            grow by this less what it has resident when it starts, and by at least half of it
            (address space its parent reserved but never used does not count).
    """

    max_files: int = 4
    max_total_bytes: int = 10 * MiB
    max_output_bytes: int = 10 * MiB
    max_fit_input_bytes: int = 4 * 20 * MiB
    max_image_pixels: int = 50_000_000
    max_image_side: int = 60_000
    max_pages: int = 1_000
    max_frames: int = 500
    max_metadata_bytes: int = 4 * MiB
    max_stream_bytes: int = 256 * MiB
    max_pdf_objects: int = 100_000
    max_content_operators: int = 500_000
    max_content_bytes: int = 32 * MiB
    max_depth: int = 256
    max_seconds_per_input: float = 5.0
    max_memory_bytes: int = 512 * MiB

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"Limits.{f.name} must be a positive number, not {value!r}")
