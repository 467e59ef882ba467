"""What a scan returns: labelled segments, a page verdict, and the cleaned page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from linkguard._segment import Page, _hidden_at

Label = Literal["content", "spam"]
PageLabel = Literal["clean", "injected", "spam_page"]


@dataclass(frozen=True, slots=True)
class Segment:
    """One unit of the page with its verdict."""

    label: Label
    """``"content"`` or ``"spam"``."""
    score: float
    """Spam probability, 0–1 (at least the threshold when the neighbour pass made it spam)."""
    reasons: tuple[str, ...]
    """Stable reason codes for a spam label (empty for content), strongest first."""
    text: str
    """Visible text; lines joined with ``\\n``."""
    links: tuple[str, ...]
    """hrefs (HTML) or URLs found in the text, absolute where the page URL is known."""
    path: str
    """Where it sits: a CSS-like path of block elements (HTML) or ``line N`` (text)."""
    index: int
    """Position among the page's segments."""
    start: int | None = None
    """Character offset of the segment in the decoded text (text mode), else ``None``."""
    end: int | None = None
    hidden: str = ""
    """How the segment is hidden (``display_none``, ``offscreen``, …), ``""`` if visible."""

    @property
    def is_spam(self) -> bool:
        return self.label == "spam"

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "label": self.label,
            "score": round(self.score, 6),
            "reasons": list(self.reasons),
            "text": self.text,
            "links": list(self.links),
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "hidden": self.hidden,
        }


@dataclass(eq=False, slots=True)
class Report:
    """The result of :func:`linkguard.scan` for one page."""

    segments: tuple[Segment, ...]
    """All segments in document order."""
    url: str | None = None
    mode: Literal["html", "text"] = "html"
    """How the page was read."""
    encoding: str | None = None
    """Codec used to decode bytes input (``None`` for ``str`` input)."""
    truncated: bool = False
    """A size cap was hit; the verdict covers the part that was read."""
    truncated_reason: str | None = None
    page_label: PageLabel = "clean"
    """``clean``; ``injected`` (spam segments in a legitimate page); ``spam_page`` (the page's
    main content is spam: a doorway planted on a hacked host, a keyword page)."""
    page_score: float | None = None
    """Probability that the page itself is spam (``None`` without a page model)."""
    page_reasons: tuple[str, ...] = ()
    """Page reason codes of a ``spam_page`` verdict, strongest first."""
    _page: Page | None = field(default=None, repr=False)
    _clean: str | None = field(default=None, repr=False)

    @property
    def is_spam(self) -> bool:
        """Whether any segment is spam."""
        return any(s.label == "spam" for s in self.segments)

    @property
    def spam_score(self) -> float:
        """The page's spam score: the highest segment score (0.0 for an empty page)."""
        return max((s.score for s in self.segments), default=0.0)

    @property
    def spam_segments(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.label == "spam")

    @property
    def spam_links(self) -> tuple[str, ...]:
        """Distinct links inside spam segments, in order of appearance."""
        seen: dict[str, None] = {}
        for s in self.segments:
            if s.label == "spam":
                for link in s.links:
                    seen.setdefault(link, None)
        return tuple(seen)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Distinct reason codes over all spam segments."""
        seen: dict[str, None] = {}
        for s in self.segments:
            for r in s.reasons:
                seen.setdefault(r, None)
        return tuple(seen)

    def to_dict(self, *, segments: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; ``segments=False`` leaves the per-segment list out."""
        out: dict[str, Any] = {
            "url": self.url,
            "mode": self.mode,
            "encoding": self.encoding,
            "is_spam": self.is_spam,
            "spam_score": round(self.spam_score, 6),
            "n_segments": len(self.segments),
            "n_spam_segments": len(self.spam_segments),
            "spam_links": list(self.spam_links),
            "reasons": list(self.reasons),
            "truncated": self.truncated,
            "truncated_reason": self.truncated_reason,
            "page_label": self.page_label,
            "page_score": None if self.page_score is None else round(self.page_score, 6),
            "page_reasons": list(self.page_reasons),
        }
        if segments:
            out["segments"] = [s.to_dict() for s in self.segments]
        return out

    def clean_html(self) -> str:
        """The page without its spam segments (HTML re-serialised; text mode: the kept lines).

        Unchanged input comes back as it was.  Otherwise HTML is written back from the
        parse tree, with only the ``<html>``/``<head>``/``<body>`` wrappers the input had;
        the serialiser normalises markup (quotes attributes, escapes ``&``, closes implied
        tags), so a stripped page of sloppy markup can be a few characters longer than
        its input even though text was removed.
        """
        if self._clean is None:
            self._clean = _strip(self)
        return self._clean

    def clean_text(self) -> str:
        """Visible text of the content segments, one segment a paragraph."""
        return "\n\n".join(s.text for s in self.segments if s.label == "content")


