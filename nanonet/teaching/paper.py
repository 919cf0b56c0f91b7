"""The article's equations (§4.1–4.2), literally as printed, next to the correct forms.

Notation — the article's: a sample x is a column vector (D,), and

    z1 = W1 x + b1      W1: (H, D), b1: (H,)        hidden pre-activation
    a1 = σ(z1)                                       hidden activation (σ = sigmoid, or ReLU)
    z2 = W2 a1 + b2     W2: (1, H), b2: (1,)        output pre-activation
    ŷ  = σ(z2)                                       §4.1: ŷ = σ(W2 σ(W1 x + b1) + b2)

A batch X stacks m samples as rows, X: (m, D), labels y: (m,) in {0, 1}. (nanonet's Dense
stores the transposed matrix, kernel = W1ᵀ: (D, H); ``dense_weights`` converts.)

§4.2 prints the loss

    J = −(1/m) Σ_{i=1}^{m} y_i log(ŷ_i) + (1 − y_i) log(1 − ŷ_i)

and two gradients

    ∂J/∂W1 = (1/m) Σ_i (ŷ_i − y_i) · σ'(z1^i) · x_i              (printed)
    ∂J/∂W2 = (1/m) Σ_i (ŷ_i − y_i) · σ'(z2^i) · ŷ_i              (printed)

The true gradients, derived (the chain rule, one sample, then the mean over the batch):

1.  ∂J/∂ŷ = −(1/m) [y/ŷ − (1 − y)/(1 − ŷ)] = (1/m) (ŷ − y) / (ŷ (1 − ŷ)).
2.  ∂ŷ/∂z2 = σ'(z2) = ŷ (1 − ŷ). Multiplying, the ŷ(1 − ŷ) CANCELS:
        δ2 = ∂J/∂z2 = (1/m)(ŷ − y)                   — no σ'(z2) is left; that is why the
                                                       printed ∂J/∂W2's σ'(z2) is wrong.
3.  z2 = W2 a1 + b2, so ∂J/∂W2 = Σ_i δ2_i a1_iᵀ (1, H) and ∂J/∂b2 = Σ_i δ2_i.
    The vector that multiplies is a1 = σ(z1), the INPUT of the output layer — not ŷ, its
    output (the printed formula's ·ŷ_i).
4.  Back into the hidden layer: ∂J/∂a1 = W2ᵀ δ2 (H,) — the W2ᵀ factor: every hidden unit's
    share of the error is weighted by its outgoing weight. The printed ∂J/∂W1 omits it.
5.  ∂J/∂z1 = δ1 = (W2ᵀ δ2) ⊙ σ'(z1) — elementwise, one factor per hidden unit.
6.  z1 = W1 x + b1, so ∂J/∂W1 = Σ_i δ1_i x_iᵀ (H, D), an OUTER product (a column δ1 times a
    row xᵀ), and ∂J/∂b1 = Σ_i δ1_i.

So, correctly::

    ∂J/∂W2 = (1/m) Σ_i (ŷ_i − y_i) a1_iᵀ                       a1 = σ(z1)
    ∂J/∂b2 = (1/m) Σ_i (ŷ_i − y_i)
    ∂J/∂W1 = (1/m) Σ_i [(W2ᵀ (ŷ_i − y_i)) ⊙ σ'(z1^i)] x_iᵀ
    ∂J/∂b1 = (1/m) Σ_i (W2ᵀ (ŷ_i − y_i)) ⊙ σ'(z1^i)

Readings of what is ambiguous as typeset (each is implemented and checked):

- J: "−(1/m) Σ a_i + b_i". *As intended*: the sum and the −1/m cover both terms (the binary
  cross-entropy). *As typeset*: they bind only the first term; to give the dangling index i a
  meaning we average the second term too: −(1/m) Σ y log ŷ + (1/m) Σ (1 − y) log(1 − ŷ). That
  is not a loss: for a negative sample it keeps falling as ŷ → 1.
- ∂J/∂W1's "σ'(z1) · x": σ'(z1) has H entries, x has D. *Outer product* σ'(z1) xᵀ gives the
  (H, D) shape of W1 — the reading that can be right; *elementwise* σ'(z1) ⊙ x needs H = D
  and gives an H-vector, not a matrix.
- ∂J/∂W2's "· ŷ_i": *literally* ŷ (a scalar per sample, so a scalar gradient for the H
  weights of W2); *read as a typo for a1 = σ(z1)*, the shape is right and the formula is the
  gradient of the squared error ½(ŷ − y)² — not of this J.

``verify()`` decides every verdict by computation (``python -m nanonet verify-formulas``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from .. import ops
from ..gradcheck import DEFAULT_TOL, check_formula, relative_error
from ..validation import (as_float_array, check_float, check_int, check_not_empty,
                         unknown_name_error)

HIDDEN = ("sigmoid", "relu")


# ====================================================================== checking the arguments
#: the shapes of the article's arrays, for the messages
_SHAPES = {"X": "(m, D)", "y": "(m,)", "W1": "(H, D)", "b1": "(H,)", "W2": "(1, H)",
           "b2": "(1,)"}


def _activation(hidden: str, where: str = "paper") -> Tuple[Callable, Callable]:
    """(σ, σ') for the hidden layer: the sigmoid, or the ReLU the article also allows."""
    if hidden == "sigmoid":
        return ops.sigmoid, lambda z: ops.sigmoid(z) * (1.0 - ops.sigmoid(z))
    if hidden == "relu":
        return ops.relu, ops.relu_grad
    raise ValueError(f"{where}: hidden: {unknown_name_error('hidden activation', hidden, HIDDEN)}")


def _float64(value, name: str, where: str, rank: int) -> np.ndarray:
    """`value` as a finite float64 array with `rank` dimensions, or a clear error."""
    array = as_float_array(value, name, where, np.float64)
    if array.ndim != rank:
        hint = ""
        if name in ("W2",) and array.ndim == 1:
            hint = f" — a row vector: pass {name}[None, :] (shape (1, {array.shape[0]}))"
        elif name == "y" and array.ndim == 2 and 1 in array.shape:
            hint = " — pass y.ravel()"
        elif name == "X" and array.ndim == 1:
            hint = " — one sample per row: for a single sample pass X[None, :]"
        elif name in ("b1", "b2") and array.ndim == 0:
            hint = f" — pass np.array([{array.item()!r}])" if name == "b2" else ""
        raise ValueError(f"{where}: {name} must have shape {_SHAPES[name]} ({rank} "
                         f"dimension{'s' if rank != 1 else ''}), got shape {array.shape}{hint}.")
    return array


def _network(X, W1, b1, W2, b2, where: str) -> Tuple[np.ndarray, ...]:
    """The article's X (m, D), W1 (H, D), b1 (H,), W2 (1, H), b2 (1,), checked against each
    other: a wrong shape would otherwise broadcast into a silently wrong number."""
    X = _float64(X, "X", where, 2)
    W1 = _float64(W1, "W1", where, 2)
    b1 = _float64(b1, "b1", where, 1)
    W2 = _float64(W2, "W2", where, 2)
    b2 = _float64(b2, "b2", where, 1)
    m, d = X.shape
    h = W1.shape[0]
    if W1.shape[1] != d:
        transposed = " (it looks transposed: pass W1.T)" if W1.shape[0] == d else ""
        raise ValueError(f"{where}: W1 must have shape (H, D) with D = {d} inputs (the columns "
                         f"of X, shape {X.shape}), got W1 of shape {W1.shape}{transposed}. "
                         f"The article's W1 multiplies a column x: z1 = W1 x + b1.")
    for name, array, expected in (("b1", b1, (h,)), ("W2", W2, (1, h)), ("b2", b2, (1,))):
        if array.shape != expected:
            raise ValueError(f"{where}: {name} must have shape {expected} (H = {h} hidden units, "
                             f"the rows of W1), got shape {array.shape}.")
    return X, W1, b1, W2, b2


def _labels(y, m: int, where: str) -> np.ndarray:
    """y: (m,) labels in [0, 1]."""
    y = _float64(y, "y", where, 1)
    if y.shape != (m,):
        raise ValueError(f"{where}: y must hold one label per sample, shape ({m},) for X with "
                         f"{m} rows, got shape {y.shape}.")
    _in_unit_interval(y, "y", where, open_interval=False)
    return y


def _in_unit_interval(values: np.ndarray, name: str, where: str, open_interval: bool) -> None:
    bad = (values <= 0) | (values >= 1) if open_interval else (values < 0) | (values > 1)
    if bad.any():
        index = int(np.argmax(bad.ravel()))
        value = values.ravel()[index].item()
        if open_interval:
            raise ValueError(f"{where}: {name} must hold probabilities strictly between 0 and 1 "
                             f"(log(0) is -inf), but {name}[{index}] = {value!r}. A sigmoid "
                             f"reaches exactly 0 or 1 in float64 once |z| > ~37: clip it, e.g. "
                             f"np.clip({name}, 1e-12, 1 - 1e-12), or use the loss from logits "
                             f"(nanonet.losses.bce_from_logits).")
        raise ValueError(f"{where}: {name} must hold labels in [0, 1] (the classes are 0 and 1), "
                         f"but {name}[{index}] = {value!r}.")


def _check_overflow(values: Dict[str, np.ndarray], where: str) -> None:
    for name in ("z1", "z2"):
        array = values[name]
        if not np.isfinite(array).all():
            raise ValueError(f"{where}: {name} overflowed ({array[~np.isfinite(array)][0]}): the "
                             f"inputs or weights are too large (|X| up to "
                             f"{values['max_X']:.3g}, |W1| up to {values['max_W1']:.3g}); "
                             f"scale them down.")


# ====================================================================== §4.1, the forward pass
def forward(X, W1, b1, W2, b2, hidden: str = "sigmoid") -> Tuple[np.ndarray, dict]:
    """§4.1, ŷ = σ(W2 σ(W1 x + b1) + b2) for every row x of X: (m, D).

    W1: (H, D), b1: (H,), W2: (1, H), b2: (1,) — checked against each other and against X;
    every array must be finite. Returns ŷ: (m,) and the intermediate values
    {"z1", "a1" (m, H), "z2" (m,)}.
    """
    where = "paper.forward"
    _activation(hidden, where)
    return _forward(*_network(X, W1, b1, W2, b2, where), hidden, where)


def _forward(X, W1, b1, W2, b2, hidden: str, where: str) -> Tuple[np.ndarray, dict]:
    """forward for checked arrays."""
    activation, _ = _activation(hidden, where)
    with np.errstate(over="ignore", invalid="ignore"):
        z1 = X @ W1.T + b1                       # each row: W1 x + b1
        a1 = activation(z1)
        z2 = (a1 @ W2.T + b2)[:, 0]              # each row: W2 a1 + b2
    _check_overflow({"z1": z1, "z2": z2, "max_X": float(np.abs(X).max(initial=0)),
                     "max_W1": float(np.abs(W1).max(initial=0))}, where)
    return ops.sigmoid(z2), {"z1": z1, "a1": a1, "z2": z2}


def dense_weights(W1, b1, W2, b2) -> List[np.ndarray]:
    """The article's (W1, b1, W2, b2) as nanonet/Keras Dense weights [W1ᵀ, b1, W2ᵀ, b2]."""
    where = "paper.dense_weights"
    W1 = _float64(W1, "W1", where, 2)
    _, W1, b1, W2, b2 = _network(np.zeros((1, W1.shape[1])), W1, b1, W2, b2, where)
    return [W1.T, b1, W2.T, b2]


# ====================================================================== §4.2, the loss
def _loss_arguments(y, y_hat, where: str) -> Tuple[np.ndarray, np.ndarray]:
    """y and ŷ: the same shape (m,), m >= 1, y in [0, 1], ŷ in (0, 1)."""
    y_hat = as_float_array(y_hat, "y_hat", where, np.float64)
    y = as_float_array(y, "y", where, np.float64)
    if y.shape != y_hat.shape:
        raise ValueError(f"{where}: y and y_hat must have the same shape (m,), got y {y.shape} "
                         f"and y_hat {y_hat.shape}" + (" — pass y_hat.ravel()" if
                                                       y_hat.size == y.size else "") + ".")
    if y.ndim != 1:
        raise ValueError(f"{where}: y and y_hat must be vectors of shape (m,), one entry per "
                         f"sample, got shape {y.shape}" + (" — pass y.ravel() and y_hat.ravel()"
                                                           if y.size else "") + ".")
    check_not_empty(y, "y", where)
    _in_unit_interval(y, "y", where, open_interval=False)
    return y, y_hat


def loss_as_intended(y, y_hat) -> float:
    """J = −(1/m) Σ [y log ŷ + (1 − y) log(1 − ŷ)]: the binary cross-entropy.

    y: (m,) labels in [0, 1]; y_hat: (m,) probabilities strictly between 0 and 1."""
    where = "paper.loss_as_intended"
    y, y_hat = _loss_arguments(y, y_hat, where)
    _in_unit_interval(y_hat, "y_hat", where, open_interval=True)
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))


