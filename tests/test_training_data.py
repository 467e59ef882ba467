"""The real readers' comments with a link (``training_data/negatives/comments``): well-formed
records, and pages that carry each written-out URL as a link."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from linkguard._segment import segment_html
from training_data.dataset import _comment_html, comment_links

COMMENTS = Path(__file__).resolve().parents[1] / "training_data" / "negatives" / "comments"
FIELDS = {"id", "category", "lang", "format", "snippet", "links", "source", "source_group", "collected", "via", "notes"}


def _records() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(COMMENTS.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            out.extend(json.loads(line) for line in fh if line.strip())
    return out


def test_comment_records_are_well_formed() -> None:
    records = _records()
    assert records, "no comment records"
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    for r in records:
        assert set(r) == FIELDS, r["id"]
        assert r["category"] == "comment_link" and r["format"] == "text"
        snippet, links = r["snippet"], r["links"]
        assert isinstance(snippet, str) and 20 <= len(snippet) <= 600, r["id"]
        assert isinstance(links, list) and links, r["id"]
        assert all(isinstance(u, str) and u in snippet for u in links), r["id"]
        assert str(r["source"]).startswith(("http://", "https://")), r["id"]


def test_each_written_url_becomes_a_link_of_the_comment() -> None:
    markup = _comment_html(
        "see https://example.org/a and https://example.org/ab <b>\nthen http://t.co/x.",
        [
            "https://example.org/a",
            "https://example.org/ab",
            "http://t.co/x",
        ],
    )
    links = [link for seg in segment_html(markup).segments for link in seg.links]
    assert links == ["https://example.org/a", "https://example.org/ab", "http://t.co/x"]
    assert "<b>" not in markup  # the comment's text is text, not markup


def test_every_record_renders_its_links() -> None:
    links_of = {r["id"]: r["links"] for r in _records()}
    for neg in comment_links():
        hrefs = {link for seg in segment_html(neg.snippet).segments for link in seg.links}
        assert set(links_of[neg.id]) <= hrefs, neg.id


def test_the_ranking_figure_needs_no_threshold() -> None:
    """``validate.ranking``: pages ordered by their highest segment score; recall at the cut that
    lets 1 % of clean pages through, and average precision; recombined pages left out."""
    from types import SimpleNamespace

    from training_data.validate import ranking

    def page(is_spam: bool, kind: str = "real") -> SimpleNamespace:
        return SimpleNamespace(is_spam=is_spam, kind=kind if is_spam else "clean")

    clean = [page(False) for _ in range(200)]
    clean_scores = [i / 1000 for i in range(200)]  # 0.000 .. 0.199
    clean_scores[0], clean_scores[1], clean_scores[2] = 0.99, 0.95, 0.5  # three false alarms
    spam = [page(True) for _ in range(4)] + [page(True, "composite")]
    spam_scores = [0.97, 0.96, 0.6, 0.4, 0.999]
    got = ranking(clean + spam, clean_scores + spam_scores)
    # 1 % of 200 clean pages is 2: the cut is the third-highest clean score (0.5), passed strictly.
    assert got["spam_pages"] == 4 and got["clean_pages"] == 200
    assert got["found"] == 3 and got["recall_at_fa"] == 0.75
    assert 0 < got["average_precision"] < 1
    perfect = ranking(clean[:10] + spam[:4], [0.1] * 10 + [0.9] * 4)
    assert perfect["average_precision"] == 1.0 and perfect["recall_at_fa"] == 1.0
    assert ranking(spam[:2], [0.9, 0.8])["average_precision"] is None
