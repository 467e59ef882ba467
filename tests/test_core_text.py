"""The compiled text features equal the pure-Python reference: per-text statistics, the brand
pattern, the lexicon's hit rules and the plain-text screen of the normaliser.

Each property test draws texts from an alphabet made of the characters the rule under test
turns on (boundaries, suffixes, leet characters, entity and escape openers, spaces of every
kind, unspaced scripts), so that the edge cases are common rather than rare.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import core_pages, html_pages

from linkguard import _compiled, _features, _links, _normalize, _segment
from linkguard._lexicon import lexicon
from linkguard._segment import RawSegment

core = _compiled.core
needs_core = pytest.mark.skipif(core is None, reason="compiled core not built (pure-Python install)")

T = TypeVar("T")


def _both(fn: Callable[[], T]) -> tuple[T, T]:
    """``fn()`` on the compiled core, then on the reference path."""
    native = fn()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_compiled, "core", None)
        return native, fn()


def _same_arrays(a: object, b: object) -> None:
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same_arrays(x, y)
        return
    assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


def _texts(pieces: list[str], max_texts: int = 6, max_pieces: int = 14) -> st.SearchStrategy[list[str]]:
    piece = st.one_of(st.sampled_from(pieces), st.text(max_size=3))
    return st.lists(st.lists(piece, max_size=max_pieces).map("".join), max_size=max_texts)


_SPACES = [" ", "\n", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\x85", "\xa0", "\u2003", "\u3000", "\u200b"]
_STATS_PIECES = [
    *_SPACES,
    *".!?;:,",
    "\u3002",
    "\uff0c",
    "\u3001",
    "\u0e2f",
    "word",
    "Ab",
    "é",
    "ß",
    "ω",
    "ж",
    "ש",
    "ع",
    "क",
    "ไทย",
    "ᄀ",
    "かな",
    "カナ",
    "漢字",
    "한",
    "7",
    "_",
    "\ud800",
    "\U0001d5ec",
    "\U0001f600",
]


@needs_core
@given(texts=_texts(_STATS_PIECES))
def test_text_stats_equal_reference(texts: list[str]) -> None:
    """Characters, letters per script, whitespace tokens, sentence punctuation."""
    native, pure = _both(lambda: _features._text_stats(texts))
    _same_arrays(native, pure)


_BRAND_PIECES = [
    "toto",
    "slot",
    "88",
    "303",
    "69",
    "gacor",
    "viar",
    "anak",
    "badak",
    "12",
    "1234",
    "12345",
    "abc",
    "indo",
    " ",
    "\n",
    ".",
    "-",
    "/",
    "_",
    "é",
    "A",
    "x" * 30,
    "\u0663",
    "²",
]


@needs_core
@given(texts=_texts(_BRAND_PIECES))
def test_brand_counts_equal_reference(texts: list[str]) -> None:
    """Brand-shaped tokens: the pattern's look-arounds, the 4-64 length bound, both shapes."""
    lex = lexicon()
    native, pure = _both(lambda: lex.brand_counts(texts))
    _same_arrays(native, pure)


