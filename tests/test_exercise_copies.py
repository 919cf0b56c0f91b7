"""Student copies and find-the-bug copies (nanonet.teaching.exercises.copies), made from the
real repo."""
import ast
import difflib
import io
import json
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from nanonet.teaching.exercises import copies, markers
from nanonet.teaching.exercises.catalogue import EXERCISES, get
from nanonet.teaching.exercises.record import RECORD_NAME, read_record

#: the teacher's tests: they need the solutions, which a student copy does not have
pytestmark = pytest.mark.teacher_only

ROOT = copies.default_source_root()
HAS_GIT = copies.shutil.which("git") is not None
needs_git = pytest.mark.skipif(not HAS_GIT, reason="git is not installed")


# ---------------------------------------------------------------- helpers
def _source(name):
    return (ROOT / name).read_text(encoding="utf-8")


def _function_text(text, qualified):
    """The source of the function `qualified` ("f" or "Class.method") in `text`."""
    tree = ast.parse(text)
    *owners, name = qualified.split(".")
    scope = tree.body
    for owner in owners:
        scope = next(n for n in scope if isinstance(n, ast.ClassDef) and n.name == owner).body
    node = next(n for n in scope if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.get_source_segment(text, node)


def _solution_blocks(exercise):
    """(file, solution text) of every region of `exercise` in the real source."""
    for name in sorted({file for file, _ in exercise.functions}):
        text = _source(name)
        lines = text.splitlines()
        for region in markers.find_regions(text, name):
            if region.exercise_id == exercise.id:
                yield name, "\n".join(region.solution(lines))


def _comment_markers(text):
    """Marker lines that are real comments (not text inside a string)."""
    return [token.line for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.COMMENT and markers.MARKER.match(token.line.rstrip())]


def _blanked_ids(copy):
    found = set()
    for path in copy.rglob("*.py"):
        for exercise in EXERCISES:
            if f"raise NotImplementedError({exercise.message!r})" in path.read_text("utf-8"):
                found.add(exercise.id)
    return found


def _copy_files(copy):
    return sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*")
                  if p.is_file() and p.relative_to(copy).parts[0] != ".git")


def _git(copy, *arguments):
    return subprocess.run(["git", *arguments], cwd=copy, capture_output=True, text=True,
                          check=True).stdout


def _quiet_env(copy):
    return dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")


# ---------------------------------------------------------------- student copies
@pytest.fixture(scope="module")
def full_copy(tmp_path_factory):
    out = tmp_path_factory.mktemp("full")            # an existing empty folder is fine
    return copies.make_student_copy(out)


@pytest.fixture(scope="module")
def only_copy(tmp_path_factory):
    return copies.make_student_copy(tmp_path_factory.mktemp("only") / "copy", only="E03,E08")


@pytest.fixture(scope="module")
def upto_copy(tmp_path_factory):
    return copies.make_student_copy(tmp_path_factory.mktemp("upto") / "copy", upto="E02")


def test_every_region_becomes_the_hint_and_the_exact_message(full_copy):
    assert [e.id for e in full_copy.exercises] == [e.id for e in EXERCISES]
    for exercise in EXERCISES:
        for name, function in exercise.functions:
            body = _function_text((full_copy.path / name).read_text("utf-8"), function)
            assert f"raise NotImplementedError({exercise.message!r})" in body, (name, function)
            comments = " ".join(line.strip().lstrip("#").strip() for line in body.splitlines()
                                if line.strip().startswith("#"))
            assert " ".join(f"Hint: {exercise.hint}".split()) in comments, (name, function)
            assert f"Exercise {exercise.id} — {exercise.title}" in comments


def test_no_solution_and_no_marker_survives_in_the_files(full_copy):
    for exercise in EXERCISES:
        for name, block in _solution_blocks(exercise):
            assert block not in (full_copy.path / name).read_text("utf-8"), (exercise.id, name)
    for path in full_copy.path.rglob("*.py"):
        assert _comment_markers(path.read_text("utf-8")) == [], path
    assert copies.solution_leaks(full_copy.path, EXERCISES, ROOT) == []


