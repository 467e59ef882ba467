"""WARC and WET files as records for :func:`linkguard.score_records`.

This is the only module that imports a WARC library.  FastWARC 2 is used when it
is installed (it is several times faster); otherwise warcio.  Both changed their
API before (FastWARC 2 dropped ``GZipStream`` and ``FastWARCError``), so keeping
them behind one adapter means one place to fix.

Document records carry ``date``, the record's WARC-Date, which rows keep.

One row per *document* record: ``response`` and ``resource`` records (HTML, with
the HTTP body as the page) and WET ``conversion`` records (plain text).  A
non-HTML response, a ``revisit`` or an empty payload gives a ``skipped`` record;
``warcinfo``, ``request`` and ``metadata`` records give none (they are counted
in :class:`WarcStats`).  A damaged file (a record shorter than its
``Content-Length``, a cut gzip stream, unparseable headers) gives one ``error``
record and reading that file stops there: what follows cannot be trusted.

Records are read one at a time from the stream; a payload is read up to the
byte cap (:data:`~linkguard._config.MAX_BYTES_DEFAULT` plus one byte, so the
scanner reports ``truncated``) and the rest of it is skipped, not kept.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from typing import IO, Any, Literal

from linkguard._config import MAX_BYTES_DEFAULT
from linkguard._records import failed_record
from linkguard.io._span import Span, numbered, take_number

log = logging.getLogger("linkguard.io")

try:  # pragma: no cover - which branch runs depends on the environment
    from fastwarc.warc import ArchiveIterator as _FastIterator

    HAVE_FASTWARC = True
except ImportError:  # pragma: no cover
    HAVE_FASTWARC = False

# warcio is the fallback: it is imported on first use (with fsspec and asyncio behind it, it
# costs a tenth of the start-up of every process that reads a WARC with FastWARC).
HAVE_WARCIO = importlib.util.find_spec("warcio") is not None

Backend = Literal["fastwarc", "warcio"]
Source = str | os.PathLike[str] | IO[bytes]

WET_SUFFIXES = (".wet", ".wet.gz")
_DOCUMENT_TYPES = ("response", "resource", "conversion")
_GZIP_MAGIC = b"\x1f\x8b"
_HTML_MARKERS = ("html",)  # text/html, application/xhtml+xml
_DECODABLE = {"gzip": 47, "x-gzip": 47, "deflate": 15}  # zlib wbits (47 = auto gzip/zlib header)


@dataclass
class WarcStats:
    """What a reader saw: record counts by WARC type, and rows by outcome."""

    by_type: dict[str, int] = field(default_factory=dict)
    ok: int = 0
    skipped: int = 0
    errors: int = 0

    def _count(self, rtype: str) -> None:
        self.by_type[rtype] = self.by_type.get(rtype, 0) + 1


class WarcUnavailableError(ImportError):
    """Neither FastWARC nor warcio is installed."""


def is_wet_name(name: str) -> bool:
    """Whether a file name says WET (``.wet``, ``.wet.gz``, ``.warc.wet.gz``)."""
    return name.lower().endswith(WET_SUFFIXES)


def available_backend() -> Backend:
    """The backend :func:`iter_records` uses by default, or :class:`WarcUnavailableError`."""
    if HAVE_FASTWARC:
        return "fastwarc"
    if HAVE_WARCIO:
        return "warcio"
    raise WarcUnavailableError("reading WARC files needs FastWARC or warcio: pip install 'linkguard-spam[warc]'")


def iter_records(
    source: Source,
    *,
    wet: bool | None = None,
    backend: Backend | None = None,
    max_bytes: int = MAX_BYTES_DEFAULT,
    stats: WarcStats | None = None,
    span: Span | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield one record dict per document in a WARC/WET file (path or binary stream).

    ``wet=True`` reads every document as plain text (``mode="text"``); ``None``
    guesses from the file name and treats ``conversion`` records as text anyway.
    ``backend`` forces ``"fastwarc"`` or ``"warcio"`` (default: FastWARC if present).
    gzip (per record or whole file) is detected from the bytes, not the name.
    ``span`` reads only one share of a gzip file (FastWARC, a path; see :class:`Span`).
    """
    backend = backend or available_backend()
    if backend == "fastwarc" and not HAVE_FASTWARC:
        raise WarcUnavailableError("FastWARC is not installed: pip install 'fastwarc>=2'")
    if backend == "warcio" and not HAVE_WARCIO:
        raise WarcUnavailableError("warcio is not installed: pip install warcio")
    stats = stats if stats is not None else WarcStats()
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        if wet is None and is_wet_name(name):
            wet = True
        try:
            fh: IO[bytes] = open(name, "rb")  # noqa: SIM115 - closed in the finally below, also on early exit
        except OSError as exc:
            stats.errors += 1
            yield _error(name, None, f"cannot open: {exc.strerror or exc}")
            return
    else:
        given = getattr(source, "name", None)
        name = str(given) if isinstance(given, (str, os.PathLike)) else "<stream>"
        if wet is None and is_wet_name(name):
            wet = True
        fh = source
    if span is not None and backend != "fastwarc":
        raise ValueError("reading a span of a WARC file needs FastWARC")
    docs = (
        _fastwarc_docs(fh, name, wet, max_bytes, stats, span)
        if backend == "fastwarc"
        else _warcio_docs(fh, name, wet, max_bytes, stats)
    )
    try:
        for index, record in enumerate(docs):
            take_number(record, index, span)
            status = record.get("status")
            if status == "error":
                stats.errors += 1
            elif status == "skipped":
                stats.skipped += 1
            else:
                stats.ok += 1
            yield record
    finally:
        if fh is not source:
            fh.close()


