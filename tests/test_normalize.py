"""The normaliser: each disguise undone and counted, any input folded to encodable text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import linkguard
from linkguard._normalize import _LEET_HINT, _LEET_TOKEN, _SPACED, _SPACED_HINT, normalize, normalize_many
from linkguard._textmodel import hashed_ngrams


@pytest.mark.parametrize(
    ("text", "folded", "disguised"),
    [
        ("𝘀𝗹𝗼𝘁 𝗴𝗮𝗰𝗼𝗿", "slot gacor", True),
        ("ｓｌｏｔ", "slot", False),  # fullwidth: NFKC, not counted (CJK pages use it honestly)
        ("s1ot g4c0r", "siot gacor", True),
        ("s l o t", "slot", True),
        ("s\u200blot", "slot", True),
        ("ѕlоt", "slot", True),
        ("&#115;lot", "slot", True),
        ("slot\\ngacor", "slot gacor", True),
        ("a b c d", "a b c d", False),  # an A-Z index, not a spaced word
        ("slot88 covid19 h2o", "slot88 covid19 h2o", False),
        ("Plain News", "plain news", False),
        ("the A\u0375", "the a\u0375", False),  # a Greek numeral sign after a Latin letter: no mixed word
        ("caf\u0435 \u03c9mega", "cafe \u03c9mega", True),  # Cyrillic e folded; Greek omega counted, kept
    ],
)
def test_disguises_undone_and_counted(text: str, folded: str, disguised: bool) -> None:
    out, marks = normalize(text)
    assert out == folded
    assert (marks > 0) == disguised


def test_escaped_control_characters_read_as_space() -> None:
    """A written-out NUL must not become a real one: the n-gram hasher frames texts with NULs."""
    assert normalize(r"slot\x00gacor \x41")[0] == "slot gacor a"
    assert hashed_ngrams(["a\x00b", "cd"])[2].tolist() == hashed_ngrams(["a b", "cd"])[2].tolist()


def test_escaped_surrogates_become_text_or_replacement() -> None:
    """``\\ud83d\\ude00`` written out as escapes is one emoji; a lone half is a replacement
    character, never a lone surrogate (which no encoder or matcher downstream accepts)."""
    out, _ = normalize(r"emoji \ud83d\ude00 slot \ud800 x \u00e9")
    assert out == "emoji \U0001f600 slot \ufffd x \u00e9"
    for mode in ("text", "html"):
        assert linkguard.scan(r"slot gacor \ud83d here <a href=x>y</a>", mode=mode).segments


_PIECES = st.sampled_from(
    [
        "&#115;",
        "&amp;",
        "&#xd800;",
        "\\u00e9",
        "\\ud83d",
        "\\ude00",
        "\\x41",
        "\\x00",
        "\x00",
        "\\n",
        "s l o t ",
        "a b c d ",
        "g4c0r",
        "v1agra",
        "5lot",
        "slot88",
        "\u200b",
        "ѕlоt",
        "𝗴𝗮",
        "ｓｌ",
        "Ä",
        "ß",
        "İ",
        "スロット",
        "\n",
        " ",
        "@",
        "$",
    ]
)
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=12).map("".join)


@given(st.lists(_TEXT, max_size=8))
def test_batch_equals_one_by_one_and_is_encodable(texts: list[str]) -> None:
    folded, marks = normalize_many(texts)
    one = [normalize(t) for t in texts]
    assert folded == [f for f, _ in one]
    assert marks.tolist() == [float(m) for _, m in one]
    bucket, owner, per_text = hashed_ngrams(folded)
    assert len(per_text) == len(texts) and len(bucket) == len(owner) == per_text.sum()
    for f, t in zip(folded, texts, strict=True):
        if not any("\ud800" <= c <= "\udfff" for c in t):
            f.encode("utf-8")


def test_batch_screen_puts_each_hit_on_its_own_text() -> None:
    texts = ["ab", "s l o t", "c", "5lot", "", "&#115;lot", "fine", "x\\ngacor", "h4r1", "s l o t", "s l o t"]
    folded, marks = normalize_many(texts)
    assert folded == ["ab", "slot", "c", "slot", "", "slot", "fine", "x gacor", "hari", "slot", "slot"]
    assert [i for i, m in enumerate(marks) if m] == [1, 3, 5, 7, 8, 9, 10]
    other = ["ѕlоt", "Ä s l o t", "Ä s l o t", "Ä fine", "ｓｌｏｔ", "Ä\u200bb"]
    assert normalize_many(other)[0] == [normalize(t)[0] for t in other]


@given(st.lists(_TEXT, max_size=4).map(" ".join).map(str.lower))
def test_quick_screens_never_miss_what_the_full_patterns_find(text: str) -> None:
    """The leet and spaced-letter screens are necessary conditions: skipping on them changes nothing."""
    assert not _LEET_TOKEN.search(text) or _LEET_HINT.search(text)
    assert not _SPACED.search(text) or _SPACED_HINT.search(text)
