"""What a scan returns: labelled segments, a page verdict, and the cleaned page.

A report is plain data (no parser trees), so it pickles, travels between
processes and can be cached.  It keeps the decoded page text; the cleaned page
is made when asked, by segmenting that text again and cutting out the
segments labelled spam.

Its :class:`Segment` and :class:`Link` objects are built on first access: a crawl
filter reads ``is_spam``, ``spam_score`` and the spam segments of every page, and
those come straight from the verdict arrays, so the thousands of content segments
and links of an ordinary page are never made into objects unless someone asks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from linkguard import _compiled
from linkguard._config import MAX_LINKS_DEFAULT, MAX_NODES_DEFAULT
from linkguard._domains import absolute
from linkguard._errors import SpamPageError
from linkguard._links import Link, LinkVerdicts
from linkguard._segment import NODE_FIELDS, RawSegment, segment_html, segment_text
from linkguard._strip import strip_page, unlink_page

Label = Literal["content", "spam"]
PageLabel = Literal["clean", "injected", "spam_page"]


@dataclass(frozen=True, slots=True)
class Segment:
    """One unit of the page with its verdict."""

    label: Label
    """``"content"`` or ``"spam"``."""
    score: float
    """Spam probability, 0–1 (at least the threshold when the neighbour pass made it spam)."""
    reasons: tuple[str, ...]
    """Stable reason codes for a spam label (empty for content), strongest first."""
    text: str
    """Visible text; lines joined with ``\\n``."""
    links: tuple[str, ...]
    """hrefs (HTML) or URLs found in the text, absolute where the page URL is known."""
    path: str
    """Where it sits: a CSS-like path of block elements (HTML) or ``line N`` (text)."""
    index: int
    """Position among the page's segments."""
    start: int | None = None
    """Character offset of the segment in the decoded text (text mode), else ``None``."""
    end: int | None = None
    hidden: str = ""
    """How the segment is hidden (``display_none``, ``offscreen``, …), ``""`` if visible."""

    @property
    def is_spam(self) -> bool:
        return self.label == "spam"

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "label": self.label,
            "score": round(self.score, 6),
            "reasons": list(self.reasons),
            "text": self.text,
            "links": list(self.links),
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "hidden": self.hidden,
        }


@dataclass(slots=True)
class SegmentVerdicts:
    """The verdicts of a page's segments, before they are made into :class:`Segment` objects.

    ``raw`` are the page's segments with their parser nodes dropped (plain data that pickles),
    ``links`` their links made absolute (``None``: made absolute against ``base`` when built),
    ``scores`` as reported (a promoted segment's at least the threshold), ``reasons`` those of
    the spam segments by index.
    """

    raw: Sequence[RawSegment]
    spam: np.ndarray
    scores: np.ndarray
    reasons: Mapping[int, tuple[str, ...]]
    links: Sequence[Sequence[str]] | None = None
    base: str | None = None
    _built: dict[int, Segment] = field(default_factory=dict, repr=False)

    @classmethod
    def cleared(cls, raw: Sequence[RawSegment], base: str | None) -> SegmentVerdicts:
        """Every segment content with score 0.0 (a page the prescreen cleared)."""
        n = len(raw)
        return cls(raw, np.zeros(n, dtype=bool), np.zeros(n, dtype=np.float64), {}, None, base)

    def __post_init__(self) -> None:
        # The parse tree is not kept alive by a report.
        core = _compiled.core
        if core is not None and type(self.raw) is list:
            core.drop_fields(self.raw, NODE_FIELDS)
            return
        for seg in self.raw:
            for name in NODE_FIELDS:
                setattr(seg, name, None)

    def __len__(self) -> int:
        return len(self.raw)

    def segment(self, i: int) -> Segment:
        """Segment ``i``, built once."""
        seg = self._built.get(i)
        if seg is None:
            seg = self._built[i] = self._build(i)
        return seg

    def spam_indices(self) -> list[int]:
        return np.flatnonzero(self.spam).tolist()  # type: ignore[no-any-return]

    def _build(self, i: int) -> Segment:
        raw = self.raw[i]
        links = self.links[i] if self.links is not None else [absolute(h, self.base) for h in raw.links]
        spam = bool(self.spam[i])
        return Segment(
            label="spam" if spam else "content",
            score=float(self.scores[i]),
            reasons=self.reasons.get(i, ()) if spam else (),
            text=raw.text,
            links=tuple(links),
            path=raw.path,
            index=i,
            start=raw.start if raw.start >= 0 else None,
            end=raw.end if raw.end >= 0 else None,
            hidden=raw.hidden,
        )


