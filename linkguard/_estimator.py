"""The scikit-learn estimator behind the bundled model.

Kept apart from inference (``_model.py``) so that scanning never imports
scikit-learn: only training and users of the estimator API pay for it, and
only they install it (the ``train`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.utils.multiclass import check_classification_targets, type_of_target
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as _exc:  # pragma: no cover - exercised by the missing-extra test
    raise ImportError(
        "linkguard.SegmentClassifier (training and the scikit-learn API) needs scikit-learn, "
        "which is not installed; install the 'train' extra: pip install 'linkguard-spam[train]' "
        "(in a checkout: pip install -e '.[train]')"
    ) from _exc

from linkguard._features import FEATURE_NAMES
from linkguard._model import SegmentModel, _sigmoid


class SegmentClassifier(ClassifierMixin, BaseEstimator):
    """Gradient-boosted trees on segment features.

    Trees capture what a linear model cannot: a gambling term matters when it is
    an off-site anchor, not in a paragraph; a hidden box matters when it holds
    off-site links, not a share menu.  The fitted ensemble is exported to plain
    arrays (:class:`SegmentModel`) and scored with numpy.

    Parameters
    ----------
    max_iter, max_depth, max_leaf_nodes, learning_rate, l2_regularization, min_samples_leaf :
        Passed to :class:`~sklearn.ensemble.HistGradientBoostingClassifier`.
    class_weight : dict, "balanced" or None
    monotonic_cst : sequence of int (-1, 0, 1) per feature, or None
        Passed to :class:`~sklearn.ensemble.HistGradientBoostingClassifier`: 1 makes the spam
        probability never fall as that feature grows, -1 never rise, 0 leaves it free.
    threshold : float
        Spam probability above which :meth:`predict` says spam (the decision function's zero).
    random_state : int or None
    n_bags : int
        Fit this many ensembles, each with its own seed, and average their log-odds: trees fitted
        greedily change with small changes of the data, and an average of decorrelated ones
        changes less.  The average is exported as one ensemble (leaves scaled by ``1/n_bags``).
    bag_features : float
        Share of the features each split may choose from (scikit-learn's ``max_features``); below
        1 it is what makes the bags differ.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    n_features_in_ : int
    model_ : SegmentModel
        The exported ensemble used for every prediction.
    """

    def __init__(
        self,
        *,
        max_iter: int = 150,
        max_depth: int | None = 6,
        max_leaf_nodes: int = 24,
        learning_rate: float = 0.1,
        l2_regularization: float = 1.0,
        min_samples_leaf: int = 40,
        class_weight: dict[Any, float] | str | None = None,
        monotonic_cst: Sequence[int] | None = None,
        threshold: float = 0.5,
        random_state: int | None = 0,
        n_bags: int = 1,
        bag_features: float = 1.0,
    ) -> None:
        self.max_iter = max_iter
        self.max_depth = max_depth
        self.max_leaf_nodes = max_leaf_nodes
        self.learning_rate = learning_rate
        self.l2_regularization = l2_regularization
        self.min_samples_leaf = min_samples_leaf
        self.class_weight = class_weight
        self.monotonic_cst = monotonic_cst
        self.threshold = threshold
        self.random_state = random_state
        self.n_bags = n_bags
        self.bag_features = bag_features

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> SegmentClassifier:
        """Fit the trees and export them."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        if type_of_target(y, input_name="y", raise_unknown=True) != "binary":
            raise ValueError(f"Only binary classification is supported. The type of the target is {type_of_target(y)}.")
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) != 2:
            raise ValueError(f"SegmentClassifier needs 2 classes, got 1 class: {self.classes_[0]!r}")
        if int(self.n_bags) < 1 or not 0.0 < float(self.bag_features) <= 1.0:
            raise ValueError(f"n_bags must be >= 1 and bag_features in (0, 1], got {self.n_bags}, {self.bag_features}")
        models = []
        for bag in range(int(self.n_bags)):
            seed = None if self.random_state is None else int(self.random_state) + bag
            hgb = HistGradientBoostingClassifier(
                max_iter=self.max_iter,
                max_depth=self.max_depth,
                max_leaf_nodes=self.max_leaf_nodes,
                learning_rate=self.learning_rate,
                l2_regularization=self.l2_regularization,
                min_samples_leaf=self.min_samples_leaf,
                class_weight=self.class_weight,
                monotonic_cst=None if self.monotonic_cst is None else list(self.monotonic_cst),
                max_features=float(self.bag_features),
                early_stopping=False,
                random_state=seed,
            )
            hgb.fit(X, y_idx, sample_weight=sample_weight)
            models.append(from_hgb(hgb, self.threshold, n_features=X.shape[1]))
        self.model_ = models[0] if len(models) == 1 else average_models(models)
        self.n_iter_ = int(self.max_iter)
        return self

    def _raw(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return np.asarray(self.model_.raw(X), dtype=np.float64)

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of the second class (spam) minus those of ``threshold``: positive means spam.

        With the default threshold of 0.5 this is the plain log-odds.
        """
        t = float(self.threshold)
        return np.asarray(self._raw(X) - np.log(t / (1.0 - t)), dtype=np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities in ``classes_`` order."""
        p = _sigmoid(self._raw(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """Labels from ``classes_``: spam when its probability is above ``threshold``."""
        decision = self.decision_function(X)  # checks that the estimator is fitted
        return np.asarray(self.classes_[(decision > 0).astype(int)])


def from_hgb(hgb: Any, threshold: float, n_features: int, names: tuple[str, ...] = FEATURE_NAMES) -> SegmentModel:
    """Export a fitted binary HistGradientBoostingClassifier to plain arrays.

    Reads the fitted trees from scikit-learn's private attributes (``_predictors``,
    ``_baseline_prediction``): that is why export lives here, with the estimator, and
    scoring (``_model``) never imports scikit-learn.
    """
    predictors = [p[0] for p in hgb._predictors]
    width = max(len(p.nodes) for p in predictors)
    arrays = {
        "feature": np.zeros((len(predictors), width), dtype=np.int64),
        "threshold": np.full((len(predictors), width), np.inf),
        "left": np.zeros((len(predictors), width), dtype=np.int64),
        "right": np.zeros((len(predictors), width), dtype=np.int64),
        "value": np.zeros((len(predictors), width)),
    }
    for t, pred in enumerate(predictors):
        nodes = pred.nodes
        m = len(nodes)
        leaf = nodes["is_leaf"].astype(bool)
        idx = np.arange(m)
        arrays["feature"][t, :m] = np.where(leaf, 0, nodes["feature_idx"])
        arrays["threshold"][t, :m] = np.where(leaf, np.inf, nodes["num_threshold"])
        arrays["left"][t, :m] = np.where(leaf, idx, nodes["left"])
        arrays["right"][t, :m] = np.where(leaf, idx, nodes["right"])
        arrays["left"][t, m:] = np.arange(m, width)
        arrays["right"][t, m:] = np.arange(m, width)
        value = np.where(leaf, nodes["value"], 0.0).astype(np.float64)
        count = nodes["count"].astype(np.float64)
        # Internal nodes: count-weighted mean of the children, filled bottom-up.
        for k in sorted(np.flatnonzero(~leaf), key=lambda k: -int(nodes["depth"][k])):
            a, b = int(nodes["left"][k]), int(nodes["right"][k])
            total = count[a] + count[b]
            value[k] = (value[a] * count[a] + value[b] * count[b]) / total if total else 0.0
        arrays["value"][t, :m] = value
    baseline = float(np.ravel(hgb._baseline_prediction)[0])
    feature_names = names if n_features == len(names) else tuple(f"x{i}" for i in range(n_features))
    return SegmentModel(arrays, baseline, threshold, feature_names)


def average_models(models: Sequence[SegmentModel]) -> SegmentModel:
    """One ensemble whose log-odds are the mean of ``models``' (same features and threshold).

    The trees are put side by side, padded to one width with unreachable leaves, and every node
    value (leaves, and the internal means that explanations read) is divided by their number.
    """
    if not models:
        raise ValueError("average_models needs at least one model")
    names = models[0].feature_names
    if any(m.feature_names != names for m in models):
        raise ValueError("average_models needs models over the same features")
    width = max(m.feature.shape[1] for m in models)

    def padded(a: np.ndarray, fill: float | None) -> np.ndarray:
        """``a`` widened to ``width`` nodes: ``fill``, or for child columns the node itself (a leaf)."""
        extra = width - a.shape[1]
        if extra == 0:
            return a
        pad = np.full((a.shape[0], extra), fill, dtype=a.dtype) if fill is not None else np.arange(a.shape[1], width)
        return np.concatenate([a, np.broadcast_to(pad, (a.shape[0], extra))], axis=1)

    def stacked(name: str, fill: float | None) -> np.ndarray:
        return np.concatenate([padded(getattr(m, name), fill) for m in models])

    trees = {
        "feature": stacked("feature", 0),
        "threshold": stacked("split_threshold", np.inf),
        "left": stacked("left", None),
        "right": stacked("right", None),
        "value": stacked("value", 0.0) / len(models),
    }
    baseline = float(np.mean([m.baseline for m in models]))
    return SegmentModel(trees, baseline, models[0].threshold, names)


def to_estimator(model: SegmentModel) -> SegmentClassifier:
    """A fitted :class:`SegmentClassifier` that predicts with ``model``'s trees."""
    est = SegmentClassifier(threshold=model.threshold)
    est.classes_ = np.asarray(["content", "spam"])
    est.n_features_in_ = len(model.feature_names)
    est.model_ = model
    return est
