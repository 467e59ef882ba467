"""PNG plots (matplotlib, Agg backend): throughput vs page size, precision/recall per family."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

PLOT_TOOLS = ("linkguard.scan", "parse_floor", "resiliparse", "justext", "trafilatura", "keyword_regex")


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def throughput_vs_size(per_page: dict[str, Any], scaling: dict[str, Any] | None, out: Path) -> Path:
    plt = _plt()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    kb = [b / 1024 for b in per_page["bytes"]]
    for name in PLOT_TOOLS:
        times = per_page["times"].get(name)
        if not times:
            continue
        mbs = [b / 1e6 / t if t > 0 else float("nan") for b, t in zip(per_page["bytes"], times, strict=True)]
        ax.scatter(kb, mbs, s=8, alpha=0.6, label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("page size (KB, uncompressed)")
    ax.set_ylabel("throughput (MB/s, one core)")
    ax.set_title("Throughput per page vs page size")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    if scaling and scaling.get("pages"):
        factors = scaling["factors"]
        for row in scaling["pages"]:
            base = row["linkguard.scan"][f"{factors[0]}x_ms"]
            ax2.plot(
                factors,
                [row["linkguard.scan"][f"{f}x_ms"] / base for f in factors],
                marker="o",
                label=f"{Path(row['path']).name[:28]} ({row['bytes_1x'] // 1024} KB)",
            )
        ax2.plot(factors, factors, "k--", label="linear")
        ax2.set_xscale("log", base=2)
        ax2.set_yscale("log", base=2)
        ax2.set_xlabel("body content repeated (×)")
        ax2.set_ylabel("linkguard.scan time / time at 1×")
        ax2.set_title("Scaling with page size")
        ax2.legend(fontsize=7)
        ax2.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    path = out / "throughput_vs_size.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def per_family(labelled: dict[str, Any], out: Path) -> Path | None:
    fam = (((labelled or {}).get("tools") or {}).get("linkguard") or {}).get("groups", {}).get("family")
    if not fam:
        return None
    plt = _plt()
    names = list(fam)
    metrics: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("page recall", lambda m: m["page"]["recall"]),
        ("segment precision", lambda m: m["segment"]["precision"]),
        ("segment recall", lambda m: m["segment"]["recall"]),
        ("spam-link recall", lambda m: m["spam_link_recall"]),
    ]
    fig, ax = plt.subplots(figsize=(max(8, 0.8 * len(names) + 3), 5))
    width = 0.8 / len(metrics)
    for j, (label, get) in enumerate(metrics):
        vals = [get(fam[n]) if get(fam[n]) is not None else 0.0 for n in names]
        ax.bar([i + j * width for i in range(len(names))], vals, width, label=label)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(names))])
    ax.set_xticklabels([f"{n}\n(n={fam[n]['n_pages']})" for n in names], rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title("linkguard precision / recall per payload family")
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    path = out / "accuracy_per_family.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
