"""The host-view benchmark's helpers, README table, gate bounds and crawl material (nothing is scored here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks import gate, report
from benchmarks.hosts import _pairwise, _rehost, build_crawl, furniture_hosts

RESULT: dict[str, Any] = {
    "mode": "quick",
    "created": "2026-01-01T00:00:00+00:00",
    "hosts": {
        "crawl": {
            "hosts": 4,
            "injected_hosts": 3,
            "clean_hosts": 1,
            "pages": 100,
            "injected_pages": 40,
            "pages_per_host": [20, 30],
            "distinct_corpus_pages": 90,
            "groups": 2,
            "unseen_groups": 1,
            "test_groups": 1,
        },
        "host": {
            "template_injection": {"precision": 1.0, "recall": 0.9, "tp": 9, "fp": 0, "fn": 1},
            "template_or_campaign": {"precision": 1.0, "recall": 1.0, "tp": 10, "fp": 0, "fn": 0},
            "any_spam_page": {"precision": 0.8, "recall": 1.0, "tp": 10, "fp": 2, "fn": 0},
            "first_date_exact": 1.0,
        },
        "page": {
            "single_page_recall": 0.7,
            "host_pass_recall": 0.9,
            "single_page_false_pages": 1,
            "host_pass_false_pages": 1,
            "clean_pages": 60,
            "marked_by_template": 30,
            "marked_by_campaign_only": 2,
            "false_page_sources": ["wcxb/0001.html.gz"],
        },
        "campaigns": {
            "found": 2,
            "groups_planted": 2,
            "groups_found": 2,
            "campaigns_mixing_groups": 0,
            "mixed": [],
            "pairwise": {"precision": 1.0, "recall": 0.5, "same_payload_recall": 1.0},
            "pairwise_detected_hosts": {"precision": 1.0, "recall": 1.0},
        },
        "sketch": {"max_prints_per_host": 5, "hosts_over_cap": 0},
        "memory": [
            {"rows": 100, "factor": 1, "distinct_prints": False, "hosts": 4, "peak_kb": 100.0},
            {"rows": 400, "factor": 4, "distinct_prints": False, "hosts": 4, "peak_kb": 110.0},
        ],
        "memory_ratio": 1.1,
        "memory_ratio_distinct": 1.2,
        "cli_equals_library": True,
        "spark": {"skipped": "quick run"},
    },
}


def test_pairwise_precision_and_recall() -> None:
    items = [("g1", "p1", "c1"), ("g1", "p1", "c1"), ("g1", "p2", None), ("g2", "p3", "c1")]
    out = _pairwise(items)
    # pairs: (0,1) same group, together; (0,2),(1,2) same group, apart; (0,3),(1,3) together, other group
    assert (out["tp"], out["fp"], out["fn"]) == (1, 2, 2)
    assert out["same_payload_recall"] == 1.0


def test_rehost_keeps_own_links_on_site() -> None:
    html = '<a href="https://www.example.com/a">x</a> <a href="//cdn.example.com/b">y</a> <a href="https://other.org/">z</a>'
    out = _rehost(html, "https://www.example.com/story", "new-host.org")
    assert "example.com" not in out and out.count("//www.new-host.org") == 2 and "other.org" in out
    assert _rehost(html, None, "new-host.org") == html


def test_hosts_table_renders() -> None:
    md = report.hosts_md(RESULT)
    assert "| template injection (host view) | 1.00 | 0.90 |" in md
    assert "`wcxb/0001.html.gz`" in md and "Spark: not run (quick run)" in md
    assert report.hosts_md({}) == "_host view not measured in this run_"
    json.dumps(RESULT)


def test_hosts_gate_bounds() -> None:
    new, _ = gate.propose(RESULT, {}, "quick")
    floors = new["profiles"]["quick"]["floors"]
    assert floors["hosts.host.template_injection.recall"] == 0.9 and "hosts.spark.equal" not in floors
    assert new["profiles"]["quick"]["ceilings"]["hosts.page.host_pass_false_pages"] == 1
    worse = json.loads(json.dumps(RESULT))
    worse["hosts"]["page"]["host_pass_false_pages"] = 2  # one more clean page flagged: no margin
    assert not gate.check(worse, new, "quick")["passed"]
    worse = json.loads(json.dumps(RESULT))
    worse["hosts"]["host"]["template_injection"]["recall"] = 0.88  # within the 0.03 margin
    assert gate.check(worse, new, "quick")["passed"]


def test_validation_crawl_uses_validation_material_only(corpus_dir: Path) -> None:
    """The crawl the host view's constants are chosen on shares no host page or payload with the benchmark's."""
    from training_data import dataset as ds

    val, _ = build_crawl(corpus_dir, n_groups=3, clean_hosts=1, pages=(20, 20), split="val")
    test, _ = build_crawl(corpus_dir, n_groups=3, clean_hosts=1, pages=(20, 20))
    val_sources = {p["source"] for h in val for p in h.pages}
    assert val_sources and all(ds.host_role(s) == "val" for s in val_sources)
    assert not val_sources & {p["source"] for h in test for p in h.pages}
    groups = {h.group for h in val if h.group}
    assert groups and all(ds.split_of("payload:" + g) == "val" for g in groups)


def test_furniture_hosts_count_false_template_injections() -> None:
    from linkguard._blocks import Block, fingerprint, minhash, shingles
    from linkguard._hosts import ONSET_SCORE, REPEATED_SCORE

    def block(text: str, domains: tuple[str, ...], score: float) -> Block:
        return Block(
            fingerprint(text, domains), minhash(shingles(text, domains)), "body>div", "", False, score, domains, text
        )

    blocks = [
        block("Share on Facebook Twitter", ("facebook.com",), ONSET_SCORE + 0.1),  # an onset once added mid-crawl
        block("Built with a theme by Studio", ("studio.example",), ONSET_SCORE - 0.1),  # under the bar
        block("weak", (), REPEATED_SCORE - 0.1),  # not even kept
    ]
    out = furniture_hosts(blocks)
    assert out["furniture_blocks"] == 2 and out["furniture_offsite"] == 2
    assert out["always_flagged"] == 0 and out["template_change_flagged"] == 1
    assert out["template_change_examples"][0][2] == "Share on Facebook Twitter"
    line = report.hosts_md({**RESULT, "hosts": {**RESULT["hosts"], "furniture_unseen": {"pages": 9, **out}}})
    assert "0/2 (0.0%) of those hosts" in line and "1/2 (50.0%)" in line and "`Share on Facebook Twitter`" in line
