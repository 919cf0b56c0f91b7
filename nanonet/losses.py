"""Losses: each returns the loss *and* its gradient with respect to the prediction.

All losses reduce like Keras: the mean over the last axis gives one value per sample, then the
mean over the batch. For a rectangular batch that is the mean over all m = y.size elements,
so every gradient carries a 1/m.

Binary cross-entropy (the article's §4.2 J, with m samples)::

    J = −(1/m) Σ [ y log p + (1 − y) log(1 − p) ]

- from probabilities (Keras): p is first clipped to [ε, 1 − ε] with ε = 1e-7, and the logs are
  log(p + ε), log(1 − p + ε); the gradient is zero where the clip is active.
      ∂J/∂p = −(1/m) [ y/(p+ε) − (1−y)/(1−p+ε) ]
- from logits z (p = σ(z)), the numerically stable form, never clipped:
      J = (1/m) Σ [ max(z, 0) − z y + log(1 + e^{−|z|}) ]
      ∂J/∂z = (1/m) (σ(z) − y)            ← σ'(z) has cancelled against the log's 1/p
  As in Keras, a model whose last layer ends in a sigmoid uses this form even when the loss
  was asked for probabilities (``from_logits=False``).

Mean squared error::

    L = (1/m) Σ (p − y)²,   ∂L/∂p = (2/m)(p − y)

Categorical cross-entropy, over the last axis (K classes, n = m/K rows, y a row of class
probabilities — one-hot for hard labels — and p a row of predicted probabilities)::

    L = −(1/n) Σ_rows Σ_j y_j log p_j

- from probabilities (Keras): each row is first divided by its sum, q = p / Σ_k p_k, then
  clipped to [ε, 1 − ε] (no ε inside the log, unlike binary cross-entropy). The gradient goes
  through both: with g_j = −y_j / q_j where the clip is inactive (else 0),
      ∂L/∂p_k = (1/n) (g_k − Σ_j g_j q_j) / Σ_j p_j
- from logits z (p = softmax(z)), never clipped:
      L = (1/n) Σ_rows Σ_j y_j (logsumexp(z) − z_j)
      ∂L/∂z = (1/n) (softmax(z) Σ_j y_j − y)  = (1/n)(softmax(z) − y) for rows of y summing to 1
  (TensorFlow's fused kernel returns softmax(z) − y even when they do not; nanonet returns the
  true gradient of its loss, which a gradient check can verify.)

Sparse categorical cross-entropy takes the class index c of each row instead of y::

- from logits:  L = (1/n) Σ_rows (logsumexp(z) − z_c),   ∂L/∂z = (1/n)(softmax(z) − onehot(c))
- from probabilities (Keras): each entry is clipped first, p̃ = clip(p, ε, 1 − ε), and the row
  is read as logits log p̃: L = (1/n) Σ_rows −log(p̃_c / Σ_k p̃_k) — for rows that do not sum
  to 1 a different number from the categorical loss of the one-hot labels.
      ∂L/∂p_j = (1/n) (1/Σ_k p̃_k − [j = c]/p̃_c)   where the clip is inactive (else 0)

As in Keras, a model whose last layer ends in a softmax computes both categorical losses from
its logits even when the loss was asked for probabilities.
"""
from __future__ import annotations

from typing import Optional, Tuple, Union

import numpy as np

from . import ops
from .validation import (all_finite, as_array, cast_checked, check_bool, check_finite,
                         check_labels_match, check_targets_shape, labels_like,
                         shape_matches, unknown_name_error)

EPSILON = 1e-7  # Keras's backend epsilon


def bce_from_probabilities(y: np.ndarray, p: np.ndarray,
                           epsilon: float = EPSILON) -> Tuple[float, np.ndarray]:
    """Binary cross-entropy from probabilities, Keras's clipped form.

    y, p: same shape (N, ...). Returns (loss: float, dp: same shape as p).
    """
    # --- exercise E03 begin ---
    p_clipped = np.clip(p, epsilon, 1.0 - epsilon)
    log_p = np.log(p_clipped + epsilon)
    log_not_p = np.log(1.0 - p_clipped + epsilon)
    loss = -np.mean(y * log_p + (1.0 - y) * log_not_p)
    inside = (p >= epsilon) & (p <= 1.0 - epsilon)
    dp = -(y / (p_clipped + epsilon) - (1.0 - y) / (1.0 - p_clipped + epsilon)) / p.size
    return float(loss), (dp * inside).astype(p.dtype, copy=False)
    # --- exercise E03 end ---


