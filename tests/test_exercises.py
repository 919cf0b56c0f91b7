"""The classroom kit end to end: student copies graded, solutions restored, bugs found.

(tests/test_exercise_copies.py covers how copies are written; this file grades them.)
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nanonet.teaching.exercises import EXERCISES, get
from nanonet.teaching.exercises import copies
from nanonet.teaching.exercises.copies import (answer_key_path, bug_candidates, exercise_of,
                                               make_bug_copy, make_student_copy)
from nanonet.teaching.exercises.grading import (GRADER_FILES, GRADER_ROOT, _error_lines,
                                                _selection, bug_is_caught, grade)
from nanonet.teaching.exercises.markers import student_version
from nanonet.teaching.exercises.record import RECORD_NAME

#: the teacher's tests: they need the solutions, which a student copy does not have
pytestmark = pytest.mark.teacher_only

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """A student copy with every exercise blanked (made once for this file)."""
    return make_student_copy(tmp_path_factory.mktemp("course") / "student").path


def _statuses(report) -> dict:
    return {r["exercise"]: r["status"] for r in report.results}


def test_the_solution_grades_full_marks():
    report = grade(ROOT)
    assert report.passed and report.score == 1.0, str(report)
    assert [r["exercise"] for r in report.results] == [e.id for e in EXERCISES]
    assert f"no {RECORD_NAME}" in report.selection and "score: 10/10" in str(report)


def _cli_grade(*args):
    return subprocess.run([sys.executable, "-m", "nanonet", "exercises", "grade", *args],
                          cwd=ROOT, capture_output=True, text=True)


def test_an_untouched_copy_scores_0_of_what_was_set(tmp_path):
    """`--upto E03` sets three exercises: the untouched copy is 0/3 (not 7/10 for the seven
    solutions it was given); --only still lets the teacher choose."""
    copy = make_student_copy(tmp_path / "week02", upto="E03").path
    done = _cli_grade(str(copy), "--json", str(tmp_path / "grade.json"))
    assert done.returncode == 1, done.stderr
    assert "score: 0/3 exercises passed (0%)" in done.stdout, done.stdout
    assert f"graded: E01, E02, E03 — the exercises set in this copy ({RECORD_NAME})" \
        in done.stdout
    data = json.loads((tmp_path / "grade.json").read_text(encoding="utf-8"))
    assert (data["exercises"], data["exercises_passed"]) == (3, 0)
    assert [r["exercise"] for r in data["results"]] == ["E01", "E02", "E03"]
    chosen, why = _selection(copy, ["E02", "E05"], None)          # the teacher chooses
    assert [e.id for e in chosen] == ["E02", "E05"] and why == "chosen with --only"
    assert [e.id for e in _selection(copy, None, "E02")[0]] == ["E01", "E02"]


def test_a_broken_record_stops_grading_with_one_line(tmp_path):
    (tmp_path / "nanonet").mkdir()
    (tmp_path / "nanonet" / "__init__.py").write_text("")
    (tmp_path / RECORD_NAME).write_text('{"exercises": "E01"}', encoding="utf-8")
    done = _cli_grade(str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert RECORD_NAME in done.stderr and "no list of exercise ids" in done.stderr


def test_every_exercise_of_a_fresh_student_copy_fails_with_its_message(student, tmp_path):
    """`exercises grade DIR --json FILE`: the table, the JSON and the exit code."""
    out = tmp_path / "grades.json"
    done = subprocess.run([sys.executable, "-m", "nanonet", "exercises", "grade", str(student),
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "Exercise E07: LSTM step forward — see lesson 05" in done.stdout
    assert "score: 0/10" in done.stdout and "E06 embedding backward" in done.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["score"] == 0.0 and not data["passed"]
    for result, exercise in zip(data["results"], EXERCISES):
        assert result["exercise"] == exercise.id
        assert result["status"] == "not implemented", result
        assert result["message"] == exercise.message


#: in a fresh interpreter: for each step, write its files, forget every nanonet module, and
#: run the grader's checks (in-process probes: the graded pytest run gives the same answer
#: slower); prints one {exercise id: status} per step. Bytecode is cached, so a step compiles
#: only the files it wrote (their cached bytecode is deleted with each write: a stale .pyc
#: would grade the previous step's code) — 0.05 s a step instead of 0.18 s
PROBE_STEPS = """
import importlib.util, json, os, sys
from pathlib import Path
sys.dont_write_bytecode = False
for files in json.load(sys.stdin):
    for path, text in files.items():
        Path(path).write_text(text, encoding="utf-8")
        cached = Path(importlib.util.cache_from_source(str(Path(path).resolve())))
        if cached.exists():
            os.remove(cached)
    for name in [m for m in sys.modules if m == "nanonet" or m.startswith("nanonet.")]:
        del sys.modules[name]
    from nanonet.teaching.exercises import probes
    print(json.dumps({r.exercise.id: r.status for r in probes.run_all()}))
