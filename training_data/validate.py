"""Validation figures of a model: ``python -m training_data.validate [--model FILE]``.

Model variants, features and thresholds are chosen on these figures only: the validation split
(its real-payload pages, recombined link runs apart, its clean pages and real about-the-topic
pages), the same pages re-rendered with each obfuscation trick, and the validation host pages as
they are.  The test split, the held-back payloads and the carved-out corpus pages are read once,
by ``train`` for the model card and by the benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.accuracy import aggregate, link_counts, link_metrics, page_counts, predict_linkguard, summarise
from training_data.dataset import (
    DEFAULT_CORPUS,
    build_page_split,
    build_single_link_pages,
    build_split,
    extra_fold_groups,
    host_pages,
    host_role,
    read_host,
)
from training_data.obfuscate import TRICKS, obfuscated_page


def _counts(
    pages: list[Any],
    model: Any,
    labels: list[str] | None = None,
    links: list[dict[str, int]] | None = None,
    scores: list[float] | None = None,
) -> list[dict[str, int]]:
    out = []
    for lp in pages:
        pred, rep = predict_linkguard(lp.page, lp.url, lp.mode, need_strip=not lp.is_spam, model=model)
        out.append(page_counts(lp, pred))
        if labels is not None:
            labels.append(rep.page_label)
        if links is not None:
            links.append(link_counts(lp, rep))
        if scores is not None:
            scores.append(max((seg.score for seg in rep.segments), default=0.0))
    return out


RANKING_FA = 0.01
"""The share of clean pages the ranking figure's cut lets through."""


def ranking(pages: list[Any], scores: list[float], fa: float = RANKING_FA) -> dict[str, Any]:
    """How well the segment model orders pages, with no threshold of its own.

    Each page scores its highest segment probability; on the real-payload pages and the clean
    pages (recombined link runs left out, as in the page figures), ``average_precision`` is the
    area under the precision-recall curve of injected against clean pages, and
    ``recall_at_fa`` the share of injected pages scoring above the cut that only ``fa`` of the
    clean pages pass.  A chosen threshold moves the page figures a lot between retrains that
    differ by nothing that matters (see README, "How far the rule's figures move on their
    own"); these two figures move only with the scores."""
    from sklearn.metrics import average_precision_score

    rows = [(lp.is_spam, s) for lp, s in zip(pages, scores, strict=True) if getattr(lp, "kind", "") != "composite"]
    spam = [s for is_spam, s in rows if is_spam]
    clean = sorted((s for is_spam, s in rows if not is_spam), reverse=True)
    if not spam or not clean:
        return {"spam_pages": len(spam), "clean_pages": len(clean), "average_precision": None, "found": 0}
    allowed = int(fa * len(clean))
    cut = clean[allowed] if allowed < len(clean) else -1.0
    found = sum(s > cut for s in spam)
    ap = average_precision_score([is_spam for is_spam, _ in rows], [s for _, s in rows])
    return {
        "spam_pages": len(spam),
        "clean_pages": len(clean),
        "fa": fa,
        "average_precision": round(float(ap), 4),
        "found": found,
        "recall_at_fa": round(found / len(spam), 4),
    }


def page_verdict_figures(pages: list[Any], labels: list[str]) -> dict[str, Any]:
    """How page labels fall per kind of labelled page: spam pages found, other pages mislabelled."""
    out: dict[str, Any] = {}
    for kind in sorted({getattr(lp, "kind", "clean") for lp in pages}):
        for mode in ("html", "text"):
            rows = [lab for lp, lab in zip(pages, labels, strict=True) if lp.kind == kind and lp.mode == mode]
            if not rows:
                continue
            out[f"{kind}/{mode}"] = {
                "pages": len(rows),
                "spam_page": rows.count("spam_page"),
                "injected": rows.count("injected"),
                "clean": rows.count("clean"),
            }
    return out


def _by_origin(pages: list[Any], counts: list[dict[str, int]]) -> dict[str, Any]:
    """With fold-only extra data (``dataset.EXTRA_FOLDS_ENV`` / ``EXTRA_VAL_ENV``), the figures
    of the real-payload pages its source groups were injected into (``extra_pages``: what training
    on its other groups buys; ``extra_pages_by_family``: pages found and pages, by family) and of
    every other page (``standing_pages``: what it costs them)."""
    groups = extra_fold_groups()
    if not groups:
        return {}
    new: list[dict[str, int]] = []
    rest: list[dict[str, int]] = []
    by_family: dict[str, list[int]] = {}
    for lp, c in zip(pages, counts, strict=True):
        if lp.kind == "composite":
            continue
        if lp.is_spam and lp.payload_group in groups:
            new.append(c)
            tally = by_family.setdefault(lp.family, [0, 0])
            tally[0] += c["tp"]
            tally[1] += 1
        else:
            rest.append(c)
    out: dict[str, Any] = {"extra_pages_by_family": dict(sorted(by_family.items()))}
    for key, part in (("extra_pages", new), ("standing_pages", rest)):
        agg = aggregate(part)
        out[key] = {
            "pages": len(part),
            "page": agg["page"],
            "segment": dict(agg["segment"]),
            "spam_link_recall": agg["spam_link_recall"],
        }
    return out


