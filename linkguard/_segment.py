"""Parse trees to segments: the units that get a label.

Injected spam has a shape: a run of anchors in one block, a list of brand lines,
a hidden box, text after ``</html>``.  Segments follow that shape.  A block
element (``p``, ``div``, ``td`` …) closes the current segment; inline content,
``<br>`` and list items stay together, so thirty links in one ``<div>`` or one
``<ul>`` form one segment, not thirty.

This walk is the reference: the compiled core (``_core``) must give the same
segments, and is used instead of it when built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from selectolax.lexbor import LexborNode

from linkguard._hiding import hidden_selectors, marquee_hiding
from linkguard._hiding import style_hiding as _hiding
from linkguard._html import _hidden_at as _hidden_at  # strip asks whether a tag sits in a comment or script
from linkguard._html import base_url, parse
from linkguard._html import split_tail as split_tail

_BLOCK = frozenset(
    """address article aside blockquote body center dd details dialog dir div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr main marquee menu nav ol p
    pre section summary table tbody thead tfoot tr td th ul caption legend option select
    frameset frame html""".split()
)
# Line-level inside their list: items of one list share a segment.
_LINE = frozenset(("li", "br", "dt", "dd"))
_SKIP = frozenset(
    """script style noscript template svg math iframe object embed head title textarea input
    canvas video audio source track map area img button link meta base param""".split()
)
_FOOTER_HINT = re.compile(r"foot|colophon|copyright|site-info|bottom", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]{2,2048}", re.IGNORECASE)
# URLs glued with no separator (``https://a.comhttps://b.com``) are several links.
_GLUED_URL = re.compile(r"(?<=[^/=%])(?=https?://)", re.IGNORECASE)

_MAX_PATH = 16
"""Levels kept in a segment's ``path`` (the innermost ones)."""


def urls_in_text(text: str) -> list[str]:
    """Bare URLs written in text, split where one is glued to the next, trailing punctuation cut."""
    out: list[str] = []
    for m in _URL_IN_TEXT.findall(text):
        for part in _GLUED_URL.split(m) if len(m) > 12 else (m,):
            part = part.rstrip(".,;:)]}!?")
            if len(part) > 4:
                out.append(part)
    return out


@dataclass(slots=True)
class RawSegment:
    """A segment before scoring: what the features read, and the nodes strip removes."""

    text: str
    links: list[str]
    anchors: list[str] = field(default_factory=list)
    """Anchor text of each link, in step with ``links`` (a URL written in the text is its own anchor)."""
    anchor_text: str = ""
    anchor_chars: int = 0
    n_lines: int = 1
    hidden: str = ""
    """How the segment is hidden (``display_none``, ``offscreen`` …) or ``""``."""
    in_footer: bool = False
    after_end: bool = False
    """Sits after ``</body>``/``</html>`` (HTML) — where appended injections land."""
    path: str = ""
    start: int = -1
    end: int = -1
    nodes: Sequence[Any] = field(default_factory=list)
    """The nodes of the segment that are direct children of its block (a sequence of nodes)."""
    texts: Sequence[Any] = field(default_factory=list)
    """Every text node of the segment (a sequence of nodes)."""
    hidden_root: Any = None
    """The element that hides the segment; one object per element, so ``is`` compares boxes."""
    whole_block: Any = None
    """The block element when the segment is all of it (strip removes it whole)."""
    tail: bool = False


NODE_FIELDS = ("nodes", "texts", "hidden_root", "whole_block")
"""Fields of :class:`RawSegment` that hold parser nodes; the rest are plain values (compared as such)."""
PLAIN_FIELDS = tuple(name for name in RawSegment.__dataclass_fields__ if name not in NODE_FIELDS)


@dataclass(slots=True)
class Page:
    """A segmented page: segments in document order, plus what strip needs."""

    segments: list[RawSegment]
    mode: str
    base_url: str | None = None
    tree: Any = None
    tail_tree: Any = None
    text: str = ""
    truncated: str = ""
    """Why the page was cut short (a cap was hit), ``""`` when it was read whole."""


@dataclass(slots=True)
class Budget:
    """Nodes and links visited so far on a page (main document and tail), against the caps."""

    max_nodes: int
    max_links: int
    nodes: int = 0
    links: int = 0


class _Scope(NamedTuple):
    """What an element passes down to its children during the walk."""

    hidden: str
    """How an enclosing element hides its content, ``""`` if none does."""
    hidden_root: Any
    """The outermost hiding element (``None`` when not hidden)."""
    footer: bool
    in_anchor: int
    """Inside an ``<a>``: the page-wide number of its link (1, 2, …), -1 for an ``<a>`` without
    ``href``, 0 outside; text inside counts as anchor text, and as that link's own anchor."""
    block: Any
    """The innermost enclosing block element: the segment's owner."""
    direct: bool
    """The node is a direct child of ``block``."""


@lru_cache(maxsize=4096)
def _footer_hint(value: str) -> bool:
    return _FOOTER_HINT.search(value) is not None


