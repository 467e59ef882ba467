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
as JSON Lines.  A path that does not exist gives one ``error`` record, so one
bad path does not lose the rest of a batch.

Directories are walked recursively in sorted order, so a run is repeatable,
and every file in them gives at least one record: a mirrored site's ``.php``,
``.asp`` and extension-less pages are pages.  Files that are plainly not pages
(images, stylesheets, scripts, documents, binary data) give a ``skipped``
record saying so, as does a JSON Lines file whose first records have no page
field (a manifest, not pages).  Hidden files and folders are left out.  A file
named on the command line is always read as its suffix says.
"""

from __future__ import annotations

import gzip
import logging
import os
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from linkguard._config import MAX_BYTES_DEFAULT
from linkguard._records import failed_record
from linkguard.io import jsonl, warc
from linkguard.io._span import Span

log = logging.getLogger("linkguard.io")

StdinFormat = Literal["page", "jsonl"]
Kind = Literal["warc", "wet", "jsonl", "page"]

STDIN = "-"
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".txt", ".text")


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


# Suffixes that are never pages: in a directory walk such a file gives a ``skipped`` record.
NOT_PAGE_SUFFIXES = frozenset(
    """
    .css .js .mjs .map .json .xml .rss .atom .svg .png .jpg .jpeg .gif .webp .ico .bmp .tif .tiff .avif
    .woff .woff2 .ttf .otf .eot .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .zip .tar .tgz .bz2 .xz .7z
    .rar .mp3 .mp4 .m4a .webm .ogg .ogv .wav .avi .mov .flv .swf .exe .dll .so .bin .class .jar .wasm
    .md .rst .py .csv .tsv .log .yaml .yml .toml .ini .cfg .sql .parquet
    """.split()
)
_SNIFF = 4096


def _suffix(name: str) -> str:
    name = name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return os.path.splitext(name)[1]


def iter_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Each path as given, with directories replaced by their files, recursively and sorted.

    A path that does not exist is yielded as is (it becomes an ``error`` record).
    """
    for p, _walked in _sources(paths):
        yield p


def _sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, bool]]:
    """``(path, found_in_a_directory_walk)`` for every input."""
    for p in paths:
        p = os.fspath(p)
        if p != STDIN and os.path.isdir(p):
            for found in _walk(Path(p)):
                yield found, True
        else:
            yield p, False


def _walk(root: Path) -> Iterator[str]:
    try:
        entries = sorted(root.iterdir(), key=lambda e: e.name)
    except OSError:
        yield str(root)  # unreadable directory: the page reader reports the error
        return
    for entry in entries:
        if entry.name.startswith("."):
            log.debug("left out hidden %s", entry)
            continue
        if entry.is_dir():
            yield from _walk(entry)
        else:
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
        yield failed_record(name, None, f"truncated or corrupt gzip: {exc}")
        return
    except OSError as exc:
        reason = exc.strerror or str(exc)
        yield failed_record(name, None, f"cannot read: {reason}")
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
            yield failed_record(STDIN, None, f"corrupt gzip: {exc}")
            return
    if not data.strip():
        yield failed_record(STDIN, None, "empty input", status="skipped")
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
    for part in iter_parts(paths, stdin_format=stdin_format, wet=wet, max_bytes=max_bytes, **jsonl_options):
        if isinstance(part, SplitFile):
            yield from part.records(None, max_bytes)
        else:
            yield part


@dataclass(frozen=True)
class SplitFile:
    """A file big enough to be read in byte ranges by several workers: a WARC/WET file gzipped
    record by record (read with FastWARC), or a plain JSON Lines file."""

    path: str
    size: int
    kind: Literal["warc", "jsonl"]
    wet: bool | None = None
    html_field: str | None = None
    url_field: str = "url"
    id_field: str = "id"

    def records(self, span: Span | None, max_bytes: int) -> Iterator[dict[str, Any]]:
        """The file's records, or those of one range of it."""
        if self.kind == "jsonl":
            return jsonl.iter_records(
                self.path, html_field=self.html_field, url_field=self.url_field, id_field=self.id_field, span=span
            )
        return warc.iter_records(self.path, wet=self.wet, max_bytes=max_bytes, span=span)

    def numbered_id(self, n: int) -> str:
        """The id a record without one gets from its number ``n`` in the file (as its reader names it)."""
        return jsonl.numbered_id(self.path, n) if self.kind == "jsonl" else warc.numbered_id(self.path, n)