def _spam_pages_by_origin(pages: list[Any], labels: list[str]) -> dict[str, Any]:
    """With fold-only extra spam pages, the real spam pages of their source groups labelled
    ``spam_page`` (``extra_spam_pages``: found, pages) and those of every other group
    (``standing_spam_pages``)."""
    groups = extra_fold_groups("spampage")
    if not groups:
        return {}
    real = [(lp, lab) for lp, lab in zip(pages, labels, strict=True) if lp.kind == "spam_page_real"]
    new = [lab for lp, lab in real if lp.payload_group in groups]
    rest = [lab for lp, lab in real if lp.payload_group not in groups]
    return {
        "extra_spam_pages": [new.count("spam_page"), len(new)],
        "standing_spam_pages": [rest.count("spam_page"), len(rest)],
    }


def validate(model: Any = None, corpus: Path = DEFAULT_CORPUS, *, tricks: bool = True) -> dict[str, Any]:
    """The validation figures (see the module docstring) for ``model`` (default: the bundled one)."""
    import linkguard

    pages = build_split("val", corpus)
    labels: list[str] = []
    links: list[dict[str, int]] = []
    scores: list[float] = []
    counts = _counts(pages, model, labels, links, scores)
    s = summarise(pages, counts)
    real = s["real"]
    about = [c for lp, c in zip(pages, counts, strict=True) if getattr(lp, "neg_real", False)]
    out: dict[str, Any] = {
        "pages": len(pages),
        "page": real["page"],
        "segment": dict(real["segment"]),
        "spam_link_recall": real["spam_link_recall"],
        "clean_link_false_flag_rate": real["clean_link_false_flag_rate"],
        "clean_text_removed": real["clean_text_removed_share"],
        "by_mode": {m: v["page"] for m, v in s["by_mode"].items()},
        "composite_recall": (s["composite"] or {}).get("page", {}).get("recall"),
        "clean_with_hard_negative": s["clean_with_hard_negative"],
        "about_topic": {"pages": len(about), "false_alarm_pages": sum(c["fp"] for c in about)},
        "ranking": ranking(pages, scores),
    }
    out.update(_by_origin(pages, counts))
    if tricks:
        base = [lp for lp in pages if lp.is_spam and lp.kind == "real"]
        out["obfuscation"] = {}
        for trick in TRICKS:
            variant = [p for p in (obfuscated_page(lp, trick) for lp in base) if p is not None]
            out["obfuscation"][trick] = aggregate(_counts(variant, model))["page"]["recall"]
    out["links"] = link_metrics(c for lp, c in zip(pages, links, strict=True) if lp.kind != "composite")
    single = build_single_link_pages("val", corpus)
    single_links: list[dict[str, int]] = []
    _counts(single, model, None, single_links)
    out["single_links"] = {
        "pages": len(single),
        "found": sum(c["flagged_planted"] > 0 for c in single_links),
        "no_other_flagged": sum(c["flagged"] == c["flagged_planted"] for c in single_links),
    }
    extra = build_page_split("val", corpus)
    extra_labels: list[str] = [linkguard.scan(lp.page, lp.url, mode=lp.mode, model=model).page_label for lp in extra]
    out["page_verdicts"] = page_verdict_figures(pages + extra, labels + extra_labels)
    out.update(_spam_pages_by_origin(pages + extra, labels + extra_labels))
    negs = [(lp, lab) for lp, lab in zip(pages + extra, labels + extra_labels, strict=True) if not lp.is_spam]
    about_labels = [lab for lp, lab in negs if getattr(lp, "neg_real", False)]
    comment_labels = [lab for lp, lab in negs if lp.kind == "comment_link"]
    other_labels = [lab for lp, lab in negs if not getattr(lp, "neg_real", False) and lp.kind != "comment_link"]
    out["not_clean"] = {
        "about_topic": f"{sum(lab != 'clean' for lab in about_labels)}/{len(about_labels)}",
        "other_clean": f"{sum(lab != 'clean' for lab in other_labels)}/{len(other_labels)}",
        "comment_link": f"{sum(lab != 'clean' for lab in comment_labels)}/{len(comment_labels)}",
    }
    hosts = [r for r in host_pages(corpus) if host_role(r["path"]) == "val"]
    reports = linkguard.scan_many(((read_host(corpus, r), r.get("url")) for r in hosts), model=model)
    flagged, spam_pages = [], []
    for r, rep in zip(hosts, reports, strict=True):
        if rep.is_spam:
            flagged.append(r["path"])
        if rep.page_label == "spam_page":
            spam_pages.append(r["path"])
    out["val_hosts"] = {"pages": len(hosts), "flagged": flagged, "spam_page": spam_pages}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", type=Path, help="a model file (default: the bundled model)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--no-tricks", action="store_true", help="skip the obfuscation variants")
    args = ap.parse_args(argv)
    model = None
    if args.model:
        from linkguard import load_model

        model = load_model(args.model)
    json.dump(validate(model, args.corpus, tricks=not args.no_tricks), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
