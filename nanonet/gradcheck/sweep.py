"""Why gradient checks run in float64 with ε ≈ 1e-6: the numerical error as a function of ε.

The central difference ( f(x+ε) − f(x−ε) ) / 2ε makes two errors that pull in opposite ways:

    truncation   ≈ |f'''(x)| ε² / 6       shrinks as ε shrinks (Taylor's remainder)
    round-off    ≈ δ |f(x)| / ε            grows as ε shrinks: f(x±ε) are rounded to the
                                           dtype's precision δ before they are subtracted

so the total is smallest near ε* ≈ (3 δ |f| / |f'''|)^(1/3). In float64 (δ ≈ 1.1e-16) that is
ε ≈ 1e-5…1e-6 with errors around 1e-10; in float32 (δ ≈ 6e-8) the best ε is ≈ 1e-2…1e-3 and
the error cannot go below ≈ 1e-4 — too coarse to tell a right gradient from a slightly wrong
one. (In float32 even the step itself is rounded: 0.7 + 1e-6 is not representable.)

``epsilon_sweep()`` measures it: for each ε and dtype, the largest relative error of the
numerical gradient against the exact one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from ..validation import as_float_array
from .comparison import relative_error
from .numerical import estimate_gradient


@dataclass
class EpsilonSweep:
    """Errors of the numerical gradient: ``errors[dtype][k]`` at step ``eps[k]``."""

    eps: np.ndarray
    errors: Dict[str, np.ndarray] = field(default_factory=dict)

    def best(self) -> Dict[str, Tuple[float, float]]:
        """dtype → (the ε with the smallest error, that error)."""
        return {dtype: (float(self.eps[np.argmin(e)]), float(np.min(e)))
                for dtype, e in self.errors.items()}

    def plot(self, path=None):
        """Error against ε on log-log axes, one line per dtype. Needs matplotlib."""
        from ..plotting import epsilon_sweep_figure, require_matplotlib
        require_matplotlib("EpsilonSweep.plot", path)
        return epsilon_sweep_figure(self, path)

    def __str__(self) -> str:
        dtypes = list(self.errors)
        lines = ["numerical-gradient error (max relative) against the step ε",
                 "eps       " + "  ".join(f"{d:>9}" for d in dtypes)]
        for k, eps in enumerate(self.eps):
            lines.append(f"{eps:<9.0e} " + "  ".join(f"{self.errors[d][k]:9.2e}"
                                                    for d in dtypes))
        for dtype, (eps, error) in self.best().items():
            lines.append(f"best for {dtype}: ε = {eps:.0e}, error {error:.1e}")
        return "\n".join(lines)


def default_problem(seed: int = 0) -> Tuple[Callable, Callable, np.ndarray]:
    """f(x) = Σ tanh(x) ⊙ G for a random upstream G, its exact gradient G ⊙ (1 − tanh² x),
    and a point x: (5, 4)."""
    rng = np.random.default_rng(seed)
    upstream = rng.standard_normal((5, 4))
    x = rng.uniform(-1.5, 1.5, (5, 4))

    def f(v: np.ndarray):
        return np.sum(np.tanh(v) * upstream.astype(v.dtype), dtype=v.dtype)

    def gradient(v: np.ndarray) -> np.ndarray:
        v = v.astype(np.float64)
        return upstream * (1.0 - np.tanh(v) ** 2)

    return f, gradient, x


def epsilon_sweep(f: Optional[Callable] = None, gradient: Optional[Callable] = None,
                  x: Optional[np.ndarray] = None,
                  eps_values: Optional[Sequence[float]] = None,
                  dtypes: Sequence[str] = ("float32", "float64")) -> EpsilonSweep:
    """Measure the numerical gradient's error for each step ε and dtype.

    f(x) must compute in x's dtype (NumPy does, for float inputs); gradient(x) is the exact
    gradient (evaluated in float64), of x's shape. Give f, gradient and x together, or none
    of them for ``default_problem()``. eps_values: a non-empty list of steps > 0 (default
    1e-12 … 1e-1); dtypes: a list of float dtype names, e.g. ["float16", "float32"].

    Unlike ``numerical_gradient``, a step lost to rounding (x + ε == x) is not refused here:
    measuring what it does is the point.
    """
    where = "epsilon_sweep"
    given = {"f": f is not None, "gradient": gradient is not None, "x": x is not None}
    if any(given.values()) and not all(given.values()):
        missing = ", ".join(name for name, present in given.items() if not present)
        raise TypeError(f"{where}: give f, gradient and x together (or none of them, for the "
                        f"built-in problem); {missing} missing.")
    if f is None:
        f, gradient, x = default_problem()
    for name, function in (("f", f), ("gradient", gradient)):
        if not callable(function):
            raise TypeError(f"{where}: {name} must be a function of x, got "
                            f"{function!r:.60} ({type(function).__name__}).")
    x = as_float_array(x, "x", where, np.float64)
    eps_values = _check_eps_values(eps_values, where)
    dtypes = _check_dtypes(dtypes, where)
    sweep = EpsilonSweep(eps=eps_values)
    for dtype in dtypes:
        point = x.astype(dtype)
        if not np.isfinite(point).all():
            raise ValueError(f"{where}: x does not fit in {dtype} (it holds values up to "
                             f"{float(np.abs(x).max()):.3g}); use a wider dtype or smaller x.")
        exact = np.asarray(gradient(point), dtype=np.float64)
        if exact.shape != point.shape:
            raise ValueError(f"{where}: gradient(x) must have x's shape {point.shape}, got "
                             f"{exact.shape}.")
        sweep.errors[dtype] = np.array(
            [relative_error(estimate_gradient(f, point.copy(), float(eps), where, "x",
                                              check_step=False), exact)
             for eps in eps_values])
    return sweep


def _check_eps_values(eps_values, where: str) -> np.ndarray:
    if eps_values is None:
        return np.logspace(-12, -1, 23)
    if isinstance(eps_values, (str, bytes)) or np.ndim(eps_values) != 1:
        raise TypeError(f"{where}: eps_values must be a list of steps, e.g. [1e-8, 1e-6, "
                        f"1e-4], got {eps_values!r:.60}.")
    values = as_float_array(eps_values, "eps_values", where, np.float64)
    if values.size == 0:
        raise ValueError(f"{where}: eps_values is empty; give at least one step, e.g. [1e-6].")
    if (values <= 0).any():
        bad = int(np.argmax(values <= 0))
        raise ValueError(f"{where}: every step must be > 0, but eps_values[{bad}] = "
                         f"{values[bad].item()!r}.")
    return values


def _check_dtypes(dtypes, where: str) -> list:
    if isinstance(dtypes, (str, bytes, np.dtype, type)) or not hasattr(dtypes, "__iter__"):
        raise TypeError(f"{where}: dtypes must be a list of float dtype names, e.g. "
                        f"['float32', 'float64'], got {dtypes!r}.")
    names = []
    for position, dtype in enumerate(dtypes):
        try:
            kind = np.dtype(dtype)
        except TypeError:
            kind = None
        if kind is None or kind.kind != "f":
            raise TypeError(f"{where}: dtypes[{position}] must be a float dtype ('float16', "
                            f"'float32' or 'float64'), got {dtype!r}.")
        names.append(kind.name)
    if not names:
        raise ValueError(f"{where}: dtypes is empty; give at least one, e.g. ['float64'].")
    return names
