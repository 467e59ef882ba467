"""The compiled core equals the pure-Python reference: pre-parse checks, hiding rules, the walk, tree scores.

Segments are compared field by field, and their nodes by identity: on one shared parse
tree by address, across two parses by position in document order.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser
from strategies import MODELS, any_text, core_pages, html_pages

import linkguard
from linkguard import _compiled, _hiding, _html, _native, _segment, _textmodel
from linkguard._model import default_model
from linkguard._segment import Budget, Page, RawSegment

core = _compiled.core
needs_core = pytest.mark.skipif(core is None, reason="compiled core not built (pure-Python install)")

_FIELDS = _segment.PLAIN_FIELDS


def _order(tree: LexborHTMLParser | None) -> dict[int, int]:
    """Node address -> position in document order (text nodes included)."""
    out: dict[int, int] = {}
    if tree is None or tree.root is None:
        return out
    stack = [tree.root]
    while stack:
        node = stack.pop()
        out[node.mem_id] = len(out)
        child = node.last_child
        while child is not None:
            stack.append(child)
            child = child.prev
    return out


def _key(seg: RawSegment, where: Any) -> tuple[Any, ...]:
    """A segment as comparable data; ``where`` maps a node to something parse-independent."""

    def node(n: Any) -> Any:
        return None if n is None else where(n)

    return (
        *(getattr(seg, f) for f in _FIELDS),
        tuple(node(n) for n in seg.nodes),
        tuple(node(n) for n in seg.texts),
        node(seg.whole_block),
        node(seg.hidden_root),
    )


def _boxes(segments: list[RawSegment]) -> list[int]:
    """Which earlier segment shares each one's hiding element, as the label pass compares them (``is``)."""
    first: dict[int, int] = {}
    return [first.setdefault(id(s.hidden_root), i) for i, s in enumerate(segments)]


