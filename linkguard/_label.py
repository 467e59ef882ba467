"""Scores to labels: threshold, neighbour revision, reasons.

The first pass labels each segment on its own.  The second pass, as in jusText,
looks at neighbours: injected blocks often end in bare brand lines
(``viartoto``, ``123indo``) that say little alone but sit inside a run that is
plainly spam.  A short segment is pulled into spam only when it is wedged
between spam segments (or between spam and the end of the page) and shares the
spam's hiding container, so an ordinary short line next to content stays content.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from linkguard._features import FEATURE_NAMES
from linkguard._segment import RawSegment

# Feature -> stable reason code shown to users (documented in the README).
_REASON_OF: dict[str, str] = {
    "raw_ip_share": "raw_ip_links",
    "log_raw_ip": "raw_ip_links",
    "terms_gambling_id": "gambling_terms",
    "terms_betting": "betting_terms",
    "terms_casino": "casino_terms",
    "terms_pharma": "pharma_terms",
    "terms_replica": "replica_terms",
    "terms_adult": "adult_terms",
    "terms_loans_essay": "loan_essay_terms",
    "terms_seo": "seo_terms",
    "terms_japanese": "japanese_spam_terms",
    "log_terms_in_links": "spam_terms_in_links",
    "links_x_terms_offsite": "spam_terms_in_links",
    "spam_host_share": "spam_terms_in_links",
    "log_brand_tokens": "brand_names",
    "n_families": "spam_terms_in_links",
    "term_density": "spam_terms_in_links",
    "after_end": "trailing_link_block",
    "after_last_content": "trailing_link_block",
    "trailing_x_links": "trailing_link_block",
    "hidden": "hidden_style",
    "hidden_offscreen": "hidden_style",
    "hidden_x_offsite_links": "hidden_style",
    "offsite_share": "offsite_links",
    "log_offsite_domains": "offsite_links",
    "domain_diversity": "offsite_links",
    "root_link_share": "offsite_links",
    "digit_domain_share": "offsite_links",
    "institutional_share": "hijacked_domain",
    "log_links": "link_density",
    "link_density": "link_density",
    "links_per_word": "link_density",
    "script_mismatch": "script_mismatch",
    "mixed_script_words": "script_mismatch",
    "in_footer": "footer_block",
    "text_score": "spam_text",
    "text_contrast": "spam_text",
    "disguises": "disguised_words",
    "nbr_terms": "neighbour_spam",
    "nbr_raw_ip": "neighbour_spam",
    "nbr_offsite_links": "neighbour_spam",
    "nbr_brand_tokens": "neighbour_spam",
}
CARRIED = "planted_links"
"""Reason of a segment the link verdicts carry into spam (see :func:`carried_by_links`)."""
REASON_CODES: tuple[str, ...] = (*dict.fromkeys(_REASON_OF.values()), CARRIED)
_REASON_COLS = [_REASON_OF.get(name) for name in FEATURE_NAMES]
_MIN_CONTRIBUTION = 0.4
_SHORT_WORDS = 8
NEAR_SPAM = 0.5
_SHORT_CHARS = 80
_PROSE_CHARS = 120
CARRY_SCORE = NEAR_SPAM
# A run of short lines is pulled in only when each line scores at least this on its own: a
# bare brand line carries some evidence, a site's menu entry ("Anime", "About") none.
RUN_FLOOR = 0.05


def _short(seg: RawSegment) -> bool:
    return len(seg.text) <= _SHORT_CHARS and len(seg.text.split()) <= _SHORT_WORDS and len(seg.links) <= 2


def _prose(seg: RawSegment) -> bool:
    """A paragraph of running text with no link: an article's own words, never pulled in by a neighbour."""
    return not seg.links and len(seg.text) >= _PROSE_CHARS