@dataclass(slots=True, eq=False)
class Report:
    """The result of :func:`linkguard.scan` for one page."""

    _segments: SegmentVerdicts = field(repr=False)
    """The segment verdicts; :class:`Segment` objects are built from them on first access."""
    url: str | None = None
    mode: Literal["html", "text"] = "html"
    """How the page was read."""
    encoding: str | None = None
    """Codec used to decode bytes input (``None`` for ``str`` input)."""
    truncated: bool = False
    """A size cap was hit; the verdict covers the part that was read."""
    truncated_reason: str | None = None
    threshold: float | None = None
    """The segment threshold in force: a score at or above it is spam (before the neighbour pass)."""
    page_label: PageLabel = "clean"
    """``clean``; ``injected`` (spam segments in a legitimate page); ``spam_page`` (the page's
    main content is spam: a doorway planted on a hacked host, a keyword page)."""
    page_score: float | None = None
    """Probability that the page itself is spam (``None`` without a page model)."""
    page_reasons: tuple[str, ...] = ()
    """Page reason codes of a ``spam_page`` verdict, strongest first."""
    _links: LinkVerdicts = field(repr=False, kw_only=True)
    prescreened: bool = False
    """The opt-in prescreen (``Config(prescreen=True)``) cleared the page: it was segmented but
    not scored, so every segment and link is ``content`` with score 0.0 and ``page_score`` is
    ``None``."""
    _text: str | None = field(default=None, repr=False)
    """The decoded page as it was segmented (after NUL and lone-surrogate replacement)."""
    _caps: tuple[int, int] = field(default=(MAX_NODES_DEFAULT, MAX_LINKS_DEFAULT), repr=False)
    """``(max_nodes, max_links)`` the page was segmented with, to segment it the same way again."""
    _clean: str | None = field(default=None, repr=False, compare=False)

    @property
    def segments(self) -> tuple[Segment, ...]:
        """All segments in document order."""
        segs = self._segments
        return tuple(segs.segment(i) for i in range(len(segs)))

    @property
    def links(self) -> tuple[Link, ...]:
        """Every judged link of the page, in document order, each with its own label, score and reasons."""
        return self._links.built()

    @property
    def n_segments(self) -> int:
        """How many segments the page has (without building them)."""
        return len(self._segments)

    @property
    def is_spam(self) -> bool:
        """Whether any segment is spam."""
        return bool(self._segments.spam.any())

    @property
    def spam_score(self) -> float:
        """The page's spam score: the highest segment score (0.0 for an empty page)."""
        scores = self._segments.scores
        return float(scores.max()) if len(scores) else 0.0

    @property
    def spam_segments(self) -> tuple[Segment, ...]:
        segs = self._segments
        return tuple(segs.segment(i) for i in segs.spam_indices())

    def _near_misses(self, floor: float) -> list[Segment]:
        """Spam segments and those scoring at least ``floor``, in document order."""
        segs = self._segments
        return [segs.segment(i) for i in np.flatnonzero(segs.spam | (segs.scores >= floor)).tolist()]

    @property
    def spam_links(self) -> tuple[str, ...]:
        """Distinct links inside spam segments, in order of appearance."""
        seen: dict[str, None] = {}
        for s in self.spam_segments:
            for link in s.links:
                seen.setdefault(link, None)
        return tuple(seen)

    @property
    def injected_links(self) -> tuple[str, ...]:
        """Distinct links judged planted, one by one (also in content segments), in order."""
        return tuple(dict.fromkeys(self._links.spam_hrefs()))

    @property
    def reasons(self) -> tuple[str, ...]:
        """Distinct reason codes over all spam segments."""
        seen: dict[str, None] = {}
        for s in self.spam_segments:
            for r in s.reasons:
                seen.setdefault(r, None)
        return tuple(seen)

    def to_dict(self, *, segments: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; ``segments=False`` leaves the per-segment list out."""
        out: dict[str, Any] = {
            "url": self.url,
            "mode": self.mode,
            "encoding": self.encoding,
            "is_spam": self.is_spam,
            "spam_score": round(self.spam_score, 6),
            "n_segments": self.n_segments,
            "n_spam_segments": int(self._segments.spam.sum()),
            "spam_links": list(self.spam_links),
            "reasons": list(self.reasons),
            "truncated": self.truncated,
            "truncated_reason": self.truncated_reason,
            "threshold": self.threshold,
            "page_label": self.page_label,
            "page_score": None if self.page_score is None else round(self.page_score, 6),
            "page_reasons": list(self.page_reasons),
            "injected_links": list(self.injected_links),
            "prescreened": self.prescreened,
        }
        if segments:
            out["segments"] = [s.to_dict() for s in self.segments]
            out["links"] = [link.to_dict() for link in self.links]
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Report):
            return NotImplemented
        return self._key() == other._key()

    def _key(self) -> tuple[Any, ...]:
        return (
            self.segments,
            self.url,
            self.mode,
            self.encoding,
            self.truncated,
            self.truncated_reason,
            self.threshold,
            self.page_label,
            self.page_score,
            self.page_reasons,
            self.links,
            self.prescreened,
            self._text,
            self._caps,
        )

    __hash__ = None  # type: ignore[assignment]

    def clean_html(self, *, links_only: bool = False) -> str:
        """The page without its spam segments (HTML re-serialised; text mode: the kept lines).

        ``links_only=True`` keeps every segment and unlinks the injected links instead (their
        anchor text stays).  Unchanged input comes back as it was.  Otherwise HTML is written
        back from the parse tree, with only the ``<html>``/``<head>``/``<body>`` wrappers the
        input had; the serialiser normalises markup (quotes attributes, escapes ``&``, closes
        implied tags), so a stripped page of sloppy markup can be a few characters longer than
        its input even though text was removed.

        Raises :class:`~linkguard.SpamPageError` when the page itself is spam
        (``page_label == "spam_page"``): there is no article to keep.
        """
        if self.page_label == "spam_page":
            raise SpamPageError(self.page_score, self.page_reasons)
        if links_only:
            return _unlinked_page(self)
        if self._clean is None:
            self._clean = _clean_page(self)
        return self._clean

    def clean_text(self) -> str:
        """Visible text of the content segments, one segment a paragraph."""
        segs = self._segments
        return "\n\n".join(raw.text for raw, spam in zip(segs.raw, segs.spam.tolist(), strict=True) if not spam)


def _segmented_again(report: Report, text: str) -> Any:
    max_nodes, max_links = report._caps
    if report.mode == "html":
        return segment_html(text, max_nodes=max_nodes, max_links=max_links)
    return segment_text(text)


def _unlinked_page(report: Report) -> str:
    text = report._text
    if text is None:
        return ""
    injected = set(report.injected_links)
    if not injected:
        return text
    page = _segmented_again(report, text)
    return unlink_page(page, injected, report.url or page.base_url)


def _clean_page(report: Report) -> str:
    """Segment the kept text again (deterministic, same caps) and cut the spam segments out."""
    text = report._text
    if text is None:
        return ""
    spam = report._segments.spam.tolist()
    if not any(spam):
        return text
    page = _segmented_again(report, text)
    if len(page.segments) != len(spam):  # pragma: no cover - segmentation is deterministic
        raise RuntimeError("the page segments differently than when it was scanned")
    return strip_page(page, spam)
