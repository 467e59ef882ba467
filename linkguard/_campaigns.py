"""Campaigns: one payload, link set or brand list on many unrelated hosts.

The items are the blocks the host summaries (:mod:`linkguard._hosts`) list:
*anchors*, blocks a host carries on at least two pages that convicted them
(or whose copies were convicted together, evidence ``pooled`` or ``onset``) and that have
off-site targets or a sentence's worth of text (:data:`ANCHOR_WORDS` words),
and the rest: repeated near misses (evidence ``repeated``), blocks convicted on
one page only, and short blocks without links.  A stray false alarm on one page
(a "download our app" link, a "latest comments" box) or a short name
(``Admin``) must not make a campaign of every host that shows the same page
or the same word; a real injection sits in a host's template, on many pages.

The anchors of one host that the host view lists as one injection (blocks on
nearly the same pages: a payload the segmentation cut into pieces, one link per
paragraph) are one item, and their targets are pooled.  Two anchors belong
together when their texts and targets are near copies
(MinHash similarity at least :data:`SAME_TEXT`), or when they send
links to the same sites (at least :data:`SHARED_DOMAINS` shared target domains,
or one shared domain that is at least half of both target sets, each anchor's
targets taken with the rest of its injection's).  A near miss
joins only as a near copy (a share button linking the same big site as some
payload must not join its campaign), and a campaign needs an anchor.
Candidate pairs come from locality-sensitive hashing on the MinHash (bands of
:data:`BAND` values) and from an index of target domains, so the work grows with
the number of blocks, not its square.  Connected items form a campaign when they
span at least ``min_hosts`` hosts.

A campaign's prints are reusable: :class:`CampaignIndex` matches the blocks of
any row against known campaigns, so :func:`linkguard.mark_rows` can report a
block as campaign spam even where its own page gave weak evidence (a near
miss, kept in the row's ``spam_blocks``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from linkguard._blocks import Block, similarity

SAME_TEXT = 0.55
"""MinHash similarity at which two blocks are one payload: 9 of the 16 values.  Chosen on the
validation crawl (``python -m benchmarks.hosts --tune``): bars from 0.4 to 0.55 put host pairs of
one source group together with pairwise recall 0.81 against 0.77 at 0.6 to 0.8, precision 1.0 at
all of them, and of equal bars the highest is kept (on the three wider validation crawls every
bar from 0.4 to 0.8 gives the same campaigns).  What 0.55 gains is one payload cut into
different segments by different templates (a paragraph block apart, or merged with its neighbours)."""
SHARED_DOMAINS = 2
"""Shared target domains that tie two blocks together on their own."""
MIN_HOSTS_DEFAULT = 2
ANCHOR_PAGES = 2
"""Pages of one host that must carry a convicted block before it can anchor a campaign."""
ANCHOR_WORDS = 4
"""Words a link-less block needs to anchor a campaign (shorter ones join only as near copies).
With :data:`ANCHOR_PAGES`, read on the validation crawls (``python -m benchmarks.hosts --tune``):
on each of the three wider ones, one page or one word puts clean hosts into campaigns (6 to 8)
or joins other source groups (pairwise precision 0.15 to 0.95), eight words joins fewer hosts of
one group, and 2 pages with 4 words keeps precision 1.0 with no clean host (3 pages: the same)."""
BAND = 2
"""MinHash values per LSH band (16 values: 8 bands)."""
MAX_POSTING = 2000
"""Blocks compared per shared domain at most (a domain on more blocks is compared to the first ones)."""
LISTED_HOSTS = 50
LISTED_TARGETS = 20
_KEPT_PRINTS = 50


@dataclass(frozen=True)
class Item:
    """One injected block of one host."""

    host: str
    fp: str
    mh: str
    domains: frozenset[str]
    pages: int
    flagged: int
    text: str
    first: str | None
    last: str | None
    anchor: bool
    injection: str
    reach: frozenset[str]
    """The targets of the item's whole injection on its host (its own for anything but an anchor)."""


