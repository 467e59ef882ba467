"""Segments to a feature matrix.

Every feature is a named column of one ``float32`` matrix built for a whole batch
of pages at once, so the model scores thousands of segments with a single matrix
product.  Features describe *structure* (links, where they point, where the
segment sits, whether it is hidden) as much as words: a gambling term in an
article about gambling is not spam, the same term as the anchor of an off-site
link in a hidden box after the footer is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from linkguard import _compiled
from linkguard._domains import _origin, absolute, host_info, page_domain, redirect_target, split_host
from linkguard._lexicon import FAMILIES, lexicon
from linkguard._normalize import mixed_script_words, normalize_many
from linkguard._segment import Page, RawSegment
from linkguard._textmodel import TextModel, score_texts

_BASE_FEATURES: tuple[str, ...] = (
    "log_chars",
    "log_words",
    "log_lines",
    "words_per_line",
    "log_links",
    "link_density",
    "links_per_word",
    "raw_ip_share",
    "log_raw_ip",
    "offsite_share",
    "log_offsite_domains",
    "domain_diversity",
    "institutional_share",
    "root_link_share",
    "digit_domain_share",
    "spam_host_share",
    *(f"terms_{f}" for f in FAMILIES),
    "log_terms_in_links",
    "log_brand_tokens",
    "n_families",
    "term_density",
    "hidden",
    "hidden_offscreen",
    "in_footer",
    "after_end",
    "after_last_content",
    "in_main_text",
    "script_mismatch",
    "mixed_script_words",
    "disguises",
    "text_score",
    "stance_terms",
    "cta_terms",
    "punct_ratio",
    "text_mode",
    "page_domain_unknown",
    "in_code",
    "in_caption",
)
_CONTEXT_FEATURES: tuple[str, ...] = (
    "nbr_terms",
    "nbr_raw_ip",
    "nbr_offsite_links",
    "nbr_brand_tokens",
    "nbr_stance",
    "links_x_terms_offsite",
    "hidden_x_offsite_links",
    "trailing_x_links",
    "text_contrast",
)
FEATURE_NAMES: tuple[str, ...] = _BASE_FEATURES + _CONTEXT_FEATURES
"""Column names of the feature matrix, in order (documented in the README)."""

PAGE_FEATURE_NAMES: tuple[str, ...] = (
    "log_words",
    "log_segments",
    "text_mode",
    "url_known",
    "spam_text_share",
    "flagged_text_share",
    "max_score",
    "log_flagged_segments",
    "hidden_flagged_share",
    "text_score_mean",
    "text_score_main",
    "text_spam_share",
    "term_density",
    "families",
    "brand_density",
    "punct_per_word",
    "cta_density",
    "stance_density",
    "title_terms",
    "title_text_score",
    "url_institutional",
    "url_host_terms",
    "url_path_terms",
    "url_digit_subdomain",
    "url_odd_path",
    "noindex",
    "visitor_check",
    "offsite_redirect",
    "link_text_share",
    "offsite_link_share",
    "page_text_mean",
    "page_text_main",
    "page_text_share",
)
"""Columns of the page feature matrix, in order."""

LINK_FEATURE_NAMES: tuple[str, ...] = (
    "seg_score",
    "seg_hidden",
    "seg_after_end",
    "seg_after_last_content",
    "seg_in_footer",
    "seg_in_main_text",
    "seg_log_links",
    "seg_offsite_share",
    "seg_text_score",
    "seg_log_offsite_domains",
    "text_mode",
    "offsite",
    "raw_ip",
    "institutional",
    "digit_domain",
    "spam_host",
    "root_link",
    "lone_domain",
    "log_domain_links",
    "segment_domain_share",
    "anchor_is_url",
    "log_anchor_chars",
    "anchor_terms",
    "url_terms",
    "anchor_brand",
    "anchor_text_score",
)
"""Columns of the link feature matrix (one row per link), in order."""

_IDX = {name: i for i, name in enumerate(FEATURE_NAMES)}
_FAMILY_COLS = np.asarray([_IDX[f"terms_{f}"] for f in FAMILIES])
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "sms:", "whatsapp:")
URL_WORDS = re.compile(r"[^0-9a-z\u00c0-\uffff]+")
_PUNCT = re.compile(r"[.!?;:,](?=\s|$)|[\u3002\uff0c\u3001\u0e2f]")
_CONTENT_WORDS = 25

# Unicode blocks that decide a text's script; index 0 = other/none.
_SCRIPT_EDGES = np.asarray(
    [
        0x41,
        0x250,
        0x370,
        0x400,
        0x530,
        0x590,
        0x600,
        0x700,
        0x900,
        0xE00,
        0xE80,
        0x1100,
        0x1200,
        0x3040,
        0x3100,
        0x3400,
        0xA000,
        0xAC00,
        0xD7B0,
    ],
    dtype=np.uint32,
)
# Bins after searchsorted: 1 latin, 2 latin-ext/ipa, 3 greek, 4 cyrillic, 5 armenian, 6 hebrew,
# 7 arabic, 8 other, 9 indic, 10 thai, 11 other, 12 hangul jamo, 13 other, 14 kana, 15 other,
# 16 cjk, 17 other, 18 hangul, 19 other
_SCRIPT_OF_BIN = np.asarray([0, 1, 1, 2, 3, 0, 4, 5, 0, 6, 7, 0, 8, 0, 9, 0, 10, 0, 8, 0], dtype=np.int64)
_N_SCRIPTS = 11
_THAI, _KANA, _CJK = 7, 9, 10
_CJK_CHARS_PER_WORD = 1.7
_THAI_CHARS_PER_WORD = 4.0


def _scripts(texts: Sequence[str]) -> np.ndarray:
    """Letter counts per script for each text: ``(len(texts), _N_SCRIPTS)``."""
    out = np.zeros((len(texts), _N_SCRIPTS), dtype=np.float32)
    if not texts:
        return out
    joined = "".join(texts)
    if not joined:
        return out
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bins = np.searchsorted(_SCRIPT_EDGES, codes, side="right")
    script = _SCRIPT_OF_BIN[bins]
    # ASCII punctuation and digits fall in the latin bin; keep only letters there.
    is_ascii = codes < 0x80
    ascii_letter = ((codes | 0x20) >= 0x61) & ((codes | 0x20) <= 0x7A)
    script = np.where(is_ascii & ~ascii_letter, 0, script)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    owner = np.repeat(np.arange(len(texts)), lengths)
    counts = np.bincount(owner * _N_SCRIPTS + script, minlength=len(texts) * _N_SCRIPTS)
    out = counts.reshape(len(texts), _N_SCRIPTS).astype(np.float32)
    out[:, 0] = 0.0
    return out


def _page_home(page: Page, url: str | None) -> tuple[str, bool]:
    """The page's own registrable domain and whether it had to be guessed."""
    home = page_domain(url) or page_domain(page.base_url)
    if home:
        return home, False
    # No URL: the domain most links point to is, on real pages, the site itself.
    counts: Counter[str] = Counter()
    for seg in page.segments:
        for href in seg.links:
            host = split_host(href.strip())
            if host:
                counts[host_info(host).domain] += 1
    if counts:
        domain, n = counts.most_common(1)[0]
        if n >= 3 and n >= 0.25 * sum(counts.values()):
            return domain, True
    return "", True


