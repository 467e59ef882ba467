"""Dolma documents and attributes: spam spans the mixer can remove by configuration."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

import linkguard
from linkguard.cli import main
from linkguard.io.dolma import (
    DolmaWriter,
    attributes_path_for,
    dolma_pair,
    remove_spans,
    tag_documents,
    text_and_spans,
)

DATA = Path(__file__).parent / "data"
SPAM_LINE = "situs slot gacor hari ini http://103.49.239.135/ togel online http://103.59.94.85/ judi slot maxwin"
TEXT = (
    "The harbour committee met on Tuesday to discuss the new ferry timetable.\n"
    "Repairs to the north pier start in May and should last six weeks.\n"
    f"{SPAM_LINE}\n"
    "The summer festival returns on the first weekend of July.\n"
)


def _lines(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_spans_cover_exactly_the_spam_segments() -> None:
    segments = [
        {"text": "A paragraph about tides.", "label": "content", "score": 0.01, "path": "body>p"},
        {"text": "slot gacor", "label": "spam", "score": 0.99, "path": "body>div"},
        {"text": "Closing words.", "label": "content", "score": 0.02, "path": "body>p"},
    ]
    text, spans = text_and_spans(segments)
    assert text == "A paragraph about tides.\n\nslot gacor\n\nClosing words."
    assert [text[s:e] for s, e, _ in spans] == ["slot gacor\n\n"]
    assert remove_spans(text, spans, min_score=0.5) == "A paragraph about tides.\n\nClosing words."
    assert remove_spans(text, spans, min_score=0.995) == text  # under min_score: kept
    assert remove_spans(text, spans, replacement="[{}]") == "A paragraph about tides.\n\n[slot gacor\n\n]Closing words."


def test_writer_lines_up_documents_and_attributes(tmp_path: Path) -> None:
    records = [
        {"id": "a", "url": "https://harbour.example/a", "html": (DATA / "page.html").read_text("utf-8")},
        {"id": "b", "url": "https://harbour.example/b", "html": TEXT, "mode": "text"},
        {"id": "c", "html": ""},  # skipped: still a document, empty, with the reason
    ]
    writer = DolmaWriter(tmp_path / "out")
    for row in linkguard.score_records(records, explain=True):
        writer.write(row)
    writer.close()
    docs = _lines(tmp_path / "out" / "documents" / "linkguard.jsonl.gz")
    attrs = _lines(tmp_path / "out" / "attributes" / "linkguard" / "linkguard.jsonl.gz")
    assert [d["id"] for d in docs] == [a["id"] for a in attrs] == ["a", "b", "c"]
    b_doc, b_attr = docs[1], attrs[1]["attributes"]
    spans = b_attr["linkguard__spam"]
    assert spans and all(SPAM_LINE.startswith(b_doc["text"][s:e].strip()[:20]) for s, e, _ in spans)
    assert "103.49.239.135" not in remove_spans(b_doc["text"], spans)
    assert b_attr["linkguard__spam_score"][0][:2] == [0, len(b_doc["text"])]
    assert docs[2]["text"] == "" and docs[2]["metadata"]["linkguard_status"] == "skipped"
    assert attrs[2]["attributes"]["linkguard__spam"] == []


def test_dolma_pair_needs_no_segments_for_failed_rows() -> None:
    doc, attrs = dolma_pair({"id": 7, "status": "error", "error": "bad", "url": None})
    assert doc["id"] == "7" and doc["metadata"]["linkguard_error"] == "bad"
    assert attrs["attributes"]["linkguard__spam_score"] == []


def test_tag_documents_keeps_the_text_and_its_offsets(tmp_path: Path) -> None:
    docs_path = tmp_path / "data" / "documents" / "part-0.jsonl.gz"
    docs_path.parent.mkdir(parents=True)
    docs = [
        {"id": "1", "text": TEXT, "source": "cc"},
        {"id": "2", "text": "Only a plain sentence about the weather.", "source": "cc"},
        {"id": "3", "text": "", "source": "cc"},
    ]
    with gzip.open(docs_path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(d) + "\n" for d in docs)
    out = tag_documents(docs_path)
    assert out == tmp_path / "data" / "attributes" / "linkguard" / "part-0.jsonl.gz"
    attrs = _lines(out)
    assert [a["id"] for a in attrs] == ["1", "2", "3"] and attrs[0]["source"] == "cc"
    spans = attrs[0]["attributes"]["linkguard__spam"]
    assert [TEXT[s:e] for s, e, _ in spans] == [SPAM_LINE + "\n"]
    assert remove_spans(TEXT, spans) == TEXT.replace(SPAM_LINE + "\n", "")
    assert attrs[1]["attributes"]["linkguard__spam"] == [] and attrs[2]["attributes"]["linkguard__spam"] == []


def test_attributes_path_needs_a_documents_folder(tmp_path: Path) -> None:
    assert attributes_path_for("x/documents/2024/a.jsonl.gz", "lg") == Path("x/attributes/lg/2024/a.jsonl.gz")
    with pytest.raises(ValueError, match="documents"):
        attributes_path_for(tmp_path / "a.jsonl.gz")


def test_cli_format_dolma(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.txt"
    page.write_text(TEXT, "utf-8")
    assert (
        main(["score", str(page), str(DATA / "page.html"), "-q", "--format", "dolma", "-o", str(tmp_path / "d")]) == 0
    )
    docs = _lines(tmp_path / "d" / "documents" / "linkguard.jsonl.gz")
    attrs = _lines(tmp_path / "d" / "attributes" / "linkguard" / "linkguard.jsonl.gz")
    assert len(docs) == len(attrs) == 2 and attrs[0]["attributes"]["linkguard__spam"]
    assert main(["score", str(page), "--format", "dolma"]) == 2
    assert "needs -o DIR" in capsys.readouterr().err
    assert main(["score", str(page), "--format", "dolma", "-o", str(page)]) == 2


def test_datatrove_tagger_writes_the_same_spans() -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from linkguard.integrations.datatrove import LinkSpamTagger

    docs = [Document(text=TEXT, id="1", metadata={"url": "https://harbour.example/b"}), Document(text="", id="2")]
    out = list(LinkSpamTagger().run(iter(docs)))
    assert [d.text for d in out] == [TEXT, ""]
    spans = out[0].metadata["linkguard__spam"]
    assert [TEXT[s:e] for s, e, _ in spans] == [SPAM_LINE + "\n"]
    assert out[0].metadata["linkguard_is_spam"] is True
    assert out[1].metadata["linkguard_skipped"] and out[1].metadata["linkguard__spam"] == []


def test_the_dolma_mixer_removes_the_spans(tmp_path: Path) -> None:
    """Where the Dolma toolkit is installed (not a dependency), its own mixer reads what linkguard wrote."""
    dolma = pytest.importorskip("dolma")
    page = tmp_path / "page.txt"
    page.write_text(TEXT, "utf-8")
    assert main(["score", str(page), "-q", "--format", "dolma", "-o", str(tmp_path / "d")]) == 0
    config = {
        "streams": [
            {
                "name": "clean",
                "documents": [str(tmp_path / "d" / "documents" / "*.jsonl.gz")],
                "attributes": ["linkguard"],
                "output": {"path": str(tmp_path / "mixed"), "max_size_in_bytes": 1_000_000_000},
                "span_replacement": [{"span": "$.attributes.linkguard__spam", "min_score": 0.0, "replacement": ""}],
            }
        ],
        "work_dir": {"input": str(tmp_path / "w-in"), "output": str(tmp_path / "w-out")},
        "processes": 1,
    }
    dolma.mixer(config)
    (out,) = (tmp_path / "mixed").glob("*.gz")
    (doc,) = _lines(out)
    assert "103.49.239.135" not in doc["text"] and "harbour committee" in doc["text"]
