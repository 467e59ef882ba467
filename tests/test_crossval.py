"""Cross-validation folds (``LINKGUARD_VAL_FOLD``) and the pooling of ``training_data.crossval``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from training_data import crossval, dataset

KEYS = [f"payload:group-{i}" for i in range(400)]


def _record(i: str, group: str) -> str:
    return json.dumps({"id": i, "family": "casino", "format": "text", "payload": f"spam {i}", "source_group": group})


def _excerpt(i: str, site: str) -> str:
    return json.dumps({"id": i, "category": "casino_news", "lang": "en", "snippet": f"news {i}", "source_group": site})


def _spam_page(i: str, group: str) -> str:
    return json.dumps(
        {"id": i, "family": "casino", "lang": "en", "format": "text", "page": f"page {i}", "source_group": group}
    )


@pytest.fixture
def data_tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    """A small ``training_data/``: standing payloads and excerpts, and two folders of new ones
    (``new``: payloads and excerpts, one of each sharing a standing unit or site; ``more``:
    payloads), so the extra-data tests do not hang on which batches the real data holds back."""
    files = {
        "payloads/a.jsonl": [_record(f"s-{i:02d}", f"s{i:02d}") for i in range(60)],
        "negatives/real/a.jsonl": [_excerpt(f"r-{i:02d}", f"site-r{i:02d}") for i in range(40)],
        "new/p.jsonl": [_record(f"n-{i:02d}", f"n{i:02d}") for i in range(40)] + [_record("n-dup", "s00")],
        "new/e.jsonl": [_excerpt(f"e-{i:02d}", f"site-e{i:02d}") for i in range(30)] + [_excerpt("e-dup", "site-r00")],
        "more/p.jsonl": [_record(f"m-{i:02d}", f"m{i:02d}") for i in range(20)],
        "spam_pages/a.jsonl": [_spam_page(f"sp-{i:02d}", f"sp{i:02d}") for i in range(30)],
        "new/s.jsonl": [_spam_page(f"ns-{i:02d}", f"ns{i:02d}") for i in range(25)] + [_spam_page("ns-dup", "sp00")],
    }
    for name, lines in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("".join(line + "\n" for line in lines))
    monkeypatch.setattr(dataset, "HERE", tmp_path)
    for env in (dataset.VAL_FOLD_ENV, dataset.EXTRA_TRAIN_ENV, dataset.EXTRA_FOLDS_ENV, dataset.EXTRA_VAL_ENV):
        monkeypatch.delenv(env, raising=False)
    dataset._extra_keys_of.cache_clear()
    yield tmp_path
    dataset._extra_keys_of.cache_clear()


def _splits(monkeypatch: pytest.MonkeyPatch, fold: int | None) -> list[str]:
    if fold is None:
        monkeypatch.delenv(dataset.VAL_FOLD_ENV, raising=False)
    else:
        monkeypatch.setenv(dataset.VAL_FOLD_ENV, str(fold))
    return [dataset.split_of(k) for k in KEYS]


def test_each_train_or_val_group_is_validation_in_exactly_one_fold(monkeypatch: pytest.MonkeyPatch) -> None:
    standing = _splits(monkeypatch, None)
    by_fold = [_splits(monkeypatch, k) for k in range(dataset.CV_FOLDS)]
    for i, split in enumerate(standing):
        sides = [f[i] for f in by_fold]
        if split == "test":
            assert sides == ["test"] * dataset.CV_FOLDS  # the test side never moves
        else:
            assert sides.count("val") == 1 and sides.count("train") == dataset.CV_FOLDS - 1
    # Every split function follows the fold; the carved-out corpus pages stay carved out.
    monkeypatch.setenv(dataset.VAL_FOLD_ENV, "0")
    for f in (dataset.real_negative_split, dataset.spam_page_split):
        assert {f(f"site-{i}") for i in range(200)} == {"train", "val", "test"}
    paths = [f"corpus/page-{i}.html.gz" for i in range(300)]
    carved = [p for p in paths if dataset.host_role(p) == "carved"]
    monkeypatch.delenv(dataset.VAL_FOLD_ENV)
    assert carved == [p for p in paths if dataset.host_role(p) == "carved"]


@pytest.mark.parametrize("raw", ["5", "-1", "one"])
def test_a_fold_out_of_range_is_an_error(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(dataset.VAL_FOLD_ENV, raw)
    with pytest.raises(ValueError, match="LINKGUARD_VAL_FOLD"):
        dataset.split_of("payload:x")


def _fold(k: int, tp: int, fp: int, fn: int, about: str, real_spam: int) -> dict[str, Any]:
    return {
        "fold": k,
        "threshold": 0.9,
        "val": {
            "page": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": tp, "fp": fp, "fn": fn, "tn": 10},
            "segment": {
                "precision": 0.5,
                "recall": 0.5,
                "f1": 0.5,
                "predicted": 10,
                "true_positive": 5,
                "gold": 8,
                "found": 4,
            },
            "spam_link_recall": 0.8 + k / 10,
            "obfuscation": {"a": 0.7, "b": 0.6 + k / 10},
            "clean_with_hard_negative": {"pages": 50, "false_alarm_pages": k},
            "not_clean": {"about_topic": about, "other_clean": "0/10", "comment_link": "1/5"},
            "page_verdicts": {
                "spam_page_real/html": {"pages": 4, "spam_page": real_spam},
                "spam_page_real/text": {"pages": 6, "spam_page": 1},
            },
        },
    }


def test_folds_are_pooled_by_counts() -> None:
    folds = [_fold(0, 8, 2, 2, "1/100", 2), _fold(1, 2, 0, 8, "3/50", 0)]
    total = crossval.pooled(folds)
    assert total["page"]["tp"] == 10 and total["page"]["precision"] == round(10 / 12, 4)
    assert total["page"]["recall"] == 0.5
    assert total["segment"]["precision"] == 0.5 and total["segment"]["recall"] == 0.5
    assert total["about_topic_not_clean"] == [4, 150] and total["comment_link_not_clean"] == [2, 10]
    assert total["hard_negative_pages_flagged"] == [1, 100]
    assert total["real_spam_pages_as_spam_page"] == [4, 20]
    assert total["spam_link_recall_mean"] == 0.85 and total["worst_disguise_mean"] == 0.65  # min per fold: 0.6, 0.7
    md = crossval.markdown(folds, total).splitlines()
    assert len(md) == 2 + len(folds) + 1 and md[-1].startswith("| all |")
    assert "4/150, 0/20, 2/10" in md[-1] and md[-1].endswith("| 1/100 | 4/20 |")


def test_ranking_figures_are_pooled_when_every_fold_has_them() -> None:
    folds = [_fold(0, 8, 2, 2, "1/100", 2), _fold(1, 2, 0, 8, "3/50", 0)]
    assert "ranking_recall_at_fa" not in crossval.pooled(folds)  # runs made before the figure
    folds[0]["val"]["ranking"] = {"spam_pages": 10, "found": 7, "average_precision": 0.9}
    assert "ranking_recall_at_fa" not in crossval.pooled(folds)  # one fold lacks it
    folds[1]["val"]["ranking"] = {"spam_pages": 10, "found": 5, "average_precision": 0.8}
    total = crossval.pooled(folds)
    assert total["ranking_recall_at_fa"] == [12, 20] and total["ranking_average_precision_mean"] == 0.85


def test_options_set_per_fold_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--", "--out", "x.json"], ["--", "--page-only", "m.json"], ["--folds", "7"], ["--folds", "a"]):
        with pytest.raises(SystemExit):
            crossval.main(argv)
    assert "set per fold" in capsys.readouterr().err


def test_a_run_whose_data_changes_midway_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """A fold reads the data when it trains and again when it builds its validation pages: data
    added while folds run would mix two data sets into one result, so the run stops instead."""
    digests = iter(["before", "before", "after"])
    monkeypatch.setattr(crossval, "data_digest", lambda corpus: next(digests))

    class Done:
        returncode = 0
        stdout = '{"threshold": 0.9, "val": {}}'
        stderr = ""

    monkeypatch.setattr("training_data.crossval.subprocess.run", lambda *a, **k: Done())
    out = tmp_path / "run.json"
    # The first fold ends on the data it began with; the second ends on other data.
    assert crossval.main(["--folds", "0,1", "--jobs", "1", "--out", str(out)]) == 2
    assert not out.exists()


def test_the_data_check_passes_on_data_left_alone() -> None:
    crossval.check_data(dataset.data_digest(dataset.DEFAULT_CORPUS))
    with pytest.raises(crossval.DataChangedError):
        crossval.check_data("0" * 64)


def test_extra_training_folders_join_the_train_side_only(monkeypatch: pytest.MonkeyPatch, data_tree: Any) -> None:
    """``LINKGUARD_EXTRA_TRAIN``: records of the named folders are training data in every split and
    every fold, the standing records keep their sides (so both runs read the same validation pages),
    and a record whose split unit or site the standing data already has is left out."""
    standing = dataset.payloads()
    negatives = dataset.real_negatives()
    sides = {p.id: dataset.split_of("payload:" + p.group) for p in standing}
    neg_sides = {n.id: dataset.real_negative_split(n.group) for n in negatives}

    monkeypatch.setenv(dataset.EXTRA_TRAIN_ENV, "new, more")
    grown, grown_negs = dataset.payloads(), dataset.real_negatives()
    extra = [p for p in grown if p.id not in sides]
    extra_negs = [n for n in grown_negs if n.id not in neg_sides]
    assert len(extra) == 60 and len(extra_negs) == 30  # the records sharing a unit or a site are left out
    assert "n-dup" not in {p.id for p in extra} and "e-dup" not in {n.id for n in extra_negs}
    for fold in (None, *range(dataset.CV_FOLDS)):
        if fold is None:
            monkeypatch.delenv(dataset.VAL_FOLD_ENV, raising=False)
        else:
            monkeypatch.setenv(dataset.VAL_FOLD_ENV, str(fold))
        assert {dataset.split_of("payload:" + p.group) for p in extra} == {"train"}
        assert {dataset.real_negative_split(n.group) for n in extra_negs} == {"train"}
    monkeypatch.delenv(dataset.VAL_FOLD_ENV)
    assert {p.id: dataset.split_of("payload:" + p.group) for p in standing} == sides
    assert {n.id: dataset.real_negative_split(n.group) for n in negatives} == neg_sides
    assert dataset.extra_data_record() == {"extra_train": ["new", "more"]}


@pytest.mark.parametrize("raw", ["no/such/folder", "../..", "/tmp"])
def test_an_extra_training_folder_outside_the_data_is_an_error(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(dataset.EXTRA_TRAIN_ENV, raw)
    with pytest.raises(ValueError, match="not a folder under training_data"):
        dataset.extra_train_dirs()


def test_crossval_passes_extra_training_folders_to_its_folds_and_records_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, data_tree: Any
) -> None:
    seen: list[str | None] = []

    class Done:
        returncode = 0
        stdout = '{"threshold": 0.9, "val": {}}'
        stderr = ""

    def run(cmd: list[str], env: dict[str, str], **_: Any) -> Done:
        seen.append(env.get(dataset.EXTRA_TRAIN_ENV))
        return Done()

    monkeypatch.setenv(dataset.EXTRA_TRAIN_ENV, "")  # main sets it; this test's undo clears it
    monkeypatch.setattr("training_data.crossval.subprocess.run", run)
    monkeypatch.setattr(crossval, "pooled", lambda folds: {})
    monkeypatch.setattr(crossval, "markdown", lambda folds, total: "")
    out = tmp_path / "run.json"
    assert crossval.main(["--folds", "0,1", "--jobs", "1", "--extra-train", "new", "--out", str(out)]) == 0
    assert seen == ["new", "new"]
    assert json.loads(out.read_text())["extra_train"] == ["new"]
    with pytest.raises(SystemExit):
        crossval.main(["--folds", "0", "--extra-train", "no/such/folder"])


def _sides(monkeypatch: pytest.MonkeyPatch, env: str, fold: int) -> tuple[dict[str, str], dict[str, str]]:
    """Payload and excerpt sides in ``fold`` with the folder ``new`` under ``env``."""
    for other in (dataset.EXTRA_TRAIN_ENV, dataset.EXTRA_FOLDS_ENV, dataset.EXTRA_VAL_ENV):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(dataset.VAL_FOLD_ENV, str(fold))
    monkeypatch.setenv(env, "new")
    pays = {p.id: dataset.split_of("payload:" + p.group) for p in dataset.payloads()}
    negs = {n.id: dataset.real_negative_split(n.group) for n in dataset.real_negatives()}
    return pays, negs


def test_fold_only_extra_data_shares_its_validation_pages_and_trains_only_in_the_other_folds(
    monkeypatch: pytest.MonkeyPatch, data_tree: Any
) -> None:
    """``LINKGUARD_EXTRA_FOLDS`` against ``LINKGUARD_EXTRA_VAL``: the new records are validation in
    their own fold under both, so both runs read the same validation pages; in the other folds they
    are training data under the first and read by no split under the second; standing records keep
    their sides; the test side never gets them; each new record is validation in exactly one fold."""
    val_folds: dict[str, int] = {}
    for fold in range(dataset.CV_FOLDS):
        monkeypatch.setenv(dataset.VAL_FOLD_ENV, str(fold))
        monkeypatch.delenv(dataset.EXTRA_FOLDS_ENV, raising=False)
        monkeypatch.delenv(dataset.EXTRA_VAL_ENV, raising=False)
        standing = {p.id: dataset.split_of("payload:" + p.group) for p in dataset.payloads()}
        standing_negs = {n.id: dataset.real_negative_split(n.group) for n in dataset.real_negatives()}
        folds, folds_negs = _sides(monkeypatch, dataset.EXTRA_FOLDS_ENV, fold)
        val, val_negs = _sides(monkeypatch, dataset.EXTRA_VAL_ENV, fold)
        assert folds.keys() == val.keys() and len(folds) == len(standing) + 40
        assert folds_negs.keys() == val_negs.keys() and len(folds_negs) == len(standing_negs) + 30
        for ids, base in ((folds, standing), (val, standing), (folds_negs, standing_negs), (val_negs, standing_negs)):
            assert {k: ids[k] for k in base} == base
        for a, b in ((folds, val), (folds_negs, val_negs)):
            for k in (k for k in a if k not in standing and k not in standing_negs):
                assert (a[k], b[k]) in {("val", "val"), ("train", "none")}
                if a[k] == "val":
                    assert k not in val_folds
                    val_folds[k] = fold
        assert dataset.extra_fold_groups() == {f"n{i:02d}" for i in range(40)}
    assert len(val_folds) == 70 and len(set(val_folds.values())) == dataset.CV_FOLDS


def test_fold_only_extra_data_needs_a_fold_and_one_role_per_folder(
    monkeypatch: pytest.MonkeyPatch, data_tree: Any
) -> None:
    monkeypatch.setenv(dataset.EXTRA_FOLDS_ENV, "new")
    with pytest.raises(ValueError, match="need a cross-validation fold"):
        dataset.payloads()
    dataset.check_extra_data(fold_required=False)
    monkeypatch.setenv(dataset.EXTRA_VAL_ENV, "new")
    with pytest.raises(ValueError, match="named by both"):
        dataset.check_extra_data(fold_required=False)
    monkeypatch.setenv(dataset.EXTRA_VAL_ENV, "more")
    monkeypatch.setenv(dataset.VAL_FOLD_ENV, "2")
    assert dataset.extra_data_record() == {"extra_folds": ["new"], "extra_val": ["more"]}


def test_crossval_pools_the_new_groups_pages_apart() -> None:
    def part(tp: int, fn: int, seg: tuple[int, int, int, int]) -> dict[str, Any]:
        segment = dict(zip(("predicted", "true_positive", "gold", "found"), seg, strict=True))
        return {"pages": tp + fn + 2, "page": {"tp": tp, "fp": 1, "fn": fn}, "segment": segment}

    def fold(new: dict[str, Any], rest: dict[str, Any], extra: bool) -> dict[str, Any]:
        val = {
            "page": {k: new["page"][k] + rest["page"][k] for k in ("tp", "fp", "fn")},
            "segment": {k: new["segment"][k] + rest["segment"][k] for k in new["segment"]},
            "spam_link_recall": 0.9,
            "clean_with_hard_negative": {"false_alarm_pages": 1, "pages": 10},
            "not_clean": {"about_topic": "1/5", "other_clean": "0/5", "comment_link": "0/2"},
            "page_verdicts": {},
        }
        if extra:
            val |= {
                "extra_pages": new,
                "standing_pages": rest,
                "extra_pages_by_family": {"casino": [new["page"]["tp"], 4]},
            }
        return {"val": val}

    new = [part(3, 1, (4, 3, 5, 3)), part(1, 3, (2, 1, 4, 1))]
    rest = [part(10, 0, (10, 10, 10, 10)), part(8, 2, (9, 8, 10, 8))]
    got = crossval.pooled([fold(n, r, True) for n, r in zip(new, rest, strict=True)])
    assert got["extra_pages"]["pages"] == 12 and got["extra_pages"]["page"]["recall"] == 0.5
    assert got["extra_pages"]["segment"]["precision"] == round(4 / 6, 4)
    assert got["extra_pages"]["segment"]["recall"] == round(4 / 9, 4)
    assert got["standing_pages"]["page"]["recall"] == 0.9 and got["standing_pages"]["page"]["fp"] == 2
    assert got["page"]["tp"] == 22 and got["page"]["fn"] == 6  # every page, as without the option
    assert got["extra_pages_by_family"] == {"casino": [4, 8]}
    # A run without fold-only extra data has neither key, and compare reads neither figure.
    plain = crossval.pooled([fold(n, r, False) for n, r in zip(new, rest, strict=True)])
    assert not {"extra_pages", "standing_pages", "extra_pages_by_family"} & plain.keys()


def test_crossval_passes_fold_only_extra_data_to_its_folds_and_records_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, data_tree: Any
) -> None:
    seen: list[tuple[str | None, str | None]] = []

    class Done:
        returncode = 0
        stdout = '{"threshold": 0.9, "val": {}}'
        stderr = ""

    def run(cmd: list[str], env: dict[str, str], **_: Any) -> Done:
        seen.append((env.get(dataset.EXTRA_FOLDS_ENV), env.get(dataset.VAL_FOLD_ENV)))
        return Done()

    for env in (dataset.EXTRA_TRAIN_ENV, dataset.EXTRA_FOLDS_ENV, dataset.EXTRA_VAL_ENV):
        monkeypatch.setenv(env, "")  # main sets them; this test's undo clears them
    monkeypatch.delenv(dataset.VAL_FOLD_ENV, raising=False)
    monkeypatch.setattr("training_data.crossval.subprocess.run", run)
    monkeypatch.setattr(crossval, "pooled", lambda folds: {})
    monkeypatch.setattr(crossval, "markdown", lambda folds, total: "")
    out = tmp_path / "run.json"
    assert crossval.main(["--folds", "1", "--extra-folds", "new", "--out", str(out)]) == 0
    assert seen == [("new", "1")]
    assert json.loads(out.read_text())["extra_folds"] == ["new"]
    with pytest.raises(SystemExit):  # one folder in two roles
        crossval.main(["--folds", "0", "--extra-val", "new"])


def test_fold_only_records_are_read_in_one_order_however_they_are_spread_over_folders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """A run that holds some of a batch back (``--extra-val``) builds the same validation pages as
    one that trains on all of it: the records come in one order, by id, whatever their folder."""

    def record(i: int) -> str:
        return json.dumps(
            {"id": f"x-{i:02d}", "family": "casino", "format": "text", "payload": f"spam {i}", "source_group": f"g{i}"}
        )

    (tmp_path / "payloads").mkdir()
    (tmp_path / "payloads" / "a.jsonl").write_text(record(0) + "\n")
    for name, ids in (("all", (5, 1, 3, 2, 4)), ("some", (5, 3)), ("rest", (1, 2, 4))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "r.jsonl").write_text("".join(record(i) + "\n" for i in ids))
    monkeypatch.setattr(dataset, "HERE", tmp_path)
    monkeypatch.setattr(dataset, "_standing_negatives", lambda: [])
    monkeypatch.setenv(dataset.VAL_FOLD_ENV, "0")
    monkeypatch.delenv(dataset.EXTRA_TRAIN_ENV, raising=False)
    monkeypatch.setenv(dataset.EXTRA_FOLDS_ENV, "all")
    monkeypatch.delenv(dataset.EXTRA_VAL_ENV, raising=False)
    whole = [p.id for p in dataset.payloads()]
    monkeypatch.setenv(dataset.EXTRA_FOLDS_ENV, "rest")
    monkeypatch.setenv(dataset.EXTRA_VAL_ENV, "some")
    split = [p.id for p in dataset.payloads()]
    assert whole == split == ["x-00", "x-01", "x-02", "x-03", "x-04", "x-05"]


def test_validation_figures_say_the_new_groups_pages_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from training_data import validate

    def page(group: str, family: str, spam: bool = True, kind: str = "real") -> Any:
        return SimpleNamespace(payload_group=group, family=family, is_spam=spam, kind=kind)

    pages = [page("new1", "casino"), page("new1", "casino"), page("new2", "other"), page("old", "pharma")]
    pages += [page("", "", spam=False), page("new1", "composite", kind="composite")]
    counts = [{"tp": 1, "fn": 0}, {"tp": 0, "fn": 1}, {"tp": 1, "fn": 0}, {"tp": 1, "fn": 0}, {"tn": 1}, {"tp": 1}]
    monkeypatch.setattr(validate, "extra_fold_groups", lambda: frozenset())
    assert validate._by_origin(pages, counts) == {}
    monkeypatch.setattr(validate, "extra_fold_groups", lambda: frozenset({"new1", "new2"}))
    got = validate._by_origin(pages, counts)
    assert got["extra_pages"]["pages"] == 3 and got["extra_pages"]["page"]["recall"] == round(2 / 3, 4)
    assert got["extra_pages_by_family"] == {"casino": [1, 2], "other": [1, 1]}
    assert got["standing_pages"]["pages"] == 2 and got["standing_pages"]["page"]["tp"] == 1  # recombined runs left out


def test_fold_only_spam_pages_take_the_same_roles(monkeypatch: pytest.MonkeyPatch, data_tree: Any) -> None:
    """Spam pages in the extra folders (records with a ``page``) follow the same rules: validation
    in their own fold under both roles, training elsewhere only under ``--extra-folds``, training
    everywhere under ``--extra-train``; one sharing a standing group is left out."""
    standing = {sp.id for sp in dataset.spam_pages()}
    assert len(standing) == 30
    for fold in range(dataset.CV_FOLDS):
        monkeypatch.setenv(dataset.VAL_FOLD_ENV, str(fold))
        sides = {}
        for env in (dataset.EXTRA_FOLDS_ENV, dataset.EXTRA_VAL_ENV):
            monkeypatch.delenv(dataset.EXTRA_FOLDS_ENV, raising=False)
            monkeypatch.delenv(dataset.EXTRA_VAL_ENV, raising=False)
            monkeypatch.setenv(env, "new")
            sides[env] = {sp.id: dataset.spam_page_split(sp.group) for sp in dataset.spam_pages()}
            assert dataset.extra_fold_groups("spampage") == {f"ns{i:02d}" for i in range(25)}
        folds, val = sides[dataset.EXTRA_FOLDS_ENV], sides[dataset.EXTRA_VAL_ENV]
        assert folds.keys() == val.keys() and len(folds) == 55 and "ns-dup" not in folds
        for k in folds.keys() - standing:
            assert (folds[k], val[k]) in {("val", "val"), ("train", "none")}
    monkeypatch.delenv(dataset.EXTRA_FOLDS_ENV, raising=False)
    monkeypatch.delenv(dataset.EXTRA_VAL_ENV, raising=False)
    monkeypatch.setenv(dataset.EXTRA_TRAIN_ENV, "new")
    assert {dataset.spam_page_split(sp.group) for sp in dataset.spam_pages() if sp.id not in standing} == {"train"}


def test_validation_figures_say_the_new_spam_pages_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from training_data import compare, validate

    pages = [SimpleNamespace(kind=k, payload_group=g) for k, g in (("spam_page_real", "a"), ("spam_page_real", "a"))]
    pages += [
        SimpleNamespace(kind=k, payload_group=g) for k, g in (("spam_page_real", "b"), ("spam_page_template", "a"))
    ]
    labels = ["spam_page", "clean", "spam_page", "spam_page"]
    monkeypatch.setattr(
        validate, "extra_fold_groups", lambda kind="payload": frozenset({"a"} if kind == "spampage" else ())
    )
    got = validate._spam_pages_by_origin(pages, labels)
    assert got == {"extra_spam_pages": [1, 2], "standing_spam_pages": [1, 1]}  # template pages are not real ones
    pooled = crossval.pooled(
        [
            {"val": {**_minimal_val(), **got}},
            {"val": {**_minimal_val(), "extra_spam_pages": [2, 2], "standing_spam_pages": [0, 3]}},
        ]
    )
    assert pooled["extra_spam_pages"] == [3, 4] and pooled["standing_spam_pages"] == [1, 4]
    read = {f.name: f for f in compare.FIGURES}
    assert read["new spam pages as spam_page"].read(pooled) == 0.75
    assert read["other real spam pages as spam_page"].read(pooled) == 1.0


def _minimal_val() -> dict[str, Any]:
    return {
        "page": {"tp": 1, "fp": 0, "fn": 1},
        "segment": {"predicted": 1, "true_positive": 1, "gold": 2, "found": 1},
        "spam_link_recall": 0.5,
        "clean_with_hard_negative": {"false_alarm_pages": 0, "pages": 1},
        "not_clean": {"about_topic": "0/1", "other_clean": "0/1", "comment_link": "0/1"},
        "page_verdicts": {},
    }
