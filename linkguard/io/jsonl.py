"""JSON Lines files (``.jsonl``, ``.jsonl.gz``) as records for :func:`linkguard.score_records`.

Every non-blank line is one record and gives one row, so a pipeline can match
lines in to rows out: a line that is not JSON, or not a JSON object, becomes an
``error`` record with id ``"<file>:<lineno>"``.  A gzip stream that stops early
gives one ``error`` record and ends the file.  Lines are read one at a time.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from collections.abc import Iterator
from typing import IO, Any

from linkguard._records import failed_record
from linkguard.io._span import NUMBER, Span, numbered, take_number

PAGE_KEYS = ("html", "content", "text", "body", "raw_content")  # as linkguard.score_records
_GZIP_MAGIC = b"\x1f\x8b"
_PASS_THROUGH = ("encoding", "mode", "date")


class _Source:
    """A binary line source over a path or a caller's stream; ``close`` leaves the caller's open."""

    def __init__(self, source: str | os.PathLike[str] | IO[bytes]) -> None:
        self._buffer: io.BufferedReader | None = None
        if isinstance(source, (str, os.PathLike)):
            self.name = os.fspath(source)
            self._file: IO[bytes] | None = open(self.name, "rb")  # noqa: SIM115 - closed in close()
            raw: Any = self._file
        else:
            name = getattr(source, "name", None)
            self.name = str(name) if isinstance(name, (str, os.PathLike)) else "<stream>"
            self._file = None
            raw = source
            if not hasattr(raw, "peek"):  # wrap, to look at the first bytes without losing them
                raw = self._buffer = io.BufferedReader(source)  # type: ignore[arg-type]
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb") if raw.peek(2)[:2] == _GZIP_MAGIC else None
        self.lines: Any = self._gzip or raw

    def close(self) -> None:
        if self._gzip is not None:
            self._gzip.close()  # does not close the file it wraps
        if self._buffer is not None:
            self._buffer.detach()  # the caller's stream stays open
        if self._file is not None:
            self._file.close()


def iter_records(
    path_or_stream: str | os.PathLike[str] | IO[bytes],
    *,
    html_field: str | None = None,
    url_field: str = "url",
    id_field: str = "id",
    span: Span | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield one record dict (``id``, ``url``, ``html``) per non-blank line.

    The page comes from ``html_field`` or else the first of ``html``, ``content``,
    ``text``, ``body``, ``raw_content``; ``encoding`` and ``mode`` keys pass
    through, and so does ``date`` (a capture date).  A record without an id gets ``"<file>:<lineno>"``.  gzip is
    detected from the first bytes of a file, not only from the name.  ``span`` reads only the
    lines that begin in one byte range of a plain (not gzip) file named by its path.
    """
    if span is not None:
        if not isinstance(path_or_stream, (str, os.PathLike)):
            raise ValueError("a span of JSON Lines is read from a path")
        for index, record in enumerate(_span_records(os.fspath(path_or_stream), span, html_field, url_field, id_field)):
            take_number(record, index, span)
            yield record
        return
    for record in _all_records(path_or_stream, html_field, url_field, id_field):
        record.pop(NUMBER, None)
        yield record


def _span_records(
    name: str, span: Span, html_field: str | None, url_field: str, id_field: str
) -> Iterator[dict[str, Any]]:
    """The lines that begin in ``[span.start, span.end)``: one that begins before ``start`` is the
    previous range's (a raw newline cannot occur inside a JSON value, so lines tile the file)."""
    with open(name, "rb") as fh:
        if fh.read(2) == _GZIP_MAGIC:
            raise ValueError(f"{name}: a gzip file cannot be read in byte ranges")
        if span.start > 0 and not span.exact:
            fh.seek(span.start - 1)
            fh.readline()  # the end of the line that began before the range
        else:
            fh.seek(span.start)
        first = fh.tell()
        span.first_pos = first if first < span.end else None
        span.stopped = True  # until the range's end is reached
        lineno = 0
        while True:
            at = fh.tell()
            if at >= span.end:
                span.next_pos, span.stopped = at, False
                return
            line = fh.readline()
            if not line:
                return
            lineno += 1
            span.records = lineno
            if line.strip():
                yield _record(line, name, lineno, html_field, url_field, id_field)


