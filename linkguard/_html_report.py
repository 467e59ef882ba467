"""A visual report: one self-contained HTML page per scored record, and a sortable index.

A page shows the record's verdict in a summary table, then its text segment by
segment in document order: spam segments highlighted with their score, reasons
and links, hidden segments marked as hidden.  Everything (style and the small
sorting script) is inline, so a report folder can be mailed or archived as it
is.  Links found in spam are shown as text, never as clickable links.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 72rem;
       padding: 1rem 1.5rem 3rem; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.3rem; margin: .5rem 0 1rem; word-break: break-all; }
table.summary { border-collapse: collapse; margin-bottom: 1.2rem; }
table.summary th { text-align: left; padding: .2rem .8rem .2rem 0; color: #555; font-weight: 600; }
table.summary td { padding: .2rem 0; }
.verdict-spam { color: #a40000; font-weight: 700; }
.verdict-clean { color: #11662b; font-weight: 700; }
.legend span { display: inline-block; margin-right: 1rem; padding: .1rem .5rem; border-radius: 3px; }
.seg { margin: .35rem 0; padding: .35rem .6rem; border-left: 4px solid #d0d0d0; border-radius: 3px; }
.seg.content { background: #fafafa; }
.seg.spam { background: #ffd9d6; border-left-color: #c40000; }
.seg.hidden { border-style: dashed; border-width: 2px 2px 2px 4px; }
.seg .meta { font-size: .8rem; color: #555; margin-bottom: .15rem; }
.seg.spam .meta { color: #7a0000; font-weight: 600; }
.seg .text { white-space: pre-wrap; word-break: break-word; }
.seg .links { font: .8rem/1.35 ui-monospace, monospace; margin: .3rem 0 0 1rem; padding: 0; color: #7a0000; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 3px; margin-left: .3rem;
         background: #444; color: #fff; }
.badge.hidden-badge { background: #6b4fbb; }
table.index { border-collapse: collapse; width: 100%; font-size: .9rem; }
table.index th, table.index td { border-bottom: 1px solid #e3e3e3; padding: .3rem .5rem; text-align: left;
                                 vertical-align: top; }
table.index th { cursor: pointer; user-select: none; background: #f3f3f3; position: sticky; top: 0; }
table.index th.sorted-asc::after { content: " \\25B2"; }
table.index th.sorted-desc::after { content: " \\25BC"; }
table.index tr.spam td { background: #fff0ef; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #777; }
"""

_SORT_SCRIPT = """
document.querySelectorAll("table.index th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var asc = !th.classList.contains("sorted-asc");
    table.querySelectorAll("th").forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
    th.classList.add(asc ? "sorted-asc" : "sorted-desc");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute("data-sort"), y = b.cells[col].getAttribute("data-sort");
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""

_MAX_LINKS_SHOWN = 50


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _document(title: str, body: str, script: str = "") -> str:
    tail = f"<script>{script}</script>" if script else ""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head>\n<body>\n{body}\n{tail}</body></html>\n"
    )


def _label(row: Mapping[str, Any]) -> str:
    """The page label to show: ``spam_page``/``injected``/``clean`` (``spam`` from a row without one)."""
    label = row.get("page_label")
    if label:
        return str(label)
    return "spam" if row.get("is_spam") else "clean"


def _verdict(row: Mapping[str, Any]) -> str:
    if row.get("status") != "ok":
        return f'<span class="muted">{_e(row.get("status"))}</span>'
    label = _label(row)
    if label != "clean" or row.get("is_spam"):
        return f'<span class="verdict-spam">{_e(label)}</span>'
    return '<span class="verdict-clean">clean</span>'


def _summary_table(row: Mapping[str, Any]) -> str:
    items = [
        ("record", _e(row.get("id"))),
        ("URL", _e(row.get("url") or "–")),
        ("verdict", _verdict(row)),
        ("spam score", _e(row.get("spam_score"))),
        ("threshold", _e(row.get("threshold"))),
        ("segments", f"{_e(row.get('n_spam_segments'))} spam of {_e(row.get('n_segments'))}"),
        ("reasons", _e(", ".join(row.get("reasons") or []) or "–")),
        ("spam links", _e(len(row.get("spam_links") or []))),
        ("planted links", _e(len(row.get("injected_links") or []))),
    ]
    if row.get("page_score") is not None:
        reasons = ", ".join(row.get("page_reasons") or [])
        items.insert(3, ("page score", _e(row.get("page_score")) + (f" ({_e(reasons)})" if reasons else "")))
    if row.get("truncated"):
        items.append(("truncated", "yes: the verdict covers the part that was read"))
    if row.get("error"):
        items.append(("error", _e(row.get("error"))))
    cells = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in items)
    return f'<table class="summary">{cells}</table>'


def _segment_block(seg: Mapping[str, Any]) -> str:
    label = "spam" if seg.get("label") == "spam" else "content"
    hidden = str(seg.get("hidden") or "")
    classes = f"seg {label}" + (" hidden" if hidden else "")
    meta = f"#{_e(seg.get('index'))} {label} · score {float(seg.get('score') or 0.0):.3f}"
    if seg.get("reasons"):
        meta += " · " + _e(", ".join(seg["reasons"]))
    meta += f' · <span class="muted">{_e(seg.get("path"))}</span>'
    if hidden:
        meta += f'<span class="badge hidden-badge">hidden: {_e(hidden)}</span>'
    parts = [
        f'<div class="{classes}" id="seg-{_e(seg.get("index"))}" data-label="{label}" data-hidden="{_e(hidden)}">',
        f'<div class="meta">{meta}</div>',
        f'<div class="text">{_e(seg.get("text"))}</div>',
    ]
    links = list(seg.get("links") or [])
    if label == "spam" and links:
        shown = "".join(f"<li>{_e(link)}</li>" for link in links[:_MAX_LINKS_SHOWN])
        more = len(links) - _MAX_LINKS_SHOWN
        if more > 0:
            shown += f'<li class="muted">… and {more} more</li>'
        parts.append(f'<ul class="links">{shown}</ul>')
    parts.append("</div>")
    return "".join(parts)


def page_html(row: Mapping[str, Any], *, index_href: str | None = None) -> str:
    """The report page of one row (with ``segments``, as ``score_records(..., explain=True)`` gives)."""
    title = str(row.get("url") or row.get("id") or "page")
    head = f'<p><a href="{_e(index_href)}">← all records</a></p>' if index_href else ""
    segments: Sequence[Mapping[str, Any]] = row.get("segments") or []
    legend = (
        '<p class="legend"><span class="seg spam">spam segment</span>'
        '<span class="seg content">content segment</span>'
        '<span class="seg content hidden">hidden segment (dashed)</span></p>'
    )
    blocks = "\n".join(_segment_block(s) for s in segments) or '<p class="muted">No segments.</p>'
    body = f"{head}<h1>{_e(title)}</h1>\n{_summary_table(row)}\n{legend}\n<main>\n{blocks}\n</main>"
    return _document(f"linkguard: {title}", body)


class HtmlReport:
    """Writes ``DIR/index.html`` and ``DIR/pages/NNNNN.html`` as rows arrive (pages) and at the end (index)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.pages = self.directory / "pages"
        self.pages.mkdir(parents=True, exist_ok=True)
        self.entries: list[dict[str, Any]] = []

    def add(self, row: Mapping[str, Any]) -> None:
        n = len(self.entries) + 1
        href = None
        if row.get("status") == "ok" and row.get("segments") is not None:
            href = f"pages/{n:05d}.html"
            (self.directory / href).write_text(page_html(row, index_href="../index.html"), "utf-8")
        self.entries.append(
            {
                "n": n,
                "id": row.get("id"),
                "url": row.get("url"),
                "status": row.get("status"),
                "is_spam": row.get("is_spam"),
                "page_label": row.get("page_label"),
                "spam_score": row.get("spam_score"),
                "threshold": row.get("threshold"),
                "n_segments": row.get("n_segments"),
                "n_spam_segments": row.get("n_spam_segments"),
                "reasons": list(row.get("reasons") or []),
                "error": row.get("error"),
                "href": href,
            }
        )

    def close(self) -> Path:
        """Write the index; returns its path."""
        index = self.directory / "index.html"
        index.write_text(index_html(self.entries), "utf-8")
        return index


