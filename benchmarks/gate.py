"""The quality gate: floors (higher is better) and ceilings (lower is better) from baseline.json.

A metric fails when it falls below its floor minus the margin (or above its ceiling plus the
margin).  Accuracy metrics get an absolute margin (``epsilon.accuracy``); speed ratios and
memory, which depend on a noisy shared machine, a relative one (``epsilon.speed_ratio``).
Absolute times are never gated, only ratios to baselines measured in the same run.
Floors are kept per profile (``quick``: the subset run, ``full``), since the subsets differ.
Metrics in ``FULL_ONLY`` (the batch section's process timings, too noisy on the quick subset)
get bounds in the ``full`` profile only, never in ``quick`` (the CI gate).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BASELINE_PATH = Path(__file__).resolve().parent / "baseline.json"
DEFAULT_EPSILON = {"accuracy": 0.02, "speed_ratio": 0.3}

_LG = "accuracy.labelled.tools.linkguard.overall."
FLOOR_METRICS = (
    "speed.ratios.scan_vs_parse_floor",
    "speed.ratios.scan_vs_trafilatura",
    "speed.ratios.scan_many_vs_parse_floor",
    _LG + "page.precision",
    _LG + "page.recall",
    _LG + "page.f1",
    _LG + "segment.precision",
    _LG + "segment.recall",
    _LG + "segment.f1",
    _LG + "spam_link_recall",
    "accuracy.corpus.linkguard.known_spam_found",
    "batch.ratios.jobs2_vs_jobs1",
)
CEILING_METRICS = (
    "speed.scaling.scan_ratio_median",
    "memory.scan.peak_rss_mb",
    "memory.scan_many.peak_rss_mb",
    _LG + "clean_link_false_flag_rate",
    _LG + "clean_text_removed_share",
    "accuracy.corpus.linkguard.false_alarm_rate",
    "batch.peak_rss_mb",
)
FULL_ONLY = frozenset({"batch.ratios.jobs2_vs_jobs1", "batch.peak_rss_mb"})


def get_path(data: Any, dotted: str) -> Any:
    """``data["a"]["b"]["c"]`` for ``"a.b.c"``; ``None`` when any step is missing."""
    for key in dotted.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _relative(metric: str) -> bool:
    return metric.startswith(("speed.", "memory.", "batch."))


def limit(metric: str, bound: float, kind: str, epsilon: dict[str, float]) -> float:
    """The value a metric may reach before it fails: bound -/+ margin."""
    eps = {**DEFAULT_EPSILON, **epsilon}
    sign = -1.0 if kind == "floor" else 1.0
    if _relative(metric):
        return bound * (1.0 + sign * eps["speed_ratio"])
    return bound + sign * eps["accuracy"]


def check(results: dict[str, Any], baseline: dict[str, Any], profile: str) -> dict[str, Any]:
    """Compare a run with the floors of ``profile``; returns ``{"passed", "checks", "problems"}``."""
    prof = baseline.get("profiles", {}).get(profile, {})
    eps = baseline.get("epsilon", {})
    checks: list[dict[str, Any]] = []
    problems: list[str] = []
    want = baseline.get("corpus_digest")
    have = get_path(results, "corpus.digest")
    if want and have and want != have:
        problems.append(
            f"corpus digest {have} differs from the baseline's {want}: floors are not comparable "
            "(re-run with --update --allow-regression once the new corpus is accepted)"
        )
    for kind, table in (("floor", prof.get("floors", {})), ("ceiling", prof.get("ceilings", {}))):
        for metric, bound in sorted(table.items()):
            value = get_path(results, metric)
            lim = limit(metric, bound, kind, eps)
            if not isinstance(value, (int, float)):
                ok = False
                problems.append(f"{metric}: not measured in this run ({kind} {bound})")
            else:
                ok = value >= lim if kind == "floor" else value <= lim
                if not ok:
                    word = "below floor" if kind == "floor" else "above ceiling"
                    problems.append(f"{metric} = {value:.4g} is {word} {bound:.4g} (limit with margin {lim:.4g})")
            checks.append(
                {
                    "metric": metric,
                    "kind": kind,
                    "bound": bound,
                    "limit": round(lim, 6),
                    "value": value,
                    "ok": ok,
                }
            )
    if not checks:
        problems.append(f"baseline has no floors for profile {profile!r} (run with --update to create them)")
    return {"profile": profile, "passed": not problems, "checks": checks, "problems": problems}


def propose(
    results: dict[str, Any], baseline: dict[str, Any], profile: str, *, allow_regression: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """New baseline with this run's values as floors/ceilings; also the list of loosened bounds.

    A bound is loosened when the new floor is lower (or the new ceiling higher) than the old
    one, or when the corpus changed.  Without ``allow_regression`` the caller must refuse.
    """
    new = json.loads(json.dumps(baseline)) if baseline else {}
    new.setdefault("schema", 1)
    new.setdefault("epsilon", dict(DEFAULT_EPSILON))
    loosened: list[str] = []
    digest = get_path(results, "corpus.digest")
    if new.get("corpus_digest") and digest and new["corpus_digest"] != digest:
        loosened.append(f"corpus digest changes from {new['corpus_digest']} to {digest}")
        if allow_regression:
            new["profiles"] = {}
    new["corpus_digest"] = digest
    prof = new.setdefault("profiles", {}).setdefault(profile, {})
    for kind, metrics in (("floors", FLOOR_METRICS), ("ceilings", CEILING_METRICS)):
        table = prof.setdefault(kind, {})
        for metric in metrics:
            if metric in FULL_ONLY and profile != "full":
                continue
            value = get_path(results, metric)
            if not isinstance(value, (int, float)):
                continue
            old = table.get(metric)
            worse = old is not None and (value < old if kind == "floors" else value > old)
            if worse:
                loosened.append(f"{metric}: {old:.4g} -> {value:.4g}")
            table[metric] = round(float(value), 4)
    new["updated_from"] = {
        "created": results.get("created"),
        "mode": results.get("mode"),
        "git": results.get("git", {}).get("commit"),
    }
    return new, loosened


def load_baseline(path: Path = BASELINE_PATH) -> dict[str, Any]:
    if not path.is_file():
        return {}
    return json.loads(path.read_text("utf-8"))


def save_baseline(data: dict[str, Any], path: Path = BASELINE_PATH) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")
    tmp.replace(path)
