"""The ``linkguard`` command: rows in = records in, formats, exit codes, jobs, stdin.

Most tests call ``main([...])`` in this process (fast); a few run
``python -m linkguard`` to check the real entry point, stdin and stdout.
Only the seed-page test looks at a verdict (it needs the trained model).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any, cast

import pytest
from helpers import FIXTURE_ROWS

from linkguard import ROW_FIELDS
from linkguard._pool import GC_GEN0, ScoreOptions, _mp_context, score_stream
from linkguard._records import Row
from linkguard.cli import main

DATA = Path(__file__).parent / "data"
CLEAN_INPUTS = ["page.html", "page.html.gz", "page.txt", "pages.warc.gz", "pages.wet.gz"]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _run(tmp_path: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    out = tmp_path / "out.jsonl"
    code = main([*args, "-q", "-o", str(out)])
    return code, _jsonl(out) if out.exists() else []


@pytest.mark.parametrize("name", sorted(FIXTURE_ROWS))
def test_every_input_kind_one_row_per_record(tmp_path: Path, name: str) -> None:
    code, rows = _run(tmp_path, "score", "--jobs", "1", str(DATA / name))
    assert len(rows) == FIXTURE_ROWS[name]
    assert all(list(r) == list(ROW_FIELDS) for r in rows)
    errors = sum(r["status"] == "error" for r in rows)
    assert code == (1 if errors else 0)
    assert all(r["error"] for r in rows if r["status"] != "ok")


def test_directory_counts_in_equal_rows_out(tmp_path: Path) -> None:
    code, rows = _run(tmp_path, "--jobs", "1", str(DATA))
    assert len(rows) == sum(FIXTURE_ROWS.values())
    statuses = [r["status"] for r in rows]
    # bad JSON, non-object line, truncated jsonl.gz, truncated WARC record, truncated WARC gzip
    assert statuses.count("error") == 5
    # revisit, non-HTML, empty payload, 2 records without a page field
    assert statuses.count("skipped") == 5
    assert code == 1


def test_clean_inputs_exit_zero(tmp_path: Path) -> None:
    code, rows = _run(tmp_path, "--jobs", "1", *(str(DATA / n) for n in CLEAN_INPUTS))
    assert code == 0
    assert len(rows) == 1 + 1 + 1 + 5 + 2
    ok = [r for r in rows if r["status"] == "ok"]
    assert all(isinstance(r["is_spam"], bool) and 0.0 <= r["spam_score"] <= 1.0 for r in ok)
    assert all(r["n_segments"] >= 1 for r in ok)


@pytest.mark.parametrize(
    "args",
    [
        ["--no-such-option", "x"],
        ["score", "--threshold", "2", str(DATA / "page.html")],
        ["score", "--jobs", "0", str(DATA / "page.html")],
        ["score", "--format", "xml", str(DATA / "page.html")],
        ["score", "--format", "parquet", str(DATA / "page.html")],  # parquet needs -o
    ],
)
def test_usage_errors_exit_two(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error" in captured.err
    assert "Traceback" not in captured.err


def test_missing_path_among_good_ones_is_an_error_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rows.jsonl"
    code = main(["score", "--jobs", "1", "-o", str(out), str(DATA / "page.html"), "missing.html"])
    assert code == 1
    rows = _jsonl(out)
    assert [(r["id"], r["status"]) for r in rows] == [(str(DATA / "page.html"), "ok"), ("missing.html", "error")]
    assert rows[1]["error"] == "no such file or directory"
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "linkguard: error: missing.html: no such file or directory"


def test_parquet_without_pyarrow(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    code = main(["score", "--format", "parquet", "-o", str(tmp_path / "x.parquet"), str(DATA / "page.html")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install" in err
    assert not (tmp_path / "x.parquet").exists()


def test_csv_output_is_readable(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code = main(["score", "-q", "--jobs", "1", "--format", "csv", "-o", str(out), str(DATA)])
    assert code == 1
    with out.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == ROW_FIELDS
        rows = list(reader)
    assert len(rows) == sum(FIXTURE_ROWS.values())
    for row in rows:
        assert isinstance(json.loads(row["spam_links"]), list)
        assert isinstance(json.loads(row["reasons"]), list)
        assert row["truncated"] in ("true", "false")
        assert row["status"] in ("ok", "skipped", "error")


def test_parquet_output_is_readable(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "out.parquet"
    code = main(["score", "-q", "--jobs", "1", "--format", "parquet", "--explain", "-o", str(out), str(DATA)])
    assert code == 1
    table = pq.read_table(out)
    assert table.num_rows == sum(FIXTURE_ROWS.values())
    assert table.column_names == [*ROW_FIELDS, "segments"]
    assert str(table.schema.field("spam_links").type) == "list<element: string>"
    rows = table.to_pylist()
    ok = [r for r in rows if r["status"] == "ok"]
    assert all(isinstance(json.loads(r["segments"]), list) for r in ok)


def test_jobs_two_gives_the_same_rows_as_jobs_one(tmp_path: Path) -> None:
    _, one = _run(tmp_path, "--jobs", "1", "--batch-size", "3", str(DATA))
    _, two = _run(tmp_path, "--jobs", "2", "--batch-size", "3", str(DATA))
    assert two == one
    assert len(one) == sum(FIXTURE_ROWS.values())


def test_workers_are_forked_only_from_a_single_threaded_process(tmp_path: Path) -> None:
    """fork() shares the loaded model; with another Python thread alive workers start fresh (forkserver)."""
    if sys.platform != "linux":
        pytest.skip("fork is only chosen on Linux")
    assert _mp_context().get_start_method() == "fork"
    _, forked = _run(tmp_path, "--jobs", "2", "--batch-size", "3", str(DATA))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert _mp_context().get_start_method() in {"forkserver", "spawn"}
        _, fresh = _run(tmp_path, "--jobs", "2", "--batch-size", "3", str(DATA))
    finally:
        stop.set()
        other.join()
    assert fresh == forked


def test_parallel_scoring_streams_and_keeps_order() -> None:
    """An endless input works with jobs=2: batches in flight are bounded, order is kept."""
    records = ({"id": k, "html": f"<p>Page number {k} about gardening.</p>"} for k in itertools.count())
    # score_stream is a generator function (declared as returning an Iterator): close() stops it.
    stream = cast("Generator[Row, None, None]", score_stream(records, ScoreOptions(batch_size=4), jobs=2))
    rows = list(itertools.islice(stream, 30))
    stream.close()  # shuts the pool down
    assert [r["id"] for r in rows] == list(range(30))


def test_limit(tmp_path: Path) -> None:
    code, rows = _run(tmp_path, "--jobs", "1", "--limit", "3", str(DATA / "pages.jsonl"), str(DATA / "page.html"))
    assert [r["id"] for r in rows] == ["a", "b", f"{DATA / 'pages.jsonl'}:3"]
    assert code == 1  # the third record is the bad JSON line
    code, rows = _run(tmp_path, "--limit", "2", str(DATA / "pages.warc.gz"))
    assert len(rows) == 2 and code == 0


def test_explain_and_strip(tmp_path: Path) -> None:
    code, rows = _run(tmp_path, "--jobs", "1", "--explain", "--strip", str(DATA / "pages.warc.gz"))
    assert code == 0
    assert list(rows[0]) == [*ROW_FIELDS, "segments", "clean"]
    for row in rows:
        if row["status"] == "ok":
            assert len(row["segments"]) == row["n_segments"]
            assert {"label", "score", "reasons", "text", "links"} <= set(row["segments"][0])
            assert isinstance(row["clean"], str) and "Garden notes" in row["clean"]
        else:
            assert row["segments"] is None and row["clean"] is None


def test_field_options_and_mode(tmp_path: Path) -> None:
    args = ["--html-field", "body_html", "--url-field", "page_url", "--id-field", "doc_id", "--mode", "html"]
    code, rows = _run(tmp_path, *args, str(DATA / "custom.jsonl.gz"))
    assert code == 0
    assert [(r["id"], r["url"], r["status"]) for r in rows] == [
        ("x", "http://garden.example/x", "ok"),
        ("y", "http://garden.example/y", "ok"),
    ]


def test_threshold_is_accepted(tmp_path: Path) -> None:
    code, rows = _run(tmp_path, "--threshold", "0.9", str(DATA / "page.html"))
    assert code == 0 and len(rows) == 1


def test_stdout_jsonl_in_process(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["-q", str(DATA / "page.html")]) == 0  # no subcommand: 'score' is implied
    out = capsysbinary.readouterr().out.decode("utf-8").splitlines()
    assert len(out) == 1 and json.loads(out[0])["id"] == str(DATA / "page.html")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("linkguard ") and "Python" in out


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--help"]) == 0
    assert "--stdin-format" in capsys.readouterr().out


# ---------------------------------------------------------------- end to end


def _linkguard(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "linkguard", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_end_to_end_stdin_page() -> None:
    page = (DATA / "page.html").read_bytes()
    proc = _linkguard("score", "--jobs", "1", stdin=page)
    assert proc.returncode == 0, proc.stderr
    (row,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert row["id"] == "-" and row["status"] == "ok"
    # no progress line when stderr is not a terminal: only the closing summary
    (summary,) = proc.stderr.decode().splitlines()
    assert summary.startswith("linkguard: 1 records: 1 ok, 0 skipped, 0 error; 0 spam pages (threshold 0.")


def test_end_to_end_stdin_jsonl_and_exit_one() -> None:
    data = (DATA / "pages.jsonl").read_bytes()
    proc = _linkguard("-", "--stdin-format", "jsonl", "--format", "csv", stdin=data)
    assert proc.returncode == 1
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode("utf-8"))))
    assert [r["status"] for r in rows] == ["ok", "ok", "error", "error", "ok"]
    err = proc.stderr.decode().splitlines()  # messages on stderr only, one line per error row
    assert err[0].startswith("linkguard: error: <stdin>:3: bad JSON")
    assert err[1] == "linkguard: error: <stdin>:5: line is a JSON list, not an object"
    assert err[2].startswith("linkguard: 5 records: 3 ok, 0 skipped, 2 error;")


def test_end_to_end_usage_error() -> None:
    proc = _linkguard("score", str(DATA / "page.html"), "-o", "no-such-folder/rows.jsonl")
    assert proc.returncode == 2
    assert proc.stdout == b""
    message = "linkguard: error: -o no-such-folder/rows.jsonl: folder no-such-folder does not exist"
    assert proc.stderr.decode().strip() == message


@pytest.mark.corpus
def test_real_warc_files(corpus_dir: Path, tmp_path: Path) -> None:
    warcs = corpus_dir / "warc"
    code, rows = _run(
        tmp_path,
        str(warcs / "resiliparse-warcfile.warc.gz"),
        str(warcs / "warcio-example.warc.gz"),
        str(warcs / "whirlwind.warc.wet.gz"),
    )
    assert code == 0
    assert [r["status"] for r in rows] == ["ok"] * 16 + ["ok", "skipped"] + ["ok"]


def test_seed_page_is_spam(seed_page: str, tmp_path: Path) -> None:
    """Needs the trained model: with the placeholder (all scores 0.5) this may fail."""
    page = tmp_path / "seed_page.txt"
    page.write_text(seed_page, "utf-8")
    code, (row,) = _run(tmp_path, "--explain", str(page))
    assert code == 0
    assert row["is_spam"] is True  # needs the trained model
    assert any("103.49.239.135" in link for link in row["spam_links"])  # needs the trained model
    assert any(s["label"] == "spam" for s in row["segments"])  # needs the trained model


def test_only_the_program_tunes_the_garbage_collector() -> None:
    """main() called from someone's Python leaves their collector alone; the console script tunes its own."""
    import gc

    before = gc.get_threshold()
    assert main(["-q", "-o", os.devnull, str(DATA / "page.html")]) == 0
    assert gc.get_threshold() == before
    code = (
        "import gc, sys; from linkguard.cli import main; sys.argv[1:] = sys.argv[2:]; main(); "
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "x", "-q", "-o", os.devnull, str(DATA / "page.html")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [str(max(before[0], GC_GEN0)), "True"]
