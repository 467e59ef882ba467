"""Small helpers shared by test modules."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

from linkguard import FEATURE_NAMES
from linkguard import _model as lg_model


def constant_model_file(path: Path, *, spam: bool) -> Path:
    """A model file that calls every segment spam (or none): wiring must not depend on trained weights."""
    data = {
        "format": lg_model.MODEL_FORMAT,
        "format_version": lg_model.MODEL_FORMAT_VERSION,
        "feature_names": list(FEATURE_NAMES),
        "baseline": 5.0 if spam else -5.0,
        "threshold": 0.5,
        "trees": [{"feature": [0], "threshold": [None], "left": [0], "right": [0], "value": [0.0]}],
        "metadata": {"note": "constant test model"},
    }
    path.write_text(json.dumps(data), "utf-8")
    return path


# Rows each fixture in tests/data gives (ok + skipped + error); the CLI and reader tests count on these.
FIXTURE_ROWS = {
    "custom.jsonl.gz": 2,
    "page.html": 1,
    "page.html.gz": 1,
    "page.txt": 1,
    "pages.jsonl": 5,
    "pages.warc.gz": 5,
    "pages.wet.gz": 2,
    "truncated-record.warc": 3,
    "truncated.jsonl.gz": 6,
    "truncated.warc.gz": 3,
}


def assert_missing_extra_hint(monkeypatch: pytest.MonkeyPatch, framework: str, extra: str) -> None:
    """Importing ``linkguard.integrations.<extra>`` without ``framework`` names the pip extra to install."""
    monkeypatch.setitem(sys.modules, framework, None)
    for name in [m for m in sys.modules if m.startswith(framework + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, f"linkguard.integrations.{extra}")
    with pytest.raises(ImportError, match=rf"pip install 'linkguard-spam\[{extra}\]'"):
        importlib.import_module(f"linkguard.integrations.{extra}")
