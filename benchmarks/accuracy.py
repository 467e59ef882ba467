"""Accuracy of linkguard and the baselines on labelled pages, and false alarms on the corpus.

Labelled pages come from the training pipeline:
``training_data.dataset.build_split(split, corpus_dir) -> list[LabelledPage]`` with fields
``page, url, mode, is_spam, spam_links, spam_texts, family, hiding, position, lang, ...``.

Every tool is turned into a :class:`Prediction` (a page verdict plus predicted segments with
text and, when the tool knows them, links); the metric functions below only see those, so
they are tested on hand-built objects.

Matching rules:

* a predicted spam segment is a true positive when its whitespace-normalised text is non-empty
  and contained in one of the page's ``spam_texts``, or it shares a link with ``spam_links``;
* a ``spam_text`` is found when some predicted spam segment's text contains it or is contained
  in it (non-empty, normalised), or when that segment carries one of the page's spam links and
  the spam text is empty;
* links are compared stripped and without a trailing ``/``.
"""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

GROUP_FIELDS = ("family", "hiding", "position", "lang", "mode")


@dataclass(slots=True)
class PredSegment:
    text: str
    links: tuple[str, ...] | None
    """``None`` when the tool does not report links (jusText)."""
    is_spam: bool


@dataclass(slots=True)
class Prediction:
    is_spam: bool
    segments: list[PredSegment] = field(default_factory=list)
    clean_chars: int = 0
    """Visible text characters of the page before stripping (negative pages)."""
    removed_chars: int = 0
    """... and how many of them stripping removed."""
    links_known: bool = True
    """``False`` for tools that do not report links (jusText), even on a page they return nothing for."""


def norm_text(text: str) -> str:
    return " ".join(text.split()).lower()


def norm_link(link: str) -> str:
    return link.strip().rstrip("/")


