"""Shared pytest setup: hypothesis profiles, the order files are handed to parallel workers, and
how student copies report unfinished work.

"ci" (the default) is derandomized with no deadline, so a run never flakes and never depends on
the machine's speed. Set HYPOTHESIS_PROFILE=dev to explore with fresh random examples.

In a student copy (docs/teaching.md), tests that fail only because an exercise is not written
yet are reported as skipped, except the exercises' own tests (marked ``exercise_eNN``).
"""
import functools
import os
import re
import sys
from pathlib import Path

# a parallel run (pytest -n): one BLAS thread per test process, set before NumPy loads
if "PYTEST_XDIST_WORKER" in os.environ:
    for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, "1")

# With PYTHONDONTWRITEBYTECODE set (some machines set it globally), every test process would
# compile, and pytest re-rewrite, each test module and all of hypothesis afresh: about 5 s per
# worker, at every run. This process (not the subprocesses it starts) writes bytecode as usual,
# into __pycache__ folders, which git and the classroom copies ignore.
sys.dont_write_bytecode = False

import pytest  # noqa: E402
from hypothesis import HealthCheck, Phase, settings  # noqa: E402

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=100)


# ---------------------------------------------------------------- classroom kit (student copies)
#: a student copy (nanonet.teaching.exercises.copies) has STUDENT.md at its root, beside tests/
IN_STUDENT_COPY = (Path(__file__).resolve().parent.parent / "STUDENT.md").is_file()
# in a student copy, a test failing on an unfinished exercise fails at its first example:
# no shrinking (which would call the NotImplementedError hundreds of times) and no database
settings.register_profile("student", deadline=None, derandomize=True, max_examples=10,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate], database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE",
                                     "student" if IN_STUDENT_COPY else "ci"))
_UNFINISHED = re.compile(r"NotImplementedError(?::\s*|\(\s*['\"])Exercise (E\d\d)")
_EXERCISE_MARK = re.compile(r"exercise(_e\d\d)?")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In a student copy, a test that is not an exercise's own test and fails only because an
    exercise is unfinished (its NotImplementedError, also inside a subprocess's output) is
    reported as skipped: "needs exercise E07 (LSTM step forward — see lesson 05)"."""
    outcome = yield
    report = outcome.get_result()
    if IN_STUDENT_COPY and report.skipped and isinstance(report.longrepr, tuple) \
            and str(report.longrepr[0]).endswith("conftest.py"):      # skipped by the wrapper
        path, line = item.reportinfo()[:2]
        report.longrepr = (str(path), (line or 0) + 1, report.longrepr[2])
    if not IN_STUDENT_COPY or not report.failed or report.when not in ("setup", "call") \
            or any(_EXERCISE_MARK.fullmatch(mark.name) for mark in item.iter_markers()):
        return
    match = _UNFINISHED.search(str(report.longrepr))
    if match:
        path, line = item.reportinfo()[:2]
        report.outcome = "skipped"
        report.longrepr = (str(path), (line or 0) + 1,
                           f"Skipped: needs exercise {match[1]} ({_exercise_title(match[1])})")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """In a student copy, a test module that cannot even be imported before an exercise is
    done (it computes something at import time) is skipped as a whole, with the reason."""
    outcome = yield
    report = outcome.get_result()
    if IN_STUDENT_COPY and report.failed:
        match = _UNFINISHED.search(str(report.longrepr))
        if match:
            report.outcome = "skipped"
            report.longrepr = (str(collector.path), 0, f"Skipped: needs exercise {match[1]} "
                                                      f"({_exercise_title(match[1])})")


# ---------------------------------------------------------------- parallel runs (pytest -n)
#: the test files that take longest (seconds of test time on a 2-core machine, measured with
#: --durations=0), slowest first. `--dist loadfile` hands whole files to the workers in
#: collection order; starting with the longest files lets the workers finish together (left
#: to xdist, files are ordered by their number of tests, and a 35 s file could start last).
SLOWEST_FILES = ("test_book_browser.py",       # ~2-3 min (lesson_run): the whole book, built
                 "test_exercises.py",          # 37 s: grading subprocesses
                 "test_lesson_08.py",          # 25 s: the lesson, with two DDP processes
                 "test_exercise_copies.py",    # 15 s
                 "test_fuzz_tools.py",         # 14 s
                 "test_lesson_05.py", "test_lesson_06.py", "test_lesson_03.py", "test_lesson_02.py",
                 "test_cli.py",
                 "test_fuzz_model.py", "test_sequences.py", "test_figure_checks.py",
                 "test_selfcheck.py", "test_lesson_09.py", "test_interop_torch.py",
                 "test_gradcheck.py", "test_lesson_07.py", "test_lesson_04.py",
                 "test_lesson_10.py")


def pytest_configure(config):
    if hasattr(config.option, "loadscopereorder"):     # pytest-xdist ≥ 3.6
        config.option.loadscopereorder = False


def _slowest_files_first(items) -> None:
    rank = {name: k for k, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))     # stable otherwise


#: the test files that run one whole lesson each (tests/lesson_runner.py's lesson_fixture)
LESSON_FILE = re.compile(r"test_lesson_\d\d\.py")


@pytest.hookimpl(tryfirst=True)                 # before -m deselects by marker
def pytest_collection_modifyitems(items):
    """Every test of a lesson file is marked ``lesson_run``; slowest test files first (see
    SLOWEST_FILES); and the classroom kit's rules below."""
    for item in items:
        if LESSON_FILE.fullmatch(item.path.name):
            item.add_marker(pytest.mark.lesson_run)
    _slowest_files_first(items)
    _in_a_student_copy(items)


def _in_a_student_copy(items):
    """In a student copy, a test marked ``teacher_only`` is skipped, and a test that needs an
    unfinished exercise is skipped the moment the exercise's NotImplementedError reaches it:
    no failure report to format, and a hypothesis test stops at its first example instead of
    shrinking it."""
    if not IN_STUDENT_COPY:
        return
    for item in items:
        if item.get_closest_marker("teacher_only"):
            item.add_marker(pytest.mark.skip(reason="a teacher's test: it needs the solutions, "
                                                    "which a student copy does not have"))
            continue
        if not isinstance(item, pytest.Function) or any(
                _EXERCISE_MARK.fullmatch(mark.name) for mark in item.iter_markers()):
            continue
        hypothesis_handle = getattr(item.obj, "hypothesis", None)
        if hypothesis_handle is not None:
            hypothesis_handle.inner_test = _skip_when_unfinished(hypothesis_handle.inner_test)
        else:
            item.obj = _skip_when_unfinished(item.obj)


def _skip_when_unfinished(test):
    @functools.wraps(test)
    def run(*args, **kwargs):
        try:
            return test(*args, **kwargs)
        except NotImplementedError as error:
            match = _UNFINISHED.search(f"NotImplementedError: {error}")
            if match is None:
                raise
            pytest.skip(f"needs exercise {match[1]} ({_exercise_title(match[1])})")
    return run


def _exercise_title(exercise_id: str) -> str:
    from nanonet.teaching.exercises.catalogue import BY_ID

    exercise = BY_ID.get(exercise_id)
    return f"{exercise.title} — see lesson {exercise.lesson}" if exercise else "unfinished"
