"""The segment classifier and its on-disk form.

The model is a small gradient-boosted tree ensemble trained with scikit-learn
and exported to plain arrays: scoring a batch is a few vectorised numpy steps,
and each feature's contribution to a score becomes a reason code.  It ships as JSON data, never as a
pickle: loading a pickle runs code, and a pickle breaks across scikit-learn
versions.

This module is a leaf (it imports only the leaves ``_errors`` and ``_textmodel``): it knows
nothing of how features are computed.  A model names the features it was trained on; whoever
scores a feature matrix maps those names onto the matrix's columns
(:meth:`SegmentModel.for_columns`).  A model file may carry two companions: the learned text
model whose score is one of its features, and the page model stacked on its scores.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from linkguard._errors import ModelError
from linkguard._textmodel import TextModel

MODEL_FORMAT = "linkguard-segment-model"
MODEL_FORMAT_VERSION = 2
DEFAULT_MODEL = "linkguard-segment-v1.json"


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0))))


_TREE_FIELDS = ("feature", "threshold", "left", "right", "value")
_MAX_PADDED_DEPTH = 12
"""Deeper trees are not padded to complete ones (4,095 split nodes per tree at this depth)."""


class SegmentModel:
    """Inference-only tree ensemble: padded node arrays walked for all trees at once.

    Leaves point to themselves, so ``depth`` vectorised steps reach every leaf.
    Internal nodes carry the count-weighted mean of their leaves, which makes
    the per-feature contributions of a prediction (the value change at each
    split, attributed to the split's feature) add up to the score: those
    contributions become the reason codes.
    """

    __slots__ = (
        "_by_columns",
        "_flat_feature",
        "_flat_left",
        "_flat_right",
        "_flat_threshold",
        "_flat_value",
        "_packed",
        "_roots",
        "baseline",
        "depth",
        "feature",
        "feature_names",
        "hidden_threshold",
        "left",
        "link",
        "metadata",
        "page",
        "prose_threshold",
        "right",
        "split_threshold",
        "text",
        "threshold",
        "value",
    )

    def __init__(
        self,
        trees: dict[str, np.ndarray],
        baseline: float,
        threshold: float,
        feature_names: tuple[str, ...],
        metadata: dict[str, Any] | None = None,
        text: TextModel | None = None,
        page: SegmentModel | None = None,
        link: SegmentModel | None = None,
    ) -> None:
        self.feature = trees["feature"].astype(np.int64)
        self.split_threshold = trees["threshold"].astype(np.float64)
        self.left = trees["left"].astype(np.int64)
        self.right = trees["right"].astype(np.int64)
        self.value = trees["value"].astype(np.float64)
        self.baseline = float(baseline)
        self.threshold = float(threshold)
        self.feature_names = feature_names
        self.metadata = metadata or {}
        self.text = text
        """The learned text model whose score is the ``text_score`` feature (``None``: that feature is 0)."""
        self.page = page
        """The page model, over the page features, stacked on this model's scores (``None``: no
        ``spam_page`` verdicts)."""
        self.link = link
        """The link model, over the link features (``None``: a link is spam when its segment is)."""
        self.prose_threshold: float | None = None
        """Threshold for link-less prose inside the main text (``None``: the general one)."""
        self.hidden_threshold: float | None = None
        """Threshold for hidden segments with off-site links (``None``: the general one)."""
        self.depth = _depth(self.left, self.right)
        # Flat views for scoring: node ids global across trees, children as global ids.
        width = self.feature.shape[1]
        offset = (np.arange(self.n_trees) * width)[:, None]
        self._flat_feature = self.feature.ravel()
        self._flat_threshold = self.split_threshold.ravel()
        self._flat_left = (self.left + offset).ravel()
        self._flat_right = (self.right + offset).ravel()
        self._flat_value = self.value.ravel()
        self._roots = offset.ravel()
        self._by_columns: dict[tuple[str, ...], SegmentModel] = {}
        self._packed: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def n_trees(self) -> int:
        return int(self.feature.shape[0])

    def _walk(self, X: np.ndarray, contributions: bool) -> tuple[np.ndarray, np.ndarray | None]:
        X = np.ascontiguousarray(X, dtype=np.float64)
        n, n_features = X.shape
        # node[i, t]: global id of the node sample i sits at in tree t.
        node = np.broadcast_to(self._roots, (n, self.n_trees)).copy()
        row_base = (np.arange(n) * n_features)[:, None]
        flat_x = X.ravel()
        contrib = np.zeros((n, n_features), dtype=np.float64) if contributions else None
        for _ in range(self.depth):
            feat = self._flat_feature[node]
            x = flat_x[row_base + feat]
            nxt = np.where(x <= self._flat_threshold[node], self._flat_left[node], self._flat_right[node])
            if contrib is not None:
                delta = self._flat_value[nxt] - self._flat_value[node]
                np.add.at(contrib.ravel(), (row_base + feat).ravel(), delta.ravel())
            node = nxt
        return self._flat_value[node].sum(axis=1) + self.baseline, contrib

    def complete_trees(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The trees padded to complete binary trees of ``depth`` levels, for a compiled scorer.

        Returns ``(thresholds, features, leaves)``: per tree, ``2**depth - 1`` split nodes
        in heap order (children of ``k`` at ``2k+1``, ``2k+2``) as float32 thresholds and
        int32 features, and the ``2**depth`` leaf values below them.  A leaf above the last
        level is copied into both halves of a padded subtree, so every walk takes exactly
        ``depth`` steps without a branch, and lands on the value the reference walk does.
        A float32 ``x`` satisfies ``x <= t`` exactly when it satisfies ``x <= t32`` for
        ``t32`` the largest float32 not above ``t``, so thresholds are rounded down and every
        split decides as the float64 walk does.  ``None`` when the trees are too deep to pad.
        """
        if self._packed is None:
            if self.depth > _MAX_PADDED_DEPTH:
                return None
            t32 = self.split_threshold.astype(np.float32)
            up = t32.astype(np.float64) > self.split_threshold
            t32[up] = np.nextafter(t32[up], np.float32(-np.inf))
            n_split = (1 << self.depth) - 1
            thresholds = np.full((self.n_trees, n_split), np.inf, dtype=np.float32)
            features = np.zeros((self.n_trees, n_split), dtype=np.int32)
            leaves = np.zeros((self.n_trees, n_split + 1), dtype=np.float64)
            for t in range(self.n_trees):
                # (heap slot, node) level by level; a leaf keeps going down both sides.
                level = [(0, 0)]
                for _ in range(self.depth):
                    nxt = []
                    for slot, node in level:
                        left, right = int(self.left[t, node]), int(self.right[t, node])
                        if left == node and right == node:
                            nxt += [(2 * slot + 1, node), (2 * slot + 2, node)]
                        else:
                            thresholds[t, slot] = t32[t, node]
                            features[t, slot] = self.feature[t, node]
                            nxt += [(2 * slot + 1, left), (2 * slot + 2, right)]
                    level = nxt
                for slot, node in level:
                    leaves[t, slot - n_split] = self.value[t, node]
            self._packed = (thresholds, features, leaves)
        return self._packed

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of spam for each row."""
        if len(X) == 0:
            return np.zeros(0)
        return self._walk(X, False)[0]

    def proba(self, X: np.ndarray) -> np.ndarray:
        """Spam probability for each row."""
        return _sigmoid(self.raw(X))

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-feature log-odds contributions of each row's score (for reasons)."""
        if len(X) == 0:
            return np.zeros((0, len(self.feature_names)))
        contrib = self._walk(X, True)[1]
        assert contrib is not None
        return contrib

    def for_columns(self, columns: Sequence[str]) -> SegmentModel:
        """This model scoring a matrix whose columns are ``columns``: its features mapped by name.

        A model trained on fewer (or reordered) features than today's scores today's
        matrix; a feature missing from ``columns`` is a :class:`ModelError`.
        """
        columns = tuple(columns)
        if columns == self.feature_names:
            return self
        mapped = self._by_columns.get(columns)
        if mapped is None:
            extra = sorted(set(self.feature_names) - set(columns))
            if extra:
                raise ModelError(
                    "model was trained on other features than this linkguard computes "
                    f"(unknown {extra[:5]}); retrain it"
                )
            remap = np.asarray([columns.index(n) for n in self.feature_names], dtype=np.int64)
            trees = {
                "feature": remap[self.feature],
                "threshold": self.split_threshold,
                "left": self.left,
                "right": self.right,
                "value": self.value,
            }
            mapped = SegmentModel(
                trees, self.baseline, self.threshold, columns, self.metadata, self.text, self.page, self.link
            )
            mapped.prose_threshold = self.prose_threshold
            mapped.hidden_threshold = self.hidden_threshold
            self._by_columns[columns] = mapped
        return mapped

    def to_dict(self) -> dict[str, Any]:
        trees = []
        for t in range(self.n_trees):
            used = _reachable(self.left[t], self.right[t])
            trees.append(
                {
                    "feature": [int(v) for v in self.feature[t, :used]],
                    "threshold": [float(v) if np.isfinite(v) else None for v in self.split_threshold[t, :used]],
                    "left": [int(v) for v in self.left[t, :used]],
                    "right": [int(v) for v in self.right[t, :used]],
                    "value": [float(v) for v in self.value[t, :used]],
                }
            )
        return {
            "format": MODEL_FORMAT,
            "format_version": MODEL_FORMAT_VERSION,
            "feature_names": list(self.feature_names),
            "baseline": self.baseline,
            "threshold": self.threshold,
            "prose_threshold": self.prose_threshold,
            **({} if self.hidden_threshold is None else {"hidden_threshold": self.hidden_threshold}),
            "trees": trees,
            "text_model": None if self.text is None else self.text.to_dict(),
            "page_model": None if self.page is None else self.page.to_dict(),
            "link_model": None if self.link is None else self.link.to_dict(),
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, data: Any, feature_names: Sequence[str] | None = None) -> SegmentModel:
        """Validate and rebuild; raises :class:`ModelError` on anything off.

        ``feature_names`` are the columns the model will score (see :meth:`for_columns`);
        ``None`` keeps the model's own.
        """
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ModelError("not a linkguard model file (missing 'format')")
        if data.get("format_version") != MODEL_FORMAT_VERSION:
            raise ModelError(
                f"model format version {data.get('format_version')!r} is not supported "
                f"(this linkguard reads version {MODEL_FORMAT_VERSION})"
            )
        raw_names = data.get("feature_names")
        names = tuple(raw_names) if isinstance(raw_names, list) else ()
        if not all(isinstance(n, str) for n in names):
            names = ()
        extra = sorted(set(names) - set(feature_names)) if feature_names is not None else []
        if not names or extra or len(set(names)) != len(names):
            raise ModelError(
                f"model was trained on other features than this linkguard computes (unknown {extra[:5]}); retrain it"
            )
        try:
            trees = data["trees"]
            baseline = float(data["baseline"])
            threshold = float(data["threshold"])
            if not isinstance(trees, list) or not trees:
                raise ValueError("no trees")
            width = max(len(t["feature"]) for t in trees)
            arrays = {
                "feature": np.zeros((len(trees), width), dtype=np.int64),
                "threshold": np.full((len(trees), width), np.inf),
                "left": np.tile(np.arange(width), (len(trees), 1)),
                "right": np.tile(np.arange(width), (len(trees), 1)),
                "value": np.zeros((len(trees), width)),
            }
            for i, t in enumerate(trees):
                m = len(t["feature"])
                if any(len(t[k]) != m for k in _TREE_FIELDS):
                    raise ValueError(f"tree {i}: arrays differ in length")
                arrays["feature"][i, :m] = t["feature"]
                arrays["threshold"][i, :m] = [np.inf if v is None else float(v) for v in t["threshold"]]
                arrays["left"][i, :m] = t["left"]
                arrays["right"][i, :m] = t["right"]
                arrays["value"][i, :m] = t["value"]
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise ModelError(f"model file is malformed: {exc}") from None
        width = arrays["feature"].shape[1]
        if (arrays["feature"] < 0).any() or (arrays["feature"] >= len(names)).any():
            raise ModelError("model refers to a feature index out of range")
        for key in ("left", "right"):
            if (arrays[key] < 0).any() or (arrays[key] >= width).any():
                raise ModelError("model tree links point outside the tree")
        if not np.isfinite(arrays["value"]).all() or np.isnan(arrays["threshold"]).any():
            raise ModelError("model holds non-finite numbers")
        if not np.isfinite(baseline) or not 0.0 < threshold < 1.0:
            raise ModelError("model has a non-finite baseline or a threshold outside (0, 1)")
        depth = _depth(arrays["left"], arrays["right"])
        if depth > 64:
            raise ModelError("model trees are deeper than 64 levels or contain cycles")
        metadata = data.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise ModelError("model metadata must be an object")
        text = None
        if data.get("text_model") is not None:
            try:
                text = TextModel.from_dict(data["text_model"])
            except (ValueError, TypeError) as exc:
                raise ModelError(f"model's text model is malformed: {exc}") from None
        companions: dict[str, SegmentModel | None] = {}
        for key in ("page_model", "link_model"):
            sub = data.get(key)
            companions[key] = None
            if sub is not None:
                if isinstance(sub, dict) and (sub.get("page_model") is not None or sub.get("link_model") is not None):
                    raise ModelError(f"a {key.replace('_', ' ')} cannot hold other models")
                companions[key] = cls.from_dict(sub)
        model = cls(
            arrays, baseline, threshold, names, dict(metadata), text, companions["page_model"], companions["link_model"]
        )
        model.prose_threshold = _own_threshold(data, "prose_threshold")
        model.hidden_threshold = _own_threshold(data, "hidden_threshold")
        return model if feature_names is None else model.for_columns(feature_names)