def _div(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def page_counts(lp: Any, pred: Prediction) -> dict[str, int]:
    """The raw counts of one labelled page under one tool's prediction."""
    gold_texts = [t for t in (norm_text(s) for s in lp.spam_texts) if t]
    gold_links = {norm_link(h) for h in lp.spam_links if h.strip()}
    c = {
        "pages": 1,
        "tp": int(lp.is_spam and pred.is_spam),
        "fp": int(not lp.is_spam and pred.is_spam),
        "fn": int(lp.is_spam and not pred.is_spam),
        "tn": int(not lp.is_spam and not pred.is_spam),
        "seg_pred": 0,
        "seg_tp": 0,
        "gold_texts": len(gold_texts),
        "gold_texts_found": 0,
        "links_known": 0,
        "spam_links": len(gold_links),
        "spam_links_found": 0,
        "clean_links": 0,
        "clean_links_flagged": 0,
        "clean_chars": 0,
        "removed_chars": 0,
    }
    found_texts: set[int] = set()
    flagged_links: set[str] = set()
    all_links: set[str] = set()
    links_known = pred.links_known and all(s.links is not None for s in pred.segments)
    for seg in pred.segments:
        links = {norm_link(h) for h in seg.links or ()}
        all_links |= links
        if not seg.is_spam:
            continue
        flagged_links |= links
        t = norm_text(seg.text)
        c["seg_pred"] += 1
        if (t and any(t in g for g in gold_texts)) or (links & gold_links):
            c["seg_tp"] += 1
        if t:
            for i, g in enumerate(gold_texts):
                if t in g or g in t:
                    found_texts.add(i)
    c["gold_texts_found"] = len(found_texts)
    if links_known:
        c["links_known"] = 1
        c["spam_links_found"] = len(gold_links & flagged_links)
        clean = all_links - gold_links
        c["clean_links"] = len(clean)
        c["clean_links_flagged"] = len(clean & flagged_links)
    if not lp.is_spam:
        c["clean_chars"] = pred.clean_chars
        c["removed_chars"] = min(pred.removed_chars, pred.clean_chars)
    return c


def aggregate(counts: Iterable[dict[str, int]]) -> dict[str, Any]:
    """Metrics from summed page counts."""
    tot: dict[str, int] = defaultdict(int)
    for c in counts:
        for k, v in c.items():
            tot[k] += v
    p = _div(tot["tp"], tot["tp"] + tot["fp"])
    r = _div(tot["tp"], tot["tp"] + tot["fn"])
    sp = _div(tot["seg_tp"], tot["seg_pred"])
    sr = _div(tot["gold_texts_found"], tot["gold_texts"])
    links_known = tot["links_known"] > 0
    return {
        "n_pages": tot["pages"],
        "n_spam_pages": tot["tp"] + tot["fn"],
        "page": {
            "precision": p,
            "recall": r,
            "f1": _f1(p, r),
            "tp": tot["tp"],
            "fp": tot["fp"],
            "fn": tot["fn"],
            "tn": tot["tn"],
        },
        "segment": {
            "precision": sp,
            "recall": sr,
            "f1": _f1(sp, sr),
            "predicted": tot["seg_pred"],
            "true_positive": tot["seg_tp"],
            "gold": tot["gold_texts"],
            "found": tot["gold_texts_found"],
        },
        "spam_link_recall": _div(tot["spam_links_found"], tot["spam_links"]) if links_known else None,
        "clean_link_false_flag_rate": (_div(tot["clean_links_flagged"], tot["clean_links"]) if links_known else None),
        "clean_text_removed_share": _div(tot["removed_chars"], tot["clean_chars"]),
    }


def grouped(
    pages: Sequence[Any], counts: Sequence[dict[str, int]], fields: Sequence[str] = GROUP_FIELDS
) -> dict[str, dict[str, Any]]:
    """Metrics per value of each grouping field (``None`` values are grouped as ``"none"``)."""
    out: dict[str, dict[str, Any]] = {}
    for f in fields:
        buckets: dict[str, list[dict[str, int]]] = defaultdict(list)
        for lp, c in zip(pages, counts, strict=True):
            buckets[str(getattr(lp, f, None) or "none")].append(c)
        out[f] = {k: aggregate(v) for k, v in sorted(buckets.items())}
    return out


def worst_groups(groups: dict[str, dict[str, Any]], *, min_pages: int = 5, n: int = 10) -> list[dict[str, Any]]:
    """Groups with the lowest score: spam groups by segment recall then page recall, clean
    groups (no spam page) by page false-positive rate."""
    rows = []
    for f, by_value in groups.items():
        for value, m in by_value.items():
            if m["n_pages"] < min_pages:
                continue
            if m["n_spam_pages"]:
                score = (
                    min(x for x in (m["segment"]["recall"], m["page"]["recall"], m["segment"]["f1"]) if x is not None)
                    if m["page"]["recall"] is not None
                    else 0.0
                )
                kind = "spam"
            else:
                fp_rate = _div(m["page"]["fp"], m["n_pages"]) or 0.0
                score = 1.0 - fp_rate
                kind = "clean"
            rows.append(
                {
                    "field": f,
                    "value": value,
                    "kind": kind,
                    "score": round(score, 4),
                    "n_pages": m["n_pages"],
                    "page_recall": m["page"]["recall"],
                    "segment_recall": m["segment"]["recall"],
                    "segment_precision": m["segment"]["precision"],
                    "page_fp": m["page"]["fp"],
                }
            )
    rows.sort(key=lambda r: (r["score"], -r["n_pages"]))
    return rows[:n]


# --- tools as predictions --------------------------------------------------------------------


def _visible_len(html: str, mode: str) -> int:
    if mode == "text":
        return len(norm_text(html))
    from benchmarks.baselines import page_text

    return len(norm_text(page_text(html)))


def predict_linkguard(
    page: str, url: str | None, mode: str, *, need_strip: bool, model: Any = None
) -> tuple[Prediction, Any]:
    import linkguard

    scan_mode: Literal["auto", "html", "text"] = "html" if mode == "html" else "text" if mode == "text" else "auto"
    rep = linkguard.scan(page, url, mode=scan_mode, model=model)
    segs = [PredSegment(s.text, tuple(s.links), s.is_spam) for s in rep.segments]
    pred = Prediction(rep.is_spam, segs)
    if need_strip:
        before = _visible_len(page, rep.mode)
        if rep.page_label == "spam_page":
            after = 0  # a page judged to be spam itself keeps nothing (strip raises SpamPageError)
        else:
            after = _visible_len(rep.clean_html(), rep.mode) if rep.is_spam else before
        pred.clean_chars, pred.removed_chars = before, max(0, before - after)
    return pred, rep


def predict_keyword_regex(page: str, mode: str, report: Any) -> Prediction:
    """Page verdict: any hit in the page text; segments: linkguard's segments, spam if they hit."""
    from benchmarks.baselines import KEYWORD_PATTERN, page_text

    text = page if mode == "text" else page_text(page)
    segs = [PredSegment(s.text, tuple(s.links), bool(KEYWORD_PATTERN.search(s.text))) for s in report.segments]
    total = sum(len(norm_text(s.text)) for s in segs)
    removed = sum(len(norm_text(s.text)) for s in segs if s.is_spam)
    return Prediction(KEYWORD_PATTERN.search(text) is not None, segs, total, removed)


def predict_justext(page: str, lang: str | None) -> Prediction:
    """jusText paragraphs classified ``bad`` are spam; the page is spam if any is."""
    from benchmarks.baselines import justext_paragraphs

    try:
        paras = justext_paragraphs(page, None, lang)
    except Exception:
        paras = []
    segs = [PredSegment(p.text, None, p.class_type == "bad") for p in paras]
    total = sum(len(norm_text(s.text)) for s in segs)
    removed = sum(len(norm_text(s.text)) for s in segs if s.is_spam)
    return Prediction(any(s.is_spam for s in segs), segs, total, removed, links_known=False)


TOOLS = ("linkguard", "linkguard_previous", "keyword_regex", "justext")
# The model linkguard shipped before the current one (a JSON copy kept for this comparison).
PREVIOUS_MODEL = Path(__file__).resolve().parent / "models" / "linkguard-previous.json"


def _previous_model() -> Any:
    from linkguard import load_model

    return load_model(PREVIOUS_MODEL) if PREVIOUS_MODEL.is_file() else None


def load_labelled(split: str, root: Path) -> tuple[list[Any] | None, str | None]:
    """``build_split`` from the training pipeline (``split="unseen"``: ``build_unseen``), or ``(None, why not)``."""
    repo = str(Path(__file__).resolve().parents[1])
    if repo not in sys.path:
        sys.path.insert(0, repo)
    builder = (
        "build_unseen" if split == "unseen" else "build_page_split" if split.startswith("pages:") else "build_split"
    )
    try:
        from training_data import dataset
    except ImportError as exc:
        return None, (
            f"labelled data unavailable: cannot import training_data.dataset ({exc}); "
            "accuracy on labelled pages skipped"
        )
    try:
        if split == "unseen":
            pages = list(dataset.build_unseen(root))
        elif split.startswith("pages:"):
            pages = list(dataset.build_page_split(split.removeprefix("pages:"), root))
        elif split.startswith("single_links:"):
            pages = list(dataset.build_single_link_pages(split.removeprefix("single_links:"), root))
        else:
            pages = list(dataset.build_split(split, root))
    except Exception as exc:
        return None, f"labelled data unavailable: {builder}({split!r}) failed: {type(exc).__name__}: {exc}"
    if not pages:
        return None, f"labelled data unavailable: {builder}({split!r}) returned no pages"
    return pages, None


SPAM_LANGS = ("vi", "ja", "th", "zh", "ko", "tr", "pt", "id", "en")
"""Languages of the spam markets; each gets a row with real hard negatives in that language."""


def corpus_roles(root: Path) -> dict[str, str]:
    """Corpus path -> ``carved`` / ``train`` / ``val`` / ``test`` as the labelled data uses it."""
    repo = str(Path(__file__).resolve().parents[1])
    if repo not in sys.path:
        sys.path.insert(0, repo)
    try:
        from training_data.dataset import host_role
    except ImportError:
        return {}
    import json

    with (root / "manifest.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {r["path"]: host_role(r["path"]) for r in rows}


def _kind(lp: Any) -> str:
    return str(getattr(lp, "kind", "") or ("real" if lp.is_spam else "clean"))


def summarise(pages: Sequence[Any], counts: Sequence[dict[str, int]]) -> dict[str, Any]:
    """One tool's figures on a labelled split.

    ``real`` (the headline) counts clean pages and pages injected with a real payload;
    recombined link runs (``composite``) are reported apart, since they are generated material.
    """
    pairs = list(zip(pages, counts, strict=True))
    real = [(lp, c) for lp, c in pairs if _kind(lp) != "composite"]
    composite = [c for lp, c in pairs if _kind(lp) == "composite"]
    clean_neg = [c for lp, c in real if not lp.is_spam and bool(getattr(lp, "negative_category", ""))]
    modes = sorted({str(getattr(lp, "mode", "html")) for lp, _ in real})
    groups = grouped([lp for lp, _ in real], [c for _, c in real])
    return {
        "real": aggregate(c for _, c in real),
        "composite": aggregate(composite) if composite else None,
        "by_mode": {m: aggregate(c for lp, c in real if getattr(lp, "mode", "html") == m) for m in modes},
        "clean_with_hard_negative": {
            "pages": len(clean_neg),
            "false_alarm_pages": sum(c["fp"] for c in clean_neg),
            "false_alarm_rate": _div(sum(c["fp"] for c in clean_neg), len(clean_neg)),
        },
        "groups": groups,
        "worst_groups": worst_groups(groups),
    }


def languages(pages: Sequence[Any], counts: Sequence[dict[str, int]]) -> dict[str, Any]:
    """Per spam language: recall on real payloads in it, false alarms on pages about its topics.

    ``about_topic`` pages carry a real excerpt of legitimate text in that language (a raid on a
    gambling ring, a drug reference, a hacked-site warning); ``authored`` ones an authored look-alike.
    """
    out: dict[str, Any] = {}
    for lang in SPAM_LANGS:
        spam = [
            c for lp, c in zip(pages, counts, strict=True) if lp.is_spam and _kind(lp) == "real" and lp.lang == lang
        ]
        row: dict[str, Any] = {"spam": aggregate(spam) if spam else None}
        for name, real in (("about_topic", True), ("authored", False)):
            neg = [
                c
                for lp, c in zip(pages, counts, strict=True)
                if not lp.is_spam
                and getattr(lp, "neg_lang", "") == lang
                and bool(getattr(lp, "neg_real", False)) == real
            ]
            fp = sum(c["fp"] for c in neg)
            row[name] = {"pages": len(neg), "false_alarm_pages": fp, "false_alarm_rate": _div(fp, len(neg))}
        out[lang] = row
    return out


def stable_sample(pages: Sequence[Any], limit: int) -> list[Any]:
    """The ``limit`` pages whose text and mode hash lowest, in their own order.

    The quick gate reads a sample of a split; drawn at random, the whole sample changed each time
    the split grew and every quick floor moved with it.  By hash, a page stays in the sample
    until enough new pages hash below it, so a grown split changes the sample only in part."""
    if len(pages) <= limit:
        return list(pages)

    def key(k: int) -> bytes:
        page = pages[k]
        text = f"{getattr(page, 'mode', '')}\x00{getattr(page, 'url', '')}\x00{getattr(page, 'page', '')}"
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()

    keep = sorted(sorted(range(len(pages)), key=key)[:limit])
    return [pages[k] for k in keep]


def run_labelled(
    pages: Sequence[Any],
    *,
    limit: int | None = None,
    log: Callable[[str], None] = print,
    tools: Sequence[str] = TOOLS,
) -> dict[str, Any]:
    """All tools on labelled pages: real-material figures, composites apart, groups, languages."""
    pages = list(pages) if limit is None else stable_sample(pages, limit)
    previous = _previous_model() if "linkguard_previous" in tools else None
    tools = [t for t in tools if t != "linkguard_previous" or previous is not None]
    counts: dict[str, list[dict[str, int]]] = {t: [] for t in tools}
    page_labels: list[str] = []
    links: list[dict[str, int]] = []
    for i, lp in enumerate(pages):
        mode = getattr(lp, "mode", "html") or "html"
        pred, rep = predict_linkguard(lp.page, lp.url, mode, need_strip=not lp.is_spam)
        counts["linkguard"].append(page_counts(lp, pred))
        page_labels.append(rep.page_label)
        links.append(link_counts(lp, rep))
        if previous is not None:
            prev, _ = predict_linkguard(lp.page, lp.url, mode, need_strip=not lp.is_spam, model=previous)
            counts["linkguard_previous"].append(page_counts(lp, prev))
        if "keyword_regex" in counts:
            counts["keyword_regex"].append(page_counts(lp, predict_keyword_regex(lp.page, rep.mode, rep)))
        if "justext" in counts:
            counts["justext"].append(page_counts(lp, predict_justext(lp.page, getattr(lp, "lang", None))))
        if (i + 1) % 500 == 0:
            log(f"  accuracy: {i + 1}/{len(pages)} labelled pages")
    kinds = [_kind(lp) for lp in pages]
    out: dict[str, Any] = {
        "n_pages": len(pages),
        "n_spam_pages": sum(bool(p.is_spam) for p in pages),
        "n_real_spam_pages": kinds.count("real"),
        "n_composite_pages": kinds.count("composite"),
        "n_clean_pages": kinds.count("clean"),
        "tools": {t: summarise(pages, counts[t]) for t in tools},
    }
    out["languages"] = languages(pages, counts["linkguard"])
    real = [c for lp, c in zip(pages, links, strict=True) if _kind(lp) != "composite"]
    out["links"] = {"real": link_metrics(real), "all": link_metrics(links)}
    out["page_labels"] = page_labels
    out["pages"] = pages
    return out


def link_counts(lp: Any, report: Any) -> dict[str, int]:
    """Per-link counts of one page: links judged planted against the page's injected links."""
    gold = {norm_link(h) for h in lp.spam_links if h.strip()}
    c = {"links": 0, "planted": 0, "flagged": 0, "flagged_planted": 0}
    for link in getattr(report, "links", ()):
        planted = norm_link(link.href) in gold
        c["links"] += 1
        c["planted"] += planted
        if link.label == "spam":
            c["flagged"] += 1
            c["flagged_planted"] += planted
    return c


def link_metrics(counts: Iterable[dict[str, int]]) -> dict[str, Any]:
    tot: dict[str, int] = defaultdict(int)
    for c in counts:
        for k, v in c.items():
            tot[k] += v
    p = _div(tot["flagged_planted"], tot["flagged"])
    r = _div(tot["flagged_planted"], tot["planted"])
    clean = tot["links"] - tot["planted"]
    return {
        "links": tot["links"],
        "planted": tot["planted"],
        "precision": p,
        "recall": r,
        "f1": _f1(p, r),
        "clean_links_flagged": _div(tot["flagged"] - tot["flagged_planted"], clean),
    }


def run_single_links(pages: Sequence[Any], model: Any = None) -> dict[str, Any]:
    """Pages with one planted link among the page's own: found, and nothing else flagged?"""
    import linkguard

    found = clean_pages = 0
    counts = []
    for lp in pages:
        rep = linkguard.scan(lp.page, lp.url, mode=lp.mode, model=model)
        c = link_counts(lp, rep)
        counts.append(c)
        found += c["flagged_planted"] > 0
        clean_pages += c["flagged"] == c["flagged_planted"]
    n = len(pages)
    return {
        "pages": n,
        "planted_link_found": _div(found, n),
        "pages_with_no_other_link_flagged": _div(clean_pages, n),
        "links": link_metrics(counts),
    }


def page_labels_of(pages: Sequence[Any]) -> list[str]:
    """``Report.page_label`` of each labelled page, by linkguard with its bundled model."""
    import linkguard

    return [linkguard.scan(lp.page, lp.url, mode=lp.mode).page_label for lp in pages]


def host_page_labels(pages: Sequence[Any], root: Path) -> dict[tuple[str, str], str]:
    """``Report.page_label`` of the host page of each about-the-topic page, by itself, in the
    page's mode (HTML, or the host's text dump): ``(host_path, mode) -> label``."""
    import linkguard
    from training_data import dataset

    rows = {r["path"]: r for r in dataset.host_pages(root)}
    out: dict[tuple[str, str], str] = {}
    for lp in pages:
        key = (getattr(lp, "host_path", ""), lp.mode)
        if lp.is_spam or not getattr(lp, "neg_real", False) or not key[0] or key in out or key[0] not in rows:
            continue
        row = rows[key[0]]
        html = dataset.read_host(root, row)
        page = html if lp.mode == "html" else dataset.host_text(html)
        out[key] = linkguard.scan(page, row.get("url"), mode=lp.mode).page_label
    return out


def page_verdicts(
    pages: Sequence[Any], labels: Sequence[str], host_labels: dict[tuple[str, str], str] | None = None
) -> dict[str, Any]:
    """How ``Report.page_label`` falls on labelled pages.

    Spam pages (``spam_page_real``: real pages, whole HTML or the text a crawler kept;
    ``spam_page_template``: real spam text as the article of a host page, generated) should be
    ``spam_page``; about-the-topic pages (a real excerpt in the article, or an article made of
    real excerpts) should stay ``clean``; injected pages should be ``injected``.

    ``host_labels`` (:func:`host_page_labels`): the about-the-topic pages are also counted apart
    on host pages that are clean by themselves (``about_topic["clean_host"]``), so that a host
    page's own false alarm, counted once among the host pages, is not counted again on every
    about-the-topic page built on it.
    """
    pairs = list(zip(pages, labels, strict=True))

    def share(rows: list[str], want: tuple[str, ...]) -> dict[str, Any]:
        hit = sum(r in want for r in rows)
        return {"pages": len(rows), "hits": hit, "rate": _div(hit, len(rows))}

    out: dict[str, Any] = {"spam_pages": {}, "about_topic": {}, "other": {}}
    for kind in ("spam_page_real", "spam_page_template"):
        for mode in ("html", "text"):
            rows = [lab for lp, lab in pairs if _kind(lp) == kind and lp.mode == mode]
            if rows:
                out["spam_pages"][f"{kind.removeprefix('spam_page_')}_{mode}"] = share(rows, ("spam_page",))
    about = [(lp, lab) for lp, lab in pairs if not lp.is_spam and getattr(lp, "neg_real", False)]
    for lang in SPAM_LANGS:
        rows = [lab for lp, lab in about if getattr(lp, "neg_lang", "") == lang]
        if rows:
            out["about_topic"][lang] = share(rows, ("spam_page", "injected"))
    out["about_topic"]["all"] = share([lab for _, lab in about], ("spam_page", "injected"))
    if host_labels is not None:
        on_clean = [
            lab for lp, lab in about if host_labels.get((getattr(lp, "host_path", ""), lp.mode), "clean") == "clean"
        ]
        out["about_topic"]["clean_host"] = share(on_clean, ("spam_page", "injected"))
    clean = [lab for lp, lab in pairs if _kind(lp) in ("clean", "short_page") and not getattr(lp, "neg_real", False)]
    injected = [lab for lp, lab in pairs if _kind(lp) in ("real", "composite")]
    out["other"]["clean_as_spam_page"] = share(clean, ("spam_page",))
    out["other"]["injected_as_spam_page"] = share(injected, ("spam_page",))
    out["other"]["injected_detected"] = share(injected, ("spam_page", "injected"))
    # Real readers' comments with a link: what the links judged one by one must leave alone.
    comments = [lab for lp, lab in pairs if _kind(lp) == "comment_link"]
    if comments:
        out["other"]["comment_link_flagged"] = share(comments, ("spam_page", "injected"))
    real = [r for k, r in out["spam_pages"].items() if k.startswith("real_")]
    hits = sum(r["hits"] for r in real)
    n = sum(r["pages"] for r in real)
    out["spam_page_recall_real"] = _div(hits, n)
    out["real_spam_pages"] = _real_spam_breakdown([(lp, lab) for lp, lab in pairs if _kind(lp) == "spam_page_real"])
    return out


SPAM_PAGE_WORD_BINS = ((0, 20), (20, 100), (100, None))
"""Visible words of a real spam page: a crawler often kept only a title or a line of one."""


def _visible_words(lp: Any) -> int:
    if lp.mode == "text":
        return len(lp.page.split())
    from selectolax.lexbor import LexborHTMLParser

    body = LexborHTMLParser(lp.page).body
    return len(body.text(separator=" ").split()) if body is not None else 0


def _real_spam_breakdown(pairs: Sequence[tuple[Any, str]]) -> dict[str, Any]:
    """Real spam pages (both modes) by visible words and by family: which share is labelled
    ``spam_page`` (the target) and which is flagged at all (``spam_page`` or ``injected``)."""

    def rates(rows: list[str]) -> dict[str, Any]:
        spam = sum(r == "spam_page" for r in rows)
        flagged = sum(r in ("spam_page", "injected") for r in rows)
        return {"pages": len(rows), "spam_page": _div(spam, len(rows)), "flagged": _div(flagged, len(rows))}

    words = [_visible_words(lp) for lp, _ in pairs]
    by_words: dict[str, Any] = {}
    for lo, hi in SPAM_PAGE_WORD_BINS:
        rows = [lab for (_, lab), w in zip(pairs, words, strict=True) if w >= lo and (hi is None or w < hi)]
        by_words[f"{lo}-{hi}" if hi is not None else f"{lo}+"] = rates(rows)
    by_family: dict[str, Any] = {}
    for family in sorted({lp.family for lp, _ in pairs}):
        by_family[family] = rates([lab for lp, lab in pairs if lp.family == family])
    return {"all": rates([lab for _, lab in pairs]), "by_words": by_words, "by_family": by_family}


def run_obfuscation(
    pages: Sequence[Any], *, limit: int | None = None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Page recall on the split's real-payload pages re-rendered with each spammer's trick."""
    from training_data.obfuscate import TRICKS, obfuscated_page

    base = [lp for lp in pages if lp.is_spam and _kind(lp) == "real"]
    if limit is not None:
        base = stable_sample(base, limit)
    out: dict[str, Any] = {"n_base_pages": len(base), "tricks": {}}
    for trick in ("plain", *TRICKS):
        variant = base if trick == "plain" else [p for p in (obfuscated_page(lp, trick) for lp in base) if p]
        lg: list[dict[str, int]] = []
        kw: list[dict[str, int]] = []
        for lp in variant:
            pred, rep = predict_linkguard(lp.page, lp.url, lp.mode, need_strip=False)
            lg.append(page_counts(lp, pred))
            kw.append(page_counts(lp, predict_keyword_regex(lp.page, rep.mode, rep)))
        out["tricks"][trick] = {"pages": len(variant), "linkguard": aggregate(lg), "keyword_regex": aggregate(kw)}
        log(f"  obfuscation {trick}: page recall {out['tricks'][trick]['linkguard']['page']['recall']}")
    plain = out["tricks"]["plain"]["linkguard"]["page"]["recall"] or 0.0
    drops = {
        t: round(plain - (v["linkguard"]["page"]["recall"] or 0.0), 4) for t, v in out["tricks"].items() if t != "plain"
    }
    out["recall_drop"] = drops
    out["worst_drop"] = max(drops.values()) if drops else None
    return out


def _flag_summary(pages: Sequence[Any], reports: dict[str, Any]) -> dict[str, Any]:
    flagged = sorted((p for p in pages if reports[p.path].is_spam), key=lambda p: -reports[p.path].spam_score)
    return {
        "pages": len(pages),
        "false_alarm_pages": len(flagged),
        "false_alarm_rate": _div(len(flagged), len(pages)),
        "flagged": [
            {
                "path": p.path,
                "score": round(reports[p.path].spam_score, 4),
                "spam_segments": len(reports[p.path].spam_segments),
                "reasons": list(reports[p.path].reasons[:4]),
            }
            for p in flagged[:15]
        ],
    }


def run_corpus_false_alarms(corpus_pages: Sequence[Any], roles: dict[str, str] | None = None) -> dict[str, Any]:
    """Pages flagged on the real corpus, by the role a page plays in the labelled data.

    ``carved``: pages carved out once (by hash) that no labelled page is built on — the false-alarm
    figure that counts.  ``test_hosts``: hosts of the test split, as they are.  ``fitted_hosts``:
    pages the model or its threshold were fitted on (train/val hosts), shown for reference only.
    The hand-labelled real spam pages are never hosts; they are checked apart.
    """
    import linkguard
    from benchmarks.baselines import KEYWORD_PATTERN, page_text

    roles = roles or {}
    known_spam = [p for p in corpus_pages if (p.label or "").startswith("spam")]
    rest = [p for p in corpus_pages if not (p.label or "").startswith("spam")]
    reports = dict(
        zip(
            [p.path for p in corpus_pages],
            linkguard.scan_many((p.text, p.url) for p in corpus_pages),
            strict=True,
        )
    )
    by_role: dict[str, list[Any]] = {"carved": [], "test_hosts": [], "fitted_hosts": []}
    for p in rest:
        role = roles.get(p.path, "carved" if not roles else "")
        key = "carved" if role == "carved" else "test_hosts" if role == "test" else "fitted_hosts"
        by_role[key].append(p)
    carved = by_role["carved"]
    regex_flagged = [p for p in carved if KEYWORD_PATTERN.search(page_text(p.text))]
    just_flagged = [p for p in carved if predict_justext(p.text, p.lang).is_spam]
    hard_neg = [p for p in rest if p.label]
    lg = {name: _flag_summary(pages, reports) for name, pages in by_role.items()}
    for name, group in by_role.items():
        lg[name]["spam_page_pages"] = sum(reports[p.path].page_label == "spam_page" for p in group)
        lg[name]["spam_page_paths"] = [p.path for p in group if reports[p.path].page_label == "spam_page"][:10]
        # The page verdict a crawl filter reads: spam segments, planted links or a spam page.
        not_clean = [p.path for p in group if reports[p.path].page_label != "clean"]
        lg[name]["not_clean_pages"] = len(not_clean)
        lg[name]["not_clean_paths"] = not_clean[:15]
    return {
        "n_pages": len(carved),
        "note": "carved-out real pages: never hosts of labelled pages, never seen in training or threshold choice",
        "linkguard": {
            **lg,
            "false_alarm_pages": lg["carved"]["false_alarm_pages"],
            "false_alarm_rate": lg["carved"]["false_alarm_rate"],
            "hard_negatives_flagged": sum(reports[p.path].is_spam for p in hard_neg),
            "n_hard_negatives": len(hard_neg),
            "known_spam_found": sum(reports[p.path].is_spam for p in known_spam),
            "n_known_spam": len(known_spam),
            "known_spam": {p.path: reports[p.path].is_spam for p in known_spam},
        },
        "keyword_regex": {
            "false_alarm_pages": len(regex_flagged),
            "false_alarm_rate": _div(len(regex_flagged), len(carved)),
        },
        "justext": {
            "false_alarm_pages": len(just_flagged),
            "false_alarm_rate": _div(len(just_flagged), len(carved)),
        },
    }


def run_prescreen(
    labelled: Sequence[Any], labels: Sequence[str], corpus_pages: Sequence[Any], roles: dict[str, str]
) -> dict[str, Any]:
    """What ``Config(prescreen=True)`` clears, and which detected spam it loses.

    ``lost``: spam pages the full scan detects (``page_label`` not ``clean``) that the prescreen
    clears, so ``--prescreen`` reports them clean; by kind, real material apart from generated.
    ``cleared``: share of clean pages it answers without scoring (the speed it buys), on the
    carved-out and test-host corpus pages and on the labelled clean pages.  Its rules were set
    on training and validation pages.
    """
    from linkguard._model import default_model
    from linkguard._native import segment_html
    from linkguard._prescreen import prescreen
    from linkguard._segment import segment_text

    text_model = default_model().text

    def cleared(page: str, url: str | None, mode: str) -> bool:
        parsed = segment_html(page) if mode == "html" else segment_text(page)
        return not prescreen(parsed, url, text_model)

    lost: dict[str, dict[str, Any]] = {}
    clean_rows: dict[str, list[bool]] = {}
    for lp, label in zip(labelled, labels, strict=True):
        kind = _kind(lp)
        ok = cleared(lp.page, lp.url, lp.mode or "html")
        if lp.is_spam:
            if label == "clean":
                continue
            group = "real" if kind in ("real", "spam_page_real") else "generated"
            row = lost.setdefault(group, {"detected": 0, "lost": 0, "kinds": {}})
            row["detected"] += 1
            row["lost"] += ok
            k = row["kinds"].setdefault(kind, {"detected": 0, "lost": 0})
            k["detected"] += 1
            k["lost"] += ok
        else:
            clean_rows.setdefault("about_topic" if getattr(lp, "neg_real", False) else "clean", []).append(ok)
    for row in lost.values():
        row["rate"] = _div(row["lost"], row["detected"])
    corpus: dict[str, list[bool]] = {"carved": [], "test_hosts": []}
    for p in corpus_pages:
        role = roles.get(p.path, "")
        if (p.label or "").startswith("spam") or role not in ("carved", "test"):
            continue
        corpus["carved" if role == "carved" else "test_hosts"].append(cleared(p.text, p.url, "html"))
    out_cleared = {
        name: {"pages": len(v), "cleared": sum(v), "rate": _div(sum(v), len(v))}
        for name, v in [*corpus.items(), *clean_rows.items()]
    }
    return {"lost": lost, "cleared": out_cleared, "lost_rate_real": lost.get("real", {}).get("rate")}
