"""Real pages: the known injected spam is found, ordinary pages stay clean."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

import linkguard

pytestmark = pytest.mark.corpus

REAL_SPAM = {
    "trafilatura/silvias.net.wahlzensur.html.gz": ("fastestpayoutscasinos.org", "onlineslots.us.com"),
    "wcxb/0393.html.gz": ("wolfwinner-aus.com", "casino-ozwin.net"),
    "wcxb/0548.html.gz": ("magyarkaszinooldalak.com",),
}


def _manifest(corpus_dir: Path) -> list[dict[str, Any]]:
    with (corpus_dir / "manifest.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _read(corpus_dir: Path, path: str) -> bytes:
    with gzip.open(corpus_dir / path) as fh:
        return fh.read()


@pytest.mark.parametrize("path", sorted(REAL_SPAM))
def test_real_injections_are_flagged(corpus_dir: Path, path: str) -> None:
    row = next(r for r in _manifest(corpus_dir) if r["path"] == path)
    report = linkguard.scan(_read(corpus_dir, path), url=row["url"])
    assert report.is_spam
    links = " ".join(report.spam_links)
    for domain in REAL_SPAM[path]:
        assert domain in links, (domain, report.spam_links)
    # The flagged block is the injected one, not the article around it.
    for seg in report.spam_segments:
        assert len(seg.text) < 3000


def test_false_alarm_rate_on_corpus(corpus_dir: Path) -> None:
    rows = [r for r in _manifest(corpus_dir) if r["path"] not in REAL_SPAM]
    flagged = []
    with_spam_segments = 0
    pages = ((_read(corpus_dir, r["path"]), r["url"]) for r in rows)
    for row, report in zip(rows, linkguard.scan_many(pages), strict=True):
        with_spam_segments += report.is_spam
        if report.page_label != "clean":
            flagged.append((row["path"], report.page_label, [link.href for link in report.links if link.is_spam][:3]))
    # The page verdict is what a crawl filter reads (spam segments, planted links or a spam
    # page), so it is what is bounded: at most 2 % of the 507 ordinary pages (10 were flagged
    # when this bound was set; benchmarks/FLOOR_CHANGES.md says why it is not the 1 % that
    # spam segments alone were held to).  A page with spam segments always has a page verdict.
    assert with_spam_segments <= len(flagged)
    assert len(flagged) <= 0.02 * len(rows), flagged
