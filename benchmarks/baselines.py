"""The tools linkguard is compared with, each as ``fn(html: str, url, lang) -> result``.

* ``parse_floor``: lexbor (selectolax) parse + every ``a[href]`` + ``body.text()``: the least
  any HTML-reading tool must do, so linkguard's cost is reported as a multiple of it.
* ``resiliparse``: ``HTMLTree.parse`` + ``extract_plain_text``.
* ``justext``: ``justext.justext`` with the page language's stoplist (English if unknown).
* ``trafilatura``: ``trafilatura.extract`` with its defaults.
* ``keyword_regex``: what crawl pipelines do: page text (lexbor ``body.text()``), then one
  case-insensitive regex of spam words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from selectolax.lexbor import LexborHTMLParser

# The spam words of the corpus scan (shared/corpus/README.md) plus the usual crawl-filter list.
KEYWORD_PATTERN = re.compile(
    r"\b(?:slot\s+gacor|gacor|maxwin|judi(?:\s+online)?|togel|bandar\s*(?:togel|bola|judi)?|sbobet"
    r"|situs\s+slot|slot\s+online|poker\s+online|casinos?|viagra|cialis|levitra|payday\s+loans?"
    r"|replica\s+watch(?:es)?|essay\s+writing\s+service|porn)\b",
    re.IGNORECASE,
)

# ISO 639-1 -> jusText stoplist names (the languages of the corpus and the spam payloads).
_JUSTEXT_LANG = {
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "it": "Italian",
    "id": "Indonesian",
    "cs": "Czech",
    "bg": "Bulgarian",
    "no": "Norwegian_Bokmal",
    "nl": "Dutch",
    "tr": "Turkish",
    "vi": "Vietnamese",
    "ko": "Korean",
    "ar": "Arabic",
    "bn": "Bengali",
    "ms": "Malay",
    "th": "Thai",
    "uk": "Ukrainian",
    "sv": "Swedish",
    "da": "Danish",
    "fi": "Finnish",
    "hu": "Hungarian",
    "ro": "Romanian",
    "el": "Greek",
    "la": "Latin",
}


@cache
def justext_stoplist(lang: str | None) -> frozenset[str]:
    """The stoplist for a language code, English when jusText has none (loaded once)."""
    import justext  # type: ignore[import-untyped]

    name = _JUSTEXT_LANG.get((lang or "en").split("-")[0].lower(), "English")
    try:
        return frozenset(justext.get_stoplist(name))
    except (ValueError, KeyError, OSError):
        return frozenset(justext.get_stoplist("English"))


def parse_floor(html: str, url: str | None = None, lang: str | None = None) -> tuple[list[str], str]:
    tree = LexborHTMLParser(html)
    hrefs = [a.attributes.get("href") or "" for a in tree.css("a[href]")]
    body = tree.body
    return hrefs, body.text() if body is not None else ""


def resiliparse_text(html: str, url: str | None = None, lang: str | None = None) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return extract_plain_text(HTMLTree.parse(html))


def justext_paragraphs(html: str, url: str | None = None, lang: str | None = None) -> list[Any]:
    import justext

    paragraphs: list[Any] = justext.justext(html, justext_stoplist(lang))
    return paragraphs


def trafilatura_text(html: str, url: str | None = None, lang: str | None = None) -> str | None:
    import trafilatura

    return trafilatura.extract(html, url=url)


def page_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    body = tree.body
    return body.text(separator=" ") if body is not None else ""


def keyword_hits(text: str) -> list[str]:
    return KEYWORD_PATTERN.findall(text)


def keyword_regex(html: str, url: str | None = None, lang: str | None = None) -> bool:
    """Page is spam when its text has any spam word."""
    return KEYWORD_PATTERN.search(page_text(html)) is not None


BASELINES: dict[str, Callable[..., Any]] = {
    "parse_floor": parse_floor,
    "resiliparse": resiliparse_text,
    "justext": justext_paragraphs,
    "trafilatura": trafilatura_text,
    "keyword_regex": keyword_regex,
}


def warm_up() -> None:
    """Import everything and load stoplists/models so no timed call pays a one-off cost."""
    html = "<html><body><p>Warm up paragraph with a <a href='/x'>link</a>.</p></body></html>"
    for fn in BASELINES.values():
        fn(html, "http://example.com/", "en")
    for lang in _JUSTEXT_LANG:
        justext_stoplist(lang)
