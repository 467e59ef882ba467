"""Batches of records scored in worker processes, rows back in input order.

Each worker loads the model once (in its initializer), then scores whole
batches on the vectorised path.  Only a bounded number of batches is in
flight, so memory stays flat however long the input is.

A big gzip WARC file or plain JSON Lines file is not read here at all: each
worker reads its own byte ranges of it (one gzip member per record, or one line
per record, makes that possible), so this process neither decompresses nor
parses the pages nor sends them down a pipe, and on two cores the two workers
get both.  The ranges are joined in order and checked against
where reading in order went, so the rows are the ones a single reader gives.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from linkguard._batch import score_records
from linkguard._config import MAX_BYTES_DEFAULT, Config
from linkguard._model import default_model
from linkguard._records import Row
from linkguard.io._span import Span
from linkguard.io.files import SplitFile

# A worker's share of a big file: a dozen pages of a crawl WARC (about 20 KB each,
# compressed), or two or three of JSON Lines; small enough that the workers finish within a
# share of each other, big enough that finding the share's first record costs nothing next to
# scoring it.  (On the corpus WARC one worker finished about 0.08 s after the other with
# 512 KiB shares, 0.02 s with these.)
SPAN_BYTES = 1 << 18
# Files from this size on are read in ranges when there is more than one job.
SPLIT_FROM = 2 * SPAN_BYTES


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


GC_GEN0 = 20_000
"""Allocations between young-generation collections in a process linkguard owns (Python's default:
700).  Scoring makes many short-lived objects and few cycles; at the default, collections took about
5 % of a scan of the corpus WARC."""


def settle_gc() -> None:
    """Tune the collector of a process that only scores (the CLI, a pool worker), once the model is in.

    ``gc.freeze()`` moves what is loaded (modules, lexicons, model) out of the collector's sight: it
    is never garbage, and a forked worker that walked it would copy every page of it.  Never called
    by the library functions, which run in a user's process."""
    gc.freeze()
    gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(gen0, GC_GEN0), gen1, gen2)


_WORKER_OPTIONS: ScoreOptions | None = None


def _init_worker(options: ScoreOptions) -> None:
    """Runs once per worker process: keep the options and load the model once."""
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = options
    default_model()
    settle_gc()


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


def _score_span(file: SplitFile, span: Span, max_bytes: int) -> tuple[list[Row], Span]:
    return list(score(file.records(span, max_bytes), _WORKER_OPTIONS or ScoreOptions())), span


Part = Mapping[str, Any] | SplitFile


def _expanded(parts: Iterable[Part], max_bytes: int) -> Iterator[Mapping[str, Any]]:
    for part in parts:
        if isinstance(part, SplitFile):
            yield from part.records(None, max_bytes)
        else:
            yield part


@dataclass
class _Joined:
    """The parent's view of one split file: where in-order reading has got to."""

    file: SplitFile
    base: int = 0  # records (WARC records, or lines) before the next range
    expected: int | None = 0  # offset of the next record; None: nothing more to read
    done: bool = False


@dataclass
class _Task:
    batch: list[Mapping[str, Any]] = field(default_factory=list)
    joined: _Joined | None = None
    span: Span | None = None


def _tasks(parts: Iterable[Part], size: int) -> Iterator[_Task]:
    batch: list[Mapping[str, Any]] = []
    for part in parts:
        if isinstance(part, SplitFile):
            if batch:
                yield _Task(batch)
                batch = []
            joined = _Joined(part)
            for span in _spans(part.size):
                yield _Task(joined=joined, span=span)
            continue
        batch.append(part)
        if len(batch) >= size:
            yield _Task(batch)
            batch = []
    if batch:
        yield _Task(batch)