def assert_same_walk(
    tree: LexborHTMLParser, hidden_css: dict[str, str], *, tail: bool = False, cap: int = 10**9
) -> None:
    """Both walks over one tree: same segments, same node addresses, same truncation."""
    assert core is not None
    root = tree.body or tree.root
    if root is None:
        return
    ref: list[RawSegment] = []
    nat: list[RawSegment] = []
    ref_budget, nat_budget = Budget(cap, max(1, cap // 10)), Budget(cap, max(1, cap // 10))
    ref_trunc = _segment.walk_html(root, tail=tail, hidden_css=hidden_css, out=ref, budget=ref_budget)
    nat_trunc = core.walk_html(root, tail=tail, hidden_css=hidden_css, out=nat, budget=nat_budget)
    assert nat_trunc == ref_trunc
    assert (nat_budget.nodes, nat_budget.links) == (ref_budget.nodes, ref_budget.links)
    address = lambda n: n.mem_id  # noqa: E731
    assert [_key(s, address) for s in nat] == [_key(s, address) for s in ref]
    assert _boxes(nat) == _boxes(ref)


def assert_same_page(ref: Page, nat: Page) -> None:
    """Two parses of one page: same segments, nodes at the same places in document order."""
    assert (nat.mode, nat.base_url, nat.text, nat.truncated) == (ref.mode, ref.base_url, ref.text, ref.truncated)
    assert (nat.tail_tree is None) == (ref.tail_tree is None)
    maps = []
    for page in (ref, nat):
        main, tail = _order(page.tree), _order(page.tail_tree)
        maps.append(
            lambda n, main=main, tail=tail: ("main", main[n.mem_id]) if n.mem_id in main else ("tail", tail[n.mem_id])
        )
    assert [_key(s, maps[1]) for s in nat.segments] == [_key(s, maps[0]) for s in ref.segments]
    assert _boxes(nat.segments) == _boxes(ref.segments)


def _reference_prepare(html: str) -> tuple[str, str]:
    main, tail = _html.split_tail(html)
    return _html._tame(main), (_html._tame(tail) if tail else "")


# --- properties ---------------------------------------------------------------------------

pages = st.one_of(html_pages(), core_pages(), any_text)


@needs_core
@given(page=pages)
def test_prepare_equals_reference(page: str) -> None:
    assert core is not None
    assert core.prepare(page) == _reference_prepare(page)
    assert core.needs_taming(page) == _html.needs_taming(page)


@needs_core
@given(page=pages)
def test_hidden_selectors_equal_reference(page: str) -> None:
    assert core is not None
    tree = LexborHTMLParser(page)
    assert core.hidden_selectors(tree) == _hiding.hidden_selectors(tree)


@needs_core
@given(page=pages, cap=st.sampled_from((10**9, 10**9, 5, 40, 200)))
def test_walk_equals_reference_on_one_tree(page: str, cap: int) -> None:
    tree = LexborHTMLParser(page)
    assert_same_walk(tree, _hiding.hidden_selectors(tree), cap=cap)
    assert_same_walk(tree, {".hide": "display_none", "#x": "js", ".nav": "offscreen"}, tail=True, cap=cap)


@needs_core
@given(page=pages, caps=st.sampled_from(((2_000_000, 500_000), (30, 3), (7, 100))))
def test_segment_html_equals_reference(page: str, caps: tuple[int, int]) -> None:
    assert core is not None
    ref = _segment.segment_html(page, max_nodes=caps[0], max_links=caps[1])
    nat = core.segment_html(page, max_nodes=caps[0], max_links=caps[1])
    assert_same_page(ref, nat)


_STYLE_WORDS = (
    *"displaynoe:;-0123456789 .%!",
    *"display none visibility hidden opacity font-size height width max-width overflow absolute".split(),
    *"clip rect( color background -color left margin-top px em #fff white".split(),
    "\t",
    "\x1c",
)


@needs_core
@given(style=st.one_of(st.text(max_size=80), st.lists(st.sampled_from(_STYLE_WORDS), max_size=14).map("".join)))
def test_style_prefilter_never_hides_a_rule_match(style: str) -> None:
    """The C prefilter may let through styles that hide nothing, never drop one that hides."""
    assert core is not None
    if not core.could_hide(style):
        assert _hiding.style_hiding(style.lower()) == ""


@needs_core
@pytest.mark.parametrize("model", ["bundled", *MODELS])
@given(page=st.one_of(html_pages(), core_pages()))
@example(page="<!-- the --> A\u0375")  # a Greek-block sign after a Latin letter is no mixed-script word
def test_scan_reports_equal_reference(model: str, page: str) -> None:
    """Whole scans, strip included, with the core and with the reference path."""
    m = None if model == "bundled" else MODELS[model]
    native = linkguard.scan(page, mode="html", model=m)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_compiled, "core", None)
        pure = linkguard.scan(page, mode="html", model=m)  # type: ignore[arg-type]
        pure_clean = _clean(pure)
    assert native.to_dict() == pure.to_dict()
    assert _clean(native) == pure_clean


def _clean(report: linkguard.Report) -> str | None:
    """The stripped page, or ``None`` for a page judged spam itself (strip refuses it)."""
    try:
        return report.clean_html()
    except linkguard.SpamPageError:
        return None


# --- tree scores --------------------------------------------------------------------------


def _edge_matrix(model: Any, n: int, seed: int) -> np.ndarray:
    """Feature values on, just above and just below the model's float32 split points, and NaN."""
    rng = np.random.default_rng(seed)
    X = (rng.random((n, len(model.feature_names))) * 8 - 1).astype(np.float32)
    for j in range(X.shape[1]):
        cuts = model.split_threshold[(model.feature == j) & np.isfinite(model.split_threshold)]
        if len(cuts):
            t32 = rng.choice(cuts, n).astype(np.float32)
            step = rng.integers(-1, 2, n)
            X[:, j] = np.where(step < 0, np.nextafter(t32, np.float32(-np.inf)), t32)
            X[:, j] = np.where(step > 0, np.nextafter(t32, np.float32(np.inf)), X[:, j])
    X[rng.random(X.shape) < 0.02] = np.nan
    X[rng.random(X.shape) < 0.01] = np.inf
    return X


@needs_core
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tree_scores_equal_reference(seed: int) -> None:
    assert core is not None
    model = default_model()
    X = _edge_matrix(model, 3000, seed)
    trees = model.complete_trees()
    assert trees is not None
    assert np.allclose(core.tree_raw(X, *trees, model.baseline), model.raw(X), rtol=0, atol=1e-9)
    assert np.allclose(_native.proba(model, X), model.proba(X), rtol=0, atol=1e-12)
    assert len(_native.proba(model, X[:0])) == 0


@needs_core
def test_tree_scores_of_other_shapes(tmp_path: Path) -> None:
    """A one-leaf model, a shallow one, an old model on a column subset: scores as the reference."""
    from helpers import constant_model_file

    X = _edge_matrix(default_model(), 50, 3)
    flat = linkguard.load_model(constant_model_file(tmp_path / "c.json", spam=True))
    assert flat.depth == 0
    assert np.allclose(_native.proba(flat, X), flat.proba(X), rtol=0, atol=1e-12)
    data = default_model().to_dict()
    data["trees"] = data["trees"][:7]
    for tree in data["trees"]:
        tree["feature"] = [0 for _ in tree["feature"]]
    data["feature_names"] = [linkguard.FEATURE_NAMES[5]]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    old = linkguard.load_model(path)
    assert np.allclose(_native.proba(old, X), old.proba(X), rtol=0, atol=1e-12)


@needs_core
def test_tree_scorer_refuses_bad_shapes() -> None:
    assert core is not None
    model = default_model()
    thresholds, features, leaves = model.complete_trees()  # type: ignore[misc]
    X = np.zeros((3, len(model.feature_names)), dtype=np.float32)
    with pytest.raises(ValueError):
        core.tree_raw(X[:, :3], thresholds, features, leaves, 0.0)  # features outside the matrix
    with pytest.raises(ValueError):
        core.tree_raw(X, thresholds[:, :-1], features[:, :-1], leaves, 0.0)
    with pytest.raises(ValueError):
        core.tree_raw(X, thresholds, features, leaves[:1], 0.0)
    bad = features.copy()
    bad[0, 0] = -1
    with pytest.raises(ValueError):
        core.tree_raw(X, thresholds, bad, leaves, 0.0)


_NGRAM_TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(
        st.sampled_from(["slot", " ", "\n", "\t", "\r", "\x00", "88", "スロット", "หวย", "\U0001f600"]), max_size=10
    ).map("".join),
)


