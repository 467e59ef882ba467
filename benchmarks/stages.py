"""Where a scan spends its time, stage by stage, on the reference path and on the compiled core.

    python -m benchmarks.stages            all corpus pages, 3 rounds
    python -m benchmarks.stages --quick    the 60-page quick subset

Each page is run through the stages one by one (pre-parse checks, parse, hidden selectors,
walk, features, tree scores, labels and report), with both paths, in a shuffled order per
round; a page's time per stage is its median over rounds.  Times are given in units of the
parse floor (lexbor parse + every ``href`` + body text) measured in the same run, so they
read as a budget: the scan reaches half the floor's speed when its stages add up to 2.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from selectolax.lexbor import LexborHTMLParser

import linkguard
from benchmarks.baselines import parse_floor
from benchmarks.corpus import CorpusPage, corpus_dir, load_pages, quick_subset, read_manifest
from linkguard import _compiled, _features, _hiding, _html, _native, _scan, _segment
from linkguard._config import Config
from linkguard._model import default_model

STAGES = ("checks", "parse", "hiding", "walk", "features", "model", "label+report")


def _stages(page: CorpusPage, native: bool) -> dict[str, float]:
    """Seconds per stage of one scan of ``page`` (text input, page URL known)."""
    saved = _compiled.core
    _compiled.core = saved if native else None
    try:
        return _timed_stages(page)
    finally:
        _compiled.core = saved


def _timed_stages(page: CorpusPage) -> dict[str, float]:
    core = _compiled.core
    cfg, model = Config(), default_model()
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    if core is not None:
        main, tail = core.prepare(page.text)
    else:
        main, tail = _html.split_tail(page.text)
        main, tail = _html._tame(main), (_html._tame(tail) if tail else "")
    t1 = time.perf_counter()
    tree = LexborHTMLParser(main)
    tail_tree = LexborHTMLParser(tail) if tail else None
    t2 = time.perf_counter()
    hidden = _segment.page_hiding(
        tree, tail_tree, core.hidden_selectors if core is not None else _hiding.hidden_selectors
    )
    t3 = time.perf_counter()
    walk = core.walk_html if core is not None else _segment.walk_html
    budget = _segment.Budget(cfg.max_nodes, cfg.max_links)
    segments, truncated = _segment.walk_trees(tree, tail_tree, hidden, budget, walk)
    parsed = _segment.Page(segments, "html", _html.base_url(tree), tree, tail_tree, page.text, truncated)
    t4 = time.perf_counter()
    X = _features.page_features([parsed], [page.url], getattr(model, "text", None))[0]
    t5 = time.perf_counter()
    if core is not None:
        _native.proba(model, X)
    else:
        model.proba(X)
    t6 = time.perf_counter()
    _scan._score([_scan.ReadPage(parsed, page.url, None, "")], model, cfg)
    t7 = time.perf_counter()
    out["checks"], out["parse"], out["hiding"], out["walk"] = t1 - t0, t2 - t1, t3 - t2, t4 - t3
    out["features"], out["model"] = t5 - t4, t6 - t5
    out["label+report"] = max(0.0, (t7 - t6) - (t5 - t4) - (t6 - t5))
    return out


def _scan_time(page: CorpusPage, native: bool) -> float:
    saved = _compiled.core
    _compiled.core = saved if native else None
    try:
        t = time.perf_counter()
        linkguard.scan(page.text, page.url)
        return time.perf_counter() - t
    finally:
        _compiled.core = saved


def run(pages: list[CorpusPage], rounds: int) -> dict[str, Any]:
    paths = ["reference", "native"] if _compiled.core is not None else ["reference"]
    jobs: list[tuple[str, Callable[[CorpusPage], Any]]] = [("floor", lambda p: parse_floor(p.text, p.url))]
    for path in paths:
        native = path == "native"
        jobs.append((f"{path}:stages", functools.partial(_stages, native=native)))
        jobs.append((f"{path}:scan", functools.partial(_scan_time, native=native)))
    for _, fn in jobs:  # warm caches (model, lexicon, domains)
        fn(pages[0])
    samples: dict[str, list[list[float]]] = {}
    for r in range(rounds):
        order = [(i, job) for i in range(len(pages)) for job in jobs]
        random.Random(r).shuffle(order)
        for i, (name, fn) in order:
            t = time.perf_counter()
            value = fn(pages[i])
            elapsed = time.perf_counter() - t
            if name.endswith(":stages"):
                for stage, s in value.items():
                    samples.setdefault(f"{name[:-7]}:{stage}", [[] for _ in pages])[i].append(s)
            else:
                s = value if name.endswith(":scan") else elapsed
                samples.setdefault(name, [[] for _ in pages])[i].append(s)
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
    totals = {name: sum(statistics.median(v) for v in per_page) for name, per_page in samples.items()}
    floor = totals["floor"]
    result: dict[str, Any] = {"n_pages": len(pages), "rounds": rounds}
    result["floor_pages_per_s"] = round(len(pages) / floor, 1)
    for path in paths:
        stages = {s: round(totals[f"{path}:{s}"] / floor, 3) for s in STAGES}
        result[path] = {
            "scan_pages_per_s": round(len(pages) / totals[f"{path}:scan"], 1),
            "scan_x_floor": round(floor / totals[f"{path}:scan"], 4),
            "stages_in_floor_units": stages,
            "stages_sum": round(sum(stages.values()), 3),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the 60-page quick subset")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    root = corpus_dir(args.corpus)
    rows = read_manifest(root)
    pages = load_pages(root, quick_subset(rows) if args.quick else rows)
    result = run(pages, args.rounds)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"{result['n_pages']} pages, {result['rounds']} rounds; parse floor {result['floor_pages_per_s']} pages/s")
    for path in ("reference", "native"):
        if path in result:
            r = result[path]
            print(f"{path:9s} scan {r['scan_pages_per_s']:7.1f} pages/s = {r['scan_x_floor']:.3f}x floor")
            print("          " + "  ".join(f"{k} {v:.3f}" for k, v in r["stages_in_floor_units"].items()))
            print(f"          sum of stages {r['stages_sum']:.3f} floor units")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