def test_marker_lines_inside_strings_are_text_not_regions(full_copy):
    name = "nanonet/teaching/exercises/markers.py"
    assert "# --- exercise E07 begin ---" in _source(name)         # its docstring's example
    assert (full_copy.path / name).read_text("utf-8") == _source(name)


def test_only_blanks_just_those_and_keeps_the_other_solutions(only_copy):
    assert [e.id for e in only_copy.exercises] == ["E03", "E08"]
    assert _blanked_ids(only_copy.path) == {"E03", "E08"}
    for exercise in EXERCISES:
        for name, block in _solution_blocks(exercise):
            text = (only_copy.path / name).read_text("utf-8")
            assert (block in text) == (exercise.id not in ("E03", "E08")), (exercise.id, name)
            assert _comment_markers(text) == []
    assert copies.solution_leaks(only_copy.path, ["E03", "E08"], ROOT) == []


def test_upto_blanks_the_first_ones(upto_copy):
    assert _blanked_ids(upto_copy.path) == {"E01", "E02"}
    notes = (upto_copy.path / "STUDENT.md").read_text("utf-8")
    for exercise in EXERCISES:
        assert (f"| {exercise.id} | {exercise.title} |" in notes) == (exercise.id <= "E02")
    for command in ("python -m nanonet exercises grade", "python -m pytest -m exercise_e01",
                    "skipped"):
        assert command in notes


def test_the_copy_records_the_exercises_set_in_it(full_copy, only_copy, upto_copy):
    """What `exercises grade` grades in the copy (tests/test_exercises.py grades one)."""
    for copy, ids in ((full_copy, [e.id for e in EXERCISES]), (only_copy, ["E03", "E08"]),
                      (upto_copy, ["E01", "E02"])):
        assert [e.id for e in read_record(copy.path)] == ids
        assert json.loads((copy.path / RECORD_NAME).read_text("utf-8"))["copy"] == "student"
    assert read_record(ROOT) is None                    # the solution records nothing
    assert RECORD_NAME in (upto_copy.path / "STUDENT.md").read_text("utf-8")


