"""Spam vocabularies, loaded once from the plain-text files in ``data/lexicon``.

The word lists are data so they can be reviewed and extended without touching
code.  Matching uses one Aho-Corasick automaton over all families (a regex
alternation of ~600 terms costs ~60 us/KB in ``re``; the automaton ~8 us/KB) and
then keeps only hits on word boundaries for scripts that separate words.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import ahocorasick_rs
import numpy as np

from linkguard import _compiled

FAMILIES: tuple[str, ...] = (
    "gambling_id",
    "betting",
    "casino",
    "pharma",
    "replica",
    "adult",
    "loans_essay",
    "seo",
    "japanese",
)

# Scripts written without spaces between words: a hit needs no word boundary.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _read(name: str) -> list[str]:
    text = (resources.files("linkguard") / "data" / "lexicon" / name).read_text("utf-8")
    terms = []
    for line in text.splitlines():
        term = line.split("#", 1)[0].strip().lower()
        if term:
            terms.append(" ".join(term.split()))
    return terms


_LATIN_TERM = re.compile(r"^[a-z0-9\u00c0-\u024f][a-z0-9\u00c0-\u024f' .\-]*$")
# Inflections a term of five or more letters may carry and still count: plurals, Indonesian
# clitics (``togelnya``), Turkish case and plural endings (``bahisler``, ``casinoda``).  Only
# these: an open-ended suffix reads Portuguese ``ambiente`` as the drug ``ambien``.
_SUFFIXES = frozenset(
    """s es nya lah kah ku mu ler lar leri ları lerde larda lerin ların de da den dan in ın un ün
    i ı e a si sı ye ya""".split()
)
_MAX_SUFFIX = max(len(x) for x in _SUFFIXES)
_MIN_SUFFIXED = 5
"""Shorter terms need a word boundary on both sides (``bet`` is not in ``better``)."""


class _Matcher:
    """Terms of several families in one Aho-Corasick automaton, counted per text and family.

    Terms are matched on text that :mod:`linkguard._normalize` has folded back to plain words,
    on word boundaries in spaced scripts (long terms may carry an inflection from ``_SUFFIXES``).
    With ``variants``, the matcher also knows two spellings of each term: ``l`` read as ``i``
    (leetspeak ``1`` is folded to ``i``, so ``s1ot`` arrives as ``siot``), and multi-word
    phrases with their spaces removed, found inside longer tokens (``slotgacorhariini``).
    """

    def __init__(self, families: list[list[str]], *, variants: bool) -> None:
        terms: list[str] = []
        family_of: list[int] = []
        kinds: list[int] = []  # 0 as written, 1 l->i variant, 2 glued (no spaces, no boundaries)
        seen: set[str] = set()

        def add(term: str, family: int, kind: int) -> None:
            if term not in seen:
                seen.add(term)
                terms.append(term)
                family_of.append(family)
                kinds.append(kind)

        originals: list[tuple[str, int]] = []
        for f, words in enumerate(families):
            for term in words:
                if term not in seen:
                    add(term, f, 0)
                    originals.append((term, f))
        for term, f in originals if variants else ():
            if not _LATIN_TERM.match(term):
                continue
            if "l" in term:
                add(term.replace("l", "i"), f, 1)
            glued = term.replace(" ", "").replace("-", "")
            if glued != term and len(glued) >= 6:
                add(glued, f, 2)
                if "l" in glued:
                    add(glued.replace("l", "i"), f, 2)
        self.n_families = len(families)
        self.terms = terms
        self.family_of = np.asarray(family_of, dtype=np.int64)
        # Per term, as bytes both paths read: needs no word boundary (an unspaced script, or a
        # glued phrase), and may carry an inflection from ``_SUFFIXES``.
        self.free = np.asarray(
            [kind == 2 or bool(_UNSPACED.search(t)) for t, kind in zip(terms, kinds, strict=True)], dtype=np.uint8
        )
        self.suffixable = np.asarray(
            [bool(_LATIN_TERM.match(t)) and len(t.replace(" ", "")) >= _MIN_SUFFIXED for t in terms], dtype=np.uint8
        )
        self.automaton = ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.Standard)

    def valid(self, joined: str, pattern: int, start: int, end: int) -> bool:
        """Whether a raw automaton hit counts: word boundaries, a short suffix on long terms."""
        if self.free[pattern]:
            return True
        if start > 0 and joined[start - 1].isalnum():
            return False
        if end >= len(joined) or not joined[end].isalnum():
            return True
        if not self.suffixable[pattern]:
            return False
        stop = end
        while stop < len(joined) and joined[stop].isalnum() and stop - end <= _MAX_SUFFIX:
            stop += 1
        return joined[end:stop] in _SUFFIXES and not (stop < len(joined) and joined[stop].isalnum())

    def counts(self, texts: list[str]) -> np.ndarray:
        """Hits per family for each text (lower-cased, normalised input).

        All overlapping hits are considered; the longest valid one at a position wins and hides
        what it overlaps, so a long match that fails its boundary check no longer hides a shorter
        valid one inside it.
        """
        out = np.zeros((len(texts), self.n_families), dtype=np.float32)
        if not texts:
            return out
        joined = "\n".join(texts)
        self.count_hits(joined, texts, self.automaton.find_matches_as_indexes(joined, overlapping=True), None, out)
        return out

    def count_hits(
        self, joined: str, texts: list[str], hits: list[tuple[int, int, int]], local: np.ndarray | None, out: np.ndarray
    ) -> None:
        """Add the valid ``hits`` (``(pattern, start, end)`` in ``joined``, the texts joined by
        newlines) to ``out``.  With ``local``, hits are of a larger automaton: ``local[pattern]``
        is this matcher's term, ``-1`` none of its terms."""
        if not hits:
            return
        core = _compiled.core
        if core is not None:
            core.lexicon_counts(
                joined,
                texts,
                hits,
                local,
                self.family_of,
                self.free,
                self.suffixable,
                _SUFFIXES,
                _MAX_SUFFIX,
                out,
            )
            return
        if local is not None:
            hits = [(int(local[p]), a, b) for p, a, b in hits if local[p] >= 0]
        hits.sort(key=lambda h: (h[1], h[1] - h[2]))
        starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
        covered = 0
        for pattern, start, end in hits:
            if start < covered or not self.valid(joined, pattern, start, end):
                continue
            covered = end
            row = int(np.searchsorted(starts, start, side="right")) - 1
            out[row, self.family_of[pattern]] += 1.0


