"""What a page says about itself in its head and inline scripts (``_page.page_meta``)."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser
from strategies import core_pages, html_pages

from linkguard import _compiled, _page

_PIECES = [
    "navigator.userAgent",
    "NAVIGATOR.USERAGENT",
    "$_SERVER['HTTP_USER_AGENT']",
    "document.referrer",
    " googlebot ",
    " Google ",
    "[/bot/i, /crawler/i]",
    "bots.some(b => b.test(navigator.userAgent))",
    " bottom ",
    "window.location = 'https://casino.example/x'",
    "location.replace('http://a.example/b')",
    'top.location.href="https://b.example/"',
    "LOCATION",
    ";",
    " if (",
    "x",
    "ı",
    "K",
    "\u212a",
    "\u017f",
    "\u0130",
    "Ж",
    "é",
]


def _meta(script: str) -> _page.PageMeta:
    return _page.page_meta(LexborHTMLParser(f"<html><head><script>{script}</script></head><body>x</body></html>"))


def _by_full_patterns(script: str) -> tuple[bool, str, bool]:
    """The three verdicts from the full patterns alone, without the literal pre-search."""
    node = LexborHTMLParser(f"<script>{script}</script>").css_first("script")
    assert node is not None
    code = node.text(deep=True)
    found = _page._SCRIPT_REDIRECT.search(code)
    redirect = (found.group(1) or found.group(2)) if found else ""
    sorts = bool(_page._READS_AGENT.search(code) and _page._NAMES_CRAWLER.search(code)) or bool(
        _page._READS_REFERRER.search(code) and _page._NAMES_ENGINE.search(code)
    )
    return _page._VISITOR_CHECK.search(code) is not None, redirect, sorts and bool(redirect)


def test_cloaking_and_redirect_scripts_are_read() -> None:
    meta = _meta("if (navigator.userAgent.match(/Googlebot/i)) { window.location = 'https://slot.example/' }")
    assert meta.visitor_check and meta.redirect == "https://slot.example/"
    plain = _meta("var a = 1; console.log(document.title);")
    assert not plain.visitor_check and not plain.redirect and not plain.sorts_visitors


# A cloaking kit's script as they are written: the crawler patterns in a list, the test of the
# user agent statements later, the redirect in a timer.
_KIT = """
(function () {
  function listed() {
    const names = [/bot/i, /crawler/i, /spider/i, /google/i, /bing/i];
    return names.some(n => n.test(navigator.userAgent));
  }
  if (!listed()) {
    setTimeout(function () { window.location.href = "TARGET"; }, 1500);
  }
})();
"""


def _kit_page(script: str) -> str:
    body = "<p>Welcome to the parish newsletter. The choir meets on Thursdays in the hall.</p>" * 3
    return f"<html><head><title>Parish news</title><script>{script}</script></head><body>{body}</body></html>"


def test_a_page_that_sends_people_but_not_crawlers_elsewhere_is_a_spam_page() -> None:
    """A script that sorts visitors and a redirect to another registrable domain make a spam page
    with reason ``cloaking``, whatever the page model scores; either half alone, or a redirect
    within the page's own site, does not."""
    import linkguard

    url = "https://www.parish.example.org/news"
    kit = _KIT.replace("TARGET", "https://bonus-slots.example.com/landing")
    assert _meta(kit).sorts_visitors and not _meta(kit).visitor_check  # the one-statement read misses it
    report = linkguard.scan(_kit_page(kit), url=url)
    assert report.page_label == "spam_page" and report.page_reasons[0] == "cloaking"
    assert linkguard.scan(_kit_page(kit), url=None).page_label == "spam_page"  # any absolute target, page unknown
    same_site = _KIT.replace("TARGET", "https://m.parish.example.org/news")
    no_crawlers = _KIT.replace("/bot/i, /crawler/i, /spider/i, /google/i, /bing/i", "/iphone/i, /android/i")
    no_crawlers = no_crawlers.replace("TARGET", "https://apps.example.net/app")
    no_redirect = _KIT.replace('window.location.href = "TARGET";', "showBanner();")
    for script in (same_site, no_crawlers, no_redirect):
        assert linkguard.scan(_kit_page(script), url=url).page_label == "clean", script
    # The same holds for a referrer check that names a search engine.
    ref = "if (/google|bing/.test(document.referrer)) { location.replace('https://pills.example.net/'); }"
    assert linkguard.scan(_kit_page(ref), url=url).page_label == "spam_page"