def loss_as_typeset(y, y_hat) -> float:
    """J = −(1/m) Σ y log ŷ + (1/m) Σ (1 − y) log(1 − ŷ): the sum and the minus sign bind the
    first term only (the module docstring explains the reading). Arguments as
    ``loss_as_intended``."""
    where = "paper.loss_as_typeset"
    y, y_hat = _loss_arguments(y, y_hat, where)
    _in_unit_interval(y_hat, "y_hat", where, open_interval=True)
    return float(-np.mean(y * np.log(y_hat)) + np.mean((1 - y) * np.log(1 - y_hat)))


def squared_error(y, y_hat) -> float:
    """½ (1/m) Σ (ŷ − y)²: the loss whose gradient the printed ∂J/∂W2 (ŷ read as a1) is.

    y: (m,) labels in [0, 1]; y_hat: (m,) finite numbers."""
    where = "paper.squared_error"
    y, y_hat = _loss_arguments(y, y_hat, where)
    with np.errstate(over="ignore"):
        value = float(0.5 * np.mean((y_hat - y) ** 2))
    if not np.isfinite(value):
        raise ValueError(f"{where}: (y_hat - y)² overflows (y_hat reaches "
                         f"{float(np.abs(y_hat).max()):.3g}); y_hat should be probabilities.")
    return value


