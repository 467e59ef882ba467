"""Shared hypothesis strategies and helpers for the robustness tests.

Profiles: ``ci`` (default, fast) and ``fuzz`` (many examples); pick one with the
``HYPOTHESIS_PROFILE`` environment variable.
"""

from __future__ import annotations

import html as html_lib
import multiprocessing
import os
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from linkguard import FEATURE_NAMES

settings.register_profile(
    "ci",
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=5000,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# --- inputs -------------------------------------------------------------------------------

ABSURD_HREFS: tuple[str, ...] = (
    "javascript:alert(1)",
    "JaVaScRiPt:void(0)",
    "http://[::1]/",
    "http://[::1]:8080/x",
    "http://xn--80ak6aa92e.com/",
    "http://xn--/",
    "http://999.1.1.1/",
    "http://1.2.3.4.5/",
    "http://a b.com/",
    " http://spaces.example.com/ a ",
    "http://",
    "https://",
    "//",
    "///",
    "http://[broken",
    "http://[::1",
    "http://user:pw@[::1]:99999/",
    "http://example.com:99999999/",
    "http://%zz%/",
    "http://exa\tmple.com/",
    "http://\u0430\u0440\u0440\u04cf\u0435.com/",  # homoglyph host
    "http://.../",
    "http://-.-/",
    "mailto:",
    "data:text/html,<script>alert(1)</script>",
    "#",
    "",
    "\x00",
    "h" * 10_000,
    "http://" + "a" * 10_000 + ".com/",
    "http://example.com/" + "p" * 10_000,
    "http://" + ".".join(["a"] * 300),
)

hrefs = st.one_of(
    st.sampled_from(ABSURD_HREFS),
    st.text(max_size=60),
    st.builds(lambda h, p: f"http://{h}/{p}", st.text(max_size=30), st.text(max_size=30)),
)

# Disguised spam as it is written out in scraped text: escapes of every kind (written-out NULs,
# halves of UTF-16 pairs, entities of invalid code points), leetspeak, look-alikes, spacing.
_DISGUISE_PIECES = st.sampled_from(
    [
        *(r"\ud83d", r"\ude00", r"\u0000", r"\x00", r"\x41", r"\n", "\\", "&#0;", "&#xd800;", "&#115;", "&amp;"),
        *("s l o t ", "g4c0r", "5lot", "v1agra", "\u200b", "ѕlоt", "𝗴𝗮𝗰𝗼𝗿", "ｓｌｏｔ", "slot", "gacor", "88"),
        *(" ", "\n", "\x00", "http://1.2.3.4/", "www.", "スロット", "İ"),
    ]
)

# Any text, lone surrogates included (they reach us from surrogateescape'd or bad JSON data).
any_text = st.one_of(
    st.text(max_size=2000),
    st.text(st.characters(exclude_categories=()), max_size=500),
    st.lists(st.one_of(_DISGUISE_PIECES, st.text(max_size=4)), max_size=40).map("".join),
)
any_bytes = st.binary(max_size=4096)

_TAGS = (
    "div p a span ul ol li table tr td th b i font center footer section article br img "
    "script style noscript select option marquee h1 blockquote pre iframe svg custom-tag body html"
).split()
_VOID = frozenset(("br", "img"))
_STYLES = (
    "display:none",
    "visibility:hidden",
    "position:absolute;left:-9999px",
    "font-size:0",
    "height:1px;overflow:hidden",
    "color:#fff;background:#fff",
    "",
)
_WORDS = st.sampled_from(
    "the weather today is mild news article about football slot gacor casino viagra "
    "cheap loans judi online situs terpercaya 東京 天気 погода новости".split()
)
_text_runs = st.lists(st.one_of(_WORDS, st.text(max_size=12)), min_size=1, max_size=6).map(" ".join)


@st.composite
def _element(draw: st.DrawFn, children: st.SearchStrategy[list[str]]) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attrs = []
    if tag == "a":
        attrs.append(f'href="{html_lib.escape(draw(hrefs), quote=True)}"')
    style = draw(st.sampled_from(_STYLES))
    if style and draw(st.booleans()):
        attrs.append(f'style="{style}"')
    if draw(st.integers(0, 5)) == 0:
        attrs.append(f'class="{draw(st.sampled_from(["footer", "x", "site-info", "hide"]))}"')
    open_tag = f"<{tag}{' ' if attrs else ''}{' '.join(attrs)}>"
    if tag in _VOID:
        return open_tag
    inner = "".join(draw(children))
    closed = draw(st.integers(0, 9)) != 0  # one in ten left open
    return open_tag + inner + (f"</{tag}>" if closed else "")


_text_node = _text_runs.map(html_lib.escape)

html_fragments: st.SearchStrategy[str] = st.recursive(
    _text_node,
    lambda inner: _element(st.lists(inner, max_size=5)),
    max_leaves=40,
)


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    """Generated pages: a tree, optionally wrapped, deeply nested, commented or with a tail."""
    body = "".join(draw(st.lists(html_fragments, min_size=0, max_size=6)))
    depth = draw(st.sampled_from((0, 0, 0, 3, 50, 700)))
    if depth:
        tag = draw(st.sampled_from(("div", "span", "font", "ul", "b", "table")))
        body = f"<{tag}>" * depth + body + f"</{tag}>" * draw(st.integers(0, depth))
    if draw(st.booleans()):
        body = f"<html><head><title>t</title></head><body>{body}</body></html>"
    if draw(st.integers(0, 4)) == 0:
        body += "".join(draw(st.lists(html_fragments, max_size=3)))  # after </html>
    if draw(st.integers(0, 6)) == 0:
        body = "<!-- " + body[: len(body) // 2] + " -->" + body[len(body) // 2 :]
    return body


any_page = st.one_of(any_text, any_bytes, html_pages(), html_pages().map(lambda s: s.encode("utf-8")))

# --- records for score_records ------------------------------------------------------------

good_record = st.fixed_dictionaries(
    {"id": st.integers(), "html": st.one_of(html_pages(), any_text)},
    optional={"url": st.one_of(st.none(), hrefs), "encoding": st.sampled_from(["utf-8", "bogus", "cp1251"])},
)
bad_record = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.just({}),
    st.fixed_dictionaries({"id": st.integers()}),  # missing page
    st.fixed_dictionaries({"id": st.integers(), "html": st.one_of(st.integers(), st.floats(), st.lists(st.text()))}),
    st.fixed_dictionaries({"id": st.integers(), "html": any_bytes, "encoding": st.text(max_size=10)}),
    st.fixed_dictionaries({"id": st.integers(), "html": st.just(b"\xff\xfe\x00\xd8" * 50)}),
    st.fixed_dictionaries({"id": st.integers(), "text": st.text(), "mode": st.text(max_size=5)}),
    st.fixed_dictionaries({"id": st.integers(), "html": st.text(), "url": st.integers()}),
    st.fixed_dictionaries({"id": st.integers(), "status": st.sampled_from(["error", "skipped"])}),
    st.fixed_dictionaries({"id": st.integers(), "html": st.just("<p>big</p>" * 3000)}),
)
records = st.lists(st.one_of(good_record, bad_record), max_size=12)

# --- models that do not depend on training ------------------------------------------------


class StubModel:
    """Duck-typed model: scores from a fixed value, or pseudo-random per feature row.

    The bundled model changes with training; these make sure the spam and content
    paths (strip above all) are exercised whatever the bundled model says.
    """

    feature_names = FEATURE_NAMES
    text = None
    page = None

    def __init__(self, score: float | None = None, threshold: float = 0.5) -> None:
        self.score = score
        self.threshold = threshold

    def proba(self, X: np.ndarray) -> np.ndarray:
        if self.score is not None:
            return np.full(len(X), self.score)
        if len(X) == 0:
            return np.zeros(0)
        h = np.abs(np.nan_to_num(np.asarray(X, dtype=np.float64))).sum(axis=1) * 0.6180339887
        frac: np.ndarray = np.modf(h)[0]
        return frac

    def contributions(self, X: np.ndarray) -> np.ndarray:
        return np.zeros((len(X), len(FEATURE_NAMES)))

    def for_columns(self, columns: object) -> StubModel:
        return self


MODELS = {
    "all_spam": StubModel(0.99),
    "all_content": StubModel(0.01),
    "mixed": StubModel(None),
}

# --- hang guard ---------------------------------------------------------------------------


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as exc:
        conn.send(("raised", (type(exc).__module__, type(exc).__qualname__, str(exc)[:300], traceback.format_exc())))
    finally:
        conn.close()


def bounded(fn: Callable[..., Any], *args: Any, seconds: float = 60.0) -> Any:
    """Run ``fn(*args)`` in a forked child and return its (picklable) result.

    A hang fails the test after ``seconds`` instead of stalling the suite; an
    exception in the child is re-raised here as ``ChildError`` naming its type.
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise AssertionError(f"{getattr(fn, '__name__', fn)} did not finish within {seconds} s (hang?)")
        status, value = parent.recv()
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if status == "raised":
        module, name, message, tb = value
        raise ChildError(f"{module}.{name}: {message}\n{tb}", module, name)
    return value


class ChildError(Exception):
    """An exception raised inside :func:`bounded`'s child."""

    def __init__(self, text: str, module: str, name: str) -> None:
        super().__init__(text)
        self.type_name = f"{module}.{name}"


def visible(markup: str) -> str:
    """The text linkguard sees in a page (all its segments), whitespace removed, for containment.

    The segmenter is the oracle of what is visible (it skips script, style, svg … and
    reads what follows ``</html>``), so the check is about strip, not about parsing.
    """
    import linkguard

    report = linkguard.scan(markup, mode="html", model=MODELS["all_content"])  # type: ignore[arg-type]
    return "".join("".join(s.text.split()) for s in report.segments)


def squash(text: str) -> str:
    return "".join(text.split())


def clean_of(report: Any) -> str | None:
    """``report.clean_html()``, or ``None`` for a page judged to be spam itself, whose strip
    raises :class:`linkguard.SpamPageError` (checked here) because it has no article to keep."""
    import pytest

    from linkguard import SpamPageError

    if report.page_label == "spam_page":
        with pytest.raises(SpamPageError):
            report.clean_html()
        return None
    clean = report.clean_html()
    assert isinstance(clean, str)
    return clean


# --- pages for the compiled core: everything the walk reads -------------------------------

_SPACES = (" ", "\t", "\n", "\xa0", "\u2003", "\u3000", "\x1c", "\r\n", "\u200b")
_CLASS_WORDS = ("footer", "Site-Info", "x", "hide", "ſite-info", "nav", "bottom-bar", "copyright", "a" * 90, "ä")
_STYLE_PARTS = (
    "display:none",
    "display : None",
    "visibility:hidden",
    "opacity:0",
    "opacity: 0.0 !important",
    "position:absolute",
    "left:-9999px",
    "margin-top: - 600px",
    "text-indent:-100em",
    "font-size:0",
    "font-size: 0.5px",
    "font-size:9%",
    "font-size:small",
    "height:1px",
    "max-width:0",
    "overflow:hidden",
    "clip:rect(0 0 0 0)",
    "color:#fff",
    "background:#FFF",
    "background-color:white",
    "color:white",
    "width:100px",
    "line-height:1",
    "-webkit-box:1",
    "Display:NONE",
    "ſ",
    "K",
)


@st.composite
def _styled_element(draw: st.DrawFn, children: st.SearchStrategy[list[str]]) -> str:
    tag = draw(st.sampled_from((*_TAGS, "a", "a", "div", "footer", "dd", "dt", "template", "math", "textarea")))
    attrs: list[str] = []
    if tag == "a" and draw(st.integers(0, 4)):
        attrs.append(f'href="{html_lib.escape(draw(hrefs), quote=True)}"' if draw(st.integers(0, 5)) else "href")
    if draw(st.integers(0, 2)) == 0:
        style = ";".join(draw(st.lists(st.sampled_from(_STYLE_PARTS), max_size=4)))
        attrs.append(f'style="{html_lib.escape(style, quote=True)}"')
    if draw(st.integers(0, 2)) == 0:
        words = draw(st.lists(st.sampled_from(_CLASS_WORDS), max_size=3))
        attrs.append(f'class="{html_lib.escape(draw(st.sampled_from(_SPACES)).join(words), quote=True)}"')
    if draw(st.integers(0, 3)) == 0:
        attrs.append(f'id="{html_lib.escape(draw(st.sampled_from(_CLASS_WORDS)), quote=True)}"')
    if draw(st.integers(0, 8)) == 0:
        attrs.append("hidden")
    if tag == "marquee" or draw(st.integers(0, 8)) == 0:
        attrs.append(f'width="{draw(st.sampled_from(["1", "5px", "100", " 2 ", ""]))}"')
    open_tag = f"<{tag}{' ' if attrs else ''}{' '.join(attrs)}>"
    if tag in _VOID:
        return open_tag
    inner = "".join(draw(children))
    return open_tag + inner + (f"</{tag}>" if draw(st.integers(0, 9)) else "")


_styled_text = st.one_of(
    _text_runs.map(html_lib.escape),
    st.lists(st.sampled_from(_SPACES), min_size=1, max_size=3).map("".join),
    st.sampled_from(("see http://a.example/x and www.b.example", "&nbsp;&#x3000;", "x\u0000y", "&#xD800;", "é")),
)
_styled_fragments: st.SearchStrategy[str] = st.recursive(
    _styled_text, lambda inner: _styled_element(st.lists(inner, max_size=5)), max_leaves=40
)
_CSS_RULES = (
    ".hide{display:none}",
    "#x { visibility : hidden }",
    ".a, .nav ,div.b{position:absolute;left:-999px}",
    ".bottom-bar{font-size:0}",
    "@media print{.x{display:none}}",
    ".copyright{color:#fff;background:#fff}",
    ".{display:none}",
    ".footer{}",
    "}}{{",
    ".x{display:none",
    "/* .hide{display:none} */",
)
_SCRIPTS = (
    "document.getElementById('x').style.display='none';",
    "$('.hide').hide();",
    "jQuery('#nav').css('display', 'none')",
    "document.querySelector('.bottom-bar').style.visibility='hidden'",
    "document.getElementsByClassName('footer')[0].style.display = 'none'",
    "var none = 1; hid()",
)


@st.composite
def core_pages(draw: st.DrawFn) -> str:
    """Pages built from what the compiled walk reads: styles, classes, ids, stylesheets, scripts, tails."""
    body = "".join(draw(st.lists(_styled_fragments, max_size=6)))
    head = ""
    if draw(st.booleans()):
        head += "<style>" + "".join(draw(st.lists(st.sampled_from(_CSS_RULES), max_size=4))) + "</style>"
    if draw(st.booleans()):
        script = draw(st.sampled_from(_SCRIPTS))
        src = " src='a.js'" if draw(st.integers(0, 4)) == 0 else ""
        body += f"<script{src}>{script}</script>"
    page = f"<html><head>{head}</head><body>{body}</body></html>" if draw(st.booleans()) else head + body
    if draw(st.integers(0, 3)) == 0:
        page += draw(st.sampled_from(("", "\n", "<!-- c -->", "</body>", "</html>"))) + "".join(
            draw(st.lists(_styled_fragments, max_size=3))
        )
    return page