@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=8), max_size=12).map("".join))
def test_literal_pre_search_never_changes_a_verdict(script: str) -> None:
    meta = _meta(script)
    assert (meta.visitor_check, meta.redirect, meta.sorts_visitors) == _by_full_patterns(script)


def test_case_folding_exceptions_are_the_known_ones() -> None:
    """What lets lower-cased code stand in for case-insensitive patterns: outside ASCII, only the
    three characters of ``_CASE_UNSAFE`` and the Kelvin sign match an ASCII letter, and only the
    dotted capital I lower-cases to more than one character."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    outside = [chr(c) for c in range(0x80, sys.maxunicode + 1) if letter.fullmatch(chr(c))]
    assert sorted(outside) == sorted(["\u0130", "\u0131", "\u017f", "\u212a"])
    assert "\u212a".lower() == "k"
    assert [c for c in outside if _page._CASE_UNSAFE.fullmatch(c)] == sorted(["\u0130", "\u0131", "\u017f"])
    longer = [chr(c) for c in range(0x80, sys.maxunicode + 1) if len(chr(c).lower()) != 1]
    assert longer == ["\u0130"]


_NESTED = (
    "<html><head><title>a</title><meta name=robots content=noindex></head><body><svg><title>t</title>"
    "<script>s</script></svg><math><mi><script>m</script></mi></math><template><meta name=x><script>x</script>"
    "</template><noscript><meta name=y></noscript><iframe><title>no</title></iframe><textarea><script>ta</script>"
    "</textarea><title>late</title></body></html><script>after</script>"
)


def _head(tree: LexborHTMLParser, native: bool) -> tuple[list[tuple[int, str | None]], _page.MetaFacts, list[str]]:
    with pytest.MonkeyPatch.context() as patch:
        if not native:
            patch.setattr(_compiled, "core", None)
        titles, facts, codes = _page.head_meta(tree)
    return [(n.mem_id, n.tag) for n in titles], facts, codes


_SCRIPT_BODY = st.lists(st.sampled_from(_PIECES) | st.text(max_size=8), max_size=10).map("".join)


@st.composite
def _script_pages(draw: st.DrawFn) -> str:
    """Pages of inline and external scripts (some long enough to cut, or to spend the budget)."""
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        body = draw(_SCRIPT_BODY)
        if draw(st.booleans()):
            body = body + "x" * draw(st.sampled_from([0, 10, _page._MAX_SCRIPT - 5, _page._MAX_SCRIPT + 7]))
            body = body + draw(_SCRIPT_BODY)
        src = draw(st.sampled_from(["", " src=a.js", " SRC", " type=module"]))
        parts.append(f"<script{src}>{body}</script>")
    return "<html><head><title>t</title>" + "".join(parts) + "</head><body>x</body></html>"


_META_NAMES = ["name", "NAME", "http-equiv", "HTTP-EQUIV", "content", "xlink:name", "names", "nam"]
_META_VALUES = [
    "robots",
    "ROBOTS",
    "googlebot",
    "Googlebot ",
    "röbots",
    "refresh",
    "REFRESH",
    "refresh ",
    "noindex",
    "NOINDEX,follow",
    "noİndex",
    "0; url=https://casino.example/x",
    "5;URL='/a'",
    "x",
]


_READY_METAS = [
    '<meta name="ROBOTS" content="NOINDEX, follow">',
    '<meta name=googlebot content="noindex">',
    '<meta name=robots content="no\u0130ndex">',
    "<meta name=robots name=x content=noindex>",
    "<meta name=x name=robots content=noindex>",
    "<meta name=robots content>",
    '<meta http-equiv=Refresh content="0;url=https://casino.example/landing">',
    "<meta http-equiv=refresh content=\"5; URL='/moved'\">",
    "<meta http-equiv=refresh>",
    '<meta http-equiv="refresh" content="30">',
]


@st.composite
def _meta_pages(draw: st.DrawFn) -> str:
    """Pages of ``meta`` elements with the attributes the page verdict reads, in any case, repeated,
    without a value, namespaced or in foreign content."""
    metas = []
    for _ in range(draw(st.integers(0, 5))):
        attrs = []
        for _ in range(draw(st.integers(0, 4))):
            name = draw(st.sampled_from(_META_NAMES))
            value = draw(st.none() | st.sampled_from(_META_VALUES))
            attrs.append(name if value is None else f'{name}="{value}"')
        meta = "<meta " + " ".join(attrs) + ">"
        if draw(st.booleans()):
            meta = draw(st.sampled_from(_READY_METAS))
        if draw(st.booleans()):
            meta = f"<svg>{meta}</svg>"
        metas.append(meta)
    return "<html><head>" + "".join(metas[:2]) + "</head><body>" + "".join(metas[2:]) + "x</body></html>"


@pytest.mark.skipif(_compiled.core is None, reason="compiled core not built (pure-Python install)")
@given(st.one_of(html_pages(), core_pages(), _script_pages(), _meta_pages(), st.just(_NESTED)))
def test_head_meta_equals_the_reference(page: str) -> None:
    """The compiled walk finds the title and meta elements the selector query finds, in order,
    and among its script code exactly the hinted code the reference keeps."""
    tree = LexborHTMLParser(page)
    (tags, facts, codes), (ref_tags, ref_facts, ref_codes) = _head(tree, True), _head(tree, False)
    assert tags == ref_tags
    assert facts == ref_facts
    assert [c for c in codes if _page._hinted(c)] == ref_codes
    with pytest.MonkeyPatch.context() as patch:
        compiled = _page.page_meta(tree)
        patch.setattr(_compiled, "core", None)
        assert _page.page_meta(tree) == compiled


def test_the_prescreen_never_clears_a_cloaking_page() -> None:
    """The prescreen answers "clean" only where the full scan would: a cloaking page with plain
    text goes to the full scan (and is a spam page there)."""
    import linkguard

    kit = _KIT.replace("TARGET", "https://bonus-slots.example.com/landing")
    report = linkguard.scan(
        _kit_page(kit), url="https://www.parish.example.org/news", config=linkguard.Config(prescreen=True)
    )
    assert not report.prescreened and report.page_label == "spam_page"
    plain = linkguard.scan(
        _kit_page("showBanner();"), url="https://www.parish.example.org/news", config=linkguard.Config(prescreen=True)
    )
    assert plain.prescreened and plain.page_label == "clean"


@st.composite
def _refresh_pages(draw: st.DrawFn) -> str:
    """Script pages, some with a meta refresh to another site before their scripts."""
    page = draw(_script_pages())
    if draw(st.booleans()):
        target = draw(st.sampled_from(["https://casino.example/x", "https://www.parish.example.org/y", "/z"]))
        page = page.replace("<head>", f'<head><meta http-equiv="refresh" content="0; url={target}">', 1)
    return page


@given(
    page=st.one_of(html_pages(), _script_pages(), _refresh_pages()),
    url=st.sampled_from([None, "https://www.parish.example.org/news"]),
    native=st.booleans(),
)
def test_page_cloaks_equals_cloaks_of_page_meta(page: str, url: str | None, native: bool) -> None:
    """The prescreen's short cut (no title or meta read when no script may sort visitors) gives
    the verdict of the whole head read, on both paths."""
    tree = LexborHTMLParser(page)
    with pytest.MonkeyPatch.context() as patch:
        if not native:
            patch.setattr(_compiled, "core", None)
        assert _page.page_cloaks(tree, url) == _page.cloaks(_page.page_meta(tree), url)
    assert not _page.page_cloaks(None, url)
