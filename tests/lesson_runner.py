"""Run a lesson the way a learner does — `python lessons/NN_….py --quick --out DIR` in a fresh
process, warnings as errors — and read numbers off what it prints (shared by the lesson tests)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"


def lesson_path(number: str) -> Path:
    (path,) = LESSONS.glob(f"{number}_*.py")
    return path


def run_lesson(number: str, out: Path, *args: str, quick: bool = True,
               timeout: float = 300) -> subprocess.CompletedProcess:
    command = [sys.executable, "-W", "error", str(lesson_path(number)), "--out", str(out), *args]
    if quick:
        command.append("--quick")
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=timeout)


def number(pattern: str, stdout: str) -> float:
    """The first group of `pattern` (^ and $ match at line ends) in `stdout`, as a float."""
    match = re.search(pattern, stdout, flags=re.MULTILINE)
    assert match, f"no line matching {pattern!r} in the lesson's output"
    return float(match.group(1))


def figures(stdout: str):
    """The paths of the figures a lesson says it saved ("figure: PATH" lines)."""
    return [Path(line.split("figure: ", 1)[1]) for line in stdout.splitlines()
            if line.startswith("figure: ")]


def assert_figures_written(out: Path, names) -> None:
    """Each figure `names` exists in the lesson's folder `out` and is not empty."""
    pytest.importorskip("matplotlib")
    for name in names:
        path = out / name
        assert path.exists() and path.stat().st_size > 1000, f"{name} missing or empty"


#: the environment variable naming the seeds each lesson test runs its lesson with
SEEDS_VARIABLE = "NANONET_LESSON_SEEDS"


def lesson_seeds() -> List[int]:
    """The seeds the lesson tests run each lesson with: ``NANONET_LESSON_SEEDS="0,1,2"`` (what
    .ci/run sets, so every claim a lesson prints is checked on three seeds), else seed 0 alone
    (the README's test command, which must stay fast)."""
    text = os.environ.get(SEEDS_VARIABLE, "0").strip()
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        seeds = []
    if not seeds or min(seeds) < 0:
        raise pytest.UsageError(f"{SEEDS_VARIABLE}={text!r}: expected seeds >= 0 separated by "
                                f"commas, like 0,1,2.")
    return seeds


class LessonRun(NamedTuple):
    """One run of a lesson: what it printed (``result.stdout``), where it wrote, its seed."""

    result: subprocess.CompletedProcess
    out: Path
    seed: int


def lesson_fixture(number: str, *args: str):
    """A module-scoped fixture that runs lesson `number` (quick mode, with `args`) once per
    seed of :func:`lesson_seeds` and gives a LessonRun — (result, out, seed), so ``run[0]`` is
    the CompletedProcess; every test of the module runs once per seed, so a claim the lesson
    prints is checked on every seed. It fails with the lesson's output if the run fails."""
    @pytest.fixture(scope="module", params=lesson_seeds(), ids=lambda seed: f"seed{seed}")
    def run(request, tmp_path_factory):
        seed = request.param
        out = tmp_path_factory.mktemp(f"lesson{number}_seed{seed}")
        result = run_lesson(number, out, "--seed", str(seed), *args)
        assert result.returncode == 0, \
            f"lesson {number} (seed {seed}) failed:\n{result.stdout[-3000:]}\n{result.stderr}"
        return LessonRun(result, out, seed)
    return run