class _Lexicon:
    """The compiled vocabularies: spam families, the reporting stance, brand shapes, host fragments."""

    def __init__(self) -> None:
        self.spam = _Matcher([_read(f"{family}.txt") for family in FAMILIES], variants=True)
        self.stance = _Matcher([_read("stance.txt")], variants=False)
        self.cta = _Matcher([_read("cta.txt")], variants=False)
        # A stem of >= 3 letters (optionally digits) then a brand ending, or digits then letters
        # (123indo). Lowercase tokens only, checked against the whole token. The lookahead first
        # bounds the token to 64 characters, so a 10,000-letter run (base64, minified junk) costs
        # a constant per run instead of quadratic backtracking.  The stem is read to the token's
        # end in one go and the ending looked for behind it (one look-behind per ending length,
        # with three stem characters before the ending), not tried after every stem letter.
        by_length: dict[int, list[str]] = {}
        self.brand_suffixes = tuple(_read("brand_suffixes.txt"))
        for suffix in self.brand_suffixes:
            by_length.setdefault(len(suffix), []).append(re.escape(suffix))
        endings = "|".join(
            rf"(?<=[a-z0-9]{{3}}(?:{'|'.join(sorted(group))}))" for _, group in sorted(by_length.items(), reverse=True)
        )
        self.brand = re.compile(
            rf"(?<![\w.\-/])(?=[a-z0-9]{{4,64}}(?![\w\-]))"
            rf"(?:[a-z]{{3}}[a-z0-9]*+(?:{endings})|\d{{2,4}}[a-z]{{4,}})(?![\w\-])"
        )
        host_terms = _read("host_terms.txt")
        self.host_automaton = ahocorasick_rs.AhoCorasick(host_terms)
        # The page's own host name: the same fragments and those a spam page's host carries.
        self.page_host_automaton = ahocorasick_rs.AhoCorasick(
            list(dict.fromkeys(host_terms + _read("page_host_terms.txt")))
        )
        # One automaton over the terms of the three matchers that read segment texts, so each
        # text is searched once; each matcher maps its patterns back to its own terms.
        merged = list(dict.fromkeys(self.spam.terms + self.stance.terms + self.cta.terms))
        index = {term: i for i, term in enumerate(merged)}
        self.text_automaton = ahocorasick_rs.AhoCorasick(merged, matchkind=ahocorasick_rs.MatchKind.Standard)
        self.text_local: list[np.ndarray] = []
        for matcher in (self.spam, self.stance, self.cta):
            local = np.full(len(merged), -1, dtype=np.int64)
            local[[index[t] for t in matcher.terms]] = np.arange(len(matcher.terms))
            self.text_local.append(local)

    def text_counts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`family_counts`, :meth:`stance_counts` and :meth:`cta_counts` of the same texts,
        in one search of the texts."""
        fam = np.zeros((len(texts), self.spam.n_families), dtype=np.float32)
        stance = np.zeros((len(texts), 1), dtype=np.float32)
        cta = np.zeros((len(texts), 1), dtype=np.float32)
        if texts:
            joined = "\n".join(texts)
            hits = self.text_automaton.find_matches_as_indexes(joined, overlapping=True)
            matchers = (self.spam, self.stance, self.cta)
            for matcher, local, out in zip(matchers, self.text_local, (fam, stance, cta), strict=True):
                matcher.count_hits(joined, texts, hits, local, out)
        return fam, stance[:, 0], cta[:, 0]

    def family_counts(self, texts: list[str]) -> np.ndarray:
        """Hits per spam family for each text (lower-cased, normalised input)."""
        return self.spam.counts(texts)

    def stance_counts(self, texts: list[str]) -> np.ndarray:
        """Words of reporting or warning per text (``police``, ``ditangkap``, ``逮捕``)."""
        return self.stance.counts(texts)[:, 0]

    def cta_counts(self, texts: list[str]) -> np.ndarray:
        """Calls to action per text (``daftar sekarang``, ``deposit now``, ``สมัครสมาชิก``)."""
        return self.cta.counts(texts)[:, 0]

    def brand_counts(self, texts: list[str]) -> np.ndarray:
        """Brand-like tokens (``viartoto``, ``badak69``) per text."""
        out = np.zeros(len(texts), dtype=np.float32)
        if not texts:
            return out
        # One pass over the batch joined by newlines: a brand token is letters and digits only,
        # and a newline reads like the start or end of a text to its look-arounds.
        core = _compiled.core
        if core is not None:
            counts: np.ndarray = core.brand_counts(texts, self.brand_suffixes)
            return counts
        joined = "\n".join(texts)
        hits = [m.start() for m in self.brand.finditer(joined)]
        if hits:
            ends = np.cumsum([len(t) + 1 for t in texts])
            np.add.at(out, np.searchsorted(ends, hits, side="right"), 1.0)
        return out

    def host_has_term(self, name: str) -> bool:
        """Whether a registrable host name carries a spam fragment (``bestcasinos777``)."""
        return bool(self.host_automaton.find_matches_as_indexes(name))

    def page_host_has_term(self, name: str) -> bool:
        """Whether a page's own registrable host name carries a spam fragment: those of
        :meth:`host_has_term` and those of spam pages' hosts (``premiumcallgirls``, ``guidaprestiti``)."""
        return bool(self.page_host_automaton.find_matches_as_indexes(name))


@cache
def lexicon() -> _Lexicon:
    """The process-wide lexicon (built on first use, about 5 ms)."""
    return _Lexicon()
