"""Workers reading byte ranges of one gzip WARC give the rows one reader gives."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import random
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
from linkguard.io import warc
from linkguard.io._span import Span
from linkguard.io.files import SplitFile, iter_inputs, iter_parts
from linkguard.io.warc import iter_records

pytestmark = pytest.mark.skipif(not warc.HAVE_FASTWARC, reason="ranges are read with FastWARC")

SPAM = "".join(f'<a href="http://203.0.113.{k}/">slot gacor {k}</a> ' for k in range(1, 30))


def _record(n: int, body: bytes, *, rid: bool = True, level: int = 9, rtype: str = "response") -> bytes:
    """One WARC record as one gzip member (``level=0``: stored deflate blocks, bytes kept as they are)."""
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    head = f"WARC/1.0\r\nWARC-Type: {rtype}\r\n"
    if rid:
        head += f"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{n:012d}>\r\n"
    head += (
        f"WARC-Target-URI: http://site{n % 7}.example/page{n}\r\nWARC-Date: 2024-05-01T12:00:00Z\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return gzip.compress(head.encode() + block + b"\r\n\r\n", compresslevel=level, mtime=0)


def _page(n: int, rng: random.Random) -> bytes:
    words = " ".join(
        rng.choice(["tomato", "garden", "water", "soil", "sun", "seed", "leaf"]) for _ in range(60 + n % 90)
    )
    tail = f"<div>{SPAM}</div>" if n % 4 == 0 else ""
    return f"<html><body><h1>Page {n}</h1><p>{words}.</p>{tail}</body></html>".encode()


def _members(count: int, seed: int = 1) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        out.append(_record(n, _page(n, rng), rid=n % 5 != 3))
        if n % 6 == 2:
            out.append(_record(n + 1000, b"", rtype="request"))
    return out


def _write(tmp_path: Path, members: list[bytes], name: str = "crawl.warc.gz") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(members))
    return path


def _spans(size: int, step: int) -> Iterator[Span]:
    for start in range(0, size, step):
        yield Span(start, min(size, start + step))


def _joined(path: Path, step: int) -> list[Mapping[str, Any]]:
    """The file read span by span and joined as the pool joins workers' rows (records stand in for rows)."""
    size = path.stat().st_size
    joined = pool._Joined(SplitFile(str(path), size, "warc"))
    out: list[Mapping[str, Any]] = []
    for span in _spans(size, step):
        records: list[Any] = list(iter_records(path, span=span))
        out += pool._join(joined, records, span, ScoreOptions(), MAX_BYTES_DEFAULT)
    return out


@settings(max_examples=40, deadline=None)
@given(step=st.integers(min_value=40, max_value=9000), count=st.integers(min_value=1, max_value=25))
def test_spans_joined_in_order_are_the_file_read_once(
    tmp_path_factory: pytest.TempPathFactory, step: int, count: int
) -> None:
    path = _write(tmp_path_factory.mktemp("w"), _members(count))
    assert _joined(path, step) == list(iter_records(path))


def test_a_share_starts_at_a_member_boundary_and_stops_before_the_next_share(tmp_path: Path) -> None:
    members = _members(6)
    path = _write(tmp_path, members)
    bounds = [sum(len(m) for m in members[:k]) for k in range(len(members) + 1)]
    span = Span(bounds[1] + 1, bounds[3] + 1)  # one byte into member 1 .. one byte into member 3
    list(iter_records(path, span=span))
    assert (span.first_pos, span.next_pos, span.records, span.stopped) == (bounds[2], bounds[4], 2, False)
    empty = Span(bounds[2] + 1, bounds[3])  # inside member 2: no record starts here
    assert list(iter_records(path, span=empty)) == [] and empty.first_pos is None


def _rows(stream: Iterator[Any]) -> list[str]:
    return [json.dumps(row, sort_keys=True, default=str) for row in stream]


def _pool_rows(path: Path, monkeypatch: pytest.MonkeyPatch, step: int) -> list[str]:
    monkeypatch.setattr(pool, "SPAN_BYTES", step)
    parts = list(iter_parts([path], split_from=1))
    assert any(isinstance(p, SplitFile) for p in parts)
    return _rows(score_stream(parts, ScoreOptions(batch_size=2), jobs=2))


def _serial_rows(path: Path) -> list[str]:
    return _rows(score_stream(iter_inputs([path]), ScoreOptions(batch_size=2), jobs=1))


@pytest.mark.parametrize("step", [300, 2500, 1 << 20])
def test_workers_reading_ranges_give_the_rows_of_one_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    path = _write(tmp_path, _members(30))
    serial = _serial_rows(path)
    assert len(serial) == 30 and any('"spam_links": [' in r and '"spam_links": []' not in r for r in serial)
    assert any(":record " in json.loads(r)["id"] for r in serial)  # ids made from record numbers
    assert _pool_rows(path, monkeypatch, step) == serial


