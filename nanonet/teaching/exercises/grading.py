"""The autograder: run the exercise tests against a student's copy, print a score table.

``grade(directory)`` copies the student's project to a scratch folder, puts the grader's own
checks over the student's (tests/test_exercise_checks.py, the probes and their golden data,
conftest.py, setup.cfg — so editing them cannot change a grade), and runs

    python -m pytest -m "exercise" tests/test_exercise_checks.py

there, against the student's nanonet. Each exercise's test writes its detailed result (rows
with the parameter, max relative error, worst element, hint) to a JSON file; the pass/fail of
the tests themselves decides the score.

Which exercises: ``--only`` / ``--upto`` if given, else those the copy records as set
(``EXERCISES.json``, record.py), else — nanonet's own checkout — all of them. The score is out
of the exercises graded.

Nothing the grader prints quotes the graded source: an error names the function and file it
was raised in, never the line or its code (in a find-the-bug copy that line is the answer).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence

from ...tables import table_row
from .catalogue import Exercise, select
from .record import RECORD_NAME, read_record

#: this nanonet's project folder: its checks are the ones used to grade
GRADER_ROOT = Path(__file__).resolve().parents[3]
#: the grader's files put over the student's before grading (when this is a source checkout)
GRADER_FILES = ("tests/test_exercise_checks.py", "tests/conftest.py", "setup.cfg",
                "nanonet/teaching/exercises/__init__.py",
                "nanonet/teaching/exercises/catalogue.py",
                "nanonet/teaching/exercises/probes.py",
                "nanonet/teaching/exercises/results.py",
                "nanonet/teaching/exercises/golden.npz",
                "nanonet/teaching/exercises/golden_text.json")
SKIPPED = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", "*.egg-info", "lesson_output",
                                 ".hypothesis", ".pytest_cache", "figures")


@dataclass
class GradeReport:
    """The grade of one project: a result dict per exercise (CheckResult.to_dict())."""

    directory: str
    results: List[dict] = field(default_factory=list)
    used_grader_checks: bool = True
    pytest_output: str = ""
    #: why these exercises were graded: the copy's record, --only/--upto, or all of them
    selection: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r["passed"] for r in self.results)

    @property
    def score(self) -> float:
        return sum(r["passed"] for r in self.results) / max(1, len(self.results))

    def to_dict(self) -> dict:
        return {"directory": self.directory, "passed": self.passed, "score": self.score,
                "exercises_passed": sum(r["passed"] for r in self.results),
                "exercises": len(self.results), "used_grader_checks": self.used_grader_checks,
                "selection": self.selection, "results": self.results}

    def __str__(self) -> str:
        return format_table(self)


def grade(directory=".", only: Optional[Sequence[str]] = None, upto: Optional[str] = None,
          timeout: float = 900.0) -> GradeReport:
    """Grade the project in `directory` (a student copy, or nanonet itself): the exercises
    `only` / `upto` name, else those its EXERCISES.json records as set, else all."""
    source = _checked_project(directory)
    exercises, selection = _selection(source, only, upto)
    with tempfile.TemporaryDirectory(prefix="nanonet-grade-") as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(source, copy, ignore=SKIPPED)
        used_grader = _put_grader_checks(copy)
        reports = Path(scratch) / "reports"
        reports.mkdir()
        output = _run_tests(copy, reports, exercises, timeout)
        results = [_result(exercise, reports, output) for exercise in exercises]
    return GradeReport(str(source), results, used_grader, output, selection)


def _selection(source: Path, only, upto):
    """(the exercises to grade, why those)."""
    if only or upto:
        return select(only, upto), "chosen with --only" if only else f"up to {upto}"
    recorded = read_record(source)
    if recorded is not None:
        return recorded, f"the exercises set in this copy ({RECORD_NAME})"
    return select(), f"all exercises (no {RECORD_NAME}: not a student copy)"


def _checked_project(directory) -> Path:
    path = Path(directory).expanduser().resolve()
    if not path.is_dir():
        raise FileNotFoundError(f"exercises grade: {directory!r} is not a folder; give the "
                                f"project folder of a student copy (the one holding nanonet/).")
    if not (path / "nanonet" / "__init__.py").is_file():
        raise FileNotFoundError(f"exercises grade: {path} holds no nanonet/ package; give the "
                                f"project folder of a student copy (made with `python -m "
                                f"nanonet exercises make-student OUT`).")
    return path


def _put_grader_checks(copy: Path) -> bool:
    """Copy the grader's checks over the student's; False if this nanonet has none (an
    installed package without its tests), in which case the student's own are used."""
    sources = [GRADER_ROOT / name for name in GRADER_FILES]
    if not all(path.is_file() for path in sources):
        return False
    for name, path in zip(GRADER_FILES, sources):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return True


