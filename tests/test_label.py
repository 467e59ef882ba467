"""The second pass: segments their planted links carry into spam."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

import linkguard
from linkguard._label import CARRIED, CARRY_SCORE, RUN_FLOOR, carried_by_links, revise
from linkguard._segment import RawSegment


def test_a_segment_whose_only_link_is_planted_is_carried() -> None:
    got = carried_by_links(np.array([1]), np.array([True]), np.array([0.1, 0.6, 0.2]))
    assert got.tolist() == [False, True, False]


def test_a_row_of_real_links_with_one_planted_link_stays_content() -> None:
    segments = np.zeros(10, dtype=np.int64)
    planted = np.zeros(10, dtype=bool)
    planted[3] = True
    assert not carried_by_links(segments, planted, np.array([0.9])).any()
    # Half of the links planted is enough.
    planted[:5] = True
    assert carried_by_links(segments, planted, np.array([0.9])).tolist() == [True]


def test_a_segment_the_segment_model_found_nothing_in_is_not_carried() -> None:
    assert not carried_by_links(np.array([0]), np.array([True]), np.array([CARRY_SCORE - 0.01])).any()
    assert carried_by_links(np.array([0]), np.array([True]), np.array([CARRY_SCORE])).all()


def test_no_planted_link_carries_nothing() -> None:
    assert not carried_by_links(np.array([0, 1]), np.array([False, False]), np.array([0.9, 0.9])).any()
    assert carried_by_links(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), np.zeros(0)).shape == (0,)


@pytest.mark.corpus
def test_carried_segments_on_a_real_injected_forum_page(corpus_dir: Path) -> None:
    """A forum thread with casino links spliced into replies: every carried reply is spam at the
    threshold or above, says why last, and most of its links are planted."""
    path = "wcxb/0548.html.gz"
    with (corpus_dir / "manifest.jsonl").open(encoding="utf-8") as fh:
        url = next(json.loads(line)["url"] for line in fh if json.loads(line)["path"] == path)
    with gzip.open(corpus_dir / path) as fh:
        report = linkguard.scan(fh.read(), url=url)
    carried = [s for s in report.segments if CARRIED in s.reasons]
    assert carried
    links = report.links
    assert report.threshold is not None
    for seg in carried:
        assert seg.is_spam and seg.score >= report.threshold
        assert seg.reasons[-1] == CARRIED
        own = [link for link in links if link.segment == seg.index]
        assert 2 * sum(link.is_spam for link in own) >= len(own) > 0
    assert report.page_label == "injected"


def _lines(*texts: str) -> list[RawSegment]:
    return [RawSegment(text=t, links=[]) for t in texts]


def test_a_run_of_short_lines_after_spam_is_pulled_in_when_each_line_has_some_evidence() -> None:
    segments = _lines("slot gacor links", "viartoto", "123indo", "situs toto")
    spam = np.array([True, False, False, False])
    scores = np.array([0.99, RUN_FLOOR, 0.3, 0.2])
    assert revise(segments, spam, scores).tolist() == [False, True, True, True]
    wedged = _lines("slot gacor links", "viartoto", "more spam links")
    assert revise(wedged, np.array([True, False, True]), np.array([0.99, 0.2, 0.99])).tolist() == [False, True, False]


def test_a_menu_after_a_flagged_segment_is_not_an_injected_tail() -> None:
    """One line the model finds nothing in (a menu entry) keeps the whole run out."""
    segments = _lines("http://news.example/story", "Anime", "Audio", "About")
    spam = np.array([True, False, False, False])
    scores = np.array([0.97, 0.2, RUN_FLOOR - 0.001, 0.3])
    assert not revise(segments, spam, scores).any()