def _lexicon_pieces() -> list[str]:
    lex = lexicon()
    terms = [t for m in (lex.spam, lex.stance, lex.cta) for t in m.terms]
    step = max(1, len(terms) // 120)
    return [*terms[::step], "nya", "lar", "ları", "s", "es", "x", " ", "\n", "-", "é", "7", "_", "ー"]


_LEXICON_PIECES = _lexicon_pieces()


@needs_core
@given(texts=_texts(_LEXICON_PIECES, max_pieces=10))
def test_lexicon_counts_equal_reference(texts: list[str]) -> None:
    """Overlapping hits, word boundaries, inflections, glued and unspaced terms, text frames."""
    lex = lexicon()
    for counts in (lex.family_counts, lex.stance_counts, lex.cta_counts, lex.text_counts):
        _same_arrays(*_both(functools.partial(counts, texts)))


_PLAIN_PIECES = [
    "&",
    "#",
    ";",
    "&#",
    "&amp;",
    "&abcdefgh;",
    "&abcdefghi;",
    "\\",
    "n",
    "T",
    "u",
    "x",
    "q",
    *"013457@$",
    "2",
    "a",
    "Z",
    "s l o t",
    "a b c ",
    " ",
    "_",
    "\x00",
    "é",
    "ab",
]


@needs_core
@given(texts=_texts(_PLAIN_PIECES))
def test_plain_screen_equals_reference(texts: list[str]) -> None:
    """Which texts the normaliser only lower-cases, and so the folded texts themselves."""
    native, pure = _both(lambda: _normalize._plain_ascii(texts))
    assert native == pure
    folded, folded_pure = _both(lambda: _normalize.normalize_many(texts))
    assert folded[0] == folded_pure[0]
    _same_arrays(folded[1], folded_pure[1])


_FOLD_PIECES = [
    "é",
    "ß",
    "İ",
    "ж",
    "а",
    "ο",
    "\u200b",
    "\u00ad",
    "\ufeff",
    "\u202e",
    "ｓｌｏｔ",
    "\U0001d5ec",
    "&amp;",
    "&#115;",
    "\\n",
    "\\u0073",
    *"013457@$",
    "g4c0r",
    "covid19",
    "a@b",
    "$ab",
    "1ab",
    "a1b",
    "&#x41;",
    "&#x4;",
    "&#1234567;",
    "&#12345678;",
    "&abcdefghi;",
    "\\x4",
    "\\u00e",
    "\\t",
    "aж",
    "ω",
    "_",
    " s l o t ",
    " à b ",
    " ",
    "slot",
    "Slot",
    "日本",
]


@needs_core
@given(texts=_texts(_FOLD_PIECES))
def test_normalize_equals_reference(texts: list[str]) -> None:
    """Texts outside ASCII: the compiled screen after lower-casing never skips a step that would
    change the text or count a disguise."""
    native, pure = _both(functools.partial(_normalize.normalize_many, texts))
    assert native[0] == pure[0]
    _same_arrays(native[1], pure[1])
    for text in texts:
        assert _both(functools.partial(_normalize.normalize, text)) == (_normalize.normalize(text),) * 2


_MIXED_PIECES = [
    "a",
    "Z",
    "ж",
    "Ж",
    "а",
    "ο",
    "Ω",
    "\u0375",  # a Greek-block sign that is not a word character
    "\u0483",  # a Cyrillic combining mark (not a word character)
    "\u04ff",
    "\u0500",
    "İ",
    "\u212a",  # the Kelvin sign, whose lower case is k
    "é",
    "_",
    "1",
    " ",
    "-",
    "\u200b",
    "日",
]


@needs_core
@given(texts=_texts(_MIXED_PIECES))
def test_mixed_script_words_equal_reference(texts: list[str]) -> None:
    """Words mixing Latin with Greek or Cyrillic letters: the same count on every text."""
    _same_arrays(*_both(functools.partial(_normalize.mixed_script_words, texts)))


def _same_rows(segments: list[RawSegment], base: str | None, home: str) -> None:
    table = _features._link_table(segments, base, home)
    native, pure = _both(functools.partial(_features.segment_rows, segments, table))
    assert native[0] == pure[0] and native[1] == pure[1] and native[4] == pure[4]
    _same_arrays(native[2], pure[2])
    _same_arrays(native[3], pure[3])


@needs_core
@given(page=st.one_of(html_pages(), core_pages()), base=st.sampled_from([None, "https://www.example.com/a/"]))
def test_segment_rows_equal_reference(page: str, base: str | None) -> None:
    """Texts, link texts, layout values, link counts and absolute links of each segment."""
    segments = _segment.segment_html(page).segments
    _same_rows(segments, base, "example.com")


_ANCHOR_PIECES = ["http", "HTTP", "s", "S", "\u017f", "://", ":/", "www", "WWW", ".", "w", " ", "x", "é", "İ"]


@needs_core
@given(
    anchors=st.lists(st.lists(st.sampled_from(_ANCHOR_PIECES), max_size=5).map("".join), min_size=1, max_size=8),
    data=st.data(),
)
def test_link_rows_equal_reference(anchors: list[str], data: st.DataObject) -> None:
    """Per-link flags, domain counts, segment shares, URL-like anchors and anchor lengths."""
    n = len(anchors)
    table = _features.LinkTable(
        hrefs=["https://x.example/"] * n,
        anchors=anchors,
        segments=data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)),
        domains=data.draw(st.lists(st.sampled_from(["", "a.example", "b.example"]), min_size=n, max_size=n)),
        flags=data.draw(st.lists(st.tuples(*[st.sampled_from([0.0, 1.0])] * 6), min_size=n, max_size=n)),
        url_words=[""] * n,
    )
    _same_arrays(*_both(functools.partial(_links.link_rows, table)))


