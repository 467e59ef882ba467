"""WARC/WET reader: one record per document, damaged files end in one error record."""

from __future__ import annotations

import gzip
import io
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from linkguard.io import warc
from linkguard.io.warc import WarcStats, iter_records

DATA = Path(__file__).parent / "data"
BACKENDS = [
    pytest.param("fastwarc", marks=pytest.mark.skipif(not warc.HAVE_FASTWARC, reason="no fastwarc")),
    pytest.param("warcio", marks=pytest.mark.skipif(not warc.HAVE_WARCIO, reason="no warcio")),
]
PAGE = b"<html><body><p>Tomatoes need sun, water and patience.</p></body></html>"


def _member(url: str, body: bytes, *, gz: bool = True, headers: list[tuple[str, str]] | None = None) -> bytes:
    """One WARC response record, written by hand (one gzip member when ``gz``).

    The fixture files in tests/data come from warcio's writer (make_fixtures.py);
    here a byte-exact record is simpler, and warcio's writer leaves a temporary
    file open, which this test suite turns into an error.
    """
    lines = ["HTTP/1.1 200 OK", *(f"{k}: {v}" for k, v in headers or [("Content-Type", "text/html")])]
    block = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>\r\n"
        f"WARC-Target-URI: {url}\r\nWARC-Date: 2024-05-01T12:00:00Z\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n"
    ).encode()
    record = head + block + b"\r\n\r\n"
    return gzip.compress(record, mtime=0) if gz else record


def _statuses(rows: list[dict[str, Any]]) -> list[str]:
    return [r.get("status", "ok") for r in rows]


