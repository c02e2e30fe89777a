"""What a PDF declares about its own size, read from its raw bytes before any PDF library parses it.

A PDF library that is asked for every object builds every one of them: a 10 MB file whose object
streams hold a million small dictionaries costs half a gigabyte and seconds before anything can
be counted. The structure that tells how many objects there are is never compressed, though:
trailers, cross-reference tables, the dictionaries of cross-reference streams (``/Size``) and of
object streams (``/N``), and the ``N G obj`` headers of plain objects. :func:`declared_objects`
reads them with a few regular-expression passes over the bytes (milliseconds for 10 MB) and
returns the largest object count any of them implies, so that a file over the limit is refused
by counting, the same way on an idle machine and on a busy one.

The count is an upper bound for honest files (every object is declared somewhere), and it cannot
be made small by lying: a file whose declarations are small has no more objects for a PDF
library to find than the headers and object streams counted here.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = ["DeclaredObjects", "declared_objects"]

# "12 0 obj", a plain object's header, spelt backwards: searched for in the reversed data, the
# pattern starts with a literal, which the regular-expression engine finds at C speed (the
# forward pattern starts with digits and is tried at every digit: a second on 10 MB of them).
_OBJECT_HEADER_REVERSED = re.compile(rb"jbo[ \t\r\n\f\x00]*[0-9]{1,5}[ \t\r\n\f\x00]+[0-9]")
# Keywords are searched for as literals (a pattern that starts with one is searched at C speed;
# one that starts with a word boundary is tried at every byte, ten times slower).
_TRAILER = re.compile(rb"trailer\b")
_STARTXREF = re.compile(rb"startxref\b")
_XREF_TABLE = re.compile(rb"xref[ \t]*[\r\n]+")
_SUBSECTION = re.compile(rb"[ \t\r\n]*([0-9]{1,10})[ \t]+([0-9]{1,10})[ \t]*\r?\n?")
_TYPE_XREF = re.compile(rb"/Type\s*/XRef\b")
_TYPE_OBJSTM = re.compile(rb"/Type\s*/ObjStm\b")
_OBJ_KEYWORD = re.compile(rb"obj\b")  # "endobj" too: a dictionary then starts a little early
_STREAM_KEYWORD = re.compile(rb"stream\b")
_SIZE = re.compile(rb"/Size\s+([0-9]{1,12})\b")
_INDEX = re.compile(rb"/Index\s*\[([0-9\s]*)\]")
_COUNT = re.compile(rb"/N\s+([0-9]{1,12})\b")

# How far a dictionary may extend around the key that identifies it (a trailer or the dictionary
# of an xref or object stream is a few hundred bytes; /ID, /Encrypt or /Index make it longer).
_WINDOW = 64 * 1024
_ENTRY = 20  # bytes of one classic cross-reference entry
# Revisions (trailers, xref tables, /Index ranges) and xref subsections read at most: honest files
# have a few, an incrementally saved form a few hundred.
_MAX_TRAILERS = 10_000
_MAX_SUBSECTIONS = 100_000


@dataclass(frozen=True, slots=True)
class DeclaredObjects:
    """The object counts a PDF's raw structure declares.

    Attributes:
        largest_size: The largest ``/Size`` of a trailer or cross-reference stream (object
            numbers run below it), or the largest count of classic cross-reference entries.
        headers: Plain objects found by their ``N G obj`` header.
        packed: Objects that object streams say they hold (the sum of their ``/N``), plus the
            object streams and cross-reference streams themselves.
    """

    largest_size: int = 0
    headers: int = 0
    packed: int = 0

    @property
    def objects(self) -> int:
        """The most objects a PDF reader could build from this file."""
        return max(self.largest_size, self.headers + self.packed)


def declared_objects(data: bytes, *, enough: int) -> DeclaredObjects:
    """Read the object counts the raw structure of ``data`` declares (pure; never raises).

    Damaged or absent structures count as zero: this only looks for reasons to refuse early,
    the PDF library's own count still runs afterwards on what remains. Every pass is linear in
    the size of the data whatever it holds (each dictionary read is cut at the next one), and
    the passes that go through Python code per item stop once a count passes ``enough``: the
    answer is then known.
    """
    headers = len(_OBJECT_HEADER_REVERSED.findall(data[::-1]))
    typed = sorted(
        [(m.start(), m.end(), True) for m in _TYPE_XREF.finditer(data)]
        + [(m.start(), m.end(), False) for m in _TYPE_OBJSTM.finditer(data)]
    )
    if headers + len(typed) > enough:  # each of them is an object: nothing more to read
        return DeclaredObjects(headers=headers, packed=len(typed))
    sizes = [*_trailer_sizes(data), *_xref_table_entries(data, enough)]
    keywords = _Keywords(data)
    packed = len(typed)
    floor = 0
    for number, (start, end, is_xref) in enumerate(typed):
        ceiling = typed[number + 1][0] if number + 1 < len(typed) else len(data)
        dictionary = keywords.dictionary((start, end), floor, ceiling)
        floor = end
        if is_xref:
            sizes.extend(_xref_stream_sizes(dictionary))
        else:
            count = _COUNT.search(dictionary)
            packed += int(count.group(1)) if count is not None else 0
    return DeclaredObjects(largest_size=max(sizes, default=0), headers=headers, packed=packed)


class _Keywords:
    """Where the ``obj`` and ``stream`` keywords are, found once for the whole file."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.obj_ends = [m.end() for m in _OBJ_KEYWORD.finditer(data)]
        self.stream_starts = [m.start() for m in _STREAM_KEYWORD.finditer(data)]

    def dictionary(self, key: tuple[int, int], floor: int, ceiling: int) -> bytes:
        """The stream dictionary holding the key at ``key``: from its ``obj`` to ``stream``.

        It never reaches below ``floor`` or past ``ceiling`` (the neighbouring keys), nor
        further than a window around the key.
        """
        start, end = key
        before = bisect.bisect_right(self.obj_ends, start) - 1
        low = max(floor, start - _WINDOW, self.obj_ends[before] if before >= 0 else 0)
        after = bisect.bisect_left(self.stream_starts, end)
        following = self.stream_starts[after] if after < len(self.stream_starts) else ceiling
        return self.data[low : min(ceiling, end + _WINDOW, following)]


