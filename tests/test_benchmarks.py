"""Smoke tests of the benchmark suite's pure parts: metrics, gate, tables, README regions.

No timings are asserted here: the machine is shared and noisy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from benchmarks import accuracy, gate, report
from benchmarks.accuracy import Prediction, PredSegment
from benchmarks.corpus import digest, quick_subset, scale_page


@dataclass
class LP:
    """A LabelledPage look-alike."""

    page: str = ""
    url: str | None = None
    mode: str = "html"
    is_spam: bool = False
    spam_links: set[str] = field(default_factory=set)
    spam_texts: list[str] = field(default_factory=list)
    family: str = ""
    hiding: str = ""
    position: str = ""
    lang: str = "en"
    host_path: str = ""
    payload_group: str = ""


SPAM = LP(
    is_spam=True,
    spam_links={"http://slot.example/", "http://judi.example/x"},
    spam_texts=["Slot  gacor\nmaxwin hari ini", "togel online"],
    family="gambling_id",
    hiding="display_none",
    position="footer",
)
CLEAN = LP(is_spam=False, family="", lang="de")


def test_page_counts_spam_page() -> None:
    pred = Prediction(
        True,
        [
            PredSegment("slot gacor maxwin", ("http://slot.example",), True),  # TP by text and link
            PredSegment("Menu", ("http://judi.example/x/",), True),  # TP by link only
            PredSegment("About us", ("http://site.example/about",), True),  # FP
            PredSegment("Article text", ("http://site.example/a", "http://site.example/b"), False),
        ],
    )
    c = accuracy.page_counts(SPAM, pred)
    assert (c["tp"], c["fp"], c["fn"], c["tn"]) == (1, 0, 0, 0)
    assert (c["seg_pred"], c["seg_tp"]) == (3, 2)
    assert (c["gold_texts"], c["gold_texts_found"]) == (2, 1)
    assert (c["spam_links"], c["spam_links_found"]) == (2, 2)
    assert (c["clean_links"], c["clean_links_flagged"]) == (3, 1)


def test_page_counts_clean_page_and_missing_links() -> None:
    pred = Prediction(True, [PredSegment("Navigation", None, True)], clean_chars=200, removed_chars=50)
    c = accuracy.page_counts(CLEAN, pred)
    assert (c["fp"], c["links_known"], c["clean_chars"], c["removed_chars"]) == (1, 0, 200, 50)
    m = accuracy.aggregate([c])
    assert m["spam_link_recall"] is None and m["clean_link_false_flag_rate"] is None
    assert m["clean_text_removed_share"] == 0.25
    assert m["page"]["precision"] == 0.0 and m["page"]["recall"] is None


def test_empty_segment_text_is_not_a_text_match() -> None:
    pred = Prediction(True, [PredSegment("", ("http://other.example/",), True)])
    c = accuracy.page_counts(SPAM, pred)
    assert c["seg_tp"] == 0 and c["gold_texts_found"] == 0


def test_aggregate_and_groups() -> None:
    hit = Prediction(True, [PredSegment("togel online", ("http://slot.example/",), True)])
    miss = Prediction(False, [PredSegment("text", ("http://a.example/",), False)])
    quiet = Prediction(False, [PredSegment("text", (), False)], clean_chars=10)
    pages = [SPAM, SPAM, CLEAN]
    counts = [accuracy.page_counts(p, pr) for p, pr in zip(pages, [hit, miss, quiet], strict=True)]
    m = accuracy.aggregate(counts)
    assert m["page"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "tp": 1, "fp": 0, "fn": 1, "tn": 1}
    assert m["segment"]["precision"] == 1.0 and m["segment"]["recall"] == 0.25
    assert m["spam_link_recall"] == 0.25
    groups = accuracy.grouped(pages, counts)
    assert set(groups["family"]) == {"gambling_id", "none"}
    assert groups["lang"]["de"]["n_pages"] == 1
    worst = accuracy.worst_groups(groups, min_pages=1)
    assert worst[0]["kind"] == "spam" and worst[0]["score"] <= worst[-1]["score"]


def _results(**over: float) -> dict:
    base = {
        "corpus": {"digest": "sha256:abc"},
        "speed": {"ratios": {"scan_vs_parse_floor": 0.5, "scan_vs_trafilatura": 4.0}, "scaling": {}},
        "accuracy": {"corpus": {"linkguard": {"false_alarm_rate": 0.1}}},
    }
    base["speed"]["scaling"]["scan_ratio_median"] = over.get("scaling", 17.0)
    base["speed"]["ratios"]["scan_vs_parse_floor"] = over.get("floor", 0.5)
    base["accuracy"]["corpus"]["linkguard"]["false_alarm_rate"] = over.get("fa", 0.1)
    return base


def test_gate_floors_ceilings_and_margins() -> None:
    new, loosened = gate.propose(_results(), {}, "quick")
    assert not loosened
    floors = new["profiles"]["quick"]["floors"]
    assert floors["speed.ratios.scan_vs_parse_floor"] == 0.5
    assert new["profiles"]["quick"]["ceilings"]["speed.scaling.scan_ratio_median"] == 17.0
    assert gate.check(_results(), new, "quick")["passed"]
    # Within the relative speed margin (30 %) and the absolute accuracy margin (0.02): still passes.
    assert gate.check(_results(floor=0.4, fa=0.115), new, "quick")["passed"]
    res = gate.check(_results(floor=0.3, fa=0.2, scaling=30.0), new, "quick")
    assert not res["passed"]
    bad = {c["metric"] for c in res["checks"] if not c["ok"]}
    assert bad == {
        "speed.ratios.scan_vs_parse_floor",
        "accuracy.corpus.linkguard.false_alarm_rate",
        "speed.scaling.scan_ratio_median",
    }
    # A floored metric that was not measured fails; another profile has no floors.
    missing = _results()
    del missing["speed"]["ratios"]["scan_vs_trafilatura"]
    assert not gate.check(missing, new, "quick")["passed"]
    assert not gate.check(_results(), new, "full")["passed"]


def test_gate_update_refuses_to_lower_and_digest_change() -> None:
    base, _ = gate.propose(_results(), {}, "quick")
    _, loosened = gate.propose(_results(floor=0.4), base, "quick")
    assert loosened and "scan_vs_parse_floor" in loosened[0]
    raised, loosened = gate.propose(_results(floor=0.6, fa=0.05), base, "quick")
    assert not loosened and raised["profiles"]["quick"]["floors"]["speed.ratios.scan_vs_parse_floor"] == 0.6
    other = _results()
    other["corpus"]["digest"] = "sha256:def"
    assert not gate.check(other, base, "quick")["passed"]
    new, loosened = gate.propose(other, base, "quick", allow_regression=True)
    assert loosened and new["corpus_digest"] == "sha256:def"


def test_get_path() -> None:
    assert gate.get_path({"a": {"b": 1}}, "a.b") == 1
    assert gate.get_path({"a": {"b": 1}}, "a.c") is None
    assert gate.get_path({"a": 1}, "a.b") is None


def test_replace_region() -> None:
    text = "intro\n<!-- bench:speed:start -->\nold\n<!-- bench:speed:end -->\noutro\n"
    out = report.replace_region(text, "speed", "| a |\n")
    assert out == "intro\n<!-- bench:speed:start -->\n| a |\n<!-- bench:speed:end -->\noutro\n"
    assert report.replace_region(text, "memory", "x") is None
    assert report.replace_region(out, "speed", "| a |") == out


def test_update_readme_and_fallback(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# X\n<!-- bench:speed:start -->\n<!-- bench:speed:end -->\nrest\n", "utf-8")
    fallback = tmp_path / "tables.md"
    where = report.update_readme({}, readme, fallback)
    assert where["speed"] == str(readme) and where["memory"] == str(fallback)
    assert "speed not measured" in readme.read_text("utf-8") and readme.read_text("utf-8").endswith("rest\n")
    assert "<!-- bench:accuracy:start -->" in fallback.read_text("utf-8")


def test_tables_render() -> None:
    md = report.table(["tool", "pages/s"], [["`a`", 12.5], ["`b`", None]])
    assert md.splitlines()[1] == "| --- | ---: |"
    assert "| `b` | – |" in md
    res = {
        "speed": {
            "tools": {
                "parse_floor": {
                    "input": "str",
                    "all": {"pages_per_s": 100.0, "x_parse_floor": 1.0},
                    "normal": {},
                },
            },
            "scaling": {"pages": [{}], "scan_ratio_median": 16.5, "scan_ratio_max": 18.0, "target_max": 20},
        },
        "accuracy": {"labelled": {"error": "no data"}},
        "memory": {"scan": {"peak_rss_mb": 250.0}},
    }
    assert "`parse_floor`" in report.speed_md(res) and "16.50" in report.speed_md(res)
    assert "no data" in report.accuracy_md(res)
    assert "250" in report.memory_md(res)
    json.dumps(res)


def test_corpus_helpers() -> None:
    rows = [{"path": f"p{i}", "sha1": str(i), "size_class": "normal", "label": None} for i in range(100)]
    rows[5]["label"] = "spam: x"
    rows[7]["size_class"] = "large"
    sub = quick_subset(rows, 10)
    assert len(sub) == 10 and rows[5] in sub and rows[7] in sub and sub == quick_subset(rows, 10)
    assert digest(rows) == digest(list(reversed(rows))) != digest(sub)
    page = "<html><head></head><BODY class=x><p>a</p></body></html>"
    assert scale_page(page, 3) == "<html><head></head><BODY class=x><p>a</p><p>a</p><p>a</p></body></html>"
    assert scale_page("plain", 2) == "plainplain"


@pytest.mark.parametrize("text", ["Buy VIAGRA now", "slot  gacor hari ini", "Online casinos"])
def test_keyword_regex_hits(text: str) -> None:
    from benchmarks.baselines import KEYWORD_PATTERN

    assert KEYWORD_PATTERN.search(text)
    assert not KEYWORD_PATTERN.search("judicial review of the casinoesque")
