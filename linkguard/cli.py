"""The ``linkguard`` command: ``score`` pages and archives into rows, ``explain`` one page, ``report`` in HTML.

Usage::

    linkguard [score] [options] [PATH ...]
    linkguard explain [options] PAGE
    linkguard report [options] [PATH ...] [-o DIR]
    linkguard hosts [options] ROWS ...
    linkguard campaigns [options] ROWS ...

``PATH`` is a page file (any suffix, gzipped or not), a WARC or WET file, a
JSON Lines file, or a directory (read recursively, sorted); ``-`` or no path
reads standard input (one page, or JSON Lines with ``--stdin-format jsonl``).

``score`` writes one row per input record to standard output (or ``-o FILE``)
as JSON Lines, CSV or Parquet, with the columns of :data:`linkguard.ROW_FIELDS`;
``--explain`` adds ``segments`` and ``--strip`` adds ``clean`` (the page
without its spam segments); ``--html-report DIR`` also writes the visual
report.  Every record gives a row, also when it cannot be read: the row says
``skipped`` or ``error`` and why, and standard error says it in one line.
Logs, progress and the closing summary go to standard error, never to the data.

``hosts`` reads rows back (JSON Lines, CSV or Parquet, as ``score`` wrote them)
and writes one summary per host (registrable domain) as JSON Lines: pages seen,
injected, spam pages, the injected blocks and template injections, capture
dates; ``--campaigns FILE`` adds the campaigns across hosts and ``--mark FILE``
the rows again with ``template_block``, ``campaign`` and ``is_spam_batch``.
``campaigns`` writes only the campaigns.  ``score --host-summary FILE`` writes
the host summaries of the rows it scores.

Exit status: 0 when every record was scored or skipped, 1 when any row has
``status="error"``, 2 for a usage error (unknown option, an output path that
cannot be written, parquet without pyarrow) or a model that cannot be loaded.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import platform
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import IO, Any

from linkguard import __version__
from linkguard._campaigns import MIN_HOSTS_DEFAULT, find_campaigns
from linkguard._config import Config
from linkguard._errors import LinkguardError
from linkguard._explain import explain_lines
from linkguard._hosts import MIN_PAGES_DEFAULT, HostView, mark_rows
from linkguard._html_report import HtmlReport
from linkguard._model import default_model
from linkguard._pool import SPLIT_FROM, ScoreOptions, default_jobs, score_stream, settle_gc
from linkguard._scan import scan
from linkguard.io.files import STDIN, SplitFile, iter_file_records, iter_inputs, iter_parts, iter_stdin, kind_of
from linkguard.io.rows import RowsError, iter_all_rows
from linkguard.io.writers import FORMATS, TextOutput, Writer, columns, have_parquet, open_writer

log = logging.getLogger("linkguard")

DISTRIBUTION = "linkguard-spam"
"""The name this project has on the package index (``linkguard`` there is another project)."""

_SUBCOMMANDS = ("score", "explain", "report", "hosts", "campaigns")
_TOP_LEVEL_FLAGS = ("-h", "--help", "--version")
_ERRORS_SHOWN = 20  # error rows told on stderr one by one; the rest are counted
_DEFAULT_REPORT_DIR = "linkguard-report"

__all__ = ["DISTRIBUTION", "ScoreOptions", "build_parser", "default_jobs", "main", "score_stream"]


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


def model_threshold() -> float | None:
    """The bundled model's threshold, or ``None`` when the model cannot be read."""
    try:
        return default_model().threshold
    except LinkguardError:
        return None


def version_text() -> str:
    from importlib import metadata  # here, not at the top: only --version needs it, every run would import it

    try:
        dist = f"{DISTRIBUTION} {metadata.version(DISTRIBUTION)}"
    except metadata.PackageNotFoundError:
        dist = f"{DISTRIBUTION} (not installed: run from a source tree)"
    return f"linkguard {__version__} ({dist}; Python {platform.python_version()})"


