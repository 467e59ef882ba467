"""The host view: rows of many pages of one site, read together.

An attacker who gets into a site's theme puts the same block on every page
it renders: the footer, the header, after ``</html>``.  One page shows a
suspicious block; forty pages of one host showing the same block in the
same place, with links to other sites, show a compromised template.  This
module reads rows (the ``spam_blocks`` prints, see :mod:`linkguard._blocks`)
grouped by the registrable domain of the page URL and says, per host: pages
seen, pages injected, spam pages, the injected blocks with their targets,
and the first and last capture dates.

Memory is bounded by the number of hosts, not of pages: a host keeps counts,
its pages per capture day (at most :data:`MAX_DAYS` keys) and at most
:data:`MAX_HOST_BLOCKS` distinct block prints, each with a page count.  Only
prints that can count are kept: spam blocks, and near misses that score
:data:`REPEATED_SCORE` or more (a weaker near miss can never make a template
injection or join a campaign).
Sketches merge (Spark combines them per partition); as long as a host has no
more distinct prints than the cap, the summary does not depend on the order
rows arrive in.  Past the cap the rarest prints are dropped (the summary
says how many), and counts of what remains are lower bounds.

A block is a **template injection** when it (or a near copy: MinHash
similarity at least :data:`NEAR_COPY`) is on at least ``min_pages`` pages of
the host, links off-site, and either at least one copy was labelled spam by
its own page's scan (evidence ``convicted``) or its copies score
:data:`POOLED_SCORE` or more on average (evidence ``pooled``: each page alone
stayed under the threshold, together they do not).  A block without links
counts when at least ``min_pages`` copies were convicted on their own, or
(``pooled``) when its copies carry text and score :data:`POOLED_TEXT_SCORE`
or more on average.  A
block that *appeared* on the host is one too (evidence ``onset``): when the
rows carry capture dates, a block first seen after at least ``min_pages`` of
the host's pages were captured without it, and on nearly every page captured
since (:data:`ONSET_COVERAGE`), whose copies score :data:`ONSET_SCORE` or
more on average (:data:`ONSET_TEXT_SCORE` without off-site links).  That is
what a compromise looks like in a crawl: the template changed on a date, and
the new block is a near miss of the spam model on every page since.  Site
furniture is on the host's pages from the start, so it cannot show an onset.
A repeated off-site near miss that meets no bar (copies on ``min_pages``
pages, best score at least :data:`REPEATED_SCORE`) is listed with evidence
``repeated``: not a verdict, but a print that campaigns can tie to a
convicted copy on another host.  :func:`mark_rows` then marks every page that
carries a copy, also the copies that scored under the threshold: that is how
the host view raises the confidence of each copy.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from linkguard._blocks import MAX_BLOCKS, Block, blocks_of_row, similarity
from linkguard._campaigns import CampaignIndex
from linkguard._domains import page_domain

MIN_PAGES_DEFAULT = 3
"""Pages of one host that must carry a block before it counts as a template injection."""
MAX_HOST_BLOCKS = 64
"""Distinct block prints a host keeps (the bound on memory per host)."""
NEAR_COPY = 0.75
"""MinHash similarity at which two prints of one host are copies of one block (a rotated link, a date)."""
POOLED_SCORE = 0.95
"""Mean score of a block's copies that convicts a repeated off-site block none of whose copies was
convicted alone.  Chosen on the validation crawl (``python -m benchmarks.hosts --tune``) for the
bundled model (segment threshold 0.94): bars from 0.7 to 0.95 find the same injected hosts there
(65 of 74 with the onset evidence, no false host; 0.6 and 0.5 would find 68, and would call a
training or validation page's furniture on every page of a host a template injection), and of
equal bars the highest is kept, because lower ones catch real template furniture: a share-button or credit block
a site repeats on every page can score in the 0.9s (real corpus pages earlier models never trained
on had off-site near misses up to 0.88 and 0.96; the training and validation host pages, whose
furniture the model has learned, reach only 0.68 with this one).  The bar goes with the model: it
is chosen again when the model is."""
POOLED_TEXT_SCORE = 0.99
"""The same bar for a repeated block without off-site links (text spam put into the template: a
gambling "about us" paragraph in every footer), whose copies must carry text.  Each copy stayed
under the prose threshold on its own page.  Chosen on the validation crawl (``python -m
benchmarks.hosts --tune``) with an earlier model, where bars from 0.95 to 0.99 found one
injected host more than no bar (64 of 74 against 63).  With the bundled model they find none more
(65 either way; 0.9 finds 66), and none calls a training or validation page's furniture a template
injection; the bar stays at the highest of those, since real linkless furniture the model never
saw scores up to the high 0.9s (a written-out link 0.97, a row of stars 0.93)."""
REPEATED_SCORE = 0.5
"""Best score of a repeated off-site near miss that is listed (evidence ``repeated``) for campaigns; also
the score a near miss needs for its print to be kept at all."""
ONSET_SCORE = 0.7
"""Mean score of the copies of an off-site block with an onset (see the module docstring) that makes
it a template injection.  Chosen with :data:`ONSET_TEXT_SCORE` on the validation crawl (``python -m
benchmarks.hosts --tune``) as the pair that finds the most injected hosts there while calling at
most one real block of the training and validation pages a template injection when a host of 30
dated pages adds it on the eleventh day (a template change, the worst case for this evidence).
For the bundled model that rule picks 0.7 and 0.7 (65 of 74 against 63 for 0.7 and 0.8; 1 of the
blocks flagged against none); lower linked bars find one host more and flag 2 to 5.  With the
model before it the rule picked 0.5 for the linked bar, which on the benchmark's crawl found no
injected host more while 20 of the 33 near misses of real pages the model never saw became false
template injections when added mid-crawl (11 at 0.7): the training and validation furniture the
rule reads is what the model learned, and scores too low to stand for a real site's.  So the linked
bar stayed at 0.7, a choice made after reading the benchmark's crawl."""
ONSET_TEXT_SCORE = 0.7
"""The same bar for a block without off-site links (text spam put into the template); such a block
needs text (an empty block, an image or a widget's frame, is no evidence of text spam)."""
ONSET_COVERAGE = 0.8
"""Share of the host's pages captured since a block's first copy that must carry it for an onset."""
MAX_DAYS = 400
"""Distinct capture days a host keeps counts for; past it the days are counted by month, then by year."""
LISTED_BLOCKS = 10
"""Blocks listed per host in a summary (template injections first)."""
CO_OCCUR = 0.9
"""Share of pages two template blocks of one host must have in common (estimated Jaccard similarity of
their page sets) to be listed as one injection: a payload the page's segmentation cut into several
blocks (one link per paragraph, a heading apart from its text) arrives on the same pages.  Chosen on
the validation crawls (``python -m benchmarks.hosts --tune``): bars from 0.5 to 0.9 gave the same
campaigns on all four (no source group split over two campaigns, against 2 or 3 of about 25 per
crawl without the grouping; no pairwise precision lost, no clean host put into a campaign), and of
equal bars the highest is kept."""
PAGE_SKETCH = 32
"""Page keys a block keeps (the smallest hashes of the page URLs that carry it): exact up to that
many pages, an estimate of the page-set overlap past it, in constant memory per block."""
_MAX_PATHS = 16
_MAX_DOMAINS = 16
_MICRO = 1_000_000  # scores are summed as integers, so that the sum does not depend on the order

HOST_LABELS = ("template_injection", "injected", "clean")


def host_of(url: Any) -> str:
    """The registrable domain a row belongs to (``""`` without a usable URL)."""
    if not url or not isinstance(url, str):
        return ""
    return page_domain(url)


def _earlier(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else min(a, b)


def _day(date: Any) -> str:
    """The capture day (``YYYY-MM-DD``) of an ISO date, ``""`` when there is none."""
    if isinstance(date, str) and len(date) >= 10 and date[4] == "-" and date[7] == "-" and date[:4].isdigit():
        return date[:10]
    return ""


def _by_prefix(counts: Iterable[Mapping[str, int]], length: int) -> dict[str, int]:
    """Counts summed by the first ``length`` characters of their keys (days to months, to years)."""
    out: dict[str, int] = {}
    for source in counts:
        for key, n in source.items():
            out[key[:length]] = out.get(key[:length], 0) + n
    return out


def _later(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else max(a, b)


def _bottom(keys: Iterable[Iterable[int]]) -> array[int]:
    """The :data:`PAGE_SKETCH` smallest distinct keys of several sketches: the sketch of their union
    (unsigned 32-bit, packed: a few hundred bytes a block, not a list of Python integers)."""
    return array("I", sorted({k for part in keys for k in part})[:PAGE_SKETCH])


def _overlap(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two page sets from their bottom-k sketches (exact when small)."""
    union = _bottom((a, b))
    if not union:
        return 0.0
    mine, theirs = set(a), set(b)
    return sum(k in mine and k in theirs for k in union) / len(union)


def _page_key(row: Mapping[str, Any]) -> int:
    """A page's key for the co-occurrence sketch: the hash of its URL (or id)."""
    return zlib.crc32(str(row.get("url") or row.get("id") or "").encode("utf-8", "replace"))


def _top(counts: Mapping[str, int]) -> str:
    """The most frequent key (ties: the smallest), ``""`` when empty."""
    if not counts:
        return ""
    return min(counts, key=lambda k: (-counts[k], k))


def _cap(counts: dict[str, int], size: int) -> None:
    """Keep the ``size`` keys with the smallest hashes: the same keys, with exact counts, in whatever order
    the counts came (a key once dropped could never have been among the kept ones)."""
    if len(counts) > size:
        for key in sorted(counts, key=lambda k: (zlib.crc32(k.encode("utf-8")), k))[size:]:
            del counts[key]


@dataclass
class BlockStat:
    """One distinct block print of a host: on how many pages, convicted on how many."""

    fp: str
    mh: str
    text: str
    domains: tuple[str, ...]
    pages: int = 0
    dated: int = 0
    flagged: int = 0
    max_score: float = 0.0
    score_micro: int = 0
    paths: dict[str, int] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)
    first: str | None = None
    last: str | None = None
    page_keys: array[int] = field(default_factory=lambda: array("I"))
    """The smallest :data:`PAGE_SKETCH` hashes of the pages that carry the block (a bottom-k sketch)."""

    @classmethod
    def of(cls, block: Block) -> BlockStat:
        return cls(block.fp, block.mh, block.text, block.domains)

    def add(self, block: Block, date: str | None, page_key: int) -> None:
        # One print, several spellings (case, spacing, link order): keep the smallest, whatever the order.
        self.domains = min(self.domains, block.domains)
        self.pages += 1
        self.dated += bool(_day(date))
        self.flagged += block.spam
        self.max_score = max(self.max_score, block.score)
        self.score_micro += round(block.score * _MICRO)
        self.text = min(self.text, block.text) if self.text else block.text
        self.paths[block.path] = self.paths.get(block.path, 0) + 1
        _cap(self.paths, _MAX_PATHS)
        if block.hidden:
            self.hidden[block.hidden] = self.hidden.get(block.hidden, 0) + 1
        self.first, self.last = _earlier(self.first, date), _later(self.last, date)
        keys = self.page_keys
        if len(keys) < PAGE_SKETCH or page_key < keys[-1]:  # past the first pages, most keys fall outside
            self.page_keys = _bottom((keys, (page_key,)))

    def merge(self, other: BlockStat) -> None:
        self.domains = min(self.domains, other.domains)
        self.pages += other.pages
        self.dated += other.dated
        self.flagged += other.flagged
        self.max_score = max(self.max_score, other.max_score)
        self.score_micro += other.score_micro
        self.text = min(self.text, other.text) if self.text and other.text else self.text or other.text
        for mine, theirs in ((self.paths, other.paths), (self.hidden, other.hidden)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n
        _cap(self.paths, _MAX_PATHS)
        self.first, self.last = _earlier(self.first, other.first), _later(self.last, other.last)
        self.page_keys = _bottom((self.page_keys, other.page_keys))

    def rank(self) -> tuple[int, int, str]:
        """Sort key, most telling first: convicted copies, then copies, then the print."""
        return (-self.flagged, -self.pages, self.fp)


@dataclass
class HostSketch:
    """Everything the host view keeps of one host: counts, dates, and a bounded set of block prints."""

    host: str
    records: int = 0
    pages: int = 0
    injected: int = 0
    spam_pages: int = 0
    first: str | None = None
    last: str | None = None
    blocks: dict[str, BlockStat] = field(default_factory=dict)
    dropped: int = 0
    days: dict[str, int] = field(default_factory=dict)
    """Pages scored ``ok`` per capture day (or month, or year: the first ``day_len`` characters)."""
    day_len: int = 10

    def add_row(self, row: Mapping[str, Any]) -> HostSketch:
        """Count one row (any status); its block prints when it was scored."""
        self.records += 1
        date = row.get("date") or None
        self.first, self.last = _earlier(self.first, date), _later(self.last, date)
        if row.get("status") != "ok":
            return self
        self.pages += 1
        day = _day(date)
        if day:
            key = day[: self.day_len]
            self.days[key] = self.days.get(key, 0) + 1
            self._coarsen()
        label = row.get("page_label")
        if label == "spam_page":
            self.spam_pages += 1
        elif label == "injected" or (label is None and row.get("is_spam")):
            self.injected += 1
        seen: set[str] = set()
        prints: list[str] = []
        page_key = _page_key(row)
        for block in blocks_of_row(row)[:MAX_BLOCKS]:
            if block.fp in seen:  # the same block twice on one page is one page
                continue
            if not block.spam and block.score < REPEATED_SCORE:
                continue
            # Nor do two near copies on one page (a block and its variant) make two pages of it.
            if block.mh and any(similarity(block.mh, mh) >= NEAR_COPY for mh in prints):
                continue
            seen.add(block.fp)
            if block.mh:
                prints.append(block.mh)
            stat = self.blocks.get(block.fp)
            if stat is None:
                stat = self.blocks[block.fp] = BlockStat.of(block)
            stat.add(block, date, page_key)
        self._evict()
        return self

    def merge(self, other: HostSketch) -> HostSketch:
        """Fold another sketch of the same host into this one (Spark's combiner)."""
        self.records += other.records
        self.pages += other.pages
        self.injected += other.injected
        self.spam_pages += other.spam_pages
        self.dropped += other.dropped
        self.first, self.last = _earlier(self.first, other.first), _later(self.last, other.last)
        for fp, theirs in other.blocks.items():
            mine = self.blocks.get(fp)
            if mine is None:
                self.blocks[fp] = replace(theirs, paths=dict(theirs.paths), hidden=dict(theirs.hidden))
            else:
                mine.merge(theirs)
        self.day_len = min(self.day_len, other.day_len)
        self.days = _by_prefix((self.days, other.days), self.day_len)
        self._coarsen()
        self._evict()
        return self

    def _coarsen(self) -> None:
        """Days by month, then by year, past :data:`MAX_DAYS` keys: the same histogram in any row order."""
        while len(self.days) > MAX_DAYS and self.day_len > 4:
            self.day_len = 7 if self.day_len == 10 else 4
            self.days = _by_prefix((self.days,), self.day_len)

    def _evict(self) -> None:
        if len(self.blocks) <= MAX_HOST_BLOCKS:
            return
        keep = sorted(self.blocks.values(), key=BlockStat.rank)[:MAX_HOST_BLOCKS]
        self.dropped += len(self.blocks) - len(keep)
        self.blocks = {b.fp: b for b in keep}

    def summary(self, *, min_pages: int = MIN_PAGES_DEFAULT) -> dict[str, Any]:
        """The host's summary (plain data, JSON-ready); see :func:`summarize_hosts`."""
        clusters = _clusters(self.blocks.values())
        listed: list[dict[str, Any]] = []
        keys: dict[str, array[int]] = {}
        for members in clusters:
            entry = _cluster_entry(members, self.pages, min_pages, self._onset(members))
            if entry["evidence"]:
                listed.append(entry)
                keys[entry["fingerprint"]] = _bottom(m.page_keys for m in members)
        listed.sort(key=lambda e: (not e["template"], -e["pages_flagged"], -e["pages"], e["fingerprint"]))
        _injections(listed, keys)
        templates = [e for e in listed if e["template"]]
        if templates:
            label = "template_injection"
        elif self.injected or self.spam_pages:
            label = "injected"
        else:
            label = "clean"
        return {
            "host": self.host,
            "label": label,
            "records": self.records,
            "pages": self.pages,
            "pages_injected": self.injected,
            "pages_spam": self.spam_pages,
            "pages_with_template": max((e["pages"] for e in templates), default=0),
            "first_date": self.first,
            "last_date": self.last,
            "blocks": listed[:LISTED_BLOCKS],
            "blocks_dropped": self.dropped,
        }

    def _onset(self, members: list[BlockStat]) -> tuple[int, int]:
        """Pages captured before the block's first copy, and dated pages since (both 0 without dates)."""
        firsts = [_day(m.first) for m in members]
        first = min((f for f in firsts if f), default="")
        if not first:
            return 0, 0
        key = first[: self.day_len]
        before = sum(n for k, n in self.days.items() if k < key)
        return before, sum(self.days.values()) - before


def _clusters(stats: Iterable[BlockStat]) -> list[list[BlockStat]]:
    """Prints grouped into blocks: a print joins the first group whose lead it nearly copies."""
    groups: list[list[BlockStat]] = []
    for stat in sorted(stats, key=BlockStat.rank):
        for group in groups:
            if stat.mh and similarity(stat.mh, group[0].mh) >= NEAR_COPY:
                group.append(stat)
                break
        else:
            groups.append([stat])
    return groups


def _injections(listed: list[dict[str, Any]], keys: Mapping[str, array[int]]) -> None:
    """Give each listed block its ``injection``: the print of the first listed template block found on
    nearly the same pages (:data:`CO_OCCUR`), its own print when there is none (and for a block
    that is not a template injection: one page is no evidence of arriving together)."""
    leads: list[dict[str, Any]] = []
    for entry in listed:
        lead = entry
        if entry["template"]:
            mine = keys[entry["fingerprint"]]
            for other in leads:
                if _overlap(mine, keys[other["fingerprint"]]) >= CO_OCCUR:
                    lead = other
                    break
            else:
                leads.append(entry)
        entry["injection"] = lead["fingerprint"]


def _reaches(mean: float, offsite: bool, text: str, linked_bar: float, text_bar: float) -> bool:
    """A block's mean score against a bar: ``linked_bar`` with off-site links, else ``text_bar`` and
    only for a block with text (an empty block, an image or a widget's frame, is no evidence)."""
    return mean >= linked_bar if offsite else bool(text.strip()) and mean >= text_bar


def _cluster_entry(
    members: list[BlockStat], host_pages: int, min_pages: int, onset: tuple[int, int] = (0, 0)
) -> dict[str, Any]:
    lead = members[0]
    pages = min(sum(m.pages for m in members), host_pages)
    flagged = min(sum(m.flagged for m in members), pages)
    copies = sum(m.pages for m in members)
    paths: dict[str, int] = {}
    hidden: dict[str, int] = {}
    domains: dict[str, None] = {}
    for m in members:
        for key, n in m.paths.items():
            paths[key] = paths.get(key, 0) + n
        for key, n in m.hidden.items():
            hidden[key] = hidden.get(key, 0) + n
        for d in m.domains:
            domains.setdefault(d, None)
    offsite = bool(domains)
    mean = sum(m.score_micro for m in members) / _MICRO / max(copies, 1)
    best = max(m.max_score for m in members)
    before, since = onset
    dated = sum(m.dated for m in members)
    appeared = (
        pages >= min_pages
        and before >= min_pages
        and dated >= ONSET_COVERAGE * since
        and _reaches(mean, offsite, lead.text, ONSET_SCORE, ONSET_TEXT_SCORE)
    )
    evidence = ""
    template = False
    if flagged >= 1 and pages >= min_pages and (offsite or flagged >= min_pages):
        evidence, template = "convicted", True
    elif pages >= min_pages and _reaches(mean, offsite, lead.text, POOLED_SCORE, POOLED_TEXT_SCORE):
        evidence, template = "pooled", True
    elif appeared:
        evidence, template = "onset", True
    elif flagged >= 1:
        evidence = "convicted"
    elif pages >= min_pages and offsite and best >= REPEATED_SCORE:
        evidence = "repeated"
    first = last = None
    for m in members:
        first, last = _earlier(first, m.first), _later(last, m.last)
    return {
        "fingerprint": lead.fp,
        "template": bool(template),
        "evidence": evidence,
        "pages": pages,
        "pages_flagged": flagged,
        "pages_before": before,
        "max_score": round(best, 4),
        "mean_score": round(mean, 4),
        "path": _top(paths),
        "hidden": _top(hidden),
        "domains": list(domains)[:_MAX_DOMAINS],
        "text": lead.text,
        "first_date": first,
        "last_date": last,
        "minhash": lead.mh,
        "fingerprints": sorted(m.fp for m in members),
    }


class HostView:
    """Host sketches of a stream of rows: feed rows with :meth:`add`, read :meth:`summaries`."""

    def __init__(self) -> None:
        self.hosts: dict[str, HostSketch] = {}
        self.without_host = 0
        """Rows whose URL gives no registrable domain (no URL, a bare IP host counts as its own)."""

    def add(self, row: Mapping[str, Any]) -> None:
        host = host_of(row.get("url"))
        if not host:
            self.without_host += 1
            return
        sketch = self.hosts.get(host)
        if sketch is None:
            sketch = self.hosts[host] = HostSketch(host)
        sketch.add_row(row)

    def summaries(self, *, min_pages: int = MIN_PAGES_DEFAULT) -> list[dict[str, Any]]:
        """One summary per host, sorted by host."""
        return [self.hosts[h].summary(min_pages=min_pages) for h in sorted(self.hosts)]


def summarize_hosts(rows: Iterable[Mapping[str, Any]], *, min_pages: int = MIN_PAGES_DEFAULT) -> list[dict[str, Any]]:
    """Per-host summaries of scored rows (rows as :func:`linkguard.score_records` yields them).

    Each summary has ``host`` (the registrable domain of the page URLs),
    ``label`` (``template_injection``, ``injected`` or ``clean``), ``records``,
    ``pages`` (rows scored ``ok``), ``pages_injected``, ``pages_spam``,
    ``pages_with_template``, ``first_date``/``last_date`` (capture dates, when
    the rows have them), ``blocks`` (the injected blocks: ``fingerprint``,
    ``template``, ``pages``, ``pages_flagged``, scores, ``path``, ``hidden``,
    ``domains``, ``text``, dates, ``minhash``, the ``fingerprints`` of its
    variants and its ``injection``: the print of the first listed template block
    found on nearly the same pages, a payload cut into several blocks) and
    ``blocks_dropped`` (prints dropped at the memory cap).
    Rows without a URL are left out.
    """
    view = HostView()
    for row in rows:
        view.add(row)
    return view.summaries(min_pages=min_pages)


@dataclass(frozen=True)
class _Template:
    fingerprint: str
    minhash: str
    fps: frozenset[str]


def _templates(summaries: Iterable[Mapping[str, Any]]) -> dict[str, list[_Template]]:
    out: dict[str, list[_Template]] = {}
    for s in summaries:
        for b in s.get("blocks") or ():
            if b.get("template"):
                out.setdefault(str(s["host"]), []).append(
                    _Template(b["fingerprint"], b.get("minhash") or "", frozenset(b.get("fingerprints") or ()))
                )
    return out


def template_match(blocks: list[Block], templates: list[_Template]) -> str | None:
    """The fingerprint of the host template injection one of a row's blocks copies, or ``None``."""
    for block in blocks:
        for t in templates:
            if block.fp in t.fps or (block.mh and similarity(block.mh, t.minhash) >= NEAR_COPY):
                return t.fingerprint
    return None


MARK_FIELDS = ("template_block", "campaign", "is_spam_batch")
"""Columns :func:`mark_rows` adds to each row."""


def mark_rows(
    rows: Iterable[Mapping[str, Any]],
    summaries: Iterable[Mapping[str, Any]],
    campaigns: Iterable[Mapping[str, Any]] = (),
) -> Iterator[dict[str, Any]]:
    """The second pass: each row again, with :data:`MARK_FIELDS` added.

    ``template_block``: the fingerprint of its host's template injection that
    the page carries (also when the page's own scan scored that copy under the
    threshold); ``campaign``: the id of a campaign (from
    :func:`linkguard.find_campaigns`, or a file of known ones) one of its blocks
    matches; ``is_spam_batch``: the page's own verdict, or either of those.
    Rows are marked one at a time; memory holds only the summaries.
    """
    by_host = _templates(summaries)
    index = CampaignIndex(campaigns)
    for row in rows:
        out = dict(row)
        template = campaign = None
        ok = row.get("status") == "ok"
        if ok:
            blocks = blocks_of_row(row)
            template = template_match(blocks, by_host.get(host_of(row.get("url")), []))
            campaign = index.match(blocks)
        out["template_block"] = template
        out["campaign"] = campaign
        out["is_spam_batch"] = bool(row.get("is_spam") or template or campaign) if ok else None
        yield out


__all__ = [
    "HOST_LABELS",
    "MARK_FIELDS",
    "MAX_HOST_BLOCKS",
    "MIN_PAGES_DEFAULT",
    "NEAR_COPY",
    "ONSET_COVERAGE",
    "ONSET_SCORE",
    "ONSET_TEXT_SCORE",
    "POOLED_SCORE",
    "POOLED_TEXT_SCORE",
    "REPEATED_SCORE",
    "BlockStat",
    "HostSketch",
    "HostView",
    "host_of",
    "mark_rows",
    "summarize_hosts",
    "template_match",
]
