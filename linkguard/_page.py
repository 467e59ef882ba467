"""Whole-page verdicts: a page that carries injected spam, and a page that *is* spam.

Attackers plant whole pages on hacked hosts: a gambling article under ``/wp-content/uploads/``,
a lottery-keyword page on a ``.go.id`` portal, a casino guide on a school site.  Each line of
such a page can read as prose and there are often no links, so no single segment looks
injected; the page as a whole does.  The page model reads page-level evidence:

- how much of the text the segment model and the learned text model find spam-like, and
  whether that text hides (injections hide; a spam page shows itself);
- the form of a keyword list: spam terms and brand tokens per word, few full stops;
- calls to action (register, deposit, claim a bonus, the "alternative link");
- the title against the body, and the reporting stance of news about the topic;
- the page's own URL when it is known: an institutional host (``.go.id``, ``.ac.id``,
  ``.edu``) serving gambling, spam words in the path, random subdomains with digits, HTML
  served from an upload or asset folder;
- cloaking the page shows: scripts that check the visitor's user agent or referrer, redirects
  to another registrable domain, ``noindex`` on a page full of spam terms.

``spam_page`` means the page's main content is spam.  A legitimate gambling operator's own
site is a ``spam_page`` by this definition; its URL tells it apart (a registered casino domain
is not a university host).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from linkguard import _compiled
from linkguard._domains import host_info, page_domain, site_name, split_host
from linkguard._features import FEATURE_NAMES, PAGE_FEATURE_NAMES, URL_WORDS
from linkguard._label import top_reasons
from linkguard._lexicon import lexicon
from linkguard._native import proba as score_rows
from linkguard._normalize import normalize
from linkguard._segment import Page
from linkguard._textmodel import TextModel, score_texts

PAGE_LABELS = ("clean", "injected", "spam_page")


# Page reason codes: what the page-level evidence was (documented in the README).
_PAGE_REASON_OF: dict[str, str] = {
    "spam_text_share": "spam_content",
    "flagged_text_share": "spam_content",
    "max_score": "spam_content",
    "log_flagged_segments": "spam_content",
    "text_score_mean": "spam_content",
    "text_score_main": "spam_content",
    "text_spam_share": "spam_content",
    "page_text_mean": "spam_content",
    "page_text_main": "spam_content",
    "page_text_share": "spam_content",
    "term_density": "keyword_list",
    "families": "keyword_list",
    "brand_density": "keyword_list",
    "punct_per_word": "keyword_list",
    "cta_density": "calls_to_action",
    "title_terms": "spam_title",
    "title_text_score": "spam_title",
    "url_institutional": "institutional_host",
    "url_host_terms": "spam_url",
    "url_path_terms": "spam_url",
    "url_digit_subdomain": "spam_url",
    "url_odd_path": "spam_url",
    "noindex": "cloaking",
    "visitor_check": "cloaking",
    "offsite_redirect": "cloaking",
}
PAGE_REASON_CODES: tuple[str, ...] = tuple(dict.fromkeys(_PAGE_REASON_OF.values()))
_PAGE_REASON_COLS = [_PAGE_REASON_OF.get(name) for name in PAGE_FEATURE_NAMES]
_PIDX = {name: i for i, name in enumerate(PAGE_FEATURE_NAMES)}
_SIDX = {name: i for i, name in enumerate(FEATURE_NAMES)}
_FAMILY_COLS = [i for i, name in enumerate(FEATURE_NAMES) if name.startswith("terms_")]

_MAX_SCRIPT = 50_000
_SCRIPT_BUDGET = 4 * _MAX_SCRIPT
_NO_TITLE = -20.0
_REFRESH = re.compile(r"url\s*=\s*['\"]?([^'\"\s>]+)", re.IGNORECASE)
# ``window.location = ...``: the object before ``location`` changes nothing, and leaving it out
# lets the search skip ahead to each ``location`` instead of trying every position.
_SCRIPT_REDIRECT = re.compile(
    r"location(?:\.href)?\s*=\s*['\"](https?://[^'\"]{3,300})['\"]"
    r"|location\.(?:replace|assign)\(\s*['\"](https?://[^'\"]{3,300})['\"]",
    re.IGNORECASE,
)
_VISITOR_CHECK = re.compile(
    r"(?:navigator\.useragent|\$_server\[.http_user_agent.\]|http_user_agent)[^;]{0,200}?"
    r"(?:googlebot|bingbot|bot|spider|crawl|slurp|yandex|baidu)"
    r"|document\.referrer[^;]{0,200}?(?:google|bing|yahoo|yandex|baidu|duckduckgo)",
    re.IGNORECASE,
)
# Literal parts every match of the two patterns above contains: a quick search for them skips
# most scripts (the full patterns try their optional prefixes at every position of the code).
_VISITOR_HINT = re.compile(r"useragent|user_agent|referrer", re.IGNORECASE)
# A script that reads who the visitor is and, anywhere in the same code, names crawlers or
# search engines: the two halves of a cloaking check however far apart its author wrote them
# (a list of bot patterns, then ``bots.some(b => b.test(navigator.userAgent))``).
_READS_AGENT = re.compile(r"navigator\.useragent|http_user_agent", re.IGNORECASE)
_NAMES_CRAWLER = re.compile(
    r"googlebot|bingbot|slurp|yandex|baiduspider|duckduckbot|crawler|spider|\bbots?\b", re.IGNORECASE
)
_READS_REFERRER = re.compile(r"document\.referrer", re.IGNORECASE)
_NAMES_ENGINE = re.compile(r"google|bing|yahoo|yandex|baidu|duckduckgo", re.IGNORECASE)
_LOCATION = re.compile(r"location", re.IGNORECASE)
# HTML served from folders that hold uploads, assets or server internals, not pages.
_ODD_PATH = re.compile(
    r"/(?:wp-content/(?:uploads|plugins|themes)|wp-includes|wp-admin|assets?|images?|img|uploads?|files|"
    r"tmp|temp|cache|cgi-bin|\.well-known|vendor|storage|public/(?:uploads|storage)|media)/",
    re.IGNORECASE,
)
_DIGIT_LABEL = re.compile(r"^(?=[a-z0-9-]*\d)(?=[a-z0-9-]*[a-z])[a-z0-9-]{5,}$")


@dataclass(slots=True)
class PageMeta:
    """What a page says about itself outside its segments (HTML head and inline scripts)."""

    title: str = ""
    noindex: bool = False
    redirect: str = ""
    """Target of a meta refresh or of a script that sends the visitor elsewhere on load."""
    visitor_check: bool = False
    """An inline script looks at the visitor's user agent or referrer (cloaking for crawlers)."""
    sorts_visitors: bool = False
    """An inline script reads the visitor's user agent (or referrer) and names crawlers (or search
    engines) in the same code: :data:`visitor_check` read over the whole script, not one statement.
    Looked for only on a page with a :data:`redirect` (the one place it is read, :func:`cloaks`)."""