def _spans(size: int) -> Iterator[Span]:
    """A file's ranges: :data:`SPAN_BYTES` each, a quarter of that over the last ``4 * SPAN_BYTES``.

    Smaller ranges at the end let the workers finish close together (on the corpus WARC the last
    worker finished about 0.02 s after the other with full-size ranges to the end).  The last range
    reads to the end of the data, wherever that is by then (a file still being written to is read
    as far as one reader would read it)."""
    tail = size - 4 * SPAN_BYTES
    start = 0
    while start < size:
        end = start + (SPAN_BYTES if start < tail else max(1, SPAN_BYTES // 4))
        yield Span(start, end if end < size else sys.maxsize)
        start = end


def _join(joined: _Joined, rows: list[Row], span: Span, options: ScoreOptions, max_bytes: int) -> Iterator[Row]:
    """A range's rows as in-order reading gives them, or the rest of the file read in order here.

    A range is taken when its first record is the one the previous range stopped at (or it is
    empty and should be).  Otherwise a WARC range's search for its first gzip member was fooled
    (stored deflate blocks can hold a ``.warc.gz`` inside a record): this process reads on from
    where in-order reading stopped, and drops the file's remaining ranges.  (JSON Lines ranges
    start at a line, which needs no search.)
    """
    if joined.done:
        return
    want = joined.expected if joined.expected is not None and joined.expected < span.end else None
    if span.first_pos != want:
        joined.done = True
        if joined.expected is not None:
            rest = Span(joined.expected, sys.maxsize, exact=True)
            found = list(score(joined.file.records(rest, max_bytes), options))
            yield from _renumbered(joined, found, rest)
        return
    if span.first_pos is None:
        return
    yield from _renumbered(joined, rows, span)
    joined.expected = span.next_pos
    joined.done = span.stopped


def _renumbered(joined: _Joined, rows: list[Row], span: Span) -> list[Row]:
    """Ids made from a record's number within the range, made from its number in the file."""
    for index, n in span.numbered:
        rows[index]["id"] = joined.file.numbered_id(joined.base + n)
    joined.base += span.records
    return rows


def _submit(pool: ProcessPoolExecutor, task: _Task, max_bytes: int) -> Future[Any]:
    """Send a task's work to a worker: a batch, or a file and a range (the join state stays here)."""
    if task.joined is None or task.span is None:
        return pool.submit(_score_batch, task.batch)
    return pool.submit(_score_span, task.joined.file, task.span, max_bytes)


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


def score_stream(
    records: Iterable[Part], options: ScoreOptions, jobs: int = 1, *, max_bytes: int = MAX_BYTES_DEFAULT
) -> Iterator[Row]:
    """Rows in input order; with ``jobs > 1`` batches go to worker processes.

    ``records`` may hold :class:`~linkguard.io.files.SplitFile` parts (from
    :func:`~linkguard.io.files.iter_parts`): with ``jobs > 1`` workers read those
    in byte ranges, otherwise they are read here.  At most ``4 * jobs`` tasks
    are in flight: rows leave in input order, so a slow task at the head holds
    the others' results, and with only ``2 * jobs`` a worker that finished its
    share of them sat idle until the slow one was done.  A single batch is
    scored here: starting workers for it would cost more than it saves.
    """
    if jobs <= 1:
        yield from score(_expanded(records, max_bytes), options)
        return
    tasks = _tasks(records, options.batch_size)
    head = list(islice(tasks, 2))
    if len(head) < 2 and all(task.span is None for task in head):
        for task in head:
            yield from score(task.batch, options)
        return
    context = _mp_context()
    if context.get_start_method() == "fork":
        default_model()  # loaded once here, shared with every forked worker
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(options,)
    ) as pool:
        inflight: deque[tuple[_Task, Future[Any]]] = deque()

        def results() -> Iterator[Row]:
            task, fut = inflight.popleft()
            done = fut.result()
            if task.joined is None:
                yield from done
            else:
                rows, span = done
                yield from _join(task.joined, rows, span, options, max_bytes)

        try:
            with warnings.catch_warnings():
                # The first submit starts every worker.  Python >= 3.12 warns on fork() with any
                # OS thread alive; here that is only OpenBLAS's (see _mp_context).
                warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
                inflight.append((head[0], _submit(pool, head[0], max_bytes)))
            for task in chain(head[1:], tasks):
                inflight.append((task, _submit(pool, task, max_bytes)))
                while len(inflight) >= 4 * jobs:
                    yield from results()
            while inflight:
                yield from results()
        finally:
            for _, fut in inflight:
                fut.cancel()


__all__ = ["GC_GEN0", "SPLIT_FROM", "ScoreOptions", "default_jobs", "score", "score_stream", "settle_gc"]
