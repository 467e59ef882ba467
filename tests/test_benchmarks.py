"""Smoke tests of the benchmark suite's pure parts: metrics, gate, tables, README regions.

No timings are asserted here: the machine is shared and noisy.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def test_a_tool_without_links_counts_no_link_recall_even_on_an_empty_page() -> None:
    c = accuracy.page_counts(SPAM, Prediction(False, [], links_known=False))
    assert c["links_known"] == 0 and c["spam_links_found"] == 0
    assert accuracy.aggregate([c])["spam_link_recall"] is None


def test_versus_lines_say_where_linkguard_is_ahead_and_behind() -> None:
    def tool(f1: float, recall: float) -> dict[str, Any]:
        return {"real": {"page": {"f1": f1, "recall": recall}}}

    lines = report._versus(
        {"linkguard": tool(0.8, 0.7), "other": tool(0.6, 0.9)},
        {"linkguard": {"false_alarm_rate": 0.01}, "other": {"false_alarm_rate": 0.05}},
    )
    assert lines == [
        "- against `other`: ahead on page F1 0.800 vs 0.600, false alarms on unseen real pages 1.00% vs 5.00%; "
        "behind on page recall 0.700 vs 0.900."
    ]


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


def _results(**over: float) -> dict[str, Any]:
    lg: dict[str, Any] = {"page": {"f1": 0.9}, "clean_link_false_flag_rate": 0.0009, "clean_text_removed_share": 0.0002}
    base: dict[str, Any] = {
        "corpus": {"digest": "sha256:abc"},
        "speed": {"ratios": {"scan_vs_parse_floor": 0.5, "scan_vs_trafilatura": 4.0}, "scaling": {}},
        "accuracy": {
            "labelled": {"tools": {"linkguard": {"real": lg}}},
            "corpus": {"linkguard": {"carved": {"false_alarm_pages": 1}}},
        },
    }
    base["speed"]["scaling"]["scan_ratio_median"] = over.get("scaling", 17.0)
    base["speed"]["ratios"]["scan_vs_parse_floor"] = over.get("floor", 0.5)
    base["accuracy"]["corpus"]["linkguard"]["carved"]["false_alarm_pages"] = over.get("fa", 1)
    lg["page"]["f1"] = over.get("f1", 0.9)
    lg["clean_link_false_flag_rate"] = over.get("links", 0.0009)
    lg["clean_text_removed_share"] = over.get("removed", 0.0002)
    return base


def _failing(res: dict[str, Any], baseline: dict[str, Any]) -> set[str]:
    out = gate.check(res, baseline, "quick")
    return {c["metric"] for c in out["checks"] if not c["ok"]}


def test_gate_floors_ceilings_and_margins() -> None:
    new, loosened = gate.propose(_results(), {}, "quick")
    assert not loosened
    floors = new["profiles"]["quick"]["floors"]
    assert floors["speed.ratios.scan_vs_parse_floor"] == 0.5
    assert new["profiles"]["quick"]["ceilings"]["speed.scaling.scan_ratio_median"] == 17.0
    assert gate.check(_results(), new, "quick")["passed"]
    # Within the margins: 30 % on speed ratios, 0.02 on F1, 0.2 points on small rates.
    assert gate.check(_results(floor=0.4, f1=0.885, links=0.002, removed=0.001), new, "quick")["passed"]
    # The regressions a gate must catch, each on its own.
    lg = "accuracy.labelled.tools.linkguard.real."
    assert _failing(_results(floor=0.25), new) == {"speed.ratios.scan_vs_parse_floor"}  # scan speed halved
    assert _failing(_results(links=0.0009 * 25), new) == {lg + "clean_link_false_flag_rate"}  # clean links x25
    assert _failing(_results(removed=0.0002 * 200), new) == {lg + "clean_text_removed_share"}  # text removed x200
    assert _failing(_results(fa=2), new) == {"accuracy.corpus.linkguard.carved.false_alarm_pages"}  # one more
    assert _failing(_results(f1=0.87), new) == {lg + "page.f1"}
    assert _failing(_results(scaling=30.0), new) == {"speed.scaling.scan_ratio_median"}
    # A bounded metric that was not measured fails; another profile has no floors.
    missing = _results()
    del missing["speed"]["ratios"]["scan_vs_trafilatura"]
    assert not gate.check(missing, new, "quick")["passed"]
    assert not gate.check(_results(), new, "full")["passed"]


def test_gate_update_refuses_to_lower_and_digest_change() -> None:
    base, _ = gate.propose(_results(), {}, "quick")
    _, loosened = gate.propose(_results(floor=0.4), base, "quick")
    assert loosened and "scan_vs_parse_floor" in loosened[0]
    raised, loosened = gate.propose(_results(floor=0.6, fa=0), base, "quick")
    assert not loosened and raised["profiles"]["quick"]["floors"]["speed.ratios.scan_vs_parse_floor"] == 0.6
    other = _results()
    other["corpus"]["digest"] = "sha256:def"
    assert not gate.check(other, base, "quick")["passed"]
    new, loosened = gate.propose(other, base, "quick", allow_regression=True)
    assert loosened and new["corpus_digest"] == "sha256:def"


def test_gate_update_of_named_bounds_keeps_the_others() -> None:
    """``only`` sets the named bounds from the run and leaves every other one where it was, also
    one that moved down in the same run (its loosening is not recorded under another reason)."""
    base, _ = gate.propose(_results(), {}, "quick")
    lg = "accuracy.labelled.tools.linkguard.real."
    new, loosened = gate.propose(_results(floor=0.4, f1=0.8), base, "quick", only=[lg + "page.f1"])
    assert loosened == [f"{lg}page.f1: 0.9 -> 0.8"]
    assert new["profiles"]["quick"]["floors"]["speed.ratios.scan_vs_parse_floor"] == 0.5
    assert new["profiles"]["quick"]["floors"][lg + "page.f1"] == 0.8
    with pytest.raises(ValueError):
        gate.propose(_results(), base, "quick", only=["no.such.bound"])


def test_gate_update_retires_bounds_no_longer_measured() -> None:
    base, _ = gate.propose(_results(), {}, "quick")
    base["profiles"]["quick"]["floors"]["accuracy.renamed.metric"] = 0.9
    assert not gate.check(_results(), base, "quick")["passed"]
    new, loosened = gate.propose(_results(), base, "quick")
    assert loosened == ["accuracy.renamed.metric: 0.9 -> retired (no longer measured)"]
    assert "accuracy.renamed.metric" not in new["profiles"]["quick"]["floors"]
    assert gate.check(_results(), new, "quick")["passed"]


def test_lowered_floors_are_recorded(tmp_path: Path) -> None:
    log = tmp_path / "FLOOR_CHANGES.md"
    log.write_text("# Floor changes\n\n| date | profile | bound | reason | commit |\n|---|---|---|---|---|\n")
    gate.record_lowered(["speed.ratios.scan_vs_parse_floor: 0.5 -> 0.4"], "quick", "new | corpus", {}, log)
    rows = [ln for ln in log.read_text().splitlines() if "scan_vs_parse_floor" in ln]
    assert len(rows) == 1 and "0.5 -> 0.4" in rows[0] and "new / corpus" in rows[0]


def test_update_without_reason_is_refused(tmp_path: Path) -> None:
    from benchmarks.__main__ import main

    results = tmp_path / "results"
    results.mkdir()
    (results / "latest.json").write_text(json.dumps({**_results(floor=0.4), "mode": "quick"}))
    baseline = tmp_path / "baseline.json"
    gate.save_baseline(gate.propose(_results(), {}, "quick")[0], baseline)
    argv = ["--update", "--results-dir", str(results), "--baseline", str(baseline)]
    assert main(argv) == 2
    assert main([*argv, "--allow-regression"]) == 2  # no reason given
    before = json.loads(baseline.read_text())
    assert before["profiles"]["quick"]["floors"]["speed.ratios.scan_vs_parse_floor"] == 0.5


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


def test_real_spam_pages_broken_down_by_words_and_family() -> None:
    @dataclass
    class SP(LP):
        kind: str = "spam_page_real"

    short = SP(page="LOGIN DAFTAR\n", mode="text", is_spam=True, family="gambling_id")
    words = " ".join(["casino"] * 30)
    mid = SP(page=f"<html><body><p>{words}</p></body></html>", is_spam=True, family="casino")
    long = SP(page=" ".join(["pill"] * 150), mode="text", is_spam=True, family="pharma")
    about = LP(page="news", mode="text")
    pv = accuracy.page_verdicts([short, mid, long, about], ["clean", "injected", "spam_page", "clean"])
    b = pv["real_spam_pages"]
    assert b["all"] == {"pages": 3, "spam_page": round(1 / 3, 4), "flagged": round(2 / 3, 4)}
    assert b["by_words"]["0-20"] == {"pages": 1, "spam_page": 0.0, "flagged": 0.0}
    assert b["by_words"]["20-100"] == {"pages": 1, "spam_page": 0.0, "flagged": 1.0}
    assert b["by_words"]["100+"] == {"pages": 1, "spam_page": 1.0, "flagged": 1.0}
    assert set(b["by_family"]) == {"gambling_id", "casino", "pharma"}
    md = "\n".join(report._real_spam_md(b))
    assert "| 0-20 visible words | 1 | 0.0% | 0.0% |" in md and "family `pharma`" in md
    assert report._real_spam_md(None) == []


def test_about_topic_pages_counted_apart_on_hosts_clean_by_themselves() -> None:
    @dataclass
    class About(LP):
        kind: str = "about_page"
        neg_real: bool = True
        neg_lang: str = "en"

    pages = [
        About(host_path="a.html.gz"),
        About(host_path="a.html.gz", mode="text"),
        About(host_path="b.html.gz"),
        About(host_path="b.html.gz"),
        About(),
    ]
    labels = ["injected", "injected", "injected", "clean", "clean"]
    hosts = {("a.html.gz", "html"): "clean", ("a.html.gz", "text"): "injected", ("b.html.gz", "html"): "injected"}
    pv = accuracy.page_verdicts(pages, labels, hosts)
    assert pv["about_topic"]["all"]["hits"] == 3 and pv["about_topic"]["all"]["pages"] == 5
    # The text page on a's flagged text dump and both pages on b are left out; a page with no host counts.
    assert pv["about_topic"]["clean_host"] == {"pages": 2, "hits": 1, "rate": 0.5}
    md = "\n".join(report._page_verdicts_md(pv, {}))
    assert "on host pages clean by themselves | `spam_page` or `injected` | 1/2 (50.0%) |" in md
    assert "clean_host" not in accuracy.page_verdicts(pages, labels)["about_topic"]


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


# ---------------------------------------------------------------- batch section


def test_batch_ratio_throughput_summarize() -> None:
    from benchmarks import batch

    assert batch.ratio(3.0, 2.0) == 1.5
    assert batch.ratio(None, 2.0) is None and batch.ratio(1.0, 0.0) is None
    assert batch.throughput(10, 4.0) == 2.5 and batch.throughput(0, 1.0) is None and batch.throughput(5, None) is None
    runs: list[dict[str, Any]] = [
        {"rc": 0, "wall_s": 2.0, "peak_rss_mb": 100.0, "load1": 1.0},
        {"rc": 0, "wall_s": 4.0, "peak_rss_mb": 120.0, "load1": 2.0},
        {"rc": 0, "wall_s": 3.0, "peak_rss_mb": 110.0, "load1": 3.0},
        {"rc": 1, "wall_s": 0.5, "stderr_tail": ["boom"], "load1": 4.0},
    ]
    s = batch.summarize(runs)
    assert (s["n_runs"], s["n_failed"], s["wall_s"], s["wall_min_s"], s["wall_max_s"]) == (4, 1, 3.0, 2.0, 4.0)
    assert s["peak_rss_mb"] == 120.0 and s["load1_median"] == 2.5
    assert s["failure"] == {"rc": 1, "stderr": ["boom"]}
    assert batch.summarize([]) == {"n_runs": 0, "n_failed": 0}


def test_batch_balance_shards() -> None:
    from benchmarks.batch import balance_shards

    sizes = [100, 1, 1, 1, 50, 50, 2, 3]
    shards = balance_shards(sizes, 3)
    assert sorted(i for s in shards for i in s) == list(range(len(sizes)))
    assert all(s == sorted(s) for s in shards)
    totals = sorted(sum(sizes[i] for i in s) for s in shards)
    assert totals[-1] == 100  # the big item alone; the rest split between the other two
    assert balance_shards([5, 5], 4) == [[0], [1]]
    assert balance_shards([], 2) == []


def test_batch_spark_job_times() -> None:
    from benchmarks.batch import SCORE_JOB, spark_job_times

    events = [
        {"Event": "SparkListenerApplicationStart", "Timestamp": 1_000},
        {"Event": "SparkListenerJobStart", "Job ID": 0, "Submission Time": 5_000},
        {"Event": "SparkListenerJobEnd", "Job ID": 0, "Completion Time": 9_500},
        {"Event": "SparkListenerJobStart", "Job ID": 1, "Submission Time": 9_600},
        {"Event": "SparkListenerJobEnd", "Job ID": 1, "Completion Time": 9_850},
        {"Event": "SparkListenerJobStart", "Job ID": 2, "Submission Time": 9_900},  # never ended
        {"Event": "SparkListenerApplicationEnd", "Timestamp": 10_000},
    ]
    lines = [json.dumps(e) for e in events] + ["", "not json"]
    t = spark_job_times(lines)
    assert t == {"n_jobs": 2, "first_job_s": 4.5, "all_jobs_s": 4.75, "first_job_start_s": 4.0, "app_s": 9.0}
    assert spark_job_times([]) == {"n_jobs": 0}
    # The job described as the scoring job is the one timed, wherever it comes (a path list read first).
    listed = {"Event": "SparkListenerJobStart", "Job ID": 1, "Submission Time": 9_600}
    described = dict(listed, Properties={"spark.job.description": SCORE_JOB})
    t = spark_job_times([json.dumps(described if e == listed else e) for e in events])
    assert t["first_job_s"] == 0.25 and t["first_job_start_s"] == 8.6 and t["all_jobs_s"] == 4.75
    assert "task_s" not in t  # no task events


def test_batch_spark_task_times_split_the_first_wave() -> None:
    from benchmarks.batch import spark_job_times

    def task(stage: int, launch: int, finish: int) -> dict[str, Any]:
        return {
            "Event": "SparkListenerTaskEnd",
            "Stage ID": stage,
            "Task Info": {"Launch Time": launch, "Finish Time": finish},
        }

    events = [
        {"Event": "SparkListenerJobStart", "Job ID": 0, "Submission Time": 0, "Stage IDs": [0]},
        {"Event": "SparkListenerJobStart", "Job ID": 1, "Submission Time": 1_000, "Stage IDs": [1]},
        task(0, 100, 200),  # another job's stage: not counted
        task(1, 1_000, 6_000),  # two slots' first tasks
        task(1, 1_010, 6_210),
        task(1, 6_000, 9_000),
        task(1, 6_210, 9_310),
        task(1, 9_000, 12_000),
        {"Event": "SparkListenerJobEnd", "Job ID": 0, "Completion Time": 500},
        {"Event": "SparkListenerJobEnd", "Job ID": 1, "Completion Time": 12_000},
    ]
    t = spark_job_times([json.dumps(e) for e in events])
    assert t["first_job_s"] == 0.5  # job 0: no description, the first job is timed
    events[1]["Properties"] = {"spark.job.description": "linkguard: score and write Parquet"}
    t = spark_job_times([json.dumps(e) for e in events])
    assert t["first_job_s"] == 11.0
    assert t["tasks"] == 5 and t["first_wave_task_s"] == 5.1 and t["task_s"] == 3.0
    assert t["first_task_extra_s"] == 2.1


def test_batch_knows_the_spark_jobs_description() -> None:
    pytest.importorskip("pyspark")
    from benchmarks import batch
    from linkguard.integrations import spark

    assert batch.SCORE_JOB == spark.SCORE_JOB


def test_batch_write_warc_and_read_back(tmp_path: Path) -> None:
    pytest.importorskip("warcio")
    from benchmarks import batch
    from linkguard.io.warc import iter_records

    path = tmp_path / "x.warc.gz"
    pages = [("https://a.example/", b"<p>one</p>"), ("https://b.example/", b"<p>two \xc3\xa9</p>")]
    assert batch.write_warc(path, pages) == 2
    recs = list(iter_records(path))
    assert [(r["url"], r["html"]) for r in recs] == pages
    with path.open("rb") as fh:  # gzip per record: every record is its own member
        assert fh.read(2) == b"\x1f\x8b"
    if batch.missing_warc_libs() is None:
        assert batch._child_read(str(path))["records"] == 2


def test_batch_child_run_and_commands() -> None:
    import sys

    from benchmarks import batch

    r = batch._child_run([sys.executable, "-c", "print('{\"n\": 3}')"])
    assert r["rc"] == 0 and r["stdout_json"] == {"n": 3} and r["peak_rss_mb"] > 0 and r["wall_s"] > 0
    bad = batch._child_run([sys.executable, "-c", "import sys; sys.exit('nope')"])
    assert bad["rc"] == 1 and bad["stderr_tail"] == ["nope"]
    cmd = batch.cli_command("f.warc.gz", 2)
    assert cmd[-6:] == ["f.warc.gz", "-q", "-o", os.devnull, "--jobs", "2"] and "score" in cmd


def _batch_results() -> dict[str, Any]:
    from benchmarks import batch

    run = {"n_runs": 3, "n_failed": 0, "wall_s": 8.0, "peak_rss_mb": 200.0, "pages": 510, "pages_per_s": 63.75}
    b = {
        "mode": "full",
        "repeats": 3,
        "cpus": [0, 1],
        "loadavg_start": [1.0, 1.0, 1.0],
        "loadavg_end": [1.5, 1.0, 1.0],
        "inputs": {
            batch.BIG: {"bytes": 11_000_000, "what": "510 corpus pages", "records": 510},
            batch.MAIN_SHARED: {"bytes": 135_896, "records": 16},
        },
        "startup": {"wall_s": 0.45},
        "cli": {
            batch.TINY: {"jobs1": {"wall_s": 0.45, "pages": 1}},
            batch.BIG: {"jobs1": {**run, "load1_median": 1.2}, "jobs2": {**run, "wall_s": 5.0}},
        },
        "read": {batch.BIG: {"wall_s": 0.4, "pages": 510, "pages_per_s": 1275.0}},
        "jobs_input": batch.BIG,
        "peak_rss_mb": 200.0,
        "ratios": {
            "jobs2_vs_jobs1": 1.6,
            "rss_10x_vs_1x": 1.05,
            "scan_many_vs_scan": None,
            "spark_job_local2_vs_local1": 1.8,
        },
        "spark": {
            "input": "4 WARC shards",
            "expected_rows": 512,
            "local[1]": {"wall_s": 30.0, "first_job_s": 9.0, "outside_jobs_s": 20.0, "rows_out": 512},
            "local[2]": {
                **{"wall_s": 26.0, "first_job_s": 5.0, "outside_jobs_s": 20.5, "rows_out": 512},
                **{"tasks": 4, "task_s": 1.0, "first_task_extra_s": 0.5},
            },
        },
    }
    b["targets"] = batch.targets(b)
    return {"created": "2026-01-01T00:00:00+00:00", "batch": b}


def test_batch_targets_and_table() -> None:
    res = _batch_results()
    tg = res["batch"]["targets"]
    assert [v["met"] for v in tg.values()] == [False, True, True, None, True]
    md = report.batch_md(res)
    assert "`--jobs 2`" in md and "Spark `--master local[2]`" in md and "NOT met" in md
    assert "| `linkguard score -q -o /dev/null` `--jobs 1`, start-up only |" in md
    assert "9.00 s on `local[1]`" in md
    assert "task-rate" not in md  # local[1]'s task time missing: no task figures
    res["batch"]["spark"]["local[1]"].update(tasks=4, task_s=1.8, first_task_extra_s=0.4)
    md = report.batch_md(res)
    assert "took 1.80 s on `local[1]` and 1.00 s on each of `local[2]`'s two slots" in md
    # 128 pages a task in 1.0 s: 128 pages/s per slot, 3e9 pages in 6,510 core-hours
    assert "(128 pages a task: 128 pages/s" in md and "about 6,510 core-hours on Spark" in md
    assert "not measured: fastwarc" in report.batch_md({"batch": {"skipped": "fastwarc not installed"}})
    assert "not measured in this run" in report.batch_md({})
    json.dumps(res)


def test_gate_batch_metrics_full_profile_only() -> None:
    res = _results()
    res["batch"] = {"ratios": {"jobs2_vs_jobs1": 1.6}, "peak_rss_mb": 200.0}
    quick, _ = gate.propose(res, {}, "quick")
    assert not any(m.startswith("batch.") for t in quick["profiles"]["quick"].values() for m in t)
    full, _ = gate.propose(res, quick, "full")
    assert full["profiles"]["full"]["floors"]["batch.ratios.jobs2_vs_jobs1"] == 1.6
    assert full["profiles"]["full"]["ceilings"]["batch.peak_rss_mb"] == 200.0
    # Relative margin (like speed): 1.6 * (1 - 0.3) = 1.12 still passes, 1.0 fails.
    res["batch"]["ratios"]["jobs2_vs_jobs1"] = 1.2
    assert gate.check(res, full, "full")["passed"]
    res["batch"]["ratios"]["jobs2_vs_jobs1"] = 1.0
    assert not gate.check(res, full, "full")["passed"]


def test_stage_timer_runs_both_paths(corpus_dir: Path) -> None:
    """``python -m benchmarks.stages`` keeps pace with the scan's internals (both paths, one page)."""
    from benchmarks import stages
    from benchmarks.corpus import load_pages, read_manifest

    pages = load_pages(corpus_dir, read_manifest(corpus_dir)[:2])
    result = stages.run(pages, 1)
    assert result["n_pages"] == 2
    assert set(result["reference"]["stages_in_floor_units"]) == set(stages.STAGES)