@needs_core
@given(
    texts=st.lists(_NGRAM_TEXT, max_size=12),
    bits=st.sampled_from((1, 4, 8, 17)),
    orders=st.lists(st.integers(1, 8), min_size=1, max_size=4).map(tuple),
    seed=st.integers(0, 2**16),
)
def test_text_scores_equal_reference(texts: list[str], bits: int, orders: tuple[int, ...], seed: int) -> None:
    """Every text, any weights and n-gram orders: the same float32 scores, bit for bit."""
    assert core is not None
    from linkguard._textmodel import TextModel

    rng = np.random.default_rng(seed)
    weights = (rng.standard_normal(2**bits) * 3).astype(np.float32)
    model = TextModel(weights, float(rng.standard_normal()), orders)
    expected = model.scores(texts)
    got = core.text_scores(texts, weights, model.bias, orders)
    assert got.dtype == np.float32
    assert got.tobytes() == expected.tobytes()
    assert _textmodel.score_texts(model, texts).tobytes() == expected.tobytes()


@needs_core
def test_text_scorer_refuses_bad_models() -> None:
    assert core is not None
    weights = np.zeros(16, dtype=np.float32)
    for orders in ((), (0,), (9,)):
        with pytest.raises(ValueError):
            core.text_scores(["a"], weights, 0.0, orders)
    with pytest.raises(ValueError):
        core.text_scores(["a"], weights[:1], 0.0, (2,))
    with pytest.raises(TypeError):
        core.text_scores([b"a"], weights, 0.0, (2,))


# --- the real corpus ----------------------------------------------------------------------


def _corpus_pages(corpus_dir: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in (corpus_dir / "manifest.jsonl").read_text("utf-8").splitlines()]
    return [(r["path"], gzip.open(corpus_dir / r["path"]).read().decode("utf-8", "replace")) for r in rows]


@needs_core
@pytest.mark.corpus
def test_corpus_pages_segment_as_the_reference(corpus_dir: Path) -> None:
    """Every corpus page: same checks, hidden selectors, walk (same tree) and segments (own parse)."""
    assert core is not None
    pages = _corpus_pages(corpus_dir)
    assert len(pages) >= 500
    for path, html in pages:
        assert core.prepare(html) == _reference_prepare(html), path
        parsed = _html.parse(html)
        hidden = _hiding.hidden_selectors(parsed.tree)
        assert core.hidden_selectors(parsed.tree) == hidden, path
        assert_same_walk(parsed.tree, hidden)
        assert_same_page(_segment.segment_html(html), core.segment_html(html))


@needs_core
@pytest.mark.corpus
def test_corpus_tree_scores_equal_reference(corpus_dir: Path) -> None:
    from linkguard._features import page_features

    model = default_model()
    pages = [_segment.segment_html(html) for _, html in _corpus_pages(corpus_dir)[::5]]
    X = page_features(pages, [None] * len(pages))[0]
    assert len(X) > 1000
    assert np.allclose(_native.proba(model, X), model.proba(X), rtol=0, atol=1e-12)
    texts = [seg.text.lower() for page in pages for seg in page.segments]
    assert model.text is not None
    assert _textmodel.score_texts(model.text, texts).tobytes() == model.text.scores(texts).tobytes()


# --- links of a page -----------------------------------------------------------------------