def test_a_warc_inside_a_record_does_not_fool_the_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An archived .warc.gz in a record stored without compression holds members that open WARC records."""
    inner = b"".join(_members(8, seed=2))
    members = _members(4)
    members.insert(2, _record(500, inner, level=0))
    path = _write(tmp_path, members)
    start = path.read_bytes().find(inner[:40])
    with open(path, "rb") as fh:
        assert start > 0 and warc._member_start(fh, start - 5, start + 100) == start  # a false boundary
    serial = _serial_rows(path)
    read_on: list[Span] = []  # spans this process reads itself, after a worker's range did not fit

    def spy(*args: Any, span: Span | None = None, **kwargs: Any) -> Iterator[dict[str, Any]]:
        if span is not None and span.exact:
            read_on.append(span)
        return iter_records(*args, span=span, **kwargs)

    monkeypatch.setattr(warc, "iter_records", spy)
    assert _pool_rows(path, monkeypatch, 200) == serial
    assert len(read_on) == 1 and read_on[0].start > start  # read on from the member after the big record


@pytest.mark.parametrize("damage", ["cut", "flipped"])
def test_a_damaged_file_gives_the_same_rows_in_ranges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    data = b"".join(_members(20))
    middle = len(data) // 2
    if damage == "cut":
        data = data[:middle]
    else:
        data = data[:middle] + bytes(b ^ 0x5A for b in data[middle : middle + 64]) + data[middle + 64 :]
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(data)
    serial = _serial_rows(path)
    assert json.loads(serial[-1])["status"] == "error"
    assert _pool_rows(path, monkeypatch, 700) == serial


def test_cli_jobs_two_on_a_big_warc_matches_jobs_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, _members(40))
    monkeypatch.setattr(cli, "SPLIT_FROM", 1)
    monkeypatch.setattr(pool, "SPAN_BYTES", 4000)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"rows{jobs}.jsonl"
        assert cli.main(["score", "-q", "--jobs", jobs, "-o", str(out), str(path)]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") == 40


def test_small_plain_or_limited_inputs_are_not_split(tmp_path: Path) -> None:
    members = _members(3)
    gz = _write(tmp_path, members)
    plain = tmp_path / "plain.warc"
    plain.write_bytes(b"".join(gzip.decompress(m) for m in members))
    assert not any(isinstance(p, SplitFile) for p in iter_parts([gz], split_from=os.path.getsize(gz) + 1))
    assert not any(isinstance(p, SplitFile) for p in iter_parts([plain], split_from=1))
    assert [type(p) for p in iter_parts([gz], split_from=1)] == [SplitFile]


@settings(max_examples=15, deadline=None)
@given(
    cut=st.one_of(st.none(), st.floats(min_value=0.05, max_value=0.99)),
    flips=st.lists(st.tuples(st.floats(min_value=0.0, max_value=0.999), st.integers(1, 255)), max_size=4),
    step=st.integers(min_value=150, max_value=5000),
)
def test_a_damaged_file_read_in_ranges_gives_the_rows_of_one_reader(
    tmp_path_factory: pytest.TempPathFactory, cut: float | None, flips: list[tuple[float, int]], step: int
) -> None:
    data = bytearray(b"".join(_members(12, seed=5)))
    for where, mask in flips:
        data[max(2, int(where * len(data)))] ^= mask  # the file still opens as gzip
    if cut is not None:
        data = data[: int(cut * len(data))]
    path = tmp_path_factory.mktemp("d") / "damaged.warc.gz"
    path.write_bytes(bytes(data))
    with pytest.MonkeyPatch.context() as mp:
        assert _pool_rows(path, mp, step) == _serial_rows(path)


@given(size=st.integers(0, 40_000), step=st.integers(1, 3000))
def test_ranges_cover_a_file_once_and_shrink_at_its_end(size: int, step: int) -> None:
    old = pool.SPAN_BYTES
    pool.SPAN_BYTES = step
    try:
        spans = list(pool._spans(size))
    finally:
        pool.SPAN_BYTES = old
    if size == 0:
        assert spans == []
        return
    assert spans[0].start == 0 and spans[-1].end > size  # the last one reads to the end of the data
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))  # no gap, no overlap
    sizes = [s.end - s.start for s in spans[:-1]]
    assert all(n in (step, max(1, step // 4)) for n in sizes)
    assert sizes == sorted(sizes, reverse=True)  # full ranges first, the small ones at the end
