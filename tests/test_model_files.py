"""Loading a model file never runs code from it, and bad files raise ``ModelError``."""

from __future__ import annotations

import copy
import json
import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import linkguard
from linkguard import FEATURE_NAMES, ModelError, load_model, save_model
from linkguard._model import _depth


class _Payload:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("suffix", [".pkl", ".joblib", ".pickle", ".json", ".bin", ""])
@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_pickle_payload_never_runs_by_default(tmp_path: Path, suffix: str, protocol: int) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / f"model{suffix}"
    path.write_bytes(pickle.dumps(_Payload(marker), protocol=protocol))
    with pytest.raises(ModelError):
        load_model(path)
    assert not marker.exists(), "load_model unpickled a file without allow_pickle=True"


def test_pickle_runs_only_with_explicit_opt_in(tmp_path: Path) -> None:
    """The opt-in is real (and dangerous): it is the only way the payload runs."""
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ModelError):  # it ran, then the result is not a classifier
        load_model(path, allow_pickle=True)
    assert marker.exists()


def _model_dict() -> dict[str, Any]:
    return linkguard.default_model().to_dict()


def _numbers(obj: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every float-valued number list in a model dict (format independent)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k != "metadata":
                found += _numbers(v, (*path, k))
    elif isinstance(obj, list):
        if obj and all(isinstance(v, float) for v in obj):
            found.append(path)
        else:
            for i, v in enumerate(obj[:3]):
                found += _numbers(v, (*path, i))
    return found


def _get(obj: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        obj = obj[k]
    return obj


def _write(tmp_path: Path, data: Any, name: str = "m.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data) if not isinstance(data, str) else data, "utf-8")
    return p


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save_model(linkguard.default_model(), path)
    model = load_model(path)
    assert model.threshold == linkguard.default_model().threshold
    assert linkguard.scan("<p>hello</p>", model=model).segments


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "\xff\xfe",
        "[]",
        "null",
        "{}",
        '{"format": "something-else"}',
        json.dumps({"format": "linkguard-segment-model", "format_version": 999}),
    ],
)
def test_wrong_format(tmp_path: Path, content: str) -> None:
    with pytest.raises(ModelError):
        load_model(_write(tmp_path, content))


def test_binary_garbage_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "g.json"
    p.write_bytes(b"\x00\x01\xff" * 100)
    with pytest.raises(ModelError):
        load_model(p)
    with pytest.raises(ModelError):
        load_model(tmp_path / "missing.json")
    with pytest.raises(ModelError):
        load_model(tmp_path)  # a directory


def test_wrong_feature_names(tmp_path: Path) -> None:
    for names in ([], [*FEATURE_NAMES, "extra"], ["not_a_feature"], [FEATURE_NAMES[0], FEATURE_NAMES[0]]):
        data = _model_dict()
        data["feature_names"] = names
        with pytest.raises(ModelError):
            load_model(_write(tmp_path, data))


def test_older_feature_subsets_are_remapped(tmp_path: Path) -> None:
    """A model trained on fewer (or reordered) features scores today's matrix by name."""
    import numpy as np

    data = _model_dict()
    for tree in data["trees"]:
        tree["feature"] = [0 for _ in tree["feature"]]
    data["feature_names"] = [FEATURE_NAMES[3]]  # feature 0 of this model is today's column 3
    model = load_model(_write(tmp_path, data))
    assert model.feature_names == FEATURE_NAMES
    assert set(model.feature[model.left != np.arange(model.left.shape[1])].tolist()) <= {3}
    # What the model carries besides its trees comes along to the remapped model.
    assert (model.text is None) == (data.get("text_model") is None)
    data["prose_threshold"] = 0.97
    data["hidden_threshold"] = 0.8
    remapped = load_model(_write(tmp_path, data))
    assert remapped.prose_threshold == 0.97
    assert remapped.hidden_threshold == 0.8
    assert (remapped.page is None) == (data.get("page_model") is None)
    assert (remapped.link is None) == (data.get("link_model") is None)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers(tmp_path: Path, bad: float) -> None:
    base = _model_dict()
    paths = _numbers(base)
    assert paths, "model dict has no number arrays?"
    for path in paths:
        data = copy.deepcopy(base)
        values = _get(data, path)
        values[0] = bad
        text = json.dumps(data)  # allow_nan: writes NaN / Infinity
        if bad == math.inf and path[-1] in ("threshold",):
            continue  # +inf is a legitimate split threshold (a leaf) in tree formats
        with pytest.raises(ModelError):
            load_model(_write(tmp_path, text))
    for key in ("threshold", "intercept", "baseline"):
        if key in base:
            data = copy.deepcopy(base)
            data[key] = bad
            with pytest.raises(ModelError):
                load_model(_write(tmp_path, json.dumps(data)))


def test_wrong_shapes(tmp_path: Path) -> None:
    base = _model_dict()
    for path in _numbers(base):
        for change in ("drop", "nest", "string", "empty"):
            data = copy.deepcopy(base)
            parent = _get(data, path[:-1])
            values = parent[path[-1]]
            if change == "drop":
                if len(values) < 2:
                    continue
                values.pop()
            elif change == "nest":
                parent[path[-1]] = [values]
            elif change == "string":
                parent[path[-1]] = "0,1,2"
            else:
                parent[path[-1]] = []
            try:
                model = load_model(_write(tmp_path, data))
            except ModelError:
                continue
            # Accepted (e.g. a shorter array that is still consistent): it must still score.
            assert linkguard.scan("<p>x</p><a href='http://a.com'>y</a>", model=model) is not None


@pytest.mark.parametrize("key", ["prose_threshold", "hidden_threshold"])
@pytest.mark.parametrize("value", [0.0, -0.5, 1.5, "0.5x", [0.5], True])
def test_bad_own_thresholds(tmp_path: Path, key: str, value: object) -> None:
    data = _model_dict()
    data[key] = value
    with pytest.raises(ModelError, match=key):
        load_model(_write(tmp_path, data))


def test_hidden_threshold_round_trips_and_is_left_out_when_unset(tmp_path: Path) -> None:
    data = _model_dict()
    model = load_model(_write(tmp_path, data))
    assert model.hidden_threshold is None and "hidden_threshold" not in model.to_dict()
    model.hidden_threshold = 0.8
    assert load_model(_write(tmp_path, model.to_dict())).hidden_threshold == 0.8


@pytest.mark.parametrize("threshold", [0.0, 1.0, -0.5, 2.0, "0.5x", None, [0.5]])
def test_bad_threshold(tmp_path: Path, threshold: object) -> None:
    data = _model_dict()
    data["threshold"] = threshold
    with pytest.raises(ModelError):
        load_model(_write(tmp_path, data))


def test_missing_keys(tmp_path: Path) -> None:
    base = _model_dict()
    for key in [k for k in base if k not in ("metadata", "text_model", "page_model", "link_model", "prose_threshold")]:
        data = copy.deepcopy(base)
        del data[key]
        with pytest.raises(ModelError):
            load_model(_write(tmp_path, data))


def test_huge_json_number_and_deep_json(tmp_path: Path) -> None:
    data = _model_dict()
    data["threshold"] = 10**400  # json gives an int; float() of it overflows
    with pytest.raises(ModelError):
        load_model(_write(tmp_path, data))
    with pytest.raises(ModelError):
        load_model(_write(tmp_path, "[" * 100_000 + "]" * 100_000))


def _depth_by_walking(left: list[list[int]], right: list[list[int]]) -> int:
    """The longest root-to-leaf walk, node by node (65: a cycle, a node met again on its own walk)."""

    def walk(tree: int, node: int, path: frozenset[int]) -> int:
        a, b = left[tree][node], right[tree][node]
        if a == node and b == node:
            return 0
        if node in path:
            return 65
        return min(65, 1 + max(walk(tree, a, path | {node}), walk(tree, b, path | {node})))

    return max(walk(t, 0, frozenset()) for t in range(len(left)))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_tree_depth_is_the_longest_walk_and_a_cycle_is_too_deep(data: st.DataObject) -> None:
    trees = data.draw(st.integers(1, 3))
    width = data.draw(st.integers(1, 7))
    nodes = st.lists(st.integers(0, width - 1), min_size=width, max_size=width)
    left = [data.draw(nodes) for _ in range(trees)]
    right = [data.draw(nodes) for _ in range(trees)]
    leaves = data.draw(st.lists(st.booleans(), min_size=width, max_size=width))
    for t in range(trees):  # a share of the nodes made leaves, so that finite trees are drawn too
        for k in range(width):
            if leaves[k]:
                left[t][k] = right[t][k] = k
    assert _depth(np.array(left), np.array(right)) == _depth_by_walking(left, right)
