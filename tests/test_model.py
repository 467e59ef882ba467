from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import linkguard
from linkguard import ModelError, default_model, load_model, save_model
from linkguard._estimator import SegmentClassifier, average_models, from_hgb


def test_default_model_is_valid_data() -> None:
    model = default_model()
    # The bundled model may predate the newest features (a model maps its features by name), but
    # every feature it reads is one linkguard computes, in the same order.
    names = list(model.feature_names)
    assert names == [n for n in linkguard.FEATURE_NAMES if n in set(names)]
    assert 0 < model.threshold < 1
    assert model.metadata.get("training_data_sha256")


def test_default_model_was_trained_on_the_data_here(corpus_dir: Path) -> None:
    """The bundled model is what ``python -m training_data.train`` writes: data added to
    ``training_data/`` (or a changed corpus manifest) comes with the retrained model and its card."""
    from training_data.dataset import data_digest

    bundled = default_model().metadata["training_data_sha256"]
    assert bundled == data_digest(corpus_dir), (
        "the data in training_data/ (or the corpus manifest) is not what the bundled model was trained on: "
        "run `python -m training_data.train` and commit the model and its card with the data"
    )


def test_roundtrip_and_contributions(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((400, len(linkguard.FEATURE_NAMES)))
    y = np.where(X[:, 0] + X[:, 3] > 1, "spam", "content")
    est = SegmentClassifier(max_iter=20).fit(X, y)
    hgb_like = est.predict_proba(X)[:, 1]
    path = tmp_path / "m.json"
    save_model(est, path)
    loaded = load_model(path)
    assert np.allclose(loaded.proba(X), hgb_like, atol=1e-9)
    # Contributions add up to the log-odds.
    raw = loaded.raw(X[:10])
    contrib = loaded.contributions(X[:10])
    root = loaded.value[:, 0].sum() + loaded.baseline
    assert np.allclose(contrib.sum(axis=1) + root, raw, atol=1e-9)
    assert (est.predict(X) == np.where(hgb_like >= 0.5, "spam", "content")).all()


def test_exported_trees_match_sklearn() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(1)
    X = rng.random((300, len(linkguard.FEATURE_NAMES)))
    y = (X[:, 1] > 0.6).astype(int)
    hgb = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y)
    exported = from_hgb(hgb, 0.5, X.shape[1])
    assert np.allclose(exported.proba(X), hgb.predict_proba(X)[:, 1], atol=1e-9)


def test_pickles_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.pkl"
    path.write_bytes(b"\x80\x04N.")
    with pytest.raises(ModelError, match="pickle"):
        load_model(path)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(format="other"),
        lambda d: d.update(format_version=99),
        lambda d: d.update(feature_names=["a"]),
        lambda d: d.update(threshold=2.0),
        lambda d: d["trees"][0].update(feature=[10_000] * len(d["trees"][0]["feature"])),
        lambda d: d["trees"][0].update(left=[0]),
    ],
)
def test_bad_model_files(tmp_path: Path, mutate: Callable[[dict[str, Any]], object]) -> None:
    data = default_model().to_dict()
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError):
        load_model(path)


# scikit-learn ships no type information, so its decorator leaves the test untyped for mypy.
@parametrize_with_checks([SegmentClassifier()])  # type: ignore[untyped-decorator]
def test_sklearn_compatible(estimator: SegmentClassifier, check: Callable[[SegmentClassifier], object]) -> None:
    """The full scikit-learn contract with the defaults, sample-weight equivalence included."""
    check(estimator)


def test_threshold_moves_the_decision_boundary() -> None:
    rng = np.random.default_rng(2)
    X = rng.random((300, 4))
    y = np.where(X[:, 0] > 0.5, "spam", "content")
    est = SegmentClassifier(max_iter=10, threshold=0.9).fit(X, y)
    p = est.predict_proba(X)[:, 1]
    assert ((est.decision_function(X) > 0) == (p > 0.9)).all()
    assert (est.predict(X) == np.where(p > 0.9, "spam", "content")).all()


