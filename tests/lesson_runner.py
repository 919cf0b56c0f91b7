"""Run a lesson the way a learner does — `python lessons/NN_….py --quick --out DIR` in a fresh
process, warnings as errors — and read numbers off what it prints (shared by the lesson tests)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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


def lesson_fixture(number: str):
    """A module-scoped fixture that runs lesson `number` once (quick mode) and gives
    (CompletedProcess, output folder); it fails with the lesson's output if the run fails."""
    @pytest.fixture(scope="module")
    def run(tmp_path_factory):
        out = tmp_path_factory.mktemp(f"lesson{number}")
        result = run_lesson(number, out)
        assert result.returncode == 0, \
            f"lesson {number} failed:\n{result.stdout[-3000:]}\n{result.stderr}"
        return result, out
    return run
