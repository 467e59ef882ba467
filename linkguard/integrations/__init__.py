"""Optional adapters for Spark, datatrove and Scrapy.

Each submodule imports its framework at import time and fails with an
:class:`ImportError` naming the extra to install, so ``import linkguard`` never
pulls in a framework nobody asked for:

* :mod:`linkguard.integrations.spark`: ``pip install 'linkguard-spam[spark]'``
* :mod:`linkguard.integrations.datatrove`: ``pip install 'linkguard-spam[datatrove]'``
* :mod:`linkguard.integrations.scrapy`: ``pip install 'linkguard-spam[scrapy]'``

(``linkguard-spam`` is this project's name on the package index; in a checkout,
``pip install -e '.[spark]'`` installs the same.)
"""

from __future__ import annotations

import os
from functools import cache

from linkguard._model import SegmentModel, default_model
from linkguard._scan import load_model

__all__ = ["ModelSpec", "missing_extra", "resolve_model"]

ModelSpec = SegmentModel | str | os.PathLike[str] | None
"""A model as the integrations take it: an object, a path to a JSON model file, or ``None`` (bundled)."""


def missing_extra(extra: str, exc: ImportError) -> ImportError:
    """The ImportError to raise when an integration's framework is absent (names the pip command)."""
    return ImportError(
        f"linkguard.integrations.{extra} needs {exc.name or 'an optional dependency'}, "
        f"which is not installed; install it with: pip install 'linkguard-spam[{extra}]' "
        f"(in a checkout: pip install -e '.[{extra}]')"
    )


@cache
def _load_cached(path: str) -> SegmentModel:
    # As ``linkguard.load_model`` reads it: checked against the features this linkguard computes.
    return load_model(path)


def resolve_model(model: ModelSpec) -> SegmentModel:
    """Turn a model spec into a model, reading each file once per process.

    Workers (Spark executors, datatrove tasks) get the *path* shipped to them and
    load it here, once, instead of receiving a pickled model per task.
    """
    if model is None:
        return default_model()
    if isinstance(model, (str, os.PathLike)):
        return _load_cached(os.fspath(model))
    return model
