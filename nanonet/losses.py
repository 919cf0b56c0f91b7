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

from .validation import unknown_name_error

EPSILON = 1e-7  # Keras's backend epsilon


def bce_from_probabilities(y: np.ndarray, p: np.ndarray,
                           epsilon: float = EPSILON) -> Tuple[float, np.ndarray]:
    """Binary cross-entropy from probabilities, Keras's clipped form.

    y, p: same shape (N, ...). Returns (loss: float, dp: same shape as p).
    """
    p_clipped = np.clip(p, epsilon, 1.0 - epsilon)
    log_p = np.log(p_clipped + epsilon)
    log_not_p = np.log(1.0 - p_clipped + epsilon)
    loss = -np.mean(y * log_p + (1.0 - y) * log_not_p)
    inside = (p >= epsilon) & (p <= 1.0 - epsilon)
    dp = -(y / (p_clipped + epsilon) - (1.0 - y) / (1.0 - p_clipped + epsilon)) / p.size
    return float(loss), (dp * inside).astype(p.dtype, copy=False)


def bce_from_logits(y: np.ndarray, z: np.ndarray) -> Tuple[float, np.ndarray]:
    """Binary cross-entropy from logits z (p = σ(z)), unclipped and stable for any finite z.

    y, z: same shape (N, ...). Returns (loss: float, dz = (σ(z) − y)/m).
    """
    e = np.exp(-np.abs(z))                      # in (0, 1]: never overflows
    per_element = np.maximum(z, 0) - z * y + np.log1p(e)
    s = e / (1.0 + e)                           # σ(−|z|)
    # σ(z) − y, written so that no 1 − (1 − tiny) cancellation loses the tiny part:
    # z ≥ 0: σ(z) − y = (1 − y) − σ(−z);   z < 0: σ(z) − y = σ(z) − y
    dz = np.where(z >= 0, (1.0 - y) - s, s - y)
    dz /= z.size
    return float(np.add.reduce(per_element, axis=None) / z.size), dz.astype(z.dtype, copy=False)


def mean_squared_error(y: np.ndarray, p: np.ndarray) -> Tuple[float, np.ndarray]:
    """L = mean((p − y)²). y, p: same shape. Returns (loss, dp = 2(p − y)/m)."""
    diff = p - y
    return float(np.mean(diff * diff)), (2.0 / p.size) * diff


class Loss:
    """A loss: ``loss(y_true, y_pred)`` gives the value; ``forward`` gives (value, gradient)."""

    name = "loss"
    #: True when the loss can be computed from the logits of a final sigmoid
    accepts_sigmoid_logits = False

    def __call__(self, y_true, y_pred) -> float:
        return self.forward(np.asarray(y_true), np.asarray(y_pred))[0]

    def forward(self, y_true: np.ndarray, y_pred: np.ndarray) -> Tuple[float, np.ndarray]:
        raise NotImplementedError

    def forward_from_logits(self, y_true: np.ndarray,
                            logits: np.ndarray) -> Tuple[float, np.ndarray]:
        raise NotImplementedError

    def check_targets(self, y: np.ndarray, where: str) -> None:
        """Raise ValueError if the labels are not valid for this loss. Default: anything finite."""

    def get_config(self) -> dict:
        return {"name": self.name}


class BinaryCrossentropy(Loss):
    """Binary cross-entropy, ``BinaryCrossentropy(from_logits=False)`` (see the module docstring).

    Labels must lie in [0, 1] (soft labels allowed, as Keras).
    """

    name = "binary_crossentropy"

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)
        self.accepts_sigmoid_logits = not self.from_logits

    def forward(self, y_true, y_pred):
        y_true = y_true.astype(y_pred.dtype, copy=False)
        if self.from_logits:
            return bce_from_logits(y_true, y_pred)
        return bce_from_probabilities(y_true, y_pred)

    def forward_from_logits(self, y_true, logits):
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

    def get_config(self) -> dict:
        return {"name": self.name, "from_logits": self.from_logits}


class MeanSquaredError(Loss):
    """Mean squared error, ``"mse"``."""

    name = "mse"

    def forward(self, y_true, y_pred):
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
    raise unknown_name_error("loss", identifier, _ALIASES)


def from_config(config: dict) -> Loss:
    config = dict(config)
    loss = get(config.pop("name"))
    return type(loss)(**config)
