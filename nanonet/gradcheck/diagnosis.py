"""What is wrong with a gradient, in words — the hints a failed gradient check prints.

Given a hand-derived gradient `a` and the numerical gradient `n` of the same parameter:

- different shapes: say which (a transpose, a missing outer product, a missing batch sum …);
- a ≈ c·n for one constant c: name the factor (×−1 a flipped sign, ×2 a missing ½, ×m a sum
  where the mean was meant …);
- a square matrix whose transpose matches;
- a ratio a/n constant along each row (or column) but different between rows: a missing
  per-row factor, such as a weight vector (W2ᵀ) multiplying each hidden unit's error;
- otherwise: a factor that varies element by element is missing or extra.
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

#: how far a ratio may wander and still count as "constant"
_CONSTANT = 1e-4


def _as_shape(shape, name: str, where: str) -> Tuple[int, ...]:
    """`shape` (a tuple or list of ints >= 0, or one int) as a tuple, or a clear TypeError."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, (bool, np.bool_)) and d >= 0
            for d in shape):
        raise TypeError(f"{where}: {name} must be an array shape, a tuple of sizes >= 0 such as "
                        f"(4, 3), got {shape!r:.60} ({type(shape).__name__}).")
    return tuple(int(d) for d in shape)


def describe_shape(shape: Tuple[int, ...]) -> str:
    """'a scalar', 'a vector of 4', 'a 4×3 matrix', 'an array of shape (2, 3, 4)'."""
    shape = _as_shape(shape, "shape", "describe_shape")
    if len(shape) == 0:
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    if len(shape) == 2:
        return f"a {shape[0]}×{shape[1]} matrix"
    return f"an array of shape {shape}"


def explain_shape_mismatch(got: Tuple[int, ...], want: Tuple[int, ...],
                           analytic: Optional[np.ndarray] = None,
                           numeric: Optional[np.ndarray] = None) -> str:
    """Why a gradient of shape `got` cannot be the gradient of a parameter of shape `want`."""
    got = _as_shape(got, "got", "explain_shape_mismatch")
    want = _as_shape(want, "want", "explain_shape_mismatch")
    if got == want:
        return f"the shapes agree: both are {describe_shape(got)} {got}"
    start = (f"the formula gives {describe_shape(got)} {tuple(got)}, but the parameter is "
             f"{describe_shape(want)} {tuple(want)}")
    if len(got) == 2 and tuple(got) == tuple(want)[::-1]:
        with np.errstate(all="ignore"):
            matches = (analytic is not None and numeric is not None
                       and np.shape(analytic) == tuple(got) and np.shape(numeric) == tuple(want)
                       and bool(np.allclose(np.asarray(analytic).T, numeric, rtol=1e-5,
                                            atol=1e-8)))
        return (f"{start}: it is transposed"
                + ("; its transpose matches the numerical gradient" if matches else ""))
    if len(got) < len(want):
        return (f"{start}: fewer dimensions — an elementwise product or a sum where an outer "
                f"product (a column times a row, δ xᵀ) was needed, or a factor that should be "
                f"a vector/matrix")
    if len(got) > len(want):
        return (f"{start}: more dimensions — perhaps a missing sum over the batch (Σ_i) or an "
                f"outer product where an elementwise one was meant")
    if int(np.prod(got)) == int(np.prod(want)):
        return f"{start}: the same number of entries, arranged differently"
    return f"{start}: the sizes differ — check which vector multiplies which"


def factor_hint(c: float) -> str:
    """Name a constant factor between the formula and the truth."""
    if isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, float, np.integer,
                                                             np.floating)):
        raise TypeError(f"factor_hint: c must be a number (the ratio formula / truth), got "
                        f"{c!r:.60} ({type(c).__name__}).")
    c = float(c)
    if not np.isfinite(c):
        raise ValueError(f"factor_hint: c must be a finite ratio, got {c}.")
    if abs(c + 1) < 1e-3:
        return "formula ≈ −1 × the true gradient: the sign is flipped"
    if abs(c) < 1e-12:
        return "the formula gives 0 where the true gradient does not"
    for k in range(2, 1001):
        if abs(c - k) < 1e-3 * k or abs(abs(c) - k) < 1e-3 * k:
            return (f"formula ≈ {c:+.4g} × the true gradient: a constant factor "
                    f"({'a missing ½ of a squared error? ' if k == 2 else ''}"
                    f"a sum over a batch of {k} where the mean was meant?)")
        if abs(c - 1 / k) < 1e-3 / k or abs(abs(c) - 1 / k) < 1e-3 / k:
            return (f"formula ≈ {c:+.4g} (= ±1/{k}) × the true gradient: a constant factor "
                    f"(a mean over {k} where a sum was meant, or an extra ½?)")
    return f"formula ≈ {c:+.6g} × the true gradient: a constant factor"


