"""Paths, directories, page files, stdin and dispatch by suffix."""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import pytest
from helpers import FIXTURE_ROWS

from linkguard.io import warc
from linkguard.io.files import iter_file_records, iter_inputs, iter_paths, kind_of

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.warc", "warc"),
        ("a.warc.gz", "warc"),
        ("CC-MAIN-1.warc.wet.gz", "wet"),
        ("a.wet", "wet"),
        ("a.WET.GZ", "wet"),
        ("a.jsonl", "jsonl"),
        ("a.jsonl.gz", "jsonl"),
        ("a.html", "page"),
        ("a.html.gz", "page"),
        ("a.txt", "page"),
        ("README", "page"),
    ],
)
def test_kind_of(name: str, kind: str) -> None:
    assert kind_of(name) == kind


def test_iter_paths_walks_directories_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    for rel in ("b/2.html", "a/z.warc.gz", "a/y.jsonl", "top.txt", "notes.md", ".hidden.html", "a/x.htm.gz"):
        (tmp_path / rel).write_text("x")
    got = [Path(p).relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path])]
    # every file but hidden ones; what is not a page becomes a skipped record when read
    assert got == ["a/x.htm.gz", "a/y.jsonl", "a/z.warc.gz", "b/2.html", "notes.md", "top.txt"]
    # a file named explicitly is always read; a missing one passes through to become an error row
    explicit = [str(tmp_path / "notes.md"), str(tmp_path / "missing.html"), "-"]
    assert list(iter_paths(explicit)) == explicit


def test_page_files(tmp_path: Path) -> None:
    (rec,) = iter_file_records(DATA / "page.html")
    assert rec == {"id": str(DATA / "page.html"), "url": None, "html": (DATA / "page.html").read_bytes()}
    (rec,) = iter_file_records(DATA / "page.html.gz")
    assert rec["html"].startswith(b"<!doctype html>")
    cut = tmp_path / "cut.html.gz"
    cut.write_bytes(gzip.compress(b"<p>hello</p>" * 100, mtime=0)[:30])
    (rec,) = iter_file_records(cut)
    assert rec["status"] == "error" and "gzip" in rec["error"]
    (rec,) = iter_file_records(tmp_path / "missing.html")
    assert rec["status"] == "error"
    (rec,) = iter_file_records(tmp_path)  # a directory cannot be read as a page
    assert rec["status"] == "error"


def test_page_byte_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>x</p>" * 1000)
    (rec,) = iter_file_records(big, max_bytes=100)
    assert len(rec["html"]) == 101  # one byte over: the scanner reports truncated


def test_iter_inputs_dispatches_every_fixture() -> None:
    rows = list(iter_inputs([DATA]))
    by_file = list(iter_inputs([DATA / name for name in sorted(FIXTURE_ROWS)]))
    assert len(by_file) == sum(FIXTURE_ROWS.values())
    # In a walk, custom.jsonl.gz (no page field under the default names) is one skipped record
    # for the file, and make_fixtures.py one "not a page" record.
    walked = {r["id"]: r for r in rows}
    assert walked[str(DATA / "custom.jsonl.gz")]["status"] == "skipped"
    assert walked[str(DATA / "make_fixtures.py")]["error"] == "not a page (.py file)"
    named = [r["id"] for r in by_file if not str(r["id"]).startswith(str(DATA / "custom.jsonl.gz"))]
    assert [
        r["id"] for r in rows if r["id"] not in (str(DATA / "custom.jsonl.gz"), str(DATA / "make_fixtures.py"))
    ] == named
    wet = list(iter_inputs([DATA / "pages.wet.gz"]))
    assert {r["mode"] for r in wet} == {"text"}
    custom = list(iter_inputs([DATA / "custom.jsonl.gz"], html_field="body_html", id_field="doc_id"))
    assert [r["id"] for r in custom] == ["x", "y"]


def _fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_stdin_as_page_and_as_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_stdin(monkeypatch, b"<p>hello</p>")
    assert list(iter_inputs([])) == [{"id": "-", "url": None, "html": b"<p>hello</p>"}]
    _fake_stdin(monkeypatch, gzip.compress(b"<p>hello</p>", mtime=0))
    assert next(iter_inputs(["-"]))["html"] == b"<p>hello</p>"
    _fake_stdin(monkeypatch, b"")
    assert next(iter_inputs(None))["status"] == "skipped"
    _fake_stdin(monkeypatch, b'{"id": "s1", "html": "<p>a</p>"}\nnot json\n')
    rows = list(iter_inputs(["-"], stdin_format="jsonl"))
    assert [r.get("status", "ok") for r in rows] == ["ok", "error"]
    assert rows[0]["id"] == "s1"


def test_warc_without_a_library_is_an_error_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warc, "HAVE_FASTWARC", False)  # the module linkguard.io.files reads WARC with
    monkeypatch.setattr(warc, "HAVE_WARCIO", False)
    (row,) = iter_inputs([DATA / "pages.wet.gz"])
    assert row["status"] == "error" and "pip install" in row["error"]
