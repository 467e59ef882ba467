"""Rows out: JSON Lines, CSV and Parquet writers with the columns of :mod:`linkguard._records`.

Every writer takes rows (dicts keyed by :data:`linkguard.ROW_FIELDS`, plus
``segments``/``clean`` when asked for) and writes the same columns in the same
order.  Column types come from the one field table, so a new column reaches
all three formats at once.  ``dolma`` is the exception: a folder in the Dolma
toolkit's layout, documents and spam-span attributes
(:mod:`linkguard.io.dolma`).  In CSV, lists and segments are JSON strings,
booleans ``true``/``false`` and missing values empty; in Parquet, segments are
a JSON string and lists are ``list<string>``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any, Literal, Protocol

from linkguard._records import EXTRA_FIELDS, FIELDS, ROW_FIELDS, Kind

Format = Literal["jsonl", "csv", "parquet", "dolma"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "parquet", "dolma")
STDOUT = "-"
_PARQUET_ROWS = 1024  # rows buffered per Parquet row group
_KINDS: dict[str, Kind] = {**{f.name: f.kind for f in FIELDS}, **EXTRA_FIELDS}


class Writer(Protocol):
    """What the CLI needs of a writer."""

    def write(self, row: Mapping[str, Any]) -> None: ...

    def close(self) -> None: ...


def columns(*, explain: bool = False, strip: bool = False) -> list[str]:
    """Output columns: the row fields, then ``segments`` and ``clean`` when asked for."""
    cols = list(ROW_FIELDS)
    if explain:
        cols.append("segments")
    if strip:
        cols.append("clean")
    return cols


class JsonlWriter:
    """One JSON object a line, UTF-8."""

    def __init__(self, fh: IO[str], columns: Sequence[str]) -> None:
        self.fh = fh
        self.columns = list(columns)

    def write(self, row: Mapping[str, Any]) -> None:
        self.fh.write(json.dumps({c: row.get(c) for c in self.columns}, ensure_ascii=False, default=str))
        self.fh.write("\n")

    def close(self) -> None:
        self.fh.flush()


class CsvWriter:
    """A header line then one line a row; lists and segments as JSON strings."""

    def __init__(self, fh: IO[str], columns: Sequence[str]) -> None:
        self.fh = fh
        self.columns = list(columns)
        self.writer = csv.writer(fh, lineterminator="\n")
        self.writer.writerow(self.columns)

    @staticmethod
    def _cell(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (list, dict, tuple)):
            return json.dumps(value, ensure_ascii=False, default=str)
        return value

    def write(self, row: Mapping[str, Any]) -> None:
        self.writer.writerow([self._cell(row.get(c)) for c in self.columns])

    def close(self) -> None:
        self.fh.flush()


def parquet_schema(columns: Sequence[str]) -> Any:
    """The Arrow schema of these columns (``id`` is always a string)."""
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "bool": pa.bool_(),
        "float": pa.float64(),
        "int": pa.int64(),
        "strings": pa.list_(pa.string()),
    }
    return pa.schema([(c, types[_KINDS.get(c, "string")]) for c in columns])


class ParquetWriter:
    """Row groups of up to ``_PARQUET_ROWS`` rows, with a fixed schema."""

    def __init__(self, path: str | os.PathLike[str], columns: Sequence[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        self.columns = list(columns)
        self.schema = parquet_schema(self.columns)
        self.writer = pq.ParquetWriter(os.fspath(path), self.schema)
        self.buffer: list[dict[str, Any]] = []

    def write(self, row: Mapping[str, Any]) -> None:
        out = {c: row.get(c) for c in self.columns}
        for name, value in out.items():
            if value is None:
                continue
            if _KINDS.get(name, "string") == "string" and not isinstance(value, str):
                # ids from JSONL may be numbers; segments are a list of dicts
                out[name] = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)
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


def have_parquet() -> bool:
    """Whether pyarrow (the ``parquet`` extra) is installed."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


class TextOutput:
    """The text stream rows go to: a file, or stdout as UTF-8 whatever the locale."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self._wrapper: io.TextIOWrapper | None = None
        self._own = False
        if path is not None and os.fspath(path) != STDOUT:
            self.fh: IO[str] = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()
            self._own = True
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
        elif self._own:
            self.fh.close()


class _Closing:
    """A text writer and the stream it writes to, closed together."""

    def __init__(self, writer: JsonlWriter | CsvWriter, out: TextOutput) -> None:
        self.writer = writer
        self.out = out

    def write(self, row: Mapping[str, Any]) -> None:
        self.writer.write(row)

    def close(self) -> None:
        try:
            self.writer.close()
        finally:
            self.out.close()


def open_writer(fmt: Format, path: str | os.PathLike[str] | None, columns: Sequence[str]) -> Writer:
    """A writer for ``fmt`` to ``path`` (``None`` or ``-``: stdout; Parquet needs a path, Dolma a folder)."""
    if fmt == "dolma":
        if path is None or os.fspath(path) == STDOUT:
            raise ValueError("the Dolma format writes a folder (documents/ and attributes/): give its path")
        from linkguard.io.dolma import DolmaWriter

        return DolmaWriter(path)
    if fmt == "parquet":
        if path is None or os.fspath(path) == STDOUT:
            raise ValueError("Parquet cannot stream to stdout: give a file path")
        return ParquetWriter(path, columns)
    out = TextOutput(path)
    try:
        writer: JsonlWriter | CsvWriter = (JsonlWriter if fmt == "jsonl" else CsvWriter)(out.fh, columns)
    except BaseException:
        out.close()
        raise
    return _Closing(writer, out)


__all__ = [
    "FORMATS",
    "CsvWriter",
    "Format",
    "JsonlWriter",
    "ParquetWriter",
    "TextOutput",
    "Writer",
    "columns",
    "have_parquet",
    "open_writer",
    "parquet_schema",
]
