"""Throughput of linkguard and the baselines on the same in-memory pages, in the same run.

The machine is shared and noisy, so every page is timed with every tool in a shuffled order
(interleaved, so a burst of load hits all tools alike), this is repeated ``rounds`` times,
and each page's time is the median over rounds.  Ratios, not absolute times, are what the
quality gate checks.
"""

from __future__ import annotations

import gc
import itertools
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import linkguard
from benchmarks import baselines
from benchmarks.corpus import CorpusPage, scale_page

FLOOR = "parse_floor"
TRAF = "trafilatura"
SCALING_TARGET = 18
"""A page 16 times as long may take at most this many times as long to scan."""
SCAN = "linkguard.scan"
SCAN_BYTES = "linkguard.scan(bytes)"
SCAN_MANY = "linkguard.scan_many"
SCAN_PRESCREEN = "linkguard.scan(prescreen)"
SIZE_BINS_KB = (0, 32, 64, 128, 256, 512, 1 << 30)


def pin_one_core() -> dict[str, Any]:
    """Pin this process (and the children it starts) to one core, if the OS allows it."""
    if not hasattr(os, "sched_setaffinity"):
        return {"pinned": False, "reason": "os.sched_setaffinity not available"}
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[-1]
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError as exc:
        return {"pinned": False, "reason": str(exc), "allowed_cpus": allowed}
    return {"pinned": True, "cpu": cpu, "allowed_cpus": allowed}


def tools() -> dict[str, tuple[Callable[[CorpusPage], Any], str]]:
    """name -> (call on one page, input kind)."""
    scan = linkguard.scan
    screened = linkguard.Config(prescreen=True)
    out: dict[str, tuple[Callable[[CorpusPage], Any], str]] = {
        SCAN: (lambda p: scan(p.text, p.url), "str"),
        SCAN_BYTES: (lambda p: scan(p.raw, p.url), "bytes (includes encoding detection)"),
        SCAN_PRESCREEN: (lambda p: scan(p.text, p.url, config=screened), "str, `Config(prescreen=True)`"),
    }
    for name, fn in baselines.BASELINES.items():
        out[name] = (_on_text(fn), "str")
    return out


def _forget_page() -> None:
    """Empty the caches keyed by one page's own links, so that the tools timed on the same page
    do not warm them for each other: each call then meets the page as a stream of distinct pages
    would (caches keyed by host or style, shared across pages, stay warm as in a stream)."""
    from linkguard import _domains, _features

    _domains.absolute.cache_clear()
    _features.url_parts.cache_clear()


def stats(times: list[float], nbytes: list[int]) -> dict[str, Any]:
    """Throughput and latency of per-page times (seconds)."""
    if not times:
        return {"n_pages": 0}
    total = float(sum(times))
    arr = np.asarray(times) * 1000.0
    return {
        "n_pages": len(times),
        "total_s": round(total, 4),
        "pages_per_s": round(len(times) / total, 2) if total else None,
        "mb_per_s": round(sum(nbytes) / 1e6 / total, 3) if total else None,
        "median_ms": round(float(np.median(arr)), 3),
        "p99_ms": round(float(np.percentile(arr, 99)), 3),
        "mean_ms": round(float(arr.mean()), 3),
    }


def _on_text(fn: Callable[..., Any]) -> Callable[[CorpusPage], Any]:
    """A baseline called as the suite calls it: the page's text, URL and language."""
    return lambda p: fn(p.text, p.url, p.lang)


