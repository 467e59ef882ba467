"""Readers that turn files into records for :func:`linkguard.score_records`, and writers for its rows.

Each reader yields plain dicts: ``id``, ``url``, ``html`` (the page, bytes or
str) and optionally ``encoding`` (a charset hint), ``mode`` (``"html"`` or
``"text"``), or ``status``/``error`` for a record that must still give a
``skipped`` or ``error`` row.  Readers never hold a whole file in memory.

* :mod:`linkguard.io.warc`: WARC/WET files (FastWARC, else warcio)
* :mod:`linkguard.io.jsonl`: JSON Lines, plain or gzipped
* :mod:`linkguard.io.files`: page files, directories, stdin, and dispatch by suffix
* :mod:`linkguard.io.writers`: rows out as JSON Lines, CSV or Parquet
"""

from __future__ import annotations

from linkguard.io.files import iter_file_records, iter_inputs, iter_paths, kind_of

__all__ = ["iter_file_records", "iter_inputs", "iter_paths", "kind_of"]
