"""The scikit-learn estimator behind the bundled model.

Kept apart from inference (``_model.py``) so that scanning never imports
scikit-learn: only training and users of the estimator API pay for it, and
only they install it (the ``train`` extra).
"""

from __future__ import annotations

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
    threshold : float
        Spam probability above which :meth:`predict` says spam (the decision function's zero).
    random_state : int or None

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
        threshold: float = 0.5,
        random_state: int | None = 0,
    ) -> None:
        self.max_iter = max_iter
        self.max_depth = max_depth
        self.max_leaf_nodes = max_leaf_nodes
        self.learning_rate = learning_rate
        self.l2_regularization = l2_regularization
        self.min_samples_leaf = min_samples_leaf
        self.class_weight = class_weight
        self.threshold = threshold
        self.random_state = random_state

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
        hgb = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            max_depth=self.max_depth,
            max_leaf_nodes=self.max_leaf_nodes,
            learning_rate=self.learning_rate,
            l2_regularization=self.l2_regularization,
            min_samples_leaf=self.min_samples_leaf,
            class_weight=self.class_weight,
            early_stopping=False,
            random_state=self.random_state,
        )
        hgb.fit(X, y_idx, sample_weight=sample_weight)
        self.model_ = SegmentModel.from_hgb(hgb, self.threshold, n_features=X.shape[1])
        self.n_iter_ = int(hgb.n_iter_)
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