def test_quick_samples_stay_put_when_the_split_grows() -> None:
    from types import SimpleNamespace

    from benchmarks.accuracy import stable_sample

    pages = [SimpleNamespace(page=f"<p>page {k}</p>", url=f"https://h{k % 7}.org/", mode="html") for k in range(400)]
    first = stable_sample(pages, 100)
    assert len(first) == 100 and first == sorted(first, key=pages.index)  # in the split's own order
    assert stable_sample(pages, 100) == first and stable_sample(pages[:50], 100) == pages[:50]
    grown = pages + [SimpleNamespace(page=f"<p>new {k}</p>", url=None, mode="text") for k in range(40)]
    again = stable_sample(grown, 100)
    kept = {id(p) for p in again} & {id(p) for p in first}
    assert len(kept) >= 80  # about 100 * 400/440 stay; a fresh random draw would keep about 23


def test_the_results_file_holds_figures_not_pages() -> None:
    """The benchmark builds its labelled pages from the corpus; the pages stay out of the results
    file kept in the repository (a third-party page is referenced, never copied)."""
    results = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
    paths = [p for p in (results / "latest.json", results / "quick" / "latest.json") if p.is_file()]
    if not paths:
        pytest.skip("no benchmark results in this checkout")

    def longest(value: Any) -> int:
        if isinstance(value, dict):
            return max((longest(v) for v in value.values()), default=0)
        if isinstance(value, list):
            return max((longest(v) for v in value), default=0)
        return len(value) if isinstance(value, str) else 0

    for path in paths:
        assert longest(json.loads(path.read_text("utf-8"))) < 2_000, path


def test_held_back_section_lists_families_weakest_first() -> None:
    def fam(recall: float, n: int) -> dict[str, Any]:
        return {"n_spam_pages": n, "page": {"recall": recall}}

    real = {"page": {"recall": 0.7}, "segment": {"precision": 0.9, "recall": 0.6, "f1": 0.72}, "spam_link_recall": 0.8}
    held = {
        "n_pages": 12,
        "tools": {
            "linkguard": {"real": real, "groups": {"family": {"pharma": fam(0.5, 4), "other": fam(0.25, 8)}}},
            "keyword_regex": {"real": real},
        },
    }
    md = "\n".join(report._held_back_md(held))
    assert "12 pages" in md and "| `keyword_regex` |" in md
    assert "(weakest first; pages): other 0.25 (8), pharma 0.50 (4)." in md
    assert report._held_back_md({}) == []
