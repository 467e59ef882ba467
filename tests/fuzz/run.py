"""Long fuzz run, outside the default tests: ``python -m tests.fuzz.run --inputs 100000``.

Feeds fast pseudo-random inputs (bytes, text, mutated HTML, deep nesting, absurd
links) through scan/strip/score_records and counts crashes: any exception other
than ``linkguard.InputError``.  Writes benchmarks/results/fuzz.json with the
inputs tried, the crashes, and the slowest input's seconds per KB.

Scans run on the compiled core when it is built (``LINKGUARD_PURE=1`` for the
reference path); every other input is scanned with the prescreen on.  ``--compare`` also
segments every text input with both, builds its link tables, features and the prescreen's
fold and link evidence with both, and counts the pages where they differ.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import traceback
from pathlib import Path
from typing import Any

import linkguard
from linkguard import Config, InputError, _compiled, _features, _prescreen, _segment
from linkguard._domains import page_domain, split_host
from linkguard._model import default_model

_ROOT = Path(__file__).resolve().parents[2]
_HREFS = ["javascript:x", "http://[::1]/", "http://999.1.1.1/", "http://[broken", "//", "http://", "h" * 3000]
_TAGS = ["div", "p", "a", "span", "ul", "li", "table", "td", "b", "font", "script", "style", "select", "option"]
_WORDS = "the news casino slot gacor judi viagra 東京 погода loans essay online www.x.com http://a.b/c".split()


def _html(rng: random.Random) -> str:
    out: list[str] = []
    for _ in range(rng.randint(0, 60)):
        r = rng.random()
        tag = rng.choice(_TAGS)
        if r < 0.35:
            out.append(f"<{tag}>")
        elif r < 0.55:
            out.append(f"</{tag}>")
        elif r < 0.7:
            out.append(f"<a href='{rng.choice(_HREFS)}' style='display:none'>")
        else:
            out.append(" ".join(rng.choices(_WORDS, k=rng.randint(1, 8))))
    if rng.random() < 0.05:
        out.insert(0, f"<{rng.choice(_TAGS)}>" * rng.randint(100, 3000))
    if rng.random() < 0.1:
        out.append("</html>" + "".join(out[: len(out) // 2]))
    return "".join(out)


def _input(rng: random.Random) -> str | bytes:
    kind = rng.random()
    if kind < 0.2:
        return rng.randbytes(rng.randint(0, 2000))
    if kind < 0.35:
        return "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(0, 300)))
    page = _html(rng)
    if kind < 0.5:
        data = bytearray(page.encode(rng.choice(["utf-8", "utf-16", "cp1251", "gb18030", "shift_jis"]), "replace"))
        for _ in range(rng.randint(0, 5)):
            if data:
                data[rng.randrange(len(data))] = rng.randint(0, 255)
        return bytes(data)
    return page


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--inputs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=_ROOT / "benchmarks" / "results" / "fuzz.json")
    ap.add_argument("--compare", action="store_true", help="segment text inputs with the core and the reference too")
    args = ap.parse_args(argv)
    if args.compare and _compiled.core is None:
        ap.error("--compare needs the compiled core (it is not built, or LINKGUARD_PURE is set)")
    mismatches: list[dict[str, str]] = []
    compared = 0
    rng = random.Random(args.seed)
    # Every other input goes through the opt-in prescreen, whose screen has compiled parts too.
    configs = (Config(max_bytes=1 << 20), Config(max_bytes=1 << 20, prescreen=True))
    cfg = configs[0]
    crashes: list[dict[str, str]] = []
    slowest = (0.0, 0.0, 0)  # (s/KB, seconds, bytes)
    tried = 0
    start = time.time()
    records: list[Any] = []  # mappings and non-mappings mixed on purpose: score_records must cope
    for i in range(args.inputs):
        page = _input(rng)
        tried += 1
        t = time.perf_counter()
        try:
            report = linkguard.scan(page, mode=rng.choice(["auto", "html", "text"]), config=configs[i % 2])
            if report.page_label != "spam_page":  # a spam page's strip raises SpamPageError, by design
                report.clean_html()
            report.to_dict()
            assert all(s.label in ("content", "spam") and 0.0 <= s.score <= 1.0 for s in report.segments)
        except InputError:
            pass
        except Exception as exc:
            crashes.append(
                {
                    "input": repr(page)[:500],
                    "error": f"{type(exc).__name__}: {exc}"[:300],
                    "traceback": traceback.format_exc()[-1500:],
                }
            )
        dt = time.perf_counter() - t
        size_kb = max(len(page) / 1024, 1.0)  # below 1 KB the fixed per-call cost dominates: count 1 KB
        if dt / size_kb > slowest[0] and dt > 0.001:
            slowest = (dt / size_kb, dt, len(page))
        if args.compare and isinstance(page, str):
            compared += 1
            shown = repr(page)
            try:
                same = _same_segments(page)
            except Exception as exc:
                same = False
                shown = f"{shown}: {type(exc).__name__}: {exc}"
            if not same:
                mismatches.append({"input": shown[:500]})
        records.append(rng.choice([{"id": i, "html": page}, page, {"id": i}, None, {"id": i, "html": 5}]))
        if len(records) == 50:
            rows = list(linkguard.score_records(records, batch_size=16, config=cfg))
            if len(rows) != len(records):
                crashes.append({"input": "score_records batch", "error": f"{len(rows)} rows for {len(records)}"})
            records = []
        if (i + 1) % 10_000 == 0:
            print(f"{i + 1} inputs, {len(crashes)} crashes, {time.time() - start:.0f} s", flush=True)
    result = {
        "inputs_tried": tried,
        "path": "compiled core" if _compiled.core is not None else "pure Python",
        "crashes": len(crashes),
        "crash_examples": crashes[:20],
        "slowest_seconds_per_kb": round(slowest[0], 6),
        "slowest_seconds": round(slowest[1], 4),
        "slowest_input_chars": slowest[2],
        "seconds_total": round(time.time() - start, 1),
        "seed": args.seed,
    }
    if args.compare:
        result["compared_with_reference"] = compared
        result["segment_mismatches"] = len(mismatches)
        result["mismatch_examples"] = mismatches[:20]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    print(json.dumps({k: v for k, v in result.items() if not k.endswith("_examples")}))
    return 1 if crashes or mismatches else 0


_FIELDS = _segment.PLAIN_FIELDS


def _same_segments(page: str) -> bool:
    """The core's segments of ``page`` equal the reference's (fields and node counts), and so do the
    link tables and feature matrices read from them."""
    assert _compiled.core is not None
    cfg = Config()
    ref = _segment.segment_html(page, max_nodes=cfg.max_nodes, max_links=cfg.max_links)
    nat = _compiled.core.segment_html(page, max_nodes=cfg.max_nodes, max_links=cfg.max_links)

    def key(p: _segment.Page) -> list[tuple[object, ...]]:
        nodes = [(len(s.nodes), len(s.texts), s.whole_block is None, s.hidden_root is None) for s in p.segments]
        return [(*(getattr(s, f) for f in _FIELDS), *n) for s, n in zip(p.segments, nodes, strict=True)]

    if not (ref.truncated == nat.truncated and ref.base_url == nat.base_url and key(ref) == key(nat)):
        return False
    # The link tables read from those segments, against the page's own base and a page URL.
    for base in (ref.base_url, "https://www.example.com/dir/page.html"):
        home = _features.page_home(ref, base)[0]
        if _features.link_table(nat.segments, base, home) != _features._link_table(ref.segments, base, home):
            return False
    # The feature matrix of those segments: text statistics, the normaliser's screen, brand and
    # word-list hits, link statistics, the text model's scores.
    text_model = default_model().text
    native_x = _features.page_features([nat], [None], text_model)[0]
    saved = _compiled.core
    _compiled.core = None
    try:
        pure_x = _features.page_features([ref], [None], text_model)[0]
    finally:
        _compiled.core = saved
    if native_x.tobytes() != pure_x.tobytes():
        return False
    # The prescreen's compiled parts: its fold of the page's words and its link evidence.
    words = "\n".join([seg.text for seg in ref.segments] + [h for seg in ref.segments for h in seg.links])
    if _prescreen._folded(words) != _prescreen._fold_reference(words):
        return False
    for url in (None, "https://www.example.com/dir/page.html"):
        home = page_domain(url) or page_domain(ref.base_url)
        base = url or ref.base_url
        reference = _prescreen._link_evidence_reference(ref.segments, home, split_host(base) if base else "")
        if _prescreen._link_evidence(nat, url) != reference:
            return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
