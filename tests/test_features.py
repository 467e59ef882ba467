from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard._features import FEATURE_NAMES, page_features
from linkguard._segment import segment_html, segment_text

IDX = {n: i for i, n in enumerate(FEATURE_NAMES)}


def _features(html: str, url: str | None = "https://news.example.org/a") -> np.ndarray:
    X, pidx, _ = page_features([segment_html(html)], [url])
    assert X.shape[1] == len(FEATURE_NAMES) and X.dtype == np.float32
    assert (pidx == 0).all()
    return X


def test_names_are_unique() -> None:
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)


def test_raw_ip_and_offsite() -> None:
    X = _features(
        "<p><a href='http://103.49.239.135/'>a</a> <a href='https://www.markas303.ac.id/'>b</a>"
        " <a href='/local'>c</a></p>"
    )
    row = X[0]
    assert row[IDX["log_raw_ip"]] > 0
    assert np.isclose(row[IDX["raw_ip_share"]], 1 / 3)
    assert np.isclose(row[IDX["offsite_share"]], 2 / 3)
    assert np.isclose(row[IDX["institutional_share"]], 0.5)
    assert np.isclose(row[IDX["root_link_share"]], 1.0)


def test_same_site_links_are_not_offsite() -> None:
    X = _features("<p><a href='https://www.example.org/x'>x</a></p>", url="https://example.org/")
    assert X[0, IDX["offsite_share"]] == 0


def test_page_domain_guessed_without_url() -> None:
    links = "".join(f"<a href='https://site.org/p{i}'>p</a>" for i in range(5))
    X = _features(f"<div>{links}</div><p><a href='https://other.com/'>o</a></p>", url=None)
    assert X[0, IDX["offsite_share"]] == 0
    assert X[1, IDX["offsite_share"]] == 1


def test_terms_in_links_and_hidden() -> None:
    X = _features('<div style="display:none"><a href="https://slot-gacor.example/">slot gacor</a></div>')
    assert X[0, IDX["terms_gambling_id"]] > 0
    assert X[0, IDX["log_terms_in_links"]] > 0
    assert X[0, IDX["hidden"]] == 1
    assert X[0, IDX["hidden_x_offsite_links"]] > 0


def test_script_mismatch_and_neighbours() -> None:
    text = "An English paragraph about the news of the day, long enough to set the script.\n激安通販\n"
    X, _, _ = page_features([segment_text(text)], [None])
    assert X[1, IDX["script_mismatch"]] == 1
    assert X[0, IDX["script_mismatch"]] == 0
    assert X[0, IDX["text_mode"]] == 1


def test_batch_equals_single() -> None:
    pages = [segment_html("<p>a <a href='http://1.2.3.4/'>x</a></p>"), segment_text("hello\nworld")]
    X, pidx, _ = page_features(pages, [None, None])
    X0, _, _ = page_features([segment_html("<p>a <a href='http://1.2.3.4/'>x</a></p>")], [None])
    assert np.array_equal(X[pidx == 0], X0)


def test_code_blocks_and_captions() -> None:
    html = (
        "<article><p>Set the proxy like this:</p>"
        '<pre class="highlight"><code>GOPROXY="https://proxy.example.com"</code></pre>'
        '<figure><img src="a.jpg"><figcaption>cc zuk0 <a href="https://flic.kr/p/s9X187">flickr</a>'
        "</figcaption></figure><table><caption>Rates</caption><tr><td>1</td></tr></table>"
        "<p>The prefix of a tag is not the tag: <span>preface</span></p>"
        '<div class="pre"><p id="caption">not a caption</p></div></article>'
    )
    page = segment_html(html)
    X, _, _ = page_features([page], ["https://news.example.org/a"])
    by_text = {s.text[:12]: X[i] for i, s in enumerate(page.segments)}
    assert by_text['GOPROXY="htt'][IDX["in_code"]] == 1
    assert by_text["cc zuk0 flic"][IDX["in_caption"]] == 1
    assert by_text["Rates"][IDX["in_caption"]] == 1
    for text in ("Set the prox", "The prefix o", "not a captio"):
        assert by_text[text][IDX["in_code"]] == 0 and by_text[text][IDX["in_caption"]] == 0, text
    # Text mode has no blocks.
    Xt, _, _ = page_features([segment_text('GOPROXY="https://proxy.example.com"\n')], [None])
    assert Xt[0, IDX["in_code"]] == 0 and Xt[0, IDX["in_caption"]] == 0


