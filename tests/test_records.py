"""The output row has one definition; reports are plain data."""

from __future__ import annotations

import io
import pickle
import typing
from typing import Any

import pytest

import linkguard
from linkguard import _records
from linkguard._batch import score_records
from linkguard.io.writers import CsvWriter, columns, parquet_schema


def test_row_fields_typed_dict_and_table_agree() -> None:
    hints = typing.get_type_hints(_records.Row)
    assert tuple(k for k in hints if k not in _records.EXTRA_FIELDS) == linkguard.ROW_FIELDS
    assert tuple(f.name for f in _records.FIELDS) == linkguard.ROW_FIELDS


def test_every_row_has_every_field_in_order() -> None:
    records: list[Any] = [{"id": 1, "html": "<p>A page about the river walk.</p>"}, {"id": 2, "html": ""}, {"id": 3}, 7]
    rows = list(score_records(records))
    assert [r["status"] for r in rows] == ["ok", "skipped", "skipped", "error"]
    assert all(tuple(r) == linkguard.ROW_FIELDS for r in rows)
    assert rows[0]["threshold"] == linkguard.default_model().threshold
    assert rows[1]["spam_links"] == [] and rows[1]["spam_links"] is not rows[2]["spam_links"]


def test_schemas_and_writers_come_from_the_table() -> None:
    pytest.importorskip("pyarrow")
    schema = parquet_schema(columns(explain=True))
    assert schema.names == [*linkguard.ROW_FIELDS, "segments"]
    kinds = {f.name: f.kind for f in _records.FIELDS}
    expected = {"string": "string", "bool": "bool", "float": "double", "int": "int64", "strings": "list<item: string>"}
    for name, kind in kinds.items():
        assert str(schema.field(name).type) == expected[kind], name
    buf = io.StringIO()
    CsvWriter(buf, columns(strip=True))
    assert buf.getvalue().strip().split(",") == [*linkguard.ROW_FIELDS, "clean"]


def test_annotations_follow_the_table() -> None:
    row = next(score_records([{"html": "<p>A page about the river walk.</p>"}]))
    notes = _records.annotation_values(row)
    assert set(notes) == {f.annotation for f in _records.FIELDS if f.annotation}
    assert notes["linkguard_score"] == row["spam_score"]


def test_report_pickles_and_strips_after_unpickling(seed_page: str) -> None:
    report = linkguard.scan(seed_page, url="https://www.example-news.af/latest/")
    again = pickle.loads(pickle.dumps(report))
    assert again == report
    assert again.clean_html() == report.clean_html() == linkguard.strip(seed_page)
    assert "103.49.239.135" not in again.clean_html()


def test_html_report_pickles_without_parser_trees() -> None:
    page = '<html><body><p>Garden notes for spring.</p><div style="display:none"><a href="http://1.2.3.4/">x</a></div></body></html>'
    report = linkguard.scan(page)
    data = pickle.dumps(report)
    assert b"selectolax" not in data and b"lexbor" not in data.lower()
    assert pickle.loads(data).clean_html() == report.clean_html()
