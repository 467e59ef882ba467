"""Pages to segments: the units that get a label.

Injected spam has a shape: a run of anchors in one block, a list of brand lines,
a hidden box, text after ``</html>``.  Segments follow that shape.  A block
element (``p``, ``div``, ``td`` …) closes the current segment; inline content,
``<br>`` and list items stay together, so thirty links in one ``<div>`` or one
``<ul>`` form one segment, not thirty.

HTML is parsed with lexbor (selectolax), which keeps what follows ``</html>`` as
browsers do; libxml2 would drop it.  That trailing part is split off and parsed
on its own so the features can say "after the end of the document".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

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

# Inline-style patterns for the ways injections hide themselves.
_HIDE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("display_none", re.compile(r"display\s*:\s*none")),
    ("visibility_hidden", re.compile(r"visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)")),
    # Off-screen: a large negative offset (-500px and beyond, -50em, -100%); a -100px margin is layout.
    (
        "offscreen",
        re.compile(
            r"(?:left|top|right|bottom|text-indent|margin-left|margin-top)\s*:\s*-\s*"
            r"(?:\d{4,}|[5-9]\d\d)(?:\.\d+)?\s*(?:px|pt)?\s*(?:;|$|!)"
            r"|(?:left|top|right|bottom|text-indent|margin-left|margin-top)\s*:\s*-\s*"
            r"(?:\d{3,}|[5-9]\d)(?:\.\d+)?\s*(?:em|rem|%|vw|vh)\s*(?:;|$|!)"
        ),
    ),
    # Unreadably small text: 0 in any unit, at most 1px/1pt, at most 0.1em/rem, at most 10%.
    # ``0.9em`` or ``0.75rem`` is small print, not hiding.
    (
        "font_size_0",
        re.compile(
            r"font-size\s*:\s*(?:0+(?:\.0+)?(?:px|pt|em|rem|%|vw|vh)?"
            r"|(?:0?\.\d+|1(?:\.0+)?)(?:px|pt)"
            r"|0?\.(?:0\d*|10*)(?:em|rem)"
            r"|(?:\d|10)(?:\.0+)?%)\s*(?:;|$|!)"
        ),
    ),
    (
        "tiny_box",
        re.compile(r"(?:^|[;\s])(?:height|width|max-height|max-width)\s*:\s*[0-6](?:\.\d+)?(?:px)?\s*(?:;|$|!)"),
    ),
    ("clip", re.compile(r"clip\s*:\s*rect\(\s*0")),
)
_OVERFLOW_HIDDEN = re.compile(r"overflow\s*:\s*hidden")
_COLOR = re.compile(r"(?:^|[;\s])color\s*:\s*([#a-z0-9]+)")
_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*([#a-z0-9]+)")
_SIMPLE_SELECTOR = re.compile(r"^\s*([.#])([A-Za-z0-9_\-]{1,80})\s*$")
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]{2,2048}", re.IGNORECASE)
# URLs glued with no separator (``https://a.comhttps://b.com``) are several links.
_GLUED_URL = re.compile(r"(?<=[^/=%])(?=https?://)", re.IGNORECASE)


def urls_in_text(text: str) -> list[str]:
    """Bare URLs written in text, split where one is glued to the next, trailing punctuation cut."""
    out: list[str] = []
    for m in _URL_IN_TEXT.findall(text):
        for part in _GLUED_URL.split(m) if len(m) > 12 else (m,):
            part = part.rstrip(".,;:)]}!?")
            if len(part) > 4:
                out.append(part)
    return out


_TAIL_SPLIT = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_ONLY_COMMENTS = re.compile(r"(?:\s|<!--.*?-->|</?(?:html|body)[^>]*>)*", re.DOTALL | re.IGNORECASE)

_MAX_PATH = 16
"""Levels kept in a segment's ``path`` (the innermost ones)."""

_COLOR_NAMES = {"white": "#ffffff", "#fff": "#ffffff", "black": "#000000", "#000": "#000000"}


@dataclass(slots=True)
class RawSegment:
    """A segment before scoring: what the features read."""

    text: str
    links: list[str]
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
    nodes: list[Any] = field(default_factory=list)
    texts: list[Any] = field(default_factory=list)
    """Every text node of the segment (``nodes`` holds only the block's direct children)."""
    hidden_root: Any = None
    whole_block: Any = None
    tail: bool = False


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


