"""Paths in, records out: expand directories and pick a reader by file suffix.

=========================================  ===========================================
suffix                                     read as
=========================================  ===========================================
``.warc``, ``.warc.gz``                    WARC (:mod:`linkguard.io.warc`)
``.wet``, ``.wet.gz``, ``.warc.wet.gz``    WET, plain-text documents
``.jsonl``, ``.jsonl.gz``                  JSON Lines (:mod:`linkguard.io.jsonl`)
anything else                              one page (``.gz`` is gunzipped)
=========================================  ===========================================

``-`` means standard input, read as one page or, with ``stdin_format="jsonl"``,
as JSON Lines.  Directories are walked recursively in sorted order, so a run
is repeatable; inside a directory only files with a known page or archive
suffix are read (a README next to the pages is not a page), and hidden files
are left out.  A file named on the command line is always read.
"""

from __future__ import annotations

import gzip
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

from linkguard._config import MAX_BYTES_DEFAULT
from linkguard.io import jsonl, warc

StdinFormat = Literal["page", "jsonl"]
Kind = Literal["warc", "wet", "jsonl", "page"]

STDIN = "-"
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".txt", ".text")
_KNOWN = (".warc", ".wet", ".jsonl", *PAGE_SUFFIXES)


def kind_of(path: str | os.PathLike[str]) -> Kind:
    """Which reader a file name calls for (see the table in the module docstring)."""
    name = os.fspath(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith(".wet"):
        return "wet"
    if name.endswith(".warc"):
        return "warc"
    if name.endswith(".jsonl"):
        return "jsonl"
    return "page"


def _known(name: str) -> bool:
    name = name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(_KNOWN)


def iter_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Each path as given, with directories replaced by their input files, recursively and sorted.

    A path that does not exist is yielded as is: the reader turns it into an
    ``error`` record, so one bad path does not lose the rest of a batch job.
    """
    for p in paths:
        p = os.fspath(p)
        if p != STDIN and os.path.isdir(p):
            yield from _walk(Path(p))
        else:
            yield p


def _walk(root: Path) -> Iterator[str]:
    try:
        entries = sorted(root.iterdir(), key=lambda e: e.name)
    except OSError:
        yield str(root)  # unreadable directory: the page reader reports the error
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry)
        elif _known(entry.name):
            yield str(entry)


def iter_file_records(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES_DEFAULT) -> Iterator[dict[str, Any]]:
    """One record for one page file (id = path, url = None); gzip is undone.

    At most ``max_bytes + 1`` bytes are kept, so a huge file cannot fill memory
    and the scanner still reports that it was truncated.  An unreadable file
    gives an ``error`` record.
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            gz = fh.read(2) == b"\x1f\x8b"
            fh.seek(0)
            if gz:
                with gzip.GzipFile(fileobj=fh, mode="rb") as g:
                    data = g.read(max_bytes + 1)
            else:
                data = fh.read(max_bytes + 1)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        yield {"id": name, "url": None, "status": "error", "error": f"truncated or corrupt gzip: {exc}"}
        return
    except OSError as exc:
        reason = exc.strerror or str(exc)
        yield {"id": name, "url": None, "status": "error", "error": f"cannot read: {reason}"}
        return
    yield {"id": name, "url": None, "html": data}


def _stdin_bytes() -> IO[bytes]:
    return sys.stdin.buffer


def iter_stdin(
    *, stdin_format: StdinFormat = "page", max_bytes: int = MAX_BYTES_DEFAULT, **jsonl_options: Any
) -> Iterator[dict[str, Any]]:
    """Standard input as one page (id ``"-"``) or as JSON Lines."""
    stream = _stdin_bytes()
    if stdin_format == "jsonl":
        yield from jsonl.iter_records(stream, **jsonl_options)
        return
    data = stream.read(max_bytes + 1)
    if data[:2] == b"\x1f\x8b":
        try:
            data = zlib.decompressobj(47).decompress(data, max_bytes + 1)
        except zlib.error as exc:
            yield {"id": STDIN, "url": None, "status": "error", "error": f"corrupt gzip: {exc}"}
            return
    if not data.strip():
        yield {"id": STDIN, "url": None, "status": "skipped", "error": "empty input"}
        return
    yield {"id": STDIN, "url": None, "html": data}


def iter_inputs(
    paths: Iterable[str | os.PathLike[str]] | None = None,
    *,
    stdin_format: StdinFormat = "page",
    wet: bool | None = None,
    max_bytes: int = MAX_BYTES_DEFAULT,
    **jsonl_options: Any,
) -> Iterator[dict[str, Any]]:
    """Records from every input, in order: the one entry point the CLI needs.

    ``jsonl_options`` (``html_field``, ``url_field``, ``id_field``) apply to
    JSON Lines inputs.  No paths, or ``-``, reads standard input.
    """
    paths = list(paths or [STDIN])
    for p in iter_paths(paths):
        if p == STDIN:
            yield from iter_stdin(stdin_format=stdin_format, max_bytes=max_bytes, **jsonl_options)
            continue
        kind = kind_of(p)
        if kind in ("warc", "wet"):
            try:
                yield from warc.iter_records(p, wet=True if kind == "wet" else wet, max_bytes=max_bytes)
            except warc.WarcUnavailableError as exc:
                yield {"id": p, "url": None, "status": "error", "error": str(exc)}
        elif kind == "jsonl":
            yield from jsonl.iter_records(p, **jsonl_options)
        else:
            yield from iter_file_records(p, max_bytes=max_bytes)


__all__ = [
    "PAGE_SUFFIXES",
    "STDIN",
    "iter_file_records",
    "iter_inputs",
    "iter_paths",
    "iter_stdin",
    "kind_of",
]
