"""A whole-page screen that answers "clean" before any feature is computed.

Crawl filtering mostly meets ordinary pages, and most of the cost of a scan is the
features, the models and the report of each segment, not the parse.  The screen reads the
segmented page as a whole and clears it only when none of the evidence the model leans on
is there: nothing after the end of the document; no cloaking (:func:`linkguard._page.cloaks`,
a spam page by rule); no link to a raw IP or to a host named for
spam; no hidden block linking to other sites; no run of links to many other sites; no
brand-shaped anchor; no spam vocabulary in the text, anchors or URLs (spelling disguises
undone); no segment the text model reads as spam.  Anything else goes to the full scan,
which reuses the same segments.

It is opt-in because a page it clears is never scored: an injection of plain-looking links
with plain anchors and plain words passes it.  The rules and their two numbers
(:data:`RUN_DOMAINS`, :data:`TEXT_LOGIT`) were set on training and validation pages; the
benchmark reports what they pass and what they lose on pages that played no part.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import numpy as np

from linkguard import _compiled
from linkguard._domains import host_info, netloc_host, page_domain, redirect_target, split_host
from linkguard._lexicon import lexicon
from linkguard._normalize import CONFUSABLE, GREEK_CYRILLIC, INVISIBLE, LEET_DIGITS, LEET_LETTERS
from linkguard._page import page_cloaks
from linkguard._segment import Page, RawSegment
from linkguard._textmodel import TextScorer, score_texts

RUN_DOMAINS = 8
"""A segment linking to this many other registrable domains is a link run: full scan."""
HIDDEN_DOMAINS = 2
"""A hidden segment linking to this many other registrable domains: full scan (one is a share button)."""
TEXT_LOGIT = 1.0
"""A segment the text model scores at or above these log-odds of spam: full scan."""
_MIN_TEXT = 20
"""Shorter segments are not read by the text model here (menus, labels)."""

# Folding for the screen is coarser than :mod:`linkguard._normalize` and errs the safe way:
# every digit or symbol that leetspeak uses is read as a letter everywhere, look-alike Cyrillic
# and Greek letters as Latin ones everywhere, invisible characters dropped, and letters spaced
# apart joined.  Over-folding can only add vocabulary hits, which send a page to the full scan.
# Leet characters are ASCII, and no byte of a multi-byte UTF-8 sequence is, so the swap runs
# on the encoded bytes (``bytes.translate`` is some twenty times faster than ``str.translate``).
_LEET = bytes.maketrans(LEET_DIGITS.encode(), LEET_LETTERS.encode())
_SPACED = re.compile(r"\b(?:\w ){3,}\w\b")
_SPACED_HINT = re.compile(r" \w \w ")
"""A cheap search with a literal start that every spaced-out word matches (the full pattern is slow)."""
# The host of an absolute or scheme-relative link; relative links stay on the page's host.
_NETLOC = re.compile(r"[ \t\n\r\f\x00-\x1f]*(?:[a-z][a-z0-9+.\-]{0,15}:)?//([^/?#\\]*)", re.IGNORECASE)


def _folded(text: str) -> list[str]:
    """The text lower-cased as written, and once more with every disguise read as letters
    (compiled when available; the same strings)."""
    core = _compiled.core
    if core is not None:
        folded: list[str] = core.screen_fold(text, CONFUSABLE)
        return folded
    return _fold_reference(text)


def _fold_reference(text: str) -> list[str]:
    """:func:`_folded`, the reference."""
    low = text.lower()
    plain = low
    if not low.isascii():
        if not unicodedata.is_normalized("NFKC", low):
            low = unicodedata.normalize("NFKC", low).lower()
        low = INVISIBLE.sub("", low)
        if GREEK_CYRILLIC.search(low):
            low = low.translate(CONFUSABLE)
    if "&" in low:
        low = html.unescape(low)
    if "\\" in low:
        low = low.replace("\\n", " ").replace("\\t", " ").replace("\\r", " ")
    low = low.encode("utf-8", "surrogatepass").translate(_LEET).decode("utf-8", "surrogatepass")
    if _SPACED_HINT.search(low):
        low = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), low)
    return [plain, low] if low != plain else [plain]


def _host(href: str, base_host: str) -> str:
    """Lower-case host a link points to (``base_host`` for a relative link)."""
    m = _NETLOC.match(href)
    if m is None:
        return base_host
    return netloc_host(m.group(1).rpartition("@")[2].lower())


@lru_cache(maxsize=16384)
def _spam_name(domain: str) -> bool:
    """Whether a registrable domain's name carries a spam word or a brand shape (``slot88``)."""
    name = domain.partition(".")[0]
    lex = lexicon()
    return lex.host_has_term(name) or bool(lex.brand.search(name))


_LINK_HELPERS = (redirect_target, netloc_host, host_info, _spam_name)
"""What the compiled :func:`_link_evidence` hands back to Python (with their caches)."""


def _link_evidence(page: Page, url: str | None) -> str:
    """The first link-borne reason to scan the page in full, ``""`` for none (compiled when
    available; the same answer)."""
    home = page_domain(url) or page_domain(page.base_url)
    base = url or page.base_url
    base_host = split_host(base) if base else ""
    core = _compiled.core
    if core is not None:
        why: str = core.link_evidence(page.segments, home, base_host, HIDDEN_DOMAINS, RUN_DOMAINS, _LINK_HELPERS)
        return why
    return _link_evidence_reference(page.segments, home, base_host)


def _link_evidence_reference(segments: list[RawSegment], home: str, base_host: str) -> str:
    """:func:`_link_evidence`, the reference."""
    # A page repeats its links (menus, footers, "read more"): each distinct href is read once.
    hosts: dict[str, str] = {}
    for seg in segments:
        others: set[str] = set()
        for href in seg.links:
            host = hosts.get(href)
            if host is None:
                host = hosts[href] = _host(redirect_target(href), base_host)
            if not host:
                continue
            info = host_info(host)
            if info.is_ip:
                return "raw_ip_links"
            if not info.domain or info.domain == home:
                continue
            if _spam_name(info.domain):
                return "spam_host"
            others.add(info.domain)
        if seg.hidden and len(others) >= HIDDEN_DOMAINS:
            return "hidden_offsite_links"
        if len(others) >= RUN_DOMAINS:
            return "link_run"
    return ""


def prescreen(page: Page, url: str | None, text_model: TextScorer | None = None) -> str:
    """``""`` when the page is plainly clean, else the first evidence that calls for a full scan."""
    segments = page.segments
    if any(seg.after_end or seg.tail for seg in segments):
        return "after_html_end"
    why = _link_evidence(page, url)
    if why:
        return why
    lex = lexicon()
    anchors = "\n".join(seg.anchor_text for seg in segments if seg.anchor_text)
    if anchors and lex.brand_counts(_folded(anchors)).any():
        return "brand_anchor"
    words = "\n".join([seg.text for seg in segments] + [href for seg in segments for href in seg.links])
    if lex.family_counts(_folded(words)).any():
        return "spam_terms"
    if text_model is not None:
        texts = [seg.text.lower() for seg in segments if len(seg.text) >= _MIN_TEXT]
        if texts and float(np.max(score_texts(text_model, texts))) >= TEXT_LOGIT:
            return "spam_text"
    # Last: only a page about to be cleared reads its head here (the full scan reads it anyway).
    if page.mode == "html" and page_cloaks(page.tree, url):
        return "cloaking"  # a spam page by rule, whatever its text says
    return ""