def iter_parts(
    paths: Iterable[str | os.PathLike[str]] | None = None,
    *,
    stdin_format: StdinFormat = "page",
    wet: bool | None = None,
    max_bytes: int = MAX_BYTES_DEFAULT,
    split_from: int | None = None,
    **jsonl_options: Any,
) -> Iterator[dict[str, Any] | SplitFile]:
    """What :func:`iter_inputs` reads, in order, with each file of ``split_from`` bytes or more
    that can be read in byte ranges given as a :class:`SplitFile` instead of its records: a
    WARC/WET file gzipped record by record (when FastWARC is there) or a plain JSON Lines file.
    ``split_from=None`` never splits.
    """
    paths = list(paths or [STDIN])
    html_field = jsonl_options.get("html_field")
    for p, walked in _sources(paths):
        if p == STDIN:
            yield from iter_stdin(stdin_format=stdin_format, max_bytes=max_bytes, **jsonl_options)
            continue
        if not os.path.lexists(p):
            yield failed_record(p, None, "no such file or directory")
            continue
        kind = kind_of(p)
        if kind in ("warc", "wet"):
            file_wet = True if kind == "wet" else wet
            size = _splittable(p, split_from, gzip_only=True) if warc.HAVE_FASTWARC else None
            if size is not None:
                yield SplitFile(p, size, "warc", wet=file_wet)
                continue
            try:
                yield from warc.iter_records(p, wet=file_wet, max_bytes=max_bytes)
            except warc.WarcUnavailableError as exc:
                yield failed_record(p, None, str(exc))
        elif kind == "jsonl":
            if walked and not jsonl.has_pages(p, html_field=html_field):
                wanted = html_field or "/".join(jsonl.PAGE_KEYS)
                yield failed_record(p, None, f"JSON Lines without a page field ({wanted}): not pages", status="skipped")
                continue
            size = _splittable(p, split_from, gzip_only=False)
            if size is not None:
                yield SplitFile(p, size, "jsonl", **jsonl_options)
                continue
            yield from jsonl.iter_records(p, **jsonl_options)
        elif walked and _suffix(p) in NOT_PAGE_SUFFIXES:
            yield failed_record(p, None, f"not a page ({_suffix(p)} file)", status="skipped")
        else:
            for record in iter_file_records(p, max_bytes=max_bytes):
                if walked and "html" in record and _suffix(p) not in PAGE_SUFFIXES and _binary(record["html"]):
                    record = failed_record(p, None, "not a page (binary data)", status="skipped")
                yield record


def _splittable(path: str, split_from: int | None, *, gzip_only: bool) -> int | None:
    """The size of a regular file of at least ``split_from`` bytes that is gzip (``gzip_only``,
    a WARC gzipped record by record) or is not (JSON Lines: one gzip stream cannot be split)."""
    if split_from is None:
        return None
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_size < split_from:
                return None
            return st.st_size if (fh.read(2) == b"\x1f\x8b") == gzip_only else None
    except OSError:
        return None  # the reader reports it


def _binary(data: bytes) -> bool:
    """NUL bytes near the start, without a UTF-16/32 byte order mark: an image, an archive, a program."""
    head = data[:_SNIFF]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return b"\x00" in head


__all__ = [
    "NOT_PAGE_SUFFIXES",
    "PAGE_SUFFIXES",
    "STDIN",
    "iter_file_records",
    "iter_inputs",
    "iter_paths",
    "iter_stdin",
    "kind_of",
]