@pytest.mark.parametrize("backend", BACKENDS)
def test_pages_warc_one_record_per_document(backend: str) -> None:
    stats = WarcStats()
    rows = list(iter_records(DATA / "pages.warc.gz", backend=backend, stats=stats))  # type: ignore[arg-type]
    assert _statuses(rows) == ["ok", "ok", "skipped", "skipped", "skipped"]
    assert rows[0]["id"] == "<urn:uuid:00000000-0000-4000-8000-000000000003>"
    assert rows[0]["url"] == "http://garden.example/1"
    assert rows[0]["html"].startswith(b"<!doctype html>")
    assert rows[0]["encoding"] == "utf-8"
    assert rows[1]["encoding"] == "iso-8859-1"  # from the HTTP Content-Type (xhtml counts as HTML)
    assert "not HTML" in rows[2]["error"]
    assert "revisit" in rows[3]["error"]
    assert rows[4]["error"] == "empty payload"
    assert "mode" not in rows[0]  # HTML responses follow the caller's mode
    # request, metadata and warcinfo give no rows but are counted
    assert stats.by_type["request"] == stats.by_type["metadata"] == stats.by_type["warcinfo"] == 1
    assert (stats.ok, stats.skipped, stats.errors) == (2, 3, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_truncated_record_gives_error_and_stops(backend: str) -> None:
    rows = list(iter_records(DATA / "truncated-record.warc", backend=backend))  # type: ignore[arg-type]
    assert _statuses(rows) == ["ok", "ok", "error"]
    assert "truncated" in rows[2]["error"]
    assert rows[2]["id"].endswith("000000000003>")


@pytest.mark.parametrize("backend", BACKENDS)
def test_truncated_gzip_gives_error_and_stops(backend: str) -> None:
    rows = list(iter_records(DATA / "truncated.warc.gz", backend=backend))  # type: ignore[arg-type]
    assert _statuses(rows) == ["ok", "ok", "error"]
    assert all(len(r["html"]) == len(rows[0]["html"]) for r in rows[:2])


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_cut_point_is_detected(backend: str, gz: bool) -> None:
    """Cut a two-record file anywhere: complete records come out whole, then one error record.

    FastWARC 2 does not raise for a gzip member cut in its first bytes or in its
    trailer (iteration just ends, or yields a header-less record with an empty
    body), and warcio stops silently at a cut member: the reader must still end
    with an ``error`` record, never with a short ``ok`` page or nothing.
    """
    members = [_member(f"http://ex.example/{i}", PAGE * 20, gz=gz) for i in range(2)]
    data = b"".join(members)
    ends = [len(members[0]), len(data)]
    # Where the payload is complete but the framing is not (gzip trailer, or the
    # blank lines after a plain record), the record may come out before the error.
    slack = 16 if gz else 4
    for cut in range(1, len(data)):
        rows = list(iter_records(io.BytesIO(data[:cut]), backend=backend))  # type: ignore[arg-type]
        oks = [r for r in rows if r.get("status") is None]
        assert all(r["html"] == PAGE * 20 for r in oks), cut
        complete = sum(1 for e in ends if e <= cut)
        in_slack = any(e - slack <= cut < e for e in ends)
        assert len(oks) in ((complete, complete + 1) if in_slack else (complete,)), (cut, rows)
        if cut in ends:
            assert len(rows) == complete, (cut, rows)
        elif gz or not in_slack:
            assert rows[-1]["status"] == "error", (cut, rows)
            assert len(rows) == len(oks) + 1, (cut, rows)


@pytest.mark.parametrize("backend", BACKENDS)
def test_wet_records_are_text(backend: str) -> None:
    rows = list(iter_records(DATA / "pages.wet.gz", backend=backend))  # type: ignore[arg-type]
    assert [r["mode"] for r in rows] == ["text", "text"]
    assert [r["encoding"] for r in rows] == ["utf-8", "utf-8"]
    assert rows[1]["html"].decode("utf-8").startswith("Jardín 2")


@pytest.mark.parametrize("backend", BACKENDS)
def test_stream_source_and_wet_flag(backend: str) -> None:
    data = _member("http://ex.example/", b"plain words, no markup at all")
    stream = io.BytesIO(data)
    rows = list(iter_records(stream, wet=True, backend=backend))  # type: ignore[arg-type]
    assert rows[0]["mode"] == "text"
    assert not stream.closed  # the caller's stream stays the caller's


@pytest.mark.parametrize("backend", BACKENDS)
def test_uncompressed_and_whole_file_gzip(backend: str) -> None:
    raw = _member("http://ex.example/a", PAGE, gz=False) + _member("http://ex.example/b", PAGE, gz=False)
    rows = list(iter_records(io.BytesIO(raw), backend=backend))  # type: ignore[arg-type]
    assert [r["url"] for r in rows] == ["http://ex.example/a", "http://ex.example/b"]
    assert all(r["html"] == PAGE for r in rows)
    rows = list(iter_records(io.BytesIO(gzip.compress(raw, mtime=0)), backend=backend))  # type: ignore[arg-type]
    if backend == "warcio":  # warcio refuses a whole-file gzip after its first record
        assert _statuses(rows) == ["ok", "error"]
        assert "\n" not in rows[1]["error"]
    else:
        assert [r["url"] for r in rows] == ["http://ex.example/a", "http://ex.example/b"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_content_encoding_gzip_is_undone(backend: str) -> None:
    body = gzip.compress(PAGE, mtime=0)
    data = _member("http://ex.example/", body, headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
    rows = list(iter_records(io.BytesIO(data), backend=backend))  # type: ignore[arg-type]
    assert rows[0]["html"] == PAGE


@pytest.mark.parametrize("backend", BACKENDS)
def test_payload_cap_keeps_one_byte_more(backend: str) -> None:
    """The scanner sees cap+1 bytes, so it marks the row truncated; the rest is skipped, not kept."""
    data = _member("http://ex.example/", PAGE * 100) + _member("http://ex.example/2", PAGE)
    rows = list(iter_records(io.BytesIO(data), backend=backend, max_bytes=50))  # type: ignore[arg-type]
    assert [len(r["html"]) for r in rows] == [51, 51]


def test_missing_file_is_an_error_record(tmp_path: Path) -> None:
    rows = list(iter_records(tmp_path / "nope.warc.gz"))
    assert _statuses(rows) == ["error"]
    assert rows[0]["id"].endswith("nope.warc.gz")


def test_wet_is_guessed_from_the_name(tmp_path: Path) -> None:
    path = tmp_path / "x.warc.wet.gz"
    path.write_bytes(_member("http://ex.example/", PAGE))
    assert [r["mode"] for r in iter_records(path)] == ["text"]
    assert warc.is_wet_name("CC-MAIN-1.warc.wet.gz") and not warc.is_wet_name("a.warc.gz")


def test_only_this_module_imports_warc_libraries() -> None:
    """FastWARC's API broke before: keep both libraries behind linkguard/io/warc.py."""
    pkg = Path(warc.__file__).resolve().parents[1]
    pattern = re.compile(r"^\s*(from|import)\s+(fastwarc|warcio)\b", re.M)
    offenders = [
        str(p.relative_to(pkg))
        for p in pkg.rglob("*.py")
        if p.resolve() != Path(warc.__file__).resolve() and pattern.search(p.read_text("utf-8"))
    ]
    assert offenders == []


@pytest.mark.corpus
@pytest.mark.parametrize("backend", BACKENDS)
def test_real_files(corpus_dir: Path, backend: str) -> None:
    folder = corpus_dir / "warc"
    stats = WarcStats()
    rows = list(iter_records(folder / "resiliparse-warcfile.warc.gz", backend=backend, stats=stats))  # type: ignore[arg-type]
    assert _statuses(rows) == ["ok"] * 16
    assert stats.by_type == {"warcinfo": 1, "request": 17, "response": 16, "metadata": 16}
    assert len({r["id"] for r in rows}) == 16
    assert "windows-1251" in {r["encoding"] for r in rows}
    rows = list(iter_records(folder / "warcio-example.warc.gz", backend=backend))  # type: ignore[arg-type]
    assert _statuses(rows) == ["ok", "skipped"]
    assert rows[0]["url"] == "http://example.com/"
    rows = list(iter_records(folder / "whirlwind.warc.wet.gz", backend=backend))  # type: ignore[arg-type]
    assert _statuses(rows) == ["ok"]
    assert rows[0]["mode"] == "text"
    assert rows[0]["url"] == "https://an.wikipedia.org/wiki/Escopete"
