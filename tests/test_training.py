"""The training code reads pages as ``scan`` does and its pieces run (the full run is the slow test).

The training entry point calls private reading and feature functions of the package; these
tests keep it in step with them on a small slice of the validation split.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import linkguard
from linkguard import FEATURE_NAMES
from linkguard._features import PAGE_FEATURE_NAMES
from linkguard._model import DEFAULT_MODEL
from linkguard._normalize import normalize_many

pytest.importorskip("sklearn")
from training_data.dataset import LabelledPage, build_page_split, build_split, spam_page_split
from training_data.train import (
    MODEL_DIR,
    PAGE_MONOTONE_DOWN,
    PAGE_MONOTONE_UP,
    Featurised,
    PageText,
    choose_hidden_threshold,
    choose_threshold,
    featurise,
    fit_text_model,
    group_fold,
    host_fold,
    main,
    monotone_constraints,
    oof_folds,
    spam_page_texts,
    text_scores_out_of_fold,
)


@pytest.fixture(scope="module")
def val_pages(corpus_dir: Path) -> list[LabelledPage]:
    pages = build_split("val", corpus_dir)
    spam = [p for p in pages if p.is_spam][:12]
    clean = [p for p in pages if not p.is_spam][:12]
    return spam + clean


@pytest.fixture(scope="module")
def featurised(val_pages: list[LabelledPage]) -> Featurised:
    return featurise(val_pages)


def test_training_reads_pages_as_scan_does(val_pages: list[LabelledPage], featurised: Featurised) -> None:
    """Same segments, in the same order, as a user's ``scan`` of the page: no train/serve skew."""
    f = featurised
    assert f.X.shape == (len(f.y), len(FEATURE_NAMES)) and len(f.texts) == len(f.y)
    assert f.y.any() and not f.y.all()
    for k, lp in enumerate(val_pages):
        rows = np.flatnonzero(f.owner == k)
        report = linkguard.scan(lp.page, lp.url, mode=lp.mode)
        assert [f.texts[i] for i in rows] == normalize_many([s.text for s in report.segments])[0]
        assert [s.hidden for s in f.lite[k].segments] == [s.hidden for s in report.segments]


def test_text_model_learns_from_segments(featurised) -> None:  # type: ignore[no-untyped-def]
    f = featurised
    groups = [f"g{i % 4}" for i in range(len(f.y))]
    model, oof, folds = fit_text_model(f.texts, f.y, groups)
    assert model is not None and len(oof) == len(f.y) and len(folds) > 1
    scores = model.scores(f.texts)
    assert scores[f.y].mean() > scores[~f.y].mean()
    # Without the full model (--page-only keeps its own): the same folds and out-of-fold scores.
    none, oof_again, folds_again = fit_text_model(f.texts, f.y, groups, full=False)
    assert none is None and np.array_equal(oof_again, oof)
    assert all(np.array_equal(a.weights, b.weights) for a, b in zip(folds, folds_again, strict=True))


def test_out_of_fold_text_scores_follow_the_fold_groups(featurised) -> None:  # type: ignore[no-untyped-def]
    """A text fitted on under a source group is scored, when it comes back in a built page, by the
    fold model that never saw that group; any other text by the fold its own text hashes to: the
    same scores the text model gave the training rows out of fold."""
    f = featurised
    spam_groups = {t: f"spampage:g{i % 3}" for i, (t, y) in enumerate(zip(f.texts, f.y, strict=True)) if y}
    groups = [spam_groups.get(t, f"text:{t}") if y else f"text:{t}" for t, y in zip(f.texts, f.y, strict=True)]
    _, oof, folds = fit_text_model(f.texts, f.y, groups, full=False)
    again = text_scores_out_of_fold(f.texts, folds, spam_groups)
    assert np.allclose(np.clip(again, -12, 12), oof, atol=1e-4)
    # Without the groups, a spam text goes to the fold of its own text: in general another one.
    assert not np.allclose(np.clip(text_scores_out_of_fold(f.texts, folds), -12, 12), oof, atol=1e-4)


