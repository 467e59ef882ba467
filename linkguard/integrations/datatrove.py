"""datatrove steps: drop or annotate link-spam pages, strip the spam out of them, or tag its spans.

Both steps read ``doc.text`` as HTML, so they belong between ``WarcReader`` and
the text extractor (after ``Trafilatura`` there are no links left to judge)::

    pipeline = [
        WarcReader("s3://commoncrawl/crawl-data/CC-MAIN-2024-10/segments/", glob_pattern="*/warc/*"),
        LinkSpamFilter(exclusion_writer=JsonlWriter("removed/link_spam")),  # or LinkSpamRemover()
        Trafilatura(favour_precision=True),
        JsonlWriter("output/"),
    ]

The model is loaded lazily on the worker, never pickled with the step.

``LinkSpamTagger`` works on plain text instead (after the extractor, or WET
text): it writes the spam spans of ``doc.text`` into ``doc.metadata`` in the
shape of linkguard's Dolma attributes (:mod:`linkguard.io.dolma`), so a
datatrove pipeline and a Dolma mixer read the same spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from linkguard.integrations import missing_extra

try:
    from datatrove.data import Document, DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.filters.base_filter import BaseFilter
    from datatrove.pipeline.formatters.base import BaseFormatter
    from datatrove.pipeline.writers.disk_base import DiskWriter
    from datatrove.utils.batching import batched
except ImportError as _exc:  # pragma: no cover - exercised by the missing-extra test
    raise missing_extra("datatrove", _exc) from _exc

from linkguard._batch import score_records
from linkguard._config import Config
from linkguard._model import SegmentModel
from linkguard._records import Row, annotation_values
from linkguard.integrations import ModelSpec, resolve_model
from linkguard.io.dolma import PREFIX_DEFAULT, attributes, text_spans

__all__ = ["LinkSpamFilter", "LinkSpamRemover", "LinkSpamTagger"]


class _LinkguardStep:
    """Shared state of both steps: options, the lazily loaded model, and batch scoring."""

    url_key: str
    config: Config
    _model_spec: ModelSpec
    _model: SegmentModel | None

    def _init_linkguard(
        self,
        *,
        threshold: float | None,
        max_bytes: int | None,
        model: ModelSpec,
        url_key: str,
        prescreen: bool = False,
    ) -> None:
        kwargs: dict[str, Any] = {"threshold": threshold, "prescreen": prescreen}
        if max_bytes is not None:
            kwargs["max_bytes"] = max_bytes
        self.config = Config(**kwargs)
        self.url_key = url_key
        self._model_spec = model
        self._model = None

    @property
    def model(self) -> SegmentModel:
        """The classifier, loaded on first use in the worker process."""
        if self._model is None:
            self._model = resolve_model(self._model_spec)
        return self._model

    def __getstate__(self) -> dict[str, Any]:
        # Steps travel to workers by pickle (dill); the model is reloaded there from its spec.
        state = self.__dict__.copy()
        state["_model"] = None
        return state

    def _rows(self, docs: list[Document], *, strip: bool = False, text: bool = False) -> list[Row]:
        """One linkguard row per document, scored as one batch (one feature matrix, one model call).

        ``text``: read ``doc.text`` as plain text and keep each segment's offsets (``segments``).
        """
        records = ({"id": d.id, "url": d.metadata.get(self.url_key), "html": d.text} for d in docs)
        return list(
            score_records(
                records,
                mode="text" if text else "auto",
                page_field="html",
                config=self.config,
                model=self.model,
                batch_size=max(1, len(docs)),
                strip=strip,
                explain=text,
            )
        )


def _annotate(doc: Document, row: Row) -> None:
    """The row's annotated fields (see :data:`linkguard._records.FIELDS`) into ``doc.metadata``."""
    if row["status"] == "ok":
        doc.metadata.update(annotation_values(row))
    elif row["status"] == "skipped":  # nothing to score, e.g. an empty page
        doc.metadata["linkguard_skipped"] = row["error"] or "skipped"
    else:
        doc.metadata["linkguard_error"] = row["error"] or row["status"]


class LinkSpamFilter(_LinkguardStep, BaseFilter):
    """Drop pages with injected link spam (reason ``"link_spam"``), or only annotate them.

    Every scored document gets ``linkguard_score``, ``linkguard_is_spam``,
    ``linkguard_reasons`` and ``linkguard_spam_links`` in its metadata, so the
    exclusion writer records why a page went.  With ``drop=False`` nothing is
    dropped and a later step (or the analyst) decides.  A page that cannot be
    read is kept, with ``linkguard_error`` in its metadata: a scorer failure
    should not silently remove data.

    Args:
        threshold: segment spam probability cut-off (default: the model's own).
        drop: drop spam pages (``True``) or only annotate them.
        url_key: metadata key holding the page URL (``WarcReader`` sets ``"url"``).
        model: a JSON model file path, a loaded model, or ``None`` for the bundled one.
        max_bytes: read at most this much of each page.
        batch_size: documents scored together on the vectorised path.
        exclusion_writer: where dropped documents go (with ``filter_reason``).
        prescreen: clear plainly clean pages without scoring them (faster, loses some recall).
    """

    name = "🔗 LinkGuard"
    # Nothing to check: this module imports linkguard already (and "linkguard" on the index is another project).
    _requires_dependencies: list[str] = []  # noqa: RUF012 - datatrove reads a class-level list

    def __init__(
        self,
        threshold: float | None = None,
        *,
        drop: bool = True,
        url_key: str = "url",
        model: ModelSpec = None,
        max_bytes: int | None = None,
        batch_size: int = 64,
        exclusion_writer: DiskWriter | None = None,
        prescreen: bool = False,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer, batch_size=batch_size)
        self.drop = drop
        self._init_linkguard(
            threshold=threshold, max_bytes=max_bytes, model=model, url_key=url_key, prescreen=prescreen
        )

    def _verdict(self, doc: Document, row: Row) -> bool | tuple[bool, str]:
        _annotate(doc, row)
        if self.drop and row["status"] == "ok" and row["is_spam"]:
            return False, "link_spam"
        return True

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        """Keep (``True``) or drop (``(False, "link_spam")``) one document."""
        return self._verdict(doc, self._rows([doc])[0])

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        """The whole batch in one model call."""
        rows = self._rows(batch)
        return [self._verdict(doc, row) for doc, row in zip(batch, rows, strict=True)]


