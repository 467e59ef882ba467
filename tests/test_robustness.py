"""One small input per failure mode: each gives a Report or ``linkguard.InputError``, quickly.

Every scan runs through ``bounded`` (a forked child with a deadline), so a hang
fails its test instead of stalling the suite.  The time limits are hang guards,
not performance targets.
"""

from __future__ import annotations

import codecs
import time
from collections.abc import Callable
from typing import Any

import pytest
from strategies import ABSURD_HREFS, MODELS, bounded, clean_of, squash

import linkguard
from linkguard import Config, InputError


def _summary(page: object, **kw: object) -> dict[str, Any]:
    """Scan, strip and serialise one page; what the assertions need, in picklable form."""
    report = linkguard.scan(page, **kw)  # type: ignore[arg-type]
    clean = clean_of(report) or ""
    d = report.to_dict()
    return {
        "n": len(report.segments),
        "labels": {s.label for s in report.segments},
        "scores": [s.score for s in report.segments],
        "texts": [s.text for s in report.segments],
        "links": [link for s in report.segments for link in s.links],
        "truncated": report.truncated,
        "reason": report.truncated_reason,
        "encoding": report.encoding,
        "mode": report.mode,
        "clean_len": len(clean),
        "dict_keys": sorted(d),
    }


def check(page: object, seconds: float = 60.0, **kw: object) -> dict[str, Any]:
    s: dict[str, Any] = bounded(_call, page, kw, seconds=seconds)
    assert s["labels"] <= {"content", "spam"}
    assert all(0.0 <= x <= 1.0 for x in s["scores"])
    assert s["truncated"] == (s["reason"] is not None)
    return s


def _call(page: object, kw: dict[str, object]) -> dict[str, Any]:
    return _summary(page, **kw)


# --- empty and degenerate -----------------------------------------------------------------


@pytest.mark.parametrize("page", ["", b"", "   \n\t  ", b" \r\n ", "\x00", b"\x00\x00", "\x00<p>a\x00b</p>"])
@pytest.mark.parametrize("mode", ["auto", "html", "text"])
def test_empty_whitespace_nul(page: str | bytes, mode: str) -> None:
    s = check(page, mode=mode)
    if not squash(page.decode("latin-1") if isinstance(page, bytes) else page):
        assert s["n"] == 0  # empty or whitespace only: nothing to label


def test_wrong_types_raise_input_error() -> None:
    for bad in (None, 1, 1.5, ["<p>"], {"html": "x"}, object()):
        with pytest.raises(InputError):
            linkguard.scan(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        linkguard.scan("x", mode="xml")  # type: ignore[arg-type]


def test_random_bytes_and_invalid_utf8() -> None:
    import random

    rng = random.Random(7)
    for _ in range(5):
        check(bytes(rng.getrandbits(8) for _ in range(3000)))
    check(b"<p>\xc3\x28 \xa0\xa1 \xe2\x28\xa1 \xf0\x28\x8c\x28 \xff\xfe</p>")
    check("<p>lone \ud800 surrogate \udfff</p>", mode="text")
    check("<p>lone \ud800 surrogate</p>", mode="html")


# --- encodings ----------------------------------------------------------------------------

WORDS = {
    "cp1251": "Новости погода сегодня",
    "windows-1252": "Café crème brûlée naïve",
    "gb2312": "今天天气很好新闻",
    "shift_jis": "今日の天気は晴れです",
    "euc-kr": "오늘 날씨 뉴스",
}


def _page(words: str, declared: str | None) -> str:
    meta = f'<meta charset="{declared}">' if declared else ""
    return f"<html><head>{meta}<title>t</title></head><body><p>{words} {words}. {words}.</p></body></html>"


@pytest.mark.parametrize("codec", sorted(WORDS))
def test_legacy_encodings_declared(codec: str) -> None:
    words = WORDS[codec]
    s = check(_page(words, codec).encode(codec))
    assert squash(words) in squash(" ".join(s["texts"])), (codec, s["encoding"], s["texts"])


@pytest.mark.parametrize("codec", sorted(WORDS))
def test_legacy_encodings_mislabelled(codec: str) -> None:
    """Declared as another charset (the common crawler case): the text still decodes right."""
    words = WORDS[codec]
    wrong = "utf-8" if codec != "utf-8" else "cp1251"
    s = check(_page(words, wrong).encode(codec))
    assert squash(words) in squash(" ".join(s["texts"])), (codec, s["encoding"], s["texts"])
    s = check(_page(words, None).encode(codec))  # undeclared
    assert squash(words) in squash(" ".join(s["texts"])), (codec, s["encoding"], s["texts"])


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf-8 bom", codecs.BOM_UTF8 + "<p>Grüße aus Köln</p>".encode()),
        ("utf-16-le bom", codecs.BOM_UTF16_LE + "<p>Grüße aus Köln</p>".encode("utf-16-le")),
        ("utf-16-be bom", codecs.BOM_UTF16_BE + "<p>Grüße aus Köln</p>".encode("utf-16-be")),
        ("utf-32-le bom", codecs.BOM_UTF32_LE + "<p>Grüße aus Köln</p>".encode("utf-32-le")),
        ("utf-32-be bom", codecs.BOM_UTF32_BE + "<p>Grüße aus Köln</p>".encode("utf-32-be")),
    ],
)
def test_boms(name: str, data: bytes) -> None:
    s = check(data)
    assert "GrüßeausKöln" in squash(" ".join(s["texts"])), (name, s)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_32_without_bom(codec: str) -> None:
    """No BOM: decoding may be wrong, but the scan must still return a report."""
    check("<p>Grüße aus Köln, a normal sentence.</p>".encode(codec))
    check("<p>Grüße</p>".encode(codec), encoding=codec)


