"""linkguard: find spam injected into legitimate web pages.

>>> import linkguard
>>> report = linkguard.scan("<p>A normal paragraph about the weather today.</p>")
>>> report.is_spam
False
"""

from __future__ import annotations

import logging

from linkguard._batch import score_records
from linkguard._campaigns import find_campaigns
from linkguard._config import Config
from linkguard._errors import InputError, LinkguardError, ModelError, SpamPageError
from linkguard._features import FEATURE_NAMES
from linkguard._hosts import mark_rows, summarize_hosts
from linkguard._label import REASON_CODES
from linkguard._model import SegmentModel, default_model, save_model
from linkguard._records import ROW_FIELDS
from linkguard._report import Report, Segment
from linkguard._scan import load_model, scan, scan_many, strip

__version__ = "0.1.0"

__all__ = [
    "FEATURE_NAMES",
    "REASON_CODES",
    "ROW_FIELDS",
    "Config",
    "InputError",
    "LinkguardError",
    "ModelError",
    "Report",
    "Segment",
    "SegmentClassifier",
    "SegmentModel",
    "SpamPageError",
    "__version__",
    "default_model",
    "find_campaigns",
    "load_model",
    "mark_rows",
    "save_model",
    "scan",
    "scan_many",
    "score_records",
    "strip",
    "summarize_hosts",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> object:
    # The estimator imports scikit-learn (~1 s, ~150 MB; the 'train' extra); only load it when asked for.
    # Without scikit-learn the import raises an ImportError that names the pip command.
    if name == "SegmentClassifier":
        from linkguard._estimator import SegmentClassifier

        return SegmentClassifier
    raise AttributeError(f"module 'linkguard' has no attribute {name!r}")