def index_html(entries: Sequence[Mapping[str, Any]]) -> str:
    """The sortable index of a batch (click a column header to sort)."""
    counts = {s: sum(1 for e in entries if e.get("status") == s) for s in ("ok", "skipped", "error")}
    spam = sum(1 for e in entries if e.get("is_spam") or e.get("page_label") in ("injected", "spam_page"))
    thresholds = sorted({e["threshold"] for e in entries if e.get("threshold") is not None})
    summary = [
        ("records", str(len(entries))),
        ("ok / skipped / error", f"{counts['ok']} / {counts['skipped']} / {counts['error']}"),
        ("pages with spam", str(spam)),
        ("spam pages (the page itself)", str(sum(1 for e in entries if e.get("page_label") == "spam_page"))),
        ("threshold", ", ".join(str(t) for t in thresholds) or "–"),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{_e(v)}</td></tr>" for k, v in summary)
    rows: list[str] = []
    for e in entries:
        verdict = _label(e) if e.get("status") == "ok" else e.get("status")
        score = e.get("spam_score")
        link = f'<a href="{_e(e["href"])}">view</a>' if e.get("href") else ""
        cells = [
            (e["n"], _e(e["n"]), "num"),
            (e.get("id"), _e(e.get("id")), ""),
            (e.get("url") or "", _e(e.get("url") or ""), ""),
            (e.get("status"), _e(e.get("status")), ""),
            (verdict, _e(verdict), ""),
            (score if score is not None else -1, _e("" if score is None else f"{score:.3f}"), "num"),
            (e.get("n_spam_segments") or 0, _e(e.get("n_spam_segments") or 0), "num"),
            (e.get("n_segments") or 0, _e(e.get("n_segments") or 0), "num"),
            (", ".join(e["reasons"]), _e(", ".join(e["reasons"])), ""),
            (e.get("error") or "", _e(e.get("error") or ""), ""),
            (1 if link else 0, link, ""),
        ]
        tds = "".join(f'<td class="{cls}" data-sort="{_e(key)}">{shown}</td>' for key, shown, cls in cells)
        flagged = e.get("is_spam") or e.get("page_label") in ("injected", "spam_page")
        rows.append(f'<tr class="{"spam" if flagged else ""}">{tds}</tr>')
    head = "".join(
        f"<th>{h}</th>"
        for h in ("#", "record", "URL", "status", "verdict", "score", "spam seg.", "segments", "reasons", "error", "")
    )
    body = (
        "<h1>linkguard report</h1>\n"
        f'<table class="summary">{table}</table>\n'
        '<p class="muted">Click a column header to sort.</p>\n'
        f'<table class="index"><thead><tr>{head}</tr></thead><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"
    )
    return _document("linkguard report", body, _SORT_SCRIPT)


__all__ = ["HtmlReport", "index_html", "page_html"]