# Links built from the pieces the compiled link table reads itself (schemes, hosts, ports, paths
# with dot segments, queries, fragments) and the ones it hands to the reference (user info,
# brackets, backslashes, non-ASCII, whitespace, skipped schemes in any case).
_URL_PIECES = st.sampled_from(
    [
        *("http://", "https://", "HTTP://", "//", "ftp://", "a+b.c-d://", "javascript:", "JavaScript:", "MAILTO:"),
        *("tel:", "#", "www.", "WWW.", "x:", "://", "/", "./", "../", "?", "#", "?#", "/.", "//", "\\"),
        *("example.com", "Example.COM.", "1.2.3.4", "[::1]", "10.0.0.1", "sub.ac.id", "user@host.org"),
        *("xn--bcher-kva.de", "bücher.de", "casino777.com", ":8080", ":", ":x", "a", "path", "q=1", "é"),
        *(" ", "\t", "\n", "\u212a", "\u0130", "%20", ";", '"', "~", "{"),
        # open redirects, whole and in pieces
        *("https://www.google.ws/url?sa=t&url=", "www.google.com/amp/s/", "l.facebook.com/l.php?u=", "=http"),
        *("?https%3A%2F%2F", "href.li/?", "&q=", "url="),
    ]
)
_LINK = st.lists(_URL_PIECES, max_size=7).map("".join)
_BASE = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from(["https://www.example.com/a/b.html", "http://example.com", "https://x.org/p?q#f"]),
    _LINK,
)


@needs_core
@given(st.lists(st.lists(_LINK, max_size=6), max_size=4), _BASE, st.sampled_from(["", "example.com", "x.org"]))
def test_link_table_equals_reference(links: list[list[str]], base: str | None, home: str) -> None:
    from linkguard import _features

    segments = [
        RawSegment(text="t", links=ls, anchors=[f"a{i}" for i in range(len(ls))] if k % 2 else [])
        for k, ls in enumerate(links)
    ]
    assert _features.link_table(segments, base, home) == _features._link_table(segments, base, home)


@needs_core
@pytest.mark.corpus
def test_corpus_link_tables_equal_reference(corpus_dir: Path) -> None:
    assert core is not None
    from linkguard import _features

    pages = _corpus_pages(corpus_dir)
    for path, html in pages[::2]:
        page = core.segment_html(html)
        for base in (page.base_url, "https://www.example.org/dir/page.html"):
            home = _features.page_home(page, base)[0]
            nat = _features.link_table(page.segments, base, home)  # compiled: the core is built
            assert nat == _features._link_table(page.segments, base, home), path


# --- loading ------------------------------------------------------------------------------


def test_pin_is_the_one_pyproject_requires() -> None:
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text("utf-8")
    pins = re.findall(r'"selectolax==([^"]+)"', text)
    assert pins and set(pins) == {_compiled.SELECTOLAX_PIN}


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )


def test_pure_switch_uses_the_reference() -> None:
    done = _run("import linkguard._compiled as n; print(n.core is None)", LINKGUARD_PURE="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


@needs_core
def test_another_selectolax_release_is_refused_loudly() -> None:
    code = "import selectolax; selectolax.__version__ = '0.0.1'; import linkguard"
    done = _run(code)
    assert done.returncode != 0
    assert "ImportError" in done.stderr
    assert "selectolax 0.0.1" in done.stderr and f"selectolax {_compiled.SELECTOLAX_PIN}" in done.stderr
    assert _run(code, LINKGUARD_PURE="1").returncode == 0  # the pure path does not care


_ANCHOR_PAGES = [
    '<p>see <a href="/a">one <b>two</b></a> and <a href="/b">three</a></p>',
    '<p><a href="/a">outer <a href="/b">inner</a> after</a></p>',
    '<p><a name="x">no href <a href="/c">with</a> tail</a> http://1.2.3.4/x</p>',
    '<div><a href="/a">before<div>in a block</div>after</a></div><p><a href="/d"></a></p>',
    '<ul><li><a href="/1">slot gacor</a></li><li><a href="/2">togel</a> www.x.com</li></ul>',
]


@needs_core
@pytest.mark.parametrize("page", _ANCHOR_PAGES)
def test_link_anchors_equal_reference(page: str) -> None:
    assert core is not None
    ref = _segment.segment_html(page)
    nat = core.segment_html(page)
    assert_same_page(ref, nat)
    assert [s.anchors for s in nat.segments] == [s.anchors for s in ref.segments]
    assert all(len(s.anchors) == len(s.links) for s in nat.segments)


@needs_core
def test_node_runs_behave_as_lists() -> None:
    assert core is not None
    page = core.segment_html("<div><b>a</b> <i>b</i> c<p>d</p></div>")
    seg = page.segments[0]
    nodes = list(seg.nodes)
    assert len(seg.nodes) == len(nodes) == 3 and bool(seg.nodes)
    assert [n.mem_id for n in nodes] == [seg.nodes[i].mem_id for i in range(3)]
    assert seg.nodes[-1].mem_id == nodes[-1].mem_id
    assert [n.mem_id for n in seg.nodes[1:]] == [n.mem_id for n in nodes[1:]]
    with pytest.raises(IndexError):
        seg.nodes[3]
    assert [n.text_content for n in seg.texts] == ["a", "b", " c"]