def _run_tests(copy: Path, reports: Path, exercises: List[Exercise], timeout: float) -> str:
    selection = " or ".join(exercise.marker for exercise in exercises)
    environment = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1",
                   "NANONET_EXERCISE_REPORT": str(reports)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", selection,
               "tests/test_exercise_checks.py"]
    try:
        done = subprocess.run(command, cwd=copy, env=environment, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"the tests did not finish within {timeout:g} s (an endless loop?)"
    return (done.stdout + done.stderr)[-6000:]


def _result(exercise: Exercise, reports: Path, output: str) -> dict:
    path = reports / f"{exercise.id}.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"exercise": exercise.id, "title": exercise.title, "difficulty": exercise.difficulty,
            "lesson": exercise.lesson, "functions": [name for _, name in exercise.functions],
            "status": "error", "passed": False, "rows": [],
            "message": f"the check did not run (does the package import?): "
                       f"{_error_lines(output)}"}


def _error_lines(output: str) -> str:
    """The error messages of a pytest run (its ``E   …`` lines), without the tracebacks'
    source lines — or, if it printed none, its last line."""
    errors = [line[1:].strip() for line in output.splitlines() if line.startswith("E ")]
    lines = output.strip().splitlines()
    return " / ".join(errors[-3:]) if errors else (lines[-1] if lines else "no output")


# ====================================================================== the table
COLUMNS = (("exercise", 26), ("result", 15), ("parameter", 40), ("max rel err", 11),
           ("worst at", 10), ("hint", 56))


def format_table(report: GradeReport) -> str:
    lines = [_row([name for name, _ in COLUMNS]),
             "  ".join("-" * width for _, width in COLUMNS)]
    for result in report.results:
        lines += _result_lines(result)
    done = sum(r["passed"] for r in report.results)
    lines.append("")
    if report.selection:
        lines.append(f"graded: {', '.join(r['exercise'] for r in report.results)} — "
                     f"{report.selection}")
    lines.append(f"score: {done}/{len(report.results)} exercises passed ({report.score:.0%})"
                 + ("" if report.used_grader_checks else
                    "  [graded with the project's own checks: this nanonet has no tests/]"))
    return "\n".join(lines)


def _result_lines(result: dict) -> List[str]:
    label = f"{result['exercise']} {result['title']}"
    status = result["status"].upper() if not result["passed"] else "passed"
    failed = [row for row in result["rows"] if not row["passed"]]
    if result["passed"] or not failed:
        lines = [_row([label, status, "—" if result["passed"] else
                       ", ".join(result["functions"]), "", "", ""])]
        if result["message"]:
            lines.append(textwrap.indent(textwrap.fill(result["message"], 140), " " * 28))
        return lines
    lines = []
    for k, row in enumerate(failed[:3]):
        error = row["max_rel_error"]
        lines.append(_row([label if k == 0 else "", status if k == 0 else "",
                           row["name"], "inf" if error is None else f"{error:.2e}",
                           "" if row["worst_index"] is None else str(tuple(row["worst_index"])),
                           row["hint"] or row["note"]]))
    if len(failed) > 3:
        lines.append(" " * 28 + f"… and {len(failed) - 3} more rows failed")
    return lines


def _row(cells) -> str:
    return table_row(cells, [width for _, width in COLUMNS])


# ====================================================================== find-the-bug copies
def bug_is_caught(copy, mutant) -> bool:
    """True when both tools BUG.md names catch the bug: grading the copy fails an exercise
    AND names the mutated function (in a failed row, or in the error raised inside it), and
    ``python -m nanonet gradcheck`` run in the copy fails."""
    from .copies import exercise_of
    exercise = exercise_of(mutant.function, mutant.path)
    if exercise is None:
        return False
    result = grade(copy, only=[exercise.id]).results[0]
    if result["passed"]:
        return False
    named = [row["name"] for row in result["rows"] if not row["passed"]] + [result["message"]]
    return any(mutant.function in text for text in named) and gradcheck_fails(copy)


def gradcheck_fails(copy, timeout: float = 300.0) -> bool:
    """True when ``python -m nanonet gradcheck`` fails (or does not finish) in the project
    folder `copy`, run against the copy's own nanonet."""
    environment = {**os.environ, "PYTHONPATH": str(Path(copy).resolve()),
                   "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        done = subprocess.run([sys.executable, "-m", "nanonet", "gradcheck"], cwd=copy,
                              env=environment, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return True
    return done.returncode != 0