def _css_rules(css: str) -> Iterator[tuple[str, str]]:
    """``(selectors, declarations)`` of flat rules, in one linear pass (a regex here backtracks)."""
    for chunk in css.split("}"):
        selectors, sep, body = chunk.rpartition("{")
        if sep and len(body) <= 2000:
            yield selectors.rpartition("{")[2][-400:], body


# Inline scripts that hide an element right away: ``getElementById('x').style.display='none'``,
# ``$('#x').hide()``, ``.css('display','none')``.  Injected blocks ship with such a one-liner
# so the markup stays in the page for crawlers while browsers never show it.
_NAME = r"""['"]([A-Za-z0-9_\-]{1,80})['"]"""
_SELECTOR = r"""['"]([.#][A-Za-z0-9_\-]{1,80})['"]"""
_JS_HIDE = re.compile(
    r"(?:getElementById\(\s*" + _NAME + r"\s*\)"
    r"|querySelector\(\s*" + _SELECTOR + r"\s*\)"
    r"|getElementsByClassName\(\s*" + _NAME + r"\s*\)\s*\[\s*\d+\s*\]"
    r"|(?:\$|jQuery)\(\s*" + _SELECTOR + r"\s*\))"
    r"""\s*\.\s*(?:style\s*\.\s*(?:display|visibility)\s*=\s*['"]\s*(?:none|hidden)"""
    r"|hide\s*\(\s*\)"
    r"""|css\s*\(\s*['"](?:display|visibility)['"]\s*,\s*['"](?:none|hidden))"""
)
_MAX_HIDING_SCRIPT = 20_000
"""Longer scripts are application code (menus toggled on click), not an injected one-liner."""


def _script_hidden(tree: LexborHTMLParser, found: dict[str, str]) -> None:
    """Add the ``#id``/``.class`` targets that short inline scripts hide on load."""
    for script in tree.css("script"):
        if "src" in script.attributes:
            continue
        code = script.text(deep=True)
        if not code or len(code) > _MAX_HIDING_SCRIPT or ("none" not in code and "hid" not in code):
            continue
        for m in _JS_HIDE.finditer(code):
            by_id, query, by_class, jq = m.group(1), m.group(2), m.group(3), m.group(4)
            key = "#" + by_id if by_id else "." + by_class if by_class else (query or jq)
            found.setdefault(key, "js")


def _hidden_classes(tree: LexborHTMLParser) -> dict[str, str]:
    """``.class``/``#id`` selectors hidden by page stylesheets (``<style>``) or on-load scripts."""
    found: dict[str, str] = {}
    _script_hidden(tree, found)
    for style in tree.css("style"):
        css = style.text(deep=True)
        if not css or len(css) > 2_000_000:
            continue
        for selectors, body in _css_rules(css):
            how = _hiding(body.lower())
            if not how:
                continue
            for sel in selectors.split(","):
                m = _SIMPLE_SELECTOR.match(sel)
                if m:
                    found[m.group(1) + m.group(2)] = how
    return found


@lru_cache(maxsize=4096)
def _footer_hint(value: str) -> bool:
    return _FOOTER_HINT.search(value) is not None


@lru_cache(maxsize=8192)
def _hiding(style: str) -> str:
    """Which hiding trick an inline style uses, ``""`` for none."""
    for name, pattern in _HIDE_RULES:
        if pattern.search(style):
            if name == "tiny_box" and not (_OVERFLOW_HIDDEN.search(style) or "absolute" in style):
                continue
            if name == "clip" and "absolute" not in style:
                continue
            return name
    color = _COLOR.search(style)
    if color:
        bg = _BACKGROUND.search(style)
        if bg:
            a = _COLOR_NAMES.get(color.group(1), color.group(1))
            b = _COLOR_NAMES.get(bg.group(1), bg.group(1))
            if a == b:
                return "color"
    return ""