"""


def _probe_statuses(copy: Path, steps) -> list:
    """The status of every exercise in `copy` after each step of `steps` (a list of
    {path: new text} to write into the copy first)."""
    environment = {**os.environ, "PYTHONPATH": str(copy)}
    done = subprocess.run([sys.executable, "-c", PROBE_STEPS], cwd=copy, env=environment,
                          input=json.dumps(steps), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _files_of(exercise_id: str, solved: bool) -> dict:
    """The files of one exercise as in a student copy — with its own solution back if
    `solved` (the regions of every other exercise stay blanked)."""
    blank = {e.id: e for e in EXERCISES if not (solved and e.id == exercise_id)}
    return {path: student_version((ROOT / path).read_text(encoding="utf-8"), blank, path)
            for path in sorted({file for file, _ in get(exercise_id).functions})}


def test_restoring_one_solution_makes_exactly_that_exercise_pass(student):
    steps = [{}]                                     # first: the copy as made
    for exercise in EXERCISES:
        steps += [_files_of(exercise.id, solved=True), _files_of(exercise.id, solved=False)]
    statuses = _probe_statuses(student, steps)
    assert len(statuses) == len(steps)
    assert set(statuses[0].values()) == {"not implemented"}
    for k, exercise in enumerate(EXERCISES):
        restored, blanked_again = statuses[1 + 2 * k], statuses[2 + 2 * k]
        assert restored.pop(exercise.id) == "passed", exercise.id
        assert set(restored.values()) == {"not implemented"}, (exercise.id, restored)
        assert set(blanked_again.values()) == {"not implemented"}, (exercise.id, blanked_again)


def test_a_student_cannot_change_the_grade_by_editing_the_checks(student):
    checks = student / "tests" / "test_exercise_checks.py"
    original = checks.read_text(encoding="utf-8")
    checks.write_text("def test_exercise():\n    pass\n", encoding="utf-8")
    try:
        assert _statuses(grade(student, only=["E02"])) == {"E02": "not implemented"}
    finally:
        checks.write_text(original, encoding="utf-8")


def test_the_student_copy_imports_and_its_other_tests_pass_or_wait(student):
    """Tests that need an unfinished exercise are skipped ("needs exercise E…"), never
    failed; tests of code outside the exercises pass."""
    environment = {**os.environ, "PYTHONPATH": str(student), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           "-rs", "tests/test_ops.py", "tests/test_text.py"],
                          cwd=student, env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and re.search(r"\d+ skipped", summary), summary
    assert "failed" not in summary and "error" not in summary, summary
    assert "needs exercise E01" in done.stdout and "needs exercise E10" in done.stdout


@pytest.mark.parametrize("seed", [0])
def test_each_find_the_bug_copy_fails_a_gradient_check_that_names_the_function(seed, tmp_path):
    out = tmp_path / f"bug{seed}"
    verdicts = []

    def caught(copy, candidate):                    # bug_is_caught, remembering its verdicts
        verdicts.append((candidate, bug_is_caught(copy, candidate)))
        return verdicts[-1][1]

    mutant = make_bug_copy(out, seed, check=caught)
    assert verdicts[-1] == (mutant, True)           # its gradcheck run failed: BUG.md's other tool
    answer = json.loads(answer_key_path(out).read_text(encoding="utf-8"))
    assert answer["function"] == mutant.function and not str(answer_key_path(out)).startswith(
        str(out) + os.sep)
    exercise = exercise_of(mutant.function, mutant.path)
    report = grade(out)
    failed = [r for r in report.results if not r["passed"]]
    assert exercise.id in [r["exercise"] for r in failed], str(report)
    result = next(r for r in failed if r["exercise"] == exercise.id)
    texts = [row["name"] for row in result["rows"] if not row["passed"]] + [result["message"]]
    assert any(mutant.function in text for text in texts), (mutant.description, texts)


def test_grading_never_quotes_the_mutated_line(tmp_path):
    """A bug that raises (x2.T lost: the matmul's shapes do not fit) is reported with its
    function and file, never the line of code — that would be the answer."""
    mutant = next(m for m in bug_candidates(ROOT) if m.function == "dense_backward"
                  and m.kind == "transpose" and m.old_text == "x2.T")
    out = tmp_path / "bug"
    copies._write_bug_files(out, ROOT, mutant)
    line = (out / mutant.path).read_text(encoding="utf-8").splitlines()
    mutated = next(text.strip() for text in line if mutant.new_text + " @" in text
                   and "d_kernel" in text)
    report = grade(out, only=["E02"])
    result = report.results[0]
    assert result["status"] == "error" and "in dense_backward, nanonet/layers/dense.py" \
        in result["message"], result
    printed = str(report) + json.dumps(report.to_dict(), ensure_ascii=False)
    assert mutated not in printed and "dense.py:" not in printed
    assert mutant.new_text + " @ dz2" not in printed


def test_an_error_is_located_in_a_copy_kept_in_a_folder_named_exercises():
    """Only the grader's own frames (nanonet/teaching/exercises/) are left out of where an
    error was raised, not every path with an 'exercises' folder in it."""
    from nanonet.teaching.exercises.results import _where
    namespace = {}
    exec(compile("def dense_backward():\n    raise ValueError('shapes')\n",
                 "/home/alice/exercises/week1/nanonet/layers/dense.py", "exec"), namespace)
    with pytest.raises(ValueError) as raised:
        namespace["dense_backward"]()
    assert _where(raised.value) == "in dense_backward, nanonet/layers/dense.py"


def test_a_crashed_check_is_summarised_by_its_error_lines_only():
    output = ("tests/test_exercise_checks.py:30: in test_exercise\n"
              "    result = probes.run(exercise_id)\n"
              "nanonet/layers/dense.py:56: in dense_backward\n"
              ">   d_kernel = np.matmul(x2, dz2, out=kernel_out)\n"
              "E   ValueError: matmul: Input operand 1 has a mismatch\n"
              "1 failed in 0.5s\n")
    assert _error_lines(output) == "ValueError: matmul: Input operand 1 has a mismatch"
    assert _error_lines("1 error in 0.1s\n") == "1 error in 0.1s"


def test_the_grader_uses_this_checkouts_checks():
    """Every file the grader puts over a student's is in this checkout: a path left behind by a
    move would make it grade with the student's own (editable) checks, and say so only in a
    footnote."""
    assert GRADER_ROOT == ROOT == copies.default_source_root()
    assert [name for name in GRADER_FILES if not (GRADER_ROOT / name).is_file()] == []


def test_the_command_line_lists_exercises_and_writes_a_student_copy(tmp_path):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "nanonet", "exercises", *args], cwd=ROOT,
                              capture_output=True, text=True)
    listing = cli("list")
    assert listing.returncode == 0
    assert all(e.id in listing.stdout and e.title in listing.stdout for e in EXERCISES)
    made = cli("make-student", str(tmp_path / "week1"), "--upto", "E02")
    assert made.returncode == 0, made.stderr
    assert "E01, E02 are left to write" in made.stdout
    text = (tmp_path / "week1" / "nanonet" / "layers" / "dense.py").read_text(encoding="utf-8")
    assert get("E02").message in text
    refused = cli("make-student", str(tmp_path / "week1"))            # not empty any more
    assert refused.returncode == 2 and "week1" in refused.stderr
    assert "Traceback" not in refused.stderr