_HINT_WORDS = {hint: tuple(hint.pattern.split("|")) for hint in (_VISITOR_HINT, _LOCATION)}
# The same words for the compiled head read, which searches ASCII code for any of them.
_HINT_BYTES = tuple(word.encode("ascii") for words in _HINT_WORDS.values() for word in words)
# The same two patterns, case-sensitive, for the lower case of ASCII code: on ASCII text a
# case-insensitive match is a match of the lower-case pattern on the lower-cased text, at the
# same positions, and ``re`` skips ahead to a literal prefix only when matching case-sensitively.
_SCRIPT_REDIRECT_LOW = re.compile(_SCRIPT_REDIRECT.pattern)
_VISITOR_CHECK_LOW = re.compile(_VISITOR_CHECK.pattern)
_SORTS_LOW = {p: re.compile(p.pattern) for p in (_READS_AGENT, _NAMES_CRAWLER, _READS_REFERRER, _NAMES_ENGINE)}
# The same holds for code in any script that has none of these: the only non-ASCII characters
# that match an ASCII letter case-insensitively are these three and the Kelvin sign (which
# lower-cases to ``k``), and the dotted capital I is the only character whose lower case is
# two characters long (which would shift positions).
_CASE_UNSAFE = re.compile("[\u0130\u0131\u017f]")


def _lower_case(code: str) -> str | None:
    """``code.lower()`` when the case-sensitive patterns may read it in place of the case-insensitive
    ones on ``code``, else ``None``."""
    return code.lower() if code.isascii() or not _CASE_UNSAFE.search(code) else None


