from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from linkguard._lexicon import FAMILIES, _read, lexicon


def test_families_and_word_boundaries() -> None:
    lex = lexicon()
    counts = lex.family_counts(["situs slot gacor hari ini", "a time slot for the meeting", "jav is not javascript"])
    g = FAMILIES.index("gambling_id")
    assert counts[0, g] >= 1
    assert counts[1].sum() == 0
    assert counts[2, FAMILIES.index("adult")] == 1  # the word "jav", not inside "javascript"


def test_unspaced_scripts_match_inside_words() -> None:
    lex = lexicon()
    counts = lex.family_counts(["最新のスーパーコピー時計", "บาคาร่าออนไลน์"])
    assert counts[0, FAMILIES.index("japanese")] >= 1
    assert counts[1, FAMILIES.index("betting")] >= 1


def test_brand_tokens() -> None:
    lex = lexicon()
    assert lex.brand_counts(["viartoto", "badak69", "markas303", "123indo"]).tolist() == [1, 1, 1, 1]
    assert lex.brand_counts(["the alphabet", "windows", "covid", "slot"]).sum() == 0


def test_host_terms() -> None:
    lex = lexicon()
    assert lex.host_has_term("bestonlinecasinos777.org")
    assert not lex.host_has_term("wikipedia.org")


def test_page_host_terms_add_to_the_link_target_ones() -> None:
    """A page's own host is read for the link-target fragments and those of spam pages' hosts."""
    lex = lexicon()
    for name in ("bestonlinecasinos777", "premiumrawalpindicallgirls", "guidaprestitisenzabustapaga", "sofortkredite"):
        assert lex.page_host_has_term(name), name
    assert not lex.host_has_term("premiumrawalpindicallgirls")
    for name in ("wikipedia", "sussex", "alphabet", "bandara", "pillow"):
        assert not lex.page_host_has_term(name), name


_TOKENS = st.sampled_from(
    [
        *("viartoto", "badak69", "123indo", "slot88", "x-toto", "a.b", "/", "\n", " ", "-", "é", "_", "A"),
        *("toto", "gacor", "4d", "qq", "777", "abc", "ab1", "12", "9999", "indo", "a" * 61, "Ä"),
    ]
)


def _brand_by_definition() -> re.Pattern[str]:
    """The brand-token pattern as first written (a stem, then any ending tried after each letter)."""
    suffixes = sorted(_read("brand_suffixes.txt"), key=len, reverse=True)
    alternation = "|".join(re.escape(s) for s in suffixes)
    return re.compile(
        rf"(?<![\w.\-/])(?=[a-z0-9]{{4,64}}(?![\w\-]))"
        rf"(?:[a-z]{{3,}}[a-z0-9]*?(?:{alternation})|\d{{2,4}}[a-z]{{4,}})(?![\w\-])"
    )


_DEFINITION = _brand_by_definition()


@given(st.lists(st.lists(st.one_of(_TOKENS, st.text(max_size=5)), max_size=8).map("".join), max_size=8))
def test_brand_counts_of_a_batch_equal_text_by_text(texts: list[str]) -> None:
    lex = lexicon()
    assert lex.brand_counts(texts).tolist() == [float(len(lex.brand.findall(t))) for t in texts]
    for t in texts:
        assert [m.span() for m in lex.brand.finditer(t)] == [m.span() for m in _DEFINITION.finditer(t)]


def _term_texts() -> st.SearchStrategy[list[str]]:
    lex = lexicon()
    terms = [t for m in (lex.spam, lex.stance, lex.cta) for t in m.terms]
    piece = st.one_of(st.sampled_from(terms), st.sampled_from([" ", "\n", "s", "nya", "x", "-", "é"]))
    return st.lists(st.lists(piece, max_size=8).map("".join), max_size=5)


@given(_term_texts())
def test_one_search_for_three_word_lists_equals_three(texts: list[str]) -> None:
    """The merged search of segment texts counts exactly what each word list counts alone."""
    lex = lexicon()
    fam, stance, cta = lex.text_counts(texts)
    assert fam.tobytes() == lex.family_counts(texts).tobytes()
    assert stance.tobytes() == lex.stance_counts(texts).tobytes()
    assert cta.tobytes() == lex.cta_counts(texts).tobytes()