class _Builder:
    """Accumulates inline content until a block boundary closes the segment."""

    __slots__ = (
        "anchor_chars",
        "anchor_parts",
        "anchor_slot",
        "footer",
        "hidden",
        "hidden_root",
        "lines",
        "link_anchors",
        "links",
        "nodes",
        "out",
        "parts",
        "plain_parts",
        "tail",
        "texts",
    )

    def __init__(self, out: list[RawSegment], tail: bool) -> None:
        self.out = out
        self.tail = tail
        self.reset()

    def reset(self) -> None:
        self.parts: list[str] = []
        self.lines: list[str] = []
        self.plain_parts: list[str] = []
        self.anchor_parts: list[str] = []
        self.anchor_chars = 0
        self.links: list[str] = []
        self.link_anchors: list[list[str]] = []
        self.anchor_slot: dict[int, int] = {}
        self.nodes: list[Any] = []
        self.texts: list[Any] = []
        self.hidden = ""
        self.hidden_root: Any = None
        self.footer = False

    def newline(self) -> None:
        if self.parts:
            self.lines.append(" ".join("".join(self.parts).split()))
            self.parts = []

    def flush(self, path_stack: list[str], block: Any, whole: bool) -> None:
        if not self.parts and not self.lines and not self.links:
            if self.nodes:
                self.nodes = []
            return
        self.newline()
        lines = [ln for ln in self.lines if ln]
        if lines or self.links:
            # Joined only here (a flush per block boundary would make deep trees quadratic),
            # and only the innermost levels, so a segment's path stays short on deep trees.
            if len(path_stack) > _MAX_PATH:
                path = "…>" + ">".join(path_stack[-_MAX_PATH:])
            else:
                path = ">".join(path_stack)
            text = "\n".join(lines)
            links = self.links
            anchors = [" ".join(" ".join(parts).split()) for parts in self.link_anchors]
            plain = " ".join(self.plain_parts)
            if "http" in plain or "www." in plain:
                bare = urls_in_text(plain)
                links = links + bare
                anchors = anchors + bare
            self.out.append(
                RawSegment(
                    text=text,
                    links=links,
                    anchors=anchors,
                    anchor_text=" ".join(" ".join(self.anchor_parts).split()),
                    anchor_chars=self.anchor_chars,
                    n_lines=max(1, len(lines)),
                    hidden=self.hidden,
                    in_footer=self.footer,
                    after_end=self.tail,
                    path=path,
                    nodes=self.nodes,
                    texts=self.texts,
                    hidden_root=self.hidden_root,
                    whole_block=block if whole else None,
                    tail=self.tail,
                )
            )
        self.reset()


def _label(attrs: dict[str, str | None], tag: str) -> str:
    ident = attrs.get("id")
    if ident:
        return f"{tag}#{ident[:40]}"
    cls = attrs.get("class") if tag != "body" else None
    if cls:
        first = cls.split(None, 1)
        if first:
            return f"{tag}.{first[0][:40]}"
    return tag


