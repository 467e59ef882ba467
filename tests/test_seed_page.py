"""The page linkguard started from: a news article with an injected trailing block."""

from __future__ import annotations

import html
import re

import pytest

import linkguard

BRANDS = ("anakslot", "KAKAPHOKI", "agen bandar bola online indonesia", "viartoto", "123indo", "badak69")
ARTICLE_LINES = ("About admin", "Check Also", "Ban on Women’s Education Badly Impacts")


def _urls(text: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"https?://\S+", text)))


def _as_html(text: str, brand_style: str) -> str:
    parts = ["<html><head><title>News</title></head><body><article>"]
    for block in text.split("\n\n"):
        block = block.strip()
        if not block:
            continue
        if block.startswith("http"):
            lines = block.splitlines()
            links = " ".join(f'<a href="{u}">{html.escape(u)}</a>' for u in lines[0].split())
            parts.append(f"<p>{links}</p>")
            for brand in lines[1:]:
                if brand_style == "links":
                    parts.append(f'<div><a href="https://{brand.split()[0].lower()}.example/">{brand}</a></div>')
                else:
                    parts.append(f"<div>{html.escape(brand)}</div>")
        else:
            parts.append(f"<p>{html.escape(block)}</p>")
    parts.append("</article></body></html>")
    return "\n".join(parts)


def _check(report: linkguard.Report, text: str) -> None:
    expected = _urls(text)
    assert len(expected) == 25
    flagged = set(report.spam_links)
    assert [u for u in expected if u not in flagged] == []
    spam_text = "\n".join(s.text for s in report.spam_segments)
    for brand in BRANDS:
        assert brand in spam_text, brand
    for seg in report.segments:
        if seg.label == "spam":
            assert not any(line in seg.text for line in ARTICLE_LINES), seg.text
            assert "Pakistan" not in seg.text and "KABUL" not in seg.text, seg.text
    assert report.is_spam


def test_seed_page_as_text(seed_page: str) -> None:
    report = linkguard.scan(seed_page, mode="text")
    assert report.mode == "text"
    _check(report, seed_page)
    assert all(r in linkguard.REASON_CODES for s in report.spam_segments for r in s.reasons)


def test_seed_page_auto_mode_is_text(seed_page: str) -> None:
    assert linkguard.scan(seed_page).mode == "text"


@pytest.mark.parametrize("brand_style", ["links", "divs"])
def test_seed_page_wrapped_in_html(seed_page: str, brand_style: str) -> None:
    page = _as_html(seed_page, brand_style)
    report = linkguard.scan(page, url="https://www.example-news.af/latest/pakistan-tajikistan")
    assert report.mode == "html"
    _check(report, seed_page)


def test_seed_page_strip_keeps_article(seed_page: str) -> None:
    clean = linkguard.strip(seed_page)
    assert "103.49.239.135" not in clean
    assert "badak69" not in clean
    assert "Pakistan has approached Tajikistan" in clean
    assert "About admin" in clean
    html_clean = linkguard.strip(_as_html(seed_page, "links"))
    assert "103.49.239.135" not in html_clean
    assert "Pakistan has approached Tajikistan" in html_clean


def test_seed_page_bytes_in_other_encodings(seed_page: str) -> None:
    for enc in ("utf-8", "utf-16"):
        report = linkguard.scan(seed_page.encode(enc), mode="text")
        _check(report, seed_page)
