from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from linkguard._lexicon import FAMILIES, lexicon


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


_TOKENS = st.sampled_from(["viartoto", "badak69", "123indo", "slot88", "x-toto", "a.b", "/", "\n", " ", "-", "é"])


@given(st.lists(st.lists(st.one_of(_TOKENS, st.text(max_size=5)), max_size=8).map("".join), max_size=8))
def test_brand_counts_of_a_batch_equal_text_by_text(texts: list[str]) -> None:
    lex = lexicon()
    assert lex.brand_counts(texts).tolist() == [float(len(lex.brand.findall(t))) for t in texts]
