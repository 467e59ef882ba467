"""Batches of records scored in worker processes, rows back in input order.

Each worker loads the model once (in its initializer), then scores whole
batches on the vectorised path.  Only a bounded number of batches is in
flight, so memory stays flat however long the input is.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from linkguard._batch import score_records
from linkguard._config import Config
from linkguard._model import default_model
from linkguard._records import Row


@dataclass(frozen=True)
class ScoreOptions:
    """Everything a worker needs to score a batch (picklable)."""

    mode: str = "auto"
    threshold: float | None = None
    explain: bool = False
    strip: bool = False
    batch_size: int = 16
    prescreen: bool = False


def default_jobs() -> int:
    """CPUs this process may use (``os.cpu_count()`` where affinity is unknown)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_WORKER_OPTIONS: ScoreOptions | None = None


def _init_worker(options: ScoreOptions) -> None:
    """Runs once per worker process: keep the options and load the model once."""
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = options
    default_model()


def _score_batch(batch: list[Mapping[str, Any]]) -> list[Row]:
    return list(score(batch, _WORKER_OPTIONS or ScoreOptions()))


def score(records: Iterable[Mapping[str, Any]], options: ScoreOptions) -> Iterator[Row]:
    """Rows for records in this process; ``segments``/``clean`` are present (maybe ``None``) when asked for."""
    rows = score_records(
        records,
        mode=options.mode,
        batch_size=options.batch_size,
        config=Config(threshold=options.threshold, prescreen=options.prescreen),
        explain=options.explain,
        strip=options.strip,
    )
    for row in rows:
        if options.explain:
            row.setdefault("segments", None)
        if options.strip:
            row.setdefault("clean", None)
        yield row


def _batches(records: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    it = iter(records)
    while batch := list(islice(it, size)):
        yield batch


def _mp_context() -> Any:
    """fork where it is safe (Linux, no other Python thread), else forkserver or spawn.

    A forked worker shares the model this process has already loaded, so it
    starts in milliseconds; a forkserver or spawned worker starts a fresh
    interpreter and loads the model again (~0.5 s of CPU each, which on a
    two-core machine is most of what a second worker gains on a small input).
    fork() is unsafe when another thread may hold a lock, so a process with
    Python threads (a web server, a crawler's reactor) gets forkserver.
    The one native thread numpy starts (OpenBLAS) resets itself on fork.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def score_stream(records: Iterable[Mapping[str, Any]], options: ScoreOptions, jobs: int = 1) -> Iterator[Row]:
    """Rows in input order; with ``jobs > 1`` batches go to worker processes.

    At most ``4 * jobs`` batches are in flight: rows leave in input order, so a slow batch at
    the head holds the others' results, and with only ``2 * jobs`` a worker that finished its
    share of them sat idle until the slow one was done.  A single batch is scored here:
    starting workers for it would cost more than it saves.
    """
    if jobs <= 1:
        yield from score(records, options)
        return
    batches = _batches(records, options.batch_size)
    head = list(islice(batches, 2))
    if len(head) < 2:
        for batch in head:
            yield from score(batch, options)
        return
    context = _mp_context()
    if context.get_start_method() == "fork":
        default_model()  # loaded once here, shared with every forked worker
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(options,)
    ) as pool:
        inflight: deque[Future[list[Row]]] = deque()
        try:
            with warnings.catch_warnings():
                # The first submit starts every worker.  Python >= 3.12 warns on fork() with any
                # OS thread alive; here that is only OpenBLAS's (see _mp_context).
                warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
                inflight.append(pool.submit(_score_batch, head[0]))
            for batch in chain(head[1:], batches):
                inflight.append(pool.submit(_score_batch, batch))
                while len(inflight) >= 4 * jobs:
                    yield from inflight.popleft().result()
            while inflight:
                yield from inflight.popleft().result()
        finally:
            for fut in inflight:
                fut.cancel()


__all__ = ["ScoreOptions", "default_jobs", "score", "score_stream"]
