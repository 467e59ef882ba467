"""The tricks spammers use to disguise their words, applied to labelled pages.

Each trick rewrites the *visible text* of an injected payload (never its URLs, attributes or
markup), so that a page keeps its structure and its ground truth while its vocabulary is
disguised.  The benchmark re-renders the test split once per trick and reports page recall
per trick: a detector that leans on exact spellings loses recall here.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

from training_data.dataset import LabelledPage, _html_truth

_MARKUP = re.compile(r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>)", re.S | re.I)
_ENTITY = re.compile(r"(&#?\w+;)")
_TOKEN = re.compile(r"(\s+)")
_URLISH = re.compile(r"://|^www\.|\w\.[a-z]{2,}(?:/|$)|@", re.I)
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")

_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
_HOMOGLYPH = str.maketrans(
    "acehijopsxyABCEHKMOPTXY",
    "асеһіјорѕхуАВСЕНКМОРТХУ",
)


def _math(ch: str) -> str:
    # Mathematical sans-serif bold letters and digits (NFKC maps them back to ASCII).
    if "A" <= ch <= "Z":
        return chr(0x1D5D4 + ord(ch) - 65)
    if "a" <= ch <= "z":
        return chr(0x1D5EE + ord(ch) - 97)
    if "0" <= ch <= "9":
        return chr(0x1D7EC + ord(ch) - 48)
    return ch


def _fullwidth(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


def _word(token: str, trick: str, rng: random.Random) -> str:
    """One whitespace-free token, disguised (URL-like tokens are left as they are)."""
    if _URLISH.search(token):
        return token
    if trick == "math_letters":
        return "".join(_math(c) for c in token)
    if trick == "fullwidth":
        return "".join(_fullwidth(c) for c in token)
    if trick == "leetspeak":
        return "".join(_LEET[c.lower()] if c.lower() in _LEET and rng.random() < 0.7 else c for c in token)
    if trick == "homoglyphs":
        return token.translate(_HOMOGLYPH)
    if trick == "spaced_letters":
        return _LATIN_WORD.sub(lambda m: " ".join(m.group(0)), token)
    if trick == "zero_width":
        return "\u200b".join(token) if len(token) >= 3 else token
    if trick == "entities":
        return "".join(f"&#{ord(c)};" if c.isalpha() else c for c in token)
    return token


def _glue(tokens: list[str]) -> str:
    out = ""
    for i, t in enumerate(tokens):
        url = bool(_URLISH.search(t))
        if i and (url or _URLISH.search(tokens[i - 1])):
            out += " "
        out += t
    return out


def obfuscate_text(text: str, trick: str, rng: random.Random) -> str:
    """Plain text (a line of a text dump, or one text run of markup) with ``trick`` applied."""
    if trick == "glued_words":
        # Words of a run written together: "slot gacor hari ini" -> "slotgacorhariini" (URLs keep
        # their spaces, or they would swallow the words next to them).
        return "\n".join(_glue(ln.split()) for ln in text.split("\n"))
    parts = _TOKEN.split(text)
    return "".join(p if not p or p.isspace() else _word(p, trick, rng) for p in parts)


def obfuscate_html(fragment: str, trick: str, rng: random.Random) -> str:
    """Markup with ``trick`` applied to its text runs; tags, attributes, scripts and entities kept."""
    out: list[str] = []
    for i, part in enumerate(_MARKUP.split(fragment)):
        if i % 2 == 1 or not part:
            out.append(part)
            continue
        pieces = _ENTITY.split(part)
        out.append("".join(p if j % 2 == 1 else _html_run(p, trick, rng) for j, p in enumerate(pieces)))
    return "".join(out)


def _html_run(text: str, trick: str, rng: random.Random) -> str:
    if trick == "glued_words":
        # Inside markup a text run is one line; keep the run's outer whitespace.
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        core = text.strip()
        return lead + obfuscate_text(" ".join(core.split()), trick, rng) + trail if core else text
    return obfuscate_text(text, trick, rng)


TRICKS: tuple[str, ...] = (
    "math_letters",
    "fullwidth",
    "leetspeak",
    "spaced_letters",
    "zero_width",
    "homoglyphs",
    "glued_words",
    "entities",
)


def obfuscated_page(lp: LabelledPage, trick: str) -> LabelledPage | None:
    """``lp`` with its injected payload disguised by ``trick``; ``None`` when it has no payload."""
    if not lp.is_spam or not lp.snippet or lp.snippet not in lp.page:
        return None
    rng = random.Random(f"{trick}:{lp.payload_id}:{lp.host_path}:{lp.mode}")
    if lp.mode == "text":
        lines = lp.snippet.split("\n")
        new_lines = [obfuscate_text(ln, trick, rng) for ln in lines]
        new = "\n".join(new_lines)
        return replace(lp, page=lp.page.replace(lp.snippet, new, 1), snippet=new, spam_texts=new_lines)
    new = obfuscate_html(lp.snippet, trick, rng)
    links, texts = _html_truth(new)
    if not texts and not links:
        return None
    return replace(lp, page=lp.page.replace(lp.snippet, new, 1), snippet=new, spam_links=links, spam_texts=texts)


def obfuscation_suite(pages: list[LabelledPage]) -> dict[str, list[LabelledPage]]:
    """Every injected real-payload page of ``pages`` re-rendered with each trick."""
    base = [lp for lp in pages if lp.is_spam and lp.kind == "real"]
    suite: dict[str, list[LabelledPage]] = {"plain": base}
    for trick in TRICKS:
        suite[trick] = [p for p in (obfuscated_page(lp, trick) for lp in base) if p is not None]
    return suite
