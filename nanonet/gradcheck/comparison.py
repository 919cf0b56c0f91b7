"""Comparing an analytic gradient with a numerical one: the relative error, and one report row.

    rel_i = |a_i − n_i| / max(1e-8, |a_i| + |n_i|)

An element passes when rel_i ≤ tol, or when |a_i − n_i| is below the numerical derivative's
own round-off noise (settings.noise_floor); a failing row carries a hint (diagnosis.py).
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..validation import as_float_array, check_float, check_not_masked, show_value
from .diagnosis import diagnose, explain_shape_mismatch
from .reports import GradCheckRow
from .settings import DEFAULT_TOL, REL_FLOOR


def relative_error_map(analytic, numeric, floor: float = REL_FLOOR) -> np.ndarray:
    """Elementwise |a − n| / max(floor, |a| + |n|), in float64.

    `analytic` and `numeric` must be arrays (or nested lists) of finite real numbers of the
    SAME shape — no broadcasting, which would compare the wrong elements silently; `floor`
    must be > 0. Values near the float64 limit (±1e308) are handled without overflow.
    """
    where = "relative_error_map"
    a, n = _comparable_pair(analytic, numeric, where)
    return _relative_error_map(a, n, check_float(floor, "floor", where, low=0.0,
                                                 low_inclusive=False))


def relative_error(analytic, numeric, floor: float = REL_FLOOR) -> float:
    """The largest elementwise relative error |a − n| / max(floor, |a| + |n|) (0 for empty
    arrays). The same arguments as ``relative_error_map``."""
    where = "relative_error"
    a, n = _comparable_pair(analytic, numeric, where)
    errors = _relative_error_map(a, n, check_float(floor, "floor", where, low=0.0,
                                                   low_inclusive=False))
    return float(errors.max()) if errors.size else 0.0


def _comparable_pair(analytic, numeric, where: str) -> Tuple[np.ndarray, np.ndarray]:
    a = as_float_array(analytic, "analytic", where, np.float64)
    n = as_float_array(numeric, "numeric", where, np.float64)
    if a.shape != n.shape:
        raise ValueError(f"{where}: analytic and numeric must have the same shape, got "
                         f"analytic {a.shape} and numeric {n.shape} "
                         f"({explain_shape_mismatch(a.shape, n.shape)}).")
    return a, n


def _relative_error_map(a: np.ndarray, n: np.ndarray, floor: float = REL_FLOOR) -> np.ndarray:
    """|a − n| / max(floor, |a| + |n|) without overflow warnings: where |a − n| or |a| + |n|
    overflows (|a|, |n| near 1e308) the same ratio is computed from a/2 and n/2."""
    with np.errstate(over="ignore", invalid="ignore"):
        errors = np.abs(a - n) / np.maximum(floor, np.abs(a) + np.abs(n))
        overflowed = ~np.isfinite(errors) & np.isfinite(a) & np.isfinite(n)
        if overflowed.any():
            half_a, half_n = a[overflowed] / 2, n[overflowed] / 2
            errors[overflowed] = (np.abs(half_a - half_n)
                                  / np.maximum(floor / 2, np.abs(half_a) + np.abs(half_n)))
    return errors


def compare(name: str, analytic, numeric, tol: float = DEFAULT_TOL,
            noise: float = 0.0, top: int = 5) -> GradCheckRow:
    """Compare one analytic gradient with its numerical estimate (see the module docstring).
    Masked arrays are refused (TypeError); np.matrix and other subclasses are read as plain
    arrays."""
    check_not_masked(analytic, "analytic", "compare")
    check_not_masked(numeric, "numeric", "compare")
    numeric = np.asarray(numeric, dtype=np.float64)
    problem = _uncomparable(analytic, numeric)
    if problem:
        return GradCheckRow(name, numeric.shape, float("inf"), float("inf"), None, float("nan"),
                            float("nan"), False, note=problem)
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.size == 0:
        return GradCheckRow(name, numeric.shape, 0.0, 0.0, None, 0.0, 0.0, True,
                            error_map=np.zeros(numeric.shape))
    with np.errstate(invalid="ignore", over="ignore"):
        errors = _relative_error_map(analytic, numeric)
        absolute = np.abs(analytic - numeric)
    errors = np.where(np.isnan(errors), np.inf, errors)
    element_ok = (errors <= tol) | (absolute <= noise)
    order = np.argsort(-errors, axis=None, kind="stable")[:top]
    worst = [(tuple(int(i) for i in np.unravel_index(k, errors.shape)), float(analytic.flat[k]),
              float(numeric.flat[k]), float(errors.flat[k])) for k in order]
    passed = bool(element_ok.all())
    first = worst[0]
    return GradCheckRow(
        name=name, shape=numeric.shape, max_rel_error=first[3],
        max_abs_error=float(np.nanmax(absolute)) if np.isfinite(absolute).any() else float("inf"),
        worst_index=first[0], analytic_at_worst=first[1], numeric_at_worst=first[2],
        passed=passed, hint="" if passed else diagnose(analytic, numeric), worst=worst,
        error_map=errors, analytic=analytic, numeric=numeric)


def _uncomparable(analytic, numeric: np.ndarray) -> str:
    """Why `analytic` cannot be compared with `numeric` at all ('' if it can)."""
    if analytic is None:
        return "the gradient function returned None for this argument"
    try:
        raw = np.asarray(analytic)
        if raw.dtype.kind not in "biuf":
            raise TypeError
        analytic = raw.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        return (f"the gradient is not an array of real numbers (got {show_value(analytic)})")
    if analytic.shape != numeric.shape:
        return explain_shape_mismatch(analytic.shape, numeric.shape, analytic, numeric)
    if not np.isfinite(analytic).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
        return f"the gradient contains {analytic[index]} at index {index}"
    return ""
