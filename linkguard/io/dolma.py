"""Spam spans in the Dolma toolkit's attribute format, so that its mixer removes them by configuration.

Dolma keeps documents and what taggers found about them apart: a documents file
(``documents/*.jsonl.gz``, one JSON object a line with ``id``, ``text``,
``source``, ``metadata``) and, for each tagger run, an attributes file at the
same path under ``attributes/<name>/`` with the same rows in the same order
(``id`` and ``attributes``).  An attribute is a list of character spans of
``text``, each ``[start, end, score]``.  The mixer's ``span_replacement``
replaces the spans of a named attribute whose score is at least ``min_score``
(with ``""`` to delete them), and its ``filter`` drops whole documents by an
attribute's value.

linkguard writes three attributes per document (``<prefix>`` is ``linkguard``
unless told otherwise):

* ``<prefix>__spam``: one span per segment labelled spam, scored with its spam
  probability (at least the threshold);
* ``<prefix>__spam_score``: ``[[0, len(text), spam_score]]``, the page's highest
  segment score;
* ``<prefix>__spam_page``: ``[[0, len(text), page_score]]``, the probability that
  the page itself is spam (0 without a page model).

Offsets count characters (code points), as the mixer does.  Two ways in:

* :class:`DolmaWriter` (``linkguard score ... --format dolma -o DIR``): the
  documents file holds the text linkguard read, segment by segment, and the
  attributes point into it;
* :func:`tag_documents`: an existing Dolma documents file (plain text, e.g. from
  WET records or an extractor) scored in text mode; the attributes file lines up
  with it, the text is left as it is.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

PREFIX_DEFAULT = "linkguard"
SOURCE_DEFAULT = "linkguard"
_HTML_GAP = "\n\n"
_TEXT_GAP = "\n"

Span = list[Any]
"""``[start, end, score]``."""


def _is_text_mode(segments: Sequence[Mapping[str, Any]]) -> bool:
    return bool(segments) and all(str(s.get("path", "")).startswith("line ") for s in segments)


def text_and_spans(segments: Sequence[Mapping[str, Any]]) -> tuple[str, list[Span]]:
    """The segments' text joined (blank line between HTML segments, newline between text lines) and the
    spans of the spam ones; a span covers its segment and the gap after it, so removing it leaves no
    empty paragraph behind."""
    gap = _TEXT_GAP if _is_text_mode(segments) else _HTML_GAP
    parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    for k, seg in enumerate(segments):
        text = str(seg.get("text") or "")
        if not text:
            continue
        sep = gap if k < len(segments) - 1 else ""
        if seg.get("label") == "spam":
            spans.append([pos, pos + len(text) + len(sep), round(float(seg.get("score") or 0.0), 6)])
        parts.append(text + sep)
        pos += len(text) + len(sep)
    text = "".join(parts)
    if spans and text.endswith(gap) and spans[-1][1] > len(text):  # pragma: no cover - defensive
        spans[-1][1] = len(text)
    return text, spans


def attributes(
    spans: list[Span], length: int, row: Mapping[str, Any], *, prefix: str = PREFIX_DEFAULT
) -> dict[str, list[Span]]:
    """The three attributes of one document (see the module docstring)."""
    if row.get("status") != "ok":
        return {f"{prefix}__spam": [], f"{prefix}__spam_score": [], f"{prefix}__spam_page": []}
    return {
        f"{prefix}__spam": spans,
        f"{prefix}__spam_score": [[0, length, round(float(row.get("spam_score") or 0.0), 6)]],
        f"{prefix}__spam_page": [[0, length, round(float(row.get("page_score") or 0.0), 6)]],
    }


def _metadata(row: Mapping[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {"url": row.get("url"), "linkguard_status": row.get("status")}
    if row.get("date"):
        meta["date"] = row["date"]
    if row.get("status") != "ok":
        meta["linkguard_error"] = row.get("error")
    else:
        meta["linkguard_page_label"] = row.get("page_label")
        meta["linkguard_spam_links"] = list(row.get("spam_links") or [])
        meta["linkguard_reasons"] = list(row.get("reasons") or [])
    return meta


def dolma_pair(
    row: Mapping[str, Any], *, source: str = SOURCE_DEFAULT, prefix: str = PREFIX_DEFAULT
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document and its attributes line for one row scored with ``explain`` (it needs ``segments``).

    A row that was not scored (``skipped``/``error``) still gives a document (empty
    text, the reason in ``metadata``), so that the two files line up with the input.
    """
    segments = row.get("segments") or []
    text, spans = text_and_spans(segments) if row.get("status") == "ok" else ("", [])
    doc_id = "" if row.get("id") is None else str(row["id"])
    doc = {"id": doc_id, "text": text, "source": source, "metadata": _metadata(row)}
    if row.get("date"):
        doc["created"] = row["date"]
    attrs = {"id": doc_id, "source": source, "attributes": attributes(spans, len(text), row, prefix=prefix)}
    return doc, attrs