# ====================================================================== §4.2, the printed gradients
def _gradient_inputs(X, y, W1, b1, W2, b2, hidden: str, where: str):
    """Checked (X, y, W1, b1, W2, b2), ŷ and the intermediate values, for the gradients."""
    _activation(hidden, where)
    X, W1, b1, W2, b2 = _network(X, W1, b1, W2, b2, where)
    check_not_empty(X, "X", where)          # (1/m) Σ over no samples is undefined
    y = _labels(y, len(X), where)
    y_hat, values = _forward(X, W1, b1, W2, b2, hidden, where)
    return (X, y, W1, b1, W2, b2), y_hat, values


def _check_reading(reading, readings: Tuple[str, ...], where: str) -> None:
    if not (isinstance(reading, str) and reading in readings):
        raise ValueError(f"{where}: reading: {unknown_name_error('reading', reading, readings)}")


def _finite_gradient(gradient, where: str):
    if not np.isfinite(gradient).all():
        raise ValueError(f"{where}: the gradient overflowed (the inputs or weights are too "
                         f"large); scale them down.")
    return gradient


def printed_dJ_dW1(X, y, W1, b1, W2, b2, hidden: str = "sigmoid", reading: str = "outer"):
    """∂J/∂W1 = (1/m) Σ (ŷ_i − y_i) · σ'(z1^i) · x_i, as printed.

    reading="outer": σ'(z1) xᵀ, an (H, D) matrix; reading="elementwise": σ'(z1) ⊙ x, an
    H-vector (only defined when H = D). X: (m, D) with m >= 1, y: (m,) labels in [0, 1];
    the weights as in ``forward``.
    """
    where = "paper.printed_dJ_dW1"
    _check_reading(reading, ("outer", "elementwise"), where)
    (X, y, W1, *_), y_hat, values = _gradient_inputs(X, y, W1, b1, W2, b2, hidden, where)
    _, derivative = _activation(hidden, where)
    if reading == "elementwise" and W1.shape[0] != W1.shape[1]:
        raise ValueError(f"paper.printed_dJ_dW1: the elementwise reading σ'(z1) ⊙ x needs "
                         f"as many hidden units as inputs, got H={W1.shape[0]}, "
                         f"D={W1.shape[1]}.")
    with np.errstate(over="ignore", invalid="ignore"):
        delta = (y_hat - y)[:, None] * derivative(values["z1"])    # (m, H): no W2ᵀ
        gradient = delta.T @ X / len(X) if reading == "outer" else (delta * X).mean(axis=0)
    return _finite_gradient(gradient, where)