def _ratio(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    """Throughput of ``a`` as a multiple of ``b`` (pages/s over pages/s)."""
    if not a.get("total_s") or not b.get("total_s") or a["n_pages"] != b["n_pages"]:
        return None
    return round(float(b["total_s"]) / float(a["total_s"]), 4)


def _size_bin(nbytes: int) -> str:
    kb = nbytes / 1024
    for lo, hi in itertools.pairwise(SIZE_BINS_KB):
        if lo <= kb < hi:
            return f"{lo}-{hi}KB" if hi < (1 << 30) else f">{lo}KB"
    return "?"


def run_speed(
    pages: list[CorpusPage], *, rounds: int = 3, seed: int = 1, log: Callable[[str], None] = print
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Time every tool on every page; returns (results, per-page times for plots)."""
    rng = random.Random(seed)
    table = tools()
    names = list(table)
    baselines.warm_up()
    linkguard.scan(pages[0].text, pages[0].url)
    list(linkguard.scan_many([(pages[0].text, pages[0].url)]))
    per_round: dict[str, list[list[float]]] = {n: [] for n in names}
    errors: dict[str, int] = dict.fromkeys(names, 0)
    many_rounds: dict[str, list[float]] = {"normal": [], "large": []}
    scan_rounds: list[float] = []  # whole-corpus time of the scan loop per round, to set beside scan_many's
    many_totals: list[float] = []
    classes = {c: [p for p in pages if p.size_class == c] for c in ("normal", "large")}
    perf = time.perf_counter
    for r in range(rounds):
        gc.collect()
        t_round = perf()
        times = {n: [0.0] * len(pages) for n in names}
        for i, page in enumerate(pages):
            order = names[:]
            rng.shuffle(order)
            for name in order:
                fn = table[name][0]
                if name.startswith("linkguard"):
                    _forget_page()
                t0 = perf()
                try:
                    fn(page)
                except Exception:
                    if r == 0:
                        errors[name] += 1
                times[name][i] = perf() - t0
        for n in names:
            per_round[n].append(times[n])
        scan_rounds.append(sum(times[SCAN]))
        # The batch path, per size class (same pages, str input, page URLs).
        gc.collect()
        many_total = 0.0
        for cls, group in classes.items():
            if not group:
                continue
            items = [(p.text, p.url) for p in group]
            t0 = perf()
            for _ in linkguard.scan_many(items):
                pass
            many_rounds[cls].append(perf() - t0)
            many_total += many_rounds[cls][-1]
        many_totals.append(many_total)
        log(f"  speed round {r + 1}/{rounds}: {perf() - t_round:.1f}s")
    per_page = {n: [statistics.median(col) for col in zip(*per_round[n], strict=True)] for n in names}
    nbytes = [p.nbytes for p in pages]
    out_tools: dict[str, Any] = {}
    for n in names:
        entry: dict[str, Any] = {"input": table[n][1], "errors": errors[n]}
        entry["all"] = stats(per_page[n], nbytes)
        for cls, group in classes.items():
            idx = [i for i, p in enumerate(pages) if p.size_class == cls]
            entry[cls] = stats([per_page[n][i] for i in idx], [nbytes[i] for i in idx]) if group else {}
        out_tools[n] = entry
    # scan_many has batch times only: throughput, no per-page latency.
    many: dict[str, Any] = {"input": "str, default batch_size (16)", "errors": 0}
    tot_t = 0.0
    tot_b = 0
    for cls, group in classes.items():
        if not group:
            many[cls] = {}
            continue
        t = statistics.median(many_rounds[cls])
        b = sum(p.nbytes for p in group)
        tot_t += t
        tot_b += b
        many[cls] = {
            "n_pages": len(group),
            "total_s": round(t, 4),
            "pages_per_s": round(len(group) / t, 2),
            "mb_per_s": round(b / 1e6 / t, 3),
        }
    many["all"] = {
        "n_pages": len(pages),
        "total_s": round(tot_t, 4),
        "pages_per_s": round(len(pages) / tot_t, 2),
        "mb_per_s": round(tot_b / 1e6 / tot_t, 3),
    }
    out_tools[SCAN_MANY] = many
    for entry in out_tools.values():
        for cls in ("all", "normal", "large"):
            s = entry.get(cls)
            if s:
                s["x_parse_floor"] = _ratio(s, out_tools[FLOOR][cls])
                s["x_trafilatura"] = _ratio(s, out_tools[TRAF][cls])
    # Throughput by page-size bin (MB/s), for the "throughput vs page size" view.
    bins: dict[str, dict[str, Any]] = {}
    labels = [_size_bin(b) for b in nbytes]
    for label in dict.fromkeys(sorted(set(labels), key=lambda s: labels.index(s))):
        idx = [i for i, lab in enumerate(labels) if lab == label]
        b = sum(nbytes[i] for i in idx)
        bins[label] = {"n_pages": len(idx)}
        for n in names:
            t = sum(per_page[n][i] for i in idx)
            bins[label][n] = round(b / 1e6 / t, 3) if t else None
    order_bins = [lab for lab in (_size_bin(int(lo * 1024)) for lo in SIZE_BINS_KB[:-1]) if lab in bins]
    results = {
        "rounds": rounds,
        "n_pages": len(pages),
        "bytes": sum(nbytes),
        "method": "per page, tools in shuffled order, median over rounds; ratios are throughput multiples",
        "tools": out_tools,
        "ratios": {
            "scan_vs_parse_floor": out_tools[SCAN]["all"]["x_parse_floor"],
            "scan_vs_trafilatura": out_tools[SCAN]["all"]["x_trafilatura"],
            "scan_many_vs_parse_floor": out_tools[SCAN_MANY]["all"]["x_parse_floor"],
            # Like with like: the median over rounds of whole-corpus times, for both.  (The table's
            # per-page medians drop each page's slow round, which a batch total cannot do.)
            "scan_many_vs_scan": round(statistics.median(scan_rounds) / statistics.median(many_totals), 4),
            "scan_bytes_vs_scan": _ratio(out_tools[SCAN_BYTES]["all"], out_tools[SCAN]["all"]),
            "prescreen_vs_parse_floor": out_tools[SCAN_PRESCREEN]["all"]["x_parse_floor"],
            "prescreen_vs_scan": _ratio(out_tools[SCAN_PRESCREEN]["all"], out_tools[SCAN]["all"]),
        },
        "by_size_mb_per_s": {lab: bins[lab] for lab in order_bins},
    }
    return results, {"bytes": nbytes, "times": per_page}


def run_scaling(
    pages: list[CorpusPage],
    *,
    n_pages: int = 5,
    factors: tuple[int, ...] = (1, 4, 16),
    repeats: int = 3,
    seed: int = 2,
) -> dict[str, Any]:
    """linkguard.scan (and the parse floor) on 1x/4x/16x copies of a few pages' body content."""
    normal = sorted((p for p in pages if p.size_class == "normal"), key=lambda p: p.nbytes)
    if not normal:
        return {}
    picks = [normal[int(q * (len(normal) - 1))] for q in np.linspace(0.2, 0.8, n_pages)]
    picks = list({p.path: p for p in picks}.values())
    rng = random.Random(seed)
    perf = time.perf_counter
    rows = []
    for page in picks:
        versions = {f: scale_page(page.text, f) for f in factors}
        t: dict[str, dict[int, list[float]]] = {
            SCAN: {f: [] for f in factors},
            FLOOR: {f: [] for f in factors},
        }
        # One untimed pass first: the first scan of a page fills per-process caches (link hosts,
        # registrable domains) and would otherwise land on whichever size the shuffle puts first.
        for f in factors:
            linkguard.scan(versions[f], page.url)
            baselines.parse_floor(versions[f])
        for _ in range(repeats):
            order = [(tool, f) for tool in t for f in factors]
            rng.shuffle(order)
            for tool, f in order:
                html = versions[f]
                t0 = perf()
                if tool == SCAN:
                    linkguard.scan(html, page.url)
                else:
                    baselines.parse_floor(html)
                t[tool][f].append(perf() - t0)
        row: dict[str, Any] = {"path": page.path, "bytes_1x": len(page.text.encode("utf-8", "replace"))}
        for tool, by_f in t.items():
            # The fastest of the repeats: on a shared machine noise only ever adds time, and a
            # few milliseconds of it at 1x move a ratio more than any change of the code does.
            fastest = {f: min(v) for f, v in by_f.items()}
            row[tool] = {f"{f}x_ms": round(fastest[f] * 1000, 2) for f in factors}
            row[tool][f"ratio_{factors[-1]}x_{factors[0]}x"] = round(fastest[factors[-1]] / fastest[factors[0]], 2)
        rows.append(row)
    key = f"ratio_{factors[-1]}x_{factors[0]}x"
    ratios = [r[SCAN][key] for r in rows]
    return {
        "factors": list(factors),
        "repeats": repeats,
        "pages": rows,
        "scan_ratio_median": round(statistics.median(ratios), 2),
        "scan_ratio_max": round(max(ratios), 2),
        "floor_ratio_median": round(statistics.median(r[FLOOR][key] for r in rows), 2),
        "target_max": SCALING_TARGET,
    }
