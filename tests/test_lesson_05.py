"""Lesson 05 (inside the LSTM cell), run as a learner runs it: `python lessons/05_….py --quick`.

The lesson runs once per test session in a fresh process (module fixture); each test checks
one of the things it must show, by the lines it prints and the figures it writes.
"""
from __future__ import annotations

import re

from lesson_runner import assert_figures_written, lesson_fixture, number

FIGURES = ("05_memory_task_training.png", "05_gradient_through_c.png", "05_gate_heat_maps.png",
           "05_memory_unit.png")


run = lesson_fixture("05")


def test_the_hand_computed_step_equals_lstm_step_forward(run):
    stdout = run[0].stdout
    assert "hand-computed step equals lstm_step_forward: True" in stdout
    assert number(r"four gates: ([0-9.e+-]+)\)", stdout) < 1e-12
    for gate in ("i   = σ(z_i)", "f   = σ(z_f)", "c̃   = tanh(z_c)", "o   = σ(z_o)",
                 "c_t = f⊙c_{t-1} + i⊙c̃", "h_t = o⊙tanh(c_t)"):
        assert gate in stdout, f"the hand-computed step does not print {gate!r}"


def test_the_gradient_checks_pass(run):
    stdout = run[0].stdout
    assert "gradient checks: cell step PASSED, LSTM layer PASSED" in stdout
    assert "Gradient check: one LSTM step" in stdout
    assert "Gradient check: LSTM(3, return_sequences=True)" in stdout
    assert "FAILED" not in stdout


def test_the_lstm_remembers_and_a_memoryless_model_cannot(run):
    stdout = run[0].stdout
    lstm = number(r"memory task test accuracy: LSTM ([0-9.]+)", stdout)
    memoryless = number(r"memoryless \(last step only\) ([0-9.]+)", stdout)
    assert lstm >= 0.95, f"the LSTM should solve the memory task, test accuracy {lstm}"
    assert memoryless <= 0.65, f"a last-step model should be near chance, got {memoryless}"


def test_bptt_by_hand_equals_the_layers_gradient_and_fades_before_training(run):
    stdout = run[0].stdout
    differences = [float(x) for x in
                   re.findall(r"largest difference ([0-9.e+-]+) of the largest gradient", stdout)]
    assert len(differences) == 2 and max(differences) < 1e-4, differences
    ratios = [float(x) for x in re.findall(r"t=1 gets ([0-9.e+-]+) of what t=T gets", stdout)]
    assert len(ratios) == 2
    before, after = ratios
    assert before < 0.1, f"before training the gradient on c_1 should be small, ratio {before}"
    assert after > before


def test_switching_off_parts_of_the_cell(run):
    stdout = run[0].stdout
    assert number(r"as trained \(the loop by hand\):\s+([0-9.]+)", stdout) >= 0.95
    assert number(r"textbook memory, f := 1, i := 0:\s+([0-9.]+)", stdout) >= 0.95
    cuts = {"the forget gate": number(r"forget gate cut, f := 0:\s+([0-9.]+)", stdout),
            "the recurrent loop": number(r"recurrent weights cut, R := 0:\s+([0-9.]+)", stdout)}
    # the lesson's claim: the cell learned a latch, kept by the forget gate and the recurrent
    # loop together, so cutting a part it needs erases the memory (chance, as memoryless) …
    needed = [part for part, accuracy in cuts.items() if accuracy < 0.75]
    assert needed, f"the lesson says cutting f or R erases the memory, but {cuts}"
    assert all(cuts[part] <= 0.65 for part in needed), cuts
    # … and the sentence it prints names exactly the parts whose cut erased it
    said = re.search(r"→ In this run the memory needs (.+?)\. c_1 alone", stdout)
    assert said, "the lesson no longer says which parts the memory needs"
    assert said.group(1) == " and ".join(needed), (said.group(1), cuts)


def test_figures_are_written(run):
    assert_figures_written(run[1], FIGURES)


