"""``linkguard score``: score pages, WARC/WET and JSONL files into one row per record.

Usage::

    linkguard [score] [options] [PATH ...]

``PATH`` is a page file (``.html``, ``.txt``, gzipped or not), a WARC or WET file,
a JSON Lines file, or a directory (read recursively, sorted); ``-`` or no path
reads standard input (one page, or JSON Lines with ``--stdin-format jsonl``).

Output goes to standard output (or ``-o FILE``) as JSON Lines, CSV or Parquet,
one row per input record with the columns of :data:`linkguard.ROW_FIELDS`;
``--explain`` adds ``segments`` (per-segment verdicts) and ``--strip`` adds
``clean`` (the page without its spam segments).  In CSV, lists and segments
are JSON strings, booleans ``true``/``false`` and missing values empty.  Logs
and the progress line go to standard error, never to the data.

Exit status: 0 when every record was scored or skipped, 1 when any row has
``status="error"`` (unreadable record, truncated file, bad JSON line), 2 for a
usage error (unknown option, missing path, parquet without pyarrow) or a
model that cannot be loaded.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import multiprocessing
import os
import platform
import shutil
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from typing import IO, Any

from linkguard import __version__
from linkguard._batch import ROW_FIELDS, score_records
from linkguard._config import Config
from linkguard._errors import LinkguardError
from linkguard._model import default_model
from linkguard.io.files import STDIN, iter_inputs

log = logging.getLogger("linkguard")

FORMATS = ("jsonl", "csv", "parquet")
_SUBCOMMANDS = ("score",)
_TOP_LEVEL_FLAGS = ("-h", "--help", "--version")
_PARQUET_ROWS = 1024  # rows buffered per Parquet row group write


class UsageError(Exception):
    """A problem with the command line; reported in one line, exit status 2."""


# ---------------------------------------------------------------- arguments


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), not {value}")
    return value


def default_jobs() -> int:
    """CPUs this process may use (``os.cpu_count()`` where affinity is unknown)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def version_text() -> str:
    return f"linkguard {__version__} (Python {platform.python_version()})"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (public so docs and tests can introspect it)."""
    parser = argparse.ArgumentParser(
        prog="linkguard",
        description="Find spam injected into legitimate web pages.",
        epilog="Without a subcommand, 'linkguard PATH ...' means 'linkguard score PATH ...'.",
    )
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    score = sub.add_parser(
        "score",
        help="score pages and archives into one row per record",
        description=(
            "Score page files, WARC/WET files, JSON Lines files or directories of them; "
            "one output row per input record. Exit status: 0 ok, 1 some rows are errors, "
            "2 usage error."
        ),
    )
    score.add_argument("paths", nargs="*", metavar="PATH", help="inputs; '-' or none = stdin")
    src = score.add_argument_group("input")
    src.add_argument("--html-field", help="JSONL field holding the page (default: html/content/text/…)")
    src.add_argument("--url-field", default="url", help="JSONL field holding the page URL (default: url)")
    src.add_argument("--id-field", default="id", help="JSONL field holding the record id (default: id)")
    src.add_argument(
        "--stdin-format",
        choices=("page", "jsonl"),
        default="page",
        help="read stdin as one page (default) or as JSON Lines",
    )
    src.add_argument(
        "--mode",
        choices=("auto", "html", "text"),
        default="auto",
        help="how to read pages (WET records are always text; default: auto)",
    )
    src.add_argument("--limit", type=_positive_int, help="stop after N records")
    out = score.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, default="jsonl", help="output format (default: jsonl)")
    out.add_argument("-o", "--output", metavar="FILE", help="write rows here instead of stdout")
    out.add_argument("--explain", action="store_true", help="add per-segment verdicts ('segments')")
    out.add_argument("--strip", action="store_true", help="add the page without spam ('clean')")
    run = score.add_argument_group("scoring")
    run.add_argument("--threshold", type=_threshold, help="segment spam threshold (default: the model's)")
    run.add_argument("--batch-size", type=_positive_int, default=16, help="records per batch (default: 16)")
    run.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        help="worker processes (default: CPU count; 1 = in this process)",
    )
    talk = score.add_argument_group("messages")
    talk.add_argument("-q", "--quiet", action="store_true", help="no progress line, errors only")
    talk.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    return parser


def _with_subcommand(argv: list[str]) -> list[str]:
    """Make ``linkguard PATH`` mean ``linkguard score PATH``."""
    if argv and (argv[0] in _SUBCOMMANDS or argv[0] in _TOP_LEVEL_FLAGS):
        return argv
    return ["score", *argv]


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class ScoreOptions:
    """Everything a worker needs to score a batch (picklable)."""

    mode: str = "auto"
    threshold: float | None = None
    explain: bool = False
    strip: bool = False
    batch_size: int = 16


_WORKER_OPTIONS: ScoreOptions | None = None


def _init_worker(options: ScoreOptions) -> None:
    """Runs once per worker process: keep the options and load the model once."""
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = options
    default_model()


def _score_batch(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    options = _WORKER_OPTIONS or ScoreOptions()
    return list(_score(batch, options))


def _score(records: Iterable[dict[str, Any]], options: ScoreOptions) -> Iterator[dict[str, Any]]:
    config = Config(threshold=options.threshold)
    rows = score_records(
        records,
        mode=options.mode,
        batch_size=options.batch_size,
        config=config,
        explain=options.explain,
        strip=options.strip,
    )
    for row in rows:
        if options.explain:
            row.setdefault("segments", None)
        if options.strip:
            row.setdefault("clean", None)
        yield row


def _batches(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(records)
    while batch := list(islice(it, size)):
        yield batch


def _mp_context() -> Any:
    """forkserver where there is one: fork() from a process with BLAS threads is unsafe."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def score_stream(records: Iterable[dict[str, Any]], options: ScoreOptions, jobs: int = 1) -> Iterator[dict[str, Any]]:
    """Rows in input order; with ``jobs > 1`` batches go to worker processes.

    At most ``2 * jobs`` batches are in flight, so memory stays flat however
    long the input.  A single batch is scored here: starting workers for it
    would cost more than it saves.
    """
    if jobs <= 1:
        yield from _score(records, options)
        return
    batches = _batches(records, options.batch_size)
    head = list(islice(batches, 2))
    if len(head) < 2:
        for batch in head:
            yield from _score(batch, options)
        return
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=_mp_context(), initializer=_init_worker, initargs=(options,)
    ) as pool:
        inflight: deque[Future[list[dict[str, Any]]]] = deque()
        try:
            for batch in chain(head, batches):
                inflight.append(pool.submit(_score_batch, batch))
                while len(inflight) >= 2 * jobs:
                    yield from inflight.popleft().result()
            while inflight:
                yield from inflight.popleft().result()
        finally:
            for fut in inflight:
                fut.cancel()


