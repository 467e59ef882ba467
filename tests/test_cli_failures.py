"""The README's table "When a record cannot be scored": one test per row.

Each case builds its input, runs ``linkguard score`` in this process and checks
the row (status and message), the one-line message on stderr and the exit
status.  A test also checks that the README table and these cases list the
same failures.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from linkguard.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"


@dataclass
class Case:
    make: Callable[[Path], list[str]]  # builds inputs in tmp_path, returns extra CLI args
    status: str | None  # status of the row under test (None: no row at all, a usage error)
    message: str  # a substring of that row's error, or of the usage line
    exit: int
    row_id: Callable[[Path], str] | None = None  # which row to look at (default: the only non-ok row)


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _good(tmp: Path) -> str:
    return str(_write(tmp / "in" / "good.html", (DATA / "page.html").read_bytes()))


def _missing(tmp: Path) -> list[str]:
    return [_good(tmp), str(tmp / "in" / "missing.html")]


def _unreadable(tmp: Path) -> list[str]:
    cut = gzip.compress(b"<p>hello</p>" * 200, mtime=0)[:40]
    return [_good(tmp), str(_write(tmp / "in" / "cut.html.gz", cut))]


def _empty(tmp: Path) -> list[str]:
    return [_good(tmp), str(_write(tmp / "in" / "empty.html", " \n\t\n"))]


def _not_a_page(tmp: Path) -> list[str]:
    _good(tmp)
    _write(tmp / "in" / "style.css", "p { color: red }")
    return [str(tmp / "in")]


def _binary(tmp: Path) -> list[str]:
    _good(tmp)
    _write(tmp / "in" / "logo", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    return [str(tmp / "in")]


def _extensionless(tmp: Path) -> list[str]:
    page = (DATA / "page.html").read_bytes()
    _write(tmp / "in" / "index.php", page)
    _write(tmp / "in" / "about.asp", page)
    _write(tmp / "in" / "contact", page)
    return [str(tmp / "in")]


def _manifest(tmp: Path) -> list[str]:
    _good(tmp)
    _write(tmp / "in" / "manifest.jsonl", json.dumps({"path": "good.html", "lang": "en"}) + "\n")
    return [str(tmp / "in")]


def _bad_json(tmp: Path) -> list[str]:
    lines = [json.dumps({"id": "a", "html": "<p>Fine page about gardens.</p>"}), '{"id": "b", "html": ']
    return [str(_write(tmp / "in" / "pages.jsonl", "\n".join(lines) + "\n"))]


def _no_page_field(tmp: Path) -> list[str]:
    lines = [json.dumps({"id": "a", "html": "<p>Fine page about gardens.</p>"}), json.dumps({"id": "b", "url": "x"})]
    return [str(_write(tmp / "in" / "pages.jsonl", "\n".join(lines) + "\n"))]


def _wrong_html_field(tmp: Path) -> list[str]:
    line = json.dumps({"id": "a", "url": "http://x.example/", "html": "<p>Fine page about gardens.</p>"})
    return [str(_write(tmp / "in" / "pages.jsonl", line + "\n")), "--html-field", "htm"]


def _null_page(tmp: Path) -> list[str]:
    lines = [json.dumps({"id": "a", "html": "<p>Fine page about gardens.</p>"}), json.dumps({"id": "b", "html": None})]
    return [str(_write(tmp / "in" / "pages.jsonl", "\n".join(lines) + "\n")), "--html-field", "html"]


def _truncated_warc(tmp: Path) -> list[str]:
    return [str(DATA / "truncated-record.warc")]


def _warc_non_page(tmp: Path) -> list[str]:
    return [str(DATA / "pages.warc.gz")]


def _output_folder_missing(tmp: Path) -> list[str]:
    return [_good(tmp), "-o", str(tmp / "nowhere" / "rows.jsonl")]


def _output_is_a_folder(tmp: Path) -> list[str]:
    return [_good(tmp), "-o", str(tmp)]


def _parquet_without_pyarrow(tmp: Path) -> list[str]:
    return [_good(tmp), "--format", "parquet", "-o", str(tmp / "rows.parquet")]


CASES: dict[str, Case] = {
    "missing path": Case(_missing, "error", "no such file or directory", 1),
    "unreadable file": Case(_unreadable, "error", "truncated or corrupt gzip", 1),
    "empty file": Case(_empty, "skipped", "empty page", 0),
    "not a page": Case(_not_a_page, "skipped", "not a page (.css file)", 0),
    "binary file": Case(_binary, "skipped", "not a page (binary data)", 0),
    "extension-less page": Case(_extensionless, "ok", "", 0),
    "manifest": Case(_manifest, "skipped", "JSON Lines without a page field", 0),
    "bad JSON line": Case(_bad_json, "error", "bad JSON", 1, row_id=lambda t: f"{t / 'in' / 'pages.jsonl'}:2"),
    "no page field": Case(
        _no_page_field, "skipped", "record has no page field (html/content/text/body/raw_content)", 0
    ),
    "wrong --html-field": Case(_wrong_html_field, "error", "record has no field 'htm' (it has: html, id, url)", 1),
    "null page": Case(_null_page, "skipped", "field 'html' is null", 0),
    "truncated WARC": Case(_truncated_warc, "error", "truncated WARC response record", 1),
    "WARC non-page": Case(_warc_non_page, "skipped", "not HTML (image/png)", 0),
    "output folder missing": Case(_output_folder_missing, None, "does not exist", 2),
    "output is a folder": Case(_output_is_a_folder, None, "is a folder; give a file name", 2),
    "parquet without pyarrow": Case(_parquet_without_pyarrow, None, "pip install 'linkguard-spam[parquet]'", 2),
}


def test_readme_table_lists_these_cases() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    table = text.split("### When a record cannot be scored", 1)[1].split("\n## ", 1)[0]
    keys = re.findall(r"^\| `([^`]+)`", table, re.M)
    assert keys == list(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_failure_gives_its_row_message_and_exit(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    if name == "parquet without pyarrow":
        monkeypatch.setitem(sys.modules, "pyarrow", None)
        monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    args = case.make(tmp_path)
    out = tmp_path / "rows.jsonl"
    if "-o" not in args:
        args += ["-o", str(out)]
    code = main(["score", "--jobs", "1", *args])
    err = capsys.readouterr().err.splitlines()
    assert code == case.exit, err
    assert "Traceback" not in "\n".join(err)
    if case.status is None:  # a usage error: one line, nothing written
        assert len(err) == 1 and err[0].startswith("linkguard: error: ") and case.message in err[0]
        assert not out.exists() and not (tmp_path / "rows.parquet").exists()
        return
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    if case.status == "ok":
        assert len(rows) == 3 and {r["status"] for r in rows} == {"ok"}
        return
    if case.row_id is not None:
        (row,) = [r for r in rows if r["id"] == case.row_id(tmp_path)]
    else:
        row = next(r for r in rows if r["status"] == case.status)
    assert row["status"] == case.status and case.message in row["error"]
    if case.status == "error":  # one stderr line names the record and the reason
        assert f"linkguard: error: {row['id']}: {row['error']}" in err
    assert err[-1].startswith(f"linkguard: {len(rows)} records: ")  # the closing summary


def test_verbose_says_what_was_skipped_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _not_a_page(tmp_path)
    assert main(["score", "--jobs", "1", "-v", "-o", str(tmp_path / "rows.jsonl"), *args]) == 0
    err = capsys.readouterr().err
    assert f"linkguard: skipped {tmp_path / 'in' / 'style.css'}: not a page (.css file)" in err
    assert main(["score", "--jobs", "1", "-o", str(tmp_path / "rows2.jsonl"), *args]) == 0
    assert "skipped " not in capsys.readouterr().err  # without -v only the summary


def test_many_error_rows_are_counted_not_flooded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(tmp_path / f"missing{k}.html") for k in range(30)]
    assert main(["score", "--jobs", "1", "-o", str(tmp_path / "rows.jsonl"), *paths]) == 1
    err = capsys.readouterr().err.splitlines()
    assert sum(line.startswith("linkguard: error: ") for line in err) == 21  # 20 rows, then one "more" line
    assert err[-1].startswith("linkguard: 30 records: 0 ok, 0 skipped, 30 error;")
