"""Lesson 02 (checking the article's gradients), run as a learner runs it, once per seed of
NANONET_LESSON_SEEDS: its verdicts on the printed formulas are computed, so they must come out
the same for every seed (random W1, W2 and data), and its numbers must back its sentences."""
from __future__ import annotations

import importlib.util
import re

import numpy as np

from lesson_runner import figures, lesson_fixture, number

run = lesson_fixture("02")

#: what the verdict table says of each of the article's formulas, whatever the seed
VERDICTS = {"4.1/forward/sigmoid": "holds", "4.2/J/as_typeset": "wrong",
            "4.2/dJ_dW1/outer/sigmoid": "holds only if W2 = 1",
            "4.2/dJ_dW1/elementwise/sigmoid": "wrong", "4.2/dJ_dW2/literal": "wrong",
            "4.2/dJ_dW2/hidden_activation": "holds only if J is the squared error"}


def test_the_printed_dW1_is_off_by_1_over_W2_per_row(run):
    stdout = run.result.stdout
    assert "σ'(z2) is gone" in stdout
    assert "holds only if W2 = 1" in stdout and "The corrected equations" in stdout
    rows = re.search(r"printed/true, row by row: \[([^\]]+)\] \(largest spread within a row "
                     r"(\S+)\)\n +1/W2\[h\]: +\[([^\]]+)\]", stdout)
    assert rows, "lesson 02 must print the per-row ratio next to 1/W2[h]"
    ratio, inverse = (np.array(rows.group(k).split(), dtype=float) for k in (1, 3))
    assert float(rows.group(2)) < 1e-4, "the ratio must be constant along each row"
    assert np.allclose(ratio, inverse, rtol=1e-3, atol=1e-4) and np.ptp(ratio) > 0.1
    assert "With W2 = 1 it is right: passed = True" in stdout
    assert "against ½(ŷ − y)²: passed = True" in stdout


def test_the_verdicts_do_not_depend_on_the_seed(run):
    stdout = run.result.stdout
    for formula, verdict in VERDICTS.items():
        assert re.search(rf"^  {re.escape(formula)} +{re.escape(verdict)}", stdout,
                         flags=re.MULTILINE), (run.seed, formula, verdict)


def test_the_float64_step_the_checks_use_is_near_the_best_one(run):
    """The section's title says the checks run in float64 with ε ≈ 1e-6: at that ε the
    float64 error is far below the checks' tolerance (1e-6), and the best ε is within a decade."""
    stdout = run.result.stdout
    at_1e_6 = number(r"^1e-06 +\S+ +(\S+)$", stdout)
    assert at_1e_6 < 1e-7, at_1e_6
    best = number(r"best for float64: ε = (\S+), error", stdout)
    assert 1e-7 <= best <= 1e-5, best
    assert number(r"best for float32: ε = (\S+), error", stdout) > best   # float32 needs more


def test_figures_are_written(run):
    if importlib.util.find_spec("matplotlib"):
        assert {p.name for p in figures(run.result.stdout)} == {
            "02_error_map_printed_dJ_dW1.png", "02_error_map_printed_dJ_dW2.png",
            "02_epsilon_sweep.png"}
        assert all(p.stat().st_size > 1000 for p in figures(run.result.stdout))