def _reachable(left: np.ndarray, right: np.ndarray) -> int:
    """How many leading slots of a padded tree are real nodes."""
    width = len(left)
    real = np.flatnonzero((left != np.arange(width)) | (right != np.arange(width)))
    if not len(real):
        return 1
    return int(max(real.max(), left[real].max(), right[real].max())) + 1


def _depth(left: np.ndarray, right: np.ndarray) -> int:
    """Steps needed for every sample to reach a leaf (65 = a cycle or too deep).

    The nodes a step can be at are a boolean mask per tree (not a sorted set of pairs: building
    that took most of a model's load time)."""
    trees, width = left.shape
    t = np.arange(trees)
    k = np.zeros(trees, dtype=np.int64)
    for depth in range(65):
        nl, nr = left[t, k], right[t, k]
        moving = (nl != k) | (nr != k)
        if not moving.any():
            return depth
        at = np.zeros((trees, width), dtype=bool)
        at[t[moving], nl[moving]] = True
        at[t[moving], nr[moving]] = True
        t, k = np.nonzero(at)
    return 65


def save_model(model: Any, path: str | os.PathLike[str]) -> None:
    """Write a model (a :class:`SegmentModel` or a fitted ``SegmentClassifier``) as JSON."""
    if not isinstance(model, SegmentModel):
        fitted = getattr(model, "model_", None)
        if not isinstance(fitted, SegmentModel):
            raise ModelError("save_model needs a SegmentModel or a fitted SegmentClassifier")
        model = fitted
    Path(path).write_text(json.dumps(model.to_dict(), indent=1, sort_keys=True) + "\n", "utf-8")


