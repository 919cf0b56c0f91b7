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
"""
from __future__ import annotations

from typing import Tuple, Union

import numpy as np

from .validation import (all_finite, as_array, cast_checked, check_bool, check_finite,
                         check_labels_match, unknown_name_error)

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
    #: True when the loss can be computed from the logits of a final sigmoid
    accepts_sigmoid_logits = False

    def __call__(self, y_true, y_pred) -> float:
        return self._checked(type(self).__name__, y_true, y_pred, "y_pred", self.compute)[0]

    def forward(self, y_true, y_pred) -> Tuple[float, np.ndarray]:
        """(loss, ∂loss/∂y_pred) with the gradient in y_pred's shape."""
        return self._checked(f"{type(self).__name__}.forward", y_true, y_pred, "y_pred",
                             self.compute)

    def forward_from_logits(self, y_true, logits) -> Tuple[float, np.ndarray]:
        """(loss, ∂loss/∂logits) for predictions σ(logits) (losses that accept logits only)."""
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
        self.accepts_sigmoid_logits = not self.from_logits

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


_ALIASES = {
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
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
