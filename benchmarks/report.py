"""Markdown tables from a results dict, and rewriting the README regions between markers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from benchmarks.gate import get_path

REGIONS = ("speed", "accuracy", "memory", "batch", "hosts")
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _fmt(v: Any, digits: int = 2) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if abs(v) >= 100:
            return f"{v:,.0f}"
        return f"{v:.{digits}f}"
    return str(v)


def _pct(v: Any) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def table(headers: list[str], rows: list[list[Any]], align: str | None = None) -> str:
    """A GitHub markdown table; ``align`` is one char per column, ``l`` or ``r``."""
    align = align or "l" + "r" * (len(headers) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(c if isinstance(c, str) else _fmt(c) for c in row) + " |")
    return "\n".join(lines)


CC_SNAPSHOT_PAGES = 3e9
"""Pages in one Common Crawl snapshot, in round numbers (recent crawls hold 2.5-3.5 billion)."""


def _scan_path_of(res: dict[str, Any]) -> str:
    return str((res.get("machine") or {}).get("scan_path") or "scan path not recorded")


def _path_part(machine: dict[str, Any]) -> str:
    path = machine.get("scan_path")
    return f" ({path})" if path else ""


def _run_line(res: dict[str, Any]) -> str:
    m = res.get("machine", {})
    c = res.get("corpus", {})
    pin = res.get("speed", {}).get("pinning", {})
    pin_s = f"pinned to CPU {pin['cpu']}" if pin.get("pinned") else "not pinned"
    return (
        f"_{res.get('mode', '?')} run {res.get('created', '?')}, {c.get('n_pages', '?')} pages "
        f"({_fmt((c.get('bytes') or 0) / 1e6, 1)} MB), corpus `{(c.get('digest') or '')[:19]}`, "
        f"Python {m.get('python', '?')}{_path_part(m)}, {m.get('cpu_model', '?')}, {pin_s}, "
        f"load avg {m.get('loadavg_start', '?')}. `python -m benchmarks` regenerates this._"
    )


def speed_md(res: dict[str, Any]) -> str:
    sp = res.get("speed") or {}
    tools = sp.get("tools") or {}
    if not tools:
        return "_speed not measured in this run_"
    rows = []
    for name, t in tools.items():
        a = t.get("all", {})
        rows.append(
            [
                f"`{name}`",
                t.get("input", ""),
                a.get("pages_per_s"),
                a.get("mb_per_s"),
                a.get("median_ms"),
                a.get("p99_ms"),
                a.get("x_parse_floor"),
                a.get("x_trafilatura"),
            ]
        )
    out = [
        _run_line(res),
        "",
        table(
            ["tool", "input", "pages/s", "MB/s", "median ms", "p99 ms", "× parse floor", "× trafilatura"],
            rows,
            "llrrrrrr",
        ),
        "",
    ]
    rows = []
    for name, t in tools.items():
        n, lg = t.get("normal") or {}, t.get("large") or {}
        rows.append(
            [
                f"`{name}`",
                n.get("mb_per_s"),
                n.get("p99_ms"),
                n.get("x_parse_floor"),
                lg.get("mb_per_s"),
                lg.get("p99_ms"),
                lg.get("x_parse_floor"),
            ]
        )
    n_norm = (tools.get("parse_floor", {}).get("normal") or {}).get("n_pages", 0)
    n_large = (tools.get("parse_floor", {}).get("large") or {}).get("n_pages", 0)
    out += [
        f"By size class (normal ≤ 400 KB: {n_norm} pages; large: {n_large} pages):",
        "",
        table(
            [
                "tool",
                "normal MB/s",
                "normal p99 ms",
                "normal × floor",
                "large MB/s",
                "large p99 ms",
                "large × floor",
            ],
            rows,
        ),
        "",
    ]
    sc = sp.get("scaling") or {}
    if sc:
        from benchmarks.speed import SCALING_TARGET

        out.append(
            f"Scaling (body content repeated 1×/4×/16× on {len(sc.get('pages', []))} pages, each size "
            f"timed {sc.get('repeats', 3)} times after one untimed pass, the fastest kept): "
            f"`linkguard.scan` time 16×/1× median **{_fmt(sc.get('scan_ratio_median'))}**, "
            f"max {_fmt(sc.get('scan_ratio_max'))} (target ≤ {SCALING_TARGET}); "
            f"parse floor {_fmt(sc.get('floor_ratio_median'))}."
        )
    out += _prescreen_md(res)
    tg = res.get("targets") or {}
    if tg:
        out += [
            "",
            "Targets: "
            + "; ".join(
                f"{k}: {_fmt(v['value'])} ({'met' if v['met'] else 'NOT met'})"
                for k, v in tg.items()
                if v.get("value") is not None
            )
            + ".",
        ]
    return "\n".join(out)


def _prescreen_md(res: dict[str, Any]) -> list[str]:
    """Speed of ``Config(prescreen=True)`` beside what it clears and what it loses."""
    from benchmarks.speed import SCAN_PRESCREEN

    sp = (res.get("speed") or {}).get("tools", {}).get(SCAN_PRESCREEN, {}).get("all") or {}
    ps = (res.get("accuracy") or {}).get("prescreen") or {}
    if not sp and not ps:
        return []
    ratios = (res.get("speed") or {}).get("ratios") or {}
    line = "`Config(prescreen=True)` / `--prescreen` (off by default):"
    if sp:
        line += (
            f" {_fmt(sp.get('pages_per_s'))} pages/s, {_fmt(ratios.get('prescreen_vs_parse_floor'))}× the parse"
            f" floor, {_fmt(ratios.get('prescreen_vs_scan'))}× `scan`."
        )
    cl = ps.get("cleared") or {}
    if cl:
        parts = [
            f"{_pct(cl[k]['rate'])} of {what} ({cl[k]['cleared']}/{cl[k]['pages']})"
            for k, what in (
                ("carved", "carved-out corpus pages"),
                ("test_hosts", "test-host corpus pages"),
                ("clean", "labelled clean test pages"),
                ("about_topic", "about-the-topic pages"),
            )
            if k in cl
        ]
        line += " It answered clean without scoring " + ", ".join(parts) + "."
    lost = ps.get("lost") or {}
    if lost:
        parts = [
            f"{row['lost']} of {row['detected']} {what} ({_pct(row['rate'])})"
            for key, what in (("real", "real spam pages"), ("generated", "generated ones"))
            if (row := lost.get(key))
        ]
        line += (
            " Of the test-split spam pages the full scan detects, it cleared (lost) "
            + " and ".join(parts)
            + ". Its rules were set on training and validation pages."
        )
    return ["", line]


# (label, path in a tool's "overall", higher is better)
_VERSUS = (
    ("page F1", "page.f1", True),
    ("page precision", "page.precision", True),
    ("page recall", "page.recall", True),
    ("segment F1", "segment.f1", True),
    ("spam-link recall", "spam_link_recall", True),
    ("clean links flagged", "clean_link_false_flag_rate", False),
    ("clean text removed", "clean_text_removed_share", False),
)


def _versus(tools: dict[str, Any], corpus: dict[str, Any]) -> list[str]:
    """One line per baseline: where ``linkguard`` is ahead of it and where behind, from the numbers."""
    me = tools.get("linkguard")
    if not me:
        return []
    lines = []
    for name, other in tools.items():
        if name == "linkguard":
            continue
        ahead: list[str] = []
        behind: list[str] = []
        rows = [(lbl, get_path(me["real"], p), get_path(other["real"], p), up) for lbl, p, up in _VERSUS]
        a, b = get_path(corpus, "linkguard.false_alarm_rate"), get_path(corpus, f"{name}.false_alarm_rate")
        rows.append(("false alarms on unseen real pages", a, b, False))
        for label, x, y, up in rows:
            if x is None or y is None or round(x, 4) == round(y, 4):
                continue
            share = any(w in label for w in ("flagged", "removed", "alarms", "link"))
            x_s, y_s = (f"{100 * x:.2f}%", f"{100 * y:.2f}%") if share else (f"{x:.3f}", f"{y:.3f}")
            (ahead if (x > y) == up else behind).append(f"{label} {x_s} vs {y_s}")
        lines.append(
            f"- against `{name}`: ahead on {', '.join(ahead) or 'nothing'}; behind on {', '.join(behind) or 'nothing'}."
        )
    return lines


def _fa(d: dict[str, Any] | None) -> str:
    """``k/n (x%)`` for a false-alarm summary."""
    if not d or not d.get("pages"):
        return "–"
    return f"{d['false_alarm_pages']}/{d['pages']} ({_pct(d['false_alarm_rate'])})"


def _of(k: int, n: int) -> str:
    """``k/n (x%)``."""
    return f"{k}/{n} ({_pct(k / n)})"


def _not_clean(d: dict[str, Any] | None) -> str:
    """``k/n (x%)`` of pages whose page verdict is not ``clean``, and which."""
    if not d or not d.get("pages") or "not_clean_pages" not in d:
        return "–"
    paths = ", ".join(f"`{p}`" for p in d.get("not_clean_paths", [])[:8])
    return _of(d["not_clean_pages"], d["pages"]) + (f" — {paths}" if paths else "")


def _tool_rows(tools: dict[str, Any], corpus: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for name, t in tools.items():
        o = t["real"]
        rows.append(
            [
                f"`{name}`",
                o["page"]["precision"],
                o["page"]["recall"],
                o["page"]["f1"],
                o["segment"]["precision"],
                o["segment"]["recall"],
                o["segment"]["f1"],
                _pct(o["spam_link_recall"]),
                _pct(o["clean_link_false_flag_rate"]),
                _pct(o["clean_text_removed_share"]),
                _pct(get_path(t, "clean_with_hard_negative.false_alarm_rate")),
                _pct(get_path(corpus, f"{name}.false_alarm_rate")),
            ]
        )
    return rows


def _labelled_md(lab: dict[str, Any], corpus: dict[str, Any]) -> list[str]:
    out = [
        f"Test split (`{lab.get('split')}`), real material: {lab['n_real_spam_pages']} pages injected with a real "
        f"payload and {lab['n_clean_pages']} clean pages (HTML and text dumps; host pages of the test split only, "
        "payloads from source groups of the test split only). Recombined link runs are reported apart below.",
        "",
        table(
            [
                "tool",
                "page P",
                "page R",
                "page F1",
                "seg P",
                "seg R",
                "seg F1",
                "spam-link recall",
                "clean links flagged",
                "clean text removed",
                "false alarms, clean pages with a hard negative",
                "false alarms, unseen real pages",
            ],
            _tool_rows(lab["tools"], corpus),
        ),
    ]
    lg = lab["tools"].get("linkguard") or {}
    rows = []
    for mode, m in (lg.get("by_mode") or {}).items():
        rows.append(
            [
                f"real, {mode}",
                m["n_spam_pages"],
                m["page"]["precision"],
                m["page"]["recall"],
                m["page"]["f1"],
                m["segment"]["f1"],
                _pct(m["spam_link_recall"]),
            ]
        )
    comp = lg.get("composite")
    if comp:
        rows.append(
            [
                "composite link runs (generated)",
                comp["n_spam_pages"],
                "–",
                comp["page"]["recall"],
                "–",
                comp["segment"]["recall"],
                _pct(comp["spam_link_recall"]),
            ]
        )
    if rows:
        out += [
            "",
            "`linkguard` by mode, and on recombined link runs (generated material; recall only):",
            "",
            table(
                ["pages", "injected", "page P", "page R", "page F1", "seg F1 (composite: seg R)", "spam-link recall"],
                rows,
                "lrrrrrr",
            ),
        ]
    fam = get_path(lg, "groups.family") or {}
    if fam:
        rows = [
            [
                k,
                m["n_pages"],
                m["page"]["recall"],
                m["segment"]["precision"],
                m["segment"]["recall"],
                _pct(m["spam_link_recall"]),
            ]
            for k, m in fam.items()
            if k != "none"
        ]
        out += [
            "",
            "`linkguard` per payload family (real payloads):",
            "",
            table(["family", "pages", "page R", "seg P", "seg R", "spam-link recall"], rows),
        ]
    langs = lab.get("languages") or {}
    if langs:
        rows = []
        for lang, row in langs.items():
            spam = row.get("spam") or {}
            rows.append(
                [
                    lang,
                    spam.get("n_spam_pages", 0),
                    get_path(spam, "page.recall"),
                    get_path(spam, "segment.f1"),
                    _fa(row.get("about_topic")),
                    _fa(row.get("authored")),
                ]
            )
        out += [
            "",
            "`linkguard` per spam language: recall on real payloads in that language, and false alarms on clean "
            "pages that carry a real excerpt of legitimate text about the spam topics in that language (news of a "
            "gambling raid, lottery results, a drug reference, a hacked-site warning; `training_data/negatives/real`) "
            "or an authored look-alike:",
            "",
            table(
                [
                    "lang",
                    "spam pages",
                    "page R",
                    "seg F1",
                    "false alarms, real about-the-topic pages",
                    "false alarms, authored look-alikes",
                ],
                rows,
                "lrrrrr",
            ),
        ]
    worst = get_path(lg, "worst_groups") or []
    if worst:
        rows = [
            [
                f"{w['field']}={w['value']}",
                w["kind"],
                w["n_pages"],
                w["score"],
                w["page_recall"],
                w["segment_recall"],
                w["page_fp"],
            ]
            for w in worst[:8]
        ]
        out += [
            "",
            "Worst groups (`linkguard`, real material):",
            "",
            table(["group", "kind", "pages", "score", "page R", "seg R", "false pos. pages"], rows, "llrrrrr"),
        ]
    out += ["", "Where `linkguard` stands against each tool on this split:", "", *_versus(lab["tools"], corpus)]
    return out


def _obfuscation_md(ob: dict[str, Any]) -> list[str]:
    rows = []
    for trick, v in ob["tricks"].items():
        rows.append(
            [
                trick,
                v["pages"],
                v["linkguard"]["page"]["recall"],
                ob["recall_drop"].get(trick, 0.0) if trick != "plain" else "–",
                v["linkguard"]["segment"]["recall"],
                _pct(v["linkguard"]["spam_link_recall"]),
                v["keyword_regex"]["page"]["recall"],
            ]
        )
    return [
        "",
        f"Obfuscation suite: the {ob['n_base_pages']} real-payload test pages re-rendered with each trick spammers "
        "use to disguise words (visible text only; URLs and markup unchanged; `training_data/obfuscate.py`):",
        "",
        table(
            ["trick", "pages", "page R", "drop vs plain", "seg R", "spam-link recall", "keyword regex page R"],
            rows,
            "lrrrrrr",
        ),
    ]


def _rate(d: dict[str, Any] | None) -> str:
    if not d or not d.get("pages"):
        return "–"
    return f"{d['hits']}/{d['pages']} ({_pct(d['rate'])})"


def _page_verdicts_md(pv: dict[str, Any], corpus: dict[str, Any]) -> list[str]:
    names = {
        "real_html": "real spam pages, HTML as collected",
        "real_text": "real spam pages, as text dumps",
        "template_html": "real spam text on host templates, HTML (generated)",
        "template_text": "real spam text on host templates, text (generated)",
    }
    rows = [[names.get(k, k), "`spam_page`", _rate(v)] for k, v in pv.get("spam_pages", {}).items()]
    for lang, v in pv.get("about_topic", {}).items():
        if lang not in ("all", "clean_host"):
            rows.append([f"about-the-topic pages, {lang}", "`spam_page` or `injected`", _rate(v)])
    rows.append(
        ["about-the-topic pages, all languages", "`spam_page` or `injected`", _rate(pv["about_topic"].get("all"))]
    )
    if pv["about_topic"].get("clean_host"):
        rows.append(
            [
                "about-the-topic pages, all languages, on host pages clean by themselves",
                "`spam_page` or `injected`",
                _rate(pv["about_topic"]["clean_host"]),
            ]
        )
    other = pv.get("other", {})
    rows.append(
        ["clean pages (hosts, with or without a hard negative)", "`spam_page`", _rate(other.get("clean_as_spam_page"))]
    )
    if other.get("comment_link_flagged"):
        rows.append(
            [
                "real readers' comments with a link (clean pages)",
                "`spam_page` or `injected`",
                _rate(other.get("comment_link_flagged")),
            ]
        )
    rows.append(["pages with an injected payload", "`spam_page`", _rate(other.get("injected_as_spam_page"))])
    rows.append(["pages with an injected payload", "`injected` or `spam_page`", _rate(other.get("injected_detected"))])
    carved = get_path(corpus, "linkguard.carved")
    if carved and carved.get("pages"):
        rows.append(
            ["carved-out real corpus pages", "`spam_page`", _of(carved.get("spam_page_pages", 0), carved["pages"])]
        )
        if "not_clean_pages" in carved:
            rows.append(
                [
                    "carved-out real corpus pages",
                    "`injected` or `spam_page`",
                    _of(carved["not_clean_pages"], carved["pages"]),
                ]
            )
    return [
        "",
        "Page verdicts (`Report.page_label`) on the test split: the share of pages of each kind given the label "
        "in the second column (for spam pages the recall, for the others the false-alarm rate).",
        "",
        table(["pages", "label counted", "pages so labelled"], rows, "llr"),
        *_real_spam_md(pv.get("real_spam_pages")),
    ]


def _real_spam_md(b: dict[str, Any] | None) -> list[str]:
    """Where the real spam pages are missed: by how much text they show, and by family."""
    if not b or not b.get("all", {}).get("pages"):
        return []
    rows = [["all", b["all"]["pages"], _pct(b["all"]["spam_page"]), _pct(b["all"]["flagged"])]]
    for name, v in b.get("by_words", {}).items():
        if v["pages"]:
            rows.append([f"{name} visible words", v["pages"], _pct(v["spam_page"]), _pct(v["flagged"])])
    for name, v in b.get("by_family", {}).items():
        rows.append([f"family `{name}`", v["pages"], _pct(v["spam_page"]), _pct(v["flagged"])])
    return [
        "",
        "The same real spam pages (HTML and text together) by the words they show and by family: the share "
        "labelled `spam_page`, and the share flagged at all (`spam_page` or `injected`).",
        "",
        table(["real spam pages", "pages", "`spam_page`", "flagged"], rows, "lrrr"),
    ]


def _links_md(links: dict[str, Any] | None, single: dict[str, Any] | None) -> list[str]:
    if not links:
        return []
    rows = [
        [
            name,
            m["links"],
            m["planted"],
            m["precision"],
            m["recall"],
            m["f1"],
            _pct(m["clean_links_flagged"]),
        ]
        for name, m in (("real material", links.get("real")), ("with recombined link runs", links.get("all")))
        if m
    ]
    out = [
        "",
        "Links judged one by one (`Report.links`) on the test split: every link of every page, a link being planted "
        "when it is one of the page's injected links.",
        "",
        table(["pages", "links", "planted", "precision", "recall", "F1", "clean links flagged"], rows, "lrrrrrr"),
    ]
    if single and single.get("pages"):
        m = single["links"]
        out += [
            "",
            f"One planted link dropped into a run of a test host page's own links (navigation rows, footer columns, "
            f"credit lines; {single['pages']} pages, generated): the planted link found on "
            f"{_pct(single['planted_link_found'])} of pages, no other link flagged on "
            f"{_pct(single['pages_with_no_other_link_flagged'])}; per link precision {m['precision']}, "
            f"recall {m['recall']}, clean links flagged {_pct(m['clean_links_flagged'])}.",
        ]
    return out


def _corpus_md(corpus: dict[str, Any]) -> list[str]:
    lg = corpus.get("linkguard")
    if not lg:
        return []
    flagged = ", ".join(f"`{f['path']}` ({f['score']:.2f})" for f in (lg.get("carved") or {}).get("flagged", [])[:6])
    return [
        "",
        f"Real corpus pages carved out once by hash and never used to build labelled pages (never trained or "
        f"tuned on): `linkguard` flags {_fa(lg.get('carved'))}"
        + (f" — {flagged}" if flagged else "")
        + f"; keyword regex {corpus['keyword_regex']['false_alarm_pages']}, jusText "
        f"{corpus['justext']['false_alarm_pages']}. By the page verdict (`page_label` not `clean`: spam "
        f"segments, planted links judged one by one, or a spam page), `linkguard` flags {_not_clean(lg.get('carved'))} "
        f"of them. Test-split host pages as they are: {_fa(lg.get('test_hosts'))} (page verdict: "
        f"{_not_clean(lg.get('test_hosts'))}). "
        f"For reference only (the model and threshold were fitted on them): train/val host pages "
        f"{_fa(lg.get('fitted_hosts'))}. Hand-labelled real spam pages found: "
        f"{lg['known_spam_found']}/{lg['n_known_spam']}.",
    ]


def _held_back_md(held: dict[str, Any]) -> list[str]:
    """The held-back payloads: one row per tool, and linkguard's page recall per payload family
    (the families that generalise worst are what the next data or evidence should go to)."""
    out: list[str] = []
    if not held.get("tools"):
        return []
    rows = [
        [
            f"`{name}`",
            t["real"]["page"]["recall"],
            t["real"]["segment"]["precision"],
            t["real"]["segment"]["recall"],
            t["real"]["segment"]["f1"],
            _pct(t["real"]["spam_link_recall"]),
        ]
        for name, t in held["tools"].items()
    ]
    out += [
        "",
        f"Held-back real payloads (`training_data/unseen/`, from source groups absent from training, "
        f"never trained on), injected into test-split hosts: {held['n_pages']} pages, all with spam, so there is "
        "no page precision to give; segment precision counts flagged segments that are not the payload.",
        "",
        table(["tool", "page R", "seg P", "seg R", "seg F1", "spam-link recall"], rows),
    ]
    families = get_path(held, "tools.linkguard.groups.family") or {}
    by_family = sorted(
        (g["page"]["recall"], name, g["n_spam_pages"])
        for name, g in families.items()
        if g.get("n_spam_pages") and g.get("page", {}).get("recall") is not None
    )
    if by_family:
        out += [
            "",
            "`linkguard` page recall on them by payload family (weakest first; pages): "
            + ", ".join(f"{name} {recall:.2f} ({n})" for recall, name, n in by_family)
            + ".",
        ]
    return out


def accuracy_md(res: dict[str, Any]) -> str:
    acc = res.get("accuracy") or {}
    out: list[str] = []
    lab = acc.get("labelled") or {}
    corpus = acc.get("corpus") or {}
    if lab.get("tools"):
        out += _labelled_md(lab, corpus)
    else:
        out.append(f"_Labelled accuracy not measured: {lab.get('error', 'not run')}._")
    ob = acc.get("obfuscation")
    if ob and ob.get("tricks"):
        out += _obfuscation_md(ob)
    pv = acc.get("page_verdicts")
    if pv and pv.get("other"):
        out += _page_verdicts_md(pv, corpus)
    out += _links_md(lab.get("links"), acc.get("single_links"))
    out += _held_back_md(acc.get("unseen") or {})
    out += _corpus_md(corpus)
    model = res.get("model") or {}
    if model:
        out += [
            "",
            f"_Model `{model.get('file')}` sha256 `{(model.get('sha256') or '')[:12]}`"
            f"{' (placeholder)' if model.get('placeholder') else ''}._",
        ]
    return "\n".join(out)


def memory_md(res: dict[str, Any]) -> str:
    mem = res.get("memory") or {}
    if not mem:
        return "_memory not measured in this run_"
    rows = []
    for mode, label in (
        ("scan", "`linkguard.scan`, page by page (bytes)"),
        ("scan_many", "`linkguard.scan_many` (bytes, batch 64)"),
        ("floor", "parse floor (lexbor)"),
    ):
        m = mem.get(mode) or {}
        rows.append([label, m.get("n_pages"), m.get("rss_start_mb"), m.get("rss_loaded_mb"), m.get("peak_rss_mb")])
    out = [
        table(["process", "pages", "RSS at start MB", "RSS after load MB", "peak RSS MB (VmHWM)"], rows),
        "",
    ]
    ld = mem.get("load") or {}
    if ld:
        out.append(
            f"Load (fresh process, median of {ld.get('repeats')}): "
            f"`import linkguard` {_fmt(ld.get('import_s'), 3)} s "
            f"(RSS {_fmt(ld.get('rss_after_import_mb'), 0)} MB), model {_fmt(ld.get('model_s'), 4)} s, "
            f"lexicon {_fmt(ld.get('lexicon_s'), 4)} s, suffix list {_fmt(ld.get('suffix_list_s'), 4)} s; "
            f"import to first scan result {_fmt(ld.get('import_to_first_result_s'), 3)} s. "
            f"Target: peak RSS < {mem.get('target_peak_rss_mb')} MB."
        )
    return "\n".join(out)


def _met(v: dict[str, Any] | None) -> str:
    if not v or v.get("met") is None:
        return "–"
    return "met" if v["met"] else "NOT met"


def batch_md(res: dict[str, Any]) -> str:
    b = res.get("batch") or {}
    if not b:
        return "_batch scoring not measured in this run_"
    if b.get("skipped"):
        return f"_batch scoring not measured: {b['skipped']}_"
    from benchmarks.batch import BIG, MAIN_SHARED, SHARED_WARCS, STREAM, TARGETS, TINY

    inputs = b.get("inputs") or {}
    cli = b.get("cli") or {}
    read = b.get("read") or {}

    def label(name: str) -> str:
        nbytes = (inputs.get(name) or {}).get("bytes") or 0
        size = f"{_fmt(nbytes / 1e6, 1)} MB" if nbytes >= 1e6 else f"{_fmt(nbytes / 1e3, 1)} KB"
        return f"`{name}` ({'shared' if name in SHARED_WARCS else 'temp'}, {size})"

    def row(what: str, name: str, s: dict[str, Any] | None) -> list[Any]:
        s = s or {}
        return [what, label(name), s.get("pages"), s.get("wall_s"), s.get("pages_per_s"), s.get("peak_rss_mb")]

    lg = "`linkguard score -q -o /dev/null`"
    rows = [row(f"{lg} `--jobs 1`, start-up only", TINY, (cli.get(TINY) or {}).get("jobs1"))]
    for name in (*SHARED_WARCS, BIG, STREAM):
        for jobs in (1, 2):
            s = (cli.get(name) or {}).get(f"jobs{jobs}")
            if s:
                rows.append(row(f"{lg} `--jobs {jobs}`", name, s))
        if name in read:
            rows.append(row("FastWARC read, no scoring", name, read[name]))
    sp = b.get("spark") or {}
    for master in ("local[1]", "local[2]"):
        s = sp.get(master)
        if s:
            rows.append(
                [
                    f"Spark `--master {master}`",
                    sp.get("input", ""),
                    s.get("rows_out"),
                    s.get("wall_s"),
                    s.get("pages_per_s"),
                    None,
                ]
            )
    la = b.get("loadavg_start")
    le = b.get("loadavg_end")
    loads = [s.get("load1_median") for c in cli.values() for s in c.values() if s.get("load1_median") is not None]
    n_big = (inputs.get(BIG) or {}).get("records")
    n_stream = (inputs.get(STREAM) or {}).get("records")
    out = [
        f"_{b.get('mode', '?')} run {res.get('created', '?')}: every command is a fresh process, timed from outside "
        f"(wall time, start-up included), median of {b.get('repeats')} runs in shuffled order "
        "(the 10× stream: 1 run); peak RSS is the process's `ru_maxrss` "
        f"(`os.wait4`); {len(b.get('cpus') or [])} CPUs allowed; the package's bytecode is written before the "
        "first command, as `pip install` does (an editable install on a machine with `PYTHONDONTWRITEBYTECODE` "
        f"set would otherwise compile every module in every process). Load average {la} at the start, {le} at the end"
        + (f", 1-min load {_fmt(min(loads))}–{_fmt(max(loads))} during the runs (medians per command)" if loads else "")
        + f". Temp inputs are built for the run from the corpus pages with warcio (one response record per page, "
        f"gzip per record) and deleted: `{BIG}` holds {n_big} pages, `{STREAM}` the same pages 10× "
        f"({n_stream} records, one stream). `--quick` uses the 60-page subset, times `--jobs 2` against "
        "`--jobs 1` on the 10× stream (the subset alone is a single batch) and leaves Spark out._",
        "",
        table(["command", "input", "pages", "wall s", "pages/s", "peak RSS MB"], rows, "llrrrr"),
        "",
    ]
    if loads and max(loads) >= len(b.get("cpus") or [0, 0]):
        out.append(
            "**Busy machine:** the 1-min load was at or above the number of CPUs during the runs (other "
            "processes), so the `--jobs 2` and `local[2]` ratios below measure contention more than linkguard."
        )
        out.append("")
    st = b.get("startup") or {}
    if st.get("wall_s") is not None:
        big = (cli.get(BIG) or {}).get("jobs1") or {}
        out.append(
            f"Start-up (interpreter, import, model load, one tiny page): {_fmt(st['wall_s'], 2)} s. "
            f"Without it, `--jobs 1` scores the corpus WARC at {_fmt(big.get('pages_per_s_after_startup'))} pages/s."
        )
    stream = (cli.get(STREAM) or {}).get("jobs1") or {}
    rate = stream.get("pages_per_s")
    if isinstance(rate, (int, float)) and rate > 0:
        hours = CC_SNAPSHOT_PAGES / rate / 3600
        out.append(
            f"On paper, one Common Crawl snapshot (~{CC_SNAPSHOT_PAGES / 1e9:.0f} billion pages) at the measured "
            f"single-core rate on `{STREAM}` ({_fmt(rate)} pages/s per core, reading and decompressing the WARC and "
            f"start-up included, {_scan_path_of(res)}): about {hours:,.0f} core-hours, before any Spark overhead "
            "(the Spark ratios below say how much of a second core Spark turns into throughput)."
        )
        once = ((cli.get(BIG) or {}).get("jobs1") or {}).get("pages_per_s_after_startup")
        if isinstance(once, (int, float)) and once > 0:
            out[-1] += (
                f" The stream repeats its pages, so the caches of link hosts are warm after the first copy; "
                f"one copy of the pages, after start-up, ran at {_fmt(once)} pages/s "
                f"({CC_SNAPSHOT_PAGES / once / 3600:,.0f} core-hours at that rate)."
            )
    if sp.get("skipped"):
        out.append(f"Spark: not run: {sp['skipped']}.")
    elif sp:
        one, two = sp.get("local[1]") or {}, sp.get("local[2]") or {}
        out.append(
            "Spark (`python -m linkguard.integrations.spark`, `SPARK_LOCAL_IP=127.0.0.1`): the wall time includes "
            f"JVM start-up, session, Python workers and the job's read-back and counts; the scoring job alone "
            f"(Spark event log) took {_fmt(one.get('first_job_s'))} s on `local[1]` and "
            f"{_fmt(two.get('first_job_s'))} s on `local[2]`; {_fmt(one.get('outside_jobs_s'))} s / "
            f"{_fmt(two.get('outside_jobs_s'))} s of the wall time is outside any Spark job."
        )
        if one.get("task_s") is not None and two.get("task_s") is not None:
            out[-1] += (
                f" Within the job, a task (one shard) took {_fmt(one.get('task_s'))} s on `local[1]` and "
                f"{_fmt(two.get('task_s'))} s on each of `local[2]`'s two slots, and each slot's first task "
                f"{_fmt(one.get('first_task_extra_s'))} s / {_fmt(two.get('first_task_extra_s'))} s more "
                "(the Python daemon and worker, the JVM's first Python runner and Parquet writer): a cost "
                "per job, not per page, which the task-rate ratio below leaves out."
            )
            per_task = (sp.get("expected_rows") or 0) / two["tasks"] if two.get("tasks") else 0
            if per_task and two["task_s"] > 0:
                slot_rate = per_task / two["task_s"]
                out[-1] += (
                    f" On paper again, at `local[2]`'s rate per slot ({_fmt(per_task)} pages a task: "
                    f"{_fmt(slot_rate)} pages/s, WARC reading and Parquet writing included, each core sharing "
                    f"its machine with the other), one Common Crawl snapshot takes about "
                    f"{CC_SNAPSHOT_PAGES / slot_rate / 3600:,.0f} core-hours on Spark."
                )
    r = b.get("ratios") or {}
    tg = b.get("targets") or {}
    tkeys = list(tg)
    goals = [
        f"≥ {TARGETS['jobs2_vs_jobs1']}",
        f"< {TARGETS['peak_rss_mb']:.0f}",
        f"≤ {TARGETS['rss_10x_vs_1x']}",
        f"≥ {TARGETS['scan_many_vs_scan']}",
        f"≥ {TARGETS['spark_job_local2_vs_local1']}",
    ]

    def tgt(i: int) -> tuple[str, str]:
        if i >= len(tkeys):
            return "–", "–"
        return goals[i], _met(tg[tkeys[i]])

    jobs_in = b.get("jobs_input") or BIG
    ratio_rows = [
        [
            "CLI `--jobs 1` ÷ FastWARC read, pages/s (wall)",
            f"`{MAIN_SHARED}`",
            r.get("cli_vs_fastwarc_shared"),
            "–",
            "–",
        ],
        ["CLI `--jobs 1` ÷ FastWARC read, pages/s (wall)", f"`{BIG}`", r.get("cli_vs_fastwarc_corpus"), "–", "–"],
        [
            "CLI `--jobs 1` after start-up ÷ FastWARC read loop",
            f"`{BIG}`",
            r.get("cli_after_startup_vs_fastwarc_read_corpus"),
            "–",
            "–",
        ],
        ["`--jobs 2` ÷ `--jobs 1`, pages/s (wall)", f"`{jobs_in}`", r.get("jobs2_vs_jobs1"), *tgt(0)],
        ["CLI peak RSS MB, largest of all inputs", "all", b.get("peak_rss_mb"), *tgt(1)],
        ["CLI peak RSS 10× ÷ 1× (flat)", f"`{STREAM}` ÷ `{BIG}`", r.get("rss_10x_vs_1x"), *tgt(2)],
        [
            "`scan_many` ÷ loop of `scan`, pages/s (from the speed table)",
            "corpus pages",
            r.get("scan_many_vs_scan"),
            *tgt(3),
        ],
        [
            "Spark `local[2]` ÷ `local[1]`, wall (JVM start-up included)",
            "shards",
            r.get("spark_local2_vs_local1"),
            "–",
            "–",
        ],
        ["Spark `local[2]` ÷ `local[1]`, scoring job only", "shards", r.get("spark_job_local2_vs_local1"), *tgt(4)],
        [
            "Spark `local[2]` ÷ `local[1]`, task rate (first tasks left out)",
            "shards",
            r.get("spark_task_rate_local2_vs_local1"),
            "–",
            "–",
        ],
    ]
    out += ["", table(["ratio", "input", "value", "target", "met"], ratio_rows, "llrll")]
    return "\n".join(out)


def hosts_md(res: dict[str, Any]) -> str:
    """The host-view and campaign figures (``benchmarks/hosts.py``)."""
    h = res.get("hosts") or {}
    if not h.get("host"):
        return "_host view not measured in this run_"
    c, host, page, camp = h["crawl"], h["host"], h["page"], h["campaigns"]
    when = (res.get("parts_updated") or {}).get("hosts", {}).get("created") or res.get("created", "?")
    out = [
        f"_{res.get('mode', '?')} run {when} (`python -m benchmarks`, or `--only hosts`): a generated crawl of "
        f"{c['hosts']} hosts ({c['injected_hosts']} injected, {c['clean_hosts']} clean) of "
        f"{c['pages_per_host'][0]}-{c['pages_per_host'][1]} pages, {c['pages']} pages in all "
        f"({c['injected_pages']} injected), built from {c['distinct_corpus_pages']} corpus pages that no labelled "
        "training page is built on (carved-out and test-split hosts): a page repeats across hosts, each time under "
        f"its host's URL. Payloads: {c['groups']} real source groups ({c['unseen_groups']} held back, "
        f"{c['test_groups']} test-split), each planted on 2-3 hosts at one template position on the pages "
        "captured after a compromise date (30-100 % of them). Scored with `score_records`; the host view, "
        "campaigns and marking pass read only the rows._",
        "",
    ]
    rows = []
    for name, key in (
        ("template injection (host view)", "template_injection"),
        ("template injection or campaign", "template_or_campaign"),
        ("any spam page on the host (no host view)", "any_spam_page"),
    ):
        d = host.get(key) or {}
        rows.append([name, d.get("precision"), d.get("recall"), d.get("tp"), d.get("fp"), d.get("fn")])
    out += [table(["host verdict", "precision", "recall", "tp", "fp", "fn"], rows), ""]
    out.append(
        f"First capture date of the template block = the host's compromise date: "
        f"{_pct(host.get('first_date_exact'))} of detected hosts."
    )
    out.append("")
    prow = [
        ["page scan alone", page["single_page_recall"], page["single_page_false_pages"]],
        [
            "page scan + host pass (template and campaign marks)",
            page["host_pass_recall"],
            page["host_pass_false_pages"],
        ],
    ]
    out += [
        table(
            [f"pages ({c['injected_pages']} injected, {page['clean_pages']} clean)", "recall", "clean pages flagged"],
            prow,
        ),
        "",
        f"Marked by a template injection: {page['marked_by_template']} injected pages; by a campaign only: "
        f"{page['marked_by_campaign_only']}. Clean pages flagged come from "
        f"{', '.join('`' + s + '`' for s in page.get('false_page_sources') or []) or 'no page'} "
        "(a corpus page flagged on its own, repeated on several generated hosts).",
        "",
    ]
    pw = camp["pairwise"]
    pd = camp.get("pairwise_detected_hosts") or {}
    out += [
        table(
            ["campaigns", "value"],
            [
                ["source groups planted / found in a campaign", f"{camp['groups_planted']} / {camp['groups_found']}"],
                ["campaigns found", camp["found"]],
                ["campaigns mixing source groups", camp["campaigns_mixing_groups"]],
                ["source groups split over several campaigns", camp.get("groups_split", "—")],
                ["pairwise precision (same campaign → same source group)", pw["precision"]],
                ["pairwise recall (same source group → same campaign)", pw["recall"]],
                ["pairwise recall, same payload on two hosts", pw.get("same_payload_recall")],
                [
                    "pairwise precision / recall, hosts the host view detected",
                    f"{_fmt(pd.get('precision'))} / {_fmt(pd.get('recall'))}",
                ],
            ],
        ),
        "",
    ]
    for m in camp.get("mixed") or []:
        out.append(
            f"A campaign mixing source groups: {', '.join('`' + g + '`' for g in m['groups'])} "
            f"(targets {', '.join(m['targets']) or 'none'})."
        )
    if camp.get("mixed"):
        out.append("")
    mem = h.get("memory") or []
    mrows = [
        [
            "every page new prints" if m["distinct_prints"] else "the crawl's rows",
            m["factor"],
            m["rows"],
            m["hosts"],
            m.get("live_kb"),
            m["peak_kb"],
        ]
        for m in mem
    ]
    sk = h.get("sketch") or {}
    out += [
        f"Host sketches: at most {sk.get('max_prints_per_host')} prints in one host (cap 64), "
        f"{sk.get('hosts_over_cap')} hosts over the cap.",
        "",
        table(["host view fed", "× crawl", "rows", "hosts", "held KB", "peak traced KB"], mrows),
        "",
        f"Memory the view holds (traced by `tracemalloc`, after a garbage collection), largest ÷ 1× feed: "
        f"{_fmt(h.get('memory_ratio'))} (the crawl's rows), {_fmt(h.get('memory_ratio_distinct'))} (a new print "
        "on every page: flat once each host holds its cap of 64 prints); the peak also counts garbage the "
        f"collector had not reached yet (ratio {_fmt(h.get('memory_peak_ratio'))}).",
    ]
    sp = h.get("spark") or {}
    if sp.get("skipped"):
        spark_line = f"Spark: not run ({sp['skipped']})."
    else:
        spark_line = (
            f"Spark (`host_summaries`, `local[2]`, {sp.get('partitions')} partitions, {_fmt(sp.get('wall_s'))} s): "
            f"the same {sp.get('hosts')} summaries as `linkguard hosts`: {_fmt(sp.get('equal'))}"
            + (f" (differences: {'; '.join(sp['differences'])})" if sp.get("differences") else "")
            + "."
        )
    out.append(
        f"`linkguard hosts` (the CLI, on the rows as JSON Lines) gives the library's summaries: "
        f"{_fmt(h.get('cli_equals_library'))}. {spark_line}"
    )
    rh = h.get("real_hosts")
    if rh:
        out.append(
            f"Real corpus pages grouped by their own registrable domain ({rh['hosts']} hosts with 2+ pages, "
            f"{rh['pages']} pages, nothing injected), `--min-pages 2`: {rh['template_injection_min_pages_2']} "
            f"template injections, {rh['injected']} hosts with a spam page. These are all corpus pages, the "
            "model's training hosts among them: a check that real templates are not called injections, not a "
            "held-out figure."
        )
    fu = h.get("furniture_unseen") or {}
    if "template_change_flagged" in fu:
        out.append(_furniture_line(fu))
    return "\n".join(out)


def _furniture_line(fu: dict[str, Any]) -> str:
    n = fu["furniture_blocks"]
    always = _of(fu["always_flagged"], n) if n else "0"
    change = _of(fu["template_change_flagged"], n) if n else "0"
    examples = "; ".join(
        f"{score} `{text.replace('`', '')}`" for score, _linked, text in fu["template_change_examples"][:3]
    )
    return (
        f"Real site furniture as a template: of the {fu['pages']} real corpus pages the model never trained "
        f"on (carved-out and test-split hosts) come {n} near misses scoring 0.5 or more that their scan did "
        f"not label spam ({fu['furniture_offsite']} with off-site links; each page's best with links, best "
        f"without, and best hidden one with links). Put on every page of a host of 30 dated pages, {always} "
        "of those hosts are called template injections; added on the eleventh day and kept (a template "
        f"change in the middle of a crawl, the worst case for the onset evidence): {change}."
        + (f" Highest flagged: {examples}." if examples else "")
    )


RENDERERS = {"speed": speed_md, "accuracy": accuracy_md, "memory": memory_md, "batch": batch_md, "hosts": hosts_md}


def replace_region(text: str, name: str, body: str) -> str | None:
    """``text`` with the part between ``<!-- bench:NAME:start -->`` and ``:end -->`` replaced,
    or ``None`` when the markers are missing or out of order."""
    pat = re.compile(
        rf"(<!--\s*bench:{re.escape(name)}:start\s*-->)(.*?)(<!--\s*bench:{re.escape(name)}:end\s*-->)",
        re.DOTALL,
    )
    m = pat.search(text)
    if m is None:
        return None
    return text[: m.start()] + m.group(1) + "\n" + body.strip() + "\n" + m.group(3) + text[m.end() :]


def update_readme(
    res: dict[str, Any], readme: Path, fallback: Path, regions: tuple[str, ...] = REGIONS
) -> dict[str, str]:
    """Rewrite the marked README regions (``regions``: only these); regions without markers go to ``fallback``."""
    bodies = {name: RENDERERS[name](res) for name in regions}
    where: dict[str, str] = {}
    text = readme.read_text("utf-8") if readme.is_file() else None
    missing = []
    if text is not None:
        new = text
        for name, body in bodies.items():
            replaced = replace_region(new, name, body)
            if replaced is None:
                missing.append(name)
            else:
                new = replaced
                where[name] = str(readme)
        if new != text:
            tmp = readme.with_name(readme.name + ".tmp")
            tmp.write_text(new, "utf-8")
            tmp.replace(readme)
    else:
        missing = list(regions)
    if missing:
        parts = [
            "# Benchmark tables",
            "",
            f"_README markers missing for: {', '.join(missing)}. Paste each block between "
            "`<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` in README.md._",
            "",
        ]
        for name in missing:
            parts += [f"<!-- bench:{name}:start -->", bodies[name].strip(), f"<!-- bench:{name}:end -->", ""]
        write_atomic(fallback, "\n".join(parts))
        for name in missing:
            where[name] = str(fallback)
    elif fallback.is_file():
        fallback.unlink()
    return where


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(path)


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(data, indent=1, sort_keys=False, ensure_ascii=False, default=str) + "\n")
