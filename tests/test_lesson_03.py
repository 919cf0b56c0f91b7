"""Lesson 03 (training step by step), run as a learner runs it, once per seed of
NANONET_LESSON_SEEDS: fit must reproduce the hand-written loop, and both engines must land on
the same weights, whatever the seed."""
from __future__ import annotations

import re

import pytest

from lesson_runner import figures, lesson_fixture, number

pytest.importorskip("matplotlib")

run = lesson_fixture("03")


def test_fit_reproduces_the_hand_written_loop(run):
    stdout = run.result.stdout
    assert number(r"largest difference between fit's weights and ours: (\S+)", stdout) < 1e-9
    assert number(r"loss per epoch, ours vs fit's: largest difference (\S+)", stdout) < 1e-9
    by_hand = number(r"^validation accuracy ([0-9.]+)  \(", stdout)
    assert number(r"^validation accuracy ([0-9.]+)$", stdout) == by_hand


def test_both_engines_land_on_the_same_weights(run):
    rows = re.findall(r"\(float64\) +\d+ ms +\d+ ms +([0-9.]+)× +([0-9.]+)–([0-9.]+)× +(\S+)$",
                      run.result.stdout, flags=re.MULTILINE)
    assert len(rows) == 2, run.result.stdout[-2000:]
    for speedup, low, high, difference in rows:
        assert float(difference) < 1e-12
        assert float(low) <= float(high)


def test_figures_are_written(run):
    stdout = run.result.stdout
    assert {p.name for p in figures(stdout)} == {"03_training_curves.png",
                                                 "03_decision_boundary.png"}
    assert all(p.stat().st_size > 1000 for p in figures(stdout))
