from __future__ import annotations

import numpy as np

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
