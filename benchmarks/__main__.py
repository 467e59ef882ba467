"""``python -m benchmarks``: speed, memory, batch scoring and accuracy against baselines, in one run.

    python -m benchmarks                 full run (all corpus pages; several minutes): writes
                                         results/latest.json, the plots and the README tables
    python -m benchmarks --quick         60-page speed subset, smaller scaling, memory and batch runs,
                                         no Spark (the CI gate; a few minutes); writes only to
                                         results/quick/ (git-ignored), never to tracked files
    python -m benchmarks --update [--quick]   floors in baseline.json from that profile's latest.json
    python -m benchmarks --update --allow-regression --reason "..."   ... even when a floor goes
                                         down; every lowered bound is appended to FLOOR_CHANGES.md
    python -m benchmarks --update --only-bounds A,B ...   set those bounds alone (the others stay)
    python -m benchmarks --readme-only   README tables from results/latest.json (no run)

Exit status: 0 when the quality gate passes (or ``--no-gate``), 1 when it fails, 2 on a
refused ``--update`` or a usage error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from benchmarks import RESULTS_SCHEMA, gate, report
from benchmarks.corpus import REPO, corpus_dir, digest, load_pages, quick_subset, read_manifest

PACKAGES = (
    "linkguard",
    "selectolax",
    "resiliparse",
    "jusText",
    "trafilatura",
    "lxml",
    "numpy",
    "scikit-learn",
    "tldextract",
    "ahocorasick-rs",
    "charset-normalizer",
    "psutil",
    "matplotlib",
)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _scan_path() -> str:
    """Which implementation the timed scans ran on: the figures differ several-fold."""
    from linkguard import _compiled

    return "compiled core" if _compiled.core is not None else "pure Python"


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_model": cpu,
        "cpu_count": os.cpu_count(),
        "scan_path": _scan_path(),
    }
    try:
        import psutil  # type: ignore[import-untyped]

        info["memory_total_gb"] = round(psutil.virtual_memory().total / 1e9, 1)
    except ImportError:
        pass
    if hasattr(os, "getloadavg"):
        info["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    return info


def compile_bytecode() -> dict[str, Any]:
    """Write the package's bytecode before any fresh process is timed, as ``pip install`` does.

    An editable install leaves it to the first import, and with ``PYTHONDONTWRITEBYTECODE`` set
    (as on some build machines) no import ever writes it: every fresh process would compile
    every module of the package again, start-up no installed copy pays.
    """
    import compileall

    import linkguard

    pkg = Path(linkguard.__file__).parent
    t = time.perf_counter()
    ok = compileall.compile_dir(pkg, quiet=1)
    return {
        "ok": bool(ok),
        "seconds": round(time.perf_counter() - t, 3),
        "env_dont_write_bytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
    }


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_info() -> dict[str, Any]:
    def run(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False).stdout.strip()

    return {
        "commit": run("rev-parse", "HEAD") or None,
        "dirty": bool(run("status", "--porcelain", "--", "linkguard")),
    }


def model_info() -> dict[str, Any]:
    from linkguard._model import DEFAULT_MODEL

    raw = (resources.files("linkguard") / "data" / "model" / DEFAULT_MODEL).read_bytes()
    meta = json.loads(raw).get("metadata") or {}
    return {
        "file": DEFAULT_MODEL,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "name": meta.get("name"),
        "training_data_sha256": meta.get("training_data_sha256"),
        "placeholder": bool(meta.get("placeholder")) or not meta.get("train_pages"),
    }


def targets(res: dict[str, Any]) -> dict[str, Any]:
    from benchmarks.speed import SCALING_TARGET

    g = gate.get_path

    def t(value: Any, ok: Any) -> dict[str, Any]:
        return {"value": value, "met": bool(ok(value)) if value is not None else None}

    return {
        "scan ≥ 0.5× parse floor": t(g(res, "speed.ratios.scan_vs_parse_floor"), lambda v: v >= 0.5),
        "scan ≥ 20× trafilatura": t(g(res, "speed.ratios.scan_vs_trafilatura"), lambda v: v >= 20),
        "prescreen ≥ 0.8× parse floor": t(g(res, "speed.ratios.prescreen_vs_parse_floor"), lambda v: v >= 0.8),
        f"16× page ≤ {SCALING_TARGET}× time": t(
            g(res, "speed.scaling.scan_ratio_median"), lambda v: v <= SCALING_TARGET
        ),
        "peak RSS scan < 300 MB": t(g(res, "memory.scan.peak_rss_mb"), lambda v: v < 300),
        "peak RSS scan_many < 300 MB": t(g(res, "memory.scan_many.peak_rss_mb"), lambda v: v < 300),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="subset run for the quality gate")
    ap.add_argument("--corpus", help="corpus dir (default: $LINKGUARD_CORPUS or ../shared/corpus)")
    ap.add_argument("--pages", type=int, help="number of corpus pages (default: all; --quick: 60)")
    ap.add_argument("--rounds", type=int, help="timing rounds per page (default 3)")
    ap.add_argument("--split", default="test", help="labelled split for accuracy (default: test)")
    ap.add_argument("--labelled-limit", type=int, help="labelled pages at most (default: all; --quick: 250)")
    ap.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["speed", "memory", "batch", "spark", "accuracy", "hosts", "plots", "readme"],
        help="leave a part out (repeatable)",
    )
    ap.add_argument(
        "--only",
        choices=["hosts"],
        help="run this part alone and put it into the profile's results/latest.json, keeping the other parts",
    )
    ap.add_argument("--profile", action="store_true", help="cProfile linkguard.scan (always on in a full run)")
    ap.add_argument("--no-gate", action="store_true", help="report the gate but exit 0")
    ap.add_argument("--update", action="store_true", help="set floors from results/latest.json (no run)")
    ap.add_argument(
        "--readme-only", action="store_true", help="rewrite the README tables from results/latest.json (no run)"
    )
    ap.add_argument("--allow-regression", action="store_true", help="with --update: allow lowering floors")
    ap.add_argument("--reason", help="with --allow-regression: why the floors go down (recorded in FLOOR_CHANGES.md)")
    ap.add_argument(
        "--only-bounds",
        help="with --update: comma-separated bounds to set from the run; every other bound stays as it is",
    )
    ap.add_argument("--baseline", type=Path, default=gate.BASELINE_PATH)
    ap.add_argument("--results-dir", type=Path, help="default: results/ (full), results/quick/ (--quick)")
    ap.add_argument("--readme", type=Path, default=REPO / "README.md")
    args = ap.parse_args(argv)
    if args.results_dir is None:
        args.results_dir = report.RESULTS_DIR / "quick" if args.quick else report.RESULTS_DIR
    if args.quick:
        # A quick run is a gate, not a publication: tracked tables and plots stay as the last full run left them.
        args.skip = sorted({*args.skip, "readme", "plots"})
    return args


def do_update(args: argparse.Namespace) -> int:
    latest = args.results_dir / "latest.json"
    if not latest.is_file():
        log(f"benchmarks: {latest} not found; run the suite first")
        return 2
    res = json.loads(latest.read_text("utf-8"))
    profile = res.get("mode", "full")
    only = [m.strip() for m in args.only_bounds.split(",") if m.strip()] if args.only_bounds else None
    try:
        new, loosened = gate.propose(
            res, gate.load_baseline(args.baseline), profile, allow_regression=args.allow_regression, only=only
        )
    except ValueError as exc:
        log(f"benchmarks: {exc}")
        return 2
    if loosened and not args.allow_regression:
        log("benchmarks: refusing to lower floors (pass --allow-regression --reason '...' to accept):")
        for line in loosened:
            log(f"  {line}")
        return 2
    if loosened and not (args.reason or "").strip():
        log("benchmarks: lowering floors needs --reason '...' (it is recorded in benchmarks/FLOOR_CHANGES.md)")
        return 2
    if loosened:
        gate.record_lowered(loosened, profile, args.reason or "", res)
    gate.save_baseline(new, args.baseline)
    n = sum(len(v) for v in new["profiles"][profile].values())
    log(
        f"benchmarks: {args.baseline} updated, profile {profile!r}: {n} bounds"
        + (f" ({len(loosened)} loosened)" if loosened else "")
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.update:
        return do_update(args)
    if args.readme_only:
        latest = args.results_dir / "latest.json"
        if not latest.is_file():
            log(f"benchmarks: {latest} not found; run the suite first")
            return 2
        res: dict[str, Any] = json.loads(latest.read_text("utf-8"))
        # Targets are judged again from the stored values, so a changed target shows without a rerun.
        res["targets"] = targets(res)
        if res.get("batch"):
            from benchmarks.batch import targets as batch_targets

            res["batch"]["targets"] = batch_targets(res["batch"])
        report.write_json(latest, res)
        where = report.update_readme(res, args.readme, args.results_dir / "tables.md")
        log(f"benchmarks: tables from {latest} written to {sorted(set(where.values()))}")
        return 0
    t_start = time.perf_counter()
    mode = "quick" if args.quick else "full"
    root = corpus_dir(args.corpus)
    bytecode = compile_bytecode()
    if args.only:
        return run_only(args, root, mode, t_start)
    rows = read_manifest(root)
    n_pages = args.pages or (60 if args.quick else None)
    sub = quick_subset(rows, n_pages) if n_pages else rows
    rounds = args.rounds or 3
    labelled_limit = args.labelled_limit or (250 if args.quick else None)
    from benchmarks.speed import pin_one_core

    pinning = pin_one_core()
    res = {
        "schema": RESULTS_SCHEMA,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": mode,
        "argv": sys.argv[1:] if argv is None else argv,
        "machine": {**machine_info(), "bytecode": bytecode},
        "packages": package_versions(),
        "git": git_info(),
        "model": model_info(),
        "corpus": {
            "dir": str(root),
            "digest": digest(rows),
            "n_pages_total": len(rows),
            "n_pages": len(sub),
            "bytes": sum(r["bytes"] for r in sub),
            "subset_digest": digest(sub),
            "selection": "all" if sub is rows else f"quick_subset({n_pages})",
        },
    }
    log(f"benchmarks: {mode} run, {len(sub)} pages from {root}, {pinning}")
    pages = load_pages(root, sub)
    per_page = None
    if "speed" not in args.skip:
        from benchmarks.speed import run_scaling, run_speed

        log("speed: timing linkguard and baselines ...")
        speed, per_page = run_speed(pages, rounds=rounds, log=log)
        speed["pinning"] = pinning
        log("speed: scaling 1x/4x/16x ...")
        speed["scaling"] = run_scaling(pages, n_pages=3 if args.quick else 5, repeats=3)
        res["speed"] = speed
    if "memory" not in args.skip:
        from benchmarks.memory import run_memory

        log("memory: fresh subprocesses ...")
        res["memory"] = run_memory(
            root, None if sub is rows else [r["path"] for r in sub], load_repeats=2 if args.quick else 3
        )
    if "batch" not in args.skip:
        from benchmarks.batch import run_batch

        log("batch: CLI on WARC files, --jobs, CLI peak RSS" + (", Spark" if mode == "full" else "") + " ...")
        res["batch"] = run_batch(
            root,
            sub,
            quick=args.quick,
            spark="spark" not in args.skip,
            cpus=pinning.get("allowed_cpus"),
            scan_many_vs_scan=gate.get_path(res, "speed.ratios.scan_many_vs_scan"),
            log=log,
        )
    if "accuracy" not in args.skip:
        from benchmarks import accuracy

        log(f"accuracy: building labelled split {args.split!r} ...")
        acc: dict[str, Any] = {}
        labelled, why = accuracy.load_labelled(args.split, root)
        if labelled is None:
            log(f"accuracy: {why}")
            acc["labelled"] = {"error": why, "split": args.split}
        else:
            log(f"accuracy: {len(labelled)} labelled pages (limit {labelled_limit})")
            lab = accuracy.run_labelled(labelled, limit=labelled_limit, log=log)
            lab_pages, lab_labels = lab.pop("pages"), lab.pop("page_labels")
            acc["labelled"] = {"split": args.split, **lab}
            log("accuracy: page verdicts (spam pages, about-the-topic pages) ...")
            extra, why = accuracy.load_labelled(f"pages:{args.split}", root)
            extra = extra or []
            if args.quick and labelled_limit is not None:
                extra = accuracy.stable_sample(extra, labelled_limit)
            extra_labels = accuracy.page_labels_of(extra)
            hosts = accuracy.host_page_labels(lab_pages + extra, root)
            acc["page_verdicts"] = accuracy.page_verdicts(lab_pages + extra, lab_labels + extra_labels, hosts)
            if why:
                acc["page_verdicts"]["note"] = why
            log("accuracy: one planted link among the page's own ...")
            single, why = accuracy.load_labelled(f"single_links:{args.split}", root)
            acc["single_links"] = accuracy.run_single_links(single or []) if single else {"error": why}
            log("accuracy: obfuscation suite ...")
            acc["obfuscation"] = accuracy.run_obfuscation(labelled, limit=40 if args.quick else None, log=log)
        if not args.quick:
            # Real payloads collected after the model's data was fixed, never trained on.
            held, why = accuracy.load_labelled("unseen", root)
            if held is None:
                acc["unseen"] = {"error": why}
            else:
                log(f"accuracy: {len(held)} pages with held-back payloads")
                acc["unseen"] = accuracy.run_labelled(held, log=log)
                # The figures only: the built pages are corpus pages, kept out of the results file.
                acc["unseen"].pop("pages")
                acc["unseen"].pop("page_labels")
        log("accuracy: false alarms on the real corpus ...")
        # Every corpus page, also in a quick run: the carved-out pages are the false-alarm figure.
        all_pages = pages if sub is rows else load_pages(root, rows)
        roles = accuracy.corpus_roles(root)
        acc["corpus"] = accuracy.run_corpus_false_alarms(all_pages, roles)
        if labelled is not None:
            log("accuracy: what the prescreen clears and loses ...")
            acc["prescreen"] = accuracy.run_prescreen(lab_pages + extra, lab_labels + extra_labels, all_pages, roles)
        res["accuracy"] = acc
    if "hosts" not in args.skip:
        from benchmarks.hosts import run_hosts

        log("hosts: generated crawl, host view, campaigns" + (", Spark" if mode == "full" else "") + " ...")
        res["hosts"] = run_hosts(root, quick=args.quick, spark="spark" not in args.skip, log=log)
    if args.profile or (mode == "full" and "speed" not in args.skip):
        from benchmarks.hotspots import profile_scan

        log("profile: cProfile of linkguard.scan ...")
        res["profile"] = profile_scan(pages)
    res["targets"] = targets(res)
    if hasattr(os, "getloadavg"):
        res["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    res["gate"] = gate.check(res, gate.load_baseline(args.baseline), mode)
    res["elapsed_s"] = round(time.perf_counter() - t_start, 1)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    report.write_json(args.results_dir / "latest.json", res)
    if "readme" not in args.skip:
        where = report.update_readme(res, args.readme, args.results_dir / "tables.md")
        log(f"tables: {where}")
    if "plots" not in args.skip:
        from benchmarks import plots

        made = []
        if per_page is not None:
            made.append(plots.throughput_vs_size(per_page, res.get("speed", {}).get("scaling"), args.results_dir))
        fam = plots.per_family(res.get("accuracy", {}).get("labelled", {}), args.results_dir)
        if fam:
            made.append(fam)
        log(f"plots: {[str(p) for p in made]}")
    return finish(res, args)


def run_only(args: argparse.Namespace, root: Path, mode: str, t_start: float) -> int:
    """One part run alone, merged into the profile's latest.json (other parts as the last run left them)."""
    latest = args.results_dir / "latest.json"
    if not latest.is_file():
        log(f"benchmarks: --only needs a previous {latest}; run the suite first")
        return 2
    res = json.loads(latest.read_text("utf-8"))
    if res.get("mode") != mode:
        log(f"benchmarks: {latest} is a {res.get('mode')} run; --only {args.only} must use the same profile")
        return 2
    from benchmarks.hosts import run_hosts

    log(f"benchmarks: {mode} run of '{args.only}' alone, merged into {latest}")
    res["hosts"] = run_hosts(root, quick=args.quick, spark="spark" not in args.skip, log=log)
    res.setdefault("parts_updated", {})[args.only] = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git": git_info(),
        "elapsed_s": round(time.perf_counter() - t_start, 1),
    }
    res["gate"] = gate.check(res, gate.load_baseline(args.baseline), mode)
    report.write_json(latest, res)
    if "readme" not in args.skip:
        where = report.update_readme(res, args.readme, args.results_dir / "tables.md", regions=(args.only,))
        log(f"tables: {where}")
    return finish(res, args)