# ---------------------------------------------------------------- helpers


def _error(rid: Any, url: str | None, message: str) -> dict[str, Any]:
    return failed_record(rid, url, message)


def _skipped(rid: Any, url: str | None, message: str, date: str | None = None) -> dict[str, Any]:
    return failed_record(rid, url, message, status="skipped", date=date)


def _is_html(content_type: str | None) -> bool:
    """Missing Content-Type counts as HTML: the scanner sniffs the bytes itself."""
    if not content_type:
        return True
    ctype = content_type.split(";", 1)[0].strip().lower()
    return any(m in ctype for m in _HTML_MARKERS)


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            value = value.strip().strip("\"'")
            return value or None
    return None


def _decode_body(body: bytes, content_encoding: str | None, cap: int) -> tuple[bytes | None, str]:
    """Undo an HTTP Content-Encoding that the crawler stored as is; ``(None, why)`` if impossible."""
    enc = (content_encoding or "").strip().lower()
    if enc in ("", "identity", "none"):
        return body, ""
    if enc not in _DECODABLE:
        return None, f"unsupported Content-Encoding {enc!r}"
    try:
        out = zlib.decompressobj(_DECODABLE[enc]).decompress(body, cap)
    except zlib.error as exc:
        if body[:1] == b"<":  # many servers say gzip and send plain HTML
            return body, ""
        return None, f"cannot undo Content-Encoding {enc!r}: {exc}"
    return out, ""