def bce_from_logits(y: np.ndarray, z: np.ndarray) -> Tuple[float, np.ndarray]:
    """Binary cross-entropy from logits z (p = σ(z)), unclipped and stable for any finite z.

    y, z: same shape (N, ...). Returns (loss: float, dz = (σ(z) − y)/m).
    """
    # --- exercise E03 begin ---
    e = np.exp(-np.abs(z))                      # in (0, 1]: never overflows
    per_element = np.maximum(z, 0) - z * y + np.log1p(e)
    s = e / (1.0 + e)                           # σ(−|z|)
    # σ(z) − y, written so that no 1 − (1 − tiny) cancellation loses the tiny part:
    # z ≥ 0: σ(z) − y = (1 − y) − σ(−z);   z < 0: σ(z) − y = σ(z) − y
    dz = np.where(z >= 0, (1.0 - y) - s, s - y) / z.size
    return float(np.add.reduce(per_element, axis=None) / z.size), dz.astype(z.dtype, copy=False)
    # --- exercise E03 end ---


def mean_squared_error(y: np.ndarray, p: np.ndarray) -> Tuple[float, np.ndarray]:
    """L = mean((p − y)²). y, p: same shape. Returns (loss, dp = 2(p − y)/m)."""
    diff = p - y
    return float(np.mean(diff * diff)), (2.0 / p.size) * diff


def _rows(p: np.ndarray) -> int:
    """n: the number of rows a loss over the last axis averages over (every leading axis)."""
    return p.size // p.shape[-1]


def cce_from_probabilities(y: np.ndarray, p: np.ndarray,
                           epsilon: float = EPSILON) -> Tuple[float, np.ndarray]:
    """Categorical cross-entropy from probabilities, Keras's form (module docstring).

    y, p: (N, ..., K), y a distribution per row. Returns (loss, dp: same shape as p).
    """
    total = np.sum(p, axis=-1, keepdims=True)
    q = p / total                                   # each row scaled to sum to 1
    q_clipped = np.clip(q, epsilon, 1.0 - epsilon)
    loss = -np.sum(y * np.log(q_clipped)) / _rows(p)
    inside = (q >= epsilon) & (q <= 1.0 - epsilon)
    g = np.where(inside, -y / q_clipped, 0.0)       # ∂L/∂q, times n
    dp = (g - np.sum(g * q, axis=-1, keepdims=True)) / total / _rows(p)
    return float(loss), dp.astype(p.dtype, copy=False)


def cce_from_logits(y: np.ndarray, z: np.ndarray) -> Tuple[float, np.ndarray]:
    """Categorical cross-entropy from logits z (p = softmax(z)), unclipped and stable.

    y, z: (N, ..., K). Returns (loss, dz = (softmax(z) Σ_j y_j − y)/n).
    """
    per_row = np.sum(y * (ops.logsumexp(z)[..., None] - z), axis=-1)
    dz = (ops.softmax(z) * np.sum(y, axis=-1, keepdims=True) - y) / _rows(z)
    return float(np.sum(per_row) / _rows(z)), dz.astype(z.dtype, copy=False)


def _one_hot(labels: np.ndarray, k: int, dtype) -> np.ndarray:
    """(…,) class indices -> (…, k) rows of 0 with a 1 at each index."""
    return (labels[..., None] == np.arange(k)).astype(dtype)


def scce_from_probabilities(labels: np.ndarray, p: np.ndarray,
                            epsilon: float = EPSILON) -> Tuple[float, np.ndarray]:
    """Sparse categorical cross-entropy from probabilities, Keras's form (module docstring).

    labels: (N, ...) class indices; p: (N, ..., K). Returns (loss, dp: same shape as p).
    """
    p_clipped = np.clip(p, epsilon, 1.0 - epsilon)
    total = np.sum(p_clipped, axis=-1, keepdims=True)
    chosen = np.take_along_axis(p_clipped, labels[..., None], axis=-1)
    loss = np.sum(np.log(total) - np.log(chosen)) / _rows(p)
    inside = (p >= epsilon) & (p <= 1.0 - epsilon)
    dp = (1.0 / total - _one_hot(labels, p.shape[-1], p.dtype) / chosen) * inside / _rows(p)
    return float(loss), dp.astype(p.dtype, copy=False)


def scce_from_logits(labels: np.ndarray, z: np.ndarray) -> Tuple[float, np.ndarray]:
    """Sparse categorical cross-entropy from logits z (p = softmax(z)), unclipped.

    labels: (N, ...) class indices; z: (N, ..., K). Returns (loss, dz = (softmax(z) − onehot)/n).
    """
    chosen = np.take_along_axis(z, labels[..., None], axis=-1)[..., 0]
    loss = np.sum(ops.logsumexp(z) - chosen) / _rows(z)
    dz = (ops.softmax(z) - _one_hot(labels, z.shape[-1], z.dtype)) / _rows(z)
    return float(loss), dz.astype(z.dtype, copy=False)