def test_mixed_encodings() -> None:
    data = (
        b"<html><body><p>"
        + "Новости".encode("cp1251")
        + b"</p><p>"
        + "今日の天気".encode("shift_jis")
        + b"</p><p>"
        + "Grüße".encode()
        + b"</p></body></html>"
    )
    check(data)
    check(data, encoding="no-such-codec")
    check(data, encoding="utf-16")


# --- markup -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        "<div><p>unclosed <b>bold <a href='http://x.com'>link",
        "<<<>>><//p>< p><a href=>",
        "<html><head><title>no body</title></head></html>",
        "<!-- only --><!-- comments -->",
        "<script>var a = '<a href=http://spam.com>x</a>';</script><style>p{}</style>",
        "<table><tr><td><table><td>misnested</b></i></table>",
        "</html><a href='http://after.example'>after the end</a>",
        "<p>text</p></body></html>\n<div><a href='http://a.com'>tail</a></div>",
        "<svg><path d='M0'/><foreignObject><p>x</p></foreignObject></svg>",
        "<select>" + "<option>o" * 3000,
        "<a href='x'>" * 3000,
        "<template><p>t</p></template><noscript><a href=x>n</a></noscript>",
        "&amp;&lt;&#0;&#xD800;&#x110000;&bogus;",
    ],
)
def test_broken_markup(page: str) -> None:
    for model in (None, *MODELS.values()):
        check(page, model=model)


@pytest.mark.parametrize("tag", ["div", "span", "ul", "font", "b", "table", "a", "x-custom"])
def test_deep_nesting_100k(tag: str) -> None:
    page = f"<{tag}>" * 100_000 + "deep text" + f"</{tag}>" * 100_000
    s = check(page, seconds=60)
    assert "deeptext" in squash(" ".join(s["texts"]))


def test_deep_nesting_variants() -> None:
    check("<div>" * 100_000)
    check("<span>" * 100_000 + "</y>" * 100_000)
    check("".join(f"<div><font a={i}></div>x" for i in range(20_000)), seconds=15)
    check("<div>x" * 50_000, mode="html", seconds=15)


def test_strip_deep_page_keeps_content_and_wrappers_only_when_present() -> None:
    page = "<div>" * 5000 + "<p>hello world</p>"
    report = linkguard.scan(page, model=MODELS["all_content"])  # type: ignore[arg-type]
    assert report.clean_html() == page  # nothing removed: the input comes back unchanged


# --- absurd links -------------------------------------------------------------------------


@pytest.mark.parametrize("href", ABSURD_HREFS)
def test_absurd_hrefs(href: str) -> None:
    import html

    page = f'<p>text <a href="{html.escape(href, quote=True)}">anchor</a> more</p>'
    check(page, url="http://example.com/page")
    check(page, url=href)
    check(f"see {href} now", mode="text")


