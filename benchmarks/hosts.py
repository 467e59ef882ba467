"""Host view and campaigns on a generated crawl of real pages with real held-back payloads.

The crawl: corpus pages that no labelled training page is built on (``host_role`` ``carved``
or ``test``) grouped into hosts of 20-50 pages.  The pool is smaller than the crawl, so one
corpus page appears in several hosts, each time under that host's URL (its links to its own
original site are rewritten to the new host, so on-site links stay on-site).  Each page gets a
capture date over 90 days.  Injected hosts carry one real payload (held back: ``unseen/``, or
from a test-split source group), rendered once and put at one template position (after
``</html>``, end of body, footer or top) on every page captured after the host's compromise date
(30-100 % of its pages).  Payload source groups are planted on 2-3 hosts each: the campaign
truth.  Clean hosts carry nothing.

Everything is scored through ``linkguard.score_records`` (the CLI's path) into rows; the host
view, campaigns and the marking pass read only those rows.
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from benchmarks.corpus import REPO, read_manifest

POSITIONS = ("trailing", "end_of_body", "footer", "top")
TLDS = ("com", "org", "net", "de", "fr", "co.uk", "com.br", "es", "it", "nl")
WORDS = (
    "river", "garden", "harbor", "maple", "summit", "valley", "lantern", "meadow", "copper", "orchard",
    "granite", "willow", "beacon", "prairie", "cedar", "juniper", "atlas", "coral", "delta", "ember",
)  # fmt: skip
SEED = 1515


@dataclass
class Host:
    name: str
    pages: list[dict[str, Any]] = field(default_factory=list)
    group: str = ""
    payload_id: str = ""
    position: str = ""
    share: float = 0.0
    compromised_on: str | None = None


def _dataset() -> Any:
    repo = str(REPO)
    if repo not in sys.path:
        sys.path.insert(0, repo)
    from training_data import dataset

    return dataset


def _date(day: int) -> str:
    return f"2024-{1 + day // 30:02d}-{1 + day % 30:02d}T12:00:00Z"


def _rehost(html: str, url: str | None, host: str) -> str:
    """Links to the page's own original site now point to its new host."""
    from linkguard._domains import page_domain

    if not url:
        return html
    own = page_domain(url)
    if not own:
        return html
    return re.sub(r"(?i)//(?:[a-z0-9-]+\.)*" + re.escape(own) + r"\b", "//www." + host, html)


