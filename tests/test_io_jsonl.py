"""JSON Lines reader: one record per non-blank line, whatever is wrong with the line."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

from linkguard.io.jsonl import iter_records

DATA = Path(__file__).parent / "data"


def _statuses(rows: list[dict[str, Any]]) -> list[str]:
    return [r.get("status", "ok") for r in rows]


def test_one_record_per_non_blank_line() -> None:
    path = DATA / "pages.jsonl"
    rows = list(iter_records(path))
    assert _statuses(rows) == ["ok", "ok", "error", "error", "ok"]
    assert [r["id"] for r in rows] == ["a", "b", f"{path}:3", f"{path}:5", f"{path}:6"]
    assert rows[2]["error"].startswith("bad JSON")
    assert "not an object" in rows[3]["error"]
    assert rows[0]["url"] == "http://garden.example/a"
    assert rows[0]["html"].startswith("<!doctype html>")


def test_custom_fields_and_gzip() -> None:
    rows = list(iter_records(DATA / "custom.jsonl.gz", html_field="body_html", url_field="page_url", id_field="doc_id"))
    assert [(r["id"], r["url"]) for r in rows] == [
        ("x", "http://garden.example/x"),
        ("y", "http://garden.example/y"),
    ]
    assert all("<h1>" in r["html"] for r in rows)


def test_missing_page_field_is_skipped() -> None:
    rows = list(iter_records(DATA / "custom.jsonl.gz"))  # no html/content/text/… key
    assert _statuses(rows) == ["skipped", "skipped"]
    rows = list(iter_records(DATA / "pages.jsonl", html_field="nope"))
    # a named field the records do not have is a mistake, not "nothing to score"
    assert _statuses(rows) == ["error"] * 5
    assert rows[0]["error"].startswith("record has no field 'nope' (it has: ")


def test_truncated_gzip_gives_error_then_stops() -> None:
    path = DATA / "truncated.jsonl.gz"
    rows = list(iter_records(path))
    assert _statuses(rows)[-1] == "error"
    assert set(_statuses(rows)[:-1]) == {"ok"}
    assert [r["id"] for r in rows[:-1]] == [f"r{k}" for k in range(len(rows) - 1)]
    assert rows[-1]["id"] == f"{path}:{len(rows)}"
    assert "gzip" in rows[-1]["error"]


def test_streams_plain_and_gzip() -> None:
    text = b'{"id": 1, "html": "<p>one</p>"}\n\n{"id": 2, "text": "two", "encoding": "utf-8", "mode": "text"}\n'
    for data in (text, gzip.compress(text, mtime=0)):
        stream = io.BytesIO(data)
        rows = list(iter_records(stream))
        assert [r["id"] for r in rows] == [1, 2]
        assert rows[1]["mode"] == "text" and rows[1]["encoding"] == "utf-8"
        assert not stream.closed
    rows = list(iter_records(io.BytesIO(b'{"html": "<p>x</p>"}\n')))
    assert rows[0]["id"] == "<stream>:1"


def test_bad_bytes_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"id": "ok", "html": "<p>fine</p>"}\n\xff\xfe{not json\n' + json.dumps([1]).encode())
    rows = list(iter_records(path))
    assert _statuses(rows) == ["ok", "error", "error"]
    rows = list(iter_records(tmp_path / "missing.jsonl"))
    assert _statuses(rows) == ["error"]
    assert "cannot open" in rows[0]["error"]
