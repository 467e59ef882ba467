"""The text model's reading of URLs: words of host and path, the same in the compiled and pure paths."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard import _compiled, _links
from linkguard._features import LINK_FEATURE_NAMES, features_and_links
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
    X, pidx, _, tables = features_and_links([page], [url], model.text)
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