def _trailer_sizes(data: bytes) -> list[int]:
    """``/Size`` of the classic trailers (the dictionary between ``trailer`` and ``startxref``).

    A file has one trailer per revision; past the first :data:`_MAX_TRAILERS` the rest are
    left to the PDF library, which reads only those its cross-reference chain leads to.
    """
    keys = [m.end() for _, m in zip(range(_MAX_TRAILERS), _TRAILER.finditer(data), strict=False)]
    ends = [m.start() for m in _STARTXREF.finditer(data)]
    sizes = []
    for number, key in enumerate(keys):
        after = bisect.bisect_left(ends, key)
        stop = min(
            key + _WINDOW,
            keys[number + 1] if number + 1 < len(keys) else len(data),
            ends[after] if after < len(ends) else len(data),
        )
        size = _SIZE.search(data, key, stop)
        if size is not None:
            sizes.append(int(size.group(1)))
    return sizes


def _xref_stream_sizes(dictionary: bytes) -> list[int]:
    """A cross-reference stream's ``/Size`` and the number of entries its ``/Index`` lists."""
    sizes = []
    size = _SIZE.search(dictionary)
    if size is not None:
        sizes.append(int(size.group(1)))
    index = _INDEX.search(dictionary)
    if index is not None:
        numbers = [int(n) for n in index.group(1).split()[: 2 * _MAX_TRAILERS]]
        sizes.append(sum(numbers[1::2]))
    return sizes


def _xref_table_entries(data: bytes, enough: int) -> list[int]:
    """Entries of the classic cross-reference tables (the sum of their subsection counts)."""
    tables = [
        m.end()
        for _, m in zip(range(_MAX_TRAILERS), _XREF_TABLE.finditer(data), strict=False)
        if not data[m.start() - 5 : m.start()].endswith(b"start")
    ]
    totals = []
    subsections = 0
    for number, table in enumerate(tables):
        stop = tables[number + 1] if number + 1 < len(tables) else len(data)
        pos, total = table, 0
        while pos < stop and total <= enough and subsections < _MAX_SUBSECTIONS:
            subsection = _SUBSECTION.match(data, pos, stop)
            if subsection is None:
                break
            subsections += 1
            count = int(subsection.group(2))
            total += count
            pos = subsection.end() + count * _ENTRY
        totals.append(total)
    return totals
