"""The host view, campaigns and the marking pass, from rows alone."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linkguard
from linkguard._blocks import Block, fingerprint, minhash, shingles, similarity
from linkguard._campaigns import find_campaigns
from linkguard._hosts import (
    MAX_DAYS,
    MAX_HOST_BLOCKS,
    NEAR_COPY,
    ONSET_SCORE,
    ONSET_TEXT_SCORE,
    POOLED_SCORE,
    POOLED_TEXT_SCORE,
    HostSketch,
    HostView,
    mark_rows,
    summarize_hosts,
)
from linkguard.cli import main
from linkguard.io.rows import RowsError, iter_rows

ARTICLE = (
    "<html><body><article><h1>Notes {k}</h1><p>The harbour committee met on day {k} to discuss the new ferry "
    "timetable, the repairs to the north pier and the summer festival.</p></article>{inject}"
    "<footer><p>Harbour Town Council</p></footer></body></html>"
)
PAYLOAD = (
    '<div style="display:none"><a href="https://slot-gacor88.com/">slot gacor</a> '
    '<a href="https://togel-online77.net/">togel online</a> <a href="http://103.49.239.135/">judi slot</a></div>'
)


def _row(
    url: str, blocks: list[Block], *, spam: bool, date: str | None = None, label: str | None = None
) -> dict[str, Any]:
    return {
        "id": url,
        "url": url,
        "date": date,
        "status": "ok",
        "is_spam": spam,
        "page_label": label or ("injected" if spam else "clean"),
        "spam_blocks": [b.to_json() for b in blocks],
    }


def _block(text: str, domains: tuple[str, ...], *, spam: bool, score: float, path: str = "body>footer") -> Block:
    return Block(fingerprint(text, domains), minhash(shingles(text, domains)), path, "", spam, score, domains, text)


SPAM = "slot gacor hari ini togel online judi slot maxwin"


def test_template_injection_is_found_and_every_copy_marked() -> None:
    rows = []
    for k in range(10):
        injected = k >= 4
        blocks = [_block(SPAM, ("slot88.com",), spam=k % 2 == 0, score=0.97 if k % 2 == 0 else 0.6)] if injected else []
        rows.append(
            _row(f"https://www.town.org/p{k}", blocks, spam=injected and k % 2 == 0, date=f"2024-01-{k + 1:02d}")
        )
    (summary,) = summarize_hosts(rows)
    assert summary["host"] == "town.org" and summary["label"] == "template_injection"
    assert summary["pages"] == 10 and summary["pages_injected"] == 3 and summary["pages_with_template"] == 6
    (block,) = summary["blocks"]
    assert block["template"] and block["evidence"] == "convicted" and block["domains"] == ["slot88.com"]
    assert block["first_date"] == "2024-01-05" and summary["first_date"] == "2024-01-01"
    marked = list(mark_rows(rows, [summary]))
    assert [bool(r["template_block"]) for r in marked] == [k >= 4 for k in range(10)]
    # the copies their own pages scored under the threshold are raised
    assert sum(r["is_spam_batch"] and not r["is_spam"] for r in marked) == 3


def test_a_lone_false_alarm_is_not_a_template() -> None:
    rows = [_row(f"https://www.town.org/p{k}", [], spam=False) for k in range(9)]
    rows.append(_row("https://www.town.org/p9", [_block(SPAM, ("slot88.com",), spam=True, score=0.99)], spam=True))
    (summary,) = summarize_hosts(rows)
    assert summary["label"] == "injected" and not summary["blocks"][0]["template"]


def test_repeated_near_miss_is_listed_not_convicted_unless_pooled() -> None:
    def rows(score: float) -> list[dict[str, Any]]:
        return [
            _row(f"https://a.org/p{k}", [_block(SPAM, ("slot88.com",), spam=False, score=score)], spam=False)
            for k in range(5)
        ]

    (weak,) = summarize_hosts(rows(0.6))
    assert weak["label"] == "clean" and weak["blocks"][0]["evidence"] == "repeated"
    (under,) = summarize_hosts(rows(POOLED_SCORE - 0.02))
    assert under["label"] == "clean" and under["blocks"][0]["evidence"] == "repeated"
    (strong,) = summarize_hosts(rows(min(0.99, POOLED_SCORE + 0.02)))
    assert strong["label"] == "template_injection" and strong["blocks"][0]["evidence"] == "pooled"


def test_repeated_text_block_needs_a_higher_pooled_bar() -> None:
    """Without off-site links only a block with text whose copies all but reach the prose bar pools."""

    def rows(text: str, score: float) -> list[dict[str, Any]]:
        return [_row(f"https://a.org/p{k}", [_block(text, (), spam=False, score=score)], spam=False) for k in range(5)]

    assert 0.9 < POOLED_SCORE < POOLED_TEXT_SCORE < 1.0
    assert summarize_hosts(rows(SPAM, POOLED_SCORE))[0]["label"] == "clean"
    (strong,) = summarize_hosts(rows(SPAM, min(0.999, POOLED_TEXT_SCORE + 0.005)))
    assert strong["label"] == "template_injection" and strong["blocks"][0]["evidence"] == "pooled"
    # an empty block (an image, a widget's frame) is no evidence of text spam, however it scores
    assert summarize_hosts(rows("", 0.999))[0]["label"] == "clean"
    # two pages are not a template
    assert summarize_hosts(rows(SPAM, 0.999)[:2])[0]["label"] == "clean"


def _onset_rows(
    block: Block | None, *, start: int, n: int = 12, dated: bool = True, skip: tuple[int, ...] = ()
) -> list[dict[str, Any]]:
    """``n`` pages of one host, one a day; ``block`` on the pages from day ``start`` on (but ``skip``)."""
    return [
        _row(
            f"https://www.shop.org/p{d}",
            [block] if block is not None and d >= start and d not in skip else [],
            spam=False,
            date=f"2024-05-{d + 1:02d}T08:00:00Z" if dated else None,
        )
        for d in range(n)
    ]


def test_a_block_that_appeared_on_a_date_is_a_template_injection() -> None:
    linked = _block(SPAM, ("slot88.com",), spam=False, score=ONSET_SCORE + 0.05)
    (summary,) = summarize_hosts(_onset_rows(linked, start=5))
    assert summary["label"] == "template_injection"
    (block,) = summary["blocks"]
    assert block["evidence"] == "onset" and block["pages_before"] == 5 and block["pages"] == 7
    assert block["first_date"] == "2024-05-06T08:00:00Z"
    marked = list(mark_rows(_onset_rows(linked, start=5), [summary]))
    assert [bool(r["is_spam_batch"]) for r in marked] == [d >= 5 for d in range(12)]
    # one copy missed by the page scan on the way is still an onset (coverage 6/7)
    assert summarize_hosts(_onset_rows(linked, start=5, skip=(8,)))[0]["label"] == "template_injection"


def test_no_onset_without_a_before_dates_or_enough_score() -> None:
    linked = _block(SPAM, ("slot88.com",), spam=False, score=ONSET_SCORE + 0.05)
    # furniture: on every page from the first one
    (always,) = summarize_hosts(_onset_rows(linked, start=0))
    assert always["label"] == "clean" and always["blocks"][0]["evidence"] == "repeated"
    # too few pages captured before it
    assert summarize_hosts(_onset_rows(linked, start=2))[0]["label"] == "clean"
    # rows without capture dates give no onset
    assert summarize_hosts(_onset_rows(linked, start=5, dated=False))[0]["label"] == "clean"
    # on only some of the pages since (a section's widget, not a template)
    assert summarize_hosts(_onset_rows(linked, start=5, skip=(6, 8, 10)))[0]["label"] == "clean"
    # copies under the bar
    weak = _block(SPAM, ("slot88.com",), spam=False, score=ONSET_SCORE - 0.05)
    assert summarize_hosts(_onset_rows(weak, start=5))[0]["label"] == "clean"


def test_onset_of_a_block_without_links_needs_text_and_its_own_bar() -> None:
    text = _block(SPAM, (), spam=False, score=ONSET_TEXT_SCORE + 0.05)
    (summary,) = summarize_hosts(_onset_rows(text, start=5))
    assert summary["label"] == "template_injection" and summary["blocks"][0]["evidence"] == "onset"
    under = _block(SPAM, (), spam=False, score=ONSET_TEXT_SCORE - 0.05)
    assert summarize_hosts(_onset_rows(under, start=5))[0]["label"] == "clean"
    empty = _block("", (), spam=False, score=0.99)
    assert summarize_hosts(_onset_rows(empty, start=5))[0]["label"] == "clean"


def test_capture_days_past_the_cap_are_counted_by_month_in_any_order() -> None:
    block = _block(SPAM, ("slot88.com",), spam=False, score=ONSET_SCORE + 0.05)
    rows = []
    for d in range(MAX_DAYS + 200):  # one page a day for about 20 months, the block in the last 100 days
        year, day = 2020 + d // 360, d % 360
        date = f"{year}-{1 + day // 30:02d}-{1 + day % 30:02d}T00:00:00Z"
        rows.append(_row(f"https://www.shop.org/{d}", [block] if d >= MAX_DAYS + 100 else [], spam=False, date=date))
    sketch = HostSketch("shop.org")
    for row in rows:
        sketch.add_row(row)
    assert sketch.day_len == 7 and len(sketch.days) <= MAX_DAYS and sum(sketch.days.values()) == len(rows)
    (summary,) = summarize_hosts(rows)
    assert summary["label"] == "template_injection" and summary["blocks"][0]["evidence"] == "onset"
    halves = HostSketch("shop.org"), HostSketch("shop.org")
    for k, row in enumerate(reversed(rows)):
        halves[k % 2].add_row(row)
    assert halves[0].merge(halves[1]).summary() == summary


def test_near_copies_are_one_block() -> None:
    rows = []
    for k in range(6):
        text = SPAM + f" {k}"
        rows.append(_row(f"https://b.net/{k}", [_block(text, ("slot88.com",), spam=True, score=0.99)], spam=True))
    (summary,) = summarize_hosts(rows)
    (block,) = summary["blocks"]
    assert block["pages"] == 6 and len(block["fingerprints"]) == 6


def test_rows_without_url_or_not_ok_are_counted_apart() -> None:
    view = HostView()
    view.add({"id": 1, "url": None, "status": "ok"})
    view.add({"id": 2, "url": "https://c.org/", "status": "error", "date": "2024-02-02"})
    (summary,) = view.summaries()
    assert view.without_host == 1 and summary["records"] == 1 and summary["pages"] == 0
    assert summary["first_date"] == "2024-02-02"


def _random_rows(seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    texts = [f"{SPAM} {rng.random()}" for _ in range(6)] + [SPAM]
    rows = []
    for k in range(n):
        host = rng.choice(["a.org", "b.com", "c.net"])
        picks = rng.sample(texts, rng.randint(0, 3))
        # one block, its links in another order on another page: the same print
        blocks = [
            _block(
                t,
                tuple(rng.sample(["x.com", "y.org", "z.net"], 3)),
                spam=rng.random() < 0.5,
                score=rng.random(),
                path=f"body>div.c{rng.randrange(40)}>p",  # more places than a print keeps
            )
            for t in picks
        ]
        rows.append(_row(f"https://{host}/{k}", blocks, spam=bool(blocks), date=f"2024-03-{1 + k % 28:02d}"))
    return rows


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 200), st.integers(1, 5))
def test_merged_sketches_equal_one_pass(seed: int, n: int, parts: int) -> None:
    """Spark folds rows per partition and merges sketches: the summaries must not depend on how."""
    rows = _random_rows(seed, n)
    one = summarize_hosts(rows)
    chunks: list[dict[str, HostSketch]] = [{} for _ in range(parts)]
    for k, row in enumerate(rows):
        host = row["url"].split("/")[2]
        chunks[k % parts].setdefault(host, HostSketch(host)).add_row(row)
    merged: dict[str, HostSketch] = {}
    for chunk in reversed(chunks):
        for host, sketch in chunk.items():
            merged[host] = merged[host].merge(sketch) if host in merged else sketch
    assert [merged[h].summary() for h in sorted(merged)] == one


def test_memory_per_host_is_capped() -> None:
    sketch = HostSketch("d.org")
    for k in range(3 * MAX_HOST_BLOCKS):
        sketch.add_row(_row(f"https://d.org/{k}", [_block(f"spam {k}", ("x.com",), spam=True, score=0.99)], spam=True))
    assert len(sketch.blocks) == MAX_HOST_BLOCKS and sketch.dropped == 2 * MAX_HOST_BLOCKS
    assert sketch.summary()["blocks_dropped"] == 2 * MAX_HOST_BLOCKS


def _host_rows(
    host: str, text: str, domains: tuple[str, ...], *, n: int = 4, spam: bool = True
) -> list[dict[str, Any]]:
    return [
        _row(f"https://{host}/{k}", [_block(text, domains, spam=spam, score=0.99 if spam else 0.6)], spam=spam)
        for k in range(n)
    ]


def test_campaigns_join_hosts_by_text_or_targets_and_keep_strangers_apart() -> None:
    rows = (
        _host_rows("one.org", SPAM, ("slot88.com", "togel77.net"))
        + _host_rows("two.com", SPAM + " extra words here", ("slot88.com", "togel77.net"))
        + _host_rows("three.net", "buy cheap pills online", ("slot88.com", "togel77.net"))
        + _host_rows("four.de", "replica watches best price", ("replica-shop.com",))
        + _host_rows("five.fr", "replica watches best price", ("replica-shop.com",))
        + _host_rows("six.es", "completely different essay writing help", ("essays.biz",))
    )
    campaigns = find_campaigns(summarize_hosts(rows))
    hosts = [sorted(c["host_list"]) for c in campaigns]
    assert hosts == [["one.org", "three.net", "two.com"], ["five.fr", "four.de"]]
    assert campaigns[0]["targets"][:2] == ["slot88.com", "togel77.net"]


def test_a_near_miss_joins_a_campaign_only_as_a_near_copy() -> None:
    rows = (
        _host_rows("one.org", SPAM, ("slot88.com",))
        + _host_rows("two.com", SPAM, ("slot88.com",), spam=False)  # repeated near miss, same payload
        + _host_rows("three.net", "Share on Facebook", ("slot88.com",), spam=False)  # same target, other text
    )
    summaries = summarize_hosts(rows)
    (campaign,) = find_campaigns(summaries)
    assert campaign["host_list"] == ["one.org", "two.com"] and campaign["hosts_convicted"] == 1
    marked = list(mark_rows(rows, summaries, [campaign]))
    assert all(r["campaign"] == campaign["campaign"] for r in marked if "two.com" in r["url"])
    assert not any(r["is_spam_batch"] for r in marked if "three.net" in r["url"])


def test_one_page_false_alarms_and_short_names_anchor_no_campaign() -> None:
    """A block on one page of each host, or a bare name, is no campaign; a long link-less template block is."""
    app = "Download our app"
    rows = []
    for host in ("one.org", "two.com", "three.net"):
        rows += _host_rows(host, "", (), n=3, spam=False)
        rows.append(_row(f"https://{host}/app", [_block(app, ("news-app.cn",), spam=True, score=0.99)], spam=True))
        rows += _host_rows(host, "Admin", (), n=3)
    assert find_campaigns(summarize_hosts(rows)) == []
    rows += _host_rows("four.de", SPAM, ()) + _host_rows("five.fr", SPAM, ())
    (campaign,) = find_campaigns(summarize_hosts(rows))
    assert campaign["host_list"] == ["five.fr", "four.de"]


LINKS = ("jordans-cheap.com", "nfl-jerseys.net", "yeezy-shoes.org", "replica-bags.biz")


def _cut_rows(host: str, *, cut: bool, n: int = 6) -> list[dict[str, Any]]:
    """A replica link list on every page of a host: one block, or (``cut``) one block per link, as a
    template that puts each link in its own paragraph shows it; plus the host's own footer."""
    rows = []
    for k in range(n):
        if cut:
            blocks = [_block(f"https://{d}/ {d.split('.')[0]}", (d,), spam=True, score=0.99) for d in LINKS]
        else:
            blocks = [_block(" ".join(f"https://{d}/ {d.split('.')[0]}" for d in LINKS), LINKS, spam=True, score=0.99)]
        rows.append(_row(f"https://{host}/{k}", blocks, spam=True))
    return rows


