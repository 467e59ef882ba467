"""What a person reads: ``linkguard explain``, the progress line, and the HTML report.

The HTML report of the seed page is rendered in headless Chromium (Debian's
``chromium`` and ``chromium-driver``), screenshotted to ``test-artifacts/`` (git
ignored, kept by CI), and its highlighted segments are counted in the browser.
Without Chromium that test skips, saying so.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import linkguard
from linkguard._explain import explain_lines
from linkguard._html_report import index_html, page_html
from linkguard._records import Row
from linkguard.cli import Progress, main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
ARTIFACTS = ROOT / "test-artifacts"
SEED_SPAM_SEGMENTS = 7  # the raw-IP line and six brand lines


# ---------------------------------------------------------------- explain


def test_explain_shows_segments_in_order_with_threshold(seed_page: str) -> None:
    report = linkguard.scan(seed_page, url="https://www.example-news.af/latest/")
    lines = list(explain_lines(report, name="seed_page.txt", threshold_source="the model's"))
    assert lines[0] == "seed_page.txt: INJECTED"
    assert f"threshold {report.threshold:g} (the model's)" in lines[1]
    heads = [line for line in lines if line.startswith("[")]
    assert len(heads) == len(report.segments)
    assert [int(h[1:4]) for h in heads] == list(range(len(report.segments)))
    raw_ip = next(h for h in heads if "SPAM" in h)
    first_reason = re.search(r"SPAM +\d\.\d{3}  (\w+)", raw_ip)
    assert first_reason and first_reason.group(1) != "neighbour_spam"  # the evidence first
    assert "raw_ip_links" in raw_ip
    assert "      → http://103.49.239.135/" in lines
    assert "\x1b[" not in "\n".join(lines)


def test_explain_only_spam_and_colour(seed_page: str) -> None:
    report = linkguard.scan(seed_page)
    lines = list(explain_lines(report, only_spam=True, colour=True))
    heads = [line for line in lines if line.startswith("[")]
    assert len(heads) == SEED_SPAM_SEGMENTS
    assert all("\x1b[1;31mSPAM" in h for h in heads)


def test_explain_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], seed_page: str) -> None:
    page = tmp_path / "seed.txt"
    page.write_text(seed_page, "utf-8")
    assert main(["explain", "--only-spam", "--url", "https://news.example/a", "--color", "never", str(page)]) == 0
    out = capsys.readouterr().out
    assert "url https://news.example/a" in out and out.count("SPAM   ") == SEED_SPAM_SEGMENTS
    assert main(["explain", "--threshold", "0.999", "--color", "never", str(page)]) == 0
    assert "threshold 0.999 (--threshold)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "nope.html"], "nope.html: no such file or directory"),
        (["explain", str(DATA)], "is a folder"),
        (["explain", str(DATA / "pages.warc.gz")], "not an archive"),
    ],
)
def test_explain_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_help_shows_the_threshold_in_force(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"(default: the model's, {linkguard.default_model().threshold:g})" in out


# ---------------------------------------------------------------- progress


def test_progress_with_a_total_shows_percent_and_eta() -> None:
    buf = io.StringIO()
    p = Progress(buf, enabled=True, total=200)
    p.start -= 10.0  # ten seconds in
    for _ in range(50):
        p.update({"status": "ok"})
    p.update({"status": "error"})
    line = p.line()
    assert line.startswith("51/200 records (26%), 5.1/s, ETA 0:29") and line.endswith("1 errors")
    assert Progress(buf, enabled=True).line().startswith("0 records, 0.0/s, 0:00 elapsed")


def test_progress_total_counts_page_files_and_jsonl_lines(tmp_path: Path) -> None:
    from linkguard.cli import _count_total

    assert _count_total([str(DATA / "page.html"), str(DATA / "pages.jsonl")], None) == 1 + 6
    assert _count_total([str(DATA / "pages.warc.gz")], None) is None  # unknown without reading it
    assert _count_total([str(DATA / "pages.warc.gz")], 3) == 3


# ---------------------------------------------------------------- HTML report


def _seed_row(seed_page: str) -> Row:
    rows = list(linkguard.score_records([{"id": "seed_page.txt", "html": seed_page}], explain=True))
    return rows[0]


def test_report_page_marks_spam_and_hidden_segments(seed_page: str) -> None:
    page = page_html(_seed_row(seed_page))
    assert page.count('data-label="spam"') == SEED_SPAM_SEGMENTS
    assert "<script" not in page and "http://" not in page.split("<main>")[0]
    assert '<a href="http://103.49.239.135/' not in page  # spam links are text, never live
    hidden = (
        "<html><body><p>Garden notes for spring and summer.</p>"
        '<div style="display:none">cheap pills</div></body></html>'
    )
    row = next(iter(linkguard.score_records([{"id": "h", "html": hidden}], explain=True)))
    segments = row["segments"]
    assert segments is not None  # explain=True
    (seg,) = [s for s in segments if s["hidden"]]
    shown = page_html(row)
    assert f'data-hidden="{seg["hidden"]}"' in shown and "hidden: " in shown
    assert re.search(r'class="seg (spam|content) hidden"', shown)


def test_report_command_writes_pages_and_a_sortable_index(tmp_path: Path, seed_page: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "seed.txt").write_text(seed_page, "utf-8")
    shutil.copy(DATA / "page.html", tmp_path / "in" / "page.html")
    out = tmp_path / "report"
    assert main(["report", "-q", "--jobs", "1", str(tmp_path / "in"), "-o", str(out)]) == 0
    index = (out / "index.html").read_text("utf-8")
    assert index.count("<tr class=") == 2 and 'href="pages/00002.html"' in index
    assert "addEventListener" in index  # the sorting script
    assert (out / "pages" / "00002.html").read_text("utf-8").count('data-label="spam"') == SEED_SPAM_SEGMENTS
    assert index_html([]).count("<tr class=") == 0


# ---------------------------------------------------------------- in a real browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _webdriver(port: int, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as resp:
        answer: dict[str, Any] = json.loads(resp.read())
        return answer


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,3000",
]


def test_seed_report_in_headless_chromium(tmp_path: Path, seed_page: str) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("headless Chromium test needs Debian's chromium and chromium-driver (apt-get install)")
    report = tmp_path / "report"
    page = tmp_path / "seed_page.txt"
    page.write_text(seed_page, "utf-8")
    assert (
        main(
            ["score", "-q", "--jobs", "1", "-o", str(tmp_path / "rows.jsonl"), "--html-report", str(report), str(page)]
        )
        == 0
    )
    target = (report / "pages" / "00001.html").resolve().as_uri()
    port = _free_port()
    proc = subprocess.Popen(
        [driver, f"--port={port}", "--allowed-ips=127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _webdriver(port, "GET", "/status")["value"]["ready"]:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "chromedriver did not start"
            time.sleep(0.2)
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": [*CHROMIUM_ARGS, f"--user-data-dir={tmp_path / 'profile'}"],
                    }
                }
            }
        }
        session = _webdriver(port, "POST", "/session", caps)["value"]["sessionId"]
        try:
            _webdriver(port, "POST", f"/session/{session}/url", {"url": target})
            script = """
                const segs = Array.from(document.querySelectorAll('.seg'));
                const bg = (e) => getComputedStyle(e).backgroundColor;
                const plain = bg(document.body);
                return segs.map((e) => ({label: e.dataset.label, bg: bg(e), plain: plain,
                                         visible: e.getBoundingClientRect().height > 0}));
            """
            found = _webdriver(port, "POST", f"/session/{session}/execute/sync", {"script": script, "args": []})[
                "value"
            ]
            shot = _webdriver(port, "GET", f"/session/{session}/screenshot")["value"]
        finally:
            _webdriver(port, "DELETE", f"/session/{session}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    ARTIFACTS.mkdir(exist_ok=True)
    png = base64.b64decode(shot)
    (ARTIFACTS / "seed_page_report.png").write_bytes(png)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    spam = [f for f in found if f["label"] == "spam"]
    content = [f for f in found if f["label"] == "content"]
    assert len(spam) == SEED_SPAM_SEGMENTS and all(f["visible"] for f in spam)
    highlight = {f["bg"] for f in spam}
    assert len(highlight) == 1 and highlight.isdisjoint({f["bg"] for f in content} | {spam[0]["plain"]})
    assert os.path.getsize(ARTIFACTS / "seed_page_report.png") == len(png)