def _all_records(
    path_or_stream: str | os.PathLike[str] | IO[bytes], html_field: str | None, url_field: str, id_field: str
) -> Iterator[dict[str, Any]]:
    try:
        src = _Source(path_or_stream)
    except OSError as exc:
        name = os.fspath(path_or_stream) if isinstance(path_or_stream, (str, os.PathLike)) else "<stream>"
        yield _error(numbered_id(name, 0), f"cannot open: {exc.strerror or exc}")
        return
    lineno = 0
    try:
        while True:
            try:
                line = src.lines.readline()
            except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
                yield _error(numbered_id(src.name, lineno + 1), f"truncated or corrupt gzip stream: {exc}")
                return
            if not line:
                return
            lineno += 1
            if not line.strip():
                continue
            yield _record(line, src.name, lineno, html_field, url_field, id_field)
    finally:
        src.close()


def numbered_id(name: str, lineno: int) -> str:
    """The id of line ``lineno`` of file ``name`` when its record has no id of its own."""
    return f"{name}:{lineno}"


def _error(rid: str, message: str) -> dict[str, Any]:
    return failed_record(rid, None, message)


def has_pages(path: str | os.PathLike[str], *, html_field: str | None = None, lines: int = 5) -> bool:
    """Whether one of the first JSON records of a file holds a page (a manifest or a log does not).

    A file that cannot be read, or whose first lines are not JSON, counts as
    pages: reading it then gives the error records that say what is wrong.
    """
    keys = (html_field,) if html_field else PAGE_KEYS
    try:
        src = _Source(path)
    except OSError:
        return True
    try:
        seen = 0
        while seen < lines:
            line = src.lines.readline()
            if not line:
                break
            if not line.strip():
                continue
            seen += 1
            obj = json.loads(line)
            if not isinstance(obj, dict) or any(obj.get(k) is not None for k in keys):
                return True
    except (ValueError, OSError, EOFError, zlib.error):
        return True
    finally:
        src.close()
    return seen == 0


def _record(
    line: bytes, name: str, lineno: int, html_field: str | None, url_field: str, id_field: str
) -> dict[str, Any]:
    """One line's record; one whose id is its place in the file (``<file>:<lineno>``) is marked
    with its line number (see :mod:`linkguard.io._span`)."""
    where = numbered_id(name, lineno)
    try:
        obj = json.loads(line)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        return numbered(_error(where, f"bad JSON: {str(exc).splitlines()[0][:200]}"), lineno)
    if not isinstance(obj, dict):
        return numbered(_error(where, f"line is a JSON {type(obj).__name__}, not an object"), lineno)
    rid = obj.get(id_field)
    url = obj.get(url_field)
    record: dict[str, Any] = {
        "id": rid if rid is not None else where,
        "url": str(url) if url is not None else None,
    }
    if rid is None:
        numbered(record, lineno)
    if obj.get("date") is not None:
        record["date"] = obj["date"]
    if html_field is not None:
        if html_field not in obj:
            keys = ", ".join(sorted(obj)[:12])
            record.update(status="error", error=f"record has no field {html_field!r} (it has: {keys})")
            return record
        page = obj[html_field]
        if page is None:
            record.update(status="skipped", error=f"field {html_field!r} is null")
            return record
    else:
        page = next((obj[k] for k in PAGE_KEYS if obj.get(k) is not None), None)
        if page is None:
            record.update(status="skipped", error=f"record has no page field ({'/'.join(PAGE_KEYS)})")
            return record
    record["html"] = page
    for key in _PASS_THROUGH:
        if obj.get(key) is not None:
            record[key] = obj[key]
    return record


__all__ = ["PAGE_KEYS", "has_pages", "iter_records"]