def test_blocks_on_the_same_pages_are_one_injection() -> None:
    """Four link blocks on the same six pages are one injection; a block that arrived later is its own."""
    rows = _cut_rows("cut.org", cut=True)
    late = _block("casino bonus free spins today", ("casino-x.com",), spam=True, score=0.99)
    rows += [_row(f"https://cut.org/{k}", [late], spam=True) for k in range(6, 10)]
    (summary,) = summarize_hosts(rows)
    by_text = {b["text"]: b["injection"] for b in summary["blocks"]}
    assert len(set(by_text.values())) == 2
    assert by_text[late.text] == late.fp
    assert len({v for t, v in by_text.items() if t != late.text}) == 1


def test_a_payload_cut_into_blocks_on_one_host_joins_its_whole_copy_on_another() -> None:
    """Each piece shares one target of four with the whole copy: alone too little, as one injection enough."""
    rows = _cut_rows("cut.org", cut=True) + _cut_rows("whole.net", cut=False)
    (campaign,) = find_campaigns(summarize_hosts(rows))
    assert campaign["host_list"] == ["cut.org", "whole.net"] and sorted(campaign["targets"]) == sorted(LINKS)
    # and two hosts that both cut it give one campaign, not one per piece
    (campaign,) = find_campaigns(summarize_hosts(_cut_rows("cut.org", cut=True) + _cut_rows("cut2.org", cut=True)))
    assert campaign["hosts"] == 2 and campaign["blocks"] == 8