class Loss:
    """A loss: ``loss(y_true, y_pred)`` gives the value; ``forward`` gives (value, gradient).

    Called directly (``loss(...)``, ``forward``, ``forward_from_logits``) a loss checks its
    arguments: lists and ints are taken (as Keras), NaN/inf and labels the loss cannot use are
    refused, and the two shapes must agree — except for a last axis of size 1, Keras's rule
    (labels (n,) with predictions (n, 1) are the same thing): NumPy would otherwise broadcast
    them to (n, n) and return a wrong number without a word. A model calls the unchecked
    ``compute`` / ``compute_from_logits`` (it checked the data once, at ``fit``'s entry).

    A new loss implements ``compute(y_true, y_pred) -> (loss, dloss/dy_pred)`` for arrays of
    one shape and dtype.
    """

    name = "loss"
    #: "sigmoid" or "softmax" when the loss can be computed from the logits of a final layer
    #: with that activation (as Keras does), else None
    logits_activation: Optional[str] = None

    def __call__(self, y_true, y_pred) -> float:
        return self._checked(type(self).__name__, y_true, y_pred, "y_pred", self.compute)[0]

    def forward(self, y_true, y_pred) -> Tuple[float, np.ndarray]:
        """(loss, ∂loss/∂y_pred) with the gradient in y_pred's shape."""
        return self._checked(f"{type(self).__name__}.forward", y_true, y_pred, "y_pred",
                             self.compute)

    def forward_from_logits(self, y_true, logits) -> Tuple[float, np.ndarray]:
        """(loss, ∂loss/∂logits) for predictions σ(logits) or softmax(logits) (losses with a
        ``logits_activation`` only)."""
        return self._checked(f"{type(self).__name__}.forward_from_logits", y_true, logits,
                             "logits", self.compute_from_logits)

    def compute(self, y_true: np.ndarray, y_pred: np.ndarray) -> Tuple[float, np.ndarray]:
        """The loss and its gradient, unchecked: arrays of one shape and dtype."""
        if type(self).forward is not Loss.forward:       # an older subclass overriding forward
            return self.forward(y_true, y_pred)
        raise NotImplementedError(f"{type(self).__name__} must implement compute(y_true, "
                                  f"y_pred) -> (loss, gradient).")

    def compute_from_logits(self, y_true: np.ndarray,
                            logits: np.ndarray) -> Tuple[float, np.ndarray]:
        raise NotImplementedError(f"{type(self).__name__} cannot be computed from logits.")

    def check_targets(self, y: np.ndarray, where: str) -> None:
        """Raise ValueError if the labels are not valid for this loss. Default: anything finite."""

    def check_predictions(self, y_pred: np.ndarray, name: str, where: str) -> None:
        """Raise ValueError if the predictions are not valid for this loss. Default: any."""

    def targets_for(self, y: np.ndarray, output_shape: tuple, where: str) -> np.ndarray:
        """A model's targets `y` (N, …) checked against its outputs (N, *output_shape) and
        shaped for ``compute``. Default: one target per output (Keras's rule: a last axis of
        size 1 may differ)."""
        return check_targets_shape(y, output_shape, where)

    def _checked(self, where: str, y_true, y_pred, pred_name: str, compute):
        y_true, y_pred = self.prepare(y_true, y_pred, where, pred_name)
        if pred_name == "y_pred":
            self.check_predictions(y_pred, pred_name, where)
        with np.errstate(all="ignore"):
            loss, gradient = compute(y_true, y_pred)
        if not np.isfinite(loss) or not all_finite(gradient):
            what = f"the loss is {loss}" if not np.isfinite(loss) else "its gradient overflowed"
            raise ValueError(
                f"{where}: {what} — the numbers are too large for {y_pred.dtype} "
                f"(largest |{pred_name}| = {float(np.abs(y_pred).max()):.3g}, |y_true| = "
                f"{float(np.abs(y_true).max()):.3g}). Expected values whose loss fits: scale "
                f"the targets and predictions (e.g. standardise them) or use float64.")
        return loss, gradient

    def prepare(self, y_true, y_pred, where: str, pred_name: str = "y_pred"):
        """(y_true, y_pred) as finite float arrays of one shape and dtype (see the class doc)."""
        y_pred = as_array(y_pred, pred_name, where)
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype(np.float64)           # ints and bools, as numbers
        check_finite(y_pred, pred_name, where)
        y_true = as_array(y_true, "y_true", where)
        check_finite(y_true, "y_true", where)
        if y_true.dtype != y_pred.dtype:
            y_true = cast_checked(y_true, y_pred.dtype, "y_true", where)
        if y_pred.size == 0:
            raise ValueError(f"{where}: {pred_name} is empty (shape {y_pred.shape}); expected "
                             f"at least one prediction.")
        y_true = check_labels_match(y_true, y_pred, where, pred_name,
                                    note=" They are not broadcast: that would compare every "
                                         "label with every prediction.")
        self.check_targets(y_true, where)
        return y_true, y_pred

    def get_config(self) -> dict:
        return {"name": self.name}


