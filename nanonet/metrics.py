"""Metrics reported during training.

Binary accuracy (what Keras's ``"accuracy"`` means for one sigmoid output)::

    accuracy = mean( [p > 0.5] == y )        (strict: p = 0.5 counts as class 0)
"""
from __future__ import annotations

from typing import Callable, Dict, Tuple, Union

import numpy as np

from .validation import unknown_name_error


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    """Fraction of elements where (y_pred > threshold) equals the label y_true (0 or 1).

    As Keras, the label is compared for equality, so a soft label like 0.7 never counts as right.
    """
    predicted = np.asarray(y_pred) > threshold
    return float(np.mean(predicted == np.asarray(y_true)))


#: name -> (name shown in History, function)
_REGISTRY: Dict[str, Tuple[str, Callable]] = {
    "accuracy": ("accuracy", binary_accuracy),
    "acc": ("acc", binary_accuracy),
    "binary_accuracy": ("binary_accuracy", binary_accuracy),
}


def get(identifier: Union[str, Callable]) -> Tuple[str, Callable]:
    """(display name, function) for a metric name or a function ``f(y_true, y_pred) -> float``."""
    if callable(identifier):
        return getattr(identifier, "__name__", "metric"), identifier
    if isinstance(identifier, str) and identifier.lower() in _REGISTRY:
        return _REGISTRY[identifier.lower()]
    raise unknown_name_error("metric", identifier, _REGISTRY)
