"""The public entry points: scan one page, scan many, strip; load a model to scan with."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, Literal, NamedTuple

import numpy as np

from linkguard import _model
from linkguard._config import Config
from linkguard._decode import decode, looks_like_html
from linkguard._errors import InputError
from linkguard._features import FEATURE_NAMES, features_and_links, segment_thresholds
from linkguard._label import _REASON_OF, CARRIED, carried_by_links, reasons_for, revise
from linkguard._links import LinkVerdicts, link_verdicts
from linkguard._model import SegmentModel, default_model
from linkguard._native import proba as score_rows
from linkguard._native import segment_html
from linkguard._page import page_verdicts
from linkguard._prescreen import prescreen
from linkguard._report import PageLabel, Report, SegmentVerdicts
from linkguard._segment import Page, RawSegment, segment_text

Mode = Literal["auto", "html", "text"]
PageInput = str | bytes | bytearray | memoryview
_MODES = ("auto", "html", "text")
_DEFAULT_CONFIG = Config()
_SURROGATE = re.compile("[\ud800-\udfff]")
_TERM_COLS = [(k, _REASON_OF[name]) for k, name in enumerate(FEATURE_NAMES) if name.startswith("terms_")]
_LINK_REASONS = frozenset({"raw_ip_links", "spam_terms_in_links", "offsite_links", "hijacked_domain", "link_density"})


class ReadPage(NamedTuple):
    """One input decoded and segmented, ready to score."""

    page: Page
    url: str | None
    """The page's own address, as the caller gave it."""
    encoding: str | None
    """Codec used to decode bytes input (``None`` for ``str`` input)."""
    truncated: str
    """Why the input was cut short, ``""`` when it was read whole."""


def load_model(path: str | os.PathLike[str], *, allow_pickle: bool = False) -> SegmentModel:
    """Load a model file to score the features this linkguard computes.

    JSON files are validated data. A pickle/joblib file is refused unless
    ``allow_pickle=True``: unpickling runs arbitrary code from the file, so only
    do that for files you made yourself.
    """
    return _model.load_model(path, allow_pickle=allow_pickle, feature_names=FEATURE_NAMES)


def _read(page: Any, url: str | None, mode: str, config: Config, encoding: str | None) -> ReadPage:
    """Decode and segment one input."""
    if mode not in _MODES:
        raise InputError(f"mode must be one of {_MODES}, not {mode!r}")
    used: str | None = None
    truncated = ""
    if isinstance(page, (bytes, bytearray, memoryview)):
        data = bytes(page)
        if len(data) > config.max_bytes:
            data = data[: config.max_bytes]
            truncated = f"byte cap reached ({config.max_bytes} bytes)"
        text, used = decode(data, encoding)
    elif isinstance(page, str):
        text = page
        if len(text) > config.max_bytes:
            text = text[: config.max_bytes]
            truncated = f"size cap reached ({config.max_bytes} characters)"
    else:
        raise InputError(f"page must be str or bytes, not {type(page).__name__}")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    if not text.isascii():
        # Lone surrogates (from a str built with surrogateescape, or a bad JSON \ud800) cannot
        # be encoded, and the matchers downstream need valid Unicode.  Encoding finds them
        # faster than a search does.
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = _SURROGATE.sub("\ufffd", text)
    if mode == "auto":
        mode = "html" if looks_like_html(text) else "text"
    if mode == "html":
        parsed = segment_html(text, max_nodes=config.max_nodes, max_links=config.max_links)
    else:
        parsed = segment_text(text)
    return ReadPage(parsed, url, used, truncated or parsed.truncated)


def _score(read: Sequence[ReadPage], model: SegmentModel, config: Config) -> list[Report]:
    """Reports in input order: pages the prescreen clears (when on) unscored, the rest in full."""
    if isinstance(model, SegmentModel):  # anything else with proba/contributions scores as it likes
        model = model.for_columns(FEATURE_NAMES)
    if not config.prescreen:
        return _score_full(read, model, config)
    text_model = getattr(model, "text", None)
    cleared = [not prescreen(r.page, r.url, text_model) for r in read]
    scored = iter(_score_full([r for r, c in zip(read, cleared, strict=True) if not c], model, config))
    threshold = float(config.threshold if config.threshold is not None else model.threshold)
    return [_cleared_report(r, threshold, config) if c else next(scored) for r, c in zip(read, cleared, strict=True)]


