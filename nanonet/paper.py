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

from . import ops
from .gradcheck import DEFAULT_TOL, check_formula, relative_error

HIDDEN = ("sigmoid", "relu")


# ====================================================================== §4.1, the forward pass
def _activation(hidden: str) -> Tuple[Callable, Callable]:
    """(σ, σ') for the hidden layer: the sigmoid, or the ReLU the article also allows."""
    if hidden == "sigmoid":
        return ops.sigmoid, lambda z: ops.sigmoid(z) * (1.0 - ops.sigmoid(z))
    if hidden == "relu":
        return ops.relu, ops.relu_grad
    raise ValueError(f"paper: hidden must be 'sigmoid' or 'relu', got {hidden!r}.")


def forward(X, W1, b1, W2, b2, hidden: str = "sigmoid") -> Tuple[np.ndarray, dict]:
    """§4.1, ŷ = σ(W2 σ(W1 x + b1) + b2) for every row x of X: (m, D).

    Returns ŷ: (m,) and the intermediate values {"z1", "a1" (m, H), "z2" (m,)}.
    """
    activation, _ = _activation(hidden)
    z1 = X @ W1.T + b1                       # each row: W1 x + b1
    a1 = activation(z1)
    z2 = (a1 @ W2.T + b2)[:, 0]              # each row: W2 a1 + b2
    return ops.sigmoid(z2), {"z1": z1, "a1": a1, "z2": z2}


def dense_weights(W1, b1, W2, b2) -> List[np.ndarray]:
    """The article's (W1, b1, W2, b2) as nanonet/Keras Dense weights [W1ᵀ, b1, W2ᵀ, b2]."""
    return [W1.T, b1, W2.T, b2]


# ====================================================================== §4.2, the loss
def loss_as_intended(y, y_hat) -> float:
    """J = −(1/m) Σ [y log ŷ + (1 − y) log(1 − ŷ)]: the binary cross-entropy."""
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))


def loss_as_typeset(y, y_hat) -> float:
    """J = −(1/m) Σ y log ŷ + (1/m) Σ (1 − y) log(1 − ŷ): the sum and the minus sign bind the
    first term only (the module docstring explains the reading)."""
    return float(-np.mean(y * np.log(y_hat)) + np.mean((1 - y) * np.log(1 - y_hat)))


def squared_error(y, y_hat) -> float:
    """½ (1/m) Σ (ŷ − y)²: the loss whose gradient the printed ∂J/∂W2 (ŷ read as a1) is."""
    return float(0.5 * np.mean((y_hat - y) ** 2))


# ====================================================================== §4.2, the printed gradients
def printed_dJ_dW1(X, y, W1, b1, W2, b2, hidden: str = "sigmoid", reading: str = "outer"):
    """∂J/∂W1 = (1/m) Σ (ŷ_i − y_i) · σ'(z1^i) · x_i, as printed.

    reading="outer": σ'(z1) xᵀ, an (H, D) matrix; reading="elementwise": σ'(z1) ⊙ x, an
    H-vector (only defined when H = D).
    """
    y_hat, values = forward(X, W1, b1, W2, b2, hidden)
    _, derivative = _activation(hidden)
    delta = (y_hat - y)[:, None] * derivative(values["z1"])        # (m, H): no W2ᵀ
    if reading == "outer":
        return delta.T @ X / len(X)
    if reading == "elementwise":
        if W1.shape[0] != W1.shape[1]:
            raise ValueError(f"paper.printed_dJ_dW1: the elementwise reading σ'(z1) ⊙ x needs "
                             f"as many hidden units as inputs, got H={W1.shape[0]}, "
                             f"D={W1.shape[1]}.")
        return (delta * X).mean(axis=0)
    raise ValueError(f"paper.printed_dJ_dW1: reading must be 'outer' or 'elementwise', "
                     f"got {reading!r}.")


def printed_dJ_dW2(X, y, W1, b1, W2, b2, hidden: str = "sigmoid", reading: str = "literal"):
    """∂J/∂W2 = (1/m) Σ (ŷ_i − y_i) · σ'(z2^i) · ŷ_i, as printed.

    reading="literal": the product of three numbers per sample — a scalar;
    reading="hidden_activation": ŷ_i read as a1_i = σ(z1^i), giving a (1, H) row.
    """
    y_hat, values = forward(X, W1, b1, W2, b2, hidden)
    factor = (y_hat - y) * ops.sigmoid_grad_from_output(y_hat)      # (ŷ − y) σ'(z2)
    if reading == "literal":
        return np.mean(factor * y_hat)
    if reading == "hidden_activation":
        return (factor @ values["a1"])[None, :] / len(X)
    raise ValueError(f"paper.printed_dJ_dW2: reading must be 'literal' or "
                     f"'hidden_activation', got {reading!r}.")


# ====================================================================== the true gradients
def true_gradients(X, y, W1, b1, W2, b2, hidden: str = "sigmoid") -> Dict[str, np.ndarray]:
    """∂J/∂W1, ∂J/∂b1, ∂J/∂W2, ∂J/∂b2 of the cross-entropy J (derivation: module docstring)."""
    y_hat, values = forward(X, W1, b1, W2, b2, hidden)
    _, derivative = _activation(hidden)
    m = len(X)
    delta2 = (y_hat - y) / m                                   # ∂J/∂z2: σ'(z2) has cancelled
    delta1 = (delta2[:, None] @ W2) * derivative(values["z1"])  # (W2ᵀ δ2) ⊙ σ'(z1), per row
    return {"W1": delta1.T @ X,                               # Σ δ1 xᵀ: outer products
            "b1": delta1.sum(axis=0),
            "W2": (delta2 @ values["a1"])[None, :],            # Σ δ2 a1ᵀ
            "b2": np.array([delta2.sum()])}


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
    away from the kink at 0. ``w2`` sets every entry of W2 to that value."""
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
    raise RuntimeError("paper.make_problem: could not keep the ReLU away from its kink.")


def check_gradient(problem: Problem, name: str, gradient: Callable,
                   loss: Callable = loss_as_intended, title: Optional[str] = None):
    """check_formula of ``gradient(problem, W1, b1, W2, b2)`` against the numerical gradient
    of `loss` (J by default) with respect to the weight `name`."""
    X, y, hidden = problem.X, problem.y, problem.hidden

    def J(W1, b1, W2, b2):
        return loss(y, forward(X, W1, b1, W2, b2, hidden)[0])

    def grad_J(W1, b1, W2, b2):
        return gradient(problem, W1, b1, W2, b2)

    index = ("W1", "b1", "W2", "b2").index(name)
    report = check_formula(J, grad_J, *problem.params, wrt=[index],
                           names=["W1", "b1", "W2", "b2"])
    report.title = title or f"∂{loss.__name__}/∂{name}"
    return report


def verify(seed: int = 0, tol: float = DEFAULT_TOL) -> List[Verdict]:
    """Check every equation of §4.1–4.2 on random data; the verdicts are computed here."""
    return (_verify_forward(seed, tol) + _verify_losses(seed, tol)
            + _verify_printed_gradients(seed) + _verify_true_gradients(seed))


def _verify_forward(seed: int, tol: float) -> List[Verdict]:
    """§4.1 against an independent implementation: a nanonet Sequential of two Dense layers."""
    from . import layers
    from .models import Sequential
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
    from .losses import bce_from_logits
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
