"""The text model's reading of URLs: words of host and path, the same in the compiled and pure paths."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard import _compiled, _links
from linkguard._features import FEATURE_NAMES, LINK_FEATURE_NAMES, features_and_links
from linkguard._model import default_model
from linkguard._native import segment_html
from linkguard._textmodel import TextModel, read_urls, score_texts, url_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("https://www.youtube.com/watch?v=hhabypjwmyk", "youtube watch v hhabypjwmyk"),
        ("see http://www.msnbc.msn.com/id/10903211/.", "see msnbc msn id ."),
        ("http://203.0.113.5/slot-gacor", "slot gacor"),
        ("https://slotgacor88.com/", "slotgacor88"),
        ("(www.example.co.uk/a_b-c)", "( example co a b c )"),
        ("https://ja.wikipedia.org/wiki/%E3%82%A6%E3%83%A9%E3%83%B3", "ja wikipedia wiki ウラン"),
        ("https://cdn.example/x/a3f9c2e1d4/logo", "cdn x logo"),
        ("http://localhost/", "localhost"),
        ("http://cafe/menu", "cafe menu"),  # a single-label name of hex letters is a name, not an address
        ("http://[2001:db8::1]/slot-gacor", "slot gacor"),
        ("http://[::ffff:203.0.113.5]/togel", "togel"),
        ("plain text, no link", "plain text, no link"),
    ],
)
def test_a_url_reads_as_the_words_of_its_host_and_path(text: str, words: str) -> None:
    assert " ".join(url_words(text).split()) == words


def test_a_model_reads_urls_as_it_was_fitted_and_says_so_in_its_file() -> None:
    rng = np.random.default_rng(3)
    weights = rng.standard_normal(2**10).astype(np.float32)
    raw = TextModel(weights, 0.5, (2, 3))
    words = raw._replace(urls="words")
    assert "urls" not in raw.to_dict() and words.to_dict()["urls"] == "words"
    assert TextModel.from_dict(words.to_dict()).urls == "words"
    assert TextModel.from_dict(raw.to_dict()).urls == "raw"  # files from before keep their reading
    text = ["visit https://www.youtube.com/watch?v=abc now"]
    assert words.scores(text)[0] == raw.scores(read_urls(text, "words"))[0]
    assert words.scores(text)[0] != raw.scores(text)[0]
    bad = words.to_dict() | {"urls": "letters"}
    with pytest.raises(ValueError, match="urls"):
        TextModel.from_dict(bad)


_PIECES = st.sampled_from(
    ["http://", "https://", "www.", "a", "b", "1", "/", ".", ":", "-", "_", "?", "=", "%", "é", " "]
)
_TEXTS = st.lists(_PIECES, max_size=30).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(_TEXTS, min_size=1, max_size=5))
def test_compiled_and_pure_scores_agree_when_urls_are_read_as_words(texts: list[str]) -> None:
    weights = np.random.default_rng(7).standard_normal(2**12).astype(np.float32)
    model = TextModel(weights, -0.25, (2, 3, 4), "words")
    if _compiled.core is None:
        pytest.skip("no compiled core: score_texts is model.scores")
    assert np.allclose(score_texts(model, texts), model.scores(texts), atol=1e-5)


def test_a_link_model_fitted_on_url_words_reads_url_anchors_as_words(monkeypatch: pytest.MonkeyPatch) -> None:
    model = default_model()
    assert model.text is not None and model.link is not None
    url = "https://blog.example/post"
    html = "<html><body><p>Great talk, see https://www.youtube.com/watch?v=abc for the video.</p></body></html>"
    page = segment_html(html)
    found = features_and_links([page], [url], model.text)
    X, pidx, tables = found.X, found.pidx, found.tables
    proba = np.zeros(len(X), dtype=np.float32)
    col = LINK_FEATURE_NAMES.index("anchor_text_score")
    raw, _ = _links.link_features([page], [url], X, pidx, proba, model.text, tables)
    words, _ = _links.link_features([page], [url], X, pidx, proba, model.text, tables, "words")
    anchor = tables[0].anchors[0].lower()
    assert raw[0, col] == pytest.approx(float(model.text.scores([anchor])[0]), abs=1e-4)
    assert words[0, col] == pytest.approx(float(model.text.scores([url_words(anchor)])[0]), abs=1e-4)
    assert words[0, col] < raw[0, col]
    # The link model's metadata picks the reading its verdicts use.
    readings: list[str] = []
    real = _links.link_features

    def spy(*args: Any, **kwargs: Any) -> Any:
        readings.append(args[7] if len(args) > 7 else kwargs.get("anchor_urls", "raw"))
        return real(*args, **kwargs)

    monkeypatch.setattr(_links, "link_features", spy)
    _links.link_verdicts([page], [url], X, pidx, proba, [np.zeros(len(X), dtype=bool)], model)
    monkeypatch.setattr(model.link, "metadata", {**model.link.metadata, "anchor_urls": "words"})
    _links.link_verdicts([page], [url], X, pidx, proba, [np.zeros(len(X), dtype=bool)], model)
    assert readings == ["raw", "words"]


FEATURE_NAMES_INDEX = {n: i for i, n in enumerate(FEATURE_NAMES)}


def _page_scan_parts(model: Any) -> tuple[Any, ...]:
    url = "https://news.example/a"
    html = (
        "<html><head><title>Town news</title></head><body><nav><a href='/'>Home</a></nav>"
        "<p>The council met on Monday to discuss the new bridge over the river.</p>"
        "<p>Slot gacor hari ini, daftar sekarang dan dapatkan bonus deposit.</p></body></html>"
    )
    page = segment_html(html)
    found = features_and_links([page], [url], model.text)
    X, pidx, texts = found.X, found.pidx, found.texts
    return page, url, X, pidx, texts


def test_the_page_model_reads_segment_texts_with_its_own_text_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from linkguard import _page
    from linkguard._model import SegmentModel

    model = SegmentModel.from_dict(default_model().to_dict())
    assert model.page is not None
    weights = np.random.default_rng(5).standard_normal(2**10).astype(np.float16).astype(np.float32)  # as stored
    own = TextModel(weights, 0.5, (2, 3))
    model.page.text = own
    # It travels inside the page model's record of the model file.
    again = SegmentModel.from_dict(model.to_dict())
    assert again.page is not None and again.page.text is not None
    assert np.array_equal(again.page.text.weights, own.weights) and again.page.text.bias == own.bias
    page, url, X, pidx, texts = _page_scan_parts(model)
    assert len(texts) == len(X) > 1
    seen: list[Any] = []
    real = _page.page_features

    def spy(*args: Any) -> Any:
        seen.append(args[8] if len(args) > 8 else None)
        return real(*args)

    monkeypatch.setattr(_page, "page_features", spy)
    proba = np.zeros(len(X), dtype=np.float32)
    _page.page_verdicts([page], [url], X, pidx, proba, 0.5, [False], model, texts)
    _page.page_verdicts([page], [url], X, pidx, proba, 0.5, [False], model)  # no texts: no own scores
    plain = SegmentModel.from_dict(default_model().to_dict())  # a page model without a text model
    _page.page_verdicts([page], [url], X, pidx, proba, 0.5, [False], plain, texts)
    assert np.allclose(seen[0], own.scores(texts), atol=1e-5)
    assert seen[1] is None and seen[2] is None


def test_page_text_columns_are_char_weighted_means_of_the_own_scores() -> None:
    from linkguard._features import PAGE_FEATURE_NAMES
    from linkguard._page import PageMeta, page_features

    model = default_model()
    _, url, X, pidx, _ = _page_scan_parts(model)
    proba = np.zeros(len(X), dtype=np.float32)
    own = np.linspace(-2.0, 3.0, len(X)).astype(np.float32)
    args = (["html"], [PageMeta()], [url], X, pidx, proba, 0.5, model.text)
    with_own = page_features(*args, own)[0]
    without = page_features(*args)[0]
    col = {n: i for i, n in enumerate(PAGE_FEATURE_NAMES)}
    chars = np.expm1(X[:, FEATURE_NAMES_INDEX["log_chars"]])
    assert with_own[col["page_text_mean"]] == pytest.approx(float((own * chars).sum() / chars.sum()), rel=1e-4)
    assert with_own[col["page_text_share"]] == pytest.approx(float(chars[own > 0].sum() / chars.sum()), rel=1e-4)
    for name in ("page_text_mean", "page_text_main", "page_text_share"):
        assert without[col[name]] == 0.0
    rest = [i for n, i in col.items() if not n.startswith("page_text_")]
    assert np.array_equal(with_own[rest], without[rest])


def test_a_page_model_carries_its_own_bar_on_the_highest_segment_score() -> None:
    """Older page models (no ``min_segment_score``) keep the 0.5 bar; a page model that records
    another bar is held to it, and a malformed value falls back to the default."""
    from linkguard._features import PAGE_FEATURE_NAMES
    from linkguard._model import SegmentModel
    from linkguard._page import MIN_SEGMENT_SCORE, is_spam_page, min_segment_score

    P = np.zeros((3, len(PAGE_FEATURE_NAMES)), dtype=np.float32)
    P[:, PAGE_FEATURE_NAMES.index("max_score")] = [0.1, 0.3, 0.9]
    scores = np.asarray([0.95, 0.95, 0.95])
    assert is_spam_page(P, scores, 0.9).tolist() == [False, False, True]
    assert is_spam_page(P, scores, 0.9, 0.0).tolist() == [True, True, True]
    assert is_spam_page(P, scores, 0.9, 0.25).tolist() == [False, True, True]
    model = SegmentModel.from_dict(default_model().to_dict())
    assert model.page is not None
    model.page.metadata = {k: v for k, v in model.page.metadata.items() if k != "min_segment_score"}
    assert min_segment_score(model.page) == MIN_SEGMENT_SCORE
    for bar, read in ((0.0, 0.0), (0.25, 0.25), (2.0, MIN_SEGMENT_SCORE), ("low", MIN_SEGMENT_SCORE)):
        model.page.metadata = {**model.page.metadata, "min_segment_score": bar}
        again = SegmentModel.from_dict(model.to_dict())  # the bar travels in the model file
        assert min_segment_score(again.page) == read


def test_a_spam_topic_in_the_pages_own_host_name_stands_in_for_the_segment_bar() -> None:
    """A page model that names ``url_host_terms`` as a waiver calls a prose spam page on such a
    host a spam page with no segment over the bar; older models (no ``bar_waivers``) do not, and
    only known page features can be named."""
    import linkguard
    from linkguard._features import PAGE_FEATURE_NAMES
    from linkguard._model import SegmentModel
    from linkguard._page import bar_waivers, is_spam_page

    P = np.zeros((3, len(PAGE_FEATURE_NAMES)), dtype=np.float32)
    P[:, PAGE_FEATURE_NAMES.index("max_score")] = [0.1, 0.1, 0.9]
    P[:, PAGE_FEATURE_NAMES.index("url_host_terms")] = [0.0, 1.0, 0.0]
    scores = np.asarray([0.95, 0.95, 0.95])
    assert is_spam_page(P, scores, 0.9).tolist() == [False, False, True]
    assert is_spam_page(P, scores, 0.9, waivers=("url_host_terms",)).tolist() == [False, True, True]
    assert is_spam_page(P, scores * 0.5, 0.9, waivers=("url_host_terms",)).tolist() == [False, False, False]

    model = SegmentModel.from_dict(default_model().to_dict())
    assert model.page is not None and bar_waivers(model.page) == ("url_host_terms",)  # the bundled model
    for value, read in ((["url_host_terms", "max_score"], ("url_host_terms",)), ("url_host_terms", ()), (None, ())):
        model.page.metadata = {**model.page.metadata, "bar_waivers": value}
        assert bar_waivers(SegmentModel.from_dict(model.to_dict()).page) == read
    model.page.metadata = {k: v for k, v in model.page.metadata.items() if k != "bar_waivers"}
    older = SegmentModel.from_dict(model.to_dict())
    assert bar_waivers(older.page) == ()

    # Through scan(): every page over the threshold, no segment over the bar; only the host name differs.
    prose = "<html><body><article>" + "<p>Book a companion for the evening, discreet and available.</p>" * 6
    prose += "</article></body></html>"
    model.page.threshold = 0.0
    named, other = "https://luxuryescortlahore.pk/evening", "https://www.example-news.pk/evening"
    for waivers, expect in ((["url_host_terms"], ("spam_page", "clean")), ([], ("clean", "clean"))):
        model.page.metadata = {**model.page.metadata, "min_segment_score": 1.0, "bar_waivers": waivers}
        labels = tuple(linkguard.scan(prose, url=u, model=model).page_label for u in (named, other))
        assert labels == expect


def test_a_page_model_reads_the_host_fragments_it_was_fitted_on() -> None:
    """``url_host_terms`` reads a page's own host for the link-target fragments unless the page
    model records ``"page"``, which adds the fragments of spam pages' hosts; older models (none
    recorded) and unknown values read the link-target ones."""
    import linkguard
    from linkguard._model import SegmentModel
    from linkguard._page import url_host_terms

    model = SegmentModel.from_dict(default_model().to_dict())
    assert model.page is not None
    prose = "<html><body><article>" + "<p>Book a companion for the evening, discreet and available.</p>" * 6
    prose += "</article></body></html>"
    model.page.threshold = 1e-6
    named = "https://premiumlahorecallgirls.pk/evening"  # "callgirl": a spam page's host only
    for value, read, expect in (("page", "page", "spam_page"), ("links", "links", "clean"), ("x", "links", "clean")):
        model.page.metadata = {**model.page.metadata, "min_segment_score": 1.0, "url_host_terms": value}
        again = SegmentModel.from_dict(model.to_dict())  # the choice travels in the model file
        assert again.page is not None and url_host_terms(again.page) == read
        assert linkguard.scan(prose, url=named, model=again).page_label == expect
    model.page.metadata = {k: v for k, v in model.page.metadata.items() if k != "url_host_terms"}
    assert url_host_terms(SegmentModel.from_dict(model.to_dict()).page) == "links"


def test_a_page_score_over_the_bar_free_score_needs_no_segment_over_the_bar() -> None:
    """A page model that records ``bar_free_score`` calls a page scoring that much a spam page
    whatever its segments score; under it the bar holds; older models (none recorded) and
    malformed values keep the bar for every score."""
    import linkguard
    from linkguard._features import PAGE_FEATURE_NAMES
    from linkguard._model import SegmentModel
    from linkguard._page import bar_free_score, is_spam_page

    P = np.zeros((4, len(PAGE_FEATURE_NAMES)), dtype=np.float32)
    P[:, PAGE_FEATURE_NAMES.index("max_score")] = [0.1, 0.1, 0.9, 0.1]
    scores = np.asarray([0.92, 0.97, 0.92, 0.5])
    assert is_spam_page(P, scores, 0.9).tolist() == [False, False, True, False]
    assert is_spam_page(P, scores, 0.9, bar_free=0.95).tolist() == [False, True, True, False]
    # The bar-free score never lowers the threshold itself.
    assert is_spam_page(P, scores, 0.9, bar_free=0.4).tolist() == [True, True, True, False]

    model = SegmentModel.from_dict(default_model().to_dict())
    assert model.page is not None
    for value, read in ((0.95, 0.95), (1, 1.0), (1.5, None), (True, None), ("high", None), (None, None)):
        model.page.metadata = {**model.page.metadata, "bar_free_score": value}
        assert bar_free_score(SegmentModel.from_dict(model.to_dict()).page) == read
    model.page.metadata = {k: v for k, v in model.page.metadata.items() if k != "bar_free_score"}
    assert bar_free_score(SegmentModel.from_dict(model.to_dict()).page) is None

    # Through scan(): a prose page with no segment over a bar of 1.0 and a page score of 1 at most.
    prose = "<html><body><article>" + "<p>Book a companion for the evening, discreet and available.</p>" * 6
    prose += "</article></body></html>"
    model.page.threshold = 0.0
    url = "https://www.example-news.pk/evening"
    for free, expect in ((0.0, "spam_page"), (None, "clean")):
        model.page.metadata = {**model.page.metadata, "min_segment_score": 1.0, "bar_waivers": []}
        if free is not None:
            model.page.metadata["bar_free_score"] = free
        else:
            model.page.metadata.pop("bar_free_score", None)
        assert linkguard.scan(prose, url=url, model=model).page_label == expect
