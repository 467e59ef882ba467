"""linkguard.integrations.datatrove against the installed datatrove."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from helpers import assert_missing_extra_hint

from linkguard import ModelError, default_model
from linkguard._batch import score_records
from linkguard._records import Row, failed_row

pytest.importorskip("datatrove")

from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.formatters.base import BaseFormatter

from linkguard.integrations import datatrove as lg_dt

CLEAN = "<p>A normal paragraph about the weather today, written for the town's newsletter.</p>"
PAGE = (
    "<html><body><article><h1>Town news</h1><p>The council met on Tuesday to discuss the new library.</p>"
    "<p>Opening hours will be extended in spring.</p></article>"
    '<div><a href="http://103.49.239.135/">slot gacor</a> <a href="http://103.59.94.85/">agen bola</a></div>'
    "</body></html>"
)


def docs(n: int = 3) -> list[Document]:
    return [Document(text=PAGE, id=f"d{i}", metadata={"url": f"https://town{i}.example/news"}) for i in range(n)]


class ListWriter:
    """Stands in for a DiskWriter (JsonlWriter needs orjson): what BaseFilter.run uses of one."""

    def __init__(self) -> None:
        self.docs: list[Document] = []

    def __enter__(self) -> ListWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, doc: Document, rank: int = 0) -> None:
        self.docs.append(doc)


@pytest.fixture
def failing_record(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make linkguard report an error row for the document with id "bad" (the failure path, on demand)."""
    real = score_records  # what lg_dt calls (it imports the function by name)

    def patched(records: Iterable[Mapping[str, Any]], **kw: Any) -> Iterator[Row]:
        records = list(records)
        for rec, row in zip(records, real(records, **kw), strict=True):
            yield failed_row(rec["id"], rec["url"], "InputError: broken") if rec["id"] == "bad" else row

    monkeypatch.setattr(lg_dt, "score_records", patched)
    return "bad"


def trained_model_or_skip() -> None:
    """Verdict tests need the trained model; the placeholder scores every segment 0.5."""
    try:
        model = default_model()
    except ModelError as exc:
        pytest.skip(f"bundled model does not load: {exc}")
    if model.metadata.get("note") == "placeholder":
        pytest.skip("bundled model is the placeholder; verdicts need the trained model")


# ------------------------------------------------------------ packaging


def test_missing_datatrove_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_missing_extra_hint(monkeypatch, "datatrove", "datatrove")


def test_steps_have_datatrove_shape() -> None:
    assert issubclass(lg_dt.LinkSpamFilter, BaseFilter)
    assert issubclass(lg_dt.LinkSpamRemover, BaseFormatter)
    # datatrove would tell users to `pip install linkguard`, the index's unrelated project: check nothing
    assert lg_dt.LinkSpamFilter._requires_dependencies == []
    assert lg_dt.LinkSpamRemover._requires_dependencies == []


# ------------------------------------------------------------ LinkSpamFilter


def test_filter_drops_spam_with_reason_and_exclusion_writer(spam_model: str) -> None:
    writer = ListWriter()
    step = lg_dt.LinkSpamFilter(model=spam_model, exclusion_writer=writer)
    kept = list(step.run(iter(docs(3))))
    assert kept == []
    assert step.stats["dropped_link_spam"].total == 3
    assert len(writer.docs) == 3
    meta = writer.docs[0].metadata
    assert meta["filter_reason"] == "link_spam"
    assert meta["linkguard_is_spam"] is True
    assert 0.0 <= meta["linkguard_score"] <= 1.0
    assert isinstance(meta["linkguard_reasons"], list)
    assert "http://103.49.239.135/" in meta["linkguard_spam_links"]


def test_filter_annotate_only_keeps_everything(spam_model: str) -> None:
    step = lg_dt.LinkSpamFilter(model=spam_model, drop=False)
    kept = list(step.run(iter(docs(4))))
    assert [d.id for d in kept] == ["d0", "d1", "d2", "d3"]
    for doc in kept:
        assert doc.metadata["linkguard_is_spam"] is True
        assert {"linkguard_score", "linkguard_reasons", "linkguard_spam_links"} <= set(doc.metadata)
        assert doc.text == PAGE  # annotation never edits the page


def test_filter_keeps_clean_pages(clean_model: str) -> None:
    batch = [*docs(2), Document(text="", id="empty", metadata={})]
    step = lg_dt.LinkSpamFilter(model=clean_model)
    kept = list(step.run(iter(batch)))
    assert [d.id for d in kept] == ["d0", "d1", "empty"]
    assert all(d.metadata["linkguard_is_spam"] is False for d in kept[:2])
    assert kept[0].metadata["linkguard_spam_links"] == []
    assert kept[2].metadata["linkguard_skipped"] == "empty page"  # nothing to score, kept


