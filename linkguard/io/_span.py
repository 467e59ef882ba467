"""A byte range of one input file, read on its own by one worker.

Big WARC and JSON Lines files are split into ranges so that worker processes read
them side by side.  A reader given a :class:`Span` reads the records that *start*
in the range and says what it found, so that the ranges can be joined in order
and checked against the way one reader going through the file would have gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A record whose id was made from its place in the file (a record or line number) carries the
# number under this key until the reader's caller takes it off: a range knows only its own numbers.
NUMBER = "_record_number"


@dataclass
class Span:
    """A range ``[start, end)`` of a file and what reading it found.

    Reading starts at the first record that begins in the range (at ``start`` itself when
    ``exact``) and stops before the first record at or after ``end``.  The reader fills in
    ``first_pos`` (where reading began, ``None`` when no record begins in the range),
    ``next_pos`` (the record that stopped it), ``records`` (records read: every WARC record,
    documents or not; every line, blank or not), ``numbered`` (``(index, n)`` of yielded
    records whose id was made from their number ``n`` within the range) and ``stopped``
    (reading ended before the range did: end of data or damage).
    """

    start: int
    end: int
    exact: bool = False
    first_pos: int | None = None
    next_pos: int | None = None
    records: int = 0
    numbered: list[tuple[int, int]] = field(default_factory=list)
    stopped: bool = False


def numbered(record: dict[str, Any], n: int) -> dict[str, Any]:
    """Mark ``record`` as one whose id was made from its number ``n``."""
    record[NUMBER] = n
    return record


def take_number(record: dict[str, Any], index: int, span: Span | None) -> None:
    """Take the mark off ``record`` (the ``index``-th yielded) and note it in ``span``."""
    number = record.pop(NUMBER, None)
    if span is not None and number is not None:
        span.numbered.append((index, number))
