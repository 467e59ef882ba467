"""The cross-validation rule read against its own noise (``training_data.compare``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from training_data.compare import compare, main

RUNS = Path(__file__).resolve().parent.parent / "training_data" / "crossval_runs"


def pooled(f1: float, seg: float = 0.84, not_clean: int = 150, hard: int = 50, pages: int = 180) -> dict[str, Any]:
    return {
        "page": {"f1": f1},
        "segment": {"f1": seg},
        "about_topic_not_clean": [not_clean, 3807],
        "other_clean_not_clean": [0, 907],
        "comment_link_not_clean": [0, 216],
        "hard_negative_pages_flagged": [hard, 2888],
        "real_spam_pages_as_spam_page": [pages, 350],
        "worst_disguise_mean": 0.73,
    }


BASE = [pooled(0.810), pooled(0.820)]


def test_a_gain_beyond_the_noise_is_kept() -> None:
    kept, rows = compare(BASE, [pooled(0.835), pooled(0.840)])
    assert kept
    assert rows[0].noise == pytest.approx(0.010)
    assert rows[0].gain == pytest.approx(0.0225)


def test_a_gain_inside_the_noise_is_not() -> None:
    # The candidate's mean is better, but by less than the gap between the default's own runs.
    kept, rows = compare(BASE, [pooled(0.818), pooled(0.822)])
    assert not kept
    assert not rows[0].ok
    # The candidate's own spread counts as noise too.
    kept, _ = compare(BASE, [pooled(0.800), pooled(0.860)])
    assert not kept


def test_a_guard_may_move_within_its_noise_but_not_beyond() -> None:
    base = [pooled(0.810, hard=40), pooled(0.820, hard=60)]
    kept, rows = compare(base, [pooled(0.840, hard=65), pooled(0.845, hard=55)])
    assert kept  # hard-negative pages: +10 on the mean, noise 20
    kept, rows = compare(base, [pooled(0.840, hard=80), pooled(0.845, hard=75)])
    guard = next(r for r in rows if r.name == "hard-negative pages flagged")
    assert not kept and not guard.ok and guard.gain == pytest.approx(-27.5)


def test_a_page_verdict_change_is_judged_on_spam_pages() -> None:
    """A change to the page verdict alone leaves page F1 as it was: with page F1 as the primary
    figure it could never be kept, so it names the spam pages it labels instead."""
    base = [pooled(0.815, pages=177), pooled(0.815, pages=181)]
    cand = [pooled(0.815, pages=190), pooled(0.815, pages=192)]
    assert not compare(base, cand)[0]
    kept, rows = compare(base, cand, primary="real spam pages as spam_page")
    assert kept
    assert all(r.ok for r in rows)
    with pytest.raises(ValueError):
        compare(base, cand, primary="speed")


def test_ranking_figures_are_read_when_every_run_has_them() -> None:
    def ranked(f1: float, found: int, ap: float) -> dict[str, Any]:
        return {**pooled(f1), "ranking_recall_at_fa": [found, 200], "ranking_average_precision_mean": ap}

    base = [ranked(0.810, 150, 0.90), ranked(0.820, 152, 0.91)]
    kept, rows = compare(base, [ranked(0.840, 160, 0.93), ranked(0.845, 162, 0.93)])
    assert kept
    rank = next(r for r in rows if r.name == "page recall at 1 % false alarms (ranking)")
    assert rank.base == (0.75, 0.76) and rank.noise == pytest.approx(0.01) and rank.gain == pytest.approx(0.05)
    # The candidate ranks worse than the noise allows: a guard like the others.
    kept, rows = compare(base, [ranked(0.840, 120, 0.93), ranked(0.845, 122, 0.93)])
    assert not kept
    # A run without them (made before they were recorded): compared without them.
    _, rows = compare(BASE, [ranked(0.840, 160, 0.93), ranked(0.845, 162, 0.93)])
    assert all("ranking" not in r.name for r in rows)
    # ... unless one of them is the primary figure.
    with pytest.raises(ValueError):
        compare(BASE, base, primary="page average precision (ranking)")
    assert compare(
        base, [ranked(0.815, 170, 0.95), ranked(0.815, 171, 0.95)], primary="page average precision (ranking)"
    )[0]


def test_each_recipe_needs_two_runs() -> None:
    with pytest.raises(ValueError):
        compare(BASE[:1], BASE)


def test_three_runs_each_noise_is_the_widest_spread() -> None:
    """With three runs a recipe's spread is its highest minus its lowest, and the gain is
    between the means."""
    base = [pooled(0.809), pooled(0.822), pooled(0.819)]
    kept, rows = compare(base, [pooled(0.840), pooled(0.845), pooled(0.838)])
    assert rows[0].noise == pytest.approx(0.013)
    assert rows[0].gain == pytest.approx((0.840 + 0.845 + 0.838) / 3 - (0.809 + 0.822 + 0.819) / 3)
    assert kept
    # A third run that widens the candidate's spread widens the noise.
    kept, rows = compare(base, [pooled(0.840), pooled(0.845), pooled(0.805)])
    assert rows[0].noise == pytest.approx(0.040)
    assert not kept


def test_the_command_reads_the_kept_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """The default criterion's null pair against the budget's: the figures recorded in
    training_data/README.md, read from the run files."""
    names = [
        "2026-12-07-default-escort-essay-data.json",
        "2026-12-07-null-spam-weight-5.05.json",
        "2026-12-07-fa-budget-0.01.json",
        "2026-12-07-fa-budget-0.01-spam-weight-5.05.json",
    ]
    assert main([str(RUNS / n) for n in names]) == 0
    out = capsys.readouterr().out
    assert "| page F1 | 0.8173 / 0.8100 | 0.8092 / 0.8217 | 0.0125 |" in out
    assert "| hard-negative pages flagged | 56 / 34 | 53 / 34 |" in out
    assert "verdict: not kept" in out
    # The same four files by name, and the two forms cannot be mixed.
    assert (
        main(["--base", *(str(RUNS / n) for n in names[:2]), "--candidate", *(str(RUNS / n) for n in names[2:])]) == 0
    )
    assert "| page F1 | 0.8173 / 0.8100 | 0.8092 / 0.8217 | 0.0125 |" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([str(RUNS / names[0]), "--base", str(RUNS / names[1]), str(RUNS / names[2])])
    with pytest.raises(SystemExit):
        main([str(RUNS / n) for n in names[:3]])
