"""The shared real-page corpus: manifest, digest, loading, the quick subset, page scaling."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO / ".." / "shared" / "corpus"
QUICK_SEED = 20251125


def corpus_dir(arg: str | os.PathLike[str] | None = None) -> Path:
    """``--corpus``, else ``$LINKGUARD_CORPUS``, else ``../shared/corpus``."""
    raw = arg or os.environ.get("LINKGUARD_CORPUS") or DEFAULT_CORPUS
    return Path(raw).resolve()


def read_manifest(root: Path) -> list[dict[str, Any]]:
    path = root / "manifest.jsonl"
    if not path.is_file():
        raise SystemExit(f"benchmarks: no corpus manifest at {path} (use --corpus or LINKGUARD_CORPUS)")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def digest(rows: list[dict[str, Any]]) -> str:
    """Order-independent digest of a page set: sha256 over sorted ``path sha1`` lines."""
    h = hashlib.sha256()
    for line in sorted(f"{r['path']} {r['sha1']}" for r in rows):
        h.update(line.encode("utf-8") + b"\n")
    return "sha256:" + h.hexdigest()


def quick_subset(rows: list[dict[str, Any]], n: int = 60) -> list[dict[str, Any]]:
    """A fixed, deterministic subset: the hand-labelled pages, two large pages, the rest at random."""
    if n >= len(rows):
        return list(rows)
    by_path = sorted(rows, key=lambda r: r["path"])
    chosen = [r for r in by_path if r.get("label")]
    chosen += [r for r in by_path if r["size_class"] == "large"][:2]
    picked = {r["path"] for r in chosen}
    rest = [r for r in by_path if r["path"] not in picked]
    random.Random(QUICK_SEED).shuffle(rest)
    chosen += rest[: max(0, n - len(chosen))]
    return sorted(chosen[:n], key=lambda r: r["path"])


@dataclass(slots=True)
class CorpusPage:
    path: str
    url: str | None
    size_class: str
    lang: str | None
    label: str | None
    raw: bytes
    text: str
    """Decoded once up front (linkguard's decoder), so every tool gets the same ``str``."""
    encoding: str | None

    @property
    def nbytes(self) -> int:
        return len(self.raw)


def load_pages(root: Path, rows: list[dict[str, Any]], *, verify: bool = True) -> list[CorpusPage]:
    from linkguard._decode import decode

    pages = []
    for r in rows:
        with gzip.open(root / r["path"]) as fh:
            raw = fh.read()
        if verify and hashlib.sha1(raw).hexdigest() != r["sha1"]:
            raise SystemExit(f"benchmarks: {r['path']} does not match its manifest sha1")
        text, enc = decode(raw, None)
        pages.append(
            CorpusPage(r["path"], r.get("url"), r["size_class"], r.get("lang"), r.get("label"), raw, text, enc)
        )
    return pages


_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)


def scale_page(html: str, factor: int) -> str:
    """The page with its body content repeated ``factor`` times (whole text if no body tags)."""
    if factor == 1:
        return html
    m_open = _BODY_OPEN.search(html)
    closes = list(_BODY_CLOSE.finditer(html))
    if m_open and closes and closes[-1].start() > m_open.end():
        start, end = m_open.end(), closes[-1].start()
        return html[:start] + html[start:end] * factor + html[end:]
    return html * factor
