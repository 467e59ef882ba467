"""Hypothesis properties of scan, strip and score_records over any input, for any model.

The bundled model changes with training, so each property runs with it and with
stub models (all spam, all content, pseudo-random) that exercise every strip path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import MODELS, any_bytes, any_page, any_text, clean_of, html_pages, records, squash, visible

import linkguard
from linkguard import ROW_FIELDS, Config, InputError

_MODEL_NAMES = ["bundled", *MODELS]


def _model(name: str) -> Any:
    return None if name == "bundled" else MODELS[name]


def _check_report(report: linkguard.Report) -> None:
    assert report.mode in ("html", "text")
    for i, seg in enumerate(report.segments):
        assert seg.label in ("content", "spam")
        assert 0.0 <= seg.score <= 1.0
        assert seg.index == i
        assert isinstance(seg.text, str) and isinstance(seg.links, tuple)
        assert (seg.label == "content") == (not seg.reasons) or seg.label == "spam"
    assert 0.0 <= report.spam_score <= 1.0
    assert report.truncated == (report.truncated_reason is not None)
    report.to_dict()
    assert isinstance(report.clean_text(), str)


@pytest.mark.parametrize("model", _MODEL_NAMES)
@given(page=any_page, mode=st.sampled_from(["auto", "html", "text"]))
def test_scan_any_input(model: str, page: str | bytes, mode: str) -> None:
    report = linkguard.scan(page, mode=mode, model=_model(model))  # type: ignore[arg-type]
    _check_report(report)
    clean_of(report)


@given(page=any_page, cap=st.integers(1, 300))
def test_caps_truncate_not_fail(page: str | bytes, cap: int) -> None:
    cfg = Config(max_bytes=cap, max_nodes=cap, max_links=max(1, cap // 10))
    report = linkguard.scan(page, config=cfg)
    _check_report(report)
    if len(page) > cap:
        assert report.truncated and report.truncated_reason


@pytest.mark.parametrize("model", _MODEL_NAMES)
@given(text=any_text)
def test_strip_text_never_longer(model: str, text: str) -> None:
    report = linkguard.scan(text, mode="text", model=_model(model))
    clean = clean_of(report)
    if clean is None:
        return
    assert len(clean) <= len(text)
    for seg in report.segments:  # content lines survive, spam lines are gone
        if seg.label == "content":
            assert seg.text in " ".join(clean.split())


@given(data=any_bytes)
def test_strip_bytes_text_mode_never_longer_than_decoded(data: bytes) -> None:
    report = linkguard.scan(data, mode="text", model=MODELS["mixed"])  # type: ignore[arg-type]
    assert report._text is not None
    assert len(report.clean_html()) <= len(report._text)


@pytest.mark.parametrize("model", _MODEL_NAMES)
@given(page=html_pages())
def test_strip_html_keeps_every_content_segment(model: str, page: str) -> None:
    report = linkguard.scan(page, mode="html", model=_model(model))
    clean = clean_of(report)
    if clean is None:
        return
    if not report.is_spam:
        assert report._text is not None
        assert clean == report._text  # the input, after NUL/surrogate replacement
    kept = visible(clean)
    for seg in report.segments:
        if seg.label == "content":
            assert squash(seg.text) in kept, (seg, clean[:500])


@given(page=html_pages())
def test_strip_html_all_content_is_identity_and_all_spam_is_short(page: str) -> None:
    kept = linkguard.scan(page, mode="html", model=MODELS["all_content"])  # type: ignore[arg-type]
    assert kept._text is not None and kept.clean_html() == kept._text
    report = linkguard.scan(page, mode="html", model=MODELS["all_spam"])  # type: ignore[arg-type]
    clean = report.clean_html()
    # Serialisation normalises markup (``<p><div>`` gains ``</p>``, ``&`` becomes ``&amp;``),
    # so HTML strip is not strictly shorter; it must stay within a small factor (no runaway).
    assert len(clean) <= 3 * len(page) + 64, (page, clean)


@pytest.mark.parametrize(
    "page",
    [
        "<p>spam</p>",
        "<a href='http://x.com'>spam</a>",
        "spam",
        "<div>" * 50 + "spam",
        "<title>t</title><p>spam</p>",
        "<ul><li>a<li>b</ul>",
        "<p>keep</p><div><a href=http://x.com>spam",
    ],
)
def test_strip_html_small_inputs_never_longer(page: str) -> None:
    """No wrappers the input lacked, no implied end tags at the end: tiny pages do not grow."""
    for model in MODELS.values():
        clean = linkguard.scan(page, mode="html", model=model).clean_html()  # type: ignore[arg-type]
        assert len(clean) <= len(page), (page, clean)


@given(page=html_pages())
def test_strip_public_function(page: str) -> None:
    try:
        out = linkguard.strip(page)
    except linkguard.SpamPageError:
        assert linkguard.scan(page).page_label == "spam_page"
    else:
        assert isinstance(out, str)


@pytest.mark.parametrize("model", ["bundled", "mixed"])
@given(recs=records, batch=st.integers(1, 5), strip=st.booleans())
def test_score_records_one_row_per_record(model: str, recs: list[Any], batch: int, strip: bool) -> None:
    rows = list(linkguard.score_records(recs, batch_size=batch, strip=strip, model=_model(model)))
    assert len(rows) == len(recs)
    for rec, row in zip(recs, rows, strict=True):
        assert set(ROW_FIELDS) <= set(row)
        assert row["status"] in ("ok", "skipped", "error")
        if isinstance(rec, dict) and "id" in rec:
            assert row["id"] == rec["id"]
        if row["status"] == "ok":
            score, n_spam, n_segments = row["spam_score"], row["n_spam_segments"], row["n_segments"]
            assert score is not None and n_spam is not None and n_segments is not None
            assert 0.0 <= score <= 1.0
            assert n_spam <= n_segments
        else:
            assert isinstance(row["error"], str)


def test_score_records_generator_input_and_bad_records() -> None:
    def gen() -> Iterator[Any]:  # a non-mapping among the records on purpose
        yield {"id": 1, "html": "<p>ok</p>"}
        yield "not a mapping"
        yield {"id": 3}
        yield {"id": 4, "html": 12}
        yield {"id": 5, "html": b"\xff\xfe\x00\xd8" * 10, "encoding": "nope"}
        yield {"id": 6, "html": "<p>x</p>", "mode": "pdf"}
        yield {"id": 7, "html": "<p>" + "big " * 300_000 + "</p>"}

    rows = list(linkguard.score_records(gen(), batch_size=3, config=Config(max_bytes=100_000)))
    assert [r["id"] for r in rows] == [1, None, 3, 4, 5, 6, 7]
    assert [r["status"] for r in rows] == ["ok", "error", "skipped", "error", "ok", "error", "ok"]
    assert rows[-1]["truncated"] is True


def test_scan_many_rejects_bad_item_with_input_error() -> None:
    with pytest.raises(InputError):
        list(linkguard.scan_many(["<p>a</p>", 5]))  # type: ignore[list-item]
