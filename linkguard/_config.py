"""Scan options in one place, instead of keyword arguments threaded through every call."""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES_DEFAULT = 16 * 1024 * 1024
MAX_NODES_DEFAULT = 2_000_000
MAX_LINKS_DEFAULT = 500_000


@dataclass(frozen=True, slots=True)
class Config:
    """Options for :func:`linkguard.scan` and friends.

    The caps bound time and memory on hostile input.  When one is hit the scan
    still returns a report, for the part it read, with ``truncated=True`` and
    the reason in ``truncated_reason``.
    """

    threshold: float | None = None
    """Spam probability at or above which a segment is spam; ``None`` = the model's own."""
    max_bytes: int = MAX_BYTES_DEFAULT
    """Characters (text) or bytes (bytes input) read from one page."""
    max_nodes: int = MAX_NODES_DEFAULT
    """HTML nodes visited per page."""
    max_links: int = MAX_LINKS_DEFAULT
    """Links collected per page."""
    neighbours: bool = True
    """Second pass: short lines wedged between spam segments, and segments whose links are
    mostly planted (by the link verdicts), become spam too."""
    prescreen: bool = False
    """Clear plainly clean pages without scoring them (faster crawl filtering, some recall lost;
    the README's benchmark section gives both).  Such a report has ``prescreened=True``."""

    def __post_init__(self) -> None:
        if self.threshold is not None and not 0.0 < self.threshold < 1.0:
            raise ValueError("threshold must be in (0, 1)")
        for name in ("max_bytes", "max_nodes", "max_links"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive")