def printed_dJ_dW2(X, y, W1, b1, W2, b2, hidden: str = "sigmoid", reading: str = "literal"):
    """∂J/∂W2 = (1/m) Σ (ŷ_i − y_i) · σ'(z2^i) · ŷ_i, as printed.

    reading="literal": the product of three numbers per sample — a scalar;
    reading="hidden_activation": ŷ_i read as a1_i = σ(z1^i), giving a (1, H) row.
    Arguments as ``printed_dJ_dW1``.
    """
    where = "paper.printed_dJ_dW2"
    _check_reading(reading, ("literal", "hidden_activation"), where)
    (X, y, *_), y_hat, values = _gradient_inputs(X, y, W1, b1, W2, b2, hidden, where)
    factor = (y_hat - y) * ops.sigmoid_grad_from_output(y_hat)      # (ŷ − y) σ'(z2)
    with np.errstate(over="ignore", invalid="ignore"):
        if reading == "literal":
            return _finite_gradient(np.mean(factor * y_hat), where)
        return _finite_gradient((factor @ values["a1"])[None, :] / len(X), where)


# ====================================================================== the true gradients
def true_gradients(X, y, W1, b1, W2, b2, hidden: str = "sigmoid") -> Dict[str, np.ndarray]:
    """∂J/∂W1, ∂J/∂b1, ∂J/∂W2, ∂J/∂b2 of the cross-entropy J (derivation: module docstring).

    Arguments as ``printed_dJ_dW1``; the gradients have the shapes of W1, b1, W2, b2."""
    where = "paper.true_gradients"
    (X, y, W1, b1, W2, b2), y_hat, values = _gradient_inputs(X, y, W1, b1, W2, b2, hidden,
                                                              where)
    _, derivative = _activation(hidden, where)
    m = len(X)
    with np.errstate(over="ignore", invalid="ignore"):
        delta2 = (y_hat - y) / m                                  # ∂J/∂z2: σ'(z2) cancelled
        delta1 = (delta2[:, None] @ W2) * derivative(values["z1"])  # (W2ᵀ δ2) ⊙ σ'(z1)
        gradients = {"W1": delta1.T @ X,                          # Σ δ1 xᵀ: outer products
                     "b1": delta1.sum(axis=0),
                     "W2": (delta2 @ values["a1"])[None, :],       # Σ δ2 a1ᵀ
                     "b2": np.array([delta2.sum()])}
    for gradient in gradients.values():
        _finite_gradient(gradient, where)
    return gradients


