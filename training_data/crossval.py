"""Cross-validated selection figures of a training recipe, by source group.

    python -m training_data.crossval [--folds 0,1,2,3,4] [--jobs 2] [--out FILE] -- [train options]

The validation split alone is small: a few dozen payload source groups, a handful per family,
so two recipes that differ by a few pages on it cannot be told apart.  Here the train and
validation groups are pooled and cut into :data:`~training_data.dataset.CV_FOLDS` parts by hash
of the group (payload source, host page, spam page source, excerpt site); each fold in turn is
the validation side and ``python -m training_data.train --select`` runs on the rest, with the
given options.  The figures of the folds are summed where they are counts and averaged where
they are rates.

Nothing here reads the test split, the held-back payloads or the carved-out corpus pages: they
stay for the card.  Each fold trains a whole model (about two and a half minutes on one core);
``--jobs`` runs folds side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from training_data.dataset import (
    CV_FOLDS,
    DEFAULT_CORPUS,
    EXTRA_FOLDS_ENV,
    EXTRA_TRAIN_ENV,
    EXTRA_VAL_ENV,
    VAL_FOLD_ENV,
    check_extra_data,
    data_digest,
    extra_data_record,
)

_FRACTIONS = {
    "about_topic": "about-the-topic pages not clean",
    "other_clean": "other clean pages not clean",
    "comment_link": "readers' comment pages not clean",
}
NOT_CLEAN = tuple(f"{key}_not_clean" for key in _FRACTIONS)
"""The pooled counts of clean pages that were not labelled clean, one per kind of clean page."""


class DataChangedError(RuntimeError):
    """The training data changed while folds ran: their figures are of two different data sets."""


def check_data(before: str, corpus: Path = DEFAULT_CORPUS) -> None:
    """Raise :class:`DataChangedError` unless the data digest is still ``before``.

    A fold reads the data twice, when it trains and again when it builds its validation pages
    at the end, so a file added under ``training_data/`` while a run is active can reach one
    fold's figures and not another's, or only the validation half of one fold."""
    after = data_digest(corpus)
    if after != before:
        raise DataChangedError(
            f"the training data changed while the folds ran (digest {before[:12]} -> {after[:12]}): "
            "their figures are not of one data set; run again with the data left alone"
        )


def run_fold(fold: int, train_args: Sequence[str], workdir: Path, digest: str | None = None) -> dict[str, Any]:
    """``train --select`` with fold ``fold`` as the validation side: its threshold and figures.

    ``digest``: the data digest when the run began, checked again when the fold has ended."""
    out = workdir / f"fold{fold}.json"
    env = {**os.environ, VAL_FOLD_ENV: str(fold), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    cmd = [sys.executable, "-m", "training_data.train", "--select", "--out", str(out), *train_args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"fold {fold}: train failed ({done.returncode}):\n{done.stderr[-2000:]}")
    if digest is not None:
        check_data(digest)
    got: dict[str, Any] = json.loads(done.stdout[done.stdout.index("{") :])
    got["fold"] = fold
    got["log"] = [ln for ln in done.stderr.splitlines() if "threshold" in ln or "flagged" in ln]
    return got


def _fraction(text: str) -> tuple[int, int]:
    hits, _, pages = text.partition("/")
    return int(hits), int(pages)


def _real_spam_pages(val: dict[str, Any]) -> tuple[int, int]:
    """Real spam pages labelled ``spam_page``, and all of them, in one fold's figures (HTML and text)."""
    real = [val["page_verdicts"].get(f"spam_page_real/{m}", {}) for m in ("html", "text")]
    return sum(x.get("spam_page", 0) for x in real), sum(x.get("pages", 0) for x in real)