@lru_cache(maxsize=65536)
def _url_parts(url: str) -> tuple[str, bool]:
    """Host of an absolute (or ``www.``) URL and whether it points at a site's bare root."""
    if "//" in url[:12]:
        host = split_host(url)
        rest = url.split("//", 1)[1]
    elif url[:4].lower() == "www.":
        host = split_host("http://" + url)
        rest = url
    else:
        return "", False
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i != -1), default=len(rest))
    tail = rest[cut:].split("#", 1)[0]
    path, _, query = tail.partition("?")
    return host, path in ("", "/") and not query


page_home = _page_home
url_parts = _url_parts


@lru_cache(maxsize=65536)
def _host_has_term(domain: str) -> bool:
    return lexicon().host_has_term(domain)


@dataclass(slots=True)
class LinkTable:
    """The judged links of one page, in document order, with what the features read of each.

    Built once per page: the segment features count over it and the link verdicts read it, so
    a link is resolved, split and looked up once.  Links with a skipped scheme (``mailto:``,
    ``#`` …) or an empty ``href`` are not in it.
    """

    hrefs: list[str] = field(default_factory=list)
    """Absolute when the page URL or ``<base>`` is known."""
    anchors: list[str] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    """Registrable domain (``""`` when the link has no usable host)."""
    flags: list[tuple[float, float, float, float, float, float]] = field(default_factory=list)
    """``offsite, raw_ip, institutional and off-site, digits in the name (not an IP), spam host,
    bare root and off-site`` as 0/1."""
    url_words: list[str] = field(default_factory=list)
    """The URL as words for off-site links, ``""`` for the others."""