def build_crawl(
    root: Path,
    *,
    n_groups: int,
    clean_hosts: int,
    pages: tuple[int, int] = (20, 50),
    seed: int = SEED,
    split: str = "test",
    pool_roles: tuple[str, ...] = (),
) -> tuple[list[Host], dict[str, Any]]:
    """The generated crawl: hosts with their pages (``id``, ``url``, ``date``, ``html``, truth).

    ``split="test"`` (the benchmark): carved-out and test-split host pages, held-back and
    test-split payloads.  ``split="val"``: validation host pages and payloads only, the crawl
    the host view's constants are chosen on (:func:`tune`); ``pool_roles`` widens its host pages
    (``("train", "val")``: many more templates for the payloads to be cut by, for the campaign
    constants, which read how a payload is segmented, not how the model scores a page).
    """
    ds = _dataset()
    rng = random.Random(seed)
    if split == "test":
        pool_rows = [r for r in ds.host_pages(root, carved=True)] + [
            r for r in ds.host_pages(root) if ds.host_role(r["path"]) == "test"
        ]
    else:
        roles = pool_roles or (split,)
        pool_rows = [r for r in ds.host_pages(root) if ds.host_role(r["path"]) in roles]
    pool = []
    for row in pool_rows:
        try:
            pool.append((row, ds.read_host(root, row)))
        except (OSError, ValueError):
            continue
    known = ds.payloads()
    trained = {p.group for p in known}
    unseen = [p for p in ds.payloads("unseen/**/*.jsonl") if p.group not in trained] if split == "test" else []
    test = [p for p in known if ds.split_of("payload:" + p.group) == split]
    by_group: dict[str, list[Any]] = {}
    for p in unseen + test:
        by_group.setdefault(p.group, []).append(p)
    unseen_set = {p.group for p in unseen}
    unseen_groups = sorted(unseen_set)
    test_groups = sorted(g for g in by_group if g not in unseen_set)
    rng.shuffle(test_groups)
    groups = (unseen_groups + test_groups)[:n_groups]
    plan: list[tuple[str, Any]] = []
    for g in groups:
        for _ in range(rng.choice((2, 2, 3))):
            plan.append((g, rng.choice(by_group[g])))
    plan += [("", None)] * clean_hosts
    rng.shuffle(plan)
    hosts: list[Host] = []
    for k, (group, payload) in enumerate(plan):
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}{k:03d}.{rng.choice(TLDS)}"
        host = Host(name, group=group)
        n = rng.randint(*pages)
        chosen = rng.sample(pool, min(n, len(pool)))
        days = sorted(rng.sample(range(90), len(chosen)))
        snippet = ""
        cutoff = len(days)
        if payload is not None:
            for _ in range(5):  # script-only payloads render nothing a reader sees: draw again
                snippet, _hiding = ds.render_payload(payload, rng)
                links, texts = ds._html_truth(snippet)
                if links or texts:
                    break
                payload = rng.choice(by_group[group])
            host.payload_id = payload.id
            host.position = rng.choice(POSITIONS)
            host.share = rng.uniform(0.3, 1.0)
            cutoff = len(days) - max(3, round(host.share * len(days)))
            host.compromised_on = _date(days[cutoff])
        for i, ((row, html), day) in enumerate(zip(chosen, days, strict=True)):
            url = f"https://www.{name}/{i:03d}-{Path(row['path']).name.split('.')[0][:24]}.html"
            page = _rehost(html, row.get("url"), name)
            injected = payload is not None and i >= cutoff
            if injected:
                page, _where = ds._insert(page, snippet, host.position, rng)
                injected = ds.payload_shown(page, links)  # a payload put where nothing renders injects nothing
            host.pages.append(
                {
                    "id": f"{name}/{i}",
                    "url": url,
                    "date": _date(day),
                    "html": page,
                    "injected": injected,
                    "source": row["path"],
                }
            )
        hosts.append(host)
    info = {
        "pool_pages": len(pool),
        "groups": len(groups),
        "unseen_groups": sum(g in unseen_set for g in groups),
        "test_groups": sum(g not in unseen_set for g in groups),
    }
    return hosts, info


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    return {"precision": _r(p), "recall": _r(r), "tp": tp, "fp": fp, "fn": fn}


def _r(v: float | None, digits: int = 4) -> float | None:
    return None if v is None else round(v, digits)


def _score(hosts: list[Host], log: Callable[[str], None]) -> list[dict[str, Any]]:
    import linkguard

    records = ({"id": p["id"], "url": p["url"], "date": p["date"], "html": p["html"]} for h in hosts for p in h.pages)
    t = time.perf_counter()
    rows: list[dict[str, Any]] = [dict(r) for r in linkguard.score_records(records, batch_size=16)]
    log(f"hosts: scored {len(rows)} pages in {time.perf_counter() - t:.1f} s")
    return rows


def _memory(rows: list[dict[str, Any]], factors: tuple[int, ...]) -> list[dict[str, Any]]:
    """Peak traced memory of the host view fed the crawl's rows 1x, 4x, ... (same hosts, more pages each).

    A second stream gives every page a block print no other page has (the worst case for the sketch).
    """
    from linkguard._blocks import Block
    from linkguard._hosts import HostView

    ok = [r for r in rows if r["status"] == "ok"]

    def stream(factor: int, distinct: bool) -> Iterator[dict[str, Any]]:
        for rep in range(factor):
            for k, row in enumerate(ok):
                out = dict(row, id=f"{row['id']}#{rep}")
                if distinct:
                    fake = Block(f"{rep:04x}{k:012x}", "", "body>div", "", True, 0.99, ("x.com",), "x")
                    out["spam_blocks"] = [*row["spam_blocks"], fake.to_json()]
                yield out

    out = []
    for distinct in (False, True):
        for f in factors:
            gc.collect()
            tracemalloc.start()
            view = HostView()
            for row in stream(f, distinct):
                view.add(row)
            summaries = view.summaries()
            _, peak = tracemalloc.get_traced_memory()
            gc.collect()  # what the view holds, without garbage the collector had not reached yet
            live, _ = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            out.append(
                {
                    "rows": f * len(ok),
                    "factor": f,
                    "distinct_prints": distinct,
                    "hosts": len(summaries),
                    "peak_kb": round(peak / 1024, 1),
                    "live_kb": round(live / 1024, 1),
                }
            )
    return out