@pytest.mark.parametrize("text, expected", [
    ("{not json", "not readable JSON"),
    ('{"copy": "student"}', "no list of exercise ids"),
    ('{"copy": "student", "exercises": ["E01", "E77"]}', "Unknown exercise 'E77'"),
])
def test_a_broken_record_is_named_with_the_fix(tmp_path, text, expected):
    (tmp_path / RECORD_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as excinfo:
        read_record(tmp_path)
    message = str(excinfo.value)
    assert RECORD_NAME in message and expected in message and "--only" in message


@needs_git
def test_what_student_md_tells_to_create_is_ignored_by_git(upto_copy):
    """STUDENT.md says `python -m venv .venv`; lessons write lesson_output/: neither may show
    up in `git status` of the copy (whose .gitignore is the checkout's own)."""
    copy = upto_copy.path
    notes = (copy / "STUDENT.md").read_text("utf-8")
    assert "python -m venv .venv" in notes and "lesson_output/" in notes
    made = [copy / ".venv" / "bin" / "python", copy / "lesson_output" / "01" / "loss.png"]
    try:
        for path in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x")
        assert _git(copy, "status", "--porcelain") == ""
        for root in (copy, ROOT):                    # the copy's .gitignore and main's
            ignored = subprocess.run(["git", "check-ignore", ".venv/bin/python",
                                      "lesson_output/01/loss.png"], cwd=root,
                                     capture_output=True, text=True)
            assert ignored.stdout.split() == [".venv/bin/python", "lesson_output/01/loss.png"]
    finally:
        for folder in (".venv", "lesson_output"):
            copies.shutil.rmtree(copy / folder, ignore_errors=True)


def test_the_copy_holds_the_project_and_nothing_else(full_copy):
    files = _copy_files(full_copy.path)
    assert files == sorted(copies.source_files(ROOT) + ["STUDENT.md", RECORD_NAME])
    assert {"nanonet/__init__.py", "lessons/05_inside_the_lstm_cell.py", "tests/conftest.py",
            "setup.cfg"} <= set(files)
    for name in files:
        assert not name.endswith(".pyc") and "__pycache__" not in name
        assert ".egg-info" not in name and "lesson_output" not in name
        assert ".pytest_cache" not in name and ".hypothesis" not in name
    unchanged = "nanonet/models.py"                                 # no markers: byte for byte
    assert (full_copy.path / unchanged).read_bytes() == (ROOT / unchanged).read_bytes()


@needs_git
def test_the_copy_is_one_commit_whose_history_holds_no_solution(full_copy):
    assert full_copy.commit is not None and full_copy.note == ""
    assert _git(full_copy.path, "log", "--format=%H %an <%ae> %s").splitlines() == [
        f"{full_copy.commit} {copies.GIT_NAME} <{copies.GIT_EMAIL}> Student copy of nanonet: "
        f"exercises {', '.join(e.id for e in EXERCISES)}"]
    assert _git(full_copy.path, "status", "--porcelain") == ""
    history = _git(full_copy.path, "log", "-p")
    distinctive = copies._distinctive_lines(ROOT, {e.id for e in EXERCISES})
    assert len(distinctive) > 100
    assert [line for line in distinctive if line in history] == []
    assert "raise NotImplementedError('Exercise E08: LSTM step backward" in history


def test_solution_leaks_finds_a_planted_solution_line(only_copy):
    copy = only_copy.path
    # an E08 solution line, read from the source (quoting it here would be a leak itself)
    line = next(text.strip() for text in _source("nanonet/layers/lstm.py").splitlines()
                if text.strip().startswith("dc = dc_next"))
    lesson = copy / "lessons" / "05_inside_the_lstm_cell.py"
    original = lesson.read_text("utf-8")
    cheat = copy / "docs" / "cheat.md"
    try:
        lesson.write_text(original + f"\n# the answer: {line}\n", encoding="utf-8")
        cheat.write_text(f"    {line}\n", encoding="utf-8")
        leaks = copies.solution_leaks(copy, ["E03", "E08"], ROOT)
        assert ("lessons/05_inside_the_lstm_cell.py", line) in leaks
        assert ("docs/cheat.md", line) in leaks
        assert copies.solution_leaks(copy, ["E03"], ROOT) == []      # E08 not blanked: no leak
    finally:
        lesson.write_text(original, encoding="utf-8")
        cheat.unlink()
    assert copies.solution_leaks(copy, ["E03", "E08"], ROOT) == []


def test_a_leak_stops_the_copy_and_removes_it(tmp_path, monkeypatch):
    monkeypatch.setattr(copies, "solution_leaks", lambda *a: [("docs/x.md", "the line")])
    with pytest.raises(RuntimeError, match="docs/x.md: the line"):
        copies.make_student_copy(tmp_path / "copy", only=["E01"])
    assert not (tmp_path / "copy").exists()


def test_refuses_a_non_empty_out_or_one_inside_the_source_tree(tmp_path):
    (tmp_path / "old.txt").write_text("mine")
    with pytest.raises(ValueError, match=r"^out: .* not empty"):
        copies.make_student_copy(tmp_path)
    assert os.listdir(tmp_path) == ["old.txt"]
    with pytest.raises(ValueError, match=r"^out: .* inside the source tree"):
        copies.make_student_copy(ROOT / "build" / "student")
    assert not (ROOT / "build" / "student").exists()
    with pytest.raises(ValueError, match="E99"):
        copies.make_student_copy(tmp_path / "new", only=["E99"])
    with pytest.raises(ValueError, match="source_root"):
        copies.make_student_copy(tmp_path / "new", source_root=tmp_path)
    assert not (tmp_path / "new").exists()


def test_the_copy_imports_its_own_nanonet(upto_copy):
    run = subprocess.run([sys.executable, "-c", "import nanonet; print(nanonet.__file__)"],
                         cwd=upto_copy.path, env=_quiet_env(upto_copy.path),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert Path(run.stdout.strip()).resolve() == (upto_copy.path / "nanonet/__init__.py").resolve()


def test_in_a_student_copy_the_reference_engine_trains_with_the_students_functions(upto_copy):
    """E01–E02 blanked: a reference-engine model reaches the student's dense_forward (and
    says which exercise it needs); the fast engine does not depend on it."""
    code = ("import numpy as np, nanonet as nn\n"
            "for engine in ('fast', 'reference'):\n"
            "    model = nn.Sequential([nn.layers.Dense(1, input_shape=(2,))], seed=0, "
            "engine=engine)\n"
            "    model.compile(optimizer='sgd', loss='mse')\n"
            "    try:\n"
            "        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0)\n"
            "        print(engine, 'trained')\n"
            "    except NotImplementedError as error:\n"
            "        print(engine, error)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=upto_copy.path,
                         env=_quiet_env(upto_copy.path), capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "fast trained", "reference Exercise E02: dense forward and backward — see lesson 01"]


HOOK_TESTS = '''
import subprocess, sys
import numpy as np
import pytest
from nanonet import losses, ops


def test_needs_e03():
    losses.bce_from_logits(np.zeros(2), np.zeros(2))


@pytest.mark.exercise_e03
def test_of_e03_itself():
    losses.bce_from_logits(np.zeros(2), np.zeros(2))


def test_needs_e08_in_a_subprocess():
    code = "import numpy as n; from nanonet.layers import lstm; lstm.lstm_cell_backward(*[n.zeros((1, 1))] * 2, n.zeros((1, 1)), n.zeros((1, 4)), n.zeros((1, 1)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_fails_for_another_reason():
    assert ops.tanh(np.zeros(1))[0] == 1


def test_passes():
    assert ops.sigmoid(np.zeros(1))[0] == 0.5
'''


def test_unfinished_exercises_skip_other_tests_but_not_their_own(only_copy):
    test_file = only_copy.path / "tests" / "test_zz_hook.py"
    test_file.write_text(HOOK_TESTS, encoding="utf-8")
    try:
        run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs",
                              str(test_file)], cwd=only_copy.path,
                             env=_quiet_env(only_copy.path), capture_output=True, text=True)
    finally:
        test_file.unlink()
    out = run.stdout
    assert "2 failed, 1 passed, 2 skipped" in out, out
    assert "test_of_e03_itself" in out and "test_fails_for_another_reason" in out
    assert "needs exercise E03 (binary cross-entropy and its gradient — see lesson 02)" in out
    assert "needs exercise E08 (LSTM step backward — see lesson 05)" in out


