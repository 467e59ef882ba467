"""Rebuild the tiny WARC/WET/JSONL/HTML fixtures in this folder: one file per failure mode.

Run ``python tests/data/make_fixtures.py`` (needs warcio).  Record ids and dates are
fixed, so the output is byte-identical from run to run.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent
DATE = "2024-05-01T12:00:00Z"

PAGE = (
    "<!doctype html><html><head><title>Garden notes {n}</title></head><body>"
    "<h1>Garden notes {n}</h1><p>Tomatoes need sun, water and patience. This week we staked the "
    "plants and pinched the side shoots so the fruit ripens before the autumn rain.</p>"
    "<p>Next week: compost, mulch and a look at the beans.</p></body></html>"
)


def _uuid(n: int) -> str:
    return f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>"


def _http(content_type: str) -> StatusAndHeaders:
    return StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")


def _record(writer: WARCWriter, n: int, rtype: str, url: str | None, payload: bytes, **kw: object) -> object:
    headers = {"WARC-Record-ID": _uuid(n), "WARC-Date": DATE, **kw.pop("warc_headers", {})}  # type: ignore[dict-item]
    return writer.create_warc_record(url, rtype, payload=io.BytesIO(payload), warc_headers_dict=headers, **kw)


def _warc(records: Sequence[tuple[str, str | None, bytes, dict[str, Any]]], *, gz: bool) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for n, (rtype, url, payload, kw) in enumerate(records, 1):
        writer.write_record(_record(writer, n, rtype, url, payload, **kw))
    return buf.getvalue()


def _page(n: int, charset: str = "utf-8") -> bytes:
    return PAGE.format(n=n).encode(charset)


def build() -> None:
    # pages.warc.gz: 2 HTML responses (one latin-1) -> ok; PNG, revisit, empty payload -> skipped;
    # warcinfo, request and metadata records -> no row.
    info = b"software: linkguard fixtures\r\nformat: WARC File Format 1.1\r\n"
    pages = [
        ("warcinfo", None, info, {"warc_content_type": "application/warc-fields"}),
        (
            "request",
            "http://garden.example/1",
            b"",
            {"http_headers": StatusAndHeaders("GET /1 HTTP/1.1", [("Host", "garden.example")], is_http_request=True)},
        ),
        (
            "response",
            "http://garden.example/1",
            _page(1),
            {"http_headers": _http("text/html; charset=utf-8")},
        ),
        (
            "metadata",
            "http://garden.example/1",
            b"fetchTimeMs: 12\r\n",
            {"warc_content_type": "application/warc-fields"},
        ),
        (
            "response",
            "http://garden.example/2",
            _page(2).replace(b"notes", b"notes caf\xe9"),
            {"http_headers": _http("application/xhtml+xml; charset=iso-8859-1")},
        ),
        (
            "response",
            "http://garden.example/logo.png",
            b"\x89PNG\r\n\x1a\n" + bytes(64),
            {"http_headers": _http("image/png")},
        ),
        (
            "revisit",
            "http://garden.example/1",
            b"",
            {
                "http_headers": _http("text/html"),
                "warc_headers": {"WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"},
            },
        ),
        ("response", "http://garden.example/empty", b"", {"http_headers": _http("text/html")}),
    ]
    (HERE / "pages.warc.gz").write_bytes(_warc(pages, gz=True))

    three = [
        ("response", f"http://garden.example/{i}", _page(i) * 3, {"http_headers": _http("text/html")})
        for i in (1, 2, 3)
    ]
    # truncated-record.warc: uncompressed; the last record's block stops 200 bytes short.
    raw = _warc(three, gz=False)
    (HERE / "truncated-record.warc").write_bytes(raw[: len(raw) - 204])
    # truncated.warc.gz: per-record gzip; the stream stops in the middle of the third member.
    gzd = _warc(three, gz=True)
    first_two = len(_warc(three[:2], gz=True))
    (HERE / "truncated.warc.gz").write_bytes(gzd[: first_two + (len(gzd) - first_two) // 2])

    # pages.wet.gz: a warcinfo and two conversion (plain text) records.
    wet = [
        ("warcinfo", None, info, {"warc_content_type": "application/warc-fields"}),
        (
            "conversion",
            "http://garden.example/1",
            b"Garden notes 1\nTomatoes need sun and water.\n",
            {"warc_content_type": "text/plain"},
        ),
        (
            "conversion",
            "http://garden.example/2",
            "Jardín 2\nLas tomateras necesitan sol.\n".encode(),
            {"warc_content_type": "text/plain"},
        ),
    ]
    (HERE / "pages.wet.gz").write_bytes(_warc(wet, gz=True))

    # pages.jsonl: 3 good records, a bad JSON line, a non-object line, a blank line (no row).
    lines = [
        json.dumps({"id": "a", "url": "http://garden.example/a", "html": PAGE.format(n="a")}),
        json.dumps({"id": "b", "url": "http://garden.example/b", "html": PAGE.format(n="b")}),
        '{"id": "broken", "html": "<p>oops</p>"',
        "",
        '["not", "an", "object"]',
        json.dumps({"url": "http://garden.example/c", "html": PAGE.format(n="c")}),
    ]
    jsonl = ("\n".join(lines) + "\n").encode()
    (HERE / "pages.jsonl").write_bytes(jsonl)
    # custom field names, gzipped (mtime 0 for reproducible bytes)
    custom = "".join(
        json.dumps({"doc_id": k, "page_url": f"http://garden.example/{k}", "body_html": PAGE.format(n=k)}) + "\n"
        for k in ("x", "y")
    ).encode()
    (HERE / "custom.jsonl.gz").write_bytes(gzip.compress(custom, mtime=0))
    many = "".join(json.dumps({"id": f"r{k}", "html": PAGE.format(n=k)}) + "\n" for k in range(40)).encode()
    full = gzip.compress(many, mtime=0)
    (HERE / "truncated.jsonl.gz").write_bytes(full[: len(full) // 2])

    (HERE / "page.html").write_bytes(_page(7))
    (HERE / "page.txt").write_bytes(b"Garden notes\n\nTomatoes need sun, water and patience.\n")
    (HERE / "page.html.gz").write_bytes(gzip.compress(_page(8), mtime=0))


if __name__ == "__main__":
    build()
