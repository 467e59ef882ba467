"""The ways injected blocks hide themselves from readers while staying in the markup.

Three sources say an element is hidden: its own inline ``style`` (``display:none``,
a -9999px offset, 0px text, a 1px box with overflow hidden, text coloured like its
background), a page stylesheet rule on a ``.class`` or ``#id`` it carries, and a short
inline script that hides it on load.  Each rule has a name, which becomes the
segment's ``hidden`` value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser

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
_COLOR_NAMES = {"white": "#ffffff", "#fff": "#ffffff", "black": "#000000", "#000": "#000000"}
_SIMPLE_SELECTOR = re.compile(r"^\s*([.#])([A-Za-z0-9_\-]{1,80})\s*$")
_TINY_MARQUEE = re.compile(r"(?:^|\s)[0-6](?:px)?(?:\s|$)")

_MAX_STYLESHEET = 2_000_000
"""Longer ``<style>`` text is skipped (no injection ships a 2 MB stylesheet)."""
_MAX_RULE_BODY = 2000
_MAX_SELECTORS = 400

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
MAX_HIDING_SCRIPT = 20_000
"""Longer scripts are application code (menus toggled on click), not an injected one-liner."""


@lru_cache(maxsize=8192)
def style_hiding(style: str) -> str:
    """Which hiding trick an inline style (lower-cased) uses, ``""`` for none."""
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


def marquee_hiding(width: str | None, height: str | None) -> str:
    """A ``<marquee>`` a few pixels wide or high scrolls its links where nobody sees them."""
    w = (width or "") + " " + (height or "")
    return "tiny_box" if _TINY_MARQUEE.search(w) else ""


def _css_rules(css: str) -> Iterator[tuple[str, str]]:
    """``(selectors, declarations)`` of flat rules, in one linear pass (a regex here backtracks)."""
    for chunk in css.split("}"):
        selectors, sep, body = chunk.rpartition("{")
        if sep and len(body) <= _MAX_RULE_BODY:
            yield selectors.rpartition("{")[2][-_MAX_SELECTORS:], body


def stylesheet_hiding(css: str, found: dict[str, str]) -> None:
    """Add the ``.class``/``#id`` selectors a stylesheet hides (later rules win)."""
    if not css or len(css) > _MAX_STYLESHEET:
        return
    for selectors, body in _css_rules(css):
        how = style_hiding(body.lower())
        if not how:
            continue
        for sel in selectors.split(","):
            m = _SIMPLE_SELECTOR.match(sel)
            if m:
                found[m.group(1) + m.group(2)] = how


def script_hiding(code: str, found: dict[str, str]) -> None:
    """Add the ``#id``/``.class`` targets a short inline script hides on load (first wins)."""
    if not code or len(code) > MAX_HIDING_SCRIPT or ("none" not in code and "hid" not in code):
        return
    for m in _JS_HIDE.finditer(code):
        by_id, query, by_class, jq = m.group(1), m.group(2), m.group(3), m.group(4)
        key = "#" + by_id if by_id else "." + by_class if by_class else (query or jq)
        found.setdefault(key, "js")


def hidden_selectors(tree: LexborHTMLParser) -> dict[str, str]:
    """``.class``/``#id`` selectors hidden by page stylesheets (``<style>``) or on-load scripts."""
    found: dict[str, str] = {}
    for script in tree.css("script"):
        if "src" not in script.attributes:
            script_hiding(script.text(deep=True), found)
    for style in tree.css("style"):
        stylesheet_hiding(style.text(deep=True), found)
    return found