# ====================================================================== verification
@dataclass
class Verdict:
    """One equation's verdict, decided by computation."""

    id: str
    printed: str
    verdict: str
    max_rel_error: float
    corrected: str
    detail: str = ""
    hint: str = ""

    def to_json(self) -> dict:
        """The keys of ``verify-formulas --json``; a max_rel_error that cannot be computed
        (the formula has the wrong shape) is null."""
        error = self.max_rel_error if np.isfinite(self.max_rel_error) else None
        return {"id": self.id, "printed": self.printed, "verdict": self.verdict,
                "max_rel_error": error, "corrected": self.corrected}


@dataclass
class Problem:
    """Random data and weights for one check: m samples, D inputs, H hidden units."""

    X: np.ndarray
    y: np.ndarray
    weights: Dict[str, np.ndarray] = field(default_factory=dict)
    hidden: str = "sigmoid"

    @property
    def params(self) -> Tuple[np.ndarray, ...]:
        return tuple(self.weights[name] for name in ("W1", "b1", "W2", "b2"))


def make_problem(m: int = 6, d: int = 3, h: int = 4, hidden: str = "sigmoid",
                 seed: int = 0, w2: Optional[float] = None) -> Problem:
    """Gaussian inputs, balanced-ish labels, weights ~ N(0, 1); ReLU pre-activations are kept
    away from the kink at 0. ``w2`` sets every entry of W2 to that value.

    m, d, h: integers >= 1; hidden: 'sigmoid' or 'relu'; seed: an integer >= 0; w2: None or
    a finite number."""
    where = "paper.make_problem"
    m = check_int(m, "m (the number of samples)", where, minimum=1)
    d = check_int(d, "d (the number of inputs)", where, minimum=1)
    h = check_int(h, "h (the number of hidden units)", where, minimum=1)
    _activation(hidden, where)
    seed = check_int(seed, "seed", where, minimum=0)
    if w2 is not None:
        w2 = check_float(w2, "w2", where)
    rng = np.random.default_rng(seed)
    for _ in range(100):
        problem = Problem(X=rng.standard_normal((m, d)),
                          y=(rng.random(m) > 0.5).astype(np.float64),
                          weights={"W1": rng.standard_normal((h, d)),
                                   "b1": rng.standard_normal(h),
                                   "W2": rng.standard_normal((1, h)) if w2 is None
                                   else np.full((1, h), float(w2)),
                                   "b2": rng.standard_normal(1)},
                          hidden=hidden)
        z1 = problem.X @ problem.weights["W1"].T + problem.weights["b1"]
        if hidden != "relu" or np.abs(z1).min() > 1e-3:
            return problem
    raise ValueError(f"{where}: with m={m} samples and h={h} hidden units, every one of 100 "
                     f"random draws put some ReLU pre-activation within 1e-3 of the kink at 0, "
                     f"where the derivative does not exist; use fewer samples or hidden units "
                     f"(m·h of a few thousand at most), or hidden='sigmoid'.")