def _campaign_of_print(campaigns: list[dict[str, Any]]) -> dict[str, str]:
    """The campaign each listed block print belongs to."""
    return {fp: c["campaign"] for c in campaigns for fp in c["fingerprints"]}


def _campaign_items(
    hosts: list[Host], by_name: dict[str, dict[str, Any]], campaigns: list[dict[str, Any]]
) -> list[tuple[str, str, str | None]]:
    """One item per injected host: its source group, payload and campaign (of its first listed block in one)."""
    camp_of_fp = _campaign_of_print(campaigns)
    items: list[tuple[str, str, str | None]] = []
    for h in hosts:
        if h.group:
            prints = [b["fingerprint"] for b in (by_name.get(h.name) or {}).get("blocks", [])]
            items.append((h.group, h.payload_id, next((camp_of_fp[f] for f in prints if f in camp_of_fp), None)))
    return items


def _split_groups(hosts: list[Host], by_name: dict[str, dict[str, Any]], campaigns: list[dict[str, Any]]) -> int:
    """Source groups whose hosts' listed blocks fall into more than one campaign (one payload
    reported as several campaigns: its blocks on some host were not tied together)."""
    camp_of_fp = _campaign_of_print(campaigns)
    per_group: dict[str, set[str]] = {}
    for h in hosts:
        if h.group:
            blocks = (by_name.get(h.name) or {}).get("blocks", [])
            found = {camp_of_fp[b["fingerprint"]] for b in blocks if b["fingerprint"] in camp_of_fp}
            per_group.setdefault(h.group, set()).update(found)
    return sum(len(found) > 1 for found in per_group.values())


def _pairwise(items: list[tuple[str, str, str | None]]) -> dict[str, Any]:
    """Pairwise precision/recall of a clustering: (truth, payload, predicted) per injected host."""
    tp = fp = fn = 0
    same_payload = same_payload_hit = 0
    for (ta, pa, ca), (tb, pb, cb) in combinations(items, 2):
        together = ca is not None and ca == cb
        truth = ta == tb
        tp += together and truth
        fp += together and not truth
        fn += truth and not together
        if pa == pb:
            same_payload += 1
            same_payload_hit += together
    out = _prf(tp, fp, fn)
    out["same_payload_pairs"] = same_payload
    out["same_payload_recall"] = _r(same_payload_hit / same_payload) if same_payload else None
    return out


def _spark_equal(rows_path: Path, cli_summaries: list[dict[str, Any]], log: Callable[[str], None]) -> dict[str, Any]:
    """Host summaries from Spark (``local[2]``) on the same rows, compared with the CLI's."""
    script = (
        "import json, sys\n"
        "from pyspark.sql import SparkSession\n"
        "from linkguard.integrations.spark import OUTPUT_SCHEMA, host_summaries\n"
        "spark = (SparkSession.builder.master('local[2]').config('spark.ui.enabled','false')"
        ".config('spark.driver.host','127.0.0.1').getOrCreate())\n"
        "spark.sparkContext.setLogLevel('ERROR')\n"
        "rows = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]\n"
        "names = OUTPUT_SCHEMA.fieldNames()\n"
        "df = spark.createDataFrame([tuple(r.get(n) for n in names) for r in rows], OUTPUT_SCHEMA).repartition(4)\n"
        "print(json.dumps(host_summaries(df)))\n"
        "spark.stop()\n"
    )
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", script, str(rows_path)], capture_output=True, text=True, env=env, check=False
    )
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        log(f"hosts: Spark failed: {proc.stderr[-500:]}")
        return {"skipped": f"Spark run failed (exit {proc.returncode})"}
    spark_summaries = json.loads(proc.stdout.strip().splitlines()[-1])
    equal = json.dumps(spark_summaries, sort_keys=True) == json.dumps(cli_summaries, sort_keys=True)
    out: dict[str, Any] = {"equal": equal, "hosts": len(spark_summaries), "wall_s": round(wall, 1), "partitions": 4}
    if not equal:
        diffs = [
            (a["host"], k)
            for a, b in zip(spark_summaries, cli_summaries, strict=False)
            for k in a
            if a.get(k) != b.get(k)
        ]
        out["differences"] = [f"{h}: {k}" for h, k in diffs[:10]]
    return out