def _holds(code: str, low: str | None, hint: re.Pattern[str]) -> bool:
    """``hint.search(code)``; by plain substring tests on ``low``, the lower case of the code when
    :func:`_lower_case` allows it.

    Otherwise the pattern decides: with IGNORECASE a few non-ASCII letters (dotless i, long s,
    dotted capital I) match ASCII ones, and ``str.lower`` does not map them the same way.
    """
    if low is None:
        return hint.search(code) is not None
    return any(word in low for word in _HINT_WORDS[hint])


def head_tags(tree: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """The ``title``, ``meta`` and ``script`` elements of a parsed page, each in document order."""
    found: dict[str, list[Any]] = {"title": [], "meta": [], "script": []}
    for node in tree.css("title, meta, script"):
        found.setdefault(node.tag or "", []).append(node)
    return found["title"], found["meta"], found["script"]


def _hinted(code: str) -> bool:
    """Whether a script's code holds a literal hint of a visitor check or of a redirect."""
    low = _lower_case(code)
    return _holds(code, low, _VISITOR_HINT) or _holds(code, low, _LOCATION)


def script_codes(scripts: Sequence[Any]) -> list[str]:
    """The code of the inline scripts (each cut at ``_MAX_SCRIPT`` characters, the first
    ``_SCRIPT_BUDGET`` characters of them in all) that holds a hint of a visitor check or a
    redirect, in document order: the only scripts the cloaking patterns can match."""
    out: list[str] = []
    budget = _SCRIPT_BUDGET
    for script in scripts:
        if "src" in script.attributes or budget <= 0:
            continue
        code = script.text(deep=True)[:_MAX_SCRIPT]
        budget -= len(code)
        if _hinted(code):
            out.append(code)
    return out


MetaFacts = tuple[bool, list[str]]
"""What a page's ``meta`` elements say: ``noindex`` in a robots meta, and the ``content`` of each
refresh meta in document order."""


def meta_facts(metas: Sequence[Any]) -> MetaFacts:
    """:data:`MetaFacts` of a page's ``meta`` elements."""
    noindex = False
    refreshes: list[str] = []
    for m in metas:
        attrs = m.attributes
        name = (attrs.get("name") or "").lower()
        equiv = (attrs.get("http-equiv") or "").lower()
        content = attrs.get("content") or ""
        if name in ("robots", "googlebot") and "noindex" in content.lower():
            noindex = True
        if equiv == "refresh":
            refreshes.append(content)
    return noindex, refreshes


def head_meta(tree: Any) -> tuple[list[Any], MetaFacts, list[str]]:
    """The ``title`` elements of a parsed page, what its ``meta`` elements say and the code of its
    inline scripts that may hold cloaking (compiled when available: one walk, no object per
    ``meta``, and only hinted code made into strings).  The compiled list may also hold non-ASCII
    code without a hint; :func:`page_meta` tests every code it reads."""
    core = _compiled.core
    if core is not None:
        found: tuple[list[Any], MetaFacts, list[str]] = core.head_meta(tree, _MAX_SCRIPT, _SCRIPT_BUDGET, _HINT_BYTES)
        return found
    titles, metas, scripts = head_tags(tree)
    return titles, meta_facts(metas), script_codes(scripts)


def page_meta(tree: Any) -> PageMeta:
    """Title, robots, refresh and script redirects, visitor checks of a parsed page."""
    if tree is None:
        return PageMeta()
    return _meta_of(*head_meta(tree))


def page_cloaks(tree: Any, url: str | None) -> bool:
    """``cloaks(page_meta(tree), url)``, with the titles and metas read only when a script may
    sort visitors (most pages have none, and then the page cannot cloak)."""
    if tree is None:
        return False
    titles, facts, codes = head_meta(tree)
    return bool(codes) and cloaks(_meta_of(titles, facts, codes), url)


def _meta_of(titles: list[Any], facts: MetaFacts, codes: list[str]) -> PageMeta:
    """:func:`page_meta` from what :func:`head_meta` found."""
    meta = PageMeta()
    if titles:
        meta.title = " ".join(titles[0].text(deep=True).split())[:500]
    meta.noindex = facts[0]
    for content in facts[1]:
        refresh = _REFRESH.search(content)
        if refresh:
            meta.redirect = refresh.group(1)
            break
    lows = [_lower_case(code) for code in codes]
    for code, low in zip(codes, lows, strict=True):
        if meta.visitor_check and meta.redirect:
            break  # both settled: the other scripts cannot change them
        if not meta.visitor_check and _holds(code, low, _VISITOR_HINT):
            meta.visitor_check = (
                _VISITOR_CHECK.search(code) if low is None else _VISITOR_CHECK_LOW.search(low)
            ) is not None
        if not meta.redirect and _holds(code, low, _LOCATION):
            hit = _SCRIPT_REDIRECT.search(code) if low is None else _SCRIPT_REDIRECT_LOW.search(low)
            if hit:
                group = 1 if hit.group(1) else 2
                meta.redirect = code[hit.start(group) : hit.end(group)]
    if meta.redirect:  # only a page that sends its visitors elsewhere can cloak (see ``cloaks``)
        meta.sorts_visitors = any(_sorts_visitors(code, low) for code, low in zip(codes, lows, strict=True))
    return meta


def _sorts_visitors(code: str, low: str | None) -> bool:
    """Whether one script's code reads who the visitor is and names crawlers or search engines
    (``low``: :func:`_lower_case` of the code)."""
    if not _holds(code, low, _VISITOR_HINT):
        return False

    def found(pattern: re.Pattern[str]) -> bool:
        # On the lower case where it may stand in (see _lower_case): a case-sensitive search
        # skips ahead to the pattern's literals, a case-insensitive one reads every character.
        return (pattern.search(code) if low is None else _SORTS_LOW[pattern].search(low)) is not None

    return (found(_READS_AGENT) and found(_NAMES_CRAWLER)) or (found(_READS_REFERRER) and found(_NAMES_ENGINE))


def _url_features(
    url: str | None, lex: Any, host_terms: str = "links"
) -> tuple[float, float, float, float, float, float]:
    """``url_known, institutional, host_terms, path_terms, digit_subdomain, odd_path`` of the page URL
    (``host_terms``: the fragments the host is read for, see :data:`URL_HOST_TERMS`)."""
    if not url:
        return (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    host = split_host(url if "//" in url[:12] else "http://" + url)
    info = host_info(host)
    domain = info.domain
    rest = url.split("//", 1)[-1]
    path = rest[len(rest.split("/", 1)[0]) :]
    words = URL_WORDS.sub(" ", _unquote(path).lower())
    path_terms = float(lex.family_counts([words]).sum()) if words.strip() else 0.0
    sub = host[: -len(domain)].rstrip(".") if domain and host.endswith(domain) else ""
    digit_sub = any(_DIGIT_LABEL.match(label) for label in sub.split(".") if label)
    return (
        1.0,
        1.0 if info.institutional else 0.0,
        1.0 if (lex.page_host_has_term if host_terms == "page" else lex.host_has_term)(site_name(host)) else 0.0,
        float(np.log1p(path_terms)),
        1.0 if digit_sub else 0.0,
        1.0 if _ODD_PATH.search(path) else 0.0,
    )


def _unquote(path: str) -> str:
    from urllib.parse import unquote

    try:
        return unquote(path)
    except (ValueError, UnicodeError):
        return path


def page_features(
    modes: Sequence[str],
    metas: Sequence[PageMeta],
    urls: Sequence[str | None],
    X: np.ndarray,
    pidx: np.ndarray,
    proba: np.ndarray,
    threshold: float | np.ndarray,
    text_model: TextModel | None,
    page_text: np.ndarray | None = None,
    host_terms: str = "links",
) -> np.ndarray:
    """Page feature matrix ``(len(modes), len(PAGE_FEATURE_NAMES))`` from the segment matrix and scores.

    ``modes`` (``html``/``text``), ``metas`` and ``urls`` describe each page; ``X``, ``pidx`` and
    ``proba`` are the segment features, owning page and spam probability of the whole batch.
    ``page_text`` is each segment's score by the page model's own text model (the ``page_text_*``
    columns; 0 without one).  ``host_terms``: which fragments ``url_host_terms`` reads the page's
    host name for (:data:`URL_HOST_TERMS`).
    """
    lex = lexicon()
    out = np.zeros((len(modes), len(PAGE_FEATURE_NAMES)), dtype=np.float32)
    if not len(modes):
        return out
    chars_all = np.expm1(X[:, _SIDX["log_chars"]])
    words_all = np.expm1(X[:, _SIDX["log_words"]])
    titles = [normalize(m.title)[0] for m in metas]
    title_terms = lex.family_counts(titles).sum(axis=1)
    title_scores = (
        score_texts(text_model, titles) if text_model is not None else np.zeros(len(titles), dtype=np.float32)
    )
    cta_all = np.expm1(X[:, _SIDX["cta_terms"]])
    starts = np.searchsorted(pidx, np.arange(len(modes)), side="left")
    ends = np.searchsorted(pidx, np.arange(len(modes)), side="right")
    for p, (mode, meta, url) in enumerate(zip(modes, metas, urls, strict=True)):
        a, b = int(starts[p]), int(ends[p])
        row = out[p]
        row[_PIDX["text_mode"]] = 1.0 if mode == "text" else 0.0
        (
            row[_PIDX["url_known"]],
            row[_PIDX["url_institutional"]],
            row[_PIDX["url_host_terms"]],
            row[_PIDX["url_path_terms"]],
            row[_PIDX["url_digit_subdomain"]],
            row[_PIDX["url_odd_path"]],
        ) = _url_features(url, lex, host_terms)
        # No title (text mode, or none given): its own value, below any real score, not a neutral 0.
        row[_PIDX["title_terms"]] = np.log1p(title_terms[p]) if meta.title else -1.0
        row[_PIDX["title_text_score"]] = title_scores[p] if meta.title else _NO_TITLE
        row[_PIDX["noindex"]] = 1.0 if meta.noindex else 0.0
        row[_PIDX["visitor_check"]] = 1.0 if meta.visitor_check else 0.0
        row[_PIDX["offsite_redirect"]] = 1.0 if redirects_offsite(meta, url) else 0.0
        if b <= a:
            continue
        Xp = X[a:b]
        chars = chars_all[a:b]
        words = words_all[a:b]
        total_chars = max(float(chars.sum()), 1.0)
        total_words = max(float(words.sum()), 1.0)
        p_seg = proba[a:b]
        flagged = p_seg >= (threshold[a:b] if isinstance(threshold, np.ndarray) else threshold)
        row[_PIDX["log_words"]] = np.log1p(total_words)
        row[_PIDX["log_segments"]] = np.log1p(b - a)
        row[_PIDX["spam_text_share"]] = float(chars[p_seg >= 0.5].sum()) / total_chars
        row[_PIDX["flagged_text_share"]] = float(chars[flagged].sum()) / total_chars
        row[_PIDX["max_score"]] = float(p_seg.max())
        row[_PIDX["log_flagged_segments"]] = np.log1p(float(flagged.sum()))
        if flagged.any():
            hidden = (Xp[:, _SIDX["hidden"]] > 0) | (Xp[:, _SIDX["after_end"]] > 0)
            row[_PIDX["hidden_flagged_share"]] = float(chars[flagged & hidden].sum()) / max(
                float(chars[flagged].sum()), 1.0
            )
        main = Xp[:, _SIDX["in_main_text"]] > 0
        row[_TEXT_SCORE_COLS] = _text_columns(Xp[:, _SIDX["text_score"]], chars, main, total_chars)
        if page_text is not None:
            row[_PAGE_TEXT_COLS] = _text_columns(page_text[a:b], chars, main, total_chars)
        fam = np.expm1(Xp[:, _FAMILY_COLS])
        row[_PIDX["term_density"]] = min(float(fam.sum()) / total_words, 1.0)
        row[_PIDX["families"]] = float((fam.sum(axis=0) > 0).sum())
        row[_PIDX["brand_density"]] = min(float(np.expm1(Xp[:, _SIDX["log_brand_tokens"]]).sum()) / total_words, 1.0)
        row[_PIDX["punct_per_word"]] = float((Xp[:, _SIDX["punct_ratio"]] * words).sum()) / total_words
        row[_PIDX["cta_density"]] = min(100.0 * float(cta_all[a:b].sum()) / total_words, 50.0)
        row[_PIDX["stance_density"]] = min(
            100.0 * float(np.expm1(Xp[:, _SIDX["stance_terms"]]).sum()) / total_words, 50.0
        )
        row[_PIDX["link_text_share"]] = float((Xp[:, _SIDX["link_density"]] * chars).sum()) / total_chars
        links = np.expm1(Xp[:, _SIDX["log_links"]])
        row[_PIDX["offsite_link_share"]] = float((Xp[:, _SIDX["offsite_share"]] * links).sum()) / max(
            float(links.sum()), 1.0
        )
    return out


_TEXT_SCORE_COLS = [_PIDX[n] for n in ("text_score_mean", "text_score_main", "text_spam_share")]
_PAGE_TEXT_COLS = [_PIDX[n] for n in ("page_text_mean", "page_text_main", "page_text_share")]


def _text_columns(scores: np.ndarray, chars: np.ndarray, main: np.ndarray, total_chars: float) -> list[float]:
    """A page's text-model columns from its segments' scores: the mean weighted by characters,
    the same over the main text (the whole page's when it has none), the share of text scoring
    above 0."""
    mean = float((scores * chars).sum()) / total_chars
    in_main = float((scores[main] * chars[main]).sum()) / max(float(chars[main].sum()), 1.0) if main.any() else mean
    return [mean, in_main, float(chars[scores > 0].sum()) / total_chars]


def page_reasons(contrib: np.ndarray) -> tuple[str, ...]:
    """Page reason codes: the page features that pushed the page score up most."""
    return top_reasons(contrib, _PAGE_REASON_COLS, limit=10)


MIN_SEGMENT_SCORE = 0.5
"""For page models that do not say otherwise: a ``spam_page`` needs some of its own content to
read as spam, at least one segment scoring this much.  A page model records its own bar as
``metadata["min_segment_score"]`` (chosen in training on the same criterion as its threshold):
a spam page written as prose (an escort ad, an essay mill's pitch) has no segment that reads as
an injected block, and a bar of 0.5 kept such pages out whatever the page model said."""


def min_segment_score(page_model: Any) -> float:
    """The page model's bar on the page's highest segment score (:data:`MIN_SEGMENT_SCORE` if unsaid)."""
    bar = getattr(page_model, "metadata", {}).get("min_segment_score", MIN_SEGMENT_SCORE)
    return float(bar) if isinstance(bar, (int, float)) and 0.0 <= float(bar) <= 1.0 else MIN_SEGMENT_SCORE


BAR_WAIVERS = ("url_host_terms",)
"""Page features that may stand in for the bar (a model names its own in ``metadata["bar_waivers"]``).

The page's own host name naming a spam topic (``viagra6freesamples.ru``, ``luxuryescortpakistan.pk``,
``best-essay-writer-online.blogspot.com``) is evidence of intent that a prose spam page's segments
do not give.  A page about the topic rarely has it: 1 of 578 real about-the-topic excerpts of the
training and validation splits comes from such a host (a pharmacy regulator's news), against 16 %
with a topic word in the URL path (``/payday-loan-alternatives``, ``/powerball-jackpot``), so the
path is not one."""


URL_HOST_TERMS = ("links", "page")
"""What ``url_host_terms`` reads the page's own host name for: the fragments of spam link targets'
hosts (``links``, ``host_terms.txt``), or those and the fragments of spam pages' own hosts
(``page``, ``page_host_terms.txt`` as well: loans and credit in several languages, call girls,
drug names, essay mills).  A page model records its own in ``metadata["url_host_terms"]``
(``links`` when it does not say, as models before it did not)."""


def url_host_terms(page_model: Any) -> str:
    """The fragments the page model's ``url_host_terms`` was fitted on (see :data:`URL_HOST_TERMS`)."""
    value = getattr(page_model, "metadata", {}).get("url_host_terms", "links")
    return value if value in URL_HOST_TERMS else "links"


def bar_waivers(page_model: Any) -> tuple[str, ...]:
    """The page features whose being above 0 waives the bar on the highest segment score (none if unsaid)."""
    names = getattr(page_model, "metadata", {}).get("bar_waivers", ())
    if not isinstance(names, (list, tuple)):
        return ()
    return tuple(n for n in names if n in BAR_WAIVERS)


def bar_free_score(page_model: Any) -> float | None:
    """The page score at or above which the page model needs no segment over the bar (``None``
    when the model names none, as models before it did not).

    The bar keeps out pages whose only evidence is a page score just over the threshold.  A
    prose spam page (an escort ad, an essay mill's pitch, a doorway's article) has no segment
    that reads as an injected block, but the page model can still be close to certain of it;
    such a page needs a score this high (``metadata["bar_free_score"]``, chosen in training on
    the same criterion as the threshold, above it)."""
    value = getattr(page_model, "metadata", {}).get("bar_free_score")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        return None
    return float(value)


def is_spam_page(
    P: np.ndarray,
    scores: np.ndarray,
    threshold: float,
    min_segment: float = MIN_SEGMENT_SCORE,
    waivers: Sequence[str] = (),
    bar_free: float | None = None,
) -> np.ndarray:
    """The ``spam_page`` decision for page rows ``P`` with page-model ``scores``: the score at or
    above the threshold, and a segment at or above ``min_segment`` or a ``waivers`` feature above 0;
    or, with ``bar_free``, a score at or above it alone (the page as a whole is evidence enough)."""
    bar = P[:, _PIDX["max_score"]] >= min_segment
    for name in waivers:
        bar = bar | (P[:, _PIDX[name]] > 0)
    if bar_free is not None:
        bar = bar | (scores >= bar_free)
    return np.asarray((scores >= threshold) & bar)


def cloaks(meta: PageMeta, url: str | None) -> bool:
    """Whether the page sorts its visitors (:attr:`PageMeta.sorts_visitors`) and sends them to
    another registrable domain (a meta refresh or a script redirect): a doorway that shows
    crawlers one page and people another, whatever its own text says.

    The page model has both signals as features, but too few real cloaking pages exist to
    teach it that together they settle the question, and alone each is common: ordinary pages
    read the user agent, and pages of a moved site refresh to its new domain.  None of the 510
    pages of the shared corpus does both."""
    return meta.sorts_visitors and redirects_offsite(meta, url)


def redirects_offsite(meta: PageMeta, url: str | None) -> bool:
    """Whether the page's redirect goes to a registrable domain other than the page's own (any
    domain when the page's URL is unknown)."""
    if not meta.redirect:
        return False
    target = page_domain(meta.redirect)
    return bool(target) and target != page_domain(url)


@dataclass(frozen=True, slots=True)
class PageVerdict:
    """The page-level answer: ``clean``, ``injected`` or ``spam_page``, its score and reasons."""

    label: str
    score: float | None
    """Probability that the page itself is spam (``None`` when the model has no page model)."""
    reasons: tuple[str, ...]


def page_verdicts(
    pages: Sequence[Page],
    urls: Sequence[str | None],
    X: np.ndarray,
    pidx: np.ndarray,
    proba: np.ndarray,
    threshold: float | np.ndarray,
    has_spam: Sequence[bool],
    model: Any,
    texts: Sequence[str] | None = None,
) -> list[PageVerdict]:
    """One verdict per page: ``spam_page`` when the page model says so or the page
    :func:`cloaks`, else ``injected`` when a segment is spam, else ``clean``.  ``model`` is the
    segment model (its ``page`` and ``text``).

    ``texts`` are the normalised segment texts (rows of ``X``): the page model may carry a text
    model of its own, fitted on whole spam pages too, which reads them.  The segment model's
    text model is fitted on injected blocks; a spam page's prose (an escort ad, a doorway's
    question list) reads unlike those, and teaching that one model such pages costs the
    segment verdicts, so the page verdict has its own."""
    page_model = getattr(model, "page", None)
    if page_model is None:
        return [PageVerdict("injected" if s else "clean", None, ()) for s in has_spam]
    page_model = page_model.for_columns(PAGE_FEATURE_NAMES)
    metas = [page_meta(p.tree) if p.mode == "html" else PageMeta() for p in pages]
    own_text = getattr(page_model, "text", None)
    page_text = score_texts(own_text, list(texts)) if own_text is not None and texts is not None else None
    P = page_features(
        [p.mode for p in pages],
        metas,
        urls,
        X,
        pidx,
        proba,
        threshold,
        model.text,
        page_text,
        url_host_terms(page_model),
    )
    scores = score_rows(page_model, P)
    spam_page = is_spam_page(
        P,
        scores,
        page_model.threshold,
        min_segment_score(page_model),
        bar_waivers(page_model),
        bar_free_score(page_model),
    )
    cloaked = np.asarray([cloaks(m, u) for m, u in zip(metas, urls, strict=True)], dtype=bool)
    spam_page = spam_page | cloaked
    contrib = page_model.contributions(P[spam_page]) if spam_page.any() else np.zeros((0, P.shape[1]))
    out: list[PageVerdict] = []
    k = 0
    for i, s in enumerate(has_spam):
        if spam_page[i]:
            reasons = page_reasons(contrib[k])
            if cloaked[i]:
                reasons = ("cloaking", *(r for r in reasons if r != "cloaking"))
            out.append(PageVerdict("spam_page", float(scores[i]), reasons))
            k += 1
        else:
            out.append(PageVerdict("injected" if s else "clean", float(scores[i]), ()))
    return out
