"""What an exercise check found: one row per compared array, and the exercise's verdict.

A row is a ``GradCheckRow`` (gradcheck.py): the parameter (or output) compared, its largest
relative error, the worst element and a hint in words. Checks that are not about numbers
(a dtype kept, an input restored) give rows too, with the finding in ``note``.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import List

import numpy as np

from ...gradcheck import GradCheckRow
from .catalogue import Exercise

PASSED, FAILED, NOT_IMPLEMENTED, ERROR = "passed", "failed", "not implemented", "error"

#: the hint for a backward pass that returns the same gradients whatever its upstream gradient
IGNORES_UPSTREAM = ("ignores its upstream gradient: doubling dout leaves the result unchanged — "
                    "multiply by the gradient flowing in from above (chain rule)")


@dataclass
class CheckResult:
    """The verdict on one exercise: status is passed, failed, not implemented or error."""

    exercise: Exercise
    status: str
    rows: List[GradCheckRow] = field(default_factory=list)
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def failed_rows(self) -> List[GradCheckRow]:
        return [row for row in self.rows if not row.passed]

    def to_dict(self) -> dict:
        e = self.exercise
        return {"exercise": e.id, "title": e.title, "difficulty": e.difficulty,
                "lesson": e.lesson, "functions": [name for _, name in e.functions],
                "status": self.status, "passed": self.passed, "message": self.message,
                "rows": [row.to_dict() for row in self.rows]}

    def __str__(self) -> str:
        lines = [f"{self.exercise.id} {self.exercise.title}: {self.status.upper()}"]
        if self.message:
            lines.append(f"  {self.message}")
        for row in self.failed_rows:
            where = "" if row.worst_index is None else f", worst at {row.worst_index}"
            lines.append(f"  {row.name}: max rel err {row.max_rel_error:.2e}{where}")
            lines += [f"    {label}: {text}" for label, text in
                      (("note", row.note), ("hint", row.hint)) if text]
        return "\n".join(lines)


def verdict(exercise: Exercise, rows: List[GradCheckRow]) -> CheckResult:
    status = PASSED if rows and all(row.passed for row in rows) else FAILED
    return CheckResult(exercise, status, rows)


def from_exception(exercise: Exercise, error: BaseException) -> CheckResult:
    """The verdict when the student's code raised instead of returning."""
    text = str(error)
    if isinstance(error, NotImplementedError) and text.startswith("Exercise E"):
        if text.startswith(f"Exercise {exercise.id}"):
            return CheckResult(exercise, NOT_IMPLEMENTED, message=text)
        return CheckResult(exercise, NOT_IMPLEMENTED,
                           message=f"needs another exercise first: {text}")
    return CheckResult(exercise, ERROR, message=f"{type(error).__name__}: {text} "
                                                f"({_where(error)}){_shape_hint(error)}")


def _shape_hint(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, ValueError) and ("core dimension" in text or "shapes" in text
                                          or "broadcast" in text):
        return (" — hint: a product got shapes that do not fit; a missing or extra transpose "
                "(xᵀ, Wᵀ)? Write each array's shape next to the formula.")
    return ""


def _where(error: BaseException) -> str:
    """The innermost frame of the traceback inside nanonet: its function and file — never the
    line or its code, which in a find-the-bug copy would be the answer (run the exercise's
    tests, ``python -m pytest -m exercise_e02``, for the full traceback)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if "nanonet" in frame.filename.replace("\\", "/")
              and "/nanonet/teaching/exercises/" not in frame.filename.replace("\\", "/")]
    if not frames:
        return "raised by the check itself"
    frame = frames[-1]
    return f"in {frame.name}, {_short_path(frame.filename)}"


def _short_path(filename: str) -> str:
    parts = filename.replace("\\", "/").split("/")
    return "/".join(parts[parts.index("nanonet"):]) if "nanonet" in parts else filename


def finding(name: str, ok: bool, note: str) -> GradCheckRow:
    """A row for a check that is not a comparison of numbers; `note` says what was found."""
    return GradCheckRow(name, (), 0.0 if ok else float("inf"), 0.0 if ok else float("inf"),
                        None, float("nan"), float("nan"), bool(ok), note="" if ok else note)


def mark_ignored_upstream(row: GradCheckRow, at_dout, at_double_dout) -> GradCheckRow:
    """Replace a failed row's hint when its gradient did not change as dout doubled."""
    if row.passed or at_dout is None or at_double_dout is None:
        return row
    a, b = np.asarray(at_dout, dtype=np.float64), np.asarray(at_double_dout, dtype=np.float64)
    if a.shape == b.shape and np.abs(a).max(initial=0) > 0 and np.allclose(a, b, rtol=1e-9):
        row.hint = IGNORES_UPSTREAM
    return row
