"""The graded checks of the classroom exercises: one test per exercise, one marker each.

    python -m pytest -m exercise_e07            # one exercise
    python -m pytest -m exercise                # all of them
    python -m nanonet exercises grade           # the same, as a score table with hints

On nanonet itself (the solution) every check passes. In a student copy an exercise that is
not done yet fails here with its "Exercise E07: …" message. When NANONET_EXERCISE_REPORT names
a folder, each test also writes its detailed result there (E07.json) for the grader.
"""
import json
import os
from pathlib import Path

import pytest

from nanonet.teaching.exercises import EXERCISES, probes


def _report(result) -> None:
    folder = os.environ.get("NANONET_EXERCISE_REPORT")
    if folder:
        path = Path(folder) / f"{result.exercise.id}.json"
        path.write_text(json.dumps(result.to_dict(), ensure_ascii=False), encoding="utf-8")


@pytest.mark.exercise
@pytest.mark.parametrize("exercise_id", [
    pytest.param(e.id, marks=getattr(pytest.mark, e.marker), id=e.id) for e in EXERCISES])
def test_exercise(exercise_id):
    result = probes.run(exercise_id)
    _report(result)
    assert result.passed, str(result)
