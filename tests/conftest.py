"""Shared pytest setup: hypothesis profiles, and how student copies report unfinished work.

"ci" (the default) is derandomized with no deadline, so a run never flakes and never depends on
the machine's speed. Set HYPOTHESIS_PROFILE=dev to explore with fresh random examples.

In a student copy (docs/teaching.md), tests that fail only because an exercise is not written
yet are reported as skipped, except the exercises' own tests (marked ``exercise_eNN``).
"""
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# ---------------------------------------------------------------- classroom kit (student copies)
#: a student copy (nanonet.exercises.copies) has STUDENT.md at its root, beside tests/
IN_STUDENT_COPY = (Path(__file__).resolve().parent.parent / "STUDENT.md").is_file()
_UNFINISHED = re.compile(r"NotImplementedError(?::\s*|\(\s*['\"])Exercise (E\d\d)")
_EXERCISE_MARK = re.compile(r"exercise(_e\d\d)?")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In a student copy, a test that is not an exercise's own test and fails only because an
    exercise is unfinished (its NotImplementedError, also inside a subprocess's output) is
    reported as skipped: "needs exercise E07 (LSTM step forward — see lesson 05)"."""
    outcome = yield
    report = outcome.get_result()
    if not IN_STUDENT_COPY or not report.failed or report.when not in ("setup", "call") \
            or any(_EXERCISE_MARK.fullmatch(mark.name) for mark in item.iter_markers()):
        return
    match = _UNFINISHED.search(str(report.longrepr))
    if match:
        path, line = item.reportinfo()[:2]
        report.outcome = "skipped"
        report.longrepr = (str(path), (line or 0) + 1,
                           f"Skipped: needs exercise {match[1]} ({_exercise_title(match[1])})")


def _exercise_title(exercise_id: str) -> str:
    from nanonet.exercises.catalogue import BY_ID

    exercise = BY_ID.get(exercise_id)
    return f"{exercise.title} — see lesson {exercise.lesson}" if exercise else "unfinished"