def check_gradient(problem: Problem, name: str, gradient: Callable,
                   loss: Callable = loss_as_intended, title: Optional[str] = None):
    """check_formula of ``gradient(problem, W1, b1, W2, b2)`` against the numerical gradient
    of `loss` (J by default) with respect to the weight `name` ('W1', 'b1', 'W2' or 'b2')."""
    where = "paper.check_gradient"
    if not isinstance(problem, Problem):
        raise TypeError(f"{where}: problem must be a paper.Problem (from paper.make_problem()), "
                        f"got {type(problem).__name__}.")
    names = ("W1", "b1", "W2", "b2")
    if not (isinstance(name, str) and name in names):
        raise ValueError(f"{where}: name (the weight to check): "
                         f"{unknown_name_error('weight', name, names)}")
    for argument, value in (("gradient", gradient), ("loss", loss)):
        if not callable(value):
            raise TypeError(f"{where}: {argument} must be a function, got "
                            f"{type(value).__name__}.")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{where}: title must be None or a str, got {type(title).__name__}.")
    X, y, hidden = problem.X, problem.y, problem.hidden

    def J(W1, b1, W2, b2):
        return loss(y, forward(X, W1, b1, W2, b2, hidden)[0])

    def grad_J(W1, b1, W2, b2):
        return gradient(problem, W1, b1, W2, b2)

    index = names.index(name)
    report = check_formula(J, grad_J, *problem.params, wrt=[index], names=list(names))
    report.title = title or f"∂{getattr(loss, '__name__', 'loss')}/∂{name}"
    return report