def _items(summaries: Iterable[Mapping[str, Any]]) -> list[Item]:
    out = []
    for s in summaries:
        for b in s.get("blocks") or ():
            evidence = b.get("evidence", "convicted" if b.get("pages_flagged") else "")
            if not evidence:
                continue
            out.append(
                Item(
                    str(s["host"]),
                    str(b["fingerprint"]),
                    str(b.get("minhash") or ""),
                    frozenset(b.get("domains") or ()),
                    int(b.get("pages") or 0),
                    int(b.get("pages_flagged") or 0),
                    str(b.get("text") or ""),
                    b.get("first_date"),
                    b.get("last_date"),
                    _anchor(evidence, b),
                    str(b.get("injection") or b["fingerprint"]),
                    frozenset(),
                )
            )
    reach: dict[tuple[str, str], set[str]] = {}
    for item in out:
        if item.anchor:
            reach.setdefault((item.host, item.injection), set()).update(item.domains)
    out = [replace(i, reach=frozenset(reach[i.host, i.injection]) if i.anchor else i.domains) for i in out]
    out.sort(key=lambda i: (i.host, i.fp))
    return out


def _anchor(evidence: str, block: Mapping[str, Any]) -> bool:
    """Whether a listed block can anchor a campaign (see the module docstring)."""
    if evidence in ("pooled", "onset"):
        copies = int(block.get("pages") or 0)
    elif evidence == "convicted":
        copies = int(block.get("pages_flagged") or 0)
    else:
        return False
    if copies < ANCHOR_PAGES:
        return False
    return bool(block.get("domains")) or len(str(block.get("text") or "").split()) >= ANCHOR_WORDS


