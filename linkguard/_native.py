"""Stages with a compiled implementation: segmentation and tree scoring run in the core when
:data:`linkguard._compiled.core` is set, else on the pure-Python reference (same results)."""

from __future__ import annotations

import logging

import numpy as np

from linkguard import _compiled, _segment
from linkguard._model import SegmentModel, _sigmoid
from linkguard._segment import Page

log = logging.getLogger("linkguard")


def segment_html(html: str, *, max_nodes: int = 2_000_000, max_links: int = 500_000) -> Page:
    """Parse and segment an HTML page (compiled when available; same segments either way)."""
    core = _compiled.core
    if core is not None:
        page: Page = core.segment_html(html, max_nodes=max_nodes, max_links=max_links)
        return page
    if _compiled.missing:
        # An info line, not a warning: the install already warned, and scanning output stays clean.
        _compiled.missing = False
        log.info("compiled core not built; using the pure-Python path (slower)")
    return _segment.segment_html(html, max_nodes=max_nodes, max_links=max_links)


def proba(model: SegmentModel, X: np.ndarray) -> np.ndarray:
    """``model.proba(X)``, with the trees walked in C for a float32 feature matrix."""
    core = _compiled.core
    if core is None or not isinstance(model, SegmentModel) or X.dtype != np.float32 or X.ndim != 2 or not len(X):
        return model.proba(X)
    trees = model.complete_trees()
    if trees is None:
        return model.proba(X)
    raw = core.tree_raw(np.ascontiguousarray(X), *trees, model.baseline)
    return _sigmoid(raw)
