"""check_formula: a hand-derived gradient of any function, checked numerically in float64.

An array-valued f is reduced to a scalar with a **random upstream gradient** G of the output's
shape, f = Σ (output ⊙ G), and the analytic side is the backward pass fed with G. (Checking
Σ output alone — G = 1 — would hide a backward that forgets its upstream gradient.)
"""
from __future__ import annotations

import inspect
from typing import Callable, List, Optional, Sequence

import numpy as np

from ..validation import check_not_masked, plain_array, show_value
from .comparison import compare
from .numerical import estimate_gradient
from .reports import GradCheckReport
from .settings import DEFAULT_EPS, DEFAULT_TOL, check_settings, noise_floor


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
    eps, tol, seed = check_settings(eps, tol, seed, where)
    if not args:
        raise TypeError(f"{where}: no arguments to check the gradient at; pass the point(s) "
                        f"after the two functions, e.g. check_formula(f, grad_f, x).")
    args = [_as_float64(a, f"argument {i}", where) for i, a in enumerate(args)]
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
            numeric = estimate_gradient(g, args[index], eps, where, names[index])
        else:
            numeric = np.asarray(estimator(g, args[index].copy(), eps), dtype=np.float64)
        report.rows.append(compare(names[index], gradient, numeric, tol, noise_floor(scale, eps)))
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
        raise TypeError(f"{where}: {name} must be a function ({what}), got {show_value(value)}.")


def _check_names(names, f, count: int, where: str) -> List[str]:
    if names is None:
        return _argument_names(f, count)
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise TypeError(f"{where}: names must be a list with one str per argument, e.g. "
                        f"names=['W1', 'b1'], got {show_value(names)}.")
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
                            f"wrt=[0], got {show_value(wrt)}.")
        wrt = list(wrt)
        if not wrt:
            raise ValueError(f"{where}: wrt is empty; give at least one argument position, "
                             f"e.g. wrt=[0].")
        for position, index in enumerate(wrt):
            if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
                raise TypeError(f"{where}: wrt[{position}] must be an argument position (an "
                                f"int), got {show_value(index)}.")
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
    return show_value(value)


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


def _as_float64(value, name: str, where: str):
    """Float arrays, Python floats and lists of numbers as float64 copies; other arrays as
    plain ones (no np.matrix operators; masked arrays refused); anything else (labels,
    settings …) unchanged."""
    check_not_masked(value, name, where)
    if isinstance(value, np.ndarray):
        value = plain_array(value, name, where)
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
