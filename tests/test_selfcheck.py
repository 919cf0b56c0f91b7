"""`python -m nanonet gradcheck` (nanonet.gradcheck.selfcheck) catches what a find-the-bug copy plants.

A find-the-bug copy's BUG.md tells the student to hunt with `python -m nanonet gradcheck`. So
the self-check must reach every function a planted bug can be in (the list is derived from
the mutator's candidates, so it cannot drift from them) and every other function of an
exercise that a layer runs, and a planted bug must turn it red.

    python tests/test_selfcheck.py --all      # every candidate, not just the sample
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nanonet import layers
from nanonet.gradcheck import selfcheck
from nanonet.teaching.exercises import copies
from nanonet.teaching.exercises.catalogue import EXERCISES
from nanonet.teaching.mutation import Mutant

ROOT = Path(__file__).resolve().parents[1]

#: exercises whose code no gradient runs through: the optimizer updates (E04, checked against
#: Keras's trajectories) and the tokenizer (E10); every other exercise is gradient code
NOT_GRADIENT_CODE = {"E04", "E10"}

#: mutants no check can catch, as (function, text on the mutated line): lstm_backward reads
#: the weights from the first step's cache, caches[0]; caches[1] holds the same weights, so
#: that mutant changes nothing (and make-bug never picks it: grading cannot catch it either)
UNCATCHABLE = {("lstm_backward", "= caches[0]")}


def _reached_functions():
    """(file relative to the project, function name) of every Python function the self-check
    calls, traced."""
    reached = set()

    def profile(frame, event, arg):
        if event == "call":
            reached.add((frame.f_code.co_filename, frame.f_code.co_name))

    sys.setprofile(profile)
    try:
        selfcheck.check_builtins()
    finally:
        sys.setprofile(None)
    project = Path(selfcheck.__file__).resolve().parents[2]      # nanonet/gradcheck/selfcheck.py
    return {(Path(file).resolve().relative_to(project).as_posix(), name)
            for file, name in reached if Path(file).resolve().is_relative_to(project)}


def _must_reach():
    """Every function a bug can be planted in, and every function of a gradient exercise."""
    functions = {(m.path, m.function) for m in copies.bug_candidates(ROOT)}
    functions |= {(path, function.rsplit(".", 1)[-1]) for exercise in EXERCISES
                  if exercise.id not in NOT_GRADIENT_CODE
                  for path, function in exercise.functions}
    return functions


@pytest.mark.teacher_only      # the bug candidates are mutants of the full solutions
def test_gradcheck_reaches_every_function_a_bug_or_an_exercise_can_be_in():
    must_reach = _must_reach()
    assert {name for _, name in must_reach} >= set(copies.BUG_FUNCTIONS)
    assert {"bce_from_probabilities", "lstm_step_forward", "estimate_gradient"} <= \
        {name for _, name in must_reach}
    missing = must_reach - _reached_functions()
    assert not missing, f"python -m nanonet gradcheck never calls {sorted(missing)}"


def test_bug_functions_are_the_exercises_gradient_code():
    """Derived, not listed by hand: a backward exercise is bug material as soon as its
    function is gradient code (nanonet.teaching.mutation.GRADIENT_CODE)."""
    assert copies.BUG_FUNCTIONS == (
        "sigmoid_grad_from_output", "dense_backward", "bce_from_probabilities",
        "bce_from_logits", "embedding_backward", "lstm_cell_backward", "lstm_step_backward",
        "lstm_backward")


@pytest.mark.teacher_only      # every other check must pass: the solutions
def test_a_check_that_raises_is_a_failed_check_not_a_crash(monkeypatch):
    def broken(dz, cache):
        raise ValueError("operands could not be broadcast together with shapes (4,2) (5,)")
    monkeypatch.setattr(layers.dense, "dense_backward", broken)
    reports = selfcheck.check_builtins()
    failed = [r for r in reports if not r.passed]
    assert failed and all("Dense" in r.title or "model 'sequential'" in r.title or
                          "embedding_lstm_dense" in r.title for r in failed)
    text = str(failed[0])
    assert "the check raised ValueError: operands could not be broadcast" in text
    assert "FAILED" in text and "raise ValueError" not in text       # no source line
    assert len(reports) == len([r for r in reports if r.passed]) + len(failed)


# ---------------------------------------------------------------- planted bugs
def _sample():
    """The bugs in the branches the self-check missed before it checked them (Keras's clip
    bounds and the ε of BCE), and one bug in each other bug function. (All of them take
    ≈ 1.5 min: ``python tests/test_selfcheck.py --all``.)"""
    candidates = copies.bug_candidates(ROOT)
    branches = [("bce_from_probabilities", "1.0 - epsilon", "1.0"),
                ("bce_from_probabilities", "p_clipped + epsilon", "p_clipped"),
                ("bce_from_probabilities", "dp * inside", "dp")]
    chosen = []
    for function, old, new in branches:
        found = [m for m in candidates if (m.function, m.old_text, m.new_text) ==
                 (function, old, new) and not _uncatchable(m)]
        assert found, (function, old, new)
        chosen.append(found[0])
    for mutant in candidates:
        if mutant.function not in {m.function for m in chosen} and not _uncatchable(mutant):
            chosen.append(mutant)
    return chosen


def _uncatchable(mutant: Mutant) -> bool:
    line = (ROOT / mutant.path).read_text(encoding="utf-8").splitlines()[mutant.line - 1]
    return any(mutant.function == function and text in line for function, text in UNCATCHABLE)


def _green_mutants(mutants):
    """The mutants under which `python -m nanonet gradcheck` still passes: each planted in a
    scratch copy of the package and checked there by a fresh import (one process for all)."""
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"nanonet-selfcheck-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(ROOT / "nanonet", scratch / "nanonet",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--driver", str(scratch)],
            input=json.dumps([m.__dict__ for m in mutants]), capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(scratch), "PYTHONDONTWRITEBYTECODE": "1"},
            timeout=900)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return [Mutant(**fields) for fields in json.loads(done.stdout)]


@pytest.mark.teacher_only
def test_planted_bugs_turn_gradcheck_red():
    sample = _sample()
    assert {m.function for m in sample} == set(copies.BUG_FUNCTIONS)
    assert sum(m.function == "bce_from_probabilities" for m in sample) >= 3
    green = _green_mutants(sample)
    assert not green, "gradcheck passes with: " + "; ".join(
        f"{m.path}:{m.line} {m.function} {m.description}" for m in green)


def _drive(root: Path) -> None:
    """In a fresh process: for each mutant on stdin, plant it under `root`, import nanonet
    afresh and run the self-check; print the mutants it did not catch (JSON)."""
    green = []
    for fields in json.loads(sys.stdin.read()):
        mutant = Mutant(**fields)
        target = root / mutant.path
        original = target.read_text(encoding="utf-8")
        target.write_text(mutant.apply(original), encoding="utf-8")
        try:
            for name in [n for n in sys.modules if n == "nanonet" or n.startswith("nanonet.")]:
                del sys.modules[name]
            from nanonet.gradcheck import selfcheck as planted
            with np.errstate(all="ignore"):        # (stops at the first failed check)
                caught = not all(report.passed for report in planted.iter_builtins())
        except Exception:           # noqa: BLE001 — a bug that breaks the import is caught
            caught = True
        finally:
            target.write_text(original, encoding="utf-8")
        if not caught:
            green.append(fields)
    print(json.dumps(green))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--driver"]:
        _drive(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--all"]:
        everything = [m for m in copies.bug_candidates(ROOT) if not _uncatchable(m)]
        survivors = _green_mutants(everything)
        print(f"{len(everything) - len(survivors)}/{len(everything)} planted bugs turn "
              f"gradcheck red; {len(copies.bug_candidates(ROOT)) - len(everything)} "
              f"uncatchable one(s) left out (UNCATCHABLE)")
        for m in survivors:
            print(f"  still green: {m.path}:{m.line} {m.function} {m.description}")
        sys.exit(1 if survivors else 0)
    else:
        sys.exit(f"usage: python {sys.argv[0]} --all")