# ---------------------------------------------------------------- find-the-bug copies
@pytest.fixture(scope="module")
def candidates():
    return copies.bug_candidates(ROOT)


@pytest.fixture(scope="module")
def bug_copy(tmp_path_factory):
    out = tmp_path_factory.mktemp("bug") / "copy"
    return out, copies.make_bug_copy(out, seed=5)


def test_candidates_are_the_exercises_backward_functions(candidates):
    assert {m.function for m in candidates} == set(copies.BUG_FUNCTIONS)
    assert {m.kind for m in candidates} <= set(copies.BUG_KINDS)
    assert all(copies.exercise_of(m.function, m.path) is not None for m in candidates)


def test_the_seed_chooses_the_mutant(candidates, bug_copy, tmp_path):
    out, mutant = bug_copy
    assert mutant == copies.bug_order(5, candidates)[0]
    assert copies.make_bug_copy(tmp_path / "again", seed=5) == mutant
    firsts = {copies.bug_order(seed, candidates)[0] for seed in range(12)}
    assert len(firsts) >= 6
    assert copies.bug_order(3, list(reversed(candidates))) == copies.bug_order(3, candidates)
    with pytest.raises(ValueError, match="^seed"):
        copies.make_bug_copy(tmp_path / "bad", seed=-1)
    with pytest.raises(ValueError, match="^seed"):
        copies.make_bug_copy(tmp_path / "bad", seed="5")


