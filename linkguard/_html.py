"""Markup to parse trees: the checks made on the raw text before lexbor sees it, and the parse.

Two things happen before parsing.  What follows ``</html>`` is split off and parsed on
its own, so the segments found there can say "after the end of the document"
(lexbor keeps that trailing part as browsers do; libxml2 would drop it).  And
pages that nest absurdly deep are flattened first, because lexbor's parse time
grows with the depth of its stack of open elements.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser

# Nesting guard.  lexbor (like the HTML spec it follows) scans the stack of open elements
# on many start and end tags, so a page of 100,000 unclosed ``<div>`` takes minutes to
# parse, and options of one ``<select>`` cost time quadratic in their number.  Browsers cap
# tree depth (Chromium at 512); ``_tame`` does the same before parsing, on the markup: an
# opening tag that would nest deeper than ``MAX_DEPTH`` is dropped (its content joins the
# enclosing element) together with the closing tag that matches it, and options past
# ``_MAX_OPTIONS`` in one select lose their tags (their text stays).  Pages within the caps
# pass through untouched, character for character.
MAX_DEPTH = 512
_MAX_OPTIONS = 1000
_TAG = re.compile(r"<(?:(!--)|(/?)([A-Za-z][A-Za-z0-9:_-]{0,40})[^<>]*>?)")
# Elements that never nest by themselves: void elements, and those a new start tag (or a
# block) closes implicitly.  They neither deepen nor shallow the depth estimate.
_FLAT = frozenset(
    """area base br col embed hr img input link meta param source track wbr keygen frame basefont
    bgsound image p li dt dd option optgroup tr td th thead tbody tfoot caption colgroup rb rt rp rtc
    a nobr button select form html head body frameset h1 h2 h3 h4 h5 h6""".split()
)
# Raw text: their content is not markup, so it is skipped, and their tags are never cut.
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes noscript".split())
_RAW_END = {name: re.compile(rf"</{name}", re.IGNORECASE) for name in _RAW_TEXT}

_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]{0,40})")
_TAIL_SPLIT = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_ONLY_COMMENTS = re.compile(r"(?:\s|<!--.*?-->|</?(?:html|body)[^>]*>)*", re.DOTALL | re.IGNORECASE)


class Parsed(NamedTuple):
    """A page's parse trees: the document, and what followed its end (``None`` if nothing)."""

    tree: LexborHTMLParser
    tail_tree: LexborHTMLParser | None


def _could_be_deep(html: str) -> bool:
    """Cheap over-estimate of the nesting depth: per element name, open minus closed
    (never below zero), peaks summed.  Only pages it cannot clear pay for ``_tame``."""
    open_now: dict[str, int] = {}
    peak: dict[str, int] = {}
    options = 0
    for closing, name in _TAG_NAME.findall(html):
        name = name.lower()
        if name in _FLAT:
            if name == "option":
                options += 1
            continue
        n = open_now.get(name, 0)
        if closing:
            if n:
                open_now[name] = n - 1
        else:
            open_now[name] = n + 1
            if n + 1 > peak.get(name, 0):
                peak[name] = n + 1
    return sum(peak.values()) > MAX_DEPTH // 2 or options > _MAX_OPTIONS


def needs_taming(html: str) -> bool:
    """Whether ``html`` could nest deeper than ``MAX_DEPTH`` or hold over-long selects."""
    return html.count("<") > MAX_DEPTH and _could_be_deep(html)


def _tame(html: str) -> str:
    """``html`` with over-deep nesting and over-long selects flattened (see ``MAX_DEPTH``)."""
    if not needs_taming(html):
        return html  # cannot nest deeper than it has tags / than the estimate allows
    return flatten(html)