def _own_threshold(data: Mapping[str, Any], key: str) -> float | None:
    """An optional threshold of a model file for one kind of segment: absent, or a number in (0, 1]."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < float(value) <= 1.0:
        raise ModelError(f"model {key} must be a number in (0, 1]")
    return float(value)


def load_model(
    path: str | os.PathLike[str], *, allow_pickle: bool = False, feature_names: Sequence[str] | None = None
) -> SegmentModel:
    """Load a model file.

    JSON files are validated data. A pickle/joblib file is refused unless
    ``allow_pickle=True``: unpickling runs arbitrary code from the file, so only
    do that for files you made yourself.  ``feature_names``: as in
    :meth:`SegmentModel.from_dict`.
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
        try:
            import joblib
        except ImportError:
            raise ModelError(
                f"{p} is a pickle and reading one needs joblib: pip install 'linkguard-spam[train]'"
            ) from None
        est = joblib.load(p)  # only with allow_pickle=True: the caller vouches for the file
        fitted = getattr(est, "model_", est)
        if not isinstance(fitted, SegmentModel):
            raise ModelError(f"{p} does not hold a fitted SegmentClassifier")
        return fitted
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelError(f"model {p} is not valid JSON: {exc}") from None
    return SegmentModel.from_dict(data, feature_names)


@cache
def default_model() -> SegmentModel:
    """The bundled model, read once per process (trained on the features this linkguard computes)."""
    text = (resources.files("linkguard") / "data" / "model" / DEFAULT_MODEL).read_text("utf-8")
    return SegmentModel.from_dict(json.loads(text))