class LinkSpamRemover(_LinkguardStep, BaseFormatter):
    """Cut the spam segments out of ``doc.text`` HTML, keeping the page, before text extraction.

    :meth:`format` has datatrove's ``format(text) -> str`` shape; :meth:`run`
    goes further and scores documents in batches with their URL from metadata
    (on-site vs off-site links need it).  A stripped document gets
    ``linkguard_stripped_links`` in its metadata; a page that cannot be read is
    left unchanged, with ``linkguard_error``.
    """

    name = "🔗 LinkGuard remover"
    # Nothing to check: this module imports linkguard already (and "linkguard" on the index is another project).
    _requires_dependencies: list[str] = []  # noqa: RUF012 - datatrove reads a class-level list

    def __init__(
        self,
        threshold: float | None = None,
        *,
        url_key: str = "url",
        model: ModelSpec = None,
        max_bytes: int | None = None,
        batch_size: int = 64,
    ) -> None:
        super().__init__()
        self.batch_size = max(1, batch_size)
        self._init_linkguard(threshold=threshold, max_bytes=max_bytes, model=model, url_key=url_key)

    def format(self, text: str) -> str:
        """The page without its spam segments (unchanged when there is none or it cannot be read)."""
        row = self._rows([Document(text=text, id="")], strip=True)[0]
        clean = row.get("clean")
        return clean if row["status"] == "ok" and row["is_spam"] and clean is not None else text

    def _apply(self, docs: Iterable[Document]) -> Iterator[Document]:
        batch = list(docs)
        for doc, row in zip(batch, self._rows(batch, strip=True), strict=True):
            self.stat_update("total")
            if row["status"] == "skipped":
                doc.metadata["linkguard_skipped"] = row["error"] or "skipped"
                self.stat_update("linkguard_skipped")
            elif row["status"] != "ok":
                doc.metadata["linkguard_error"] = row["error"] or row["status"]
                self.stat_update("linkguard_error")
            elif row["is_spam"]:
                doc.text = row["clean"]
                doc.metadata["linkguard_stripped_links"] = list(row["spam_links"])
                self.stat_update("stripped")
            yield doc

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data is None:
            return
        for batch in batched(data, self.batch_size):
            with self.track_time("batch"):
                out = list(self._apply(batch))
            yield from out


class LinkSpamTagger(_LinkguardStep, PipelineStep):
    """Tag the spam spans of plain-text documents: ``doc.text`` is kept, ``doc.metadata`` gets the spans.

    Put it after the extractor (or on WET text).  Each document gets linkguard's
    Dolma attributes (:mod:`linkguard.io.dolma`) as metadata keys, character
    offsets into ``doc.text`` as it is: ``<prefix>__spam`` (``[[start, end,
    score], ...]`` of the spam lines), ``<prefix>__spam_score`` and
    ``<prefix>__spam_page`` (``[[0, len(text), score]]``), plus the usual
    ``linkguard_*`` annotations.  A later step (or
    :func:`linkguard.io.dolma.remove_spans`) cuts the spans by score; written out
    with ``JsonlWriter``, the metadata travels with the document.  A document that
    cannot be read gets ``linkguard_error`` and no spans.

    Text mode sees no markup: no hidden styles, no hrefs behind anchor text, so it
    finds less than the HTML steps do before extraction.
    """

    name = "🔗 LinkGuard tagger"
    type = "🏷 - TAGGER"
    # Nothing to check: this module imports linkguard already (and "linkguard" on the index is another project).
    _requires_dependencies: list[str] = []  # noqa: RUF012 - datatrove reads a class-level list

    def __init__(
        self,
        threshold: float | None = None,
        *,
        prefix: str = PREFIX_DEFAULT,
        url_key: str = "url",
        model: ModelSpec = None,
        max_bytes: int | None = None,
        batch_size: int = 64,
    ) -> None:
        super().__init__()
        self.prefix = prefix
        self.batch_size = max(1, batch_size)
        self._init_linkguard(threshold=threshold, max_bytes=max_bytes, model=model, url_key=url_key)

    def _apply(self, docs: Iterable[Document]) -> Iterator[Document]:
        batch = list(docs)
        for doc, row in zip(batch, self._rows(batch, text=True), strict=True):
            self.stat_update("total")
            _annotate(doc, row)
            spans = text_spans(row) if row["status"] == "ok" else []
            doc.metadata.update(attributes(spans, len(doc.text or ""), row, prefix=self.prefix))
            if spans:
                self.stat_update("tagged")
            yield doc

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data is None:
            return
        for batch in batched(data, self.batch_size):
            with self.track_time("batch"):
                out = list(self._apply(batch))
            yield from out