_NO_FLAGS = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def link_table(segments: Sequence[RawSegment], base: str | None, home: str) -> LinkTable:
    """Every judged link of a page's segments, resolved against ``base``, read against ``home``
    (compiled when available; the same table either way)."""
    core = _compiled.core
    if core is not None:
        return LinkTable(*core.link_table(segments, base, home, _REFERENCE))
    return _link_table(segments, base, home)


def _link_table(segments: Sequence[RawSegment], base: str | None, home: str) -> LinkTable:
    """:func:`link_table`, the reference."""
    out = LinkTable()
    for s, seg in enumerate(segments):
        if not seg.links:  # most segments
            continue
        anchors = seg.anchors if len(seg.anchors) == len(seg.links) else [""] * len(seg.links)
        for href, anchor in zip(seg.links, anchors, strict=True):
            href = href.strip()
            if not href or href.lower().startswith(_SKIP_SCHEMES):
                continue
            url = absolute(href, base)
            out.hrefs.append(url)
            out.anchors.append(anchor)
            out.segments.append(s)
            url = redirect_target(url)  # a link through an open redirect is judged by its target
            host, is_root = _url_parts(url)
            info = host_info(host)  # no host, or no site: a record with no domain and no flags
            dom = info.domain
            out.domains.append(dom)
            if not dom:
                out.flags.append(_NO_FLAGS)
                out.url_words.append("")
                continue
            off = dom != home
            out.flags.append(
                (
                    1.0 if off else 0.0,
                    1.0 if info.is_ip else 0.0,
                    1.0 if (info.institutional and off) else 0.0,
                    1.0 if (info.digits_in_name and not info.is_ip) else 0.0,
                    1.0 if _host_has_term(dom) else 0.0,
                    1.0 if (is_root and off) else 0.0,
                )
            )
            out.url_words.append(URL_WORDS.sub(" ", url[:300].lower()) if off else "")
    return out


_REFERENCE = (
    _SKIP_SCHEMES,
    absolute,
    _url_parts,
    _origin,
    host_info,
    _host_has_term,
    redirect_target,
)
"""The schemes the compiled :func:`link_table` skips, and the helpers it hands its less common
links to (with their caches): a link that may go through an open redirect is unwrapped by
:func:`~linkguard._domains.redirect_target` here too."""


_SEEN_HIDING = frozenset(("offscreen", "tiny_box", "font_size_0", "color"))
"""Ways of hiding that leave the text on the page but out of sight (``hidden_offscreen``)."""

SegmentRows = tuple[list[str], list[str], np.ndarray, np.ndarray, list[list[str]]]