class DolmaWriter:
    """Rows out as a Dolma documents file and its linkguard attributes file.

    ``DIR/documents/NAME.jsonl.gz`` and ``DIR/attributes/PREFIX/NAME.jsonl.gz``:
    the layout the mixer expects (it finds an attribute file by putting
    ``attributes/PREFIX`` in place of ``documents`` in the document path).
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        name: str = "linkguard",
        source: str = SOURCE_DEFAULT,
        prefix: str = PREFIX_DEFAULT,
    ) -> None:
        root = Path(folder)
        self.documents_path = root / "documents" / f"{name}.jsonl.gz"
        self.attributes_path = root / "attributes" / prefix / f"{name}.jsonl.gz"
        self.documents_path.parent.mkdir(parents=True, exist_ok=True)
        self.attributes_path.parent.mkdir(parents=True, exist_ok=True)
        self.source = source
        self.prefix = prefix
        self._docs: IO[str] = gzip.open(self.documents_path, "wt", encoding="utf-8")  # noqa: SIM115
        self._attrs: IO[str] = gzip.open(self.attributes_path, "wt", encoding="utf-8")  # noqa: SIM115

    def write(self, row: Mapping[str, Any]) -> None:
        doc, attrs = dolma_pair(row, source=self.source, prefix=self.prefix)
        self._docs.write(json.dumps(doc, ensure_ascii=False) + "\n")
        self._attrs.write(json.dumps(attrs, ensure_ascii=False) + "\n")

    def close(self) -> None:
        try:
            self._docs.close()
        finally:
            self._attrs.close()


def text_spans(row: Mapping[str, Any]) -> list[Span]:
    """Spans of the spam segments of a text-mode row (``explain``), as offsets into the text that was scored."""
    out: list[Span] = []
    for seg in row.get("segments") or []:
        if seg.get("label") == "spam" and seg.get("start") is not None and seg.get("end") is not None:
            out.append([int(seg["start"]), int(seg["end"]), round(float(seg.get("score") or 0.0), 6)])
    return out


def _read_documents(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    opener: Any = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                doc = json.loads(line)
                if not isinstance(doc, dict):
                    raise ValueError(f"{path}:{n}: not a Dolma document")
                yield doc


def attributes_path_for(documents_path: str | os.PathLike[str], prefix: str = PREFIX_DEFAULT) -> Path:
    """Where the mixer looks for the attributes of a documents file: ``documents`` becomes ``attributes/prefix``."""
    path = Path(documents_path)
    parts = list(path.parts)
    if "documents" not in parts:
        raise ValueError(f"{documents_path}: not under a 'documents' folder; give the attributes path")
    k = len(parts) - 1 - parts[::-1].index("documents")
    return Path(*parts[:k], "attributes", prefix, *parts[k + 1 :])


def tag_documents(
    documents_path: str | os.PathLike[str],
    attributes_path: str | os.PathLike[str] | None = None,
    *,
    prefix: str = PREFIX_DEFAULT,
    batch_size: int = 64,
    **score_options: Any,
) -> Path:
    """Write linkguard's attributes for an existing Dolma documents file; returns the attributes path.

    Each document's ``text`` is scored in text mode (it is plain text already), and the
    spans are offsets into that text, unchanged.  One attributes line per document, in
    order, with the document's ``id`` (and ``source``).  ``score_options`` go to
    :func:`linkguard.score_records` (``config``, ``model``).
    """
    from linkguard._batch import score_records

    out = Path(attributes_path) if attributes_path is not None else attributes_path_for(documents_path, prefix)
    out.parent.mkdir(parents=True, exist_ok=True)
    docs = _read_documents(documents_path)
    pending: list[dict[str, Any]] = []

    def flush(fh: IO[str]) -> None:
        records = (
            {"id": d.get("id"), "url": (d.get("metadata") or {}).get("url"), "html": d.get("text") or ""}
            for d in pending
        )
        rows = score_records(records, mode="text", explain=True, batch_size=batch_size, **score_options)
        for doc, row in zip(pending, rows, strict=True):
            text = doc.get("text") or ""
            spans = text_spans(row) if row.get("status") == "ok" else []
            line = {"id": doc.get("id"), "attributes": attributes(spans, len(text), row, prefix=prefix)}
            if "source" in doc:
                line["source"] = doc["source"]
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        pending.clear()

    opener: Any = gzip.open if out.name.endswith(".gz") else open
    with opener(out, "wt", encoding="utf-8") as fh:
        for doc in docs:
            pending.append(doc)
            if len(pending) >= batch_size:
                flush(fh)
        flush(fh)
    return out


def remove_spans(text: str, spans: Iterable[Sequence[Any]], *, min_score: float = 0.0, replacement: str = "") -> str:
    """``text`` with the spans scored at least ``min_score`` replaced, as the mixer's ``span_replacement``
    does (for checking a configuration, or for pipelines without the mixer); overlapping spans merge."""
    keep = sorted((int(s[0]), int(s[1])) for s in spans if float(s[2]) >= min_score)
    out: list[str] = []
    pos = 0
    for start, end in keep:
        start = max(start, pos)
        if end <= start:
            continue
        out.append(text[pos:start])
        out.append(replacement.replace("{}", text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


__all__ = [
    "PREFIX_DEFAULT",
    "DolmaWriter",
    "attributes",
    "attributes_path_for",
    "dolma_pair",
    "remove_spans",
    "tag_documents",
    "text_and_spans",
    "text_spans",
]
