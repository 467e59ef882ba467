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