def finish(res: dict[str, Any], args: argparse.Namespace) -> int:
    """Print the summary and the gate's verdict; the exit status (0 when ``--no-gate``)."""
    summary(res)
    if not res["gate"]["passed"]:
        log("GATE FAILED:" + "".join(f"\n  {p}" for p in res["gate"]["problems"]))
        return 0 if args.no_gate else 1
    log("gate passed")
    return 0


def summary(res: dict[str, Any]) -> None:
    g = gate.get_path
    lines = [f"== {res['mode']} run, {res['corpus']['n_pages']} pages, {res.get('elapsed_s')} s =="]
    for name, t in (g(res, "speed.tools") or {}).items():
        a = t.get("all", {})
        lines.append(
            f"  {name:24s} {a.get('pages_per_s')!s:>8} pages/s {a.get('mb_per_s')!s:>8} MB/s  "
            f"median {a.get('median_ms')} ms  p99 {a.get('p99_ms')} ms  x floor {a.get('x_parse_floor')}  "
            f"x traf {a.get('x_trafilatura')}"
        )
    lg = g(res, "accuracy.labelled.tools.linkguard.overall")
    if lg:
        lines.append(
            f"  linkguard page P/R/F1 {lg['page']['precision']}/{lg['page']['recall']}/{lg['page']['f1']}  "
            f"seg P/R/F1 {lg['segment']['precision']}/{lg['segment']['recall']}/{lg['segment']['f1']}  "
            f"spam-link recall {lg['spam_link_recall']}"
        )
    fa = g(res, "accuracy.corpus.linkguard")
    if fa:
        lines.append(
            f"  corpus false alarms {fa['false_alarm_pages']}/{res['accuracy']['corpus']['n_pages']}, "
            f"known spam found {fa['known_spam_found']}/{fa['n_known_spam']}"
        )
    h = res.get("hosts") or {}
    if h.get("host"):
        ti = h["host"]["template_injection"]
        lines.append(
            f"  hosts: template injection P/R {ti['precision']}/{ti['recall']}, page recall single "
            f"{h['page']['single_page_recall']} -> host pass {h['page']['host_pass_recall']}, campaigns pairwise "
            f"P/R {h['campaigns']['pairwise']['precision']}/{h['campaigns']['pairwise']['recall']}, "
            f"memory 1x->max {h.get('memory_ratio')}, Spark = CLI: {(h.get('spark') or {}).get('equal')}"
        )
    b = res.get("batch") or {}
    if b.get("skipped"):
        lines.append(f"  batch: skipped ({b['skipped']})")
    for k, v in (b.get("ratios") or {}).items():
        lines.append(f"  batch {k}: {v}")
    for k, v in (res.get("targets") or {}).items():
        lines.append(f"  target {k}: {v['value']} -> {'met' if v['met'] else 'NOT met'}")
    for k, v in (b.get("targets") or {}).items():
        met = "not measured" if v["met"] is None else "met" if v["met"] else "NOT met"
        lines.append(f"  target {k}: {v['value']} -> {met}")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