def _cli_summaries(rows_path: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "linkguard", "hosts", "-q", str(rows_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def _real_hosts(root: Path) -> dict[str, Any]:
    """Real corpus pages grouped by their own registrable domain: real templates, nothing injected."""
    import linkguard
    from linkguard._domains import page_domain
    from linkguard._hosts import summarize_hosts

    ds = _dataset()
    manifest = read_manifest(root)

    by: dict[str, list[dict[str, Any]]] = {}
    for row in manifest:
        if row.get("url") and row["path"] not in ds.REAL_SPAM_PAGES:
            by.setdefault(page_domain(row["url"]), []).append(row)
    multi = [r for rs in by.values() if len(rs) >= 2 for r in rs]
    records = ({"id": r["path"], "url": r["url"], "html": ds.read_host(root, r)} for r in multi)
    rows = list(linkguard.score_records(records))
    summaries = summarize_hosts(rows, min_pages=2)
    return {
        "hosts": len(summaries),
        "pages": len(rows),
        "template_injection_min_pages_2": sum(s["label"] == "template_injection" for s in summaries),
        "injected": sum(s["label"] == "injected" for s in summaries),
    }


def run_hosts(root: Path, *, quick: bool, spark: bool, log: Callable[[str], None] = print) -> dict[str, Any]:
    """The host-view and campaign benchmark; see the module docstring."""
    from linkguard._campaigns import find_campaigns
    from linkguard._hosts import HostView, mark_rows

    t0 = time.perf_counter()
    n_groups, clean = (10, 8) if quick else (30, 30)
    hosts, info = build_crawl(root, n_groups=n_groups, clean_hosts=clean, pages=(20, 30) if quick else (20, 50))
    log(f"hosts: {len(hosts)} hosts, {sum(len(h.pages) for h in hosts)} pages generated")
    rows = _score(hosts, log)
    view = HostView()
    for row in rows:
        view.add(row)
    summaries = view.summaries()
    by_name = {s["host"]: s for s in summaries}
    campaigns = find_campaigns(summaries)
    marked = {r["id"]: r for r in mark_rows(rows, summaries, campaigns)}
    truth = {p["id"]: p["injected"] for h in hosts for p in h.pages}

    # host level
    in_campaign = {h for c in campaigns for h in c["host_list"]}
    tp = fp = fn = 0
    tp_any = fp_any = fn_any = 0
    tp_c = fp_c = fn_c = 0
    date_right = detected = 0
    for h in hosts:
        s = by_name.get(h.name)
        label = s["label"] if s else "clean"
        pos, pos_any = label == "template_injection", label != "clean"
        pos_c = pos or h.name in in_campaign
        bad = bool(h.group)
        tp += pos and bad
        fp += pos and not bad
        fn += bad and not pos
        tp_any += pos_any and bad
        fp_any += pos_any and not bad
        fn_any += bad and not pos_any
        tp_c += pos_c and bad
        fp_c += pos_c and not bad
        fn_c += bad and not pos_c
        if pos and bad and s:
            detected += 1
            first = min((b["first_date"] for b in s["blocks"] if b["template"] and b["first_date"]), default=None)
            date_right += first == h.compromised_on
    # page level, on the injected hosts' pages
    injected_ids = [pid for pid, t in truth.items() if t]
    single = sum(bool(marked[i]["is_spam"]) for i in injected_ids)
    batch = sum(bool(marked[i]["is_spam_batch"]) for i in injected_ids)
    clean_ids = [pid for pid, t in truth.items() if not t]
    source = {p["id"]: p["source"] for h in hosts for p in h.pages}
    false_sources = sorted({source[i] for i in clean_ids if marked[i]["is_spam_batch"]})
    single_fp = sum(bool(marked[i]["is_spam"]) for i in clean_ids)
    batch_fp = sum(bool(marked[i]["is_spam_batch"]) for i in clean_ids)
    by_template = sum(bool(marked[i]["template_block"]) for i in injected_ids)
    by_campaign = sum(bool(marked[i]["campaign"]) and not marked[i]["template_block"] for i in injected_ids)

    detected_hosts = {h.name for h in hosts if (by_name.get(h.name) or {}).get("label") != "clean"}
    # campaigns: one item per injected host, its campaign (if any) by the host's listed blocks
    items = _campaign_items(hosts, by_name, campaigns)
    pair = _pairwise(items)
    detected_items = [
        it for it, h in zip(items, [h for h in hosts if h.group], strict=True) if h.name in detected_hosts
    ]
    pair_detected = _pairwise(detected_items)
    planted = {g for g, _, _ in items}
    groups_found = {g for g, _, c in items if c}
    mixed = 0
    mixed_groups = []
    for c in campaigns:
        gs = {g for g, _, cid in items if cid == c["campaign"]}
        if len(gs) > 1:
            mixed += 1
            mixed_groups.append({"groups": sorted(gs), "targets": c["targets"][:5], "text": c["text"][:60]})
    res: dict[str, Any] = {
        "crawl": {
            **info,
            "hosts": len(hosts),
            "injected_hosts": sum(bool(h.group) for h in hosts),
            "clean_hosts": sum(not h.group for h in hosts),
            "pages": len(truth),
            "injected_pages": len(injected_ids),
            "pages_per_host": [min(len(h.pages) for h in hosts), max(len(h.pages) for h in hosts)],
            "distinct_corpus_pages": info["pool_pages"],
        },
        "host": {
            "template_injection": _prf(tp, fp, fn),
            "template_or_campaign": _prf(tp_c, fp_c, fn_c),
            "any_spam_page": _prf(tp_any, fp_any, fn_any),
            "first_date_exact": _r(date_right / detected) if detected else None,
        },
        "page": {
            "single_page_recall": _r(single / len(injected_ids)) if injected_ids else None,
            "host_pass_recall": _r(batch / len(injected_ids)) if injected_ids else None,
            "single_page_false_pages": single_fp,
            "host_pass_false_pages": batch_fp,
            "clean_pages": len(clean_ids),
            "marked_by_template": by_template,
            "marked_by_campaign_only": by_campaign,
            "host_pass_precision": _r(batch / (batch + batch_fp)) if batch + batch_fp else None,
            "false_page_sources": false_sources,
        },
        "campaigns": {
            "found": len(campaigns),
            "groups_planted": len(planted),
            "groups_found": len(groups_found),
            "campaigns_mixing_groups": mixed,
            "groups_split": _split_groups(hosts, by_name, campaigns),
            "mixed": mixed_groups,
            "pairwise": pair,
            "pairwise_detected_hosts": pair_detected,
        },
    }
    log("hosts: memory of the host view as pages grow ...")
    res["sketch"] = {
        "max_prints_per_host": max((len(s.blocks) for s in view.hosts.values()), default=0),
        "hosts_over_cap": sum(1 for s in summaries if s["blocks_dropped"]),
    }
    res["memory"] = _memory(rows, (1, 4) if quick else (1, 4, 16))
    mem = [m for m in res["memory"] if not m["distinct_prints"]]
    res["memory_ratio"] = _r(mem[-1]["live_kb"] / mem[0]["live_kb"], 2) if mem[0]["live_kb"] else None
    res["memory_peak_ratio"] = _r(mem[-1]["peak_kb"] / mem[0]["peak_kb"], 2) if mem[0]["peak_kb"] else None
    worst = [m for m in res["memory"] if m["distinct_prints"]]
    res["memory_ratio_distinct"] = _r(worst[-1]["live_kb"] / worst[0]["live_kb"], 2) if worst[0]["live_kb"] else None
    with tempfile.TemporaryDirectory() as tmp:
        rows_path = Path(tmp) / "rows.jsonl"
        with rows_path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        cli = _cli_summaries(rows_path)
        res["cli_equals_library"] = json.dumps(cli, sort_keys=True) == json.dumps(summaries, sort_keys=True)
        if spark and not quick:
            log("hosts: the same summaries with Spark local[2] ...")
            res["spark"] = _spark_equal(rows_path, cli, log)
        else:
            res["spark"] = {"skipped": "quick run" if quick else "--skip spark"}
    if not quick:
        log("hosts: real corpus pages grouped by their own domain ...")
        res["real_hosts"] = _real_hosts(root)
        res["furniture_unseen"] = furniture(root, ("test", "carved"), log)
    res["elapsed_s"] = round(time.perf_counter() - t0, 1)
    return res


POOLED_GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95)
"""The pooled bars the tuning run tries, and the bars the furniture figures count against."""


def tune(root: Path, log: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Host-level precision and recall on the validation crawl for a grid of the host view's
    constants (``python -m benchmarks.hosts --tune``): where they are chosen, never on the
    benchmark's crawl."""
    from linkguard import _hosts

    hosts, info = build_crawl(root, n_groups=40, clean_hosts=30, split="val")
    log(f"tune: validation crawl {info}, {sum(len(h.pages) for h in hosts)} pages")
    rows = _score(hosts, log)
    seen = _near_misses(root, ("train", "val"))
    grid = [
        {"NEAR_COPY": near, "POOLED_SCORE": pooled, "REPEATED_SCORE": min(_hosts.REPEATED_SCORE, pooled)}
        for near in (0.6, 0.75, 0.9)
        for pooled in POOLED_GRID
    ]
    out = _tune_bars(hosts, rows, seen[2], log, grid)
    out += _tune_pooled_text(hosts, rows, seen[2], log)
    out += _tune_onset(hosts, rows, seen[2], log)
    out += _tune_campaigns(hosts, rows, log)
    for seed in WIDE_SEEDS:
        wide, wide_info = build_crawl(
            root, n_groups=40, clean_hosts=30, split="val", seed=seed, pool_roles=("train", "val")
        )
        log(f"tune: campaigns, validation crawl over training and validation host pages, seed {seed}: {wide_info}")
        out += [{"crawl": f"wide-{seed}", **r} for r in _tune_campaigns(wide, _score(wide, log), log)]
    out.append(furniture(root, ("train", "val"), log, near=seen))
    return out


def _template_prf(hosts: list[Host], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Host-level precision and recall of ``template_injection`` on a crawl's rows, with the host
    view's constants as they stand."""
    from linkguard._hosts import HostView

    view = HostView()
    for row in rows:
        view.add(row)
    found = {s["host"] for s in view.summaries() if s["label"] == "template_injection"}
    bad = {h.name for h in hosts if h.group}
    return _prf(len(found & bad), len(found - bad), len(bad - found))


POOLED_TEXT_GRID = (0.9, 0.95, 0.97, 0.98, 0.99, 2.0)
"""The pooled bars the tuning run tries for blocks without off-site links (2.0: never)."""
ONSET_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)
"""The onset bars the tuning run tries (for blocks with off-site links, and without)."""
SAME_TEXT_GRID = (0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
"""The MinHash similarities at which the tuning run lets campaigns join two blocks."""


def _sweep(
    module: Any, grid: list[dict[str, float]], measure: Callable[[], dict[str, Any]], log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """``measure()`` under each setting of ``grid`` (a constant of ``module`` by name -> its value),
    each result with the setting's values; the constants are restored afterwards."""
    names = sorted({name for setting in grid for name in setting})
    saved = {name: getattr(module, name) for name in names}
    out = []
    try:
        for setting in grid:
            for name, value in setting.items():
                setattr(module, name, value)
            res: dict[str, Any] = {name.lower(): value for name, value in setting.items()}
            res.update(measure())
            out.append(res)
            log(f"tune: {res}")
    finally:
        for name, value in saved.items():
            setattr(module, name, value)
    return out


def _tune_bars(
    hosts: list[Host],
    rows: list[dict[str, Any]],
    furniture_blocks: list[Any],
    log: Callable[[str], None],
    grid: list[dict[str, float]],
) -> list[dict[str, Any]]:
    """Host-level precision/recall on the validation crawl for each setting of the host view's
    bars in ``grid`` (constant name -> value), and the furniture hosts (:func:`furniture_hosts`,
    blocks of training and validation pages) each setting flags."""
    from linkguard import _hosts

    def measure() -> dict[str, Any]:
        cost = furniture_hosts(furniture_blocks)
        return {
            **_template_prf(hosts, rows),
            "template_change_flagged": cost["template_change_flagged"],
            "always_flagged": cost["always_flagged"],
        }

    return _sweep(_hosts, grid, measure, log)


def _tune_pooled_text(
    hosts: list[Host], rows: list[dict[str, Any]], furniture_blocks: list[Any], log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """The pooled bar of blocks without off-site links, over :data:`POOLED_TEXT_GRID`."""
    grid = [{"POOLED_TEXT_SCORE": bar} for bar in POOLED_TEXT_GRID]
    return _tune_bars(hosts, rows, furniture_blocks, log, grid)


def _tune_onset(
    hosts: list[Host], rows: list[dict[str, Any]], furniture_blocks: list[Any], log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """The onset bars (with off-site links, and without), over :data:`ONSET_GRID` squared."""
    grid = [{"ONSET_SCORE": linked, "ONSET_TEXT_SCORE": text} for linked in ONSET_GRID for text in ONSET_GRID]
    return _tune_bars(hosts, rows, furniture_blocks, log, grid)


def furniture(
    root: Path,
    roles: tuple[str, ...],
    log: Callable[[str], None] = print,
    *,
    near: tuple[int, list[tuple[float, str, str]], list[Any]] | None = None,
) -> dict[str, Any]:
    """How high a real page's own near misses score, and what the host view makes of them as template
    furniture.

    The pooled and onset bars must stay above the site furniture a template repeats on every page
    (share buttons, credits, banners).  ``roles``: the corpus pages read (``train``/``val`` host pages
    when tuning; ``test`` and ``carved`` in the benchmark, pages the model never trained on).  For each
    page, its highest-scoring block that its scan did not label spam (with off-site links, without,
    and hidden with off-site links); the pages whose best off-site block reaches each bar of the
    grid; and two hosts of 30 dated pages per such block (at or above
    :data:`~linkguard._hosts.REPEATED_SCORE`, the least a print needs to be kept): one with the
    block on every page (furniture from the start), one where it appears on the eleventh day and
    stays (a template change: the worst case for the onset evidence).  ``*_flagged`` counts those
    hosts labelled ``template_injection``: false hosts.
    ``near``: what :func:`_near_misses` read of those pages already (the tuning run reads them once).
    """
    n_pages, best, kept = near if near is not None else _near_misses(root, roles)
    res = {
        "pages": n_pages,
        "pages_with_offsite_near_miss": len(best),
        "reaching": {str(bar): sum(s >= bar for s, _, _ in best) for bar in POOLED_GRID},
        "highest": best[:10],
        **furniture_hosts(kept),
    }
    log(f"furniture {roles}: {res}")
    return res


def _near_misses(root: Path, roles: tuple[str, ...]) -> tuple[int, list[tuple[float, str, str]], list[Any]]:
    """Pages read; each page's best off-site near miss (score, path, text), best first; and each page's
    best near miss with off-site links, best without, and best hidden one with off-site links (as
    blocks, each once)."""
    import linkguard
    from linkguard._blocks import Block, page_blocks

    ds = _dataset()
    pool = ds.host_pages(root) + ds.host_pages(root, carved=True)
    rows = [r for r in pool if ds.host_role(r["path"]) in roles]
    best: list[tuple[float, str, str]] = []
    kept: list[Block] = []
    for row in rows:
        try:
            html = ds.read_host(root, row)
        except (OSError, ValueError):
            continue
        misses = [b for b in page_blocks(linkguard.scan(html, row.get("url"))) if not b.spam]
        offsite = [b for b in misses if b.domains]
        if offsite:
            top = max(offsite, key=lambda b: b.score)
            best.append((round(top.score, 3), row["path"], top.text[:60]))
        page_kept: list[Block] = []
        for group in (offsite, [b for b in misses if not b.domains], [b for b in offsite if b.hidden]):
            if group:
                top = max(group, key=lambda b: b.score)
                if all(top is not b for b in page_kept):
                    page_kept.append(top)
        kept += page_kept
    best.sort(reverse=True)
    return len(rows), best, kept


def furniture_hosts(blocks: list[Any]) -> dict[str, Any]:
    """Template-furniture hosts of 30 dated pages per real block (see :func:`furniture`), run through the
    host view with its constants as they stand."""
    from linkguard._hosts import REPEATED_SCORE, summarize_hosts

    strong = [b for b in blocks if b.score >= REPEATED_SCORE]
    out: dict[str, Any] = {
        "furniture_blocks": len(strong),
        "furniture_offsite": sum(bool(b.domains) for b in strong),
    }
    for name, start in (("always", 0), ("template_change", 10)):
        flagged = []
        for k, block in enumerate(strong):
            host = f"furniture{k}.org"
            rows = [
                {
                    "id": f"{host}/{d}",
                    "url": f"https://www.{host}/{d}.html",
                    "date": _date(d),
                    "status": "ok",
                    "is_spam": False,
                    "page_label": "clean",
                    "spam_blocks": [block.to_json()] if d >= start else [],
                }
                for d in range(30)
            ]
            (summary,) = summarize_hosts(rows)
            if summary["label"] == "template_injection":
                flagged.append([round(block.score, 3), bool(block.domains), block.text[:60]])
        out[f"{name}_flagged"] = len(flagged)
        out[f"{name}_examples"] = sorted(flagged, reverse=True)[:5]
    return out


WIDE_SEEDS = (SEED + 1, SEED + 2, SEED + 3)
"""Seeds of the wider validation crawls the campaign constants are also read on (a payload is cut
into blocks by some templates and not by others: one crawl shows too few of those cuts)."""
CO_OCCUR_GRID = (0.5, 0.65, 0.8, 0.9, 1.01)
"""Co-occurrence bars tried for one injection cut into blocks (1.01: never one injection)."""


def _tune_campaigns(hosts: list[Host], rows: list[dict[str, Any]], log: Callable[[str], None]) -> list[dict[str, Any]]:
    """Pairwise campaign precision/recall, and clean hosts put into a campaign, on a validation crawl
    for a grid of anchor rules, then :data:`SAME_TEXT_GRID` and :data:`CO_OCCUR_GRID` each with the
    other constants as they stand."""
    from linkguard import _campaigns, _hosts

    clean = {h.name for h in hosts if not h.group}

    def summarise() -> list[dict[str, Any]]:
        view = _hosts.HostView()
        for row in rows:
            view.add(row)
        return view.summaries()

    def measure(summaries: list[dict[str, Any]]) -> dict[str, Any]:
        by_name = {s["host"]: s for s in summaries}
        campaigns = _campaigns.find_campaigns(summaries)
        in_campaign = {h for c in campaigns for h in c["host_list"]}
        return {
            "campaigns": len(campaigns),
            "clean_hosts_in_campaigns": len(in_campaign & clean),
            "groups_split": _split_groups(hosts, by_name, campaigns),
            **_pairwise(_campaign_items(hosts, by_name, campaigns)),
        }

    # The campaign constants read the summaries; the host view's CO_OCCUR makes them.
    summaries = summarise()
    anchors: list[dict[str, float]] = [
        {"ANCHOR_PAGES": pages, "ANCHOR_WORDS": words} for pages in (1, 2, 3) for words in (1, 4, 8)
    ]
    out = _sweep(_campaigns, anchors, lambda: measure(summaries), log)
    out += _sweep(_campaigns, [{"SAME_TEXT": same} for same in SAME_TEXT_GRID], lambda: measure(summaries), log)
    return out + _sweep(_hosts, [{"CO_OCCUR": bar} for bar in CO_OCCUR_GRID], lambda: measure(summarise()), log)


if __name__ == "__main__":
    import argparse

    from benchmarks.corpus import corpus_dir

    parser = argparse.ArgumentParser(description="host view: choose its constants on the validation crawl")
    parser.add_argument(
        "--tune", action="store_true", help="print host-level and campaign P/R over a grid of constants"
    )
    parser.add_argument("--corpus", default=None)
    args = parser.parse_args()
    if args.tune:
        tune(corpus_dir(args.corpus))