def test_filter_keeps_a_document_linkguard_cannot_read(spam_model: str, failing_record: str) -> None:
    batch = [*docs(2), Document(text=PAGE, id=failing_record, metadata={})]
    kept = list(lg_dt.LinkSpamFilter(model=spam_model).run(iter(batch)))
    assert [d.id for d in kept] == [failing_record]
    assert kept[0].metadata["linkguard_error"] == "InputError: broken"
    assert "linkguard_is_spam" not in kept[0].metadata


def test_filter_batch_scores_a_batch_in_one_call(spam_model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = score_records  # what lg_dt calls (it imports the function by name)

    def counting(records: Iterable[Mapping[str, Any]], **kw: Any) -> Iterator[Row]:
        records = list(records)
        calls.append(len(records))
        return real(records, **kw)

    monkeypatch.setattr(lg_dt, "score_records", counting)
    step = lg_dt.LinkSpamFilter(model=spam_model, drop=False, batch_size=4)
    assert len(list(step.run(iter(docs(10))))) == 10
    assert calls == [4, 4, 2]
    assert step.stats["batches"].total == 3


def test_model_is_lazy_and_not_pickled(spam_model: str) -> None:
    step = lg_dt.LinkSpamFilter(model=spam_model)
    assert step._model is None
    list(step.run(iter(docs(1))))
    assert step._model is not None
    clone = pickle.loads(pickle.dumps(step))
    assert clone._model is None and clone._model_spec == spam_model
    dill = pytest.importorskip("dill")
    assert dill.loads(dill.dumps(step))._model is None


def test_local_pipeline_executor_end_to_end(spam_model: str, clean_model: str, tmp_path: Path) -> None:
    """A real datatrove pipeline: documents -> filter (annotate) -> remover -> a collecting step."""
    out: list[Document] = []

    def collect(data: Iterator[Document], rank: int = 0, world_size: int = 1) -> Iterator[Document]:
        for doc in data:
            out.append(doc)
            yield doc

    executor = LocalPipelineExecutor(
        pipeline=[
            docs(5),
            lg_dt.LinkSpamFilter(model=clean_model),
            lg_dt.LinkSpamRemover(model=spam_model),
            collect,
        ],
        tasks=1,
        workers=1,
        logging_dir=str(tmp_path / "logs"),
    )
    executor.run()
    assert len(out) == 5
    assert all(d.metadata["linkguard_is_spam"] is False for d in out)
    assert all("103.49.239.135" not in d.text for d in out)
    assert all(d.metadata["linkguard_stripped_links"] for d in out)


# ------------------------------------------------------------ LinkSpamRemover


def test_remover_strips_only_spam_pages(spam_model: str, clean_model: str) -> None:
    stripped = list(lg_dt.LinkSpamRemover(model=spam_model).run(iter(docs(2))))
    assert all("103.49.239.135" not in d.text for d in stripped)
    assert stripped[0].metadata["linkguard_stripped_links"]
    untouched = list(lg_dt.LinkSpamRemover(model=clean_model).run(iter(docs(2))))
    assert all(d.text == PAGE and "linkguard_stripped_links" not in d.metadata for d in untouched)


def test_remover_format_has_the_formatter_shape(spam_model: str, clean_model: str) -> None:
    assert lg_dt.LinkSpamRemover(model=clean_model).format(PAGE) == PAGE
    assert "103.49.239.135" not in lg_dt.LinkSpamRemover(model=spam_model).format(PAGE)


def test_remover_leaves_unreadable_documents_alone(spam_model: str, failing_record: str) -> None:
    batch = [Document(text=PAGE, id=failing_record), *docs(1)]
    bad, good = lg_dt.LinkSpamRemover(model=spam_model).run(iter(batch))
    assert bad.text == PAGE and bad.metadata["linkguard_error"] == "InputError: broken"
    assert good.text != PAGE


# ------------------------------------------------------------ verdicts (need the trained model)


def test_trained_model_drops_seed_spam_and_keeps_clean_text(seed_page: str) -> None:
    trained_model_or_skip()
    batch = [
        Document(text=seed_page, id="seed", metadata={"url": "https://www.afintl.com/news/"}),
        Document(text=CLEAN, id="clean", metadata={"url": "https://town.example/"}),
    ]
    kept = list(lg_dt.LinkSpamFilter().run(iter(batch)))
    assert [d.id for d in kept] == ["clean"]


def test_trained_model_strips_seed_spam_links(seed_page: str) -> None:
    trained_model_or_skip()
    doc = Document(text=seed_page, id="seed", metadata={"url": "https://www.afintl.com/news/"})
    (out,) = lg_dt.LinkSpamRemover().run(iter([doc]))
    assert "103.49.239.135" not in out.text
    assert "Pakistan has approached Tajikistan" in out.text
