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


def describe_shape(shape: Tuple[int, ...]) -> str:
    """'a scalar', 'a vector of 4', 'a 4×3 matrix', 'an array of shape (2, 3, 4)'."""
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
    start = (f"the formula gives {describe_shape(got)} {tuple(got)}, but the parameter is "
             f"{describe_shape(want)} {tuple(want)}")
    if len(got) == 2 and tuple(got) == tuple(want)[::-1]:
        matches = (analytic is not None and numeric is not None
                   and np.allclose(analytic.T, numeric, rtol=1e-5, atol=1e-8))
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


def diagnose(analytic: np.ndarray, numeric: np.ndarray) -> str:
    """A short guess at what is wrong with a failed gradient of the right shape."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if not np.isfinite(analytic).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(analytic))[0])
        return f"the formula's gradient is {analytic[index]} at {index}"
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
    constant = _constant_value(ratio[significant])
    if constant is not None:
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