def _strip(report: Report) -> str:
    page = report._page
    if page is None:
        return ""
    spam = [s.label == "spam" for s in report.segments]
    if not any(spam):
        return page.text
    if page.mode == "text":
        parts: list[str] = []
        pos = 0
        for seg, is_spam in zip(page.segments, spam, strict=True):
            if is_spam:
                parts.append(page.text[pos : seg.start])
                pos = seg.end
        parts.append(page.text[pos:])
        return "".join(parts)
    return _strip_html(page, spam)


def _strip_html(page: Page, spam: list[bool]) -> str:
    targets: dict[int, Any] = {}
    box_all_spam: dict[int, bool] = {}
    boxes: dict[int, Any] = {}
    for seg, is_spam in zip(page.segments, spam, strict=True):
        if seg.hidden_root is not None:
            key = seg.hidden_root.mem_id
            boxes[key] = seg.hidden_root
            box_all_spam[key] = box_all_spam.get(key, True) and is_spam
        if not is_spam:
            continue
        nodes = [seg.whole_block] if seg.whole_block is not None else seg.nodes
        for node in nodes:
            targets[node.mem_id] = node
    for key, all_spam in box_all_spam.items():
        if all_spam:
            targets[key] = boxes[key]
    # Never touch a node whose ancestor is removed too: decompose frees the subtree.
    keep = []
    for key, node in targets.items():
        parent = node.parent
        covered = False
        while parent is not None:
            if parent.mem_id in targets:
                covered = True
                break
            parent = parent.parent
        if not covered:
            keep.append(node)
        del key
    # A spam segment's inline node can wrap a block holding content (``a<span>b<div>kept``):
    # such a node is not removed whole; only its children before the content go.
    protected: set[int] = set()  # content nodes and their ancestors
    owned: set[int] = set()  # content nodes
    for seg, is_spam in zip(page.segments, spam, strict=True):
        if is_spam:
            continue
        nodes = [seg.whole_block] if seg.whole_block is not None else seg.nodes
        for node in [*nodes, *seg.texts]:
            owned.add(node.mem_id)
            while node is not None and node.mem_id not in protected:
                protected.add(node.mem_id)
                node = node.parent
    for node in keep:
        if node.mem_id in protected:
            _remove_before_protected(node, protected, owned)
        else:
            node.decompose()
    out = _serialise(page.tree, page.text) if page.tree is not None else ""
    if page.tail_tree is not None:
        body = page.tail_tree.body
        rest = body.inner_html if body is not None else ""
        if rest and rest.strip():
            out = (out or "") + "\n" + rest
    out = out or ""
    if len(out) > len(page.text):
        # The serialiser closes every element the input left open; at the end of the
        # document those end tags are implied anyway, so drop them rather than return a
        # "stripped" page longer than its input.
        out = _trim_end_tags(out)
    return out


def _trim_end_tags(markup: str) -> str:
    """``markup`` without its trailing run of end tags (linear, from the end)."""
    end = len(markup.rstrip())
    while end and markup[end - 1] == ">":
        start = markup.rfind("<", 0, end)
        if start < 0 or not _END_TAG.fullmatch(markup, start, end):
            break
        end = len(markup[:start].rstrip()) if markup[start - 1 : start].isspace() else start
    return markup[:end]


def _remove_before_protected(node: Any, protected: set[int], owned: set[int]) -> None:
    child = node.child
    while child is not None:
        nxt = child.next
        if child.mem_id in protected:
            if child.mem_id not in owned:
                _remove_before_protected(child, protected, owned)
            return
        child.decompose()
        child = nxt


_END_TAG = re.compile(r"</[A-Za-z][A-Za-z0-9:_-]*\s*>")
_HAS_HTML = re.compile(r"<(?:html|!doctype)[\s>/]", re.IGNORECASE)
_HAS_HEAD = re.compile(r"<head[\s>/]", re.IGNORECASE)
_HAS_BODY = re.compile(r"<body[\s>/]", re.IGNORECASE)


def _serialise(tree: Any, source: str) -> str:
    """The tree as markup, with only the wrappers the source had.

    lexbor adds ``<html><head></head><body>`` around a fragment; writing them back
    would make a stripped fragment longer than the input and change its shape, so a
    source without ``<html>`` gets back only the head/body content it had.
    """
    lower = source.lower()
    if _has(_HAS_HTML, source, lower):
        return tree.html or ""
    head, body = tree.head, tree.body
    if body is None:
        return tree.html or ""
    parts: list[str] = []
    if head is not None:
        parts.append((head.html if _has(_HAS_HEAD, source, lower) else head.inner_html) or "")
    parts.append((body.html if _has(_HAS_BODY, source, lower) else body.inner_html) or "")
    return "".join(parts)


def _has(tag: re.Pattern[str], source: str, lower: str) -> bool:
    """Whether the source has this tag outside comments and scripts (first few hits checked)."""
    for k, m in enumerate(tag.finditer(source)):
        if k >= 8:
            return True
        if not _hidden_at(lower, m.start()):
            return True
    return False