@pytest.mark.parametrize("url", [None, "", "http://", "//", "http://[broken", "not a url", "\x00", "h" * 5000])
def test_absurd_page_urls(url: str | None) -> None:
    check("<p><a href='/x'>x</a> <a href='http://other.com'>o</a></p>", url=url)


def test_long_single_token_is_not_quadratic() -> None:
    """A 200 KB one-word line (base64 blobs, minified junk) must not hang the matchers."""
    check("a" * 200_000, mode="text", seconds=15)
    check("<p>" + "ab" * 100_000 + "</p>", seconds=15)


# --- caps ---------------------------------------------------------------------------------


def test_byte_cap_small_config() -> None:
    page = "<p>" + "word " * 20_000 + "</p>"
    s = check(page, config=Config(max_bytes=1000))
    assert s["truncated"] and "1000" in s["reason"]
    s = check(page.encode(), config=Config(max_bytes=1000))
    assert s["truncated"] and "1000" in s["reason"]
    assert not check("<p>short</p>", config=Config(max_bytes=1000))["truncated"]


def test_node_and_link_caps() -> None:
    links = "".join(f"<a href='http://s{i}.com/'>l{i}</a>" for i in range(2000))
    s = check(f"<div>{links}</div>", config=Config(max_links=100))
    assert s["truncated"] and "link" in s["reason"] and len(s["links"]) <= 100
    s = check("<div><p>x</p></div>" * 2000, config=Config(max_nodes=500))
    assert s["truncated"] and "node" in s["reason"]


def test_config_rejects_nonsense() -> None:
    for kw in ({"max_bytes": 0}, {"max_nodes": -1}, {"max_links": 0}, {"threshold": 1.5}):
        with pytest.raises(ValueError):
            Config(**kw)


def test_ten_mb_on_one_line() -> None:
    line = ("<a href='http://x.com/'>word</a> " * 350_000)[: 10 * 1024 * 1024]
    s = check(line, seconds=120)
    assert not s["truncated"] or s["reason"]
    check("word " * (2 * 1024 * 1024), mode="text", seconds=120)


@pytest.mark.slow
def test_fifty_mb_page_hits_default_byte_cap() -> None:
    page = ("<p>A normal paragraph about the weather, with some words in it.</p>\n" * 800_000)[: 50 * 1024 * 1024]
    s = check(page.encode(), seconds=600)
    assert s["truncated"] and "byte cap" in s["reason"]
    s = check(page, seconds=600)
    assert s["truncated"] and "cap" in s["reason"]


@pytest.mark.slow
def test_one_million_links() -> None:
    page = "<div>" + "<a href='http://spam.example/'>x</a>" * 1_000_000 + "</div>"  # 36 MB
    s = check(page, seconds=1200)
    assert s["truncated"] and "cap" in s["reason"]  # default byte (16 MiB) and link caps are below this
    big = Config(max_bytes=64 * 1024 * 1024, max_links=2_000_000, max_nodes=10_000_000)
    s = check(page, config=big, seconds=1200)
    assert not s["truncated"] and len(s["links"]) == 1_000_000


@pytest.mark.slow
def test_cost_grows_linearly() -> None:
    """4x the input must not take more than ~8x the time (generous; catches quadratic paths)."""
    unit = (
        "<div class='post'><p>Some text about the weather and news " + "x" * 50 + "</p>"
        "<a href='http://example.com/a'>link</a><span>" * 3 + "</span>" * 3 + "</div>\n"
    )
    pages: dict[str, Callable[[int], str]] = {
        "flat": lambda n: unit * n,
        "deep": lambda n: "<div>" * n + "x",
        "links": lambda n: "<a href='http://s.com/'>x</a>" * n,
        "token": lambda n: "a" * (n * 10),
    }
    for name, make in pages.items():
        times = []
        for n in (5_000, 20_000):
            page = make(n)
            linkguard.scan(page[:1000])
            best = min(_timed(page) for _ in range(2))
            times.append(best)
        assert times[1] <= 8 * times[0] + 0.5, (name, times)


def _timed(page: str) -> float:
    t = time.perf_counter()
    bounded(lambda p: len(linkguard.scan(p).segments), page, seconds=300)
    return time.perf_counter() - t
