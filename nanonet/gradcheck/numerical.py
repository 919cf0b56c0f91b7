"""The numerical gradient: central differences, one element at a time, in float64.

    ∂f/∂x_i ≈ ( f(x + ε e_i) − f(x − ε e_i) ) / 2ε            (error O(ε²) + round-off O(δ/ε))
"""
from __future__ import annotations

from typing import Callable, Tuple

import numpy as np

from ..validation import check_finite, check_float, plain_array, show_value
from .settings import DEFAULT_EPS


# ====================================================================== numerics
def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                       eps: float = DEFAULT_EPS) -> np.ndarray:
    """∂f/∂x by central differences, as a float64 array of x's shape.

    f: a function of x returning one number (a scalar). x: a float64 NumPy array, finite and
    writable; it is perturbed in place one element at a time and restored exactly. eps: the
    step ε > 0. Each element's estimate is the secant slope (f(x⁺) − f(x⁻)) / (x⁺ − x⁻) with
    x± = x ± ε as actually stored, so the rounding of the step itself costs nothing. An
    ndarray subclass (np.matrix, np.memmap) is perturbed through a plain view of its memory,
    and f receives that plain array; a masked array is a TypeError.

    Raises TypeError for an x that is not a float64 array (float32 or float16 leave errors of
    percents — ``epsilon_sweep()`` shows why) or an f that does not return one number, and
    ValueError for non-finite x or f(x ± ε), and for a step ε lost to rounding (x + ε == x,
    |x| ≳ 1e10 at ε = 1e-6) — which would silently give a zero gradient.
    """
    return estimate_gradient(f, x, eps, "numerical_gradient", "x")


def estimate_gradient(f, x, eps, where: str, name: str, check_step: bool = True) -> np.ndarray:
    """numerical_gradient with `where`/`name` for its messages (what every check calls). ``check_step=False`` is the
    ε sweep's textbook estimator, (f(x + ε) − f(x − ε)) / 2ε in any float dtype, which
    measures what rounding does instead of refusing it."""
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of {name} returning a number, got "
                        f"{show_value(f)}.")
    if isinstance(x, np.ndarray):
        x = plain_array(x, name, where)          # a view: f sees x's own memory, perturbed
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        what = (f"an array of dtype {x.dtype}" if isinstance(x, np.ndarray)
                else show_value(x))
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
                        f"{show_value(value)}{shape}. To check an array-valued function, reduce it "
                        f"to a number, e.g. np.sum(g({name}) * upstream) — or use "
                        f"check_formula, which does that for you.") from None
    if not np.isfinite(number):
        raise ValueError(f"{where}: f({name}) returned {number} near {name} (perturbed by "
                         f"±eps); a gradient can only be estimated where f is finite.")
    return number


def _at_index(index: Tuple[int, ...]) -> str:
    return f"[{', '.join(str(i) for i in index)}]" if index else ""
