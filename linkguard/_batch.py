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
from itertools import islice
from typing import Any

from linkguard._config import Config
from linkguard._errors import LinkguardError
from linkguard._model import SegmentModel, default_model
from linkguard._report import Report
from linkguard._scan import _DEFAULT_CONFIG, _MODES, _read, _score

log = logging.getLogger("linkguard")

ROW_FIELDS: tuple[str, ...] = (
    "id",
    "url",
    "status",
    "is_spam",
    "spam_score",
    "n_segments",
    "n_spam_segments",
    "spam_links",
    "reasons",
    "truncated",
    "error",
)
"""Columns of a row, in order (the CSV/Parquet schema)."""

_PAGE_KEYS = ("html", "content", "text", "body", "raw_content")


def _row(record_id: Any, url: str | None, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": record_id,
        "url": url,
        "status": "ok",
        "is_spam": None,
        "spam_score": None,
        "n_segments": None,
        "n_spam_segments": None,
        "spam_links": [],
        "reasons": [],
        "truncated": False,
        "error": None,
    }
    row.update(fields)
    return row


def report_row(
    report: Report,
    record_id: Any = None,
    *,
    explain: bool = False,
    strip: bool = False,
) -> dict[str, Any]:
    """The flat row for a finished report (``explain`` adds segments, ``strip`` the clean page)."""
    row = _row(
        record_id,
        report.url,
        is_spam=report.is_spam,
        spam_score=round(report.spam_score, 6),
        n_segments=len(report.segments),
        n_spam_segments=len(report.spam_segments),
        spam_links=list(report.spam_links),
        reasons=list(report.reasons),
        truncated=report.truncated,
    )
    if explain:
        row["segments"] = [s.to_dict() for s in report.segments]
    if strip:
        row["clean"] = report.clean_html()
    return row


def error_row(record_id: Any, url: str | None, message: str, *, status: str = "error") -> dict[str, Any]:
    """A row for a record that produced no report (``status`` ``error`` or ``skipped``)."""
    return _row(record_id, url, status=status, error=message)


def _page_of(record: Mapping[str, Any], field: str | None) -> Any:
    if field is not None:
        return record.get(field)
    for key in _PAGE_KEYS:
        if record.get(key) is not None:
            return record[key]
    return None


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
) -> Iterator[dict[str, Any]]:
    """Score records (mappings with an id, a URL and the page) into one row each.

    The page is read from ``page_field`` or else the first of ``html``,
    ``content``, ``text``, ``body``, ``raw_content``.  A record may carry
    ``encoding`` (charset hint for bytes), ``mode`` (overrides ``mode``), and
    ``status``/``error`` to pass a reader's own skip or error through.
    """
    config = config or _DEFAULT_CONFIG
    model = model or default_model()
    it = iter(records)
    while True:
        chunk = list(islice(it, max(1, batch_size)))
        if not chunk:
            return
        rows: list[dict[str, Any] | None] = [None] * len(chunk)
        pending: list[tuple[int, Any, Any, str, str | None]] = []
        for k, record in enumerate(chunk):
            rid, url = None, None
            try:
                if not isinstance(record, Mapping):
                    raise LinkguardError(f"record is a {type(record).__name__}, not a mapping")
                rid = record.get(id_field)
                url = record.get(url_field)
                url = str(url) if url is not None else None
                if record.get("status") in ("error", "skipped"):
                    rows[k] = error_row(rid, url, str(record.get("error") or ""), status=record["status"])
                    continue
                page = _page_of(record, page_field)
                if page is None:
                    rows[k] = error_row(rid, url, "record has no page field", status="skipped")
                    continue
                rmode = record.get("mode") or mode
                if rmode not in _MODES:
                    raise LinkguardError(f"unknown mode {rmode!r}")
                parsed, used, trunc = _read(page, rmode, config, record.get("encoding"))
                pending.append((k, parsed, used, trunc, url))
                rows[k] = _row(rid, url)  # placeholder, filled below
            except Exception as exc:
                rows[k] = error_row(rid, url, _message(exc))
        if pending:
            for k, report in _score_pending(pending, model, config):
                rid = rows[k]["id"] if rows[k] is not None else None  # type: ignore[index]
                if isinstance(report, Report):
                    rows[k] = report_row(report, rid, explain=explain, strip=strip)
                else:
                    rows[k] = error_row(rid, rows[k]["url"] if rows[k] else None, report)  # type: ignore[index]
        yield from (r for r in rows if r is not None)


def _score_pending(
    pending: list[tuple[int, Any, Any, str, str | None]], model: SegmentModel, config: Config
) -> Iterator[tuple[int, Report | str]]:
    """Score a batch together; if that fails, score one by one to isolate the culprit."""
    try:
        reports = _score(
            [p[1] for p in pending],
            [p[4] for p in pending],
            [p[2] for p in pending],
            [p[3] for p in pending],
            model,
            config,
        )
    except Exception:
        log.exception("batch scoring failed; retrying record by record")
        for k, parsed, used, trunc, url in pending:
            try:
                yield k, _score([parsed], [url], [used], [trunc], model, config)[0]
            except Exception as exc:
                yield k, _message(exc)
        return
    for (k, *_), report in zip(pending, reports, strict=True):
        yield k, report


def _message(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:500]
