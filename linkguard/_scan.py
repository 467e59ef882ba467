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
from linkguard._features import FEATURE_NAMES, page_features
from linkguard._label import reasons_for, revise
from linkguard._model import SegmentModel, default_model
from linkguard._native import proba, segment_html
from linkguard._report import Report, Segment
from linkguard._segment import Page, segment_text

Mode = Literal["auto", "html", "text"]
PageInput = str | bytes | bytearray | memoryview
_MODES = ("auto", "html", "text")
_DEFAULT_CONFIG = Config()
_SURROGATE = re.compile("[\ud800-\udfff]")


class ReadPage(NamedTuple):
    """One input decoded and segmented, ready to score."""

    page: Page
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


def _read(page: Any, mode: str, config: Config, encoding: str | None) -> ReadPage:
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
    if not text.isascii() and _SURROGATE.search(text):
        # Lone surrogates (from a str built with surrogateescape, or a bad JSON \ud800) cannot
        # be encoded, and the matchers downstream need valid Unicode.
        text = _SURROGATE.sub("\ufffd", text)
    if mode == "auto":
        mode = "html" if looks_like_html(text) else "text"
    if mode == "html":
        parsed = segment_html(text, max_nodes=config.max_nodes, max_links=config.max_links)
    else:
        parsed = segment_text(text)
    return ReadPage(parsed, used, truncated or parsed.truncated)


def _score(
    pages: Sequence[Page],
    urls: Sequence[str | None],
    encodings: Sequence[str | None],
    truncations: Sequence[str],
    model: SegmentModel,
    config: Config,
) -> list[Report]:
    """Features for the whole batch, one model call, then per-page labelling."""
    if isinstance(model, SegmentModel):  # anything else with proba/contributions scores as it likes
        model = model.for_columns(FEATURE_NAMES)
    X, _, abs_links = page_features(pages, urls)
    threshold = config.threshold if config.threshold is not None else model.threshold
    scores_all = proba(model, X)
    reports: list[Report] = []
    offset = 0
    for p, page in enumerate(pages):
        n = len(page.segments)
        sl = slice(offset, offset + n)
        offset += n
        scores = scores_all[sl]
        spam = scores >= threshold
        promoted = revise(page.segments, spam, scores) if config.neighbours else np.zeros(n, dtype=bool)
        flagged = np.flatnonzero(spam | promoted)
        # Contributions (for reasons) only where they are shown: spam segments.
        contrib = dict(zip(flagged.tolist(), model.contributions(X[sl][flagged]), strict=True))
        segs: list[Segment] = []
        for i, raw in enumerate(page.segments):
            row = sl.start + i
            is_spam = bool(spam[i] or promoted[i])
            score = float(scores[i])
            reasons: tuple[str, ...] = ()
            if is_spam:
                reasons = reasons_for(contrib[i])
                if promoted[i]:
                    score = max(score, threshold)
                    reasons = ("neighbour_spam", *[r for r in reasons if r != "neighbour_spam"])
            segs.append(
                Segment(
                    label="spam" if is_spam else "content",
                    score=score,
                    reasons=reasons,
                    text=raw.text,
                    links=tuple(abs_links[row]),
                    path=raw.path,
                    index=i,
                    start=raw.start if raw.start >= 0 else None,
                    end=raw.end if raw.end >= 0 else None,
                    hidden=raw.hidden,
                )
            )
        trunc = truncations[p]
        reports.append(
            Report(
                segments=tuple(segs),
                url=urls[p],
                mode="text" if page.mode == "text" else "html",
                encoding=encodings[p],
                truncated=bool(trunc),
                truncated_reason=trunc or None,
                _page=page,
            )
        )
    return reports


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
    parsed, used, trunc = _read(page, mode, config, encoding)
    return _score([parsed], [url], [used], [trunc], model or default_model(), config)[0]


def strip(
    page: PageInput,
    url: str | None = None,
    *,
    mode: Mode = "auto",
    config: Config | None = None,
) -> str:
    """The page with its spam segments removed (unchanged when there is none)."""
    return scan(page, url, mode=mode, config=config).clean_html()


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
        parsed: list[Page] = []
        urls: list[str | None] = []
        encs: list[str | None] = []
        truncs: list[str] = []
        for item in chunk:
            page, url = item if isinstance(item, tuple) else (item, None)
            p, used, trunc = _read(page, mode, config, None)
            parsed.append(p)
            urls.append(url)
            encs.append(used)
            truncs.append(trunc)
        yield from _score(parsed, urls, encs, truncs, model, config)
