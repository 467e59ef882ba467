"""Block prints in rows (``spam_blocks``) and the capture date (``date``)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import linkguard
from linkguard._blocks import (
    Block,
    blocks_of_row,
    fingerprint,
    minhash,
    page_blocks,
    shingles,
    similarity,
)
from linkguard._records import failed_record
from linkguard.io.jsonl import iter_records as jsonl_records
from linkguard.io.warc import iter_records as warc_records

DATA = Path(__file__).parent / "data"
INJECTED = (
    "<html><body><p>The council met on Tuesday to discuss the new library opening hours.</p>"
    '<div style="display:none"><a href="http://103.49.239.135/">slot gacor</a> '
    '<a href="https://togel88.com/">togel online</a> <a href="https://judi-slot.net/">judi slot</a></div>'
    "</body></html>"
)


def test_fingerprint_ignores_case_and_spacing_not_domains() -> None:
    assert fingerprint("Slot  GACOR\nhari ini", ["a.com"]) == fingerprint("slot gacor hari ini", ["a.com"])
    assert fingerprint("slot gacor", ["a.com"]) != fingerprint("slot gacor", ["b.com"])


def test_minhash_estimates_jaccard() -> None:
    a = shingles("situs slot gacor hari ini gampang menang maxwin", ["slot88.example"])
    assert similarity(minhash(a), minhash(a)) == 1.0
    b = shingles("the council met on tuesday about the library budget", [])
    assert similarity(minhash(a), minhash(b)) < 0.3
    assert minhash(set()) == "" and similarity("", minhash(a)) == 0.0


@given(st.text(max_size=300), st.lists(st.sampled_from(["a.com", "b.org", "1.2.3.4"]), max_size=3))
def test_minhash_is_fixed_size_hex(text: str, domains: list[str]) -> None:
    mh = minhash(shingles(text, domains))
    assert mh == "" or (len(mh) == 64 and int(mh, 16) >= 0)


def test_rows_carry_spam_blocks_with_offsite_domains() -> None:
    report = linkguard.scan(INJECTED, url="https://town.example/news")
    blocks = page_blocks(report)
    spam = [b for b in blocks if b.spam]
    assert spam, [s.to_dict() for s in report.segments]
    assert "togel88.com" in spam[0].domains and "103.49.239.135" in spam[0].domains
    assert spam[0].hidden == "display_none"
    (row,) = linkguard.score_records([{"id": 1, "url": "https://town.example/news", "html": INJECTED}])
    decoded = blocks_of_row(row)
    assert [b.fp for b in decoded] == [b.fp for b in blocks]
    assert all(len(s) < 600 for s in row["spam_blocks"])
    # CSV writes the list as one JSON string: it reads back the same.
    assert blocks_of_row({"spam_blocks": json.dumps(row["spam_blocks"])}) == decoded


def test_bad_block_values_are_ignored() -> None:
    assert blocks_of_row({"spam_blocks": ["not json", '{"no": "fp"}', None]}) == []
    assert blocks_of_row({"spam_blocks": "[[["}) == [] and blocks_of_row({}) == []
    assert Block.from_value({"fp": "x"}) is not None


def test_clean_page_has_no_blocks() -> None:
    (row,) = linkguard.score_records([{"html": "<p>A page about the river walk and its benches.</p>"}])
    assert row["spam_blocks"] == []


def test_warc_date_reaches_the_row() -> None:
    records = list(warc_records(DATA / "pages.warc.gz"))
    assert all(r.get("date") for r in records)
    rows = list(linkguard.score_records(records))
    assert [r["date"] for r in rows] == [r["date"] for r in records]
    date = rows[0]["date"]
    assert date is not None and date.startswith("20")


def test_jsonl_date_passes_through_and_error_rows_keep_it(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"id": "a", "html": "<p>Tide tables.</p>", "date": "2024-01-02"}) + "\n", "utf-8")
    rows = list(linkguard.score_records(jsonl_records(path)))
    assert rows[0]["date"] == "2024-01-02"
    (bad,) = linkguard.score_records([failed_record("x", None, "broken", date="2023-05-06T00:00:00Z")])
    assert bad["status"] == "error" and bad["date"] == "2023-05-06T00:00:00Z"
