"""Markdown tables from a results dict, and rewriting the README regions between markers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from benchmarks.gate import get_path

REGIONS = ("speed", "accuracy", "memory")
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


def _run_line(res: dict[str, Any]) -> str:
    m = res.get("machine", {})
    c = res.get("corpus", {})
    pin = res.get("speed", {}).get("pinning", {})
    pin_s = f"pinned to CPU {pin['cpu']}" if pin.get("pinned") else "not pinned"
    return (
        f"_{res.get('mode', '?')} run {res.get('created', '?')}, {c.get('n_pages', '?')} pages "
        f"({_fmt((c.get('bytes') or 0) / 1e6, 1)} MB), corpus `{(c.get('digest') or '')[:19]}`, "
        f"Python {m.get('python', '?')}, {m.get('cpu_model', '?')}, {pin_s}, "
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
        out.append(
            f"Scaling (body content repeated 1×/4×/16× on {len(sc.get('pages', []))} pages): "
            f"`linkguard.scan` time 16×/1× median **{_fmt(sc.get('scan_ratio_median'))}**, "
            f"max {_fmt(sc.get('scan_ratio_max'))} (target ≤ {sc.get('target_max')}); "
            f"parse floor {_fmt(sc.get('floor_ratio_median'))}."
        )
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


def accuracy_md(res: dict[str, Any]) -> str:
    acc = res.get("accuracy") or {}
    out: list[str] = []
    lab = acc.get("labelled") or {}
    corpus = acc.get("corpus") or {}
    if lab.get("tools"):
        out.append(f"Labelled split `{lab.get('split')}`: {lab['n_pages']} pages, {lab['n_spam_pages']} with spam.")
        out.append("")
        rows = []
        for name, t in lab["tools"].items():
            o = t["overall"]
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
                    _pct(get_path(corpus, f"{name}.false_alarm_rate")),
                ]
            )
        out.append(
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
                    "corpus false alarms",
                ],
                rows,
            )
        )
        fam = get_path(lab, "tools.linkguard.groups.family") or {}
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
            ]
            out += [
                "",
                "`linkguard` per payload family:",
                "",
                table(["family", "pages", "page R", "seg P", "seg R", "spam-link recall"], rows),
            ]
        worst = get_path(lab, "tools.linkguard.worst_groups") or []
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
                "Worst groups (`linkguard`):",
                "",
                table(
                    ["group", "kind", "pages", "score", "page R", "seg R", "false pos. pages"],
                    rows,
                    "llrrrrr",
                ),
            ]
    else:
        out.append(f"_Labelled accuracy not measured: {lab.get('error', 'not run')}._")
    lg = corpus.get("linkguard")
    if lg:
        out += [
            "",
            f"Real corpus ({corpus['n_pages']} pages not labelled spam): `linkguard` flags "
            f"{lg['false_alarm_pages']} ({_pct(lg['false_alarm_rate'])}), including "
            f"{lg['hard_negatives_flagged']}/{lg['n_hard_negatives']} hand-checked hard negatives; "
            f"keyword regex {corpus['keyword_regex']['false_alarm_pages']}, "
            f"jusText {corpus['justext']['false_alarm_pages']}. Hand-labelled real spam pages found: "
            f"{lg['known_spam_found']}/{lg['n_known_spam']}.",
        ]
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
            f"lexicon {_fmt(ld.get('lexicon_s'), 4)} s, tldextract {_fmt(ld.get('tldextract_s'), 4)} s; "
            f"import to first scan result {_fmt(ld.get('import_to_first_result_s'), 3)} s. "
            f"Target: peak RSS < {mem.get('target_peak_rss_mb')} MB."
        )
    return "\n".join(out)


RENDERERS = {"speed": speed_md, "accuracy": accuracy_md, "memory": memory_md}


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


def update_readme(res: dict[str, Any], readme: Path, fallback: Path) -> dict[str, str]:
    """Rewrite the marked README regions; regions without markers go to ``fallback``."""
    bodies = {name: RENDERERS[name](res) for name in REGIONS}
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
        missing = list(REGIONS)
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
