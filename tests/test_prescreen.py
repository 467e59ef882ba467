"""The opt-in prescreen: what it clears, what it sends to the full scan, and that it never
changes the report of a page it does not clear."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import any_page

import linkguard
from linkguard import Config, _compiled, _prescreen, score_records
from linkguard._native import segment_html
from linkguard._prescreen import prescreen
from linkguard._segment import Page, RawSegment
from linkguard.cli import main

SCREEN = Config(prescreen=True)

PLAIN = (
    "<html><head><title>Garden notes</title></head><body><nav><a href='/'>Home</a> "
    "<a href='/about'>About</a></nav><article><h1>Tomatoes in a cold summer</h1>"
    "<p>We planted the seedlings late this year, after a wet May, and kept them under fleece "
    "until the nights warmed up. The first trusses set in July.</p>"
    "<p>See the <a href='https://www.rhs.org.uk/vegetables/tomatoes/grow-your-own'>growing "
    "guide</a> for the varieties that cope best.</p></article>"
    "<footer><p>Written by the allotment society.</p></footer></body></html>"
)
URL = "https://allotments.example.org/notes/tomatoes"


def _without_flag(report: linkguard.Report) -> dict[str, Any]:
    out = report.to_dict()
    out.pop("prescreened")
    return out


def _why(html: str, url: str | None = URL) -> str:
    model = linkguard.default_model()
    return prescreen(segment_html(html), url, model.text)


def test_plain_page_is_cleared_without_scoring() -> None:
    report = linkguard.scan(PLAIN, URL, config=SCREEN)
    assert report.prescreened
    assert report.page_label == "clean" and report.page_score is None and not report.is_spam
    assert all(s.label == "content" and s.score == 0.0 and not s.reasons for s in report.segments)
    full = linkguard.scan(PLAIN, URL)
    assert not full.prescreened
    assert [s.text for s in report.segments] == [s.text for s in full.segments]
    assert [s.links for s in report.segments] == [s.links for s in full.segments]
    assert [(k.href, k.anchor, k.segment) for k in report.links] == [(k.href, k.anchor, k.segment) for k in full.links]
    assert all(k.label == "content" and k.score == 0.0 for k in report.links)
    assert report.clean_html() == PLAIN
    assert report.to_dict(segments=False)["prescreened"] is True


def _page(extra: str, *, tail: str = "") -> str:
    return PLAIN.replace("</article>", "</article>" + extra) + tail


@pytest.mark.parametrize(
    ("html", "why"),
    [
        (_page("<p><a href='http://45.77.12.9/x'>read more</a></p>"), "raw_ip_links"),
        # A bracket left open: read as the address it holds (the safe side: the page is scanned).
        (_page("<p><a href='//[45.77.12.9:80/x'>read more</a></p>"), "raw_ip_links"),
        (_page("", tail="<p>some words after the end</p>"), "after_html_end"),
        (
            _page(
                "<div style='display:none'><a href='https://alpha-news.com/'>a</a> <a href='https://beta-shop.net/'>b</a></div>"
            ),
            "hidden_offsite_links",
        ),
        (_page("<p>" + " ".join(f"<a href='https://site{i}.com/'>friend</a>" for i in range(8)) + "</p>"), "link_run"),
        (_page("<p><a href='https://casinobonusslots.com/'>partner</a></p>"), "spam_host"),
        (_page("<p><a href='/x'>VIARTOTO</a></p>"), "brand_anchor"),
        (_page("<p>daftar s1ot g4c0r hari ini</p>"), "spam_terms"),
        (_page("<p>daftar s l o t g a c o r hari ini</p>"), "spam_terms"),
        (_page("<p>daftar ｓｌｏｔ ｇａｃｏｒ hari ini</p>"), "spam_terms"),
        (_page("<p>buy che\u200bap via\u200bgra online</p>"), "spam_terms"),
    ],
)
def test_each_kind_of_evidence_sends_the_page_to_the_full_scan(html: str, why: str) -> None:
    assert _why(html) == why
    report = linkguard.scan(html, URL, config=SCREEN)
    assert not report.prescreened
    assert _without_flag(report) == _without_flag(linkguard.scan(html, URL))


def test_seed_page_is_never_cleared(seed_page: str) -> None:
    for mode in ("text", "html"):
        page = (
            seed_page
            if mode == "text"
            else "<html><body>"
            + "".join(f"<p>{line}</p>" for line in seed_page.splitlines() if line.strip())
            + "</body></html>"
        )
        screened = linkguard.scan(page, mode=mode, config=SCREEN)
        full = linkguard.scan(page, mode=mode)
        assert not screened.prescreened and full.is_spam
        assert _without_flag(screened) == _without_flag(full)


def test_scan_many_keeps_order_and_equals_scan() -> None:
    pages = [PLAIN, _page("<p>daftar slot gacor</p>"), PLAIN, _page("", tail="<a href='http://45.77.12.7/'>x</a>")]
    many = list(linkguard.scan_many([(p, URL) for p in pages], batch_size=3, config=SCREEN))
    one = [linkguard.scan(p, URL, config=SCREEN) for p in pages]
    assert [r.prescreened for r in many] == [True, False, True, False]
    assert [r.to_dict() for r in many] == [r.to_dict() for r in one]


def test_rows_say_prescreened() -> None:
    rows = list(
        score_records(
            [{"id": 1, "html": PLAIN, "url": URL}, {"id": 2, "html": _page("<p>slot gacor</p>")}], config=SCREEN
        )
    )
    assert [r["prescreened"] for r in rows] == [True, False]
    assert rows[0]["page_label"] == "clean" and rows[1]["is_spam"]


@given(page=any_page)
def test_a_page_not_cleared_gets_the_full_report(page: str | bytes) -> None:
    screened = linkguard.scan(page, config=SCREEN)
    if screened.prescreened:
        assert not screened.is_spam and screened.page_label == "clean"
        assert all(s.label == "content" for s in screened.segments)
    else:
        assert _without_flag(screened) == _without_flag(linkguard.scan(page))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_prescreen_flag(tmp_path: Path, jobs: str) -> None:
    (tmp_path / "plain.html").write_text(PLAIN, "utf-8")
    (tmp_path / "spam.html").write_text(_page("<p>daftar slot gacor hari ini</p>"), "utf-8")
    out = tmp_path / "rows.jsonl"
    assert (
        main(
            [
                "score",
                "-q",
                "--prescreen",
                "--jobs",
                jobs,
                "-o",
                str(out),
                str(tmp_path / "plain.html"),
                str(tmp_path / "spam.html"),
            ]
        )
        == 0
    )
    rows = {Path(r["id"]).name: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    assert rows["plain.html"]["prescreened"] is True and rows["plain.html"]["page_label"] == "clean"
    assert rows["spam.html"]["prescreened"] is False and rows["spam.html"]["is_spam"]
    assert main(["score", "-q", "--jobs", jobs, "-o", str(out), str(tmp_path / "plain.html")]) == 0
    assert json.loads(out.read_text("utf-8"))["prescreened"] is False


_FOLD_PIECES = [
    " ",
    "  ",
    "\n",
    "a",
    "B",
    "é",
    "_",
    "-",
    "ß",
    "İ",
    "Σ",
    "а",
    "ο",
    "ԁ",  # a look-alike outside the Greek and Cyrillic block: read as one only beside such a letter
    "ж",
    "\u0375",
    "\u200b",
    "\u00ad",
    "\ufeff",
    "ｓｌｏｔ",
    "\U0001d5ec",
    "ﬁ",
    "\u2168",
    "&amp;",
    "&#115;",
    "&#x30;",
    "&copy",
    "&",
    "\\",
    "\\n",
    "\\t",
    "\\r",
    "\\\\n",
    *"013457@$",
    "g4c0r",
    "s l o t",
    " s l o t g a c o r ",
    "a b c d ef",
    "日本",
    "\ud800",
]


@pytest.mark.skipif(_compiled.core is None, reason="compiled core not built (pure-Python install)")
@given(st.lists(st.sampled_from(_FOLD_PIECES) | st.text(max_size=3), max_size=16).map("".join))
def test_fold_equals_the_reference(text: str) -> None:
    """The compiled fold gives the reference's strings: lower case as written, and every disguise
    read as letters (NFKC, invisible characters, look-alikes, entities, written-out escapes, leet,
    letters spaced apart)."""
    assert _prescreen._folded(text) == _prescreen._fold_reference(text)


_HREF_PIECES = [
    "http://",
    "HTTPS://",
    "//",
    "ftp:",
    "a+b.c-d:",
    "abcdefghijklmnop:",
    "ſ",
    "\u212a",
    " ",
    "\x01",
    "\t",
    "user@",
    "@",
    "example.org",
    "www.example.org",
    "news.example.org",
    "other.example.net",
    "third.example.com",
    "bestcasino777.com",
    "slot88.net",
    "103.49.239.135",
    "[::1]",
    ":8080",
    ".",
    "/path",
    "?q=1",
    "#top",
    "\\",
    "https://www.google.com/url?q=https://target.example.com/",
    "Ä",
]


@pytest.mark.skipif(_compiled.core is None, reason="compiled core not built (pure-Python install)")
@given(
    links=st.lists(st.lists(st.lists(st.sampled_from(_HREF_PIECES), max_size=5).map("".join), max_size=12), max_size=5),
    hidden=st.lists(st.booleans(), min_size=5, max_size=5),
    url=st.sampled_from([None, "https://news.example.org/a", "http://103.49.239.135/x"]),
)
def test_link_evidence_equals_the_reference(links: list[list[str]], hidden: list[bool], url: str | None) -> None:
    """Raw IP links, spam-named hosts, hidden blocks and runs of links to other sites: the compiled
    screen gives the reference's first reason on any links."""
    segments = [
        RawSegment("x", hrefs, hidden="display_none" if h else "") for hrefs, h in zip(links, hidden, strict=False)
    ]
    page = Page(segments, "html", None, None, None, "", "")
    home = "example.org" if url and "example" in url else ""
    base_host = "news.example.org" if home else ("103.49.239.135" if url else "")
    got = _prescreen._link_evidence(page, url)
    assert got == _prescreen._link_evidence_reference(segments, home, base_host)