def _cleared_report(read: ReadPage, threshold: float, config: Config) -> Report:
    """The report of a page the prescreen cleared: every segment and link content, nothing scored."""
    page = read.page
    base = read.url or page.base_url
    segs = SegmentVerdicts.cleared(page.segments, base)
    return _report(read, config, threshold, segs, LinkVerdicts.cleared(page.segments, base), prescreened=True)


def _score_full(read: Sequence[ReadPage], model: SegmentModel, config: Config) -> list[Report]:
    """Features for the whole batch, one model call, then per-page labelling."""
    if not read:
        return []
    pages = [r.page for r in read]
    urls = [r.url for r in read]
    X, pidx, abs_links, tables, texts = features_and_links(pages, urls, getattr(model, "text", None))
    threshold = config.threshold if config.threshold is not None else model.threshold
    proba = score_rows(model, X)
    # Link-less prose in the main text is held to the model's (higher) prose threshold, a hidden
    # segment with off-site links to its (lower) hidden-link threshold.  The page model reads the
    # segments as it was trained to, without the hidden-link threshold (chosen after it).
    prose_threshold = getattr(model, "prose_threshold", None)
    page_threshold = segment_thresholds(X, threshold, prose_threshold)
    hidden_threshold = getattr(model, "hidden_threshold", None)
    seg_threshold = (
        page_threshold
        if hidden_threshold is None
        else segment_thresholds(X, threshold, prose_threshold, hidden_threshold)
    )
    spam_first: list[np.ndarray] = []
    offset = 0
    for page in pages:
        n = len(page.segments)
        scores = proba[offset : offset + n]
        spam = scores >= seg_threshold[offset : offset + n]
        promoted = revise(page.segments, spam, scores) if config.neighbours else np.zeros(n, dtype=bool)
        spam_first.append(spam | promoted)
        offset += n
    links = link_verdicts(pages, urls, X, pidx, proba, spam_first, model, tables)
    # A page with planted links has a page verdict already: segments they carry (below) add none.
    has_spam = [bool(s.any()) or bool(pl.spam.any()) for s, pl in zip(spam_first, links, strict=True)]
    verdicts = page_verdicts(pages, urls, X, pidx, proba, page_threshold, has_spam, model, texts)
    reports: list[Report] = []
    offset = 0
    for p, page in enumerate(pages):
        n = len(page.segments)
        sl = slice(offset, offset + n)
        offset += n
        scores = proba[sl].astype(np.float64)
        spam = scores >= seg_threshold[sl]
        found = links[p].found
        carried = (
            carried_by_links(np.asarray(found.segments), links[p].spam, scores) & ~spam_first[p]
            if found is not None and config.neighbours
            else np.zeros(n, dtype=bool)
        )
        promoted = (spam_first[p] | carried) & ~spam
        flagged = np.flatnonzero(spam | promoted)
        # Contributions (for reasons) only where they are shown: spam segments.
        contrib = model.contributions(X[sl][flagged]) if len(flagged) else ()
        reasons: dict[int, tuple[str, ...]] = {}
        for i, c in zip(flagged.tolist(), contrib, strict=True):
            raw = page.segments[i]
            shown = _shown_reasons(
                reasons_for(c),
                raw,
                promoted=bool(promoted[i] and not carried[i]),
                text_terms=_text_term_codes(X[sl.start + i]),
            )
            reasons[i] = (*shown, CARRIED) if carried[i] else shown
        if promoted.any():
            scores[promoted] = np.maximum(scores[promoted], float(threshold))
        segs = SegmentVerdicts(page.segments, spam | promoted, scores, reasons, abs_links[sl])
        reports.append(
            _report(
                read[p],
                config,
                float(threshold),
                segs,
                links[p],
                page_label=verdicts[p].label,  # type: ignore[arg-type]
                page_score=verdicts[p].score,
                page_reasons=verdicts[p].reasons,
            )
        )
    return reports


