"""Records in, flat rows out: the pipeline-facing form of a scan.

A crawl job must be able to count its inputs and outputs and get the same
number.  So every record yields exactly one row, whatever happens to it: a
result, ``status="skipped"`` (nothing to score, e.g. an empty payload) or
``status="error"`` with a one-line message.  Good records in a batch are still
scored together on the vectorised path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from linkguard._config import Config
from linkguard._errors import LinkguardError
from linkguard._model import SegmentModel, default_model
from linkguard._records import ROW_FIELDS, Row, Status, empty_row, failed_row, report_row
from linkguard._report import Report
from linkguard._scan import _DEFAULT_CONFIG, _MODES, ReadPage, _read, _score

log = logging.getLogger("linkguard")

_PAGE_KEYS = ("html", "content", "text", "body", "raw_content")


def _page_of(record: Mapping[str, Any], field: str | None) -> tuple[Any, Status, str]:
    """The page of a record, or ``(None, status, why)`` when it has none."""
    if field is not None:
        if field not in record:
            keys = ", ".join(sorted(str(k) for k in record)[:12])
            return None, "error", f"record has no field {field!r} (it has: {keys})"
        page = record[field]
        return page, "ok", "" if page is not None else f"field {field!r} is null"
    for key in _PAGE_KEYS:
        if record.get(key) is not None:
            return record[key], "ok", ""
    return None, "skipped", f"record has no page field ({'/'.join(_PAGE_KEYS)})"


def _blank(page: Any) -> bool:
    """Nothing to score: an empty or whitespace-only page (scans only up to the first real character)."""
    if isinstance(page, memoryview):
        page = page.tobytes()
    return isinstance(page, (str, bytes, bytearray)) and (not page or page.isspace())


@dataclass(slots=True)
class _Pending:
    """A record read and segmented, waiting for its batch's model call."""

    index: int
    read: ReadPage


def score_records(
    records: Iterable[Mapping[str, Any]],
    *,
    mode: str = "auto",
    batch_size: int = 64,
    config: Config | None = None,
    model: SegmentModel | None = None,
    page_field: str | None = None,
    url_field: str = "url",
    id_field: str = "id",
    explain: bool = False,
    strip: bool = False,
) -> Iterator[Row]:
    """Score records (mappings with an id, a URL and the page) into one row each.

    The page is read from ``page_field`` or else the first of ``html``,
    ``content``, ``text``, ``body``, ``raw_content``.  A record may carry
    ``encoding`` (charset hint for bytes), ``mode`` (overrides ``mode``),
    ``date`` (capture date, copied to the row), and ``status``/``error`` to
    pass a reader's own skip or error through.

    ``skipped`` rows: no page field, a null page, an empty or whitespace-only
    page.  ``error`` rows: a record that is not a mapping, a named
    ``page_field`` it does not have (a typo should not pass as "nothing to
    score"), a page that is neither text nor bytes, a failure while scoring.
    """
    config = config or _DEFAULT_CONFIG
    model = model or default_model()
    it = iter(records)
    while True:
        chunk = list(islice(it, max(1, batch_size)))
        if not chunk:
            return
        rows: list[Row] = []
        pending: list[_Pending] = []
        for k, record in enumerate(chunk):
            rows.append(_read_record(k, record, mode, config, page_field, url_field, id_field, pending))
        for item, result in _score_pending(pending, model, config):
            row = rows[item.index]
            if isinstance(result, Report):
                rows[item.index] = report_row(result, row["id"], explain=explain, strip=strip, date=row["date"])
            else:
                rows[item.index] = failed_row(row["id"], row["url"], result, date=row["date"])
        yield from rows


def _read_record(
    k: int,
    record: Any,
    mode: str,
    config: Config,
    page_field: str | None,
    url_field: str,
    id_field: str,
    pending: list[_Pending],
) -> Row:
    """The row for a record that needs no scoring, or a placeholder with the record queued in ``pending``."""
    rid, url, date = None, None, None
    try:
        if not isinstance(record, Mapping):
            raise LinkguardError(f"record is a {type(record).__name__}, not a mapping")
        rid = record.get(id_field)
        url = record.get(url_field)
        url = str(url) if url is not None else None
        date = _date_of(record)
        status = record.get("status")
        if status in ("error", "skipped"):
            return failed_row(rid, url, str(record.get("error") or status), status=status, date=date)
        page, status, why = _page_of(record, page_field)
        if page is None:
            return failed_row(rid, url, why, status="skipped" if status == "ok" else status, date=date)
        if _blank(page):
            return failed_row(rid, url, "empty page", status="skipped", date=date)
        rmode = record.get("mode") or mode
        if rmode not in _MODES:
            raise LinkguardError(f"unknown mode {rmode!r}")
        pending.append(_Pending(k, _read(page, url, rmode, config, record.get("encoding"))))
        return empty_row(rid, url, date=date)  # placeholder, filled when the batch is scored
    except Exception as exc:
        return failed_row(rid, url, _message(exc), date=date)


def _date_of(record: Mapping[str, Any]) -> str | None:
    """The record's capture date (``date``, as WARC readers set it from WARC-Date), as text."""
    value = record.get("date")
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _score_pending(
    pending: list[_Pending], model: SegmentModel, config: Config
) -> Iterator[tuple[_Pending, Report | str]]:
    """Score a batch together; if that fails, score one by one to isolate the culprit."""
    if not pending:
        return
    try:
        reports = _score([p.read for p in pending], model, config)
    except Exception:
        log.exception("batch scoring failed; retrying record by record")
        for p in pending:
            try:
                yield p, _score([p.read], model, config)[0]
            except Exception as exc:
                yield p, _message(exc)
        return
    yield from zip(pending, reports, strict=True)


def _message(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:500]


__all__ = ["ROW_FIELDS", "Row", "report_row", "score_records"]
