"""Undo the disguises spammers put on their words, before the word lists read a text.

``𝘀𝗹𝗼𝘁 𝗴𝗮𝗰𝗼𝗿``, ``ｓｌｏｔ``, ``s1ot g4c0r``, ``s l o t``, ``s\u200blot``, ``ѕlоt`` (Cyrillic
look-alikes), ``&#115;lot`` and ``slot\\ngacor`` all mean *slot gacor*: a word filter that only
knows the spelling is beaten by any of them.  Each text is folded back to plain lower-case
words, and every disguise undone is counted: honest text almost never needs it, so the count
is evidence of its own (as mixed scripts are).

Glued keyword runs (``slotgacorhariini``) are found by the lexicon's matcher, which also knows
its phrases without spaces.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
import unicodedata

import numpy as np

from linkguard import _compiled

# Zero-width and other invisible characters that split a word without showing.
INVISIBLE = re.compile("[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_MATH_ALNUM = re.compile("[\U0001d400-\U0001d7ff]")
# Numeric character references and a few named ones, written as text (double-escaped markup,
# or a text dump of it).
_ENTITY = re.compile(r"&(?:#[0-9]{2,7}|#x[0-9a-f]{2,6}|[a-z]{2,8});")
_ESCAPE = re.compile(r"\\(?:[ntr]|u[0-9a-f]{4}|x[0-9a-f]{2})")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Cyrillic and Greek letters that look like Latin ones.
CONFUSABLE = str.maketrans(
    "аеорсхуіјѕԁһӏԛԝαεορτυνκχіοкмтвн",
    "aeopcxyijsdhlqwaeoptuvkxiokmtbh",
)
GREEK_CYRILLIC = re.compile(r"[\u0370-\u04ff]")
# A word (a run of word characters) holding an a-z letter and a Greek or Cyrillic one; the look-behind
# keeps a Greek-block sign that is not a word character (``a͵``, U+0375) from counting.
_MIXED_WORD = re.compile(r"\b(?=\w*[a-z])(?=\w*[\u0370-\u04ff](?<=\w))\w+")
# A token with a leet digit or symbol between letters (``g4c0r``, ``v1agra``) or leading two or
# more letters (``5lot``); runs of other digits (``slot88``, ``covid19``, ``h2o``) are not leet.
_LEET_TOKEN = re.compile(
    r"(?<![\w@$])(?=[a-z0-9@$]*[a-z][013457@$]+[a-z]|[013457@$][a-z]{2})[a-z0-9@$]{3,40}(?![\w@$])"
)
LEET_DIGITS, LEET_LETTERS = "013457@$", "oieastas"
"""Leetspeak characters and the letters they stand for."""
_LEET_CHAR = str.maketrans(LEET_DIGITS, LEET_LETTERS)
# Inside such a token, leet runs of one or two characters that touch a letter are letters
# (``h4r1`` -> ``hari``); longer digit runs stay digits (``g4c0r777``).
_LEET_RUN = re.compile(r"(?<![013457@$])(?:(?<=[a-z])[013457@$]{1,2}|[013457@$]{1,2}(?=[a-z]))(?![013457@$])")
# Necessary for a leet token: a leet character beside a letter.  Searched first because it
# opens on a character class the engine can skip to (8x faster than the token pattern on text).
_LEET_HINT = re.compile(r"[013457@$](?:(?<=[a-z].)|(?=[a-z]))")
# Four or more single letters in a row, one space apart: ``s l o t``.
_SPACED = re.compile(r"(?<![^\W\d_])(?:[a-z\u00c0-\u024f] ){3,}[a-z\u00c0-\u024f](?![^\W\d_])")
# Necessary for a spaced word: its second and third letters each stand between spaces.
_SPACED_HINT = re.compile(" [a-z\u00c0-\u024f] [a-z\u00c0-\u024f] ")
_ASCII_SUSPECT = re.compile(
    r"&#|&[a-z]{2,8};|\\[ntrux]|[a-z][013457@$]+[a-z]|(?<![\w@$])[013457@$][a-z]{2}|(?:\b[a-z] ){3}"
)

# The same test over a batch, written so that every branch opens on a character class and the
# search can skip to the next ``&``, ``\\``, leet character or non-word character: a hit of
# ``_ASCII_SUSPECT`` in a text is a hit of this one in the same text (the batch is NUL-framed).
_BATCH_SUSPECT = re.compile(
    r"&(?:#|[a-z]{2,8};)|\\[ntrux]|[013457@$](?<=[a-z][013457@$])[013457@$]*[a-z]"
    r"|[013457@$](?<![\w@$][013457@$])[a-z]{2}|[^\w][a-z] [a-z] [a-z] "
)

DISGUISES = ("math_letters", "invisible", "entities", "escapes", "look_alikes", "leetspeak", "spaced_letters")


def _alphabet_run(letters: str) -> bool:
    """``a b c d`` (an A–Z index) is navigation, not a disguised word."""
    return all(ord(b) - ord(a) == 1 for a, b in itertools.pairwise(letters))


def _unleet(m: re.Match[str]) -> str:
    return _LEET_RUN.sub(lambda r: r.group(0).translate(_LEET_CHAR), m.group(0))


def _unescape(m: re.Match[str]) -> str:
    """One written-out escape as the character it stands for; control characters (``\\x00``)
    read as the space that ``\\n`` is."""
    esc = m.group(0)
    if esc[1] in "ntr":
        return " "
    code = int(esc[2:], 16)
    return " " if code < 0x20 or code == 0x7F else chr(code)


def normalize(text: str) -> tuple[str, int]:
    """``text`` lower-cased with its disguises undone, and how many disguises were undone."""
    marks = 0
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):
            marks += len(_MATH_ALNUM.findall(text)) and 1 + len(_MATH_ALNUM.findall(text)) // 8
            text = unicodedata.normalize("NFKC", text)
        text = text.lower()
        core = _compiled.core
        if core is not None and core.fold_quiet(text):
            return text, marks
        if INVISIBLE.search(text):
            stripped = INVISIBLE.sub("", text)
            marks += 1 + (len(text) - len(stripped)) // 8
            text = stripped
        if GREEK_CYRILLIC.search(text):
            mixed = _MIXED_WORD.findall(text)
            if mixed:
                marks += len(mixed)
                text = _MIXED_WORD.sub(lambda m: m.group(0).translate(CONFUSABLE), text)
    else:
        text = text.lower()
        if not _ASCII_SUSPECT.search(text):
            return text, 0
    if "&" in text and _ENTITY.search(text):
        numeric = text.count("&#")
        marks += numeric and 1 + numeric // 8
        text = html.unescape(text).lower()
    if "\\" in text and _ESCAPE.search(text):
        marks += 1
        text = _ESCAPE.sub(_unescape, text).lower()
        if _SURROGATE.search(text):
            # ``\ud83d\ude00`` is one character written as two escapes; a lone half is not text.
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if _LEET_HINT.search(text) and _LEET_TOKEN.search(text):
        before = text
        text = _LEET_TOKEN.sub(_unleet, text)
        marks += sum(a != b for a, b in zip(before.split(), text.split(), strict=False))
    if _SPACED_HINT.search(text) and _SPACED.search(text):

        def join(m: re.Match[str]) -> str:
            letters = m.group(0).replace(" ", "")
            return m.group(0) if _alphabet_run(letters) else letters

        joined = _SPACED.sub(join, text)
        if joined != text:
            marks += 1
            text = joined
    return text, marks


def mixed_script_words(texts: list[str]) -> np.ndarray:
    """Words mixing Latin with Cyrillic/Greek letters per text (``canаdian`` with a Cyrillic ``а``)."""
    core = _compiled.core
    if core is not None:
        counts: np.ndarray = core.mixed_script_words(texts)
        return counts
    out = np.zeros(len(texts), dtype=np.float32)
    for i, t in enumerate(texts):
        if not t.isascii() and GREEK_CYRILLIC.search(t):
            out[i] = len(_MIXED_WORD.findall(t.lower()))
    return out


def normalize_many(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """:func:`normalize` over a batch: the folded texts and the disguise counts (float32)."""
    core = _compiled.core
    if core is not None:
        done: tuple[list[str], np.ndarray] = core.normalize_many(texts, normalize, unicodedata.is_normalized)
        return done
    out: list[str] = []
    marks = np.zeros(len(texts), dtype=np.float32)
    plain = _plain_ascii(texts)
    for i, t in enumerate(texts):
        if plain[i]:
            out.append(t.lower())
            continue
        folded, n = normalize(t)
        out.append(folded)
        if n:
            marks[i] = n
    return out, marks


def _plain_ascii(texts: list[str]) -> list[bool]:
    """Which texts :func:`normalize` would only lower-case: ASCII with no suspect pattern.

    One search over the batch joined by NULs instead of one per text (most pages are
    thousands of short anchors and lines).  No suspect pattern can match across a NUL, and a
    NUL reads as the start or end of a text to the look-arounds, so a hit belongs to one text.
    """
    core = _compiled.core
    if core is not None:
        plain: list[bool] = core.plain_ascii(texts)
        return plain
    ascii_ = [t.isascii() and "\x00" not in t for t in texts]
    low = "\x00" + "\x00".join(t.lower() if a else "" for t, a in zip(texts, ascii_, strict=True))
    if not _BATCH_SUSPECT.search(low):
        return ascii_
    # Text i starts at starts[i]; the NUL before it is at starts[i] - 1.
    starts = list(itertools.accumulate((len(t) + 1 if a else 1 for t, a in zip(texts, ascii_, strict=True)), initial=1))
    for m in _BATCH_SUSPECT.finditer(low):
        # The last character of a hit is always inside the text (the first may be the NUL before it).
        ascii_[bisect.bisect_right(starts, m.end() - 1) - 1] = False
    return ascii_