def test_known_campaign_marks_a_weak_block_on_a_new_host() -> None:
    known = find_campaigns(
        summarize_hosts(_host_rows("one.org", SPAM, ("a.com",)) + _host_rows("two.org", SPAM, ("a.com",)))
    )
    weak = [_row("https://new.org/x", [_block(SPAM, ("a.com",), spam=False, score=0.4)], spam=False)]
    (row,) = mark_rows(weak, summarize_hosts(weak), known)
    assert row["campaign"] == known[0]["campaign"] and row["is_spam_batch"] and not row["is_spam"]


def test_real_scans_give_a_template_injection() -> None:
    records = [
        {
            "id": k,
            "url": f"https://www.harbour-town.org/news/{k}",
            "date": f"2024-05-{k + 1:02d}T08:00:00Z",
            "html": ARTICLE.format(k=k, inject=PAYLOAD if k >= 2 else ""),
        }
        for k in range(6)
    ]
    rows = list(linkguard.score_records(records))
    (summary,) = linkguard.summarize_hosts(rows)
    assert summary["label"] == "template_injection", summary
    assert summary["first_date"] == "2024-05-01T08:00:00Z"
    block = summary["blocks"][0]
    assert block["first_date"] == "2024-05-03T08:00:00Z" and "slot-gacor88.com" in block["domains"]


