"""Rows read back: the output of ``linkguard score`` (JSON Lines, CSV or Parquet) as dicts.

The host and campaign views work from rows alone, long after scoring, so they
read what the writers wrote: JSON Lines (plain or gzipped, also on standard
input), CSV (lists were written as JSON strings and are decoded again) or
Parquet (a file or a folder of part files, as Spark writes them).  Rows are
read one at a time, never a whole file at once.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from linkguard._records import FIELDS

STDIN = "-"
_LISTS = frozenset(f.name for f in FIELDS if f.kind == "strings") | {"segments"}
_BOOLS = frozenset(f.name for f in FIELDS if f.kind == "bool")
_NUMBERS = {f.name: (float if f.kind == "float" else int) for f in FIELDS if f.kind in ("float", "int")}


class RowsError(ValueError):
    """A rows file that cannot be read (not found, not JSON, not a table)."""


def _csv_value(name: str, text: str) -> Any:
    if text == "":
        return [] if name in _LISTS else None
    if name in _LISTS:
        try:
            return json.loads(text)
        except ValueError:
            return []
    if name in _BOOLS:
        return text == "true"
    if name in _NUMBERS:
        try:
            return _NUMBERS[name](text)
        except ValueError:
            return None
    return text


def _jsonl(fh: Iterable[bytes], name: str) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise RowsError(f"{name}:{n}: not JSON ({str(exc).splitlines()[0][:120]})") from None
        if not isinstance(row, dict):
            raise RowsError(f"{name}:{n}: a JSON {type(row).__name__}, not a row")
        yield row


def _parquet(path: str) -> Iterator[dict[str, Any]]:
    try:
        import pyarrow.dataset as ds
    except ImportError:
        raise RowsError(f"{path}: reading Parquet needs pyarrow: pip install 'linkguard-spam[parquet]'") from None
    try:
        dataset = ds.dataset(path, format="parquet")
        batches = dataset.to_batches()
        for batch in batches:
            yield from batch.to_pylist()
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise RowsError(f"{path}: not a readable Parquet table ({str(exc).splitlines()[0][:160]})") from None


def iter_rows(path: str) -> Iterator[dict[str, Any]]:
    """Rows of one file or folder (``-``: JSON Lines on standard input); :class:`RowsError` when unreadable."""
    if path == STDIN:
        yield from _jsonl(sys.stdin.buffer, "stdin")
        return
    if not os.path.exists(path):
        raise RowsError(f"{path}: no such file or directory")
    low = path.lower()
    if os.path.isdir(path) or low.endswith((".parquet", ".pq")):
        yield from _parquet(path)
        return
    with open(path, "rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    opener: Any = gzip.open if gz else open
    if low.endswith((".csv", ".csv.gz")):
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                yield {k: _csv_value(k, v or "") for k, v in rec.items() if k is not None}
        return
    try:
        with opener(path, "rb") as fh:
            yield from _jsonl(io.BufferedReader(fh) if gz else fh, path)
    except (EOFError, gzip.BadGzipFile, OSError) as exc:
        raise RowsError(f"{path}: cannot read ({exc})") from None


def iter_all_rows(paths: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Rows of every path, in order."""
    for path in paths:
        yield from iter_rows(path)


__all__ = ["RowsError", "iter_all_rows", "iter_rows"]