def test_the_bug_copy_differs_from_the_solution_in_one_function_only(bug_copy):
    out, mutant = bug_copy
    differing = []
    for name in copies.source_files(ROOT):
        original = (ROOT / name).read_bytes()
        if name.endswith(".py") and b"# --- exercise E" in original:
            original = copies._stripped_text(original.decode("utf-8"), name).encode("utf-8")
            assert _comment_markers((out / name).read_text("utf-8")) == []
        if (out / name).read_bytes() != original:
            differing.append(name)
    assert differing == [mutant.path]
    before = copies._stripped_text(_source(mutant.path), mutant.path).splitlines()
    after = (out / mutant.path).read_text("utf-8").splitlines()
    function = next(n for n in ast.walk(ast.parse("\n".join(after)))
                    if isinstance(n, ast.FunctionDef) and n.name == mutant.function)
    changed = [op for op in difflib.SequenceMatcher(None, before, after).get_opcodes()
               if op[0] != "equal"]
    assert changed and all(function.lineno - 1 <= op[3] and op[4] <= function.end_lineno
                           for op in changed)
    assert (out / "BUG.md").is_file() and "python -m nanonet gradcheck" in (out / "BUG.md").read_text("utf-8")
    assert set(_copy_files(out)) == set(copies.source_files(ROOT)) | {"BUG.md", RECORD_NAME}
    assert [e.id for e in read_record(out)] == [e.id for e in EXERCISES]


def test_the_answer_key_lies_beside_the_copy(bug_copy):
    out, mutant = bug_copy
    key_path = copies.answer_key_path(out)
    assert key_path == out.parent / "copy.answer.json" and key_path.is_file()
    key = json.loads(key_path.read_text("utf-8"))
    assert key["function"] == mutant.function and key["path"] == mutant.path
    assert key["exercise"] == copies.exercise_of(mutant.function).id and key["seed"] == 5
    line = (out / mutant.path).read_text("utf-8").splitlines()[key["line_in_copy"] - 1]
    assert mutant.new_text in line
    for path in out.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(out).parts:
            assert "answer" not in path.name
    if HAS_GIT:
        assert _git(out, "log", "--format=%s").splitlines() == ["Find-the-bug copy of nanonet"]


def test_the_check_moves_on_until_a_bug_is_caught(candidates, tmp_path):
    seen = []

    def check(copy, mutant):
        assert mutant.new_text in (copy / mutant.path).read_text("utf-8")
        (copy / "scratch.txt").write_text("left by the check")
        seen.append(mutant)
        return len(seen) > 1

    mutant = copies.make_bug_copy(tmp_path / "copy", seed=2, check=check)
    assert seen == copies.bug_order(2, candidates)[:2] and mutant == seen[1]
    assert not (tmp_path / "copy" / "scratch.txt").exists()
    assert json.loads(copies.answer_key_path(tmp_path / "copy").read_text())["line"] == mutant.line


def test_a_check_that_never_catches_gives_up(tmp_path, monkeypatch):
    monkeypatch.setattr(copies, "MAX_BUG_TRIES", 3)
    calls = []
    with pytest.raises(RuntimeError, match="none of the first 3 mutants"):
        copies.make_bug_copy(tmp_path / "copy", seed=1, check=lambda c, m: calls.append(m))
    assert len(calls) == 3
    assert not (tmp_path / "copy").exists() and not copies.answer_key_path(tmp_path / "copy").exists()


def test_exercise_of_names_the_owner():
    assert copies.exercise_of("dense_backward") is get("E02")
    assert copies.exercise_of("lstm_backward", "nanonet/layers/lstm.py") is get("E09")
    assert copies.exercise_of("lstm_backward", "nanonet/fast/lstm.py") is None
    assert copies.exercise_of("update", "nanonet/optimizers.py") is get("E04")
    assert copies.exercise_of("Adam.update") is get("E04")
    assert copies.exercise_of("dense_backward", "nanonet/losses.py") is None
    assert copies.exercise_of("relu_grad") is None