def segment_rows(segments: Sequence[RawSegment], table: LinkTable) -> SegmentRows:
    """What the features read of each segment of one page: its text, its link text (anchors and
    off-site URL words), six layout values (lines, anchor characters, hidden, hidden out of sight,
    footer, after the end), nine link counts, and its absolute links (compiled when available;
    the same rows either way)."""
    core = _compiled.core
    if core is not None:
        rows: SegmentRows = core.segment_rows(
            segments, table.hrefs, table.segments, table.domains, table.flags, table.url_words, _SEEN_HIDING
        )
        return rows
    return _segment_rows(segments, table)


def _segment_rows(segments: Sequence[RawSegment], table: LinkTable) -> SegmentRows:
    """:func:`segment_rows`, the reference."""
    stats, words, urls = _link_stats(table, len(segments))
    texts: list[str] = []
    link_texts: list[str] = []
    layout: list[tuple[float, ...]] = []
    for seg, url_words in zip(segments, words, strict=True):
        texts.append(seg.text)
        link_texts.append((seg.anchor_text + " " + url_words).strip())
        layout.append(
            (
                float(seg.n_lines),
                float(seg.anchor_chars),
                1.0 if seg.hidden else 0.0,
                1.0 if seg.hidden in _SEEN_HIDING else 0.0,
                1.0 if seg.in_footer else 0.0,
                1.0 if seg.after_end else 0.0,
            )
        )
    return (
        texts,
        link_texts,
        np.asarray(layout, dtype=np.float32).reshape(len(segments), 6),
        np.asarray(stats, dtype=np.float32).reshape(len(segments), 9),
        urls,
    )


def _link_stats(table: LinkTable, n_segments: int) -> tuple[list[list[float]], list[str], list[list[str]]]:
    """Per-segment link counts, the words of their off-site URLs, and their absolute URLs."""
    stats = [[0.0] * 9 for _ in range(n_segments)]
    words: list[list[str]] = [[] for _ in range(n_segments)]
    urls: list[list[str]] = [[] for _ in range(n_segments)]
    domains: dict[int, set[str]] = {}
    offsite_domains: dict[int, set[str]] = {}
    for s, url, dom, f, w in zip(table.segments, table.hrefs, table.domains, table.flags, table.url_words, strict=True):
        row = stats[s]
        row[0] += 1.0
        urls[s].append(url)
        if not dom:
            continue
        domains.setdefault(s, set()).add(dom)
        row[1] += f[1]
        if f[0]:
            row[2] += 1.0
            offsite_domains.setdefault(s, set()).add(dom)
            row[5] += f[2]
            row[6] += f[5]
            row[7] += f[3]
            row[8] += f[4]
            words[s].append(w)
    for s, doms in domains.items():
        stats[s][4] = float(len(doms))
    for s, doms in offsite_domains.items():
        stats[s][3] = float(len(doms))
    return stats, [" ".join(w) for w in words], urls


