"""Peak RSS and load time, each measured in a fresh subprocess.

The child reads the corpus page by page from disk (bytes, as a crawler would hand them
over), so the peak is linkguard's working set plus one page, not the whole corpus in memory.
Run as ``python -m benchmarks.memory CHILD-MODE --corpus DIR [--paths FILE]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    """Current RSS (Linux /proc), MB."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        import psutil  # type: ignore[import-untyped]

        return float(psutil.Process().memory_info().rss) / 1e6


def _peak_mb() -> float:
    """Peak RSS of this process, MB.

    Linux: ``VmHWM`` from /proc, because ``ru_maxrss`` survives ``exec`` and would report the
    parent's peak at fork time when that is higher.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def _child(mode: str, root: Path, rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"mode": mode, "rss_start_mb": round(_rss_mb(), 1)}
    if mode in ("load", "first_scan"):
        t0 = time.perf_counter()
        import linkguard

        out["import_s"] = time.perf_counter() - t0
        out["rss_after_import_mb"] = round(_rss_mb(), 1)
        if mode == "load":
            from linkguard._domains import host_info
            from linkguard._lexicon import lexicon
            from linkguard._suffixes import _rules

            t = time.perf_counter()
            linkguard.default_model()
            out["model_s"] = time.perf_counter() - t
            t = time.perf_counter()
            lexicon()
            out["lexicon_s"] = time.perf_counter() - t
            t = time.perf_counter()
            _rules()
            host_info("www.example.co.uk")
            out["suffix_list_s"] = time.perf_counter() - t
        t = time.perf_counter()
        linkguard.scan(
            '<p>A paragraph with a <a href="http://www.example.co.uk/x">link</a>.</p>', "https://example.com/"
        )
        out["first_scan_s"] = time.perf_counter() - t
        out["import_to_first_result_s"] = time.perf_counter() - t0
        out["rss_after_mb"] = round(_rss_mb(), 1)
        return out
    if mode != "floor":
        import linkguard

        linkguard.scan("<p>warm</p>", "https://example.com/")
    out["rss_loaded_mb"] = round(_rss_mb(), 1)

    def items() -> Iterator[tuple[bytes, str | None]]:
        for r in rows:
            with gzip.open(root / r["path"]) as fh:
                data = fh.read()
            yield data, r.get("url")

    t = time.perf_counter()
    n = flagged = 0
    if mode == "scan":
        for raw, url in items():
            flagged += linkguard.scan(raw, url).is_spam
            n += 1
    elif mode == "scan_many":
        for rep in linkguard.scan_many(items()):
            flagged += rep.is_spam
            n += 1
    elif mode == "floor":
        from selectolax.lexbor import LexborHTMLParser

        for raw, _ in items():
            tree = LexborHTMLParser(raw)
            [a.attributes.get("href") for a in tree.css("a[href]")]
            if tree.body is not None:
                tree.body.text()
            n += 1
    else:
        raise SystemExit(f"unknown mode {mode}")
    out.update(
        n_pages=n,
        flagged=flagged,
        seconds=round(time.perf_counter() - t, 2),
        peak_rss_mb=round(_peak_mb(), 1),
        rss_end_mb=round(_rss_mb(), 1),
    )
    return out


def _spawn(mode: str, root: Path, paths: list[str] | None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.memory", mode, "--corpus", str(root)]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        if paths is not None:
            fh.write("\n".join(paths))
            cmd += ["--paths", fh.name]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=1800, check=False)
    finally:
        os.unlink(fh.name)
    if proc.returncode != 0:
        return {"mode": mode, "error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run_memory(root: Path, paths: list[str] | None, *, load_repeats: int = 3) -> dict[str, Any]:
    """Peak RSS of scan / scan_many / the parse floor over the pages; load time (median of repeats)."""
    out: dict[str, Any] = {"method": "fresh subprocess each; peak = VmHWM (ru_maxrss off Linux); pages read one by one"}
    for mode in ("scan", "scan_many", "floor"):
        out[mode] = _spawn(mode, root, paths)
    loads = [_spawn("load", root, None) for _ in range(load_repeats)]
    firsts = [_spawn("first_scan", root, None) for _ in range(load_repeats)]
    med: dict[str, Any] = {}
    for key in ("rss_after_import_mb", "import_s", "model_s", "lexicon_s", "suffix_list_s", "first_scan_s"):
        vals = [d[key] for d in loads if key in d]
        if vals:
            med[key] = round(statistics.median(vals), 4)
    vals = [d["import_to_first_result_s"] for d in firsts if "import_to_first_result_s" in d]
    if vals:
        med["import_to_first_result_s"] = round(statistics.median(vals), 4)
        med["first_scan_cold_s"] = round(statistics.median(d["first_scan_s"] for d in firsts), 4)
    med["rss_after_first_scan_mb"] = firsts[0].get("rss_after_mb") if firsts else None
    med["repeats"] = load_repeats
    out["load"] = med
    out["target_peak_rss_mb"] = 300
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    ap.add_argument("mode", choices=["scan", "scan_many", "floor", "load", "first_scan"])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--paths", help="file with one manifest path per line (default: whole corpus)")
    args = ap.parse_args(argv)
    root = Path(args.corpus)
    rows: list[dict[str, Any]] = []
    if args.mode not in ("load", "first_scan"):
        with (root / "manifest.jsonl").open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        if args.paths:
            keep = set(Path(args.paths).read_text("utf-8").split("\n"))
            rows = [r for r in rows if r["path"] in keep]
    print(json.dumps(_child(args.mode, root, rows)))


if __name__ == "__main__":
    main()
