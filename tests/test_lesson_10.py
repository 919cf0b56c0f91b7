"""Lesson 10 (many classes), run as a learner runs it, once per seed of NANONET_LESSON_SEEDS:
the softmax facts are checked numbers, EarlyStopping keeps the best epoch, and the verdict
against the baselines is the one the printed paired test supports."""
from __future__ import annotations

import math
import re

from lesson_runner import assert_figures_written, lesson_fixture, number

from nanonet.teaching.statistics import paired_test

FIGURES = ("10_digits.png", "10_training_curves.png", "10_accuracy_vs_baselines.png")

run = lesson_fixture("10")


def _table(stdout):
    rows = re.findall(r"^  (\S.*?\S) +([0-9.]+) ± ([0-9.]+) \(1 SE\)$", stdout, re.MULTILINE)
    return {name: (float(a), float(se)) for name, a, se in rows}


def test_softmax_s_jacobian_and_the_logits_gradient_are_checked(run):
    stdout = run.result.stdout
    assert number(r"largest \|J dy − p ⊙ \(dy − Σ p dy\)\|: (\S+)", stdout) < 1e-12
    assert number(r"rows of J sum to (\S+):", stdout) < 1e-12
    assert number(r"largest \|∂J/∂z − \(p − y\)/n\| = (\S+)", stdout) < 1e-15
    assert stdout.count("PASSED") == 2 and "FAILED" not in stdout
    assert "loss stays finite: 1800.0" in stdout


def test_early_stopping_keeps_the_best_validation_epoch(run):
    stdout = run.result.stdout
    stopped = re.search(r"stopped after epoch (\d+); best validation loss ([0-9.]+) at epoch "
                        r"(\d+)", stdout)
    assert stopped, stdout[-2000:]
    last, best = int(stopped[1]), int(stopped[3])
    assert best < last and last - best >= 3               # quick mode's patience is 3
    assert number(r"validation accuracy at the best epoch: ([0-9.]+)", stdout) > 0.9


def test_every_accuracy_carries_its_standard_error(run):
    table = _table(run.result.stdout)
    n = int(re.search(r"(\d+) to test", run.result.stdout)[1])
    assert set(table) == {"majority class", "nearest centroid", "softmax regression",
                          "1-nearest neighbour", "MLP (64 relu units)"}
    for name, (accuracy, error) in table.items():
        assert abs(error - math.sqrt(accuracy * (1 - accuracy) / n)) < 1.5e-3, name
    assert table["majority class"][0] < 0.15 < 0.85 < table["MLP (64 relu units)"][0]


def test_the_strongest_baseline_and_the_verdict_follow_from_the_numbers(run):
    stdout = run.result.stdout
    table = _table(stdout)
    baselines = {name: a for name, (a, _) in table.items() if not name.startswith("MLP")}
    strongest = max(baselines, key=baselines.get)
    assert strongest == "1-nearest neighbour"             # the markdown's "in every seed"
    assert f"strongest baseline (best on the test digits — a choice that can only flatter " \
           f"it): {strongest}" in stdout
    line = re.search(rf"MLP − {strongest}: ([+-][0-9.]+) ± ([0-9.]+) \(paired SE\); digits only "
                     rf"the MLP gets right: (\d+), only {strongest}: (\d+); McNemar p = (\S+)",
                     stdout)
    assert line, stdout[-2000:]
    difference, mlp_only, nn_only, p = float(line[1]), int(line[3]), int(line[4]), float(line[5])
    n = int(re.search(r"(\d+) to test", stdout)[1])
    assert abs(difference - (mlp_only - nn_only) / n) < 1e-3
    assert abs(difference - (table["MLP (64 relu units)"][0] - table[strongest][0])) < 2e-3
    recomputed = paired_test([True] * mlp_only + [False] * nn_only,
                             [False] * mlp_only + [True] * nn_only).p_value
    assert abs(recomputed - p) <= 0.01 * max(p, 1e-3) + 5e-4
    if p >= 0.05:
        assert "are level" in stdout
    else:
        assert ("less accurate" if difference < 0 else "more accurate") in stdout


def test_figures_are_written(run):
    assert_figures_written(run.out, FIGURES)