def _report(
    read: ReadPage,
    config: Config,
    threshold: float,
    segments: SegmentVerdicts,
    links: LinkVerdicts,
    *,
    page_label: PageLabel = "clean",
    page_score: float | None = None,
    page_reasons: tuple[str, ...] = (),
    prescreened: bool = False,
) -> Report:
    """A report of one read page: its segments and links, and the page verdict."""
    page = read.page
    return Report(
        segments,
        url=read.url,
        mode="text" if page.mode == "text" else "html",
        encoding=read.encoding,
        truncated=bool(read.truncated),
        truncated_reason=read.truncated or None,
        threshold=threshold,
        _links=links,
        _text=page.text,
        page_label=page_label,
        page_score=page_score,
        page_reasons=page_reasons,
        prescreened=prescreened,
        _caps=(config.max_nodes, config.max_links),
    )


def _text_term_codes(x: np.ndarray) -> list[str]:
    """Reason codes of the spam families whose terms occur in a segment's text (its feature row)."""
    return [code for col, code in _TERM_COLS if x[col] > 0]


def _shown_reasons(
    reasons: tuple[str, ...], raw: RawSegment, *, promoted: bool, text_terms: Sequence[str] = ()
) -> tuple[str, ...]:
    """Reasons as shown: a segment's own evidence first, and only codes that are true of it.

    Codes about links (``spam_terms_in_links``, ``raw_ip_links`` …) are left out
    for a segment without links, where the model's contribution came from the
    absence of links.  ``neighbour_spam`` goes after the segment's own evidence
    (it is all there is for a promoted line with none): the raw-IP line of an
    injected block says ``raw_ip_links`` first.
    """
    own: list[str] = []
    for r in reasons:
        if r == "neighbour_spam" or r in own:
            continue
        if not raw.links and r in _LINK_REASONS:
            # Spam vocabulary without links is vocabulary in the text: name its family instead.
            if r == "spam_terms_in_links":
                own.extend(t for t in text_terms if t not in own and t not in reasons)
            continue
        own.append(r)
    if promoted or "neighbour_spam" in reasons:
        own.append("neighbour_spam")
    return tuple(own)


def scan(
    page: PageInput,
    url: str | None = None,
    *,
    mode: Mode = "auto",
    encoding: str | None = None,
    config: Config | None = None,
    model: SegmentModel | None = None,
) -> Report:
    """Scan one page (HTML or plain text, ``str`` or ``bytes``) into labelled segments.

    ``url`` is the page's own address: it makes links absolute and tells on-site
    from off-site links (without it, the page's canonical URL or its most linked
    domain stands in).  ``encoding`` is a transport-level charset hint for bytes.
    """
    config = config or _DEFAULT_CONFIG
    return _score([_read(page, url, mode, config, encoding)], model or default_model(), config)[0]


def strip(
    page: PageInput,
    url: str | None = None,
    *,
    mode: Mode = "auto",
    encoding: str | None = None,
    config: Config | None = None,
    model: SegmentModel | None = None,
    links_only: bool = False,
) -> str:
    """The page with its spam segments removed (unchanged when there is none).

    Takes the same arguments as :func:`scan`; bytes come back decoded, as ``str``.
    ``links_only=True`` keeps every segment and unlinks the injected links (their text
    stays).  A page that is itself spam raises :class:`~linkguard.SpamPageError`: there is
    no article in it to keep (``Report.page_label`` says so without raising).
    """
    report = scan(page, url, mode=mode, encoding=encoding, config=config, model=model)
    return report.clean_html(links_only=links_only)


def scan_many(
    pages: Iterable[PageInput | tuple[PageInput, str | None]],
    *,
    mode: Mode = "auto",
    batch_size: int = 16,
    config: Config | None = None,
    model: SegmentModel | None = None,
) -> Iterator[Report]:
    """Scan many pages, one feature matrix and one model call per batch.

    Items are pages or ``(page, url)`` pairs.  Results come in input order and
    equal :func:`scan` on each page.  A page that cannot be read raises
    :class:`~linkguard.InputError` when its batch is reached; for one row per
    record whatever happens, use :func:`linkguard.score_records`.
    """
    if batch_size < 1:
        raise InputError("batch_size must be at least 1")
    config = config or _DEFAULT_CONFIG
    model = model or default_model()
    it = iter(pages)
    while True:
        chunk = list(islice(it, batch_size))
        if not chunk:
            return
        read = []
        for item in chunk:
            page, url = item if isinstance(item, tuple) else (item, None)
            read.append(_read(page, url, mode, config, None))
        yield from _score(read, model, config)
