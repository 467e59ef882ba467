"""The quality gate: floors (higher is better) and ceilings (lower is better) from baseline.json.

A metric fails when it falls below its floor minus its margin (or above its ceiling plus its
margin); margins are per metric (``MARGINS``): absolute points for rates, none for counts of
false-alarm pages, and a share of the bound for speed ratios and memory (a ratio of ratios:
absolute times are never gated, only ratios to baselines measured in the same run).
Floors are kept per profile (``quick``: the subset run, ``full``), since the subsets differ.
Metrics in ``FULL_ONLY`` (process timings too noisy on the quick subset, and sets only the full
run measures) get bounds in the ``full`` profile only, never in ``quick`` (the CI gate).
A bound is only ever lowered with ``--allow-regression --reason``, and each such change is
appended to ``FLOOR_CHANGES.md``.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BASELINE_PATH = Path(__file__).resolve().parent / "baseline.json"
CHANGES_PATH = Path(__file__).resolve().parent / "FLOOR_CHANGES.md"

_LG = "accuracy.labelled.tools.linkguard.real."
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
    "accuracy.obfuscation.tricks.plain.linkguard.page.recall",
    "accuracy.corpus.linkguard.known_spam_found",
    "accuracy.page_verdicts.spam_page_recall_real",
    "accuracy.labelled.links.real.recall",
    "accuracy.labelled.links.real.precision",
    "accuracy.single_links.planted_link_found",
    "accuracy.unseen.tools.linkguard.real.page.recall",
    "accuracy.unseen.tools.linkguard.real.segment.f1",
    "accuracy.unseen.tools.linkguard.real.spam_link_recall",
    "batch.ratios.jobs2_vs_jobs1",
    "hosts.host.template_injection.precision",
    "hosts.host.template_injection.recall",
    "hosts.page.host_pass_recall",
    "hosts.campaigns.pairwise.precision",
    "hosts.campaigns.pairwise.recall",
    "hosts.cli_equals_library",
    "hosts.spark.equal",
)
CEILING_METRICS = (
    "speed.scaling.scan_ratio_median",
    "memory.scan.peak_rss_mb",
    "memory.scan_many.peak_rss_mb",
    _LG + "clean_link_false_flag_rate",
    _LG + "clean_text_removed_share",
    "accuracy.labelled.tools.linkguard.clean_with_hard_negative.false_alarm_rate",
    "accuracy.obfuscation.worst_drop",
    "accuracy.corpus.linkguard.carved.false_alarm_pages",
    "accuracy.corpus.linkguard.test_hosts.false_alarm_pages",
    "accuracy.corpus.linkguard.carved.spam_page_pages",
    "accuracy.corpus.linkguard.carved.not_clean_pages",
    "accuracy.corpus.linkguard.test_hosts.not_clean_pages",
    "accuracy.page_verdicts.about_topic.all.rate",
    "accuracy.page_verdicts.other.clean_as_spam_page.rate",
    "accuracy.page_verdicts.other.comment_link_flagged.rate",
    "accuracy.labelled.links.real.clean_links_flagged",
    "batch.peak_rss_mb",
    "hosts.page.host_pass_false_pages",
    "hosts.furniture_unseen.template_change_flagged",
    "hosts.furniture_unseen.always_flagged",
    "hosts.memory_ratio",
)
FULL_ONLY = frozenset(
    {
        "hosts.spark.equal",
        "hosts.furniture_unseen.template_change_flagged",
        "hosts.furniture_unseen.always_flagged",
        "batch.ratios.jobs2_vs_jobs1",
        "batch.peak_rss_mb",
        "accuracy.unseen.tools.linkguard.real.page.recall",
        "accuracy.unseen.tools.linkguard.real.segment.f1",
        "accuracy.unseen.tools.linkguard.real.spam_link_recall",
    }
)

# How far a metric may move past its bound before the gate fails, first match wins:
# ("abs", x) in the metric's own units, ("rel", x) as a share of the bound (a ratio of ratios).
# Rates that are small by nature get small absolute margins: a 0.1 % rate may not become 2 %.
# Counts of false-alarm pages get none: one more flagged real page fails.
MARGINS: tuple[tuple[str, tuple[str, float]], ...] = (
    ("false_alarm_pages", ("abs", 0.0)),
    ("host_pass_false_pages", ("abs", 0.0)),
    ("hosts.furniture_unseen.", ("abs", 0.0)),
    ("equal", ("abs", 0.0)),
    ("hosts.memory_ratio", ("rel", 0.3)),
    ("hosts.", ("abs", 0.03)),
    ("spam_page_pages", ("abs", 0.0)),
    ("not_clean_pages", ("abs", 0.0)),
    ("page_verdicts.about_topic", ("abs", 0.01)),
    ("page_verdicts.other", ("abs", 0.01)),
    ("spam_page_recall", ("abs", 0.03)),
    ("clean_link_false_flag_rate", ("abs", 0.002)),
    ("clean_links_flagged", ("abs", 0.002)),
    ("clean_text_removed_share", ("abs", 0.002)),
    ("clean_with_hard_negative.false_alarm_rate", ("abs", 0.01)),
    ("known_spam_found", ("abs", 0.0)),
    ("accuracy.obfuscation.", ("abs", 0.03)),
    ("accuracy.", ("abs", 0.02)),
    ("speed.", ("rel", 0.3)),
    ("memory.", ("rel", 0.3)),
    ("batch.", ("rel", 0.3)),
)


def margin_of(metric: str) -> tuple[str, float]:
    for key, margin in MARGINS:
        if key in metric:
            return margin
    return ("abs", 0.02)


def get_path(data: Any, dotted: str) -> Any:
    """``data["a"]["b"]["c"]`` for ``"a.b.c"``; ``None`` when any step is missing."""
    for key in dotted.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def limit(metric: str, bound: float, kind: str) -> float:
    """The value a metric may reach before it fails: bound -/+ its margin."""
    how, size = margin_of(metric)
    sign = -1.0 if kind == "floor" else 1.0
    if how == "rel":
        return bound * (1.0 + sign * size)
    return bound + sign * size


def check(results: dict[str, Any], baseline: dict[str, Any], profile: str) -> dict[str, Any]:
    """Compare a run with the floors of ``profile``; returns ``{"passed", "checks", "problems"}``."""
    prof = baseline.get("profiles", {}).get(profile, {})
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
            lim = limit(metric, bound, kind)
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
    results: dict[str, Any],
    baseline: dict[str, Any],
    profile: str,
    *,
    allow_regression: bool = False,
    only: Collection[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """New baseline with this run's values as floors/ceilings; also the list of loosened bounds.

    A bound is loosened when the new floor is lower (or the new ceiling higher) than the old
    one, or when the corpus changed.  Without ``allow_regression`` the caller must refuse.
    ``only``: set these bounds alone and keep every other as it is, so that a reason given for
    some bounds (the held-back set grew) is not recorded against others that moved with the
    machine's noise in the same run.
    """
    if only is not None:
        unknown = sorted(set(only) - set(FLOOR_METRICS) - set(CEILING_METRICS))
        if unknown:
            raise ValueError(f"not a bounded metric: {', '.join(unknown)}")
    new = json.loads(json.dumps(baseline)) if baseline else {}
    new["schema"] = 2
    new.pop("epsilon", None)  # margins live in gate.MARGINS, per metric
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
        for metric in sorted(set(table) - set(metrics)):
            # A bound on a metric the suite no longer measures (renamed or withdrawn) would fail
            # every run as "not measured"; dropping it is a loosening like any other.
            loosened.append(f"{metric}: {table.pop(metric):.4g} -> retired (no longer measured)")
        for metric in metrics:
            if metric in FULL_ONLY and profile != "full":
                continue
            if only is not None and metric not in only and metric in table:
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
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


def save_baseline(data: dict[str, Any], path: Path = BASELINE_PATH) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")
    tmp.replace(path)


def record_lowered(
    loosened: list[str], profile: str, reason: str, results: dict[str, Any], path: Path = CHANGES_PATH
) -> None:
    """Append every lowered bound, by how much and why, to the floor-change log (kept in the repo)."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    commit = (results.get("git") or {}).get("commit") or ""
    why = " ".join(reason.split()).replace("|", "/")
    rows = [f"| {when} | {profile} | {line.replace('|', '/')} | {why} | {commit[:10]} |" for line in loosened]
    text = path.read_text("utf-8") if path.is_file() else ""
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(rows) + "\n", "utf-8")