def _contrast_rows(scores: list[float], chars: list[float], main: list[bool]) -> np.ndarray:
    X = np.zeros((len(scores), len(FEATURE_NAMES)), dtype=np.float32)
    X[:, IDX["text_score"]] = scores
    X[:, IDX["log_chars"]] = np.log1p(chars)
    X[:, IDX["in_main_text"]] = main
    return X


def test_text_contrast_is_the_score_against_the_rest_of_the_main_text() -> None:
    from linkguard._features import text_contrast

    # Two article paragraphs (main text), a footer line, an injected block inside the main text.
    scores, chars = [-6.0, -4.0, -2.0, 5.0], [300.0, 100.0, 50.0, 200.0]
    X = _contrast_rows(scores, chars, [True, True, False, True])
    got = text_contrast(X, np.zeros(4, dtype=np.int64))
    for i in range(4):
        others = [j for j in (0, 1, 3) if j != i]
        mean = sum(scores[j] * chars[j] for j in others) / sum(chars[j] for j in others)
        assert abs(float(got[i]) - (scores[i] - mean)) < 1e-4
    assert got[3] > 9  # the block reads far more spam-like than the article around it


def test_text_contrast_falls_back_to_the_page_and_to_zero() -> None:
    from linkguard._features import text_contrast

    # No main text: the rest of the page; one segment alone: nothing to contrast with.
    X = _contrast_rows([1.0, -3.0, 0.5], [100, 100, 1], [False, False, False])
    got = text_contrast(X, np.asarray([0, 0, 1]))
    assert np.allclose(got[:2], [4.0, -4.0]) and got[2] == 0.0
    # The only main-text segment is judged against the rest of the page.
    X = _contrast_rows([2.0, -2.0], [100, 300], [True, False])
    assert np.allclose(text_contrast(X, np.asarray([0, 0])), [4.0, -4.0])
    assert text_contrast(np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32), np.zeros(0, dtype=np.int64)).shape == (0,)


def test_text_contrast_reads_each_page_alone() -> None:
    from linkguard._features import text_contrast

    a = _contrast_rows([-5.0, 3.0], [200, 100], [True, True])
    b = _contrast_rows([4.0, 4.5, -1.0], [100, 100, 100], [True, True, False])
    both = text_contrast(np.vstack([a, b]), np.asarray([0, 0, 1, 1, 1]))
    assert np.allclose(both[:2], text_contrast(a, np.zeros(2, dtype=np.int64)))
    assert np.allclose(both[2:], text_contrast(b, np.zeros(3, dtype=np.int64)))


def test_an_injected_block_contrasts_with_its_article() -> None:
    """With the bundled text model, a pharmacy block in a cooking article reads unlike it."""
    from linkguard._features import features_and_links
    from linkguard._model import default_model

    article = (
        "<p>Slow-roasted tomatoes keep for a week in the fridge and lift any pasta sauce. Halve them,"
        " salt them lightly and leave them cut side up on a tray for an hour.</p>"
        "<p>Roast at a low heat until the edges wrinkle, then cover with olive oil and a few sprigs of"
        " thyme. A spoonful on toast makes a quick lunch.</p>"
    )
    spam = (
        "<div><a href='https://pills.example.com/'>buy cheap viagra online no prescription</a>"
        " <a href='https://pills.example.com/c'>cialis generic overnight delivery</a></div>"
    )
    fx = features_and_links([segment_html(article + spam)], ["https://food.example.org/tomatoes"], default_model().text)
    contrast = fx.X[:, IDX["text_contrast"]]
    assert contrast[-1] > 5 and contrast[-1] == contrast.max()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.floats(-20, 20, allow_nan=False),
            st.integers(0, 5000),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_text_contrast_equals_its_definition(rows: list[tuple[int, float, int, bool]]) -> None:
    """Against the definition, segment by segment: the others of the main text, else the others
    of the page, else 0."""
    from linkguard._features import text_contrast

    rows = sorted(rows, key=lambda r: r[0])
    pidx = np.asarray([r[0] for r in rows], dtype=np.int64)
    X = _contrast_rows([r[1] for r in rows], [float(r[2]) for r in rows], [r[3] for r in rows])
    got = text_contrast(X, pidx)
    t = X[:, IDX["text_score"]].astype(np.float64)
    c = np.expm1(X[:, IDX["log_chars"]].astype(np.float64))
    for i, (page, _, _, _) in enumerate(rows):
        others = [j for j in range(len(rows)) if j != i and rows[j][0] == page]
        want = 0.0
        for pick in ([j for j in others if rows[j][3]], others):
            if sum(c[j] for j in pick) > 0.5:
                want = t[i] - sum(t[j] * c[j] for j in pick) / sum(c[j] for j in pick)
                break
        assert abs(float(got[i]) - want) < 1e-3