def test_page_text_scores_train_pages_out_of_fold(featurised) -> None:  # type: ignore[no-untyped-def]
    """The page model's own text model scores the train split's pages with the fold that never saw
    them (its training rows are then as unseen pages), every other split with the full model."""
    f = featurised
    spam_groups = {t: f"spampage:g{i % 3}" for i, (t, y) in enumerate(zip(f.texts, f.y, strict=True)) if y}
    groups = [spam_groups.get(t, f"text:{t}") for t in f.texts]
    full, oof, folds = fit_text_model(f.texts, f.y, groups)
    assert full is not None
    pt = PageText(full, oof.astype(np.float32), folds, spam_groups)
    assert np.array_equal(pt.scores(f.texts, "train"), text_scores_out_of_fold(f.texts, folds, spam_groups))
    assert np.array_equal(pt.scores(f.texts, "val"), full.scores(f.texts))
    assert not np.allclose(pt.scores(f.texts, "train"), pt.scores(f.texts, "val"))


def test_spam_page_texts_come_from_train_spam_pages(corpus_dir: Path) -> None:
    texts, groups = spam_page_texts(corpus_dir)
    assert texts and len(texts) == len(groups)
    assert all(len(t) >= 20 for t in texts)
    assert all(g.startswith("spampage:") and spam_page_split(g.removeprefix("spampage:")) == "train" for g in groups)


def test_page_split_builds(corpus_dir: Path) -> None:
    pages = build_page_split("val", corpus_dir)
    assert any(p.is_spam for p in pages) and any(not p.is_spam for p in pages)