def distinct_digits(a: float, b: float, digits: int = 6) -> Tuple[str, str]:
    """`a` and `b` written with `digits` significant digits — or with as many more as it takes
    to tell them apart (up to 17, all a float64 has), so that a hint never reads
    "0.163669, the truth is 0.163669" for two different numbers."""
    for places in range(digits, 18):
        shown = f"{a:.{places}g}", f"{b:.{places}g}"
        if shown[0] != shown[1] or a == b:
            break
    return shown


def diagnose(analytic: np.ndarray, numeric: np.ndarray) -> str:
    """A short guess at what is wrong with a failed gradient (in words).

    analytic: the formula's gradient (may contain NaN/inf: that is then the diagnosis);
    numeric: the true (numerical) gradient, finite. Arrays of different shapes get the
    explanation of ``explain_shape_mismatch``.
    """
    from ..validation import as_array, as_float_array
    where = "diagnose"
    analytic = as_array(analytic, "analytic", where).astype(np.float64)
    numeric = as_float_array(numeric, "numeric", where, np.float64)
    if analytic.shape != numeric.shape:
        return explain_shape_mismatch(analytic.shape, numeric.shape, analytic, numeric)
    if not np.isfinite(analytic).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
        return f"the formula's gradient is {analytic[index]} at {index}"
    with np.errstate(all="ignore"):          # huge or tiny values: judged by finite ratios
        return _diagnose_finite(analytic, numeric)


def _diagnose_finite(analytic: np.ndarray, numeric: np.ndarray) -> str:
    scale = np.abs(numeric).max() if numeric.size else 0.0
    if scale == 0:
        return "the true gradient is zero here, but the formula's is not"
    if np.abs(analytic).max() == 0:
        return "the formula gives zeros: a missing term (or a forgotten upstream gradient)"
    if analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1] and analytic.shape[0] > 1 \
            and np.allclose(analytic.T, numeric, rtol=1e-5, atol=1e-9 * scale):
        return "the formula's gradient is the transpose of the true one"
    significant = np.abs(numeric) > 1e-6 * scale
    ratio = np.full(numeric.shape, np.nan)
    ratio[significant] = analytic[significant] / numeric[significant]
    ratio[~np.isfinite(ratio)] = np.nan                 # an overflowing ratio is no constant
    values = ratio[significant]
    constant = _constant_value(values) if np.isfinite(values).all() else None
    if constant is not None and abs(constant - 1) < 1e-3:
        index = np.unravel_index(int(np.argmax(np.abs(analytic - numeric))), numeric.shape)
        where = tuple(int(i) for i in index)
        got, truth = distinct_digits(float(analytic[index]), float(numeric[index]))
        if significant[index]:
            # the same tiny factor everywhere (a scalar is "everywhere" too)
            return (f"formula ≈ (1 {'+' if constant > 1 else '−'} {abs(constant - 1):.2g}) × "
                    f"the true gradient: close, but off by the same small relative amount "
                    f"everywhere — a tiny constant left out or added (an ε such as 1e-7?), or "
                    f"a lower precision: at {where} it gives {got}, the truth is {truth}")
        # right wherever the truth is large: the error sits where the true gradient is ~0
        return (f"the formula agrees wherever the true gradient is large, but not where it is "
                f"(nearly) zero: at {where} it gives {got}, the truth is {truth} — a term "
                f"that should vanish there?")
    if constant is not None and np.isfinite(constant):
        return factor_hint(constant)
    return _structured_ratio_hint(ratio) or (
        "not a constant factor: a factor that varies element by element is missing or extra "
        "(an activation's derivative σ'(z)? a weight matrix such as Wᵀ?)")


def _constant_value(values: np.ndarray) -> Optional[float]:
    """The common value of `values` if they are all (nearly) equal, else None."""
    if values.size == 0:
        return None
    center = float(np.median(values))
    spread = np.abs(values - center).max()
    return center if spread <= _CONSTANT * max(abs(center), 1e-300) else None


def _structured_ratio_hint(ratio: np.ndarray) -> str:
    """For matrices: a ratio constant along every row (or column) but not overall."""
    if ratio.ndim != 2 or min(ratio.shape) < 2:
        return ""
    for name, lines in (("row", ratio), ("column", ratio.T)):
        if all(_constant_value(line[np.isfinite(line)]) is not None for line in lines
               if np.isfinite(line).any()):
            return (f"the ratio formula/true is constant along each {name} but differs between "
                    f"{name}s: a factor per {name} is missing or extra — e.g. a weight vector "
                    f"(such as W2ᵀ) scaling each {'hidden unit' if name == 'row' else 'input'}'s "
                    f"error")
    return ""
