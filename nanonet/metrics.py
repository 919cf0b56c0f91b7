"""Metrics reported during training.

Binary accuracy (what Keras's ``"accuracy"`` means for one sigmoid output)::

    accuracy = mean( [p > 0.5] == y )        (strict: p = 0.5 counts as class 0)

Categorical accuracy (K > 1 outputs per row; argmax takes the first of equal maxima)::

    categorical_accuracy        = mean( argmax(p) == argmax(y) )   y: one-hot rows
    sparse_categorical_accuracy = mean( argmax(p) == c )           c: class indices

``"accuracy"`` picks one of the three from the shapes, as Keras 2's compiled metrics do:
binary when the predictions have one column, sparse when the labels have fewer dimensions
than the predictions or one column against several, else categorical.
"""
from __future__ import annotations

from typing import Callable, Dict, Tuple, Union

import numpy as np

from .validation import (as_array, check_finite, check_float, check_labels_match,
                         labels_like, unknown_name_error)


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


def _checked_pair(y_true, y_pred, where: str):
    """(y_true, y_pred) as finite, non-empty arrays, y_pred with at least one axis."""
    y_pred = as_array(y_pred, "y_pred", where)
    y_true = as_array(y_true, "y_true", where)
    check_finite(y_pred, "y_pred", where)
    check_finite(y_true, "y_true", where)
    if y_pred.size == 0 or y_pred.ndim < 1:
        raise ValueError(f"{where}: y_pred has shape {y_pred.shape}; expected at least one "
                         f"row of class scores.")
    return y_true, y_pred


def categorical_accuracy(y_true, y_pred) -> float:
    """Fraction of rows whose largest prediction is at the label's largest entry.

    y_true, y_pred: (N, ..., K) of one shape (one-hot labels)."""
    y_true, y_pred = _checked_pair(y_true, y_pred, "categorical_accuracy")
    y_true = check_labels_match(y_true, y_pred, "categorical_accuracy")
    return _categorical_accuracy(y_true, y_pred)


def _categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred) -> float:
    """Fraction of rows whose largest prediction is at the class index y_true.

    y_true: (N, ...) or (N, ..., 1) class indices; y_pred: (N, ..., K)."""
    where = "sparse_categorical_accuracy"
    y_true, y_pred = _checked_pair(y_true, y_pred, where)
    labels = labels_like(y_true, y_pred.shape[:-1])
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(f"{where}: y_true has shape {y_true.shape} but y_pred has shape "
                         f"{y_pred.shape}; expected one class index per row, shape "
                         f"{y_pred.shape[:-1]} (or with a last axis of size 1).")
    return _sparse_categorical_accuracy(labels, y_pred)


def _sparse_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    labels = labels_like(y_true, y_pred.shape[:-1])
    return float(np.mean(np.argmax(y_pred, axis=-1) == labels))


def _accuracy_kind(true_shape: tuple, pred_shape: tuple) -> str:
    """Keras 2's choice for "accuracy": "binary", "sparse" or "categorical" (module doc)."""
    if pred_shape[-1] == 1:
        return "binary"
    if len(true_shape) < len(pred_shape) or true_shape[-1] == 1:
        return "sparse"
    return "categorical"


def accuracy(y_true, y_pred) -> float:
    """Keras's ``"accuracy"``: binary, sparse categorical or categorical accuracy, chosen from
    the shapes of y_true and y_pred (module docstring)."""
    y_true, y_pred = _checked_pair(y_true, y_pred, "accuracy")
    kind = _accuracy_kind(y_true.shape or (1,), y_pred.shape)
    return {"binary": binary_accuracy, "sparse": sparse_categorical_accuracy,
            "categorical": categorical_accuracy}[kind](y_true, y_pred)


def _accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    kind = _accuracy_kind(y_true.shape or (1,), y_pred.shape)
    return {"binary": _binary_accuracy, "sparse": _sparse_categorical_accuracy,
            "categorical": _categorical_accuracy}[kind](y_true, y_pred)


#: name -> (name shown in History, function)
_REGISTRY: Dict[str, Tuple[str, Callable]] = {
    "accuracy": ("accuracy", accuracy),
    "acc": ("acc", accuracy),
    "binary_accuracy": ("binary_accuracy", binary_accuracy),
    "categorical_accuracy": ("categorical_accuracy", categorical_accuracy),
    "sparse_categorical_accuracy": ("sparse_categorical_accuracy",
                                    sparse_categorical_accuracy),
}

#: checked public function -> the same without checks, for a model's inner loop
_UNCHECKED: Dict[Callable, Callable] = {
    binary_accuracy: _binary_accuracy, accuracy: _accuracy,
    categorical_accuracy: _categorical_accuracy,
    sparse_categorical_accuracy: _sparse_categorical_accuracy}


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