class _Version(argparse.Action):
    """``--version``, with the text made only when asked for (it reads the installed package's metadata)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(version_text())
        parser.exit()


def _threshold_help() -> str:
    current = model_threshold()
    default = f"the model's, {current:g}" if current is not None else "the model's"
    return f"segment spam threshold: a score at or above it is spam (default: {default})"


def _add_scoring(group: argparse._ArgumentGroup, threshold_help: str) -> None:
    group.add_argument("--threshold", type=_threshold, help=threshold_help)
    group.add_argument(
        "--mode",
        choices=("auto", "html", "text"),
        default="auto",
        help="how to read pages (WET records are always text; default: auto)",
    )


def _add_inputs(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="inputs; '-' or none = stdin")
    src = parser.add_argument_group("input")
    src.add_argument("--html-field", help="JSONL field holding the page (default: html/content/text/…)")
    src.add_argument("--url-field", default="url", help="JSONL field holding the page URL (default: url)")
    src.add_argument("--id-field", default="id", help="JSONL field holding the record id (default: id)")
    src.add_argument(
        "--stdin-format",
        choices=("page", "jsonl"),
        default="page",
        help="read stdin as one page (default) or as JSON Lines",
    )
    src.add_argument("--limit", type=_positive_int, help="stop after N records")
    return src


def _add_running(parser: argparse.ArgumentParser, threshold_help: str) -> None:
    run = parser.add_argument_group("scoring")
    _add_scoring(run, threshold_help)
    run.add_argument(
        "--prescreen",
        action="store_true",
        help="clear plainly clean pages without scoring them: faster, loses some recall (see README)",
    )
    run.add_argument("--batch-size", type=_positive_int, default=16, help="records per batch (default: 16)")
    run.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        help="worker processes (default: CPU count; 1 = in this process)",
    )
    talk = parser.add_argument_group("messages")
    talk.add_argument("-q", "--quiet", action="store_true", help="no progress or summary, error lines only")
    talk.add_argument(
        "-v", "--verbose", action="count", default=0, help="say what was skipped and why (-vv: debug log)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (public so docs and tests can introspect it)."""
    threshold_help = _threshold_help()
    parser = argparse.ArgumentParser(
        prog="linkguard",
        description="Find spam injected into legitimate web pages.",
        epilog="Without a subcommand, 'linkguard PATH ...' means 'linkguard score PATH ...'.",
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    score = sub.add_parser(
        "score",
        help="score pages and archives into one row per record",
        description=(
            "Score page files, WARC/WET files, JSON Lines files or directories of them; "
            "one output row per input record, also for records that cannot be read "
            "(status skipped or error, with the reason). Exit status: 0 ok, 1 some rows are "
            "errors, 2 usage error."
        ),
    )
    _add_inputs(score)
    out = score.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=FORMATS,
        default="jsonl",
        help="output format (default: jsonl; dolma: a folder of Dolma documents and spam-span attributes)",
    )
    out.add_argument("-o", "--output", metavar="FILE", help="write rows here instead of stdout")
    out.add_argument("--explain", action="store_true", help="add per-segment verdicts ('segments')")
    out.add_argument("--strip", action="store_true", help="add the page without its spam segments ('clean')")
    out.add_argument("--html-report", metavar="DIR", help="also write an HTML report (DIR/index.html)")
    out.add_argument(
        "--host-summary", metavar="FILE", help="also write one summary per host (JSON Lines; see 'linkguard hosts')"
    )
    _add_running(score, threshold_help)

    explain = sub.add_parser(
        "explain",
        help="show one page's segments with label, score, reasons and links",
        description=(
            "Show one page (a file or '-' for stdin) segment by segment, in document order: label, "
            "score, reasons, and the links of spam segments. Coloured on a terminal."
        ),
    )
    explain.add_argument("page", metavar="PAGE", help="a page file (HTML or text, gzipped or not) or '-'")
    explain.add_argument("--url", help="the page's address (on-site and off-site links depend on it)")
    explain.add_argument("--only-spam", action="store_true", help="show only the spam segments")
    explain.add_argument("--encoding", help="charset hint for the page's bytes (a hint: a lie is overruled)")
    explain.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output (default: auto = on a terminal, unless NO_COLOR is set)",
    )
    grp = explain.add_argument_group("scoring")
    _add_scoring(grp, threshold_help)

    report = sub.add_parser(
        "report",
        help="write an HTML report: one page per record and a sortable index",
        description=(
            "Score the inputs (as 'score' does) and write a self-contained HTML page per record, "
            "with spam segments highlighted, plus DIR/index.html, a sortable table of all records."
        ),
    )
    _add_inputs(report)
    report.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default=_DEFAULT_REPORT_DIR,
        help=f"report folder (default: {_DEFAULT_REPORT_DIR})",
    )
    _add_running(report, threshold_help)

    hosts = sub.add_parser(
        "hosts",
        help="per-host summaries (template injections, injected pages, dates) from rows",
        description=(
            "Read rows written by 'linkguard score' (JSON Lines, CSV or Parquet; '-' = JSON Lines on stdin) and "
            "write one summary per host (registrable domain of the page URL) as JSON Lines: pages seen, injected, "
            "spam pages, the injected blocks (fingerprint, pages, target domains, text sample), template injections "
            "(a block on several pages with off-site spam evidence), first and last capture date."
        ),
    )
    _add_rows_inputs(hosts)
    hosts.add_argument("-o", "--output", metavar="FILE", help="write the host summaries here instead of stdout")
    hosts.add_argument("--campaigns", metavar="FILE", help="also write the campaigns across hosts (JSON Lines)")
    hosts.add_argument(
        "--mark",
        metavar="FILE",
        help="also write every row again with template_block, campaign and is_spam_batch (JSON Lines)",
    )
    hosts.add_argument(
        "--known-campaigns",
        metavar="FILE",
        help="campaigns from an earlier run (JSON Lines) to mark rows against, besides this run's",
    )

    campaigns = sub.add_parser(
        "campaigns",
        help="campaigns across hosts (shared payloads and target domains) from rows",
        description=(
            "Read rows written by 'linkguard score' and write the campaigns found across hosts as JSON Lines: "
            "injected blocks of different hosts with near-identical text or the same target domains."
        ),
    )
    _add_rows_inputs(campaigns)
    campaigns.add_argument("-o", "--output", metavar="FILE", help="write the campaigns here instead of stdout")
    return parser