class BinaryCrossentropy(Loss):
    """Binary cross-entropy, ``BinaryCrossentropy(from_logits=False)`` (see the module docstring).

    Labels must lie in [0, 1] (soft labels allowed, as Keras); called directly with
    ``from_logits=False``, predictions must be probabilities in [0, 1] too (Keras would clip
    logits such as 3.2 silently to 1 − 1e-7 and return a meaningless number).
    """

    name = "binary_crossentropy"

    def __init__(self, from_logits: bool = False):
        self.from_logits = check_bool(from_logits, "from_logits", "BinaryCrossentropy")
        self.logits_activation = None if self.from_logits else "sigmoid"

    def compute(self, y_true, y_pred):
        y_true = y_true.astype(y_pred.dtype, copy=False)
        if self.from_logits:
            return bce_from_logits(y_true, y_pred)
        return bce_from_probabilities(y_true, y_pred)

    def compute_from_logits(self, y_true, logits):
        return bce_from_logits(y_true.astype(logits.dtype, copy=False), logits)

    def check_targets(self, y: np.ndarray, where: str) -> None:
        if y.size == 0 or (y.min() >= 0 and y.max() <= 1):
            return
        outside = (y < 0) | (y > 1)
        if np.any(outside):
            index = tuple(int(i) for i in np.argwhere(outside)[0])
            position = ", ".join(str(i) for i in index)
            raise ValueError(
                f"{where}: binary_crossentropy needs labels in [0, 1], but y[{position}] = "
                f"{float(y[index])!r}. Encode the two classes as 0 and 1.")

    def check_predictions(self, y_pred: np.ndarray, name: str, where: str) -> None:
        if self.from_logits or (y_pred.min() >= 0 and y_pred.max() <= 1):
            return
        index = tuple(int(i) for i in np.argwhere((y_pred < 0) | (y_pred > 1))[0])
        raise ValueError(
            f"{where}: with from_logits=False, {name} must be probabilities in [0, 1], but "
            f"{name}{list(index)} = {float(y_pred[index])!r}. If these are logits (raw scores "
            f"before a sigmoid), use BinaryCrossentropy(from_logits=True).")

    def get_config(self) -> dict:
        return {"name": self.name, "from_logits": self.from_logits}


class MeanSquaredError(Loss):
    """Mean squared error, ``"mse"``."""

    name = "mse"

    def compute(self, y_true, y_pred):
        return mean_squared_error(y_true.astype(y_pred.dtype, copy=False), y_pred)


def _first_index(mask: np.ndarray) -> str:
    return ", ".join(str(int(i)) for i in np.argwhere(mask)[0])