# ---------------------------------------------------------------- rows files and the CLI


@pytest.fixture
def rows_file(tmp_path: Path) -> Path:
    rows = _host_rows("one.org", SPAM, ("slot88.com",)) + _host_rows("two.com", SPAM, ("slot88.com",), spam=False)
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return path


def test_rows_read_back_from_jsonl_csv_and_parquet(rows_file: Path, tmp_path: Path) -> None:
    rows = list(iter_rows(str(rows_file)))
    csv_path = tmp_path / "rows.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(list(rows[0]))
        for r in rows:
            w.writerow(
                [
                    json.dumps(v) if isinstance(v, list) else ("true" if v is True else "false" if v is False else v)
                    for v in r.values()
                ]
            )
    assert summarize_hosts(iter_rows(str(csv_path))) == summarize_hosts(rows)
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "rows.parquet")
    assert summarize_hosts(iter_rows(str(tmp_path / "rows.parquet"))) == summarize_hosts(rows)


def test_bad_rows_files_say_why(tmp_path: Path) -> None:
    with pytest.raises(RowsError, match="no such file"):
        list(iter_rows(str(tmp_path / "missing.jsonl")))
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", "utf-8")
    with pytest.raises(RowsError, match=r"bad\.jsonl:1: not JSON"):
        list(iter_rows(str(bad)))