@needs_core
def test_segment_rows_refuse_a_bad_table() -> None:
    assert core is not None
    seg = RawSegment("x", links=["https://a.example/"])
    with pytest.raises(ValueError):
        core.segment_rows([seg], ["https://a.example/"], [1], ["a.example"], [(1.0,) * 6], [""], frozenset())
    with pytest.raises(ValueError):
        core.segment_rows([seg], ["https://a.example/"], [0, 0], ["a.example"], [(1.0,) * 6], [""], frozenset())


@needs_core
def test_lexicon_counts_refuse_bad_tables() -> None:
    assert core is not None
    out = np.zeros((1, 2), dtype=np.float32)
    fam = np.zeros(1, dtype=np.int64)
    flags = np.zeros(1, dtype=np.uint8)
    args = (fam, flags, flags, frozenset[str](), 3)
    with pytest.raises(ValueError):
        core.lexicon_counts("abc", ["abc"], [(1, 0, 3)], None, *args, out)  # no such term
    with pytest.raises(ValueError):
        core.lexicon_counts("abc", ["abc"], [(0, 2, 9)], None, *args, out)  # past the text
    with pytest.raises(ValueError):
        core.lexicon_counts(
            "abc", ["abc"], [(0, 0, 3)], None, np.full(1, 5, dtype=np.int64), flags, flags, frozenset(), 3, out
        )
    with pytest.raises(ValueError):
        core.lexicon_counts("abc", ["abc", "d"], [(0, 0, 3)], None, *args, out)  # one row per text
    with pytest.raises(ValueError):
        core.brand_counts(["abc"], ("",))


@needs_core
@pytest.mark.corpus
def test_corpus_text_features_equal_reference(corpus_dir: Path) -> None:
    """Every corpus page's segment texts, raw and folded."""
    from linkguard import _scan
    from linkguard._config import Config

    rows = [json.loads(line) for line in (corpus_dir / "manifest.jsonl").read_text("utf-8").splitlines()]
    lex = lexicon()
    for r in rows:
        with gzip.open(corpus_dir / r["path"]) as fh:
            html = fh.read().decode("utf-8", "replace")
        raw = [s.text for s in _scan._read(html, None, "html", Config(), None).page.segments]
        folded, folded_pure = _both(functools.partial(_normalize.normalize_many, raw))
        assert folded[0] == folded_pure[0], r["path"]
        _same_arrays(*_both(functools.partial(_features._text_stats, raw)))
        segments = _scan._read(html, r.get("url"), "html", Config(), None).page.segments
        _same_rows(segments, r.get("url"), "")
        _same_arrays(*_both(functools.partial(_links.link_rows, _features._link_table(segments, r.get("url"), ""))))
        for counts in (lex.brand_counts, lex.family_counts, lex.stance_counts):
            _same_arrays(*_both(functools.partial(counts, folded[0])))


_PATH_PIECES = ["pre", "caption", "fig", "figcaption", "fi", "g", ">", "#", ".", "p", "re", "x", "é", "PRE", "-"]


@needs_core
@given(paths=st.lists(st.lists(st.sampled_from(_PATH_PIECES), max_size=8).map("".join), max_size=6))
def test_block_flags_equal_reference(paths: list[str]) -> None:
    """``<pre>`` and (fig)caption blocks read from each segment's path."""
    segments = [RawSegment("x", [], path=path) for path in paths]
    _same_arrays(*_both(functools.partial(_features._block_flags, segments)))