# ---------------------------------------------------------------- output


def _columns(explain: bool, strip: bool) -> list[str]:
    cols = list(ROW_FIELDS)
    if explain:
        cols.append("segments")
    if strip:
        cols.append("clean")
    return cols


class JsonlWriter:
    """One JSON object a line, UTF-8."""

    def __init__(self, fh: IO[str], columns: list[str]) -> None:
        self.fh = fh
        self.columns = columns

    def write(self, row: dict[str, Any]) -> None:
        self.fh.write(json.dumps({c: row.get(c) for c in self.columns}, ensure_ascii=False, default=str))
        self.fh.write("\n")

    def close(self) -> None:
        self.fh.flush()


class CsvWriter:
    """A header line then one line a row; lists and segments as JSON strings."""

    def __init__(self, fh: IO[str], columns: list[str]) -> None:
        self.fh = fh
        self.columns = columns
        self.writer = csv.writer(fh, lineterminator="\n")
        self.writer.writerow(columns)

    @staticmethod
    def _cell(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (list, dict, tuple)):
            return json.dumps(value, ensure_ascii=False, default=str)
        return value

    def write(self, row: dict[str, Any]) -> None:
        self.writer.writerow([self._cell(row.get(c)) for c in self.columns])

    def close(self) -> None:
        self.fh.flush()