def test_a_page_added_to_the_data_changes_no_other_page(corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page of the page split draws from a random stream of its own: without one spam page
    and one excerpt, the split is the same pages less theirs (figures compare page for page
    when the data grows)."""
    from training_data import dataset

    def key(lp: LabelledPage) -> tuple[str, str, str, str, str]:
        return (lp.kind, lp.payload_id, lp.host_path, lp.mode, lp.page)

    full = build_page_split("val", corpus_dir)
    spam_id = next(lp.payload_id for lp in full if lp.kind == "spam_page_template")
    about = [lp for lp in full if lp.kind == "about_page"]
    excerpt_id = about[len(about) // 2].payload_id
    all_spam, all_negs = dataset.spam_pages(), dataset.real_negatives()
    monkeypatch.setattr(dataset, "spam_pages", lambda: [p for p in all_spam if p.id != spam_id])
    monkeypatch.setattr(dataset, "real_negatives", lambda: [n for n in all_negs if n.id != excerpt_id])
    fewer = build_page_split("val", corpus_dir)
    gone = {key(lp) for lp in full if lp.payload_id in (spam_id, excerpt_id)}
    before, after = {key(lp) for lp in full} - gone, {key(lp) for lp in fewer}
    assert gone and not gone & after
    # Only about-the-topic pages that drew the removed excerpt as a companion paragraph differ:
    # the same page (lead excerpt, host, mode) with other companions.
    changed_before, changed_after = before - after, after - before
    assert all(k[0] == "about_page" for k in changed_before | changed_after)
    assert {k[:4] for k in changed_after} <= {k[:4] for k in changed_before}
    assert len(changed_before) <= 12 and len(after) >= len(before) - len(changed_before)


def test_a_payload_added_to_the_held_back_set_changes_no_other_page(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each held-back payload draws from a random stream of its own: without one of them, the
    held-back pages are the same pages less its own."""
    from training_data import dataset

    def key(lp: LabelledPage) -> tuple[str, str, str]:
        return (lp.payload_id, lp.host_path, lp.page)

    full = dataset.build_unseen(corpus_dir)
    ids = sorted({lp.payload_id for lp in full})
    left_out = ids[len(ids) // 2]
    standing = dataset.payloads

    def without(pattern: str = dataset.STANDING_PAYLOADS) -> list[dataset.Payload]:
        return [p for p in standing(pattern) if p.id != left_out]

    monkeypatch.setattr(dataset, "payloads", without)
    fewer = dataset.build_unseen(corpus_dir)
    assert {key(lp) for lp in fewer} == {key(lp) for lp in full if lp.payload_id != left_out}
    assert len(fewer) < len(full)


@pytest.mark.slow
def test_training_command_selects_a_model(tmp_path: Path, corpus_dir: Path) -> None:
    """The one training command, in its model-selection form, end to end (several minutes)."""
    out = tmp_path / "m.json"
    assert main(["--select", "--corpus", str(corpus_dir), "--out", str(out), "--trees", "20"]) == 0
    assert linkguard.load_model(out).threshold > 0


def test_monotone_constraints_follow_the_features_meaning() -> None:
    """Word and link evidence may only raise the spam probability, a reporting voice only lower
    it, layout is free; a constraint naming a feature the model does not have is an error."""
    got = dict(zip(FEATURE_NAMES, monotone_constraints(), strict=True))
    assert got["terms_gambling_id"] == got["log_raw_ip"] == got["hidden"] == got["text_score"] == 1
    assert got["stance_terms"] == got["nbr_stance"] == -1
    assert got["log_words"] == got["in_main_text"] == got["link_density"] == 0
    with pytest.raises(ValueError, match="stance_terms"):
        monotone_constraints([n for n in FEATURE_NAMES if n != "stance_terms"])
    # The page model's, also when trained without some of its features.
    kept = [n for n in PAGE_FEATURE_NAMES if n != "title_terms"]
    page = dict(
        zip(kept, monotone_constraints(kept, PAGE_MONOTONE_UP, PAGE_MONOTONE_DOWN, PAGE_FEATURE_NAMES), strict=True)
    )
    assert page["max_score"] == page["url_path_terms"] == 1 and page["stance_density"] == -1 and page["log_words"] == 0


def test_out_of_fold_rows_by_source_group() -> None:
    """By host page, every row of a page shares the host's fold; by source, a spam row takes its
    payload group's fold (the same on every host it was planted on), clean rows keep the host's."""
    from training_data.dataset import LabelledPage

    groups = [f"group-{i}" for i in range(12)]
    pages = [
        LabelledPage("", None, "html", True, host_path=f"host-{i}", payload_group=groups[i % 12]) for i in range(40)
    ]
    pages.append(LabelledPage("", None, "html", True, host_path="host-x"))  # a recombined run: no one group
    owner = np.repeat(np.arange(len(pages)), 3)
    y = np.tile([False, True, False], len(pages))
    by_host = oof_folds(y, owner, pages, by_source=False)
    assert (by_host == np.asarray([host_fold(pages[o].host_path) for o in owner])).all()
    by_source = oof_folds(y, owner, pages, by_source=True)
    want = [
        group_fold(pages[o].payload_group) if spam and pages[o].payload_group else host_fold(pages[o].host_path)
        for o, spam in zip(owner, y, strict=True)
    ]
    assert (by_source == np.asarray(want)).all()
    assert (by_source[~y] == by_host[~y]).all() and (by_source[y] != by_host[y]).any()


def test_page_options_are_checked_before_any_work(tmp_path: Path) -> None:
    """A misspelt page feature or a missing model file stops the command at once, not minutes in."""
    with pytest.raises(SystemExit):
        main(["--select", "--out", str(tmp_path / "m.json"), "--page-without", "log_words,no_such_feature"])
    with pytest.raises(SystemExit):
        main(["--select", "--out", str(tmp_path / "m.json"), "--page-only", str(tmp_path / "missing.json")])
    with pytest.raises(SystemExit):
        main(["--select", "--out", str(tmp_path / "m.json"), "--link-only", str(tmp_path / "missing.json")])
    with pytest.raises(SystemExit):
        kept = str(MODEL_DIR / DEFAULT_MODEL)
        main(["--select", "--out", str(tmp_path / "m.json"), "--page-only", kept, "--link-only", kept])


@pytest.mark.slow
def test_page_only_keeps_the_other_models(tmp_path: Path, corpus_dir: Path) -> None:
    """``--page-only``: the kept model's segment, text and link models and thresholds, a new page
    model (here without one of its features, and with a text model of its own)."""
    kept = linkguard.load_model(MODEL_DIR / DEFAULT_MODEL)
    out = tmp_path / "m.json"
    args = ["--select", "--corpus", str(corpus_dir), "--out", str(out), "--trees", "20"]
    kept_file = str(MODEL_DIR / DEFAULT_MODEL)
    assert main([*args, "--page-only", kept_file, "--page-without", "title_terms", "--page-text"]) == 0
    got = linkguard.load_model(out)
    # --page-text: the page model carries a text model of its own; the segment model's is the kept one.
    assert got.page is not None and got.page.text is not None
    assert got.text is not None and kept.text is not None and np.array_equal(got.text.weights, kept.text.weights)
    assert not np.array_equal(got.page.text.weights, kept.text.weights)
    assert (got.threshold, got.prose_threshold) == (kept.threshold, kept.prose_threshold)
    assert got.link is not None and kept.link is not None
    assert got.feature_names == kept.feature_names and got.link.threshold == kept.link.threshold
    assert got.page is not None
    assert "title_terms" not in got.page.feature_names and "log_words" in got.page.feature_names


@pytest.mark.slow
def test_card_only_measures_the_model_again_and_fits_nothing(tmp_path: Path, corpus_dir: Path) -> None:
    """``--card-only``: the bundled model's trees, thresholds and companions as they are, its
    figures measured again and said so on the card."""
    import json

    kept_file = MODEL_DIR / DEFAULT_MODEL
    out, card = tmp_path / "m.json", tmp_path / "card.md"
    args = ["--corpus", str(corpus_dir), "--out", str(out), "--card", str(card)]
    assert main([*args, "--card-only", str(kept_file)]) == 0
    before, after = json.loads(kept_file.read_text("utf-8")), json.loads(out.read_text("utf-8"))
    assert {k: v for k, v in before.items() if k != "metadata"} == {k: v for k, v in after.items() if k != "metadata"}
    assert after["metadata"]["metrics_test"] == before["metadata"]["metrics_test"]
    assert after["metadata"]["remeasured"]["training_data_sha256"]
    assert "measured again without a refit" in card.read_text("utf-8")


def test_card_only_is_given_alone(tmp_path: Path) -> None:
    kept = str(MODEL_DIR / DEFAULT_MODEL)
    with pytest.raises(SystemExit):
        main(["--card-only", str(tmp_path / "missing.json")])
    with pytest.raises(SystemExit):
        main(["--card-only", kept, "--page-only", kept])


@pytest.mark.slow
def test_link_only_keeps_the_other_models(tmp_path: Path, corpus_dir: Path) -> None:
    """``--link-only``: the kept model's segment, text and page models and thresholds, a new link model."""
    kept = linkguard.load_model(MODEL_DIR / DEFAULT_MODEL)
    out = tmp_path / "m.json"
    args = ["--select", "--corpus", str(corpus_dir), "--out", str(out), "--trees", "20"]
    assert main([*args, "--link-only", str(MODEL_DIR / DEFAULT_MODEL)]) == 0
    got = linkguard.load_model(out)
    assert (got.threshold, got.prose_threshold) == (kept.threshold, kept.prose_threshold)
    assert got.page is not None and kept.page is not None
    assert got.page.threshold == kept.page.threshold and got.page.n_trees == kept.page.n_trees
    assert got.link is not None and kept.link is not None and got.link.feature_names == kept.link.feature_names


def test_stack_differences_name_the_pinned_packages_installed_at_other_versions(tmp_path: Path) -> None:
    from importlib import metadata

    from training_data.train import CONSTRAINTS, stack_differences

    pins = [ln.split("#", 1)[0].strip() for ln in CONSTRAINTS.read_text("utf-8").splitlines()]
    assert {"numpy", "scipy", "scikit-learn"} <= {p.partition("==")[0] for p in pins if p}
    here = tmp_path / "constraints.txt"
    here.write_text(f"# pins\nnumpy=={metadata.version('numpy')}\nscipy==0.0.1\nno-such-package==1.0\n", "utf-8")
    diffs = stack_differences(here)
    assert len(diffs) == 2
    assert diffs[0].startswith("scipy ") and "0.0.1 in constraints.txt" in diffs[0]
    assert diffs[1].startswith("no-such-package not installed here")


def test_threshold_rows_can_count_the_clean_pages_of_the_page_split(corpus_dir: Path) -> None:
    """``--threshold-clean-pages``: every segment of the validation page split's about-the-topic and
    short pages joins the threshold rows as content, each page a clean page of its own."""
    from linkguard._model import default_model
    from training_data.train import _with_clean_page_rows

    model = default_model()
    p, y = np.asarray([0.9, 0.2]), np.asarray([True, False])
    owner, spam = np.asarray([0, 1]), np.asarray([True, False])
    rows = (p, y, owner, spam, np.asarray([False, False]))
    p2, y2, owner2, spam2, prose2 = _with_clean_page_rows(model, corpus_dir, rows)
    clean = [lp for lp in build_page_split("val", corpus_dir) if lp.kind in ("about_page", "short_page")]
    assert clean and len(spam2) == 2 + len(clean) and not spam2[2:].any()
    assert len(p2) == len(y2) == len(owner2) == len(prose2 if prose2 is not None else p2) > 2
    assert np.array_equal(p2[:2], p) and not y2[2:].any()
    assert owner2[2:].min() == 2 and owner2[2:].max() == 1 + len(clean)
    assert ((p2[2:] >= 0) & (p2[2:] <= 1)).all()
    assert _with_clean_page_rows(model, corpus_dir, (p, y, owner, spam, None))[4] is None


def test_a_false_alarm_budget_picks_the_lowest_thresholds_within_it() -> None:
    """One segment per page: 50 injected pages scoring 0.6 to 0.99, 200 clean pages scoring 0.5 to
    0.98.  With a budget of 2 % (4 clean pages) the threshold is the lowest that flags at most 4."""
    rng = np.random.default_rng(0)
    spam_p = np.round(rng.uniform(0.6, 0.99, 50), 3)
    clean_p = np.round(np.linspace(0.5, 0.98, 200), 3)
    # Each clean page also has 50 ordinary segments, so that the cap on clean segments flagged
    # (MAX_VAL_CONTENT_FPR) is not what binds.
    p = np.concatenate([spam_p, clean_p, np.full(200 * 50, 0.1)])
    y = np.concatenate([np.ones(50, dtype=bool), np.zeros(200 + 200 * 50, dtype=bool)])
    owner = np.concatenate([np.arange(250), np.repeat(np.arange(50, 250), 50)])
    page_spam = np.arange(250) < 50
    t, prose = choose_threshold(p, y, owner, page_spam, fa_budget=0.02)
    assert prose is None
    assert int((clean_p >= t).sum()) <= 4
    assert int((clean_p >= t - 0.01).sum()) > 4  # one grid step lower breaks the budget
    looser, _ = choose_threshold(p, y, owner, page_spam, fa_budget=0.2)
    assert looser < t


def test_hidden_link_threshold_is_lowered_only_where_it_finds_more_than_it_costs() -> None:
    """Pages 0-9 injected, 10-59 clean, one segment each plus 100 ordinary ones per clean page.
    Hidden rows: four injected pages at 0.9, 0.88, 0.8, 0.6 and one clean page at 0.85; the
    other rows are flagged as the general threshold (0.94) leaves them."""
    hidden_p = {0: 0.9, 1: 0.88, 2: 0.8, 3: 0.6, 10: 0.85}
    page_p = np.asarray([hidden_p.get(i, 0.95 if i < 10 else 0.2) for i in range(60)])
    p = np.concatenate([page_p, np.full(50 * 100, 0.1)])
    y = np.concatenate([np.arange(60) < 10, np.zeros(50 * 100, dtype=bool)])
    owner = np.concatenate([np.arange(60), np.repeat(np.arange(10, 60), 100)])
    page_spam = np.arange(60) < 10
    hidden = np.zeros(len(p), dtype=bool)
    hidden[list(hidden_p)] = True
    others = (p >= 0.94) & ~hidden
    # 0.88 finds two pages more at no cost; 0.8 one more but also the clean page (a false alarm
    # weighs five misses); so 0.88, the highest of the equal best.
    assert choose_hidden_threshold(p, y, owner, page_spam, hidden, others, 0.94) == 0.88
    # Where no lower threshold finds a page more, none of its own.
    assert choose_hidden_threshold(p, y, owner, page_spam, np.zeros(len(p), dtype=bool), others, 0.94) is None


def test_text_contrast_is_filled_with_the_text_score_and_kept_out_of_a_default_fit() -> None:
    """``set_text_scores`` fills the text score and the contrast derived from it, as scanning
    does; without ``--text-contrast`` the fit sees the contrast column constant, so no tree can
    split on it (and the recipe's trees are those of a model without the column)."""
    from linkguard._features import text_contrast
    from training_data.train import OPTIONAL_FEATURES, fit_columns, set_text_scores

    rng = np.random.default_rng(0)
    X = rng.random((6, len(FEATURE_NAMES))).astype(np.float32)
    owner = np.asarray([0, 0, 0, 1, 1, 2])
    scores = np.asarray([-5.0, -4.0, 3.0, -1.0, 2.0, 0.5], dtype=np.float32)
    set_text_scores(X, owner, scores)
    col = FEATURE_NAMES.index("text_contrast")
    assert np.array_equal(X[:, FEATURE_NAMES.index("text_score")], scores)
    assert np.array_equal(X[:, col], text_contrast(X, owner)) and X[5, col] == 0.0
    fitted = fit_columns(X, OPTIONAL_FEATURES)
    assert (fitted[:, col] == 0).all() and X[:, col].any()  # a copy: the scored matrix keeps it
    others = [i for i in range(len(FEATURE_NAMES)) if i != col]
    assert np.array_equal(fitted[:, others], X[:, others])
    assert fit_columns(X, ()) is X


def test_a_payload_placed_where_nothing_renders_is_not_an_injection(corpus_dir: Path) -> None:
    """A paragraph close inside a script string or a template is no place a reader or a crawler
    sees: a payload put there leaves the page clean, and the labelled pages say so (every
    injected HTML page of the validation split shows its payload as markup)."""
    from training_data.dataset import MARK, payload_shown

    payload = f'<div {MARK}="1"><a href="https://slots.example/">slot gacor</a></div>'
    shown = f"<html><body><p>News.</p>{payload}<p>More.</p></body></html>"
    assert payload_shown(shown)
    for inert in (
        f"<html><body><script>var s = '<p>x</p>{payload}';</script><p>More.</p></body></html>",
        f"<html><body><template><p>x</p>{payload}</template><p>More.</p></body></html>",
        f"<html><body><iframe><p>x</p>{payload}</iframe><p>More.</p></body></html>",
        f"<html><body><textarea><p>x</p>{payload}</textarea></body></html>",
    ):
        assert not payload_shown(inert)
        assert not linkguard.scan(inert, "https://news.example/a").spam_links
    pages = build_split("val", corpus_dir)
    injected = [lp for lp in pages if lp.is_spam and lp.mode == "html"]
    assert injected and all(payload_shown(lp.page, lp.spam_links) for lp in injected)
    relabelled = [lp for lp in pages if not lp.is_spam and lp.payload_id]
    assert relabelled and not any(payload_shown(lp.page) for lp in relabelled)
    # One of the payload's links as a link of the page is enough, whatever became of its wrapper.
    swallowed = '<p>x</p></bod<div data-lgi="1"><a href="https://slots.example/">slot</a></div>y>'
    assert payload_shown(swallowed, {"https://slots.example"}) and not payload_shown(swallowed)