def _div(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _f1(p: float | None, r: float | None) -> float | None:
    return _div(2 * p * r, p + r) if p and r else None


def _page_segment(vals: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Page and segment figures of several folds' counts (``page`` and ``segment`` of each)."""
    tp, fp, fn = (sum(v["page"][k] for v in vals) for k in ("tp", "fp", "fn"))
    p, r = _div(tp, tp + fp), _div(tp, tp + fn)
    seg = {k: sum(v["segment"][k] for v in vals) for k in ("predicted", "true_positive", "gold", "found")}
    sp, sr = _div(seg["true_positive"], seg["predicted"]), _div(seg["found"], seg["gold"])
    return {
        "page": {"precision": p, "recall": r, "f1": _f1(p, r), "tp": tp, "fp": fp, "fn": fn},
        "segment": {"precision": sp, "recall": sr, "f1": _f1(sp, sr), **seg},
    }


def pooled(folds: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The figures of all folds together: counts summed, rates averaged over folds."""
    vals = [f["val"] for f in folds]
    out: dict[str, Any] = {
        "folds": len(folds),
        **_page_segment(vals),
        "spam_link_recall_mean": _div(sum(v["spam_link_recall"] or 0.0 for v in vals), len(vals)),
        "worst_disguise_mean": _div(sum(min(v.get("obfuscation", {}).values(), default=0.0) for v in vals), len(vals)),
        "hard_negative_pages_flagged": [
            sum(v["clean_with_hard_negative"]["false_alarm_pages"] for v in vals),
            sum(v["clean_with_hard_negative"]["pages"] for v in vals),
        ],
    }
    for key in _FRACTIONS:
        pairs = [_fraction(v["not_clean"][key]) for v in vals]
        out[f"{key}_not_clean"] = [sum(a for a, _ in pairs), sum(b for _, b in pairs)]
    real = [_real_spam_pages(v) for v in vals]
    out["real_spam_pages_as_spam_page"] = [sum(a for a, _ in real), sum(b for _, b in real)]
    for key in ("extra_pages", "standing_pages"):
        # Fold-only extra data (--extra-folds / --extra-val): its pages apart from the others.
        if all(key in v for v in vals):
            out[key] = {"pages": sum(v[key]["pages"] for v in vals), **_page_segment([v[key] for v in vals])}
    for key in ("extra_spam_pages", "standing_spam_pages"):
        if all(key in v for v in vals):
            out[key] = [sum(v[key][0] for v in vals), sum(v[key][1] for v in vals)]
    if all("extra_pages_by_family" in v for v in vals):
        families: dict[str, list[int]] = {}
        for v in vals:
            for family, (found, pages) in v["extra_pages_by_family"].items():
                tally = families.setdefault(family, [0, 0])
                tally[0] += found
                tally[1] += pages
        out["extra_pages_by_family"] = dict(sorted(families.items()))
    ranks = [v["ranking"] for v in vals if v.get("ranking", {}).get("average_precision") is not None]
    if len(ranks) == len(vals):
        # Threshold-free figures (validate.ranking): pages found at each fold's own 1 % cut, summed;
        # average precision averaged over folds (its scores are not comparable across fold models).
        out["ranking_recall_at_fa"] = [sum(r["found"] for r in ranks), sum(r["spam_pages"] for r in ranks)]
        out["ranking_average_precision_mean"] = _div(sum(r["average_precision"] for r in ranks), len(ranks))
    return out


def markdown(folds: Sequence[dict[str, Any]], total: dict[str, Any]) -> str:
    """One row per fold and the pooled row."""
    head = (
        "| fold | thresholds | page P / R / F1 | segment F1 | spam-link recall "
        "| about / other clean / comment not clean | hard-negative pages flagged | real spam pages → `spam_page` |"
    )
    lines = [head, "|" + "---|" * 8]
    for f in folds:
        v = f["val"]
        real_hits, real_pages = _real_spam_pages(v)
        nc = v["not_clean"]
        lines.append(
            f"| {f['fold']} | {f['threshold']} | {v['page']['precision']} / {v['page']['recall']} / {v['page']['f1']} "
            f"| {v['segment']['f1']} | {v['spam_link_recall']} | {nc['about_topic']}, {nc['other_clean']}, "
            f"{nc['comment_link']} | {v['clean_with_hard_negative']['false_alarm_pages']}/"
            f"{v['clean_with_hard_negative']['pages']} | {real_hits}/{real_pages} |"
        )
    pg = total["page"]
    nc3 = [total[f"{k}_not_clean"] for k in _FRACTIONS]
    lines.append(
        f"| all | – | {pg['precision']} / {pg['recall']} / {pg['f1']} | {total['segment']['f1']} "
        f"| {total['spam_link_recall_mean']} (mean) | {', '.join(f'{a}/{b}' for a, b in nc3)} "
        f"| {total['hard_negative_pages_flagged'][0]}/{total['hard_negative_pages_flagged'][1]} "
        f"| {total['real_spam_pages_as_spam_page'][0]}/{total['real_spam_pages_as_spam_page'][1]} |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", default=",".join(str(k) for k in range(CV_FOLDS)), help="folds to run (default all)")
    ap.add_argument("--jobs", type=int, default=1, help="folds run side by side (each uses one core)")
    ap.add_argument("--out", type=Path, help="write every fold's figures and the pooled ones here (JSON)")
    ap.add_argument(
        "--extra-train",
        default="",
        metavar="DIR[,DIR]",
        help="folders under training_data/ whose payloads and real excerpts join the training side of every fold "
        "only (the validation pages stay those of a run without them): a data change judged the way a recipe is",
    )
    ap.add_argument(
        "--extra-folds",
        default="",
        metavar="DIR[,DIR]",
        help="folders whose payloads and real excerpts join the folds by split unit: validation in their own fold, "
        "training in the others; their validation pages get figures of their own (compare with --extra-val)",
    )
    ap.add_argument(
        "--extra-val",
        default="",
        metavar="DIR[,DIR]",
        help="the same records on the validation side of their own fold only, never trained on: "
        "the base of an --extra-folds run (the same validation pages)",
    )
    ap.add_argument("train_args", nargs=argparse.REMAINDER, help="options for training_data.train, after --")
    args = ap.parse_args(argv)
    train_args = [a for a in args.train_args if a != "--"]
    if any(a in ("--out", "--page-only") or a.startswith("--out=") for a in train_args):
        ap.error("--out and --page-only are set per fold; give train options that describe the recipe only")
    try:
        folds = sorted({int(k) for k in args.folds.split(",") if k.strip()})
    except ValueError:
        ap.error("--folds takes fold numbers separated by commas")
    if not folds or any(not 0 <= k < CV_FOLDS for k in folds):
        ap.error(f"folds are numbers from 0 to {CV_FOLDS - 1}")
    for env, value in (
        (EXTRA_TRAIN_ENV, args.extra_train),
        (EXTRA_FOLDS_ENV, args.extra_folds),
        (EXTRA_VAL_ENV, args.extra_val),
    ):
        if value:
            os.environ[env] = value  # the folds inherit it
    try:
        extra = extra_data_record()
        check_extra_data(fold_required=False)
    except ValueError as exc:
        ap.error(str(exc))
    digest = data_digest(DEFAULT_CORPUS)
    try:
        with tempfile.TemporaryDirectory(prefix="linkguard-cv-") as tmp, ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(lambda k: run_fold(k, train_args, Path(tmp), digest), folds))
    except DataChangedError as exc:
        print(f"crossval: {exc}", file=sys.stderr)
        return 2
    total = pooled(results)
    print(markdown(results, total))
    if args.out:
        record = {"train_args": train_args, "data_sha256": digest, "folds": results, "pooled": total}
        record.update(extra)
        args.out.write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
