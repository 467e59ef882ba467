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

# Cyrillic and Greek letters that look like Latin ones ("canаdian" with a Cyrillic "а"):
# spammers swap them in to dodge word filters, so lexicon matching folds them back inside
# words that mix scripts, and the mix itself is counted as a feature.
_CONFUSABLE = str.maketrans(
    "аеорсхуіјѕԁһӏԛԝαεορτυνκχіο",
    "aeopcxyijsdhlqwaeoptuvkxio",
)
_GREEK_CYRILLIC = re.compile(r"[\u0370-\u04ff]")
_MIXED_WORD = re.compile(r"\b(?=\w*[a-z])(?=\w*[\u0370-\u04ff])\w+")

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


class _Lexicon:
    """The compiled vocabularies of all families."""

    def __init__(self) -> None:
        terms: list[str] = []
        families: list[int] = []
        seen: dict[str, int] = {}
        for f, family in enumerate(FAMILIES):
            for term in _read(f"{family}.txt"):
                if term in seen:
                    continue
                seen[term] = f
                terms.append(term)
                families.append(f)
        self.terms = terms
        self.family_of = np.asarray(families, dtype=np.int64)
        self.unspaced = np.asarray([bool(_UNSPACED.search(t)) for t in terms], dtype=bool)
        self.automaton = ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        suffixes = sorted(_read("brand_suffixes.txt"), key=len, reverse=True)
        alternation = "|".join(re.escape(s) for s in suffixes)
        # A stem of >= 3 letters (optionally digits) then a brand ending, or digits then letters
        # (123indo). Lowercase tokens only, checked against the whole token. The lookahead first
        # bounds the token to 64 characters, so a 10,000-letter run (base64, minified junk) costs
        # a constant per run instead of quadratic backtracking.
        self.brand = re.compile(
            rf"(?<![\w.\-/])(?=[a-z0-9]{{4,64}}(?![\w\-]))"
            rf"(?:[a-z]{{3,}}[a-z0-9]*?(?:{alternation})|\d{{2,4}}[a-z]{{4,}})(?![\w\-])"
        )
        self.host_automaton = ahocorasick_rs.AhoCorasick(_read("host_terms.txt"))

    @staticmethod
    def fold_confusables(texts: list[str]) -> tuple[list[str], np.ndarray]:
        """Texts with look-alike letters folded inside mixed-script words, and how many such words."""
        mixed = np.zeros(len(texts), dtype=np.float32)
        joined = "\x00".join(texts)
        if not _GREEK_CYRILLIC.search(joined):
            return texts, mixed
        starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
        spans = [m.start() for m in _MIXED_WORD.finditer(joined)]
        if not spans:
            return texts, mixed
        np.add.at(mixed, np.searchsorted(starts, spans, side="right") - 1, 1.0)
        folded = _MIXED_WORD.sub(lambda m: m.group(0).translate(_CONFUSABLE), joined)
        return folded.split("\x00"), mixed

    def family_counts(self, texts: list[str]) -> np.ndarray:
        """Hits per family for each text (lower-cased, whitespace-normalised input)."""
        out = np.zeros((len(texts), len(FAMILIES)), dtype=np.float32)
        if not texts:
            return out
        joined = "\n".join(texts)
        hits = self.automaton.find_matches_as_indexes(joined)
        if not hits:
            return out
        starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
        for pattern, start, end in hits:
            if not self.unspaced[pattern]:
                if start > 0 and joined[start - 1].isalnum():
                    continue
                if end < len(joined) and joined[end].isalnum():
                    continue
            row = int(np.searchsorted(starts, start, side="right")) - 1
            out[row, self.family_of[pattern]] += 1.0
        return out

    def brand_counts(self, texts: list[str]) -> np.ndarray:
        """Brand-like tokens (``viartoto``, ``badak69``) per text."""
        return np.asarray([len(self.brand.findall(t)) for t in texts], dtype=np.float32)

    def host_has_term(self, name: str) -> bool:
        """Whether a registrable host name carries a spam fragment (``bestcasinos777``)."""
        return bool(self.host_automaton.find_matches_as_indexes(name))


@cache
def lexicon() -> _Lexicon:
    """The process-wide lexicon (built on first use, about 5 ms)."""
    return _Lexicon()
