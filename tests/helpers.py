"""Small helpers shared by test modules."""

from __future__ import annotations

import json
from pathlib import Path

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