def linked_domains(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> bool:
    """Whether two target sets are one campaign's: two shared domains, or one that is half of both."""
    shared = len(a & b)
    if shared >= SHARED_DOMAINS:
        return True
    return shared >= 1 and 2 * shared >= max(len(a), len(b))


def _linked(a: Item, b: Item) -> bool:
    if a.mh and b.mh and similarity(a.mh, b.mh) >= SAME_TEXT:
        return True
    return a.anchor and b.anchor and linked_domains(a.reach, b.reach)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _bands(mh: str) -> Iterator[tuple[int, str]]:
    """The bucket keys of a MinHash signature: each band of :data:`BAND` values with its number."""
    step = 4 * BAND  # hex characters per band
    for band in range(len(mh) // step):
        yield band, mh[band * step : (band + 1) * step]


def _candidates(items: list[Item]) -> set[tuple[int, int]]:
    buckets: dict[tuple[int, str], list[int]] = {}
    postings: dict[str, list[int]] = {}
    for k, item in enumerate(items):
        mh = item.mh
        for key in _bands(mh):
            buckets.setdefault(key, []).append(k)
        for d in item.domains:
            postings.setdefault(d, []).append(k)
    pairs: set[tuple[int, int]] = set()
    for group in [*buckets.values(), *postings.values()]:
        group = group[:MAX_POSTING]
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                pairs.add((group[x], group[y]))
    return pairs


def find_campaigns(
    summaries: Iterable[Mapping[str, Any]], *, min_hosts: int = MIN_HOSTS_DEFAULT
) -> list[dict[str, Any]]:
    """Campaigns across the hosts of :func:`linkguard.summarize_hosts`, largest first.

    Each has ``campaign`` (an id: the print of its most widespread block),
    ``hosts`` (how many), ``host_list`` (at most 50), ``blocks``, ``pages``
    (copies seen), ``targets`` (target domains, most hosts first, at most 20),
    ``text`` (an example), ``first_date``/``last_date``, and the prints that
    :class:`CampaignIndex` matches rows against (``fingerprints``, ``minhashes``).
    """
    items = _items(summaries)
    uf = _UnionFind(len(items))
    first: dict[tuple[str, str], int] = {}
    for k, item in enumerate(items):  # one injection of one host, cut into several blocks, is one item
        if item.anchor:
            uf.union(first.setdefault((item.host, item.injection), k), k)
    for i, j in sorted(_candidates(items)):
        if uf.find(i) != uf.find(j) and _linked(items[i], items[j]):
            uf.union(i, j)
    groups: dict[int, list[Item]] = {}
    for k, item in enumerate(items):
        groups.setdefault(uf.find(k), []).append(item)
    out = []
    for members in groups.values():
        hosts = sorted({m.host for m in members})
        if len(hosts) < min_hosts or not any(m.anchor for m in members):
            continue
        out.append(_campaign(members, hosts))
    out.sort(key=lambda c: (-c["hosts"], -c["pages"], c["campaign"]))
    return out


def _campaign(members: list[Item], hosts: list[str]) -> dict[str, Any]:
    per_domain: dict[str, set[str]] = {}
    for m in members:
        for d in m.domains:
            per_domain.setdefault(d, set()).add(m.host)
    targets = sorted(per_domain, key=lambda d: (-len(per_domain[d]), d))
    hosts_of_fp: dict[str, set[str]] = {}
    for m in members:
        hosts_of_fp.setdefault(m.fp, set()).add(m.host)
    anchors = {m.fp for m in members if m.anchor}
    lead_fp = min(anchors, key=lambda fp: (-len(hosts_of_fp[fp]), fp))
    lead = next(m for m in members if m.fp == lead_fp)
    first = min((m.first for m in members if m.first), default=None)
    last = max((m.last for m in members if m.last), default=None)
    return {
        "campaign": lead_fp,
        "hosts": len(hosts),
        "host_list": hosts[:LISTED_HOSTS],
        "hosts_convicted": len({m.host for m in members if m.anchor}),
        "blocks": len(members),
        "pages": sum(m.pages for m in members),
        "pages_flagged": sum(m.flagged for m in members),
        "targets": targets[:LISTED_TARGETS],
        "text": lead.text,
        "first_date": first,
        "last_date": last,
        "fingerprints": sorted(hosts_of_fp, key=lambda fp: (-len(hosts_of_fp[fp]), fp))[:_KEPT_PRINTS],
        "minhashes": sorted({m.mh for m in members if m.mh})[:_KEPT_PRINTS],
    }


class CampaignIndex:
    """Known campaigns, to match the blocks of rows against (exact print, near copy, shared targets)."""

    def __init__(self, campaigns: Iterable[Mapping[str, Any]]) -> None:
        self.by_fp: dict[str, str] = {}
        self.prints: list[tuple[str, str]] = []
        self.buckets: dict[tuple[int, str], list[int]] = {}
        self.targets: dict[str, list[str]] = {}
        self.target_sets: dict[str, frozenset[str]] = {}
        for c in campaigns:
            cid = str(c["campaign"])
            for fp in c.get("fingerprints") or ():
                self.by_fp.setdefault(str(fp), cid)
            for mh in c.get("minhashes") or ():
                k = len(self.prints)
                self.prints.append((str(mh), cid))
                for key in _bands(mh):
                    self.buckets.setdefault(key, []).append(k)
            targets = frozenset(str(d) for d in c.get("targets") or ())
            self.target_sets[cid] = targets
            for d in targets:
                self.targets.setdefault(d, []).append(cid)

    def match(self, blocks: Iterable[Block]) -> str | None:
        """The id of the first campaign one of the blocks belongs to, or ``None``."""
        if not self.target_sets:
            return None
        for block in blocks:
            cid = self.by_fp.get(block.fp)
            if cid is not None:
                return cid
            mh = block.mh
            seen: set[int] = set()
            for key in _bands(mh):
                for k in self.buckets.get(key, ()):
                    if k not in seen:
                        seen.add(k)
                        if similarity(mh, self.prints[k][0]) >= SAME_TEXT:
                            return self.prints[k][1]
            domains = frozenset(block.domains)
            for cid in sorted({c for d in domains for c in self.targets.get(d, ())}):
                shared = len(domains & self.target_sets[cid])
                # Several of the campaign's targets, and most of the block's own: the same link set
                # (one shared domain is not enough here: a near miss may link a big site a campaign also links).
                if shared >= SHARED_DOMAINS and 2 * shared >= len(domains):
                    return cid
        return None


__all__ = ["MIN_HOSTS_DEFAULT", "CampaignIndex", "find_campaigns", "linked_domains"]