def _text_stats(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Characters, letters per script, whitespace tokens and sentence punctuation of each text
    (float32; compiled when available, the same counts either way)."""
    core = _compiled.core
    if core is not None:
        stats: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = core.text_stats(
            texts, _SCRIPT_EDGES, _SCRIPT_OF_BIN, _N_SCRIPTS
        )
        return stats
    n = len(texts)
    chars = np.fromiter((len(t) for t in texts), dtype=np.float32, count=n)
    tokens = np.fromiter((len(t.split()) for t in texts), dtype=np.float32, count=n)
    punct = np.fromiter((len(_PUNCT.findall(t)) for t in texts), dtype=np.float32, count=n)
    return chars, _scripts(texts), tokens, punct


_CODE_BLOCK = re.compile(r"(?:^|>)pre(?=[#.>]|$)")
_CAPTION = re.compile(r"(?:^|>)(?:fig)?caption(?=[#.>]|$)")


def _block_flags(segments: Sequence[RawSegment]) -> np.ndarray:
    """``in_code, in_caption`` of each segment (float32 rows), from its path of blocks.

    A code sample or a photo credit writes URLs out where readers copy them (a proxy setting, a
    request against a test server, ``cc https://flic.kr/p/...``); an injected block rarely sits
    there.  Whether that counts is the model's to learn: an injection could hide in a ``<pre>``
    too, so neither is a veto.  Compiled when available (the same values)."""
    core = _compiled.core
    if core is not None:
        flags: np.ndarray = core.block_flags(segments)
        return flags
    out: list[tuple[float, float]] = []
    for seg in segments:
        path = seg.path
        code = "pre" in path and _CODE_BLOCK.search(path) is not None
        caption = "caption" in path and _CAPTION.search(path) is not None
        out.append((1.0 if code else 0.0, 1.0 if caption else 0.0))
    return np.asarray(out, dtype=np.float32).reshape(-1, 2)


def _word_counts(tokens: np.ndarray, scripts: np.ndarray) -> np.ndarray:
    """Words per text, counted per script: Chinese, Japanese and Thai write no spaces, so a
    paragraph of them is one whitespace token; their letters are counted as words instead."""
    unspaced = scripts[:, _CJK] + scripts[:, _KANA]
    return np.asarray(tokens + unspaced / _CJK_CHARS_PER_WORD + scripts[:, _THAI] / _THAI_CHARS_PER_WORD)


def page_features(
    pages: Sequence[Page], urls: Sequence[str | None], text_model: TextModel | None = None
) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """Feature matrix for all segments of all pages.

    Returns ``(X, page_index, absolute_links)``: ``X[i]`` describes segment ``i`` of
    the flattened batch, ``page_index[i]`` the page it belongs to, and
    ``absolute_links[i]`` its links resolved against the page URL.  ``text_model`` gives
    the ``text_score`` column (0 without one).
    """
    found = features_and_links(pages, urls, text_model)
    return found.X, found.pidx, found.abs_links


class Featurised(NamedTuple):
    """What :func:`features_and_links` gives for a batch of pages, by name."""

    X: np.ndarray
    """One row of :data:`FEATURE_NAMES` per segment of the flattened batch."""
    pidx: np.ndarray
    """The page each row belongs to (non-decreasing)."""
    abs_links: list[list[str]]
    """Each segment's links, resolved against its page URL."""
    tables: list[LinkTable]
    """Each page's link table (which the link verdicts read)."""
    texts: list[str]
    """The normalised segment texts (which the page model's own text model reads)."""


def features_and_links(
    pages: Sequence[Page], urls: Sequence[str | None], text_model: TextModel | None = None
) -> Featurised:
    """:func:`page_features`, each page's :class:`LinkTable` and the normalised segment texts."""
    lex = lexicon()
    raw: list[str] = []
    link_texts: list[str] = []
    abs_links: list[list[str]] = []
    layouts: list[np.ndarray] = [np.zeros((0, 6), dtype=np.float32)]
    link_stats: list[np.ndarray] = [np.zeros((0, 9), dtype=np.float32)]
    page_cols: list[tuple[float, float]] = []
    blocks: list[np.ndarray] = [np.zeros((0, 2), dtype=np.float32)]
    sizes: list[int] = []
    tables: list[LinkTable] = []
    for page, url in zip(pages, urls, strict=True):
        home, guessed = _page_home(page, url)
        table = link_table(page.segments, url or page.base_url, home)
        tables.append(table)
        texts_p, link_texts_p, layout_p, stats_p, urls_p = segment_rows(page.segments, table)
        raw.extend(texts_p)
        link_texts.extend(link_texts_p)
        abs_links.extend(urls_p)
        layouts.append(layout_p)
        link_stats.append(stats_p)
        page_cols.append((1.0 if page.mode == "text" else 0.0, 1.0 if (guessed and not home) else 0.0))
        blocks.append(_block_flags(page.segments))
        sizes.append(len(page.segments))
    n = len(raw)
    X = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float32)
    pidx = np.repeat(np.arange(len(pages), dtype=np.int64), np.asarray(sizes, dtype=np.int64))
    if n == 0:
        return Featurised(X, pidx, abs_links, tables, [])
    ends = np.cumsum(sizes)
    bounds = list(zip((ends - sizes).tolist(), ends.tolist(), strict=True))
    L = np.concatenate(link_stats)
    # Layout columns, then the page's text mode and unknown-domain flag on each of its segments.
    M = np.concatenate([np.concatenate(layouts), np.asarray(page_cols, dtype=np.float32).reshape(-1, 2)[pidx]], axis=1)
    n_lines, anchor_chars = M[:, 0], M[:, 1]
    chars, scripts, tokens, punct = _text_stats(raw)
    n_words = _word_counts(tokens, scripts)

    # "Content" = prose: enough words and mostly not link text.  A segment after the last of
    # them sits where appended injections land.
    is_content = (n_words >= _CONTENT_WORDS) & (anchor_chars < 0.5 * chars)
    after_last = np.zeros(n, dtype=np.float32)
    in_main = np.zeros(n, dtype=np.float32)
    for a, b in bounds:
        hits = np.flatnonzero(is_content[a:b])
        if len(hits):
            first, last = a + int(hits[0]), a + int(hits[-1])
            in_main[first : last + 1] = 1.0
        else:
            last = a - 1
        after_last[last + 1 : b] = 1.0

    n_links, raw_ip, offsite, off_domains, domains = L[:, 0], L[:, 1], L[:, 2], L[:, 3], L[:, 4]
    safe_links = np.maximum(n_links, 1.0)
    safe_off = np.maximum(offsite, 1.0)

    texts, disguised = normalize_many(raw)
    link_norm, link_disguised = normalize_many(link_texts)
    fam_text, stance, cta = lex.text_counts(texts)
    fam_links = lex.family_counts(link_norm)
    brand = lex.brand_counts(texts)
    total_terms = fam_text.sum(axis=1)

    X[:, _IDX["log_chars"]] = np.log1p(chars)
    X[:, _IDX["log_words"]] = np.log1p(n_words)
    X[:, _IDX["log_lines"]] = np.log1p(n_lines)
    X[:, _IDX["words_per_line"]] = np.log1p(n_words / np.maximum(n_lines, 1.0))
    X[:, _IDX["log_links"]] = np.log1p(n_links)
    X[:, _IDX["link_density"]] = np.minimum(anchor_chars / np.maximum(chars, 1.0), 1.0)
    X[:, _IDX["links_per_word"]] = np.minimum(n_links / np.maximum(n_words, 1.0), 2.0)
    X[:, _IDX["raw_ip_share"]] = raw_ip / safe_links
    X[:, _IDX["log_raw_ip"]] = np.log1p(raw_ip)
    X[:, _IDX["offsite_share"]] = offsite / safe_links
    X[:, _IDX["log_offsite_domains"]] = np.log1p(off_domains)
    X[:, _IDX["domain_diversity"]] = np.where(n_links > 0, domains / safe_links, 0.0)
    X[:, _IDX["institutional_share"]] = L[:, 5] / safe_off
    X[:, _IDX["root_link_share"]] = L[:, 6] / safe_off
    X[:, _IDX["digit_domain_share"]] = L[:, 7] / safe_off
    X[:, _IDX["spam_host_share"]] = L[:, 8] / safe_off
    X[:, _FAMILY_COLS] = np.log1p(fam_text)
    X[:, _IDX["log_terms_in_links"]] = np.log1p(fam_links.sum(axis=1))
    X[:, _IDX["log_brand_tokens"]] = np.log1p(brand)
    X[:, _IDX["n_families"]] = ((fam_text + fam_links) > 0).sum(axis=1)
    X[:, _IDX["term_density"]] = np.minimum(total_terms / np.maximum(n_words, 1.0), 1.0)
    X[:, _IDX["hidden"]] = M[:, 2]
    X[:, _IDX["hidden_offscreen"]] = M[:, 3]
    X[:, _IDX["in_footer"]] = M[:, 4]
    X[:, _IDX["after_end"]] = M[:, 5]
    X[:, _IDX["after_last_content"]] = after_last
    X[:, _IDX["in_main_text"]] = in_main
    X[:, _IDX["text_mode"]] = M[:, 6]
    X[:, _IDX["page_domain_unknown"]] = M[:, 7]
    B = np.concatenate(blocks)
    X[:, _IDX["in_code"]] = B[:, 0]
    X[:, _IDX["in_caption"]] = B[:, 1]

    seg_letters = scripts.sum(axis=1)
    page_scripts = np.zeros((int(pidx.max()) + 1, _N_SCRIPTS), dtype=np.float32)
    np.add.at(page_scripts, pidx, scripts)
    dominant = page_scripts.argmax(axis=1)[pidx]
    in_dominant = scripts[np.arange(n), dominant]
    X[:, _IDX["script_mismatch"]] = np.where(seg_letters > 0, 1.0 - in_dominant / np.maximum(seg_letters, 1.0), 0.0)
    X[:, _IDX["mixed_script_words"]] = np.log1p(mixed_script_words(raw))
    X[:, _IDX["disguises"]] = np.log1p(disguised + link_disguised)
    if text_model is not None:
        X[:, _IDX["text_score"]] = score_texts(text_model, texts)
    X[:, _IDX["stance_terms"]] = np.log1p(stance)
    X[:, _IDX["cta_terms"]] = np.log1p(cta)
    X[:, _IDX["punct_ratio"]] = np.minimum(punct / np.maximum(n_words, 1.0), 1.0)

    # Neighbour context: the strongest evidence in the segment before or after, same page.
    def neighbour_max(col: np.ndarray) -> np.ndarray:
        prev = np.concatenate(([0.0], col[:-1]))
        nxt = np.concatenate((col[1:], [0.0]))
        same_prev = np.concatenate(([False], pidx[1:] == pidx[:-1]))
        same_next = np.concatenate((pidx[:-1] == pidx[1:], [False]))
        return np.maximum(np.where(same_prev, prev, 0.0), np.where(same_next, nxt, 0.0))

    term_strength = np.log1p(total_terms + fam_links.sum(axis=1))
    X[:, _IDX["nbr_terms"]] = neighbour_max(term_strength)
    X[:, _IDX["nbr_raw_ip"]] = neighbour_max(X[:, _IDX["log_raw_ip"]])
    X[:, _IDX["nbr_offsite_links"]] = neighbour_max(np.log1p(offsite))
    X[:, _IDX["nbr_brand_tokens"]] = neighbour_max(X[:, _IDX["log_brand_tokens"]])
    X[:, _IDX["nbr_stance"]] = neighbour_max(X[:, _IDX["stance_terms"]])
    X[:, _IDX["links_x_terms_offsite"]] = np.log1p(fam_links.sum(axis=1)) * X[:, _IDX["offsite_share"]]
    X[:, _IDX["hidden_x_offsite_links"]] = M[:, 2] * np.log1p(offsite)
    X[:, _IDX["trailing_x_links"]] = np.maximum(M[:, 5], after_last) * np.log1p(offsite)
    X[:, _IDX["text_contrast"]] = text_contrast(X, pidx)
    return Featurised(X, pidx, abs_links, tables, texts)


def text_contrast(X: np.ndarray, pidx: np.ndarray) -> np.ndarray:
    """Each segment's ``text_score`` minus that of the rest of its page's main text.

    An injected block reads unlike the article it was put into, whatever its topic: a pharmacy
    pitch in a cooking blog, a lottery line under a council notice.  A heading of an article
    *about* gambling reads like the article around it.  So the contrast carries evidence that no
    word list names: the text score of the segment against the character-weighted mean of the
    other segments of the main text (of the whole page when no other segment is main text).  A
    segment with no other text on its page has nothing to contrast with: 0.  ``pidx`` is each
    row's page.
    """
    if not len(X):
        return np.zeros(0, dtype=np.float32)
    score = X[:, _IDX["text_score"]].astype(np.float64)
    chars = np.expm1(X[:, _IDX["log_chars"]].astype(np.float64))
    main = X[:, _IDX["in_main_text"]] > 0
    main_mean, main_ok = _others_mean(score, np.where(main, chars, 0.0), pidx)
    page_mean, page_ok = _others_mean(score, chars, pidx)
    out = np.where(main_ok, score - main_mean, np.where(page_ok, score - page_mean, 0.0))
    return np.asarray(out, dtype=np.float32)


def _others_mean(t: np.ndarray, w: np.ndarray, pidx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the ``w``-weighted mean of ``t`` over the other rows of its page, and
    where there is one (at least one character elsewhere: sums of floats, not exact zeros)."""
    n_pages = int(pidx.max()) + 1
    rest = np.bincount(pidx, weights=w, minlength=n_pages)[pidx] - w
    weighted = np.bincount(pidx, weights=w * t, minlength=n_pages)[pidx] - w * t
    ok = rest > 0.5
    return np.divide(weighted, rest, out=np.zeros(len(t)), where=ok), ok


_PROSE_WORDS = 20


def prose_mask(X: np.ndarray) -> np.ndarray:
    """Rows that are link-less paragraphs of prose inside the page's main text.

    Such a segment is the article's own writing; it is held to the model's prose threshold,
    which asks for stronger evidence than a link block or a hidden box does.
    """
    if not len(X):
        return np.zeros(0, dtype=bool)
    return np.asarray(
        (X[:, _IDX["log_links"]] == 0)
        & (X[:, _IDX["in_main_text"]] > 0)
        & (X[:, _IDX["log_words"]] >= np.log1p(_PROSE_WORDS))
    )


def hidden_link_mask(X: np.ndarray) -> np.ndarray:
    """Rows that are hidden and link to other sites: the shape of an injected link block.

    Such a segment is held to the model's hidden-link threshold, which asks for less evidence
    than a visible block does (a reader never sees it, and sites seldom hide links to others).
    Disjoint from :func:`prose_mask`, whose rows have no link."""
    if not len(X):
        return np.zeros(0, dtype=bool)
    return np.asarray(X[:, _IDX["hidden_x_offsite_links"]] > 0)


def segment_thresholds(
    X: np.ndarray, threshold: float, prose_threshold: float | None, hidden_threshold: float | None = None
) -> np.ndarray:
    """Each row's spam threshold: ``threshold``, raised to ``prose_threshold`` for prose rows and
    lowered to ``hidden_threshold`` for hidden rows with off-site links."""
    return row_thresholds(
        len(X),
        threshold,
        (prose_mask(X), prose_threshold) if prose_threshold is not None else None,
        (hidden_link_mask(X), hidden_threshold) if hidden_threshold is not None else None,
    )


def row_thresholds(
    n: int,
    threshold: float,
    prose: tuple[np.ndarray, float] | None = None,
    hidden: tuple[np.ndarray, float] | None = None,
) -> np.ndarray:
    """:func:`segment_thresholds` for rows whose kinds are known as masks (``(mask, threshold)``
    each): the prose threshold never below the general one, the hidden-link one never above."""
    out = np.full(n, threshold, dtype=np.float64)
    if prose is not None:
        out[prose[0]] = max(threshold, prose[1])
    if hidden is not None:
        out[hidden[0]] = min(threshold, hidden[1])
    return out