def _document(
    *,
    rtype: str,
    rid: str,
    url: str | None,
    content_type: str | None,
    content_encoding: str | None,
    http: bool,
    body: bytes,
    wet: bool | None,
    cap: int,
    date: str | None = None,
) -> dict[str, Any]:
    """Turn one complete document record into a record dict (ok or skipped).

    ``http``: the record carries HTTP headers (``content_type`` is then the HTTP one).
    ``date``: the record's WARC-Date, kept so that rows can say when a page was captured.
    """
    if rtype == "response" and not http:
        return _skipped(rid, url, f"not an HTTP response ({content_type or 'no Content-Type'})", date)
    text_record = rtype == "conversion" or wet is True
    if not text_record and not _is_html(content_type):
        ctype = (content_type or "").split(";", 1)[0].strip()
        return _skipped(rid, url, f"not HTML ({ctype})", date)
    decoded, why = _decode_body(body, content_encoding, cap)
    if decoded is None:
        return _skipped(rid, url, why, date)
    if not decoded.strip():
        return _skipped(rid, url, "empty payload", date)
    record: dict[str, Any] = {"id": rid, "url": url, "html": decoded}
    if date:
        record["date"] = date
    if text_record:
        record["mode"] = "text"
        record["encoding"] = _charset(content_type) or "utf-8"  # WET text is UTF-8
    else:
        record["encoding"] = _charset(content_type)
    return record


def _document_of(
    rtype: str,
    rid: str,
    url: str | None,
    header: Callable[[str], str | None],
    http: bool,
    body: bytes,
    wet: bool | None,
    cap: int,
    date: str | None,
) -> dict[str, Any]:
    """:func:`_document` with the content headers read by either backend's getter."""
    return _document(
        rtype=rtype,
        rid=rid,
        url=url,
        content_type=header("Content-Type"),
        content_encoding=header("Content-Encoding") if http else None,
        http=http,
        body=body,
        wet=wet,
        cap=cap,
        date=date,
    )


def _truncated(rid: Any, url: str | None, rtype: str, got: int, want: int) -> dict[str, Any]:
    log.warning("%s: truncated %s record (%d of %d bytes)", rid, rtype, got, want)
    return _error(rid, url, f"truncated WARC {rtype} record: {got} of {want} payload bytes")


# ---------------------------------------------------------------- FastWARC


def _read_up_to(reader: Any, n: int) -> bytes:
    """Read ``n`` bytes or up to the end, whatever size the reader's chunks come in."""
    parts: list[bytes] = []
    left = n
    while left > 0:
        chunk = reader.read(left)
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _gzip_tail_problem(fh: IO[bytes], start: int) -> str | None:
    """Why a gzip stream ends badly after FastWARC's last record, or ``None``.

    FastWARC 2 ends iteration without an error when a gzip member stops in its
    first bytes or in its trailer.  So, for a seekable gzip file, decompress
    from the last record's member to the end (usually one small record) and
    check that every member is complete.  Whole-file gzip is checked from the
    start, as member offsets are unknown there.
    """
    try:
        if not fh.seekable():
            return None
        fh.seek(0)
        if fh.read(2) != _GZIP_MAGIC:
            return None
        fh.seek(start)
        if fh.read(2) != _GZIP_MAGIC:
            start = 0
        fh.seek(start)
        dec = zlib.decompressobj(31)
        fed = False
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            buf = chunk
            while buf:
                fed = True
                dec.decompress(buf, 1 << 20)
                if dec.eof:
                    buf = dec.unused_data
                    dec = zlib.decompressobj(31)
                    fed = False
                else:
                    buf = dec.unconsumed_tail
    except zlib.error as exc:
        return f"corrupt gzip stream: {exc}"
    except (OSError, ValueError):
        return None  # cannot re-read this stream: nothing more to say
    return "truncated gzip stream" if fed else None


_WARC_MAGIC = b"WARC/"
_MEMBER_MAGIC = _GZIP_MAGIC + b"\x08"  # gzip, deflate


def _keep(record: dict[str, Any]) -> dict[str, Any]:
    return record


