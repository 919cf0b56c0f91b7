"""Metrics reported during training.

Binary accuracy (what Keras's ``"accuracy"`` means for one sigmoid output)::

    accuracy = mean( [p > 0.5] == y )        (strict: p = 0.5 counts as class 0)
"""
from __future__ import annotations

from typing import Callable, Dict, Tuple, Union

import numpy as np

from .validation import (as_array, check_finite, check_float, check_labels_match,
                         unknown_name_error)


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    """Fraction of elements where (y_pred > threshold) equals the label y_true (0 or 1).

    As Keras, the label is compared for equality, so a soft label like 0.7 never counts as right;
    and as Keras, labels (n,) go with predictions (n, 1) (a last axis of size 1 may differ) —
    any other shape mismatch is an error, never a broadcast (n,) × (n, 1) → (n, n).
    Labels must lie in [0, 1]; NaN/inf and empty inputs are refused.
    """
    where = "binary_accuracy"
    threshold = check_float(threshold, "threshold", where)
    y_pred = as_array(y_pred, "y_pred", where)
    y_true = as_array(y_true, "y_true", where)
    check_finite(y_pred, "y_pred", where)
    check_finite(y_true, "y_true", where)
    if y_pred.size == 0:
        raise ValueError(f"{where}: y_pred is empty (shape {y_pred.shape}); expected at least "
                         f"one prediction.")
    y_true = check_labels_match(y_true, y_pred, where)
    if y_true.min() < 0 or y_true.max() > 1:
        index = tuple(int(i) for i in np.argwhere((y_true < 0) | (y_true > 1))[0])
        raise ValueError(f"{where}: labels must be in [0, 1] (the classes 0 and 1), but "
                         f"y_true{list(index)} = {y_true[index].item()!r}.")
    return _binary_accuracy(y_true, y_pred, threshold)


def _binary_accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> float:
    """binary_accuracy without the checks: arrays of one shape (a model's own batches)."""
    return float(np.mean((y_pred > threshold) == y_true))


#: name -> (name shown in History, function)
_REGISTRY: Dict[str, Tuple[str, Callable]] = {
    "accuracy": ("accuracy", binary_accuracy),
    "acc": ("acc", binary_accuracy),
    "binary_accuracy": ("binary_accuracy", binary_accuracy),
}

#: checked public function -> the same without checks, for a model's inner loop
_UNCHECKED: Dict[Callable, Callable] = {binary_accuracy: _binary_accuracy}


def unchecked(function: Callable) -> Callable:
    """The version of a built-in metric a model calls on its own (already checked) batches."""
    return _UNCHECKED.get(function, function)


def get(identifier: Union[str, Callable]) -> Tuple[str, Callable]:
    """(display name, function) for a metric name or a function ``f(y_true, y_pred) -> float``."""
    if isinstance(identifier, type):
        raise unknown_name_error("metric", identifier, _REGISTRY)
    if callable(identifier):
        return getattr(identifier, "__name__", "metric"), identifier
    if isinstance(identifier, str) and identifier.lower() in _REGISTRY:
        return _REGISTRY[identifier.lower()]
    raise unknown_name_error("metric", identifier, _REGISTRY)