class _Builder:
    """Accumulates inline content until a block boundary closes the segment."""

    __slots__ = (
        "anchor_chars",
        "anchor_parts",
        "footer",
        "hidden",
        "hidden_root",
        "lines",
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
            plain = " ".join(self.plain_parts)
            if "http" in plain or "www." in plain:
                links = links + urls_in_text(plain)
            self.out.append(
                RawSegment(
                    text=text,
                    links=links,
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
    max_nodes: int,
    max_links: int,
    counters: list[int],
) -> str:
    """Segment the subtree under ``root`` into ``out``; returns a truncation reason or ``""``.

    Iterative (an explicit stack), so a 100,000-deep tree costs memory, not the C stack.
    ``counters`` carries ``[nodes, links]`` across the main document and its tail.
    """
    b = _Builder(out, tail)
    # Frame: (node, exiting, state) where state = (hidden, hidden_root, footer, anchor_depth,
    # block_node, block_path, direct_child_of_block)
    path_stack: list[str] = []
    stack: list[tuple[Any, bool, tuple[Any, ...]]] = [(root, False, ("", None, False, 0, root, False))]
    truncated = ""
    block_has_child_block: dict[int, bool] = {}
    while stack:
        node, exiting, state = stack.pop()
        hidden, hidden_root, footer, in_anchor, block, direct = state
        if exiting:
            # Leaving a block: close the segment it holds and restore the path.
            whole = not block_has_child_block.get(node.mem_id, False)
            b.flush(path_stack, node, whole)
            path_stack.pop()
            continue
        counters[0] += 1
        if counters[0] > max_nodes:
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
            w = (attrs.get("width") or "") + " " + (attrs.get("height") or "")
            if re.search(r"(?:^|\s)[0-6](?:px)?(?:\s|$)", w):
                how = "tiny_box"
        if how and not hidden:
            hidden, hidden_root = how, node
        ident = attrs.get("id")
        if not footer and (tag == "footer" or (ident and _footer_hint(ident))):
            footer = True
        elif not footer:
            cls = attrs.get("class")
            if cls and _footer_hint(cls):
                footer = True
        if tag == "a":
            href = attrs.get("href")
            if href is not None:
                counters[1] += 1
                if counters[1] > max_links:
                    truncated = f"link cap reached ({max_links} links)"
                    break
                b.links.append(href)
                if hidden and not b.hidden:
                    b.hidden, b.hidden_root = hidden, hidden_root
                if footer:
                    b.footer = True
            in_anchor += 1
        if tag in _BLOCK:
            block_has_child_block[block.mem_id] = True
            b.flush(path_stack, block, False)
            path_stack.append(_label(attrs, tag))
            stack.append((node, True, state))
            child_state = (hidden, hidden_root, footer, in_anchor, node, True)
        else:
            if direct:
                b.nodes.append(node)
            child_state = (hidden, hidden_root, footer, in_anchor, block, False)
        child = node.last_child
        while child is not None:
            stack.append((child, False, child_state))
            child = child.prev
    else:
        b.flush(path_stack, root, False)
        return truncated
    b.flush(path_stack, None, False)
    return truncated


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


def _tame(html: str) -> str:
    """``html`` with over-deep nesting and over-long selects flattened (see ``MAX_DEPTH``)."""
    if html.count("<") <= MAX_DEPTH or not _could_be_deep(html):
        return html  # cannot nest deeper than it has tags / than the estimate allows
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


def segment_html(html: str, *, max_nodes: int = 2_000_000, max_links: int = 500_000) -> Page:
    """Parse and segment an HTML page."""
    main, tail = split_tail(html)
    tree = LexborHTMLParser(_tame(main))
    hidden_css = _hidden_classes(tree)
    tail_tree = LexborHTMLParser(_tame(tail)) if tail else None
    if tail_tree is not None:
        # An appended block may carry the style or script that hides it.
        for key, how in _hidden_classes(tail_tree).items():
            hidden_css.setdefault(key, how)
    segments: list[RawSegment] = []
    counters = [0, 0]
    root = tree.body or tree.root
    truncated = ""
    if root is not None:
        truncated = walk_html(
            root,
            tail=False,
            hidden_css=hidden_css,
            out=segments,
            max_nodes=max_nodes,
            max_links=max_links,
            counters=counters,
        )
    if tail_tree is not None and not truncated:
        troot = tail_tree.body or tail_tree.root
        if troot is not None:
            truncated = walk_html(
                troot,
                tail=True,
                hidden_css=hidden_css,
                out=segments,
                max_nodes=max_nodes,
                max_links=max_links,
                counters=counters,
            )
    base = _base_url(tree)
    return Page(segments, "html", base, tree, tail_tree, html, truncated)


def _base_url(tree: LexborHTMLParser) -> str | None:
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
                anchor_text=" ".join(links),
                anchor_chars=url_chars,
                path=f"line {i + 1}",
                start=start,
                end=pos,
            )
        )
    return Page(segments, "text", None, None, None, text)
