"""Lesson 01 (the two-layer network, by hand), run as a learner runs it, in quick mode, once per
seed: the claims it prints about straight lines must match the numbers it prints.

(The CLI test in tests/test_cli.py runs it through ``python -m nanonet lesson 01`` as well.)
"""
from __future__ import annotations

import re

from lesson_runner import assert_figures_written, lesson_fixture, number

run = lesson_fixture("01")

ROWS = {"majority": r"always the training majority \(class [01]\)",
        "logistic": r"logistic regression \(no hidden layer, \d+ steps\)",
        "line": r"best straight line \(\d+ directions, every cut\)",
        "network": r"two-layer network \(\d+ hidden units, \d+ steps\)"}


def table(stdout: str) -> dict:
    """{row: (accuracy on the training points, on the new points, its SE)}, read off the
    lesson's table."""
    rows = {}
    for key, name in ROWS.items():
        match = re.search(rf"^{name}\s+([0-9.]+)\s+([0-9.]+) ± ([0-9.]+)$", stdout, re.MULTILINE)
        assert match, f"no table row {name!r} in the lesson's output"
        rows[key] = tuple(float(group) for group in match.groups())
    return rows


def test_lesson_01_exits_cleanly_and_draws_its_loss_curve(run):
    assert run.result.stderr == "", run.result.stderr[-3000:]
    assert_figures_written(run.out, ["01_loss_curve.png"])


def test_no_fixed_claim_about_what_a_straight_line_reaches(run):
    """The audit: "a straight line could reach only about 0.5–0.6 here" was printed for every
    seed, but the best straight line on seed 0's points scores 0.675 (an independent search)."""
    stdout = run.result.stdout
    assert "0.5–0.6" not in stdout and "could reach only" not in stdout
    rows = table(stdout)
    assert rows["line"][0] >= max(rows["majority"][0], rows["logistic"][0] - 0.01)
    if run.seed == 0:
        assert rows["line"][0] >= 0.675


def test_the_cross_entropy_line_sentence_matches_the_numbers(run):
    stdout = run.result.stdout
    rows = table(stdout)
    logistic, majority, line = rows["logistic"][0], rows["majority"][0], rows["line"][0]
    sentence = re.search(r"the line gradient descent on J finds gets ([0-9.]+) of the training "
                         r"points right — (worse than|no better than|better than) always "
                         r"answering the majority class \(([0-9.]+)\) — while the best straight "
                         r"line gets ([0-9.]+)\.", stdout)
    if logistic < line:
        assert sentence, "the lesson should say that minimising J did not find the best line"
        assert [float(sentence.group(i)) for i in (1, 3, 4)] == [logistic, majority, line]
        expected = ("worse than" if logistic < majority else
                    "no better than" if logistic == majority else "better than")
        assert sentence.group(2) == expected
    else:
        assert not sentence and "at least as accurate as the best straight line" in stdout
    assert number(r"logistic regression's final J = ([0-9.]+)", stdout) <= 0.6932


def test_the_network_against_the_best_line_on_new_points_carries_its_uncertainty(run):
    stdout = run.result.stdout
    rows = table(stdout)
    for accuracy_on_new, standard_error in (row[1:] for row in rows.values()):
        assert abs(standard_error - (accuracy_on_new * (1 - accuracy_on_new) / 400) ** 0.5) < 6e-4
    beats = re.search(r"the network scores \+([0-9.]+) ± ([0-9.]+) above the best straight "
                      r"line \((\d+) SE\)", stdout)
    if beats:
        difference, standard_error = float(beats.group(1)), float(beats.group(2))
        assert difference > 2 * standard_error
        assert abs(difference - (rows["network"][1] - rows["line"][1])) < 2e-3
        assert "The hidden layer does what no straight line can" in stdout
    else:
        below = re.search(r"the network is (below|within 2 SE of) the best straight line "
                          r"\(([+-][0-9.]+) ± ([0-9.]+)\)", stdout)
        assert below, "the lesson must say where the network stands against the best line"
        difference, standard_error = float(below.group(2)), float(below.group(3))
        assert difference <= 2 * standard_error
        assert (below.group(1) == "below") == (difference < -2 * standard_error)