def verify(seed: int = 0, tol: float = DEFAULT_TOL) -> List[Verdict]:
    """Check every equation of §4.1–4.2 on random data; the verdicts are computed here.

    seed: an integer >= 0 (the data and weights); tol: the largest relative error (> 0) for
    the forward pass and the loss to "hold"."""
    seed = check_int(seed, "seed", "paper.verify", minimum=0)
    tol = check_float(tol, "tol", "paper.verify", low=0.0, low_inclusive=False)
    return (_verify_forward(seed, tol) + _verify_losses(seed, tol)
            + _verify_printed_gradients(seed) + _verify_true_gradients(seed))


def _verify_forward(seed: int, tol: float) -> List[Verdict]:
    """§4.1 against an independent implementation: a nanonet Sequential of two Dense layers."""
    from .. import layers
    from ..models import Sequential
    verdicts = []
    for hidden in HIDDEN:
        problem = make_problem(m=8, d=3, h=5, hidden=hidden, seed=seed)
        y_hat = forward(problem.X, *problem.params, hidden=hidden)[0]
        model = Sequential([layers.Dense(5, activation=hidden, input_shape=(3,)),
                            layers.Dense(1, activation="sigmoid")], dtype="float64")
        model.set_weights(dense_weights(*problem.params))
        error = relative_error(y_hat, model.predict(problem.X)[:, 0])
        verdicts.append(Verdict(
            id=f"4.1/forward/{hidden}", printed="ŷ = σ(W2 σ(W1 x + b1) + b2)",
            verdict=_holds(error, tol), max_rel_error=error,
            corrected="(as printed)",
            detail=f"{hidden} hidden layer, compared with nanonet's Dense → Dense"))
    return verdicts


def _verify_losses(seed: int, tol: float) -> List[Verdict]:
    """§4.2's J, both readings, against the binary cross-entropy from logits (losses.py)."""
    from ..losses import bce_from_logits
    problem = make_problem(m=50, seed=seed)
    y_hat, values = forward(problem.X, *problem.params)
    reference = bce_from_logits(problem.y, values["z2"])[0]
    verdicts = []
    for reading, function in (("as_intended", loss_as_intended),
                              ("as_typeset", loss_as_typeset)):
        error = relative_error(function(problem.y, y_hat), reference)
        verdicts.append(Verdict(
            id=f"4.2/J/{reading}",
            printed="J = −(1/m) Σ y_i log(ŷ_i) + (1 − y_i) log(1 − ŷ_i)",
            verdict=_holds(error, tol), max_rel_error=error,
            corrected="J = −(1/m) Σ_i [y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)]",
            detail=("the sum and −1/m cover both terms" if reading == "as_intended" else
                    "the sum and −1/m bind the first term only: not a loss — for y = 0 it "
                    "falls without bound as ŷ → 1"),
            hint="" if reading == "as_intended" else _typeset_loss_hint(problem)))
    return verdicts


def _typeset_loss_hint(problem: Problem) -> str:
    y = np.zeros(1)
    falling = [loss_as_typeset(y, np.array([p])) for p in (0.5, 0.9, 0.999)]
    return ("for a negative sample, J(ŷ=0.5, 0.9, 0.999) = "
            + ", ".join(f"{v:.3f}" for v in falling) + ": minimising it pushes ŷ up")


_TRUE_W1 = "∂J/∂W1 = (1/m) Σ_i [(W2ᵀ (ŷ_i − y_i)) ⊙ σ'(z1^i)] x_iᵀ"
_TRUE_W2 = "∂J/∂W2 = (1/m) Σ_i (ŷ_i − y_i) a1_iᵀ, a1 = σ(z1^i)"


