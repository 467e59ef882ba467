"""Link-level verdicts: which exact links were planted.

A segment label says "this block is spam"; the people who clean a site or a crawl ask which
links to remove.  One spam anchor dropped into a row of real links, or appended to a credit
line, leaves its segment mostly legitimate; a legitimate link inside a spam block is not spam
either.  Each link is judged on its own: where it points (another site, a raw IP, a
university host it has nothing to do with, a domain that carries spam words), what its anchor
says (the word lists and the learned text model), how unusual it is on the page (the only link
to its domain, or one of a family of site links), and the block it sits in (its score, whether
it hides, whether it comes after the content).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from linkguard import _compiled
from linkguard._features import FEATURE_NAMES, LINK_FEATURE_NAMES, LinkTable, link_table, page_home
from linkguard._label import top_reasons
from linkguard._lexicon import lexicon
from linkguard._native import proba as score_rows
from linkguard._normalize import normalize_many
from linkguard._segment import Page, RawSegment
from linkguard._textmodel import TextModel, score_texts

_URLISH = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)
_SIDX = {name: i for i, name in enumerate(FEATURE_NAMES)}
_LIDX = {name: i for i, name in enumerate(LINK_FEATURE_NAMES)}
_SEG_COPIED = {
    "seg_hidden": "hidden",
    "seg_after_end": "after_end",
    "seg_after_last_content": "after_last_content",
    "seg_in_footer": "in_footer",
    "seg_in_main_text": "in_main_text",
    "seg_log_links": "log_links",
    "seg_offsite_share": "offsite_share",
    "seg_text_score": "text_score",
    "seg_log_offsite_domains": "log_offsite_domains",
    "text_mode": "text_mode",
}
_COPIED_TO = np.asarray([_LIDX[name] for name in _SEG_COPIED])
_COPIED_FROM = np.asarray([_SIDX[col] for col in _SEG_COPIED.values()])
_FLAG_COLS = np.asarray(
    [_LIDX[name] for name in ("offsite", "raw_ip", "institutional", "digit_domain", "spam_host", "root_link")]
)

_LINK_REASON_OF: dict[str, str] = {
    "seg_score": "in_spam_segment",
    "anchor_terms": "spam_terms_in_links",
    "url_terms": "spam_terms_in_links",
    "anchor_text_score": "spam_terms_in_links",
    "spam_host": "spam_terms_in_links",
    "anchor_brand": "brand_names",
    "raw_ip": "raw_ip_links",
    "institutional": "hijacked_domain",
    "offsite": "offsite_links",
    "root_link": "offsite_links",
    "digit_domain": "offsite_links",
    "lone_domain": "offsite_links",
    "seg_hidden": "hidden_style",
    "seg_after_end": "trailing_link_block",
    "seg_after_last_content": "trailing_link_block",
    "seg_in_footer": "footer_block",
}
_LINK_REASON_COLS = [_LINK_REASON_OF.get(name) for name in LINK_FEATURE_NAMES]
_MAX_EXPLAINED = 2000
"""Planted links per batch that get their own reasons; later ones say ``planted_link`` only."""


@dataclass(frozen=True, slots=True)
class Link:
    """One link of the page with its own verdict."""

    href: str
    """The link target, absolute when the page URL is known."""
    anchor: str
    """Its anchor text (a URL written in the text is its own anchor)."""
    segment: int
    """Index of the segment it sits in."""
    label: str
    """``"content"`` or ``"spam"``."""
    score: float
    """Probability that the link was planted."""
    reasons: tuple[str, ...] = ()

    @property
    def is_spam(self) -> bool:
        return self.label == "spam"

    def to_dict(self) -> dict[str, Any]:
        return {
            "href": self.href,
            "anchor": self.anchor,
            "segment": self.segment,
            "label": self.label,
            "score": round(self.score, 6),
            "reasons": list(self.reasons),
        }


def collect_links(page: Page, url: str | None) -> LinkTable:
    """Every judged link of a page (schemes such as ``javascript:`` and ``#`` fragments left out)."""
    return link_table(page.segments, url or page.base_url, page_home(page, url)[0])


@dataclass(slots=True)
class LinkVerdicts:
    """The verdicts of a page's links, made into :class:`Link` objects on first access.

    ``reasons`` are those of the spam links, in order.  A page the prescreen cleared keeps
    its segments and base instead (``found`` is ``None``): its links are all content, and are
    only collected when someone asks for them.
    """

    found: LinkTable | None
    spam: np.ndarray
    scores: np.ndarray
    reasons: Sequence[tuple[str, ...]] = ()
    raw: Sequence[RawSegment] = ()
    base: str | None = None
    _built: tuple[Link, ...] | None = field(default=None, repr=False)

    @classmethod
    def cleared(cls, raw: Sequence[RawSegment], base: str | None) -> LinkVerdicts:
        return cls(None, np.zeros(0, dtype=bool), np.zeros(0), (), raw, base)

    def built(self) -> tuple[Link, ...]:
        """The links as :class:`Link` objects, built once."""
        if self._built is None:
            if self.found is None:  # cleared: every link content, score 0.0
                self.found = link_table(self.raw, self.base, "")
                self.spam = np.zeros(len(self.found.hrefs), dtype=bool)
                self.scores = np.zeros(len(self.found.hrefs))
            found, reasons = self.found, iter(self.reasons)
            self._built = tuple(
                Link(href, anchor, s, "spam" if spam else "content", score, next(reasons) if spam else ())
                for href, anchor, s, spam, score in zip(
                    found.hrefs, found.anchors, found.segments, self.spam.tolist(), self.scores.tolist(), strict=True
                )
            )
        return self._built

    def spam_hrefs(self) -> list[str]:
        if self.found is None:
            return []
        hrefs = self.found.hrefs
        return [hrefs[i] for i in np.flatnonzero(self.spam).tolist()]


LinkRows = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def link_rows(links: LinkTable) -> LinkRows:
    """Per link of a page (float64): its six flags, how many links of the page go to its domain
    (0 without one), the share of its segment's links that go there, whether the anchor is
    written as a URL, and the anchor's length (compiled when available; the same values)."""
    core = _compiled.core
    if core is not None:
        rows: LinkRows = core.link_rows(links.segments, links.domains, links.flags, links.anchors)
        return rows
    return _link_rows(links)


def _link_rows(links: LinkTable) -> LinkRows:
    """:func:`link_rows`, the reference."""
    domains = links.domains
    page_count = Counter(domains)
    seg_count = Counter(links.segments)
    seg_domain_count = Counter(zip(links.segments, domains, strict=True))
    return (
        np.asarray(links.flags, dtype=np.float64).reshape(len(domains), 6),
        np.asarray([page_count[d] if d else 0 for d in domains], dtype=np.float64),
        np.asarray(
            [seg_domain_count[(s, d)] / max(seg_count[s], 1) for s, d in zip(links.segments, domains, strict=True)],
            dtype=np.float64,
        ),
        np.asarray([1.0 if _URLISH.match(anchor) else 0.0 for anchor in links.anchors], dtype=np.float64),
        np.asarray([len(a) for a in links.anchors], dtype=np.float64),
    )


def link_features(
    pages: Sequence[Page],
    urls: Sequence[str | None],
    X: np.ndarray,
    pidx: np.ndarray,
    proba: np.ndarray,
    text_model: TextModel | None,
    tables: Sequence[LinkTable] | None = None,
    anchor_urls: str = "raw",
) -> tuple[np.ndarray, list[LinkTable]]:
    """Link feature matrix for every judged link of every page, and the links per page.

    ``tables`` are the pages' link tables as the segment features built them (built here
    when not given).  ``anchor_urls="words"``: the text model reads a URL in an anchor as the
    words of its host and path (a link model fitted so says it in its metadata)."""
    lex = lexicon()
    starts = np.searchsorted(pidx, np.arange(len(pages)), side="left")
    if tables is None:
        tables = [collect_links(page, url) for page, url in zip(pages, urls, strict=True)]
    per_page = list(tables)
    rows: list[np.ndarray] = []
    anchors_all: list[str] = []
    urlwords_all: list[str] = []
    for p, links in enumerate(per_page):
        n = len(links.hrefs)
        if not n:
            continue
        flags, per_domain, share, is_url, anchor_chars = link_rows(links)
        F = np.zeros((n, len(LINK_FEATURE_NAMES)), dtype=np.float32)
        seg_rows = int(starts[p]) + np.asarray(links.segments, dtype=np.int64)
        F[:, _LIDX["seg_score"]] = proba[seg_rows]
        F[:, _COPIED_TO] = X[seg_rows[:, None], _COPIED_FROM]
        F[:, _FLAG_COLS] = flags
        F[:, _LIDX["lone_domain"]] = per_domain == 1
        F[:, _LIDX["log_domain_links"]] = np.log1p(per_domain)
        F[:, _LIDX["segment_domain_share"]] = share
        F[:, _LIDX["anchor_is_url"]] = is_url
        F[:, _LIDX["log_anchor_chars"]] = np.log1p(anchor_chars)
        anchors_all.extend(links.anchors)
        urlwords_all.extend(links.url_words)
        rows.append(F)
    if not rows:
        return np.zeros((0, len(LINK_FEATURE_NAMES)), dtype=np.float32), per_page
    L = np.vstack(rows)
    folded, _ = normalize_many(anchors_all)
    L[:, _LIDX["anchor_terms"]] = np.log1p(lex.family_counts(folded).sum(axis=1))
    L[:, _LIDX["url_terms"]] = np.log1p(lex.family_counts(urlwords_all).sum(axis=1))
    L[:, _LIDX["anchor_brand"]] = np.log1p(lex.brand_counts(folded))
    if text_model is not None:
        reader = text_model._replace(urls="words") if anchor_urls == "words" else text_model
        L[:, _LIDX["anchor_text_score"]] = score_texts(reader, folded)
    return L, per_page


def link_reasons(contrib: np.ndarray) -> tuple[str, ...]:
    """Link reason codes: the link features that pushed its score up most."""
    return top_reasons(contrib, _LINK_REASON_COLS, limit=10)


def link_verdicts(
    pages: Sequence[Page],
    urls: Sequence[str | None],
    X: np.ndarray,
    pidx: np.ndarray,
    proba: np.ndarray,
    seg_spam: Sequence[np.ndarray],
    model: Any,
    tables: Sequence[LinkTable] | None = None,
) -> list[LinkVerdicts]:
    """The links of each page with their labels.

    With a link model, each link has its own score; without one, a link is spam when its
    segment is (the verdict linkguard gave before it judged links one by one).
    """
    link_model = getattr(model, "link", None)
    anchor_urls = str((getattr(link_model, "metadata", None) or {}).get("anchor_urls", "raw"))
    L, per_page = link_features(pages, urls, X, pidx, proba, getattr(model, "text", None), tables, anchor_urls)
    if link_model is not None and len(L):
        link_model = link_model.for_columns(LINK_FEATURE_NAMES)
        scores = score_rows(link_model, L)
        spam = scores >= link_model.threshold
        # Reasons (per-feature contributions, a second walk of the trees) for the first planted
        # links only: a page of a hundred thousand planted links does not need each one explained.
        rows = np.flatnonzero(spam)
        explained = rows[:_MAX_EXPLAINED]
        contrib = link_model.contributions(L[explained]) if len(explained) else np.zeros((0, L.shape[1]))
        shown = [link_reasons(c) for c in contrib]
        shown += [("planted_link",)] * (len(rows) - len(explained))
        reasons = iter(shown)
    else:
        scores = np.asarray(
            [proba[int(np.searchsorted(pidx, p)) + s] for p, pl in enumerate(per_page) for s in pl.segments],
            dtype=np.float64,
        )
        spam = np.asarray([bool(seg_spam[p][s]) for p, pl in enumerate(per_page) for s in pl.segments], dtype=bool)
        reasons = iter([("in_spam_segment",)] * int(spam.sum()))
    out: list[LinkVerdicts] = []
    k = 0
    for pl in per_page:
        n = len(pl.hrefs)
        page_spam = np.asarray(spam[k : k + n], dtype=bool)
        page_reasons = [next(reasons) for _ in range(int(page_spam.sum()))]
        out.append(LinkVerdicts(pl, page_spam, np.asarray(scores[k : k + n], dtype=np.float64), page_reasons))
        k += n
    return out
