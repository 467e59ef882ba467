"""Which implementation scans: the compiled core when it is built, else the pure-Python reference.

The core reads lexbor's C structures through the headers of one selectolax release, so
it only runs beside that release: another one installed next to it is refused at import
with a message naming both (a silent mismatch would read memory wrongly).  Set
``LINKGUARD_PURE=1`` to use the reference path even when the core is built.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
from types import ModuleType

import numpy as np

from linkguard import _segment
from linkguard._model import SegmentModel, _sigmoid
from linkguard._segment import Page
from linkguard._textmodel import TextModel, TextScorer

SELECTOLAX_PIN = "1.0.2"
"""The selectolax release the compiled core is built against (pyproject pins the same)."""

log = logging.getLogger("linkguard")


def _load() -> ModuleType | None:
    if os.environ.get("LINKGUARD_PURE", "") not in ("", "0"):
        return None
    try:
        import selectolax
    except ImportError:  # pragma: no cover - a dependency
        return None
    installed = getattr(selectolax, "__version__", "unknown")
    if installed != SELECTOLAX_PIN and importlib.util.find_spec("linkguard._core") is not None:
        # Checked before the import: the module would read another release's structures.
        raise ImportError(_mismatch(installed))
    try:
        _core = importlib.import_module("linkguard._core")
    except ModuleNotFoundError as exc:
        if exc.name != "linkguard._core":
            raise
        global _announce
        _announce = True
        return None
    if installed != _core.SELECTOLAX_VERSION or installed != SELECTOLAX_PIN:
        raise ImportError(_mismatch(installed, _core.SELECTOLAX_VERSION))
    return _core


def _mismatch(installed: str, built: str = SELECTOLAX_PIN) -> str:
    return (
        f"linkguard's compiled core was built against selectolax {built}, but selectolax {installed} "
        f"is installed. Install selectolax=={built} (the release linkguard pins), or set "
        "LINKGUARD_PURE=1 to use the pure-Python path."
    )


_announce = False
"""Say once, at the first scan, that the core is missing (at import the package logger is not set up).

An info line, not a warning: the install already warned, and scanning output stays clean."""

core = _load()
"""The compiled module, or ``None`` when scanning runs on the pure-Python reference."""


def segment_html(html: str, *, max_nodes: int = 2_000_000, max_links: int = 500_000) -> Page:
    """Parse and segment an HTML page (compiled when available; same segments either way)."""
    global _announce
    if core is not None:
        page: Page = core.segment_html(html, max_nodes=max_nodes, max_links=max_links)
        return page
    if _announce:
        _announce = False
        log.info("compiled core not built; using the pure-Python path (slower)")
    return _segment.segment_html(html, max_nodes=max_nodes, max_links=max_links)


def proba(model: SegmentModel, X: np.ndarray) -> np.ndarray:
    """``model.proba(X)``, with the trees walked in C for a float32 feature matrix."""
    if core is None or not isinstance(model, SegmentModel) or X.dtype != np.float32 or X.ndim != 2 or not len(X):
        return model.proba(X)
    trees = model.complete_trees()
    if trees is None:
        return model.proba(X)
    raw = core.tree_raw(np.ascontiguousarray(X), *trees, model.baseline)
    return _sigmoid(raw)


def text_scores(model: TextScorer, texts: list[str]) -> np.ndarray:
    """``model.scores(texts)``, hashed in C for a :class:`TextModel` (the same float32 values)."""
    if core is None or not texts or not isinstance(model, TextModel) or model.weights.dtype != np.float32:
        return model.scores(texts)
    scores: np.ndarray = core.text_scores(texts, np.ascontiguousarray(model.weights), model.bias, tuple(model.orders))
    return scores
