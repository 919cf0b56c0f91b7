"""Reports of a gradient check: one row per compared array, a table of rows.

Each row holds the largest relative error rel_i = |a_i − n_i| / max(1e-8, |a_i| + |n_i|),
where it occurs, whether the check passed, and a hint in words when it did not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import numpy as np

from ..validation import show_value, unknown_name_error
from .settings import DEFAULT_EPS, DEFAULT_TOL


@dataclass
class GradCheckRow:
    """The comparison of one gradient array.

    ``error_map`` holds the elementwise relative errors (the parameter's shape), ``worst``
    the largest few as (index, analytic, numeric, relative error), ``hint`` a guess at what
    is wrong when the check failed, ``note`` why it could not be compared at all.
    """

    name: str
    shape: Tuple[int, ...]
    max_rel_error: float
    max_abs_error: float
    worst_index: Optional[Tuple[int, ...]]
    analytic_at_worst: float
    numeric_at_worst: float
    passed: bool
    note: str = ""
    hint: str = ""
    worst: List[tuple] = field(default_factory=list)
    error_map: Optional[np.ndarray] = field(default=None, repr=False)
    analytic: Optional[np.ndarray] = field(default=None, repr=False)
    numeric: Optional[np.ndarray] = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """JSON-able: non-finite numbers become None."""
        return {"name": self.name, "shape": list(self.shape),
                "max_rel_error": _finite_or_none(self.max_rel_error),
                "max_abs_error": _finite_or_none(self.max_abs_error),
                "worst_index": None if self.worst_index is None else list(self.worst_index),
                "analytic_at_worst": _finite_or_none(self.analytic_at_worst),
                "numeric_at_worst": _finite_or_none(self.numeric_at_worst),
                "passed": self.passed, "note": self.note, "hint": self.hint,
                "worst": [{"index": list(i), "analytic": _finite_or_none(a),
                           "numeric": _finite_or_none(n), "rel_error": _finite_or_none(e)}
                          for i, a, n, e in self.worst]}


@dataclass
class GradCheckReport:
    """One row per checked array; prints as a table. ``report.passed`` is True if all passed;
    ``report.plot()`` draws the error maps."""

    title: str
    rows: List[GradCheckRow] = field(default_factory=list)
    eps: float = DEFAULT_EPS
    tol: float = DEFAULT_TOL

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.rows)

    @property
    def max_rel_error(self) -> float:
        return max((row.max_rel_error for row in self.rows), default=0.0)

    def __getitem__(self, name: str) -> GradCheckRow:
        """The row of the parameter called `name`, e.g. ``report["W1"]``."""
        names = [row.name for row in self.rows]
        if not isinstance(name, str):
            raise TypeError(f"GradCheckReport: rows are looked up by parameter name (a str), "
                            f"e.g. report[{names[0]!r}], got {show_value(name)}; its rows are "
                            f"{', '.join(repr(n) for n in names) or 'none'} "
                            f"(report.rows is the list)." if names else
                            f"GradCheckReport: rows are looked up by parameter name (a str), "
                            f"got {show_value(name)}; this report has no rows.")
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(str(unknown_name_error("row", name, names)).replace(
            "Unknown row", f"GradCheckReport {self.title!r}: no row", 1))

    def __bool__(self) -> bool:
        return self.passed

    def to_dict(self) -> dict:
        return {"title": self.title, "eps": self.eps, "tol": self.tol, "passed": self.passed,
                "rows": [row.to_dict() for row in self.rows]}

    def plot(self, path=None, title: Optional[str] = None):
        """A heat map of each row's elementwise relative error (log scale); saved to `path`
        if given. Returns the matplotlib figure (or the saved path). Needs matplotlib."""
        from ..plotting import error_maps, require_matplotlib
        require_matplotlib("GradCheckReport.plot", path)
        return error_maps(self, path, title)

    def __str__(self) -> str:
        header = ("parameter", "shape", "max rel err", "max abs err", "worst at",
                  "analytic", "numeric", "passed")
        body = [(r.name, str(r.shape), f"{r.max_rel_error:.2e}", f"{r.max_abs_error:.2e}",
                 "-" if r.worst_index is None else str(r.worst_index),
                 f"{r.analytic_at_worst:+.6e}", f"{r.numeric_at_worst:+.6e}",
                 "yes" if r.passed else "NO")
                for r in self.rows]
        widths = [max(len(str(line[i])) for line in [header] + body) for i in range(len(header))]
        lines = [f"Gradient check: {self.title}  (float64, eps={self.eps:g}, tol={self.tol:g})"]
        for line in [header] + body:
            lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip())
        for row in self.rows:
            for label, text in (("note", row.note), ("hint", row.hint)):
                if text:
                    lines.append(f"  {label} ({row.name}): {text}")
        lines.append("PASSED" if self.passed else "FAILED")
        return "\n".join(lines)

    __repr__ = __str__


def _finite_or_none(value: float) -> Optional[float]:
    return float(value) if np.isfinite(value) else None