def _member_start(fh: IO[bytes], start: int, end: int) -> int | None:
    """The first offset in ``[start, end)`` where a gzip member opening a WARC record begins.

    A candidate is the gzip magic plus the deflate method byte; it counts only
    when its first decompressed bytes are ``WARC/``.  Stored deflate blocks can
    carry such bytes inside a record too (an archived ``.warc.gz``), so a
    caller joining shares checks the result against where in-order reading
    went (see :class:`Span`).
    """
    if start <= 0:
        return 0
    pos = start
    while pos < end:
        fh.seek(pos)
        n = min(1 << 16, end - pos)
        buf = fh.read(n + len(_MEMBER_MAGIC) - 1)  # a magic that starts before ``end`` is whole
        if not buf:
            return None
        at = buf.find(_MEMBER_MAGIC)
        while -1 < at < n:
            if _opens_record(fh, pos + at):
                return pos + at
            at = buf.find(_MEMBER_MAGIC, at + 1)
        pos += n
    return None


def _opens_record(fh: IO[bytes], offset: int) -> bool:
    here = fh.tell()
    try:
        fh.seek(offset)
        head = zlib.decompressobj(31).decompress(fh.read(1 << 12), len(_WARC_MAGIC))
    except zlib.error:
        return False
    finally:
        fh.seek(here)
    return head == _WARC_MAGIC


def numbered_id(name: str, n: int) -> str:
    """The id of the ``n``-th record of WARC file ``name`` when the record has no WARC-Record-ID."""
    return f"{name}:record {n}"


def _fast_type_name(rtype: Any) -> str:
    name = getattr(rtype, "name", None)
    return str(name) if name else str(rtype)


def _fastwarc_docs(
    fh: IO[bytes], name: str, wet: bool | None, cap: int, stats: WarcStats, span: Span | None = None
) -> Iterator[dict[str, Any]]:
    last_pos = 0
    if span is not None:
        first = span.start if span.exact else _member_start(fh, span.start, span.end)
        span.first_pos = first
        if first is None:
            return
        fh.seek(first)
        last_pos = first
        span.stopped = True  # until the span's end is reached
    it = iter(_FastIterator(fh, parse_http=True, auto_decode="none"))
    n = 0
    while True:
        n += 1
        try:
            rec = next(it)
        except StopIteration:
            problem = _gzip_tail_problem(fh, last_pos)
            if problem:
                yield numbered(_error(numbered_id(name, n), None, problem), n)
            return
        except Exception as exc:  # OSError for a cut gzip member, broken headers, …
            yield numbered(_error(numbered_id(name, n), None, f"unreadable WARC data: {_one_line(exc)}"), n)
            return
        if span is not None:
            span.records = n
            if rec.stream_pos >= span.end:
                span.records = n - 1
                span.next_pos = rec.stream_pos
                span.stopped = False
                return
        rtype = _fast_type_name(rec.record_type)
        stats._count(rtype)
        last_pos = rec.stream_pos
        headers = rec.headers
        rid = rec.record_id or numbered_id(name, n)
        mark = _keep if rec.record_id else partial(numbered, n=n)
        url = headers.get("WARC-Target-URI")
        date = headers.get("WARC-Date")
        declared = headers.get("Content-Length")
        # FastWARC 2 yields a header-less record, without raising, for a gzip member
        # that stops inside the WARC headers: no Content-Length means a damaged file.
        if declared is None or not declared.strip().isdigit():
            yield mark(_error(rid, url, "truncated or malformed WARC record (no Content-Length)"))
            return
        want = rec.content_length  # payload bytes left after the HTTP headers
        if rtype not in _DOCUMENT_TYPES and rtype != "revisit":
            got = rec.reader.consume()
            if got != want:
                yield mark(_truncated(rid, url, rtype, got, want))
                return
            continue
        is_http = rec.is_http
        body = _read_up_to(rec.reader, cap + 1) if want else b""
        got = len(body) + (rec.reader.consume() if len(body) > cap else 0)
        if got != want:
            yield mark(_truncated(rid, url, rtype, got, want))
            return
        if is_http and not rec.is_http_parsed:
            yield mark(_error(rid, url, "malformed HTTP headers"))
            continue
        if rtype == "revisit":
            yield mark(_skipped(rid, url, "revisit record (no payload)", date))
            continue
        fields = rec.http_headers if is_http else headers
        yield mark(_document_of(rtype, rid, url, fields.get, is_http, body, wet, cap, date))


