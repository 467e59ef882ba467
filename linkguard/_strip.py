"""Cut spam segments out of a page: lines out of text, nodes out of the HTML tree.

A spam segment is removed with the smallest thing that holds it: its whole
block when the block is all spam, the hiding box when every segment in it is
spam, else its own nodes.  Content that a spam node happens to wrap (sloppy
markup such as ``a<span>b<div>kept``) is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from linkguard._domains import absolute
from linkguard._segment import Page, _hidden_at


def strip_page(page: Page, spam: Sequence[bool]) -> str:
    """``page`` without the segments flagged in ``spam`` (one flag per segment, in order).

    Unchanged input comes back as it was.  Text mode cuts the flagged lines out
    of the text.  HTML is written back from the parse tree, with only the
    ``<html>``/``<head>``/``<body>`` wrappers the input had; the serialiser
    normalises markup (quotes attributes, escapes ``&``, closes implied tags).
    The tree is modified: segment the page afresh for anything else.
    """
    if len(spam) != len(page.segments):
        raise ValueError(f"{len(spam)} flags for {len(page.segments)} segments")
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
    return _strip_html(page, list(spam))


def unlink_page(page: Page, injected: set[str], base: str | None) -> str:
    """``page`` with the injected links unlinked: their anchors' text stays, the links go.

    HTML: every ``<a>`` whose target (made absolute against ``base`` as the report's links
    are) is in ``injected`` is replaced by its content.  Text mode: the injected URLs are
    cut out of their lines.  Unchanged input comes back as it was.
    """
    if not injected:
        return page.text
    if page.mode == "text":
        text = page.text
        for url in sorted(injected, key=len, reverse=True):
            text = text.replace(url, "")
        return text
    changed = False
    for tree in (page.tree, page.tail_tree):
        if tree is None:
            continue
        for node in tree.css("a[href]"):
            href = (node.attributes.get("href") or "").strip()
            if href and absolute(href, base) in injected:
                node.unwrap()
                changed = True
    if not changed:
        return page.text
    return _written(page)


def _written(page: Page) -> str:
    """The (modified) trees of a page as markup: the document, then what followed its end."""
    out = _serialise(page.tree, page.text) if page.tree is not None else ""
    if page.tail_tree is not None:
        body = page.tail_tree.body
        rest = body.inner_html if body is not None else ""
        if rest and rest.strip():
            out = (out or "") + "\n" + rest
    return out or ""


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
    out = _written(page)
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


__all__ = ["strip_page", "unlink_page"]
