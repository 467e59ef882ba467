"""The segment classifier and its on-disk form.

The model is a standardised logistic regression: small, fast (scoring is one
matrix product), and explainable, because each feature's contribution to a score
is ``coef * z`` and becomes a reason code.  It ships as JSON data, never as a
pickle: loading a pickle runs code, and a pickle breaks across scikit-learn
versions.
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from linkguard._errors import ModelError
from linkguard._features import FEATURE_NAMES

MODEL_FORMAT = "linkguard-segment-model"
MODEL_FORMAT_VERSION = 1
DEFAULT_MODEL = "linkguard-segment-v1.json"


class SegmentClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression on standardised segment features.

    Parameters
    ----------
    C : float
        Inverse regularisation strength.
    threshold : float
        Spam probability at or above which :meth:`predict` says spam.
    class_weight : dict, "balanced" or None
        Passed to :class:`~sklearn.linear_model.LogisticRegression`.
    max_iter : int
        Solver iterations.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (n_features,)
        Weights on standardised features.
    intercept_ : float
    mean_, scale_ : ndarray of shape (n_features,)
        Standardisation learned in ``fit``.
    n_features_in_ : int
    """

    def __init__(
        self,
        *,
        C: float = 1.0,
        threshold: float = 0.5,
        class_weight: dict[Any, float] | str | None = None,
        max_iter: int = 2000,
    ) -> None:
        self.C = C
        self.threshold = threshold
        self.class_weight = class_weight
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> SegmentClassifier:
        """Learn standardisation and weights."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) != 2:
            raise ValueError(f"SegmentClassifier needs exactly 2 classes, got {len(self.classes_)}")
        self.mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.scale_ = np.where(scale > 1e-12, scale, 1.0)
        lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        lr.fit((X - self.mean_) / self.scale_, y_idx, sample_weight=sample_weight)
        self.coef_ = lr.coef_[0].astype(np.float64)
        self.intercept_ = float(lr.intercept_[0])
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of the second class (spam)."""
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return ((X - self.mean_) / self.scale_) @ self.coef_ + self.intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities in ``classes_`` order."""
        p = _sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """Labels from ``classes_``, spam when its probability reaches ``threshold``."""
        p = self.predict_proba(X)[:, 1]
        return self.classes_[(p >= self.threshold).astype(int)]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


class LinearModel:
    """Inference-only view of a trained model: one ``X @ w + b``, no scikit-learn call."""

    __slots__ = ("coef", "feature_names", "intercept", "mean", "metadata", "scale", "threshold")

    def __init__(
        self,
        coef: np.ndarray,
        intercept: float,
        mean: np.ndarray,
        scale: np.ndarray,
        threshold: float,
        feature_names: tuple[str, ...],
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.coef = coef
        self.intercept = intercept
        self.mean = mean
        self.scale = scale
        self.threshold = threshold
        self.feature_names = feature_names
        self.metadata = metadata or {}

    def standardise(self, X: np.ndarray) -> np.ndarray:
        return (X.astype(np.float64, copy=False) - self.mean) / self.scale

    def proba(self, X: np.ndarray) -> np.ndarray:
        """Spam probability for each row."""
        return _sigmoid(self.standardise(X) @ self.coef + self.intercept)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-feature log-odds contributions (``coef * z``), for reasons."""
        return self.standardise(X) * self.coef

    @classmethod
    def from_estimator(cls, est: SegmentClassifier, metadata: dict[str, Any] | None = None) -> LinearModel:
        check_is_fitted(est, "coef_")
        return cls(
            np.asarray(est.coef_, dtype=np.float64),
            float(est.intercept_),
            np.asarray(est.mean_, dtype=np.float64),
            np.asarray(est.scale_, dtype=np.float64),
            float(est.threshold),
            FEATURE_NAMES,
            metadata,
        )

    def to_estimator(self) -> SegmentClassifier:
        """A fitted :class:`SegmentClassifier` with these parameters."""
        est = SegmentClassifier(threshold=self.threshold)
        est.classes_ = np.asarray(["content", "spam"])
        est.coef_ = self.coef.copy()
        est.intercept_ = self.intercept
        est.mean_ = self.mean.copy()
        est.scale_ = self.scale.copy()
        est.n_features_in_ = len(self.coef)
        return est

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "format_version": MODEL_FORMAT_VERSION,
            "feature_names": list(self.feature_names),
            "coef": [float(v) for v in self.coef],
            "intercept": self.intercept,
            "mean": [float(v) for v in self.mean],
            "scale": [float(v) for v in self.scale],
            "threshold": self.threshold,
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, data: Any) -> LinearModel:
        """Validate and rebuild; raises :class:`ModelError` on anything off."""
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ModelError("not a linkguard model file (missing 'format')")
        if data.get("format_version") != MODEL_FORMAT_VERSION:
            raise ModelError(
                f"model format version {data.get('format_version')!r} is not supported "
                f"(this linkguard reads version {MODEL_FORMAT_VERSION})"
            )
        names = tuple(data.get("feature_names") or ())
        if names != FEATURE_NAMES:
            missing = sorted(set(FEATURE_NAMES) - set(names))
            extra = sorted(set(names) - set(FEATURE_NAMES))
            raise ModelError(
                "model was trained on other features than this linkguard computes "
                f"(missing {missing[:5]}, unknown {extra[:5]}); retrain it"
            )
        try:
            coef = np.asarray(data["coef"], dtype=np.float64)
            mean = np.asarray(data["mean"], dtype=np.float64)
            scale = np.asarray(data["scale"], dtype=np.float64)
            intercept = float(data["intercept"])
            threshold = float(data["threshold"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"model file is malformed: {exc}") from None
        n = len(FEATURE_NAMES)
        if coef.shape != (n,) or mean.shape != (n,) or scale.shape != (n,):
            raise ModelError(f"model arrays must have {n} values each")
        if not (np.isfinite(coef).all() and np.isfinite(mean).all() and np.isfinite(scale).all()):
            raise ModelError("model holds non-finite numbers")
        if (scale <= 0).any() or not 0.0 < threshold < 1.0 or not np.isfinite(intercept):
            raise ModelError("model has a non-positive scale or a threshold outside (0, 1)")
        return cls(coef, intercept, mean, scale, threshold, names, dict(data.get("metadata") or {}))


def save_model(model: LinearModel | SegmentClassifier, path: str | os.PathLike[str]) -> None:
    """Write a model as JSON (the only format linkguard loads by default)."""
    if isinstance(model, SegmentClassifier):
        model = LinearModel.from_estimator(model)
    Path(path).write_text(json.dumps(model.to_dict(), indent=1, sort_keys=True) + "\n", "utf-8")


def load_model(path: str | os.PathLike[str], *, allow_pickle: bool = False) -> LinearModel:
    """Load a model file.

    JSON files are validated data. A pickle/joblib file is refused unless
    ``allow_pickle=True``: unpickling runs arbitrary code from the file, so only
    do that for files you made yourself.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read model {p}: {exc.strerror or exc}") from None
    if raw[:1] in (b"\x80",) or p.suffix in (".pkl", ".pickle", ".joblib"):
        if not allow_pickle:
            raise ModelError(
                f"{p} looks like a pickle; linkguard does not unpickle by default because "
                "unpickling executes code. Pass allow_pickle=True only for files you trust."
            )
        import joblib

        est = joblib.load(p)  # explicit opt-in, documented risk
        if not isinstance(est, SegmentClassifier):
            raise ModelError(f"{p} does not hold a SegmentClassifier")
        return LinearModel.from_estimator(est)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"model {p} is not valid JSON: {exc}") from None
    return LinearModel.from_dict(data)


@cache
def default_model() -> LinearModel:
    """The bundled model, read once per process."""
    text = (resources.files("linkguard") / "data" / "model" / DEFAULT_MODEL).read_text("utf-8")
    return LinearModel.from_dict(json.loads(text))