def _add_rows_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rows", nargs="+", metavar="ROWS", help="rows files (.jsonl[.gz], .csv, .parquet, folder, -)")
    parser.add_argument(
        "--min-pages",
        type=_positive_int,
        default=MIN_PAGES_DEFAULT,
        help=f"pages of a host that must carry a block for a template injection (default: {MIN_PAGES_DEFAULT})",
    )
    parser.add_argument(
        "--min-hosts",
        type=_positive_int,
        default=MIN_HOSTS_DEFAULT,
        help=f"hosts a campaign must span (default: {MIN_HOSTS_DEFAULT})",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no closing summary line")
    parser.add_argument("-v", "--verbose", action="count", default=0, help=argparse.SUPPRESS)


def _with_subcommand(argv: list[str]) -> list[str]:
    """Make ``linkguard PATH`` mean ``linkguard score PATH``."""
    if argv and (argv[0] in _SUBCOMMANDS or argv[0] in _TOP_LEVEL_FLAGS):
        return argv
    return ["score", *argv]


# ---------------------------------------------------------------- progress and messages


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Records, rate and (when the total is known) percent and ETA, on one stderr line."""

    def __init__(self, stream: IO[str], *, enabled: bool, total: int | None = None) -> None:
        self.stream = stream
        self.enabled = enabled
        self.total = total
        self.n = 0
        self.errors = 0
        self.start = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def update(self, row: Mapping[str, Any]) -> None:
        self.n += 1
        if row.get("status") == "error":
            self.errors += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            self._draw(now)

    def line(self, now: float | None = None) -> str:
        """The progress text (without the carriage return)."""
        elapsed = max((now if now is not None else time.monotonic()) - self.start, 1e-9)
        rate = self.n / elapsed
        if self.total:
            pct = min(100.0, 100.0 * self.n / self.total)
            left = max(self.total - self.n, 0)
            eta = _clock(left / rate) if rate > 0 else "?"
            text = f"{self.n}/{self.total} records ({pct:.0f}%), {rate:.1f}/s, ETA {eta}"
        else:
            text = f"{self.n} records, {rate:.1f}/s, {_clock(elapsed)} elapsed"
        return text + (f", {self.errors} errors" if self.errors else "")

    def _draw(self, now: float) -> None:
        width = shutil.get_terminal_size().columns
        self.stream.write("\r" + self.line(now)[: max(width - 1, 20)].ljust(min(width - 1, 79)))
        self.stream.flush()
        self._drawn = True

    def clear(self) -> None:
        """Take the line away so that a message can be printed in its place."""
        if self._drawn:
            width = shutil.get_terminal_size().columns
            self.stream.write("\r" + " " * max(width - 1, 1) + "\r")
            self.stream.flush()
            self._drawn = False

    def close(self) -> None:
        self.clear()


def _count_total(paths: Sequence[str], limit: int | None) -> int | None:
    """Records the inputs hold, when that can be known cheaply (page files, plain JSONL), else ``None``."""
    from linkguard.io.files import iter_paths

    total = 0
    for p in iter_paths(paths or [STDIN]):
        if p == STDIN:
            return None if limit is None else limit
        kind = kind_of(p)
        if kind == "page":
            total += 1
        elif kind == "jsonl" and not p.lower().endswith(".gz"):
            try:
                total += _count_lines(p)
            except OSError:
                total += 1
        else:
            return None if limit is None else limit
        if limit is not None and total >= limit:
            return limit
    return total


def _count_lines(path: str) -> int:
    n = 0
    last = b"\n"
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")


class Messages:
    """One stderr line per error row (the first few), skipped rows with ``-v``, and the closing summary."""

    def __init__(self, progress: Progress, *, verbose: int, quiet: bool) -> None:
        self.progress = progress
        self.verbose = verbose
        self.quiet = quiet
        self.counts = {"ok": 0, "skipped": 0, "error": 0}
        self.spam = 0
        self.thresholds: set[float] = set()
        self.missing_field: dict[str, int] = {}

    def _say(self, text: str) -> None:
        self.progress.clear()
        print(f"linkguard: {text}", file=sys.stderr, flush=True)

    def row(self, row: Mapping[str, Any]) -> None:
        status = str(row.get("status") or "ok")
        self.counts[status] = self.counts.get(status, 0) + 1
        if row.get("is_spam"):
            self.spam += 1
        if row.get("threshold") is not None:
            self.thresholds.add(float(row["threshold"]))
        if status == "error":
            n = self.counts["error"]
            if n <= _ERRORS_SHOWN or self.verbose:
                self._say(f"error: {row.get('id')}: {row.get('error')}")
            elif n == _ERRORS_SHOWN + 1:
                self._say("error: … more error rows follow (see the 'error' column, or -v)")
        elif status == "skipped" and self.verbose:
            self._say(f"skipped {row.get('id')}: {row.get('error')}")
        self.progress.update(row)

    def summary(self, elapsed: float) -> str:
        total = sum(self.counts.values())
        rate = total / elapsed if elapsed > 0 else 0.0
        th = ", ".join(f"{t:g}" for t in sorted(self.thresholds)) or "–"
        return (
            f"{total} records: {self.counts['ok']} ok, {self.counts['skipped']} skipped, "
            f"{self.counts['error']} error; {self.spam} spam pages (threshold {th}); "
            f"{elapsed:.1f} s, {rate:.1f} pages/s"
        )

    def close(self, elapsed: float) -> None:
        self.progress.close()
        if not self.quiet:
            self._say(self.summary(elapsed))


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


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _check_output_file(path: str | None) -> None:
    """An output file must be creatable: its folder exists and the path is not a folder."""
    if path is None or path == STDIN:
        return
    if os.path.isdir(path):
        raise UsageError(f"-o {path}: is a folder; give a file name (e.g. {os.path.join(path, 'rows.jsonl')})")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise UsageError(f"-o {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"-o {path}: folder {folder} is not writable")


def _check_dolma_dir(path: str | None) -> None:
    if path in (None, STDIN):
        raise UsageError("--format dolma needs -o DIR (it writes DIR/documents/ and DIR/attributes/)")
    assert path is not None
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"-o {path}: exists and is not a folder; --format dolma writes a folder")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise UsageError(f"-o {path}: folder {parent} does not exist")


def _check_report_dir(path: str) -> None:
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"{path}: exists and is not a folder; the HTML report needs a folder")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise UsageError(f"{path}: folder {parent} does not exist")


def _validate_inputs(args: argparse.Namespace) -> None:
    if args.paths.count(STDIN) > 1:
        raise UsageError("'-' (stdin) can be given only once")
    if not args.paths and _stdin_is_terminal():
        raise UsageError("no input: give PATH ... or pipe a page into stdin ('linkguard -h' for help)")


def _load_model(args: argparse.Namespace) -> None:
    try:
        default_model()  # fail before any output is written, not in the first batch
    except LinkguardError as exc:
        raise UsageError(f"cannot load the model: {exc}") from None
    if args.own_process:
        settle_gc()


def _records(args: argparse.Namespace, jobs: int = 1) -> Iterator[dict[str, Any] | SplitFile]:
    """The inputs' records; with several jobs and no ``--limit``, big WARC and JSON Lines files as
    a whole (workers read them in byte ranges)."""
    options = {"html_field": args.html_field, "url_field": args.url_field, "id_field": args.id_field}
    if jobs > 1 and args.limit is None:
        yield from iter_parts(args.paths, stdin_format=args.stdin_format, split_from=SPLIT_FROM, **options)
        return
    records: Iterable[dict[str, Any]] = iter_inputs(args.paths, stdin_format=args.stdin_format, **options)
    if args.limit is not None:
        records = islice(records, args.limit)
    yield from records


def _run_score(args: argparse.Namespace, *, report_dir: str | None, write_rows: bool) -> int:
    _validate_inputs(args)
    if write_rows:
        if args.format == "parquet":
            if not have_parquet():
                raise UsageError(
                    f"--format parquet needs pyarrow: pip install '{DISTRIBUTION}[parquet]' (or: pip install pyarrow)"
                )
            if args.output in (None, STDIN):
                raise UsageError("--format parquet needs -o FILE (Parquet cannot stream to stdout)")
        if args.format == "dolma":
            _check_dolma_dir(args.output)
        else:
            _check_output_file(args.output)
    if report_dir is not None:
        _check_report_dir(report_dir)
    host_summary = getattr(args, "host_summary", None)
    _check_output_file(host_summary)
    _load_model(args)
    explain = bool(getattr(args, "explain", False))
    strip = bool(getattr(args, "strip", False))
    dolma = write_rows and args.format == "dolma"
    options = ScoreOptions(
        mode=args.mode,
        threshold=args.threshold,
        explain=explain or report_dir is not None or dolma,
        strip=strip,
        batch_size=args.batch_size,
        prescreen=args.prescreen,
    )
    jobs = args.jobs or default_jobs()
    show_progress = not args.quiet and _stderr_is_terminal()
    total = _count_total(args.paths, args.limit) if show_progress else None
    messages = Messages(
        Progress(sys.stderr, enabled=show_progress, total=total), verbose=args.verbose, quiet=args.quiet
    )
    writer: Writer | None = None
    if write_rows:
        try:
            writer = open_writer(args.format, args.output, columns(explain=explain, strip=strip))
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    html = HtmlReport(report_dir) if report_dir is not None else None
    view = HostView() if host_summary else None
    start = time.monotonic()
    try:
        for row in score_stream(_records(args, jobs), options, jobs):
            if writer is not None:
                writer.write(row)
            if html is not None:
                html.add(row)
            if view is not None:
                view.add(row)
            messages.row(row)
    finally:
        try:
            if writer is not None:
                writer.close()
        finally:
            messages.close(time.monotonic() - start)
    if html is not None:
        index = html.close()
        if not args.quiet:
            print(f"linkguard: HTML report: {index}", file=sys.stderr)
    if view is not None and host_summary:
        summaries = view.summaries()
        _write_jsonl(host_summary, summaries)
        if not args.quiet:
            print(f"linkguard: {_hosts_line(summaries)} -> {host_summary}", file=sys.stderr)
    return 1 if messages.counts["error"] else 0


# ---------------------------------------------------------------- hosts and campaigns


def _write_jsonl(path: str | None, items: Iterable[Mapping[str, Any]]) -> int:
    """Items as JSON Lines to ``path`` (``None``/``-``: stdout); returns how many."""
    out = TextOutput(path)
    n = 0
    try:
        for item in items:
            out.fh.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
            n += 1
    finally:
        out.close()
    return n


def _hosts_line(summaries: Sequence[Mapping[str, Any]]) -> str:
    labels = {label: sum(1 for s in summaries if s["label"] == label) for label in ("template_injection", "injected")}
    return (
        f"{len(summaries)} hosts: {labels['template_injection']} with a template injection, "
        f"{labels['injected']} with injected pages only"
    )


def _read_campaigns(path: str) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            items = [json.loads(line) for line in fh if line.strip()]
    except OSError as exc:
        raise UsageError(f"--known-campaigns {path}: {exc.strerror or exc}") from None
    except ValueError:
        raise UsageError(f"--known-campaigns {path}: not JSON Lines") from None
    if not all(isinstance(c, dict) and "campaign" in c for c in items):
        raise UsageError(f"--known-campaigns {path}: not campaigns (each line needs a 'campaign' id)")
    return items


def _run_hosts(args: argparse.Namespace, *, campaigns_only: bool) -> int:
    if args.rows.count(STDIN) > 1:
        raise UsageError("'-' (stdin) can be given only once")
    mark = getattr(args, "mark", None)
    if mark and STDIN in args.rows:
        raise UsageError("--mark reads the rows twice: give files, not '-'")
    for path in (args.output, getattr(args, "campaigns", None), mark):
        _check_output_file(path)
    known = _read_campaigns(args.known_campaigns) if getattr(args, "known_campaigns", None) else []
    view = HostView()
    n = 0
    try:
        for row in iter_all_rows(args.rows):
            view.add(row)
            n += 1
    except RowsError as exc:
        raise UsageError(str(exc)) from None
    summaries = view.summaries(min_pages=args.min_pages)
    found = find_campaigns(summaries, min_hosts=args.min_hosts)
    if campaigns_only:
        _write_jsonl(args.output, found)
    else:
        _write_jsonl(args.output, summaries)
        if args.campaigns:
            _write_jsonl(args.campaigns, found)
    marked = 0
    if mark:
        rows = mark_rows(iter_all_rows(args.rows), summaries, [*found, *known])
        out = TextOutput(mark)
        try:
            for row in rows:
                out.fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                marked += bool(row["is_spam_batch"]) and not row.get("is_spam")
        finally:
            out.close()
    if not args.quiet:
        text = f"{n} rows, {view.without_host} without a host; {_hosts_line(summaries)}; {len(found)} campaigns"
        if mark:
            text += f"; {marked} pages marked beyond their own verdict -> {mark}"
        print(f"linkguard: {text}", file=sys.stderr)
    return 0


def _use_colour(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _run_explain(args: argparse.Namespace) -> int:
    _load_model(args)
    if args.page == STDIN:
        if _stdin_is_terminal():
            raise UsageError("explain -: pipe a page into stdin, or give a file")
        record = next(iter_stdin())
    else:
        if not os.path.exists(args.page):
            raise UsageError(f"{args.page}: no such file or directory")
        if os.path.isdir(args.page):
            raise UsageError(f"{args.page}: is a folder; explain takes one page ('linkguard report' takes folders)")
        if kind_of(args.page) != "page":
            raise UsageError(
                f"{args.page}: explain takes one page, not an archive; use 'linkguard report' or 'score --explain'"
            )
        record = next(iter_file_records(args.page))
    if record.get("status") in ("error", "skipped"):
        print(f"linkguard: {record.get('status')}: {args.page}: {record.get('error')}", file=sys.stderr)
        return 1 if record.get("status") == "error" else 0
    page = record["html"]
    if not page.strip():
        print(f"linkguard: skipped: {args.page}: empty page, nothing to explain", file=sys.stderr)
        return 0
    config = Config(threshold=args.threshold)
    report = scan(page, args.url, mode=args.mode, encoding=args.encoding, config=config)
    width = shutil.get_terminal_size().columns
    source = "--threshold" if args.threshold is not None else "the model's"
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8") if hasattr(sys.stdout, "buffer") else sys.stdout
    try:
        for line in explain_lines(
            report,
            name=args.page if args.page != STDIN else "stdin",
            only_spam=args.only_spam,
            colour=_use_colour(args.color),
            width=width,
            threshold_source=source,
        ):
            out.write(line + "\n")
    finally:
        out.flush()
        if isinstance(out, io.TextIOWrapper) and out is not sys.stdout:
            out.detach()
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "explain":
        return _run_explain(args)
    if args.command in ("hosts", "campaigns"):
        return _run_hosts(args, campaigns_only=args.command == "campaigns")
    if args.command == "report":
        return _run_score(args, report_dir=args.output, write_rows=False)
    return _run_score(args, report_dir=args.html_report, write_rows=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 error rows, 2 usage error)."""
    own_process = argv is None  # run as the program, not called from someone's Python
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(_with_subcommand(argv))
    except SystemExit as exc:  # --help, --version, or an argparse usage error
        return exc.code if isinstance(exc.code, int) else 2
    args.own_process = own_process
    handler = _setup_logging(getattr(args, "verbose", 0), getattr(args, "quiet", False))
    try:
        return _dispatch(args)
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
