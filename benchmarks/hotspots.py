"""cProfile of ``linkguard.scan`` over corpus pages: the top functions by own time."""

from __future__ import annotations

import cProfile
import pstats
from typing import Any

import linkguard
from benchmarks.corpus import CorpusPage


def profile_scan(pages: list[CorpusPage], *, top: int = 25) -> dict[str, Any]:
    linkguard.scan(pages[0].text, pages[0].url)
    prof = cProfile.Profile()
    prof.enable()
    for p in pages:
        linkguard.scan(p.text, p.url)
    prof.disable()
    st = pstats.Stats(prof)
    total = st.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        short = file.split("/site-packages/")[-1].split("/work/main/")[-1]
        rows.append(
            {
                "function": f"{short}:{line}({func})",
                "calls": nc,
                "own_s": round(tt, 4),
                "own_share": round(tt / total, 4) if total else None,
                "cum_s": round(ct, 4),
                "cum_share": round(ct / total, 4) if total else None,
            }
        )
    by_own = sorted(rows, key=lambda r: -r["own_s"])[:top]
    by_cum = [r for r in sorted(rows, key=lambda r: -r["cum_s"]) if "linkguard/" in r["function"]][:top]
    return {
        "n_pages": len(pages),
        "total_s": round(total, 3),
        "note": "cProfile overhead inflates Python-level calls; shares are indicative",
        "top_own_time": by_own,
        "top_linkguard_cumulative": by_cum,
    }