def test_monotonic_constraint_holds_on_the_exported_model() -> None:
    """``monotonic_cst`` reaches the trees: spam is a band of feature 0, and with feature 0
    constrained upward the exported model's probability never falls along it (unconstrained,
    it does, so the check can fail)."""
    rng = np.random.default_rng(3)
    X = rng.random((2000, 2))
    y = np.where((X[:, 0] > 0.3) & (X[:, 0] < 0.6), "spam", "content")
    grid = np.column_stack([np.linspace(0, 1, 101), np.full(101, 0.5)])
    free = SegmentClassifier(max_iter=30).fit(X, y).model_.proba(grid)
    tied = SegmentClassifier(max_iter=30, monotonic_cst=[1, 0]).fit(X, y).model_.proba(grid)
    assert (np.diff(free) < -1e-9).any()
    assert (np.diff(tied) >= -1e-12).all()


def test_bagged_model_is_the_mean_of_its_bags() -> None:
    """``n_bags`` averages the log-odds of models fitted with their own seeds (one exported
    ensemble); with feature subsampling the bags differ, so the average is not any one bag."""
    rng = np.random.default_rng(4)
    X = rng.random((600, 5))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] - X[:, 2] > 0.3, "spam", "content")
    bags = [SegmentClassifier(max_iter=15, random_state=7 + k, bag_features=0.6).fit(X, y).model_ for k in range(3)]
    bagged = SegmentClassifier(max_iter=15, random_state=7, n_bags=3, bag_features=0.6).fit(X, y).model_
    mean = np.mean([m.raw(X) for m in bags], axis=0)
    assert bagged.n_trees == 45
    assert np.allclose(bagged.raw(X), mean, atol=1e-9)
    assert not np.allclose(bags[0].raw(X), bags[1].raw(X))
    # Explanations still add up: contributions plus the roots' values give the log-odds.
    root = bagged.value[:, 0].sum() + bagged.baseline
    assert np.allclose(bagged.contributions(X[:20]).sum(axis=1) + root, bagged.raw(X[:20]), atol=1e-9)
    # One bag is the plain model, whatever its feature share would be.
    plain = SegmentClassifier(max_iter=15, random_state=7).fit(X, y).model_
    assert np.array_equal(average_models([plain]).raw(X), plain.raw(X))
    with pytest.raises(ValueError):
        SegmentClassifier(n_bags=0).fit(X, y)


def test_segment_classifier_without_scikit_learn_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)
    for name in [m for m in sys.modules if m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "linkguard._estimator")
    with pytest.raises(ImportError, match=r"pip install 'linkguard-spam\[train\]'"):
        linkguard.SegmentClassifier  # noqa: B018 - the attribute access is the import


def test_hidden_threshold_holds_hidden_offsite_blocks_alone_to_it() -> None:
    """A model's hidden-link threshold flags a hidden block of off-site links that scores under the
    general threshold; the same links shown, and the page verdict's reading of the page, stay as
    they were."""
    links = "".join(f'<a href="https://site{i}.example.net/">Photo credit {i}</a> ' for i in range(3))
    article = "<p>" + "The town council met on Tuesday to discuss the library budget and its hours. " * 6 + "</p>"
    hidden = f'<html><body>{article}<div style="display:none">{links}</div></body></html>'
    shown = f"<html><body>{article}<div>{links}</div></body></html>"
    base = default_model()

    def block(report: linkguard.Report) -> linkguard.Segment:
        return next(s for s in report.segments if "Photo credit" in s.text)

    plain = block(linkguard.scan(hidden, "https://town.example.org/news"))
    assert plain.hidden and plain.score < base.threshold and plain.label == "content"
    model = load_model_dict({**base.to_dict(), "hidden_threshold": round(plain.score - 0.001, 4)})
    report = linkguard.scan(hidden, "https://town.example.org/news", model=model)
    assert block(report).label == "spam" and report.page_label == "injected"
    seen = block(linkguard.scan(shown, "https://town.example.org/news", model=model))
    assert not seen.hidden and seen.label == block(linkguard.scan(shown, "https://town.example.org/news")).label
    assert report.page_score == linkguard.scan(hidden, "https://town.example.org/news").page_score


def load_model_dict(data: dict[str, Any]) -> linkguard.SegmentModel:
    from linkguard._model import SegmentModel

    return SegmentModel.from_dict(data)