# ---------------------------------------------------------------- warcio


@cache
def _checked_iterator() -> Any:
    """warcio's iterator, remembering whether the last gzip member ended (warcio stops silently
    at a cut one)."""
    from warcio.archiveiterator import ArchiveIterator

    class CheckedIterator(ArchiveIterator):  # type: ignore[misc]
        cut_gzip = False

        def close(self) -> None:
            dec = getattr(self.reader, "decompressor", None) if self.reader else None
            if dec is not None and getattr(dec, "eof", True) is False:
                self.cut_gzip = True
            super().close()

    return CheckedIterator


def _has_leftover(fh: IO[bytes], offset: int) -> bool:
    """Whether a seekable stream holds more than blank lines after ``offset``."""
    try:
        if not fh.seekable():
            return False
        fh.seek(offset)
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            if chunk.strip():
                return True
    except (OSError, ValueError):
        return False
    return False


def _one_line(exc: BaseException) -> str:
    """``Type: first non-blank line`` of an exception (warcio's messages span many lines)."""
    text = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    return f"{type(exc).__name__}: {text}"[:300]


def _warcio_docs(fh: IO[bytes], name: str, wet: bool | None, cap: int, stats: WarcStats) -> Iterator[dict[str, Any]]:
    it = _checked_iterator()(fh, ensure_http_headers=False)
    n = 0
    last_end = 0  # raw-stream offset just after the last complete record
    while True:
        n += 1
        try:
            rec = next(it)
        except StopIteration:
            if it.cut_gzip:
                yield _error(numbered_id(name, n), None, "truncated gzip stream")
            elif _has_leftover(fh, last_end):
                # warcio ends quietly when a record's WARC headers are cut short
                yield _error(numbered_id(name, n), None, "truncated WARC record headers")
            return
        except Exception as exc:
            yield _error(numbered_id(name, n), None, f"unreadable WARC data: {_one_line(exc)}")
            return
        rtype = str(rec.rec_type)
        stats._count(rtype)
        rid = rec.rec_headers.get_header("WARC-Record-ID") or numbered_id(name, n)
        url = rec.rec_headers.get_header("WARC-Target-URI")
        date = rec.rec_headers.get_header("WARC-Date")
        declared = rec.rec_headers.get_header("Content-Length")
        if declared is None or not declared.strip().isdigit():
            yield _error(rid, url, "truncated or malformed WARC record (no Content-Length)")
            return
        stream = rec.raw_stream
        try:
            body = stream.read(cap + 1) if rtype in (*_DOCUMENT_TYPES, "revisit") else b""
            got = len(body)
            while True:  # skip (and count) the rest without keeping it
                chunk = stream.read(1 << 16)
                if not chunk:
                    break
                got += len(chunk)
        except Exception as exc:
            yield _error(rid, url, f"unreadable WARC data: {_one_line(exc)}")
            return
        left = getattr(stream, "limit", 0) or 0
        if left > 0:
            yield _truncated(rid, url, rtype, got, got + left)
            return
        try:
            it.read_to_end()
            last_end = int(it.offset)
        except Exception as exc:
            yield _error(rid, url, f"unreadable WARC data: {_one_line(exc)}")
            return
        if rtype not in _DOCUMENT_TYPES:
            if rtype == "revisit":
                yield _skipped(rid, url, "revisit record (no payload)", date)
            continue
        is_http = rec.http_headers is not None and rtype == "response"
        fields = rec.http_headers if is_http else rec.rec_headers
        yield _document_of(rtype, rid, url, fields.get_header, is_http, body, wet, cap, date)


__all__ = [
    "HAVE_FASTWARC",
    "HAVE_WARCIO",
    "WET_SUFFIXES",
    "WarcStats",
    "WarcUnavailableError",
    "available_backend",
    "is_wet_name",
    "iter_records",
]
