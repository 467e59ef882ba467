"""The cross-validation rule, read against its own noise: ``python -m training_data.compare``.

A recipe's figures move when nothing that matters changes: a 1 % change of one sample weight
gives other trees and other thresholds (see README, "How far the rule's figures move on their
own").  So each recipe is run two or more times, as it is and with null perturbations, and a
difference between two recipes counts only where it is larger than the spread of the runs of
either (the highest minus the lowest).

    python -m training_data.compare BASE.json BASE_NULL.json CANDIDATE.json CANDIDATE_NULL.json
    python -m training_data.compare --base B1.json B2.json B3.json --candidate C1.json C2.json C3.json

reads the ``training_data.crossval`` result files and prints each figure's means, the noise and
the verdict: *kept* when the candidate's mean on the primary figure beats the default's by more
than the noise of that figure and no other figure is worse by more than its own noise.  The
primary figure is page F1 unless the change is named for another before its runs
(``--primary``): a change to the page verdict alone leaves every injected-page figure as it was,
so it is judged on the real spam pages it labels ``spam_page``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training_data.crossval import NOT_CLEAN


def _count(value: Any) -> int:
    """The count of a pooled ``[count, total]`` figure."""
    return int(value[0])


@dataclass(frozen=True)
class Figure:
    name: str
    read: Callable[[Mapping[str, Any]], float]
    higher_is_better: bool
    key: str = ""
    """A pooled key that older result files lack: the figure is read only when every run has it."""


FIGURES: tuple[Figure, ...] = (
    Figure("page F1", lambda p: float(p["page"]["f1"]), True),
    Figure("segment F1", lambda p: float(p["segment"]["f1"]), True),
    Figure(
        "clean pages not clean",
        lambda p: float(sum(_count(p[k]) for k in NOT_CLEAN)),
        False,
    ),
    Figure("hard-negative pages flagged", lambda p: float(_count(p["hard_negative_pages_flagged"])), False),
    Figure("real spam pages as spam_page", lambda p: float(_count(p["real_spam_pages_as_spam_page"])), True),
    Figure("worst disguise (mean)", lambda p: float(p["worst_disguise_mean"]), True),
    Figure(
        "page recall at 1 % false alarms (ranking)",
        lambda p: float(p["ranking_recall_at_fa"][0]) / max(float(p["ranking_recall_at_fa"][1]), 1.0),
        True,
        "ranking_recall_at_fa",
    ),
    Figure(
        "page average precision (ranking)",
        lambda p: float(p["ranking_average_precision_mean"]),
        True,
        "ranking_average_precision_mean",
    ),
    Figure("new groups: page recall", lambda p: float(p["extra_pages"]["page"]["recall"]), True, "extra_pages"),
    Figure("new groups: segment F1", lambda p: float(p["extra_pages"]["segment"]["f1"]), True, "extra_pages"),
    Figure("other pages: page F1", lambda p: float(p["standing_pages"]["page"]["f1"]), True, "standing_pages"),
    Figure("other pages: segment F1", lambda p: float(p["standing_pages"]["segment"]["f1"]), True, "standing_pages"),
    Figure(
        "new spam pages as spam_page",
        lambda p: float(p["extra_spam_pages"][0]) / max(float(p["extra_spam_pages"][1]), 1.0),
        True,
        "extra_spam_pages",
    ),
    Figure(
        "other real spam pages as spam_page",
        lambda p: float(_count(p["standing_spam_pages"])),
        True,
        "standing_spam_pages",
    ),
)
"""Every figure the rule reads; page F1 is the primary one unless another is named.  The two
ranking figures (``training_data.validate.ranking``) use no chosen threshold; runs made before
they were recorded are compared without them.  The last six are there only in runs with fold-only
extra data (``crossval --extra-folds`` against ``--extra-val``): the new source groups' injected
pages and every other page, and, when the folders hold spam pages, the new groups' real spam pages
and every other real spam page."""


@dataclass(frozen=True)
class Row:
    name: str
    base: tuple[float, ...]
    candidate: tuple[float, ...]
    noise: float
    gain: float
    """Candidate mean minus default mean, signed so that positive is better."""
    ok: bool


def compare(
    base: Sequence[Mapping[str, Any]], candidate: Sequence[Mapping[str, Any]], primary: str = "page F1"
) -> tuple[bool, list[Row]]:
    """The verdict and one row per figure, from the pooled results of each recipe's runs."""
    if len(base) < 2 or len(candidate) < 2:
        raise ValueError("each recipe needs two runs or more: as it is and its null perturbations")
    if primary not in {f.name for f in FIGURES}:
        raise ValueError(f"unknown primary figure {primary!r}; one of {[f.name for f in FIGURES]}")
    rows: list[Row] = []
    for fig in FIGURES:
        if fig.key and not all(fig.key in run for run in (*base, *candidate)):
            if fig.name == primary:
                raise ValueError(f"primary figure {primary!r} is missing from some runs")
            continue
        b = tuple(fig.read(run) for run in base)
        c = tuple(fig.read(run) for run in candidate)
        noise = max(max(b) - min(b), max(c) - min(c))
        sign = 1.0 if fig.higher_is_better else -1.0
        gain = sign * (sum(c) / len(c) - sum(b) / len(b))
        ok = gain > noise if fig.name == primary else gain >= -noise
        rows.append(Row(fig.name, b, c, noise, gain, ok))
    return all(r.ok for r in rows), rows


def _pooled(path: Path) -> Mapping[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    pooled = data.get("pooled") if isinstance(data, dict) else None
    if not isinstance(pooled, dict):
        raise SystemExit(f"{path}: not a training_data.crossval result (no 'pooled' figures)")
    return pooled


def _fmt(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.4f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument(
        "runs", type=Path, nargs="*", help="four files: the default, its null run, the candidate, its null run"
    )
    ap.add_argument("--base", type=Path, nargs="+", default=[], help="the default recipe's runs")
    ap.add_argument("--candidate", type=Path, nargs="+", default=[], help="the candidate recipe's runs")
    ap.add_argument(
        "--primary",
        default="page F1",
        choices=[f.name for f in FIGURES],
        help="the figure the change must improve beyond the noise (named before the runs)",
    )
    args = ap.parse_args(argv)
    if args.runs and (args.base or args.candidate):
        ap.error("give four files, or --base and --candidate, not both")
    if args.runs and len(args.runs) != 4:
        ap.error("four files: the default, its null run, the candidate, its null run")
    base_files, cand_files = (args.runs[:2], args.runs[2:]) if args.runs else (args.base, args.candidate)
    if len(base_files) < 2 or len(cand_files) < 2:
        ap.error("each recipe needs two runs or more")
    kept, rows = compare([_pooled(f) for f in base_files], [_pooled(f) for f in cand_files], args.primary)
    print(f"primary figure: {args.primary}")
    print(
        f"| figure | default ({len(base_files)} runs) | candidate ({len(cand_files)} runs) | noise | gain "
        "| within the rule |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        b = " / ".join(_fmt(x) for x in r.base)
        c = " / ".join(_fmt(x) for x in r.candidate)
        print(f"| {r.name} | {b} | {c} | {_fmt(r.noise)} | {r.gain:+.4f} | {'yes' if r.ok else 'no'} |")
    print("verdict:", "kept" if kept else "not kept")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
