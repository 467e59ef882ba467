"""Reports build their segments and links on first access; what they say must not depend on when."""

from __future__ import annotations

import pickle

import pytest

import linkguard
from linkguard._report import SegmentVerdicts
from linkguard._segment import NODE_FIELDS

PAGE = """<html><body><article><h1>Harbour news</h1>
<p>The council met on Tuesday to discuss the new harbour wall and the budget for next year.</p>
<p>Residents asked for more parking near the ferry terminal and a later bus on Sundays.</p>
<a href="/about">About us</a> <a href="https://example.org/contact">Contact</a>
</article>
<div style="display:none"><a href="http://203.0.113.7/slot">slot gacor hari ini</a>
<a href="http://198.51.100.9/togel">togel online terpercaya</a>
<a href="https://situs-slot88.com/">situs slot88 maxwin</a></div>
</body></html>"""


CLEAN = PAGE.split('<div style="display:none">')[0] + "</body></html>"


def _public(report: linkguard.Report) -> dict[str, object]:
    return report.to_dict()


@pytest.mark.parametrize(("page", "prescreen"), [(PAGE, False), (PAGE, True), (CLEAN, False), (CLEAN, True)])
def test_lazy_and_built_reports_say_the_same(page: str, prescreen: bool) -> None:
    config = linkguard.Config(prescreen=prescreen)
    lazy = linkguard.scan(page, "https://harbour.example.com/news", config=config)
    assert not lazy._segments._built
    # What a crawl filter reads comes from the arrays, before any segment object exists ...
    quick = (lazy.is_spam, lazy.spam_score, lazy.n_segments, lazy.spam_links, lazy.reasons, lazy.injected_links)
    spam_first = lazy.spam_segments
    assert set(lazy._segments._built) == {s.index for s in spam_first}  # no content segment built
    # ... and equals what the built objects say.
    built = linkguard.scan(page, "https://harbour.example.com/news", config=config)
    segments = built.segments
    assert len(built._segments._built) == built.n_segments
    assert quick == (
        built.is_spam,
        built.spam_score,
        len(segments),
        built.spam_links,
        built.reasons,
        built.injected_links,
    )
    assert spam_first == tuple(s for s in segments if s.is_spam)
    assert lazy == built and _public(lazy) == _public(built)
    assert lazy.clean_text() == built.clean_text()
    assert lazy.is_spam == (page is PAGE) and bool(lazy.injected_links) == (page is PAGE)
    assert lazy.prescreened == (prescreen and page is CLEAN)
    assert len(lazy.links) == (5 if page is PAGE else 2)


def test_a_lazy_report_pickles_without_the_parse_tree() -> None:
    report = linkguard.scan(PAGE, "https://harbour.example.com/news")
    raw = report._segments
    assert isinstance(raw, SegmentVerdicts)
    assert all(getattr(seg, name) is None for seg in raw.raw for name in NODE_FIELDS)
    again = pickle.loads(pickle.dumps(report))
    assert again == report and again.segments == report.segments and again.links == report.links
    assert again.clean_html() == report.clean_html()
