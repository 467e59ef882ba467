"""Block fingerprints: what a row keeps of a page's suspect segments, for the host and campaign views.

A crawl's rows are read again, long after the pages are gone, to find the
block that an attacker put on every page of a site and the payload that one
campaign put on many sites.  So a row carries, for each spam segment and each
near miss (score at or above :data:`CANDIDATE_FLOOR`), a small print:

* ``fp``: an exact fingerprint (64 bits, hex) of the normalised text and the
  off-site target domains, the key that counts copies of one block;
* ``mh``: a MinHash of the text's character 5-grams and the target domains
  (:data:`N_HASHES` values of 16 bits, hex), to match variants of a block;
* ``path``, ``hidden``, ``spam``, ``score``: where it sits, how it is hidden,
  whether the page scan labelled it spam, and its score;
* ``domains``: its off-site registrable domains (at most :data:`MAX_DOMAINS`);
* ``text``: the first :data:`SAMPLE_CHARS` characters, to show a person.

Each entry is a compact JSON string, so the column is a plain list of strings
in every output format (JSON Lines, CSV, Parquet, Spark).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from linkguard._domains import host_info, page_domain, redirect_target, split_host
from linkguard._report import Report, Segment

CANDIDATE_FLOOR = 0.3
"""Segments scored at or above this (below the threshold) are kept as near misses: a copy of a
host's template injection or of a known campaign that its own page did not convict."""
MAX_BLOCKS = 8
"""Entries per row at most (spam first, then by score)."""
MAX_DOMAINS = 8
SAMPLE_CHARS = 80
N_HASHES = 16
_SHINGLE = 5
_PRIME = 4294967311  # the first prime above 2**32


def _constants(tag: str) -> np.ndarray:
    """Fixed hash parameters, derived from a hash rather than a random generator (stable across numpy releases)."""
    vals = [
        int.from_bytes(hashlib.blake2b(f"linkguard-minhash-{tag}-{i}".encode(), digest_size=4).digest(), "big")
        for i in range(N_HASHES)
    ]
    return np.array([(v >> 1) | 1 for v in vals], dtype=np.uint64)  # odd and below 2**31


_A = _constants("a")
_B = _constants("b")


def normalise(text: str) -> str:
    """Compatibility-folded, lower-cased text with whitespace collapsed: copies of a block compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def shingles(text: str, domains: Iterable[str], *, norm: str | None = None) -> set[str]:
    """Character 5-grams of the normalised text, plus one token per target domain.

    ``norm``: ``normalise(text)`` when the caller has it already."""
    if norm is None:
        norm = normalise(text)
    out = {norm[i : i + _SHINGLE] for i in range(max(1, len(norm) - _SHINGLE + 1))} if norm else set()
    out.update("@" + d for d in domains)
    return out


def minhash(tokens: Iterable[str]) -> str:
    """MinHash of a token set as hex (16 bits per value); ``""`` for an empty set."""
    base = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in tokens), dtype=np.uint64)
    if base.size == 0:
        return ""
    hashed = (base[None, :] * _A[:, None] + _B[:, None]) % np.uint64(_PRIME)
    low = (hashed.min(axis=1) & np.uint64(0xFFFF)).astype(">u2")
    return str(low.tobytes().hex())


def similarity(a: str, b: str) -> float:
    """Share of equal MinHash values: an estimate of the Jaccard similarity of the two token sets."""
    if not a or not b or len(a) != len(b):
        return 0.0
    n = len(a) // 4
    return sum(a[4 * i : 4 * i + 4] == b[4 * i : 4 * i + 4] for i in range(n)) / n


def fingerprint(text: str, domains: Iterable[str], *, norm: str | None = None) -> str:
    """Exact fingerprint of a block: normalised text and its sorted target domains (``norm`` as in :func:`shingles`)."""
    key = (normalise(text) if norm is None else norm) + "\x00" + ",".join(sorted(set(domains)))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def offsite_domains(links: Iterable[str], own: str) -> list[str]:
    """Registrable domains the links point to (through an open redirect: its target), other than
    ``own`` (the page's), in first-seen order."""
    seen: dict[str, None] = {}
    for link in links:
        domain = host_info(split_host(redirect_target(link))).domain
        if domain and domain != own:
            seen.setdefault(domain, None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class Block:
    """One entry of a row's ``spam_blocks`` column, decoded."""

    fp: str
    mh: str
    path: str
    hidden: str
    spam: bool
    score: float
    domains: tuple[str, ...]
    text: str

    def to_json(self) -> str:
        data = {
            "fp": self.fp,
            "mh": self.mh,
            "path": self.path,
            "hidden": self.hidden,
            "spam": self.spam,
            "score": round(self.score, 4),
            "domains": list(self.domains),
            "text": self.text,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_value(cls, value: str | Mapping[str, Any]) -> Block | None:
        """An entry from its JSON string (or an already decoded dict); ``None`` when it is not one."""
        try:
            data = json.loads(value) if isinstance(value, str) else value
            return cls(
                str(data["fp"]),
                str(data.get("mh") or ""),
                str(data.get("path") or ""),
                str(data.get("hidden") or ""),
                bool(data.get("spam")),
                float(data.get("score") or 0.0),
                tuple(str(d) for d in data.get("domains") or ()),
                str(data.get("text") or ""),
            )
        except (TypeError, ValueError, KeyError, AttributeError):
            return None


def _block(seg: Segment, own: str) -> Block:
    domains = offsite_domains(seg.links, own)
    norm = normalise(seg.text)
    return Block(
        fp=fingerprint(seg.text, domains, norm=norm),
        mh=minhash(shingles(seg.text, domains, norm=norm)),
        path=seg.path,
        hidden=seg.hidden,
        spam=seg.is_spam,
        score=seg.score,
        domains=tuple(domains[:MAX_DOMAINS]),
        text=" ".join(seg.text.split())[:SAMPLE_CHARS],
    )


def page_blocks(report: Report, *, floor: float = CANDIDATE_FLOOR, limit: int = MAX_BLOCKS) -> list[Block]:
    """The prints of a report's spam segments and near misses: spam first, then by score, at most ``limit``."""
    picked = report._near_misses(floor)
    if not picked:
        return []
    picked.sort(key=lambda s: (not s.is_spam, -s.score, s.index))
    own = page_domain(report.url)
    return [_block(s, own) for s in picked[:limit]]


def row_blocks(report: Report) -> list[str]:
    """The ``spam_blocks`` column of a report's row."""
    return [b.to_json() for b in page_blocks(report)]


def blocks_of_row(row: Mapping[str, Any]) -> list[Block]:
    """Decoded ``spam_blocks`` of a row (a list of JSON strings, or a JSON list as CSV writes it)."""
    value = row.get("spam_blocks")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        try:
            value = list(value)  # numpy arrays from pandas/Arrow
        except TypeError:
            return []
    out = []
    for item in value:
        block = Block.from_value(item)
        if block is not None:
            out.append(block)
    return out


__all__ = [
    "CANDIDATE_FLOOR",
    "MAX_BLOCKS",
    "Block",
    "blocks_of_row",
    "fingerprint",
    "minhash",
    "normalise",
    "offsite_domains",
    "page_blocks",
    "row_blocks",
    "shingles",
    "similarity",
]
