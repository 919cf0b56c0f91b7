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

DEFAULT_EPS = 1e-6
DEFAULT_TOL = 1e-6
REL_FLOOR = 1e-8
_NOISE_FACTOR = 32 * np.finfo(np.float64).eps


# ====================================================================== numerics
def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                       eps: float = DEFAULT_EPS) -> np.ndarray:
    """∂f/∂x by central differences. `x` (a float array, ideally float64) is perturbed in
    place one element at a time and restored; ``f(x)`` must return a scalar."""
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"numerical_gradient: x must be a float NumPy array (float64 for "
                        f"accurate checks), got {type(x).__name__} "
                        f"{getattr(x, 'dtype', '')}.")
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)  # a view: writing to it perturbs x
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient: x must be contiguous so it can be perturbed "
                         "in place; pass np.ascontiguousarray(x).")
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = float(f(x))
        flat[i] = original - eps
        minus = float(f(x))
        flat[i] = original
        grad.flat[i] = (plus - minus) / (2.0 * eps)
    return grad


def relative_error_map(analytic, numeric, floor: float = REL_FLOOR) -> np.ndarray:
    """Elementwise |a − n| / max(floor, |a| + |n|)."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    return np.abs(a - n) / np.maximum(floor, np.abs(a) + np.abs(n))


def relative_error(analytic, numeric, floor: float = REL_FLOOR) -> float:
    """The largest elementwise relative error (0 for empty arrays)."""
    errors = relative_error_map(analytic, numeric, floor)
    return float(errors.max()) if errors.size else 0.0


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
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"No row {name!r} in this report; rows: {[r.name for r in self.rows]}")

    def __bool__(self) -> bool:
        return self.passed

    def to_dict(self) -> dict:
        return {"title": self.title, "eps": self.eps, "tol": self.tol, "passed": self.passed,
                "rows": [row.to_dict() for row in self.rows]}

    def plot(self, path=None, title: Optional[str] = None):
        """A heat map of each row's elementwise relative error (log scale); saved to `path`
        if given. Returns the matplotlib figure (or the saved path). Needs matplotlib."""
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
        errors = relative_error_map(analytic, numeric)
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
        analytic = np.asarray(analytic, dtype=np.float64)
    except (TypeError, ValueError):
        return (f"the gradient is not an array of numbers (got {type(analytic).__name__})")
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
                  tol: float = DEFAULT_TOL, seed: int = 0) -> GradCheckReport:
    """Check a hand-derived gradient `grad_f` of `f` at `args`, numerically, in float64.

    f(*args) returns a scalar (like a loss J) or an array (like a layer's output).
    - scalar f:  grad_f(*args) returns ∂f/∂arg for each checked arg (a tuple, or one array).
    - array f:   grad_f(*args, dout) receives a random upstream gradient dout of f's output
      shape and returns the gradients of Σ f(*args)·dout — a backward pass.
    Float array args (and Python floats) are copied to float64; `wrt` picks which ones to
    check (default: all of them); row names come from f's parameter names unless `names` is
    given. A failing row carries an error map, its worst elements and a hint in words (a
    constant factor, a transpose, a wrong shape …); ``report.plot()`` draws the error maps.

    >>> report = check_formula(lambda w: np.sum(w ** 2), lambda w: 2 * w, np.ones(3))
    >>> report.passed
    True
    """
    args = [_as_float64(a) for a in args]
    wrt = [i for i, a in enumerate(args) if _is_float_array(a)] if wrt is None else list(wrt)
    names = list(names) if names is not None else _argument_names(f, len(args))
    _check_arguments(args, wrt, names)
    output = _evaluate(f, args)
    scalar = output.ndim == 0
    dout = None if scalar else np.random.default_rng(seed).standard_normal(output.shape)
    analytic = _as_gradient_list(_call_gradient(grad_f, args, dout, output.shape), len(wrt))
    scale = float(np.abs(output).sum()) if scalar else float(np.abs(output * dout).sum())

    def reduced() -> float:
        value = _evaluate(f, args)
        return float(value) if scalar else float(np.sum(value * dout))

    report = GradCheckReport(getattr(f, "__name__", "formula"), eps=eps, tol=tol)
    for index, gradient in zip(wrt, analytic):
        numeric = numerical_gradient(lambda _: reduced(), args[index], eps)
        report.rows.append(compare(names[index], gradient, numeric, tol, _noise(scale, eps)))
    return report


def _check_arguments(args, wrt, names) -> None:
    for index in wrt:
        if index >= len(args) or not _is_float_array(args[index]):
            got = "missing" if index >= len(args) else type(args[index]).__name__
            raise TypeError(f"check_formula: argument {index} ({names[index] if index < len(names) else '?'}) "
                            f"must be a float array to be checked, got {got}.")
        if not np.isfinite(args[index]).all():
            raise ValueError(f"check_formula: argument {names[index]!r} contains NaN or inf; "
                             f"a gradient can only be checked at finite values.")


def _evaluate(f: Callable, args) -> np.ndarray:
    """f(*args) as a float64 array, or a clear error if it is not a finite number/array."""
    value = f(*args)
    try:
        if value is None or isinstance(value, (str, bytes)):
            raise TypeError
        output = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"check_formula: f must return a number or an array of numbers, got "
                        f"{type(value).__name__} ({value!r:.60}).") from None
    if not np.isfinite(output).all():
        bad = output.ravel()[~np.isfinite(output.ravel())][0]
        raise ValueError(f"check_formula: f returned a non-finite value ({bad}) at these "
                         f"inputs; choose inputs where the formula is defined.")
    return output


def _call_gradient(grad_f: Callable, args, dout, output_shape):
    """grad_f(*args) for a scalar f, grad_f(*args, dout) for an array f — explained if the
    signature does not fit."""
    try:
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
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.array(value, dtype=np.float64)
    if isinstance(value, float):
        return np.array(value)
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in np.ravel(value)):
        return np.array(value, dtype=np.float64)
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
    new ones from `seed`). Randomness inside the layer (dropout with ``training=True``) is
    re-seeded before every forward pass, so the same masks are used throughout; `mask` (N, T)
    is passed to forward as an Embedding would. A layer returning a list (an LSTM with
    ``return_state``) gets one random upstream gradient per output.
    """
    probe = _float64_copy(layer, x, seed)
    x = np.array(x) if np.asarray(x).dtype.kind in "iub" else np.array(x, dtype=np.float64)

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
    noise = _noise(sum(float(np.abs(o * d).sum()) for o, d in zip(outputs, douts)), eps)

    def reduced(_=None) -> float:
        return sum(float(np.sum(o * d)) for o, d in zip(forward(), douts))

    title = probe.describe() if layer.name else repr(probe)
    report = GradCheckReport(title, eps=eps, tol=tol)
    if x.dtype.kind == "f":
        report.rows.append(compare("input", dx, numerical_gradient(reduced, x, eps), tol, noise))
    for name, param in probe.params.items():
        report.rows.append(compare(name, analytic[name],
                                   numerical_gradient(reduced, param, eps), tol, noise))
    return report


def _float64_copy(layer, x, seed: int):
    probe = type(layer).from_config(layer.get_config())
    probe.dtype = np.dtype(np.float64)
    input_shape = layer.input_shape if layer.built else np.shape(x)[1:]
    probe.build(input_shape, np.random.default_rng(seed), np.float64)
    if layer.built:
        probe.set_weights(layer.get_weights())
    return probe


def check_model(model, x, y, eps: float = DEFAULT_EPS, tol: float = DEFAULT_TOL,
                seed: int = 0) -> GradCheckReport:
    """Check ``model.loss_and_grads`` (every weight of every layer) on (x, y), in float64.

    The model must be compiled (its loss is what is differentiated); a float64 copy with the
    same weights is checked, dropout off.
    """
    from .models import Sequential
    model._require_compiled("gradcheck.check_model")
    x = model._prepare_x(x, "gradcheck.check_model")
    probe = Sequential.from_config(model.get_config(), dtype="float64")
    probe._prepare_x(x, "gradcheck.check_model")           # builds it like the model
    probe.set_weights(model.get_weights())
    probe.compile(optimizer="sgd", loss=type(model.loss)(**_loss_kwargs(model.loss)))
    x = x if x.dtype.kind in "iub" else x.astype(np.float64)
    loss, grads = probe.loss_and_grads(x, y)
    _, y64 = probe._prepare_xy(x, y, "gradcheck.check_model")

    def loss_value(_=None) -> float:
        return probe._evaluate_arrays(x, y64, len(x))["loss"]

    report = GradCheckReport(f"model {model.name!r} with {probe.loss.name}", eps=eps, tol=tol)
    params = [(layer, name) for layer in probe.layers for name in layer.params]
    for (layer, name), gradient in zip(params, grads):
        numeric = numerical_gradient(loss_value, layer.params[name], eps)
        report.rows.append(compare(f"{layer.name}/{name}", gradient, numeric, tol,
                                   _noise(abs(loss), eps)))
    return report


def _loss_kwargs(loss) -> dict:
    config = loss.get_config()
    config.pop("name", None)
    return config


# the ε sweep lives in its own module (it uses numerical_gradient, defined above)
from .epsilon_sweep import EpsilonSweep, epsilon_sweep  # noqa: E402,F401
