"""Keras's ``utils``: ``to_categorical``, class indices to one-hot rows.

    to_categorical([2, 0], 3) = [[0, 0, 1],
                                 [1, 0, 0]]

As Keras 2.15: the result is float32 (or `dtype`); labels of shape (n, 1) give (n, K), not
(n, 1, K) (a trailing axis of size 1 is dropped); ``num_classes`` None or 0 means max + 1.
Unlike Keras, labels that are not whole numbers ≥ 0 and below ``num_classes`` are an error
(Keras truncates 1.7 to 1, and reads −1 as the last class), and a result too large for the
machine's memory (a label of 10**12) is a MemoryError naming num_classes and the size.
"""
from __future__ import annotations

import numpy as np

from .validation import as_array, check_finite, check_int, float_dtype, guarded_allocation


def to_categorical(y, num_classes=None, dtype="float32") -> np.ndarray:
    """One-hot rows for the class indices `y`: shape y.shape + (K,) (a last axis of size 1
    dropped first), K = `num_classes` or, if None or 0, max(y) + 1."""
    where = "to_categorical"
    labels = as_array(y, "y", where)
    check_finite(labels, "y", where)
    if labels.dtype.kind not in "biuf":
        raise TypeError(f"{where}: y must hold class indices (whole numbers ≥ 0), got an "
                        f"array of dtype {labels.dtype}.")
    bad = (labels < 0) | (labels != np.round(labels))
    if np.any(bad):
        raise ValueError(f"{where}: y must hold class indices (whole numbers ≥ 0), got "
                         f"{labels[bad].flat[0].item()!r}.")
    labels = labels.astype(np.int64)
    shape = labels.shape[:-1] if labels.ndim > 1 and labels.shape[-1] == 1 else labels.shape
    given = not (num_classes is None or (not isinstance(num_classes, bool)
                                         and num_classes == 0))
    if not given:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    num_classes = check_int(num_classes, "num_classes", where, minimum=1)
    if labels.size and labels.max() >= num_classes:
        raise ValueError(f"{where}: class index {int(labels.max())} is out of range for "
                         f"num_classes={num_classes}; expected indices 0 … {num_classes - 1}.")
    dtype = float_dtype(dtype, "dtype", where)
    cause = f"num_classes={num_classes}" if given else \
        f"num_classes=None (max(y) + 1 = {num_classes})"
    with guarded_allocation(shape + (num_classes,), dtype, where, cause,
                            "Class indices must be 0 … K - 1 for K classes: re-encode the "
                            "labels (e.g. np.unique(y, return_inverse=True)[1])."):
        one_hot = np.zeros((labels.size, num_classes), dtype=dtype)
        one_hot[np.arange(labels.size), labels.reshape(-1)] = 1
    return one_hot.reshape(shape + (num_classes,))
