"""Workers reading byte ranges of one JSON Lines file give the rows of one reader."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linkguard._pool as pool
import linkguard.cli as cli
from linkguard._config import MAX_BYTES_DEFAULT
from linkguard._pool import ScoreOptions, score_stream
from linkguard.io import jsonl
from linkguard.io._span import Span
from linkguard.io.files import SplitFile, iter_inputs, iter_parts

SPAM = "".join(f'<a href="http://203.0.113.{k}/">slot gacor {k}</a> ' for k in range(1, 25))

# One line of a JSON Lines file: a page with or without an id, a blank line, broken JSON, a
# JSON value that is not an object, a record without a page, a line ending in CRLF.
_LINES = st.one_of(
    st.builds(
        lambda k, spam, with_id: json.dumps(
            {
                **({"id": f"page-{k}"} if with_id else {}),
                "url": f"https://site{k % 5}.example/p{k}",
                "html": f"<p>Notes on the garden, day {k}: tomatoes and beans.</p>"
                + (f"<div>{SPAM}</div>" if spam else ""),
            }
        ),
        st.integers(0, 999),
        st.booleans(),
        st.booleans(),
    ),
    st.just(""),
    st.just("   "),
    st.just('{"id": "broken", "html": '),
    st.just("[1, 2, 3]"),
    st.just('{"url": "https://no-page.example/"}'),
    st.just('{"html": "<p>a line that ends in CRLF</p>"}\r'),
)


def _write(path: Path, lines: list[str], *, final_newline: bool = True) -> Path:
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""), "utf-8")
    return path


def _joined(path: Path, step: int) -> list[Mapping[str, Any]]:
    """Read range by range and joined as the pool joins workers' rows (records stand in for rows)."""
    size = path.stat().st_size
    joined = pool._Joined(SplitFile(str(path), size, "jsonl"))
    out: list[Mapping[str, Any]] = []
    for start in range(0, size, step):
        span = Span(start, min(size, start + step))
        records: list[Any] = list(jsonl.iter_records(path, span=span))
        out += pool._join(joined, records, span, ScoreOptions(), MAX_BYTES_DEFAULT)
    return out


@settings(max_examples=80, deadline=None)
@given(lines=st.lists(_LINES, max_size=25), step=st.integers(1, 700), final_newline=st.booleans())
def test_ranges_joined_in_order_are_the_file_read_once(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], step: int, final_newline: bool
) -> None:
    path = _write(tmp_path_factory.mktemp("j") / "pages.jsonl", lines, final_newline=final_newline)
    if path.stat().st_size == 0:
        return
    assert _joined(path, step) == list(jsonl.iter_records(path))


def test_a_range_reads_the_lines_that_begin_in_it(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"p{k}", "html": "<p>x</p>" * (k + 1)}) for k in range(5)]
    path = _write(tmp_path / "pages.jsonl", lines)
    starts = [sum(len(line) + 1 for line in lines[:k]) for k in range(len(lines) + 1)]
    span = Span(starts[1] + 1, starts[3] + 1)  # one byte into line 2 .. one byte into line 4
    assert [r["id"] for r in jsonl.iter_records(path, span=span)] == ["p2", "p3"]
    assert (span.first_pos, span.next_pos, span.records, span.stopped) == (starts[2], starts[4], 2, False)
    at_start = Span(starts[2], starts[3])  # a line that begins exactly at the range's start is its own
    assert [r["id"] for r in jsonl.iter_records(path, span=at_start)] == ["p2"]
    inside = Span(starts[2] + 1, starts[3])  # no line begins here
    assert list(jsonl.iter_records(path, span=inside)) == [] and inside.first_pos is None
    last = Span(starts[4], starts[5])
    assert [r["id"] for r in jsonl.iter_records(path, span=last)] == ["p4"] and last.next_pos == starts[5]
    beyond = Span(starts[4], starts[5] + 100)  # the data ends before the range does
    assert len(list(jsonl.iter_records(path, span=beyond))) == 1 and beyond.stopped


def _rows(stream: Iterator[Any]) -> list[str]:
    return [json.dumps(row, sort_keys=True, default=str) for row in stream]


def _pages(n: int) -> list[str]:
    out = []
    for k in range(n):
        record: dict[str, Any] = {"url": f"https://site{k % 4}.example/p{k}", "html": f"<p>Day {k} in the garden.</p>"}
        if k % 3:
            record["id"] = f"page-{k}"
        if k % 5 == 0:
            record["html"] += f"<div>{SPAM}</div>"
        out.append(json.dumps(record))
        if k % 7 == 3:
            out += ["", "not json"]
    return out


def test_workers_reading_ranges_give_the_rows_of_one_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "pages.jsonl", _pages(40))
    serial = _rows(score_stream(iter_inputs([path]), ScoreOptions(batch_size=2), jobs=1))
    assert any(f"{path}:" in json.loads(r)["id"] for r in serial)  # ids made from line numbers
    assert any(json.loads(r)["status"] == "error" for r in serial)
    monkeypatch.setattr(pool, "SPAN_BYTES", 300)
    parts = list(iter_parts([path], split_from=1))
    assert [type(p) for p in parts] == [SplitFile]
    assert _rows(score_stream(parts, ScoreOptions(batch_size=2), jobs=2)) == serial


def test_cli_jobs_two_on_a_big_jsonl_matches_jobs_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "pages.jsonl", _pages(30))
    monkeypatch.setattr(cli, "SPLIT_FROM", 1)
    monkeypatch.setattr(pool, "SPAN_BYTES", 500)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"rows{jobs}.jsonl"
        assert cli.main(["score", "-q", "--jobs", jobs, "-o", str(out), str(path)]) in (0, 1)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") == len([line for line in _pages(30) if line.strip()])


def test_gzip_or_small_json_lines_are_not_split(tmp_path: Path) -> None:
    plain = _write(tmp_path / "pages.jsonl", _pages(5))
    packed = tmp_path / "pages.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert not any(isinstance(p, SplitFile) for p in iter_parts([packed], split_from=1))
    assert not any(isinstance(p, SplitFile) for p in iter_parts([plain], split_from=plain.stat().st_size + 1))
    with pytest.raises(ValueError, match="gzip"):
        list(jsonl.iter_records(packed, span=Span(0, 10)))


def test_a_file_that_grew_after_it_was_split_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "pages.jsonl", _pages(12))
    monkeypatch.setattr(pool, "SPAN_BYTES", 400)
    parts = list(iter_parts([path], split_from=1))
    with path.open("a", encoding="utf-8") as fh:  # a writer appends after the file was sized
        fh.write(json.dumps({"id": "late", "html": "<p>written after the split</p>"}) + "\n")
    ids = [json.loads(r)["id"] for r in _rows(score_stream(parts, ScoreOptions(batch_size=2), jobs=2))]
    assert ids[-1] == "late"