def _same_box(a: RawSegment, b: RawSegment) -> bool:
    """Same hiding container, or both hidden (injections often stack several hidden boxes)."""
    return a.hidden_root is b.hidden_root or bool(a.hidden and b.hidden)


def revise(segments: list[RawSegment], spam: np.ndarray, scores: np.ndarray | None = None) -> np.ndarray:
    """Second pass for one page: which segments the neighbour rules turn into spam.

    1. Near-spam (score >= ``NEAR_SPAM``, jusText's "near-good" idea turned around) next to a
       spam segment in the same hiding box (or both hidden) becomes spam, repeatedly along a run;
       a link-less paragraph of prose never does (an article about the topic next to a spam
       block keeps its own verdict).
    2. A run of short segments wedged between spam segments, or between spam and the end of
       the page, in the same hiding box, becomes spam, unless one of them scores under
       ``RUN_FLOOR`` on its own (a site's menu after a flagged comment is not an injected tail).
    """
    n = len(segments)
    promoted = np.zeros(n, dtype=bool)
    if not spam.any():
        return promoted  # both rules grow from a spam segment
    if scores is not None and n > 1:
        current = spam.copy()
        changed = True
        while changed:
            changed = False
            for i in np.flatnonzero(~current & (scores >= NEAR_SPAM)).tolist():
                if _prose(segments[i]):
                    continue
                for j in (i - 1, i + 1):
                    if 0 <= j < n and current[j] and _same_box(segments[i], segments[j]):
                        current[i] = promoted[i] = changed = True
                        break
        spam = current
    for left in np.flatnonzero(spam).tolist():
        i = left + 1
        if i >= n or spam[i] or not _short(segments[i]):
            continue
        j = i
        while j < n and not spam[j] and _short(segments[j]):
            j += 1
        # Run of short, non-spam segments is [i, j), right after a spam segment.
        right_spam = j < n and spam[j]
        if scores is not None and (scores[i:j] < RUN_FLOOR).any():
            continue
        if right_spam or j == n:
            anchor = segments[i - 1].hidden_root
            same_box = all(segments[k].hidden_root is anchor for k in range(i, j))
            if right_spam:
                same_box = same_box and segments[j].hidden_root is anchor
            if same_box:
                promoted[i:j] = True
    return promoted


def top_reasons(contrib: np.ndarray, codes: Sequence[str | None], *, limit: int = 12) -> tuple[str, ...]:
    """Reason codes of a verdict: the features that pushed its score up most, strongest first.

    ``codes`` maps each feature column to its code (``None``: never shown).  Shared by the
    segment, page and link verdicts.
    """
    out: list[str] = []
    for k in np.argsort(-contrib)[:limit]:
        if contrib[k] <= 0 or (contrib[k] < _MIN_CONTRIBUTION and out):
            break
        code = codes[k]
        if code and code not in out:
            out.append(code)
    return tuple(out)


def reasons_for(contrib: np.ndarray) -> tuple[str, ...]:
    """Reason codes of a spam segment: the features that pushed its score up most."""
    return top_reasons(contrib, _REASON_COLS)


def carried_by_links(link_segments: np.ndarray, planted: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Segments their planted links make spam: most of their links planted, and a score of their
    own of at least ``CARRY_SCORE``.

    A sentence spliced into a forum comment around one casino link reads as prose to the
    segment model, while the link model, which weighs the link's target and anchor too, calls
    the link planted: the sentence came with the link.  A row of real links with one planted
    among them stays content (the link alone is flagged), and so does a segment the segment
    model found nothing in.  ``link_segments[k]`` is the segment of link ``k``.
    """
    n = len(scores)
    if not planted.any():
        return np.zeros(n, dtype=bool)
    seg = np.asarray(link_segments, dtype=np.int64)
    total = np.bincount(seg, minlength=n)[:n]
    hit = np.bincount(seg[planted], minlength=n)[:n]
    return np.asarray((hit > 0) & (2 * hit >= total) & (scores >= CARRY_SCORE))
