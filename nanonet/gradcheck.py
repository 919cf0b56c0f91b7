"""Gradient checking: compare any analytic gradient with central differences, in float64.

The numerical gradient of a scalar function f at x, one element at a time::

    ∂f/∂x_i ≈ ( f(x + ε e_i) − f(x − ε e_i) ) / 2ε            (error O(ε²) + round-off O(δ/ε))

A layer or formula whose output is an array is reduced to a scalar with a **random upstream
gradient** G of the output's shape, f = Σ (output ⊙ G), and the analytic side is the
backward pass fed with G. (Checking Σ output alone — G = 1 — would hide a backward that forgets
to multiply by its upstream gradient.)

Each compared array gets a row: the largest relative error

    rel_i = |a_i − n_i| / max(1e-8, |a_i| + |n_i|)

where it occurs, and whether the check passed. An element passes when rel_i ≤ tol, or when
|a_i − n_i| is below the round-off noise of the numerical derivative itself
(≈ 32 δ (1 + Σ|terms of f|) / ε with δ = 2.2e-16) — so a gradient that is truly 0 or tiny is not
failed for noise, while a sign error or a missing factor on any real gradient always fails.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from .diagnosis import diagnose, explain_shape_mismatch
from .validation import (as_array, as_float_array, check_finite, check_float, check_int,
                         unknown_name_error)

DEFAULT_EPS = 1e-6
DEFAULT_TOL = 1e-6
REL_FLOOR = 1e-8
_NOISE_FACTOR = 32 * np.finfo(np.float64).eps


# ====================================================================== numerics
def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                       eps: float = DEFAULT_EPS) -> np.ndarray:
    """∂f/∂x by central differences, as a float64 array of x's shape.

    f: a function of x returning one number (a scalar). x: a float64 NumPy array, finite and
    writable; it is perturbed in place one element at a time and restored exactly. eps: the
    step ε > 0. Each element's estimate is the secant slope (f(x⁺) − f(x⁻)) / (x⁺ − x⁻) with
    x± = x ± ε as actually stored, so the rounding of the step itself costs nothing.

    Raises TypeError for an x that is not a float64 array (float32 or float16 leave errors of
    percents — ``epsilon_sweep()`` shows why) or an f that does not return one number, and
    ValueError for non-finite x or f(x ± ε), and for a step ε lost to rounding (x + ε == x,
    |x| ≳ 1e10 at ε = 1e-6) — which would silently give a zero gradient.
    """
    return _numerical_gradient(f, x, eps, "numerical_gradient", "x")


def _numerical_gradient(f, x, eps, where: str, name: str, check_step: bool = True) -> np.ndarray:
    """numerical_gradient with `where`/`name` for its messages. ``check_step=False`` is the
    ε sweep's textbook estimator, (f(x + ε) − f(x − ε)) / 2ε in any float dtype, which
    measures what rounding does instead of refusing it."""
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of {name} returning a number, got "
                        f"{_show(f)}.")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        what = (f"an array of dtype {x.dtype}" if isinstance(x, np.ndarray)
                else _show(x))
        raise TypeError(f"{where}: {name} must be a float NumPy array (float64 for accurate "
                        f"checks), got {what}; pass np.asarray({name}, dtype=np.float64).")
    if check_step and x.dtype.itemsize < 8:
        spacing = float(np.spacing(x.dtype.type(1)))
        raise TypeError(f"{where}: {name} is {x.dtype}; central differences need float64. In "
                        f"{x.dtype} numbers near 1 are {spacing:.2g} apart, so x ± eps is "
                        f"rounded and f's own rounding divided by 2·eps leaves errors of "
                        f"percents — a silently wrong gradient. Pass "
                        f"{name}.astype(np.float64) (gradcheck.epsilon_sweep() shows the "
                        f"effect).")
    eps = check_float(eps, "eps", where, low=0.0, low_inclusive=False)
    check_finite(x, name, where)
    if not x.flags.writeable:
        raise ValueError(f"{where}: {name} must be writable (it is perturbed in place and "
                         f"restored), but it is a read-only array; pass {name}.copy().")
    grad = np.zeros(x.shape, dtype=np.float64)
    with np.errstate(all="ignore"):  # overflow/NaN inside f is judged by f's result instead
        for index in np.ndindex(*x.shape):  # any memory layout: x[index] is x's own element
            original = x[index].copy()
            plus, minus = x.dtype.type(original + eps), x.dtype.type(original - eps)
            if check_step:
                _check_step(original, plus, minus, eps, x.dtype, index, where, name)
            # --- exercise E05 begin ---
            try:
                x[index] = plus
                value_plus = _scalar_value(f, x, where, name)
                x[index] = minus
                value_minus = _scalar_value(f, x, where, name)
            finally:
                x[index] = original
            step = float(plus) - float(minus) if check_step else 2.0 * eps
            estimate = (value_plus - value_minus) / step   # Python floats: no warnings
            # --- exercise E05 end ---
            if check_step and not np.isfinite(estimate):
                raise ValueError(
                    f"{where}: f changes too fast at {name}{_at_index(index)} = "
                    f"{original.item()!r}: (f({name} + eps) - f({name} - eps)) / (2 eps) = "
                    f"({value_plus:g} - {value_minus:g}) / {step:g} overflows. Check the "
                    f"gradient at values of moderate size.")
            grad[index] = estimate
    return grad


def _check_step(original, plus, minus, eps: float, dtype, index, where: str, name: str) -> None:
    """x ± eps must be finite and differ from x, else the estimate is silently wrong."""
    at = f"{name}{_at_index(index)} = {original.item()!r}"
    if not (np.isfinite(plus) and np.isfinite(minus)):
        raise ValueError(f"{where}: {name} ± eps overflows {dtype} at {at} (eps={eps:g}); use "
                         f"a smaller eps (1e-6 is the usual step in float64).")
    if not minus < original < plus:
        spacing = float(np.spacing(np.abs(original)))
        raise ValueError(
            f"{where}: the step eps={eps:g} is lost to rounding at {at} ({dtype}, whose "
            f"numbers near it are {spacing:.3g} apart): {name} + eps == {name}, so the "
            f"difference quotient would be a silent 0. Check gradients in float64 "
            f"({name}.astype(np.float64)) at values of moderate size, or use a larger eps.")


def _scalar_value(f, x, where: str, name: str) -> float:
    """f(x) as a finite Python float, or a clear error."""
    value = f(x)
    try:
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError
        if array.size != 1:
            raise TypeError
        number = float(array.reshape(()))
    except (TypeError, ValueError):
        shape = f" of shape {np.shape(value)}" if isinstance(value, np.ndarray) else ""
        raise TypeError(f"{where}: f({name}) must return one number (a scalar), got "
                        f"{_show(value)}{shape}. To check an array-valued function, reduce it "
                        f"to a number, e.g. np.sum(g({name}) * upstream) — or use "
                        f"check_formula, which does that for you.") from None
    if not np.isfinite(number):
        raise ValueError(f"{where}: f({name}) returned {number} near {name} (perturbed by "
                         f"±eps); a gradient can only be estimated where f is finite.")
    return number


def _at_index(index: Tuple[int, ...]) -> str:
    return f"[{', '.join(str(i) for i in index)}]" if index else ""


def _show(value) -> str:
    """A short repr of `value` and its type, for error messages: "3 (int)"."""
    text = repr(value)
    if len(text) > 60:
        text = text[:55] + " …" + text[-3:]
    return f"{text} ({type(value).__name__})"


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


# ====================================================================== reports
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
                            f"e.g. report[{names[0]!r}], got {_show(name)}; its rows are "
                            f"{', '.join(repr(n) for n in names) or 'none'} "
                            f"(report.rows is the list)." if names else
                            f"GradCheckReport: rows are looked up by parameter name (a str), "
                            f"got {_show(name)}; this report has no rows.")
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
        _require_matplotlib("GradCheckReport.plot", path)
        from .plotting import error_maps
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


def compare(name: str, analytic, numeric, tol: float = DEFAULT_TOL,
            noise: float = 0.0, top: int = 5) -> GradCheckRow:
    """Compare one analytic gradient with its numerical estimate (see the module docstring)."""
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
        return (f"the gradient is not an array of real numbers (got {_show(analytic)})")
    if analytic.shape != numeric.shape:
        return explain_shape_mismatch(analytic.shape, numeric.shape, analytic, numeric)
    if not np.isfinite(analytic).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
        return f"the gradient contains {analytic[index]} at index {index}"
    return ""


def _finite_or_none(value: float) -> Optional[float]:
    return float(value) if np.isfinite(value) else None


def _noise(scale: float, eps: float) -> float:
    return float(_NOISE_FACTOR * (1.0 + scale) / eps)


# ====================================================================== formulas
def check_formula(f: Callable, grad_f: Callable, *args, wrt: Optional[Sequence[int]] = None,
                  names: Optional[Sequence[str]] = None, eps: float = DEFAULT_EPS,
                  tol: float = DEFAULT_TOL, seed: int = 0,
                  estimator: Optional[Callable] = None) -> GradCheckReport:
    """Check a hand-derived gradient `grad_f` of `f` at `args`, numerically, in float64.

    f(*args) returns a scalar (like a loss J) or an array (like a layer's output).
    - scalar f:  grad_f(*args) returns ∂f/∂arg for each checked arg (a tuple, or one array).
    - array f:   grad_f(*args, dout) receives a random upstream gradient dout of f's output
      shape and returns the gradients of Σ f(*args)·dout — a backward pass.
    Float array args (and Python floats, and lists of numbers) are copied to float64; `wrt`
    picks which ones to check by position (default: every float one); row names come from f's
    parameter names unless `names` (one str per argument) is given. eps > 0 is the step,
    tol ≥ 0 the largest relative error that passes, seed (≥ 0) draws dout. A failing row
    carries an error map, its worst elements and a hint in words (a constant factor, a
    transpose, a wrong shape …); ``report.plot()`` draws the error maps. `estimator`, if
    given, replaces numerical_gradient: estimator(g, x, eps) → ∂g/∂x for a scalar g(x) (the
    exercise grader brings its own, so a student's numerical_gradient is not trusted).

    >>> report = check_formula(lambda w: np.sum(w ** 2), lambda w: 2 * w, np.ones(3))
    >>> report.passed
    True
    """
    where = "check_formula"
    _check_callable(f, "f", where, "the function to differentiate, f(*args)")
    _check_callable(grad_f, "grad_f", where, "the hand-derived gradient, grad_f(*args)")
    eps, tol, seed = _check_settings(eps, tol, seed, where)
    if not args:
        raise TypeError(f"{where}: no arguments to check the gradient at; pass the point(s) "
                        f"after the two functions, e.g. check_formula(f, grad_f, x).")
    args = [_as_float64(a) for a in args]
    names = _check_names(names, f, len(args), where)
    wrt = _check_wrt(wrt, args, names, where)
    output = _evaluate(f, args)
    scalar = output.ndim == 0
    dout = None if scalar else np.random.default_rng(seed).standard_normal(output.shape)
    analytic = _as_gradient_list(_call_gradient(grad_f, args, dout, output.shape), len(wrt))
    with np.errstate(over="ignore"):
        scale = float(np.abs(output).sum()) if scalar else float(np.abs(output * dout).sum())
    if not np.isfinite(scale):
        raise ValueError(f"{where}: f's values are too large to check numerically (they reach "
                         f"{float(np.abs(output).max()):.3g}); check the gradient at points "
                         f"where f is of moderate size.")

    def reduced() -> float:
        value = _evaluate(f, args)
        return float(value) if scalar else float(np.sum(value * dout))

    report = GradCheckReport(getattr(f, "__name__", "formula"), eps=eps, tol=tol)
    for index, gradient in zip(wrt, analytic):
        g = _with_argument(args, index, reduced)
        if estimator is None:
            numeric = _numerical_gradient(g, args[index], eps, where, names[index])
        else:
            numeric = np.asarray(estimator(g, args[index].copy(), eps), dtype=np.float64)
        report.rows.append(compare(names[index], gradient, numeric, tol, _noise(scale, eps)))
    return report


def _with_argument(args: list, index: int, reduced: Callable[[], float]) -> Callable:
    """g(value): the reduced f with args[index] set to `value` for the call."""
    def g(value) -> float:
        saved = args[index]
        args[index] = value
        try:
            return reduced()
        finally:
            args[index] = saved
    return g


def _check_callable(value, name: str, where: str, what: str) -> None:
    if not callable(value):
        raise TypeError(f"{where}: {name} must be a function ({what}), got {_show(value)}.")


def _check_settings(eps, tol, seed, where: str) -> Tuple[float, float, int]:
    """eps > 0, tol >= 0 (finite numbers) and seed an int >= 0."""
    return (check_float(eps, "eps", where, low=0.0, low_inclusive=False),
            check_float(tol, "tol", where, low=0.0),
            check_int(seed, "seed", where, minimum=0))


def _check_names(names, f, count: int, where: str) -> List[str]:
    if names is None:
        return _argument_names(f, count)
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise TypeError(f"{where}: names must be a list with one str per argument, e.g. "
                        f"names=['W1', 'b1'], got {_show(names)}.")
    if len(names) != count or not all(isinstance(n, str) for n in names):
        raise ValueError(f"{where}: names must give one str per argument: {count} "
                         f"argument(s), got names={list(names)!r}.")
    return list(names)


def _check_wrt(wrt, args, names: List[str], where: str) -> List[int]:
    """The positions of the arguments to check: every float array if `wrt` is None."""
    if wrt is None:
        wrt = [i for i, a in enumerate(args) if _is_float_array(a)]
        if not wrt:
            kinds = "; ".join(f"argument {i} ({names[i]}) is {_describe_argument(a)}"
                              for i, a in enumerate(args))
            raise TypeError(f"{where}: none of the arguments is a float array, so there is "
                            f"nothing to differentiate ({kinds}). Pass float values, e.g. "
                            f"np.asarray(x, dtype=np.float64).")
    else:
        if isinstance(wrt, (bool, np.bool_, str)) or not isinstance(wrt, (list, tuple, range)):
            raise TypeError(f"{where}: wrt must be a list of argument positions, e.g. "
                            f"wrt=[0], got {_show(wrt)}.")
        wrt = list(wrt)
        if not wrt:
            raise ValueError(f"{where}: wrt is empty; give at least one argument position, "
                             f"e.g. wrt=[0].")
        for position, index in enumerate(wrt):
            if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
                raise TypeError(f"{where}: wrt[{position}] must be an argument position (an "
                                f"int), got {_show(index)}.")
            if not 0 <= index < len(args):
                raise ValueError(f"{where}: wrt[{position}] = {index} is not an argument "
                                 f"position: f is checked at {len(args)} argument(s), "
                                 f"positions 0 to {len(args) - 1}.")
        if len(set(wrt)) != len(wrt):
            raise ValueError(f"{where}: wrt lists an argument twice: {wrt}.")
        wrt = [int(i) for i in wrt]
    for index in wrt:
        if not _is_float_array(args[index]):
            raise TypeError(f"{where}: argument {index} ({names[index]}) must be a float array "
                            f"to be checked, got {_describe_argument(args[index])}; pass "
                            f"np.asarray({names[index]}, dtype=np.float64).")
        array = args[index]
        if not np.isfinite(array).all():
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise ValueError(f"{where}: argument {names[index]!r} contains NaN or inf "
                             f"({array[bad].item()} at index {bad}); a gradient can only be "
                             f"checked at finite values.")
    return wrt


def _describe_argument(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype}"
    return _show(value)


def _evaluate(f: Callable, args) -> np.ndarray:
    """f(*args) as a float64 array, or a clear error if it is not a finite number/array."""
    with np.errstate(all="ignore"):  # overflow or NaN inside f: judged by its result below
        value = f(*args)
    try:
        if value is None or isinstance(value, (str, bytes)):
            raise TypeError
        raw = np.asarray(value)
        if raw.dtype.kind not in "biuf":
            raise TypeError
        output = raw.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"check_formula: f must return a number or an array of numbers, "
                        f"got {type(value).__name__} ({value!r:.60}).") from None
    if not np.isfinite(output).all():
        bad = output.ravel()[~np.isfinite(output.ravel())][0]
        raise ValueError(f"check_formula: f returned a non-finite value ({bad}) at these "
                         f"inputs; choose inputs where the formula is defined.")
    return output


def _call_gradient(grad_f: Callable, args, dout, output_shape):
    """grad_f(*args) for a scalar f, grad_f(*args, dout) for an array f — explained if the
    signature does not fit."""
    try:
        with np.errstate(all="ignore"):  # a non-finite gradient is reported in its row
            return grad_f(*args) if dout is None else grad_f(*args, dout)
    except TypeError as error:
        if dout is None or "argument" not in str(error):
            raise
        raise TypeError(
            f"check_formula: f returned an array of shape {tuple(output_shape)}, not a scalar, "
            f"so grad_f is called with a random upstream gradient `dout` as an extra last "
            f"argument, grad_f(*args, dout), and must return the gradients of sum(f(*args) * "
            f"dout). Either make f return a scalar (e.g. np.sum(...)) or give grad_f a dout "
            f"parameter. ({error})") from None


def _as_float64(value):
    """Float arrays, Python floats and lists of numbers as float64 copies; anything else
    (int arrays, labels, settings …) unchanged."""
    if isinstance(value, np.ndarray):
        return np.array(value, dtype=np.float64) if value.dtype.kind == "f" else value
    if isinstance(value, float):
        return np.array(value)
    if isinstance(value, (list, tuple)) and value:
        try:
            array = np.asarray(value)
        except (ValueError, TypeError):               # ragged: not a point to differentiate at
            return value
        if array.dtype.kind in "iuf" and array.size:
            with np.errstate(over="ignore"):
                return array.astype(np.float64)
    return value


def _is_float_array(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def _argument_names(f: Callable, count: int) -> List[str]:
    try:
        parameters = [p.name for p in inspect.signature(f).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        parameters = []
    return [parameters[i] if i < len(parameters) else f"arg{i}" for i in range(count)]


def _as_gradient_list(analytic, count: int) -> list:
    if isinstance(analytic, (tuple, list)):
        gradients = list(analytic)
    else:
        gradients = [analytic]
    if len(gradients) != count:
        raise ValueError(f"check_formula: grad_f returned {len(gradients)} gradient(s) but "
                         f"{count} argument(s) are being checked; return one per argument in "
                         f"`wrt` order.")
    return gradients


# ====================================================================== layers & models
def check_layer(layer, x, training: bool = False, mask=None, eps: float = DEFAULT_EPS,
                tol: float = DEFAULT_TOL, seed: int = 0) -> GradCheckReport:
    """Check a layer's backward pass (input gradient and every weight) at input `x`.

    A float64 copy of the layer is checked (same config; same weights if it is built, else
    new ones from `seed`). `x` is a batch (N, …) with N ≥ 1 (token ids for an Embedding;
    anything else is checked as float64, so int inputs get an input-gradient row too).
    Randomness inside the layer (dropout with ``training=True``) is re-seeded before every
    forward pass, so the same masks are used throughout; `mask` (N, T) is passed to forward as
    an Embedding would. A layer returning a list (an LSTM with ``return_state``) gets one
    random upstream gradient per output.
    """
    where = "check_layer"
    _check_layer_instance(layer, where)
    eps, tol, seed = _check_settings(eps, tol, seed, where)
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"{where}: training must be True or False, got {_show(training)}.")
    probe, x = _float64_copy(layer, x, seed, where)
    mask = _check_mask(mask, x, where)

    def forward() -> List[np.ndarray]:
        probe.rng = np.random.default_rng(seed)
        output = probe.forward(x, training=training, mask=mask)
        return list(output) if isinstance(output, (list, tuple)) else [output]

    outputs = forward()
    rng = np.random.default_rng(seed + 1)
    douts = [rng.standard_normal(output.shape) for output in outputs]
    probe.needs_input_grad = x.dtype.kind == "f"
    dx = probe.backward(douts if len(douts) > 1 else douts[0])
    analytic = {name: g.copy() for name, g in probe.grads.items()}
    with np.errstate(over="ignore"):
        scale = sum(float(np.abs(o * d).sum()) for o, d in zip(outputs, douts))
    if not np.isfinite(scale):
        raise ValueError(f"{where}: the layer's outputs are too large to check numerically "
                         f"(x reaches {float(np.abs(x).max()):.3g}); check it at inputs of "
                         f"moderate size.")
    noise = _noise(scale, eps)

    def reduced(_=None) -> float:
        return sum(float(np.sum(o * d)) for o, d in zip(forward(), douts))

    title = probe.describe() if layer.name else repr(probe)
    report = GradCheckReport(title, eps=eps, tol=tol)
    if x.dtype.kind == "f":
        report.rows.append(compare("input", dx, _numerical_gradient(reduced, x, eps, where,
                                                                     "x"), tol, noise))
    for name, param in probe.params.items():
        report.rows.append(compare(name, analytic[name],
                                   _numerical_gradient(reduced, param, eps, where, name),
                                   tol, noise))
    return report


def _check_layer_instance(layer, where: str) -> None:
    from .layers.base import Layer
    if isinstance(layer, type) and issubclass(layer, Layer):
        raise TypeError(f"{where}: layer must be a layer instance, got the class "
                        f"{layer.__name__} itself; create one, e.g. {layer.__name__}(...).")
    if not isinstance(layer, Layer):
        raise TypeError(f"{where}: layer must be a nanonet layer, e.g. layers.Dense(3), got "
                        f"{_show(layer)}.")


def _float64_copy(layer, x, seed: int, where: str):
    """(a float64 copy of `layer`, built like it, and `x` as that copy takes it)."""
    probe = type(layer).from_config(layer.get_config())
    probe.dtype = np.dtype(np.float64)
    probe.engine = layer.engine                  # not in the config: the same code is checked
    x = probe.prepare_input(x, "x", f"{where} ({layer.describe()})")
    if x.shape[0] == 0:
        raise ValueError(f"{where}: x is an empty batch (shape {x.shape}); expected at least "
                         f"one sample.")
    input_shape = layer.input_shape if layer.built else x.shape[1:]
    probe.build(input_shape, np.random.default_rng(seed), np.float64)
    if layer.built:
        probe.check_input_shape(x)
        probe.set_weights(layer.get_weights())
    return probe, x


def _check_mask(mask, x: np.ndarray, where: str):
    """`mask` as an (N, T) boolean array matching x, or None."""
    if mask is None:
        return None
    mask = as_array(mask, "mask", where)
    if mask.shape != x.shape[:2] or x.ndim < 2:
        raise ValueError(f"{where}: mask must have shape (N, T) = {x.shape[:2]} (one entry "
                         f"per sample and timestep of x, shape {x.shape}), got shape "
                         f"{mask.shape}.")
    if mask.dtype.kind != "b":
        if not np.isin(mask, (0, 1)).all():
            bad = tuple(int(i) for i in np.argwhere(~np.isin(mask, (0, 1)))[0])
            raise ValueError(f"{where}: mask must hold True/False (or 1/0), but mask{list(bad)} "
                             f"= {mask[bad].item()!r}.")
        mask = mask.astype(bool)
    return mask


def check_model(model, x, y, eps: float = DEFAULT_EPS, tol: float = DEFAULT_TOL,
                seed: int = 0) -> GradCheckReport:
    """Check ``model.loss_and_grads`` (every weight of every layer) on (x, y), in float64.

    The model must be compiled (its loss is what is differentiated); a float64 copy with the
    same weights is checked, dropout off.
    """
    from .models import Sequential
    where = "gradcheck.check_model"
    if isinstance(model, type) and issubclass(model, Sequential):
        raise TypeError(f"{where}: model must be a Sequential instance, got the class itself; "
                        f"build one, e.g. Sequential([layers.Dense(1)]).")
    if not isinstance(model, Sequential):
        raise TypeError(f"{where}: model must be a compiled nanonet Sequential, got "
                        f"{_show(model)}.")
    eps, tol, seed = _check_settings(eps, tol, seed, where)
    model._require_compiled(where)
    x = model._prepare_x(x, where)
    probe = Sequential.from_config(model.get_config(), dtype="float64")
    probe.engine = model.engine                  # not in the config: the same code is checked
    probe._prepare_x(x, where)                             # builds it like the model
    probe.set_weights(model.get_weights())
    probe.compile(optimizer="sgd", loss=type(model.loss)(**_loss_kwargs(model.loss)))
    x = x if x.dtype.kind in "iub" else x.astype(np.float64)
    _, y64 = probe._prepare_xy(x, y, where)                # x/y mismatches name check_model
    probe._evaluate_arrays(x, y64, len(x), where)         # … and so do bad labels
    loss, grads = probe.loss_and_grads(x, y64)

    def loss_value(_=None) -> float:
        return probe._evaluate_arrays(x, y64, len(x), where)["loss"]

    report = GradCheckReport(f"model {model.name!r} with {probe.loss.name}", eps=eps, tol=tol)
    params = [(layer, name) for layer in probe.layers for name in layer.params]
    for (layer, name), gradient in zip(params, grads):
        numeric = _numerical_gradient(loss_value, layer.params[name], eps, where,
                                      f"{layer.name}/{name}")
        report.rows.append(compare(f"{layer.name}/{name}", gradient, numeric, tol,
                                   _noise(abs(loss), eps)))
    return report


def _require_matplotlib(where: str, path=None) -> None:
    """matplotlib must be importable, and `path` None or a file path."""
    import os
    from .plotting import available
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{where}: path must be None (return the figure) or a file name such "
                        f"as 'errors.png', got {_show(path)}.")
    if not available():
        raise ImportError(f"{where} draws with matplotlib, which is not installed; install it "
                          f"with  pip install matplotlib  (or pip install -e '.[plot]' from the "
                          f"nanonet checkout). Everything else works without it.")


def _loss_kwargs(loss) -> dict:
    config = loss.get_config()
    config.pop("name", None)
    return config


# the ε sweep lives in its own module (it uses numerical_gradient, defined above)
from .epsilon_sweep import EpsilonSweep, epsilon_sweep  # noqa: E402,F401