def walk_html(
    root: LexborNode,
    *,
    tail: bool,
    hidden_css: dict[str, str],
    out: list[RawSegment],
    budget: Budget,
) -> str:
    """Segment the subtree under ``root`` into ``out``; returns a truncation reason or ``""``.

    Iterative (an explicit stack), so a 100,000-deep tree costs memory, not the C stack.
    ``budget`` carries the node and link counts across the main document and its tail.
    """
    b = _Builder(out, tail)
    path_stack: list[str] = []
    # Entries: (node, exiting, scope); ``exiting`` marks the return to a block after its children.
    stack: list[tuple[Any, bool, _Scope]] = [(root, False, _Scope("", None, False, 0, root, False))]
    truncated = ""
    block_has_child_block: dict[int, bool] = {}
    n_nodes, n_links = budget.nodes, budget.links  # locals in the loop, stored back at the end
    max_nodes, max_links = budget.max_nodes, budget.max_links
    while stack:
        node, exiting, scope = stack.pop()
        hidden, hidden_root, footer, in_anchor, block, direct = scope
        if exiting:
            # Leaving a block: close the segment it holds and restore the path.
            whole = not block_has_child_block.get(node.mem_id, False)
            b.flush(path_stack, node, whole)
            path_stack.pop()
            continue
        n_nodes += 1
        if n_nodes > max_nodes:
            truncated = f"node cap reached ({max_nodes} nodes)"
            break
        tag = node.tag
        if tag == "-text":
            text = node.text_content
            if text and not text.isspace():
                b.parts.append(text)
                b.texts.append(node)
                if in_anchor:
                    b.anchor_parts.append(text)
                    b.anchor_chars += len(text.strip())
                    slot = b.anchor_slot.get(in_anchor)
                    if slot is not None:
                        b.link_anchors[slot].append(text)
                else:
                    b.plain_parts.append(text)
                if hidden and not b.hidden:
                    b.hidden, b.hidden_root = hidden, hidden_root
                if footer:
                    b.footer = True
                if direct:
                    b.nodes.append(node)
            elif text and b.parts:
                b.parts.append(" ")
            continue
        if tag is None or tag[0] == "-" or tag in _SKIP:
            continue
        if tag in _LINE:
            b.newline()
            if tag == "br":
                continue
        attrs = node.attributes  # one dict, cheaper than several lookups through the node
        style = attrs.get("style")
        how = ""
        if style:
            how = _hiding(style.lower())
        if not how and hidden_css:
            cls = attrs.get("class")
            if cls:
                for c in cls.split():
                    how = hidden_css.get("." + c, "")
                    if how:
                        break
            ident = attrs.get("id")
            if not how and ident:
                how = hidden_css.get("#" + ident, "")
        if not how and "hidden" in attrs:
            how = "display_none"
        if not how and tag == "marquee":
            how = marquee_hiding(attrs.get("width"), attrs.get("height"))
        changed = False  # whether children see another scope than this node's
        if how and not hidden:
            hidden, hidden_root, changed = how, node, True
        ident = attrs.get("id")
        if not footer and (tag == "footer" or (ident and _footer_hint(ident))):
            footer = changed = True
        elif not footer:
            cls = attrs.get("class")
            if cls and _footer_hint(cls):
                footer = changed = True
        if tag == "a":
            href = attrs.get("href")
            if href is not None:
                n_links += 1
                if n_links > max_links:
                    truncated = f"link cap reached ({max_links} links)"
                    break
                b.links.append(href)
                b.link_anchors.append([])
                b.anchor_slot[n_links] = len(b.links) - 1
                in_anchor = n_links
                if hidden and not b.hidden:
                    b.hidden, b.hidden_root = hidden, hidden_root
                if footer:
                    b.footer = True
            elif not in_anchor:
                in_anchor = -1
            changed = True
        if tag in _BLOCK:
            block_has_child_block[block.mem_id] = True
            b.flush(path_stack, block, False)
            path_stack.append(_label(attrs, tag))
            stack.append((node, True, scope))
            child_scope = _Scope(hidden, hidden_root, footer, in_anchor, node, True)
        else:
            if direct:
                b.nodes.append(node)
            # Inline elements mostly pass their scope on unchanged: reuse it rather than build one.
            if changed or direct:
                child_scope = _Scope(hidden, hidden_root, footer, in_anchor, block, False)
            else:
                child_scope = scope
        child = node.last_child
        while child is not None:
            stack.append((child, False, child_scope))
            child = child.prev
    else:
        b.flush(path_stack, root, False)
    budget.nodes, budget.links = n_nodes, n_links
    if truncated:
        b.flush(path_stack, None, False)
    return truncated


Walk = Callable[..., str]
"""``walk_html``'s shape: the reference's or the compiled core's."""


def page_hiding(
    tree: Any, tail_tree: Any, hiding: Callable[[Any], dict[str, str]] = hidden_selectors
) -> dict[str, str]:
    """Hidden selectors of the page: the main tree's, then the tail's (an appended block
    may carry the style or script that hides it)."""
    hidden_css = hiding(tree)
    if tail_tree is not None:
        for key, how in hiding(tail_tree).items():
            hidden_css.setdefault(key, how)
    return hidden_css


def walk_trees(
    tree: Any, tail_tree: Any, hidden_css: dict[str, str], budget: Budget, walk: Walk = walk_html
) -> tuple[list[RawSegment], str]:
    """Segments of the main tree, then of the tail, one budget for both; and the truncation reason."""
    segments: list[RawSegment] = []
    truncated = ""
    for t, is_tail in ((tree, False), (tail_tree, True)):
        if t is None or truncated:
            break
        root = t.body or t.root
        if root is not None:
            truncated = walk(root, tail=is_tail, hidden_css=hidden_css, out=segments, budget=budget)
    return segments, truncated


def segment_html(html: str, *, max_nodes: int = 2_000_000, max_links: int = 500_000) -> Page:
    """Parse and segment an HTML page."""
    tree, tail_tree = parse(html)
    segments, truncated = walk_trees(tree, tail_tree, page_hiding(tree, tail_tree), Budget(max_nodes, max_links))
    return Page(segments, "html", base_url(tree), tree, tail_tree, html, truncated)


def segment_text(text: str) -> Page:
    """Segment plain text (crawler text dumps, WET records): one segment per non-empty line."""
    segments: list[RawSegment] = []
    pos = 0
    for i, line in enumerate(text.splitlines(keepends=True)):
        start, pos = pos, pos + len(line)
        clean = " ".join(line.split())
        if not clean:
            continue
        links = urls_in_text(clean)
        url_chars = sum(len(u) for u in links)
        segments.append(
            RawSegment(
                text=clean,
                links=links,
                anchors=list(links),
                anchor_text=" ".join(links),
                anchor_chars=url_chars,
                path=f"line {i + 1}",
                start=start,
                end=pos,
            )
        )
    return Page(segments, "text", None, None, None, text)
