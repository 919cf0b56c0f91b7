"""Flat parameter buffers: every weight of a model as a view of ONE array, so the optimizer
updates them all in one vectorised pass (fast.optimizers.update_in_blocks) instead of one pass
per weight.

What it speeds up: the reference path keeps each weight as its own array and updates them one
by one (optimizers.SGD.update / Adam.update on each); the numbers are the same — a view holds
exactly the values it was copied from — only the memory layout differs.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np

Arrays = List[np.ndarray]


def flatten(pairs, dtype) -> Tuple[Arrays, Arrays]:
    """Copy the weights named by `pairs` [(layer, weight name), …] into one flat buffer of
    `dtype` and re-point each layer at a view of it (its gradients likewise, at a buffer of
    zeros). Returns ([flat_weights], [flat_grads]), each of shape (total size,)."""
    total = sum(layer.params[name].size for layer, name in pairs)
    flat_weights = np.empty(total, dtype=dtype)
    flat_grads = np.zeros(total, dtype=dtype)
    offset = 0
    for layer, name in pairs:
        value = layer.params[name]
        size = value.size
        flat_weights[offset:offset + size] = value.ravel()
        layer.params[name] = flat_weights[offset:offset + size].reshape(value.shape)
        layer.grads[name] = flat_grads[offset:offset + size].reshape(value.shape)
        offset += size
    return [flat_weights], [flat_grads]


def packed(arrays: Sequence[np.ndarray], dtype, zeros: bool = False
           ) -> Tuple[np.ndarray, Arrays]:
    """One flat buffer of `dtype` holding `arrays` one after another (or zeros of their
    size), and a view of it shaped like each: (buffer (total size,), [views])."""
    buffer = np.zeros(sum(a.size for a in arrays), dtype=dtype)
    views, offset = [], 0
    for array in arrays:
        view = buffer[offset:offset + array.size].reshape(array.shape)
        if not zeros:
            view[...] = array                       # float32 → float16 rounds to nearest
        views.append(view)
        offset += array.size
    return buffer, views