def flatten(html: str) -> str:
    """The nesting guard itself, for a page the estimate could not clear."""
    depth = 0
    excess = 0
    options = -1  # options seen in the current <select>; -1 outside one
    foreign = 0  # open <svg>/<math>: there ``<x/>`` closes itself
    opened: dict[str, int] = {}  # open elements by name (estimate)
    cuts: list[tuple[int, int]] = []
    pos = 0
    search = _TAG.search
    while True:
        m = search(html, pos)
        if m is None:
            break
        pos = m.end()
        if m.group(1):  # comment: skip to its end
            end = html.find("-->", pos)
            if end < 0:
                break
            pos = end + 3
            continue
        name = m.group(3).lower()
        closing = bool(m.group(2))
        if name in _RAW_TEXT:
            if not closing:
                end_match = _RAW_END[name].search(html, pos)
                if end_match is None:
                    break
                pos = end_match.start()
            continue
        if name == "plaintext":
            break
        if name == "select":
            options = -1 if closing else 0
            continue
        if name in ("option", "optgroup"):
            if options >= 0:
                if not closing:
                    options += 1
                if options > _MAX_OPTIONS:
                    cuts.append(m.span())
            continue
        if name in _FLAT:
            continue
        if name in ("svg", "math"):
            if m.group(0).endswith("/>"):
                continue
            foreign = max(0, foreign - 1) if closing else foreign + 1
            continue  # never cut: flattening would expose SVG/MathML text as page text
        if closing:
            if excess:
                excess -= 1
                cuts.append(m.span())
            elif depth > 64 and not opened.get(name):
                cuts.append(m.span())  # closes nothing; lexbor would walk the deep stack to ignore it
            elif depth:
                depth -= 1
                if opened.get(name):
                    opened[name] -= 1
        elif foreign and m.group(0).endswith("/>"):
            continue  # self-closing SVG/MathML element
        elif depth >= MAX_DEPTH:
            excess += 1
            cuts.append(m.span())
        else:
            depth += 1
            opened[name] = opened.get(name, 0) + 1
    if not cuts:
        return html
    parts: list[str] = []
    pos = 0
    for a, b in cuts:
        parts.append(html[pos:a])
        pos = b
    parts.append(html[pos:])
    return "".join(parts)


def _hidden_at(lower: str, pos: int) -> bool:
    """Whether ``pos`` lies inside a comment or a raw-text element (script, style …)."""
    start = lower.rfind("<!--", 0, pos)
    if start != -1 and lower.find("-->", start + 4, pos) == -1:
        return True
    for name in ("script", "style", "textarea", "title", "xmp", "noscript", "iframe", "noembed", "noframes"):
        if lower.rfind("<" + name, 0, pos) > lower.rfind("</" + name, 0, pos):
            return True
    return False


def split_tail(html: str) -> tuple[str, str]:
    """Split off what follows the document's closing tag, if it holds anything visible.

    A ``</body>``/``</html>`` inside a comment or a script (``document.write("</body>")``)
    closes nothing and is not a split point; only the last few candidates are checked.
    """
    matches = list(_TAIL_SPLIT.finditer(html))
    if not matches:
        return html, ""
    bodies = [m for m in matches[-8:] if m.group(0)[2:3] in "bB"]
    after_last = html[(bodies[-1] if bodies else matches[-1]).end() :]
    if not after_last or _ONLY_COMMENTS.fullmatch(after_last):
        # The usual page: nothing after the final closing tag, so no tail to find.
        return html, ""
    lower = html.lower()
    real = [m for m in matches[-8:] if not _hidden_at(lower, m.start())]
    if not real:
        return html, ""
    last = real[-1]
    # Prefer the earlier </body> when </html> follows it: content between them is tail too.
    cut = last.end()
    body_close = next((m.start() for m in reversed(real[:-1]) if m.group(0).lower().startswith("</body")), -1)
    if last.group(0).lower().startswith("</html") and body_close != -1:
        between = html[body_close : last.start()]
        between = between[between.find(">") + 1 :]
        if _ONLY_COMMENTS.fullmatch(between):
            cut = last.end()
        else:
            cut = body_close + len(html[body_close:].split(">", 1)[0]) + 1
    tail = html[cut:]
    if not tail or _ONLY_COMMENTS.fullmatch(tail):
        return html, ""
    return html[:cut], tail


def parse(html: str) -> Parsed:
    """Split off the tail, tame both parts, parse them."""
    main, tail = split_tail(html)
    tree = LexborHTMLParser(_tame(main))
    tail_tree = LexborHTMLParser(_tame(tail)) if tail else None
    return Parsed(tree, tail_tree)


def base_url(tree: LexborHTMLParser) -> str | None:
    """The URL a page states for itself (canonical, og:url, base), used when none is given."""
    for selector, attr in (
        ('link[rel="canonical"]', "href"),
        ('meta[property="og:url"]', "content"),
        ("base[href]", "href"),
    ):
        node = tree.css_first(selector)
        if node is not None:
            value = (node.attrs.get(attr) or "").strip()
            if value.startswith(("http://", "https://")):
                return value
    return None
