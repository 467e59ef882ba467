"""The errors linkguard raises on purpose; anything else is a bug."""

from __future__ import annotations


class LinkguardError(Exception):
    """Base class of linkguard's own errors."""


class InputError(LinkguardError, ValueError):
    """The input cannot be scanned as given (wrong type, unknown mode)."""


class ModelError(LinkguardError, ValueError):
    """A model file is missing, malformed, or made for other features."""


class SpamPageError(LinkguardError):
    """Stripping was asked of a page that is itself spam: there is no article to keep.

    ``score`` and ``reasons`` are the page verdict's (``Report.page_score``/``page_reasons``).
    """

    def __init__(self, score: float | None, reasons: tuple[str, ...]) -> None:
        shown = f"{score:.2f}" if score is not None else "?"
        super().__init__(
            f"the page itself is spam (page score {shown}; {', '.join(reasons) or 'no reasons'}): "
            "nothing in it is worth keeping"
        )
        self.score = score
        self.reasons = reasons
