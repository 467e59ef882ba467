"""A verdict a person can read: a report rendered for the terminal, segment by segment.

Segments come in document order with their label, score and reasons; spam
segments also list their links.  Colour (red for spam, dim for content) is
only used when asked for, which the command line does for a terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from linkguard._report import Report, Segment

_RED = "\x1b[1;31m"
_DIM = "\x1b[2m"
_BOLD = "\x1b[1m"
_MAGENTA = "\x1b[35m"
_RESET = "\x1b[0m"
_TEXT_LINES = 3
_LINKS_SHOWN = 10


class _Paint:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.colour else text


def explain_lines(
    report: Report,
    *,
    name: str | None = None,
    only_spam: bool = False,
    colour: bool = False,
    width: int = 100,
    threshold_source: str = "",
) -> Iterator[str]:
    """The terminal view of a report, line by line (no trailing newlines)."""
    paint = _Paint(colour)
    width = max(40, width)
    if report.page_label == "spam_page":
        verdict = paint(_RED, "SPAM PAGE")
    elif report.page_label == "injected" or report.is_spam:
        verdict = paint(_RED, "INJECTED")
    else:
        verdict = paint(_BOLD, "clean")
    title = name or report.url or "page"
    yield f"{paint(_BOLD, title)}: {verdict}"
    threshold = "–" if report.threshold is None else f"{report.threshold:g}"
    if threshold_source:
        threshold += f" ({threshold_source})"
    details = [
        f"url {report.url or '(none given)'}",
        f"read as {report.mode}" + (f", {report.encoding}" if report.encoding else ""),
        f"{len(report.spam_segments)} of {len(report.segments)} segments spam",
        f"spam score {report.spam_score:.3f}",
        f"threshold {threshold}",
    ]
    yield "  " + "; ".join(details)
    if report.truncated:
        yield "  " + paint(_MAGENTA, f"truncated: {report.truncated_reason}; the verdict covers what was read")
    if report.page_score is not None:
        page = f"  page: {report.page_label}, page score {report.page_score:.3f}"
        if report.page_reasons:
            page += " (" + ", ".join(report.page_reasons) + ")"
        yield page
    if report.reasons:
        yield "  reasons: " + ", ".join(report.reasons)
    planted = [link for link in report.links if link.is_spam]
    outside = [link for link in planted if not report.segments[link.segment].is_spam]
    if planted:
        yield f"  planted links: {len(planted)}" + (f", {len(outside)} of them in content segments:" if outside else "")
        for link in outside[:_LINKS_SHOWN]:
            anchor = f" “{link.anchor}”" if link.anchor and link.anchor != link.href else ""
            yield "      " + paint(_RED, "→ ") + link.href + anchor + "  " + paint(_DIM, f"segment {link.segment}")
    yield ""
    shown = 0
    for seg in report.segments:
        if only_spam and not seg.is_spam:
            continue
        shown += 1
        yield from _segment_lines(seg, paint, width)
    if shown == 0:
        yield paint(_DIM, "(no spam segments)" if only_spam else "(no segments)")


def _segment_lines(seg: Segment, paint: _Paint, width: int) -> Iterator[str]:
    label = paint(_RED, "SPAM   ") if seg.is_spam else paint(_DIM, "content")
    head = f"[{seg.index:>3}] {label} {seg.score:.3f}"
    if seg.reasons:
        head += "  " + (paint(_RED, ", ".join(seg.reasons)) if seg.is_spam else ", ".join(seg.reasons))
    if seg.hidden:
        head += "  " + paint(_MAGENTA, f"hidden: {seg.hidden}")
    head += "  " + paint(_DIM, seg.path)
    yield head
    text = " ".join(seg.text.split())
    lines = textwrap.wrap(text, width=width - 6) or [""]
    if len(lines) > _TEXT_LINES:
        lines = [*lines[: _TEXT_LINES - 1], lines[_TEXT_LINES - 1][: width - 10] + " …"]
    for line in lines:
        yield "      " + (line if seg.is_spam else paint(_DIM, line))
    if seg.is_spam and seg.links:
        for link in seg.links[:_LINKS_SHOWN]:
            yield "      " + paint(_RED, "→ ") + link
        if len(seg.links) > _LINKS_SHOWN:
            yield "      " + paint(_DIM, f"… and {len(seg.links) - _LINKS_SHOWN} more links")


__all__ = ["explain_lines"]
