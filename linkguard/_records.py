"""The output row: one definition that every writer, schema and integration reads.

A row is what batch scoring gives for one input record, whatever happened to
it.  Its columns are listed once, in :data:`FIELDS`, each with its type, its
value on a record that produced no report, how to read it off a
:class:`~linkguard.Report`, and whether integrations copy it onto the
document or item they annotate.  ``ROW_FIELDS``, the CSV header, the Parquet
and Spark schemas, datatrove metadata, Scrapy annotations and every
``skipped``/``error`` row are derived from this table, so adding a column is
one entry here (and its key in :class:`Row`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from linkguard._blocks import row_blocks
from linkguard._report import Report

Kind = Literal["string", "bool", "float", "int", "strings"]
"""Column types: string, boolean, float64, int64, list of strings."""

Status = Literal["ok", "skipped", "error"]
STATUSES: tuple[Status, ...] = ("ok", "skipped", "error")


@dataclass(frozen=True)
class Field:
    """One column of the output row."""

    name: str
    kind: Kind
    doc: str
    empty: Callable[[], Any]
    """Value on a row with no report (``skipped``/``error``); a factory, so lists are never shared."""
    value: Callable[[Report], Any] | None = None
    """How a finished report fills it (``None``: set by the batch code, e.g. ``id``)."""
    annotation: str | None = None
    """Key under which integrations annotate documents and items (``None``: not annotated)."""
    nullable: bool = True


def _none() -> None:
    return None


def _false() -> bool:
    return False


def _list() -> list[str]:
    return []


FIELDS: tuple[Field, ...] = (
    Field("id", "string", "the record's id (file path, WARC-Record-ID, JSONL id or `file:line`)", _none),
    Field("url", "string", "the page's URL, when the input gives one", _none),
    Field("date", "string", "capture date as the input gives it (WARC-Date in WARC files), else null", _none),
    Field("status", "string", "`ok`, `skipped` (nothing to score) or `error`", _none, nullable=False),
    Field(
        "is_spam",
        "bool",
        "whether any segment is spam",
        _none,
        lambda r: r.is_spam,
        annotation="linkguard_is_spam",
    ),
    Field(
        "spam_score",
        "float",
        "the highest segment score",
        _none,
        lambda r: round(r.spam_score, 6),
        annotation="linkguard_score",
    ),
    Field(
        "threshold",
        "float",
        "the segment threshold in force (score at or above it is spam)",
        _none,
        lambda r: r.threshold,
    ),
    Field("n_segments", "int", "segments on the page", _none, lambda r: r.n_segments),
    Field("n_spam_segments", "int", "segments labelled spam", _none, lambda r: len(r.spam_segments)),
    Field(
        "spam_links",
        "strings",
        "distinct links inside spam segments",
        _list,
        lambda r: list(r.spam_links),
        annotation="linkguard_spam_links",
    ),
    Field(
        "reasons",
        "strings",
        "reason codes over all spam segments",
        _list,
        lambda r: list(r.reasons),
        annotation="linkguard_reasons",
    ),
    Field(
        "injected_links",
        "strings",
        "links judged planted one by one (also inside content segments)",
        _list,
        lambda r: list(r.injected_links),
        annotation="linkguard_injected_links",
    ),
    Field(
        "page_label",
        "string",
        "`clean`, `injected` (spam segments in a legitimate page) or `spam_page` (the page itself is spam)",
        _none,
        lambda r: r.page_label,
        annotation="linkguard_page_label",
    ),
    Field(
        "page_score",
        "float",
        "probability that the page itself is spam",
        _none,
        lambda r: None if r.page_score is None else round(r.page_score, 6),
        annotation="linkguard_page_score",
    ),
    Field(
        "page_reasons",
        "strings",
        "page reason codes of a `spam_page` verdict",
        _list,
        lambda r: list(r.page_reasons),
        annotation="linkguard_page_reasons",
    ),
    Field(
        "spam_blocks",
        "strings",
        "prints of the spam segments and near misses (compact JSON each: fingerprint, MinHash, path, hidden, "
        "spam, score, off-site domains, text sample), read by the host and campaign views",
        _list,
        row_blocks,
    ),
    Field("truncated", "bool", "a size cap was hit; the verdict covers what was read", _false, lambda r: r.truncated),
    Field(
        "prescreened",
        "bool",
        "the opt-in prescreen cleared the page without scoring it (`--prescreen`)",
        _false,
        lambda r: r.prescreened,
    ),
    Field("error", "string", "why the row is `skipped` or `error`", _none),
)
"""The columns, in order."""

ROW_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS)
"""Columns of a row, in order (the CSV/Parquet schema)."""

EXTRA_FIELDS: dict[str, Kind] = {"segments": "string", "clean": "string"}
"""Optional columns: ``segments`` (``explain``, JSON in CSV/Parquet) and ``clean`` (``strip``)."""

ANNOTATIONS: dict[str, str] = {f.name: f.annotation for f in FIELDS if f.annotation}
"""Row field -> key that integrations write into document metadata or items."""


class _Extras(TypedDict, total=False):
    segments: list[dict[str, Any]] | None
    clean: str | None


class Row(_Extras):
    """A row as a typed dict (keys as in :data:`ROW_FIELDS`; a test keeps the two in step)."""

    id: Any
    url: str | None
    date: str | None
    status: Status
    is_spam: bool | None
    spam_score: float | None
    threshold: float | None
    n_segments: int | None
    n_spam_segments: int | None
    spam_links: list[str]
    reasons: list[str]
    injected_links: list[str]
    page_label: str | None
    page_score: float | None
    page_reasons: list[str]
    spam_blocks: list[str]
    truncated: bool
    prescreened: bool
    error: str | None


def empty_row(
    record_id: Any, url: str | None, status: Status = "ok", error: str | None = None, *, date: str | None = None
) -> Row:
    """A row with no report: every column at its empty value."""
    row: dict[str, Any] = {f.name: f.empty() for f in FIELDS}
    row.update(id=record_id, url=url, date=date, status=status, error=error)
    return row  # type: ignore[return-value]


def failed_row(
    record_id: Any, url: str | None, message: str, *, status: Status = "error", date: str | None = None
) -> Row:
    """The row of a record that gave no report (``status`` ``error`` or ``skipped``)."""
    return empty_row(record_id, url, status, message, date=date)


def report_row(
    report: Report, record_id: Any = None, *, explain: bool = False, strip: bool = False, date: str | None = None
) -> Row:
    """The row of a finished report (``explain`` adds ``segments``, ``strip`` the ``clean`` page)."""
    row = empty_row(record_id, report.url, date=date)
    for f in FIELDS:
        if f.value is not None:
            row[f.name] = f.value(report)  # type: ignore[literal-required]
    if explain:
        row["segments"] = [s.to_dict() for s in report.segments]
    if strip:
        # A page that is itself spam has no article to keep: ``clean`` is null, ``page_label`` says why.
        row["clean"] = None if report.page_label == "spam_page" else report.clean_html()
    return row


def failed_record(
    record_id: Any, url: str | None, message: str, *, status: Status = "error", date: str | None = None
) -> dict[str, Any]:
    """A reader's record that must still give a row: it passes ``status`` and ``error`` through."""
    record: dict[str, Any] = {"id": record_id, "url": url, "status": status, "error": message}
    if date is not None:
        record["date"] = date
    return record


def annotation_values(row: Row | dict[str, Any]) -> dict[str, Any]:
    """What integrations write onto a document or item for an ``ok`` row (lists copied)."""
    out: dict[str, Any] = {}
    for name, key in ANNOTATIONS.items():
        value = row.get(name)
        out[key] = list(value) if isinstance(value, (list, tuple)) else value
    return out


__all__ = [
    "ANNOTATIONS",
    "EXTRA_FIELDS",
    "FIELDS",
    "ROW_FIELDS",
    "STATUSES",
    "Field",
    "Row",
    "annotation_values",
    "empty_row",
    "failed_record",
    "failed_row",
    "report_row",
]