class CategoricalCrossentropy(Loss):
    """``CategoricalCrossentropy(from_logits=False)``: labels are rows of class probabilities
    (one-hot for hard labels, see ``utils.to_categorical``), of the predictions' shape
    (N, ..., K). See the module docstring for the equations."""

    name = "categorical_crossentropy"

    def __init__(self, from_logits: bool = False):
        self.from_logits = check_bool(from_logits, "from_logits", type(self).__name__)
        self.logits_activation = None if self.from_logits else "softmax"

    def compute(self, y_true, y_pred):
        y_true = y_true.astype(y_pred.dtype, copy=False)
        if self.from_logits:
            return cce_from_logits(y_true, y_pred)
        return cce_from_probabilities(y_true, y_pred)

    def compute_from_logits(self, y_true, logits):
        return cce_from_logits(y_true.astype(logits.dtype, copy=False), logits)

    def check_targets(self, y: np.ndarray, where: str) -> None:
        if y.size and y.min() < 0:
            raise ValueError(f"{where}: categorical_crossentropy needs labels ≥ 0 (a row of "
                             f"class probabilities, one-hot for hard labels), but "
                             f"y[{_first_index(y < 0)}] = {float(y[y < 0][0])!r}.")

    def check_predictions(self, y_pred: np.ndarray, name: str, where: str) -> None:
        if self.from_logits or y_pred.min() >= 0:
            return
        raise ValueError(f"{where}: with from_logits=False, {name} must be probabilities "
                         f"(≥ 0; each row is divided by its sum), but {name}"
                         f"[{_first_index(y_pred < 0)}] = {float(y_pred[y_pred < 0][0])!r}. "
                         f"If these are logits, use CategoricalCrossentropy(from_logits=True).")

    def get_config(self) -> dict:
        return {"name": self.name, "from_logits": self.from_logits}


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """``SparseCategoricalCrossentropy(from_logits=False)``: one integer class index per row,
    labels (N, ...) — or (N, ..., 1) — for predictions (N, ..., K). See the module docstring."""

    name = "sparse_categorical_crossentropy"

    def compute(self, y_true, y_pred):
        labels = y_true.astype(np.intp)
        if self.from_logits:
            return scce_from_logits(labels, y_pred)
        return scce_from_probabilities(labels, y_pred)

    def compute_from_logits(self, y_true, logits):
        return scce_from_logits(y_true.astype(np.intp), logits)

    def check_targets(self, y: np.ndarray, where: str) -> None:
        bad = (y < 0) | (y != np.round(y))
        if y.size and np.any(bad):
            raise ValueError(f"{where}: sparse_categorical_crossentropy needs class indices "
                             f"(integers 0, 1, …, K − 1), but y[{_first_index(bad)}] = "
                             f"{y[bad][0].item():g}. For one-hot or probability rows, use "
                             f"categorical_crossentropy.")

    def targets_for(self, y: np.ndarray, output_shape: tuple, where: str) -> np.ndarray:
        """Class indices (N, …) for outputs (N, …, K): labels (N, …, 1) are squeezed; each
        index must be below K."""
        expected = tuple(output_shape[:-1])
        labels = labels_like(y, (None,) + expected)
        if not shape_matches(labels.shape[1:], expected):
            raise ValueError(
                f"{where}: y has shape {y.shape}, but sparse_categorical_crossentropy needs "
                f"one class index per row of the outputs {(None,) + tuple(output_shape)}: "
                f"labels of shape {(None,) + expected} (or with a last axis of size 1). For "
                f"one-hot labels, use categorical_crossentropy.")
        self.check_class_range(labels, output_shape[-1], where)
        return labels

    def check_class_range(self, labels: np.ndarray, k: int, where: str) -> None:
        """Raise ValueError if an index is not below the number of classes `k`."""
        if labels.size and labels.max() >= k:
            raise ValueError(f"{where}: class index {labels.max().item():g} is out of range "
                             f"for predictions over {k} classes; expected indices 0 … {k - 1}.")

    def prepare(self, y_true, y_pred, where: str, pred_name: str = "y_pred"):
        """(class indices, y_pred) for a direct call: indices (N, …) for y_pred (N, …, K)."""
        y_pred = as_array(y_pred, pred_name, where)
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype(np.float64)
        check_finite(y_pred, pred_name, where)
        if y_pred.ndim < 2 or y_pred.size == 0:
            raise ValueError(f"{where}: {pred_name} has shape {y_pred.shape}; expected "
                             f"(N, …, K): K ≥ 1 class scores per row, at least one row.")
        y_true = as_array(y_true, "y_true", where)
        check_finite(y_true, "y_true", where)
        self.check_targets(y_true, where)
        return self.targets_for(y_true, y_pred.shape[1:], where), y_pred


_ALIASES = {
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def get(identifier: Union[str, Loss]) -> Loss:
    """A Loss from a name (``"binary_crossentropy"``, ``"mse"``) or a Loss instance."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _ALIASES:
        return _ALIASES[identifier.lower()]()
    if callable(identifier) and not isinstance(identifier, type):
        raise TypeError(
            f"Unknown loss {getattr(identifier, '__name__', identifier)!r}: a plain function "
            f"cannot be a nanonet loss, because training needs its gradient too. Expected a "
            f"name ({', '.join(sorted(_ALIASES))}) or a Loss instance; for a custom loss, "
            f"subclass nanonet.losses.Loss and implement compute(y_true, y_pred) -> "
            f"(loss, dloss/dy_pred).")
    raise unknown_name_error("loss", identifier, _ALIASES)


def from_config(config: dict) -> Loss:
    if not isinstance(config, dict) or "name" not in config:
        raise ValueError(f"losses.from_config: expected a dict with a 'name' (as get_config() "
                         f"returns), got {config!r}.")
    config = dict(config)
    loss = get(config.pop("name"))
    return type(loss)(**config)