def test_cli_hosts_campaigns_and_mark(rows_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, camps, marked = tmp_path / "hosts.jsonl", tmp_path / "camps.jsonl", tmp_path / "marked.jsonl"
    code = main(["hosts", str(rows_file), "-o", str(out), "--campaigns", str(camps), "--mark", str(marked)])
    assert code == 0
    summaries = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [s["host"] for s in summaries] == ["one.org", "two.com"]
    assert [s["label"] for s in summaries] == ["template_injection", "clean"]
    (campaign,) = [json.loads(x) for x in camps.read_text("utf-8").splitlines()]
    rows = [json.loads(x) for x in marked.read_text("utf-8").splitlines()]
    assert len(rows) == 8 and all(r["campaign"] == campaign["campaign"] for r in rows)
    assert "4 pages marked beyond their own verdict" in capsys.readouterr().err
    assert main(["campaigns", str(rows_file), "-q"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["campaign"] == campaign["campaign"]
    # known campaigns from an earlier run mark rows of a new crawl
    weak = tmp_path / "weak.jsonl"
    weak.write_text(
        json.dumps(_row("https://new.org/x", [_block(SPAM, ("slot88.com",), spam=False, score=0.4)], spam=False))
        + "\n",
        "utf-8",
    )
    assert (
        main(
            [
                "hosts",
                str(weak),
                "-q",
                "-o",
                str(tmp_path / "h2.jsonl"),
                "--known-campaigns",
                str(camps),
                "--mark",
                str(tmp_path / "m2.jsonl"),
            ]
        )
        == 0
    )
    (row,) = [json.loads(x) for x in (tmp_path / "m2.jsonl").read_text("utf-8").splitlines()]
    assert row["campaign"] == campaign["campaign"]


def test_cli_hosts_usage_errors(rows_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hosts", str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["hosts", "-", "--mark", str(tmp_path / "m.jsonl")]) == 2
    assert main(["hosts", str(rows_file), "--known-campaigns", str(rows_file)]) == 2
    assert "not campaigns" in capsys.readouterr().err


def test_score_host_summary_equals_hosts_on_its_rows(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for k in range(4):
        (site / f"p{k}.html").write_text(ARTICLE.format(k=k, inject=PAYLOAD), "utf-8")
    rows, hosts = tmp_path / "rows.jsonl", tmp_path / "hosts.jsonl"
    assert main(["score", str(site), "-q", "-j", "1", "-o", str(rows), "--host-summary", str(hosts)]) == 0
    # page files have no URL: no host to group by, and the summary says so by being empty
    assert hosts.read_text("utf-8") == ""
    data: list[dict[str, Any]] = [json.loads(x) for x in rows.read_text("utf-8").splitlines()]
    assert all("spam_blocks" in r for r in data)


def test_two_variants_of_a_block_on_one_page_count_that_page_once() -> None:
    """A block and its near copy on the same pages: half the pages since are half, not all of them."""
    a = _block(SPAM, ("slot88.com",), spam=False, score=ONSET_SCORE + 0.05)
    b = _block(SPAM + " daftar", ("slot88.com",), spam=False, score=ONSET_SCORE + 0.05)
    assert a.fp != b.fp and similarity(a.mh, b.mh) >= NEAR_COPY
    rows = _onset_rows(None, start=0)
    for d in (5, 7, 9, 11):  # 4 of the 7 pages captured since day 5
        rows[d]["spam_blocks"] = [a.to_json(), b.to_json()]
    (summary,) = summarize_hosts(rows)
    assert summary["label"] == "clean"
    (block,) = summary["blocks"]
    assert block["pages"] == 4
