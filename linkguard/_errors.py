"""The errors linkguard raises on purpose; anything else is a bug."""

from __future__ import annotations


class LinkguardError(Exception):
    """Base class of linkguard's own errors."""


class InputError(LinkguardError, ValueError):
    """The input cannot be scanned as given (wrong type, unknown mode)."""


class ModelError(LinkguardError, ValueError):
    """A model file is missing, malformed, or made for other features."""
