"""A Spark executor's Python daemon with linkguard loaded before it forks its workers.

Spark runs one Python daemon per executor (``python -m pyspark.daemon``) and forks a worker
from it for each task slot.  Each worker then imports linkguard, reads the model and fills
its first-use caches on its first task: about 0.4 s of CPU per worker, paid by every slot at
once when a stage starts, the part of a job that a second core cannot share.  Named as the
daemon instead::

    --conf spark.python.daemon.module=linkguard.integrations.spark_daemon

the daemon does that once, before any fork, and the workers inherit it (the pages stay
shared until written, and the loaded objects are frozen out of the collector's sight, so a
collection in a worker does not write to them).  ``python -m linkguard.integrations.spark``
sets it on the session it creates.  Only the bundled model is preloaded (a model given by
path is read by each worker, once).

Nothing here may write to standard output: the daemon tells the JVM its port there.
"""

from __future__ import annotations

import sys
import traceback

__all__ = ["MODULE", "preload"]

MODULE = "linkguard.integrations.spark_daemon"
"""The value for ``spark.python.daemon.module``."""

_WARM_PAGE = (
    '<html><head><title>t</title></head><body><p>A page with a <a href="https://example.org/a">link</a>.</p>'
    '<div style="display:none">slot gacor <a href="http://192.0.2.1/">x</a></div></body></html>'
)


def preload() -> None:
    """Import what a worker uses, read the bundled model and score one small page and one text.

    A failure here is reported on standard error and otherwise ignored: the workers then load
    what they need themselves, and any real error surfaces there, in the task that hit it."""
    try:
        import linkguard.integrations.spark  # noqa: F401 - what the workers unpickle the job's functions from
        from linkguard._batch import score_records
        from linkguard._model import default_model
        from linkguard._pool import settle_gc

        default_model()
        list(score_records([{"url": "https://example.org/", "html": _WARM_PAGE}, {"text": "slot gacor\nA line."}]))
        settle_gc()
    except Exception:  # never let a preload stop the daemon from serving
        print("linkguard: the Spark daemon could not preload linkguard:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)


def main() -> None:
    """Preload, then serve as ``pyspark.daemon`` does."""
    preload()
    from pyspark.daemon import manager

    manager()


if __name__ == "__main__":
    main()