class ParquetWriter:
    """Row groups of up to ``_PARQUET_ROWS`` rows, with a fixed schema."""

    def __init__(self, path: str, columns: list[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {
            "id": pa.string(),
            "url": pa.string(),
            "status": pa.string(),
            "is_spam": pa.bool_(),
            "spam_score": pa.float64(),
            "n_segments": pa.int64(),
            "n_spam_segments": pa.int64(),
            "spam_links": pa.list_(pa.string()),
            "reasons": pa.list_(pa.string()),
            "truncated": pa.bool_(),
            "error": pa.string(),
            "segments": pa.string(),  # JSON: a list of segment dicts
            "clean": pa.string(),
        }
        self.pa = pa
        self.columns = columns
        self.schema = pa.schema([(c, types.get(c, pa.string())) for c in columns])
        self.writer = pq.ParquetWriter(path, self.schema)
        self.buffer: list[dict[str, Any]] = []

    def write(self, row: dict[str, Any]) -> None:
        out = {c: row.get(c) for c in self.columns}
        if out["id"] is not None:
            out["id"] = str(out["id"])
        if "segments" in out and out["segments"] is not None:
            out["segments"] = json.dumps(out["segments"], ensure_ascii=False)
        self.buffer.append(out)
        if len(self.buffer) >= _PARQUET_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            self.writer.write_table(self.pa.Table.from_pylist(self.buffer, schema=self.schema))
            self.buffer = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


def _check_pyarrow() -> None:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise UsageError(
            "--format parquet needs pyarrow: pip install 'linkguard[parquet]' (or: pip install pyarrow)"
        ) from None


class _Output:
    """The text stream rows go to: a file, or stdout as UTF-8 whatever the locale."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._wrapper: io.TextIOWrapper | None = None
        if path is not None and path != STDIN:
            self.fh: IO[str] = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        elif hasattr(sys.stdout, "buffer"):
            sys.stdout.flush()
            self._wrapper = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            self.fh = self._wrapper
        else:  # an in-memory stdout (tests, notebooks)
            self.fh = sys.stdout

    def close(self) -> None:
        if self._wrapper is not None:
            try:
                self._wrapper.flush()
            finally:
                self._wrapper.detach()  # leave sys.stdout usable
        elif self.fh is not sys.stdout:
            self.fh.close()


# ---------------------------------------------------------------- progress


class Progress:
    """pages, pages/s and errors on stderr; only for a terminal, never in the data."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.n = 0
        self.errors = 0
        self.start = time.monotonic()
        self._last = 0.0
        self._bar: Any = None
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                # shutil falls back to 80 columns where the terminal reports a width of 0
                width = shutil.get_terminal_size().columns
                self._bar = tqdm(unit="page", file=sys.stderr, ncols=width, leave=True)

    def update(self, row: dict[str, Any]) -> None:
        self.n += 1
        if row.get("status") == "error":
            self.errors += 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(1)
            if row.get("status") == "error":
                self._bar.set_postfix(errors=self.errors, refresh=False)
            return
        now = time.monotonic()
        if now - self._last >= 0.25:
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.n / max(now - self.start, 1e-9)
        sys.stderr.write(f"\r{self.n} pages, {rate:.1f} pages/s, {self.errors} errors")
        sys.stderr.flush()

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            self._draw(time.monotonic())
            sys.stderr.write("\n")
            sys.stderr.flush()


# ---------------------------------------------------------------- main


def _setup_logging(verbose: int, quiet: bool) -> logging.Handler:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("linkguard: %(levelname)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    return handler


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is None or sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _validate(args: argparse.Namespace) -> None:
    for path in args.paths:
        if path != STDIN and not os.path.exists(path):
            raise UsageError(f"no such file or directory: {path}")
    if args.paths.count(STDIN) > 1:
        raise UsageError("'-' (stdin) can be given only once")
    if not args.paths and _stdin_is_terminal():
        raise UsageError("no input: give PATH ... or pipe a page into stdin ('linkguard -h' for help)")
    if args.format == "parquet":
        _check_pyarrow()
        if args.output in (None, STDIN):
            raise UsageError("--format parquet needs -o FILE (Parquet cannot stream to stdout)")


def _run(args: argparse.Namespace) -> int:
    _validate(args)
    try:
        default_model()  # fail before any output is written, not in the first batch
    except LinkguardError as exc:
        raise UsageError(f"cannot load the model: {exc}") from None
    options = ScoreOptions(
        mode=args.mode,
        threshold=args.threshold,
        explain=args.explain,
        strip=args.strip,
        batch_size=args.batch_size,
    )
    jobs = args.jobs or default_jobs()
    jsonl_options = {"html_field": args.html_field, "url_field": args.url_field, "id_field": args.id_field}
    records: Iterable[dict[str, Any]] = iter_inputs(args.paths, stdin_format=args.stdin_format, **jsonl_options)
    if args.limit is not None:
        records = islice(records, args.limit)
    columns = _columns(args.explain, args.strip)
    progress = Progress(enabled=not args.quiet and sys.stderr.isatty())
    start = time.monotonic()
    out: _Output | None = None
    writer: JsonlWriter | CsvWriter | ParquetWriter
    if args.format == "parquet":
        writer = ParquetWriter(args.output, columns)
    else:
        out = _Output(args.output)
        writer = (JsonlWriter if args.format == "jsonl" else CsvWriter)(out.fh, columns)
    counts = {"ok": 0, "skipped": 0, "error": 0}
    try:
        for row in score_stream(records, options, jobs):
            writer.write(row)
            counts[row.get("status", "ok")] = counts.get(row.get("status", "ok"), 0) + 1
            progress.update(row)
    finally:
        progress.close()
        try:
            writer.close()
        finally:
            if out is not None:
                out.close()
    total = sum(counts.values())
    log.info(
        "%d rows: %d ok, %d skipped, %d errors in %.1fs",
        total,
        counts["ok"],
        counts["skipped"],
        counts["error"],
        time.monotonic() - start,
    )
    if counts["error"]:
        log.warning("%d of %d records could not be scored (status=error)", counts["error"], total)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 error rows, 2 usage error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(_with_subcommand(argv))
    except SystemExit as exc:  # --help, --version, or an argparse usage error
        return exc.code if isinstance(exc.code, int) else 2
    handler = _setup_logging(args.verbose, args.quiet)
    try:
        return _run(args)
    except UsageError as exc:
        print(f"linkguard: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("linkguard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not our failure, stop quietly.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        return 0
    finally:
        log.removeHandler(handler)
        log.setLevel(logging.NOTSET)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