def _verify_printed_gradients(seed: int) -> List[Verdict]:
    """The two printed gradients, every reading, with the conditions under which they hold."""
    printed_w1 = "∂J/∂W1 = (1/m) Σ (ŷ_i − y_i) · σ'(z1^i) · x_i"
    printed_w2 = "∂J/∂W2 = (1/m) Σ (ŷ_i − y_i) · σ'(z2^i) · ŷ_i"
    verdicts = [_printed_verdict(
        f"4.2/dJ_dW1/outer/{hidden}", printed_w1, _TRUE_W1, "W1",
        lambda p, *w: printed_dJ_dW1(p.X, p.y, *w, hidden=p.hidden), hidden, seed,
        reading="σ'(z1)·x read as the outer product σ'(z1) xᵀ",
        conditions=[("W2 = 1 (every hidden-to-output weight is one)", {"w2": 1.0})])
        for hidden in HIDDEN]
    verdicts.append(_printed_verdict(
        "4.2/dJ_dW1/elementwise/sigmoid", printed_w1, _TRUE_W1, "W1",
        lambda p, *w: printed_dJ_dW1(p.X, p.y, *w, reading="elementwise"), "sigmoid", seed,
        reading="σ'(z1)·x read elementwise, σ'(z1) ⊙ x (needs H = D)", square=True))
    verdicts.append(_printed_verdict(
        "4.2/dJ_dW2/literal", printed_w2, _TRUE_W2, "W2",
        lambda p, *w: printed_dJ_dW2(p.X, p.y, *w), "sigmoid", seed,
        reading="as printed, times ŷ_i"))
    verdicts.append(_printed_verdict(
        "4.2/dJ_dW2/hidden_activation", printed_w2, _TRUE_W2, "W2",
        lambda p, *w: printed_dJ_dW2(p.X, p.y, *w, reading="hidden_activation"), "sigmoid",
        seed, reading="ŷ_i read as the hidden activation a1 = σ(z1^i)",
        conditions=[("J is the squared error ½(ŷ − y)², not the cross-entropy of §4.2",
                     {"loss": squared_error})]))
    return verdicts


def _printed_verdict(equation_id, printed, corrected, name, gradient, hidden, seed, reading,
                     conditions=(), square=False) -> Verdict:
    """Check a printed gradient in the article's setting; if it fails, try each stated
    condition in turn (a different W2, a different loss)."""
    size = {"d": 4, "h": 4} if square else {}
    row = check_gradient(make_problem(hidden=hidden, seed=seed, **size), name,
                         gradient).rows[0]
    verdict = "holds" if row.passed else "wrong"
    for condition, setup in conditions if not row.passed else ():
        problem = make_problem(hidden=hidden, seed=seed, w2=setup.get("w2"), **size)
        if check_gradient(problem, name, gradient, setup.get("loss", loss_as_intended)).passed:
            verdict = f"holds only if {condition}"
            break
    return Verdict(id=equation_id, printed=printed, verdict=verdict,
                   max_rel_error=row.max_rel_error, corrected=corrected,
                   detail=f"{reading}; {hidden} hidden layer", hint=row.hint or row.note)


def _verify_true_gradients(seed: int) -> List[Verdict]:
    formulas = {"W1": _TRUE_W1, "b1": "∂J/∂b1 = (1/m) Σ_i (W2ᵀ (ŷ_i − y_i)) ⊙ σ'(z1^i)",
                "W2": _TRUE_W2, "b2": "∂J/∂b2 = (1/m) Σ_i (ŷ_i − y_i)"}
    verdicts = []
    for hidden in HIDDEN:
        problem = make_problem(hidden=hidden, seed=seed)
        for name, formula in formulas.items():
            gradient = (lambda p, *w, n=name:
                        true_gradients(p.X, p.y, *w, hidden=p.hidden)[n])
            row = check_gradient(problem, name, gradient).rows[0]
            verdicts.append(Verdict(
                id=f"true/dJ_d{name}/{hidden}", printed="(not printed in the article)",
                verdict="holds" if row.passed else "wrong",
                max_rel_error=row.max_rel_error, corrected=formula,
                detail=f"derived in nanonet.paper; {hidden} hidden layer"))
    return verdicts


def _holds(error: float, tol: float) -> str:
    return "holds" if error <= tol else "wrong"
