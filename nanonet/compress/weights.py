"""A built model's weights as the compressors see them: checked, copied per layer, counted in bytes.

The floor of ``nanonet.compress``: pruning, quantization and the size tables all build on it.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np


def require_built_model(model, where: str) -> None:
    """Raise a clear error unless `model` is a built nanonet Sequential."""
    from ..models import Sequential

    if not isinstance(model, Sequential):
        raise TypeError(f"{where}: model must be a nanonet Sequential, got {model!r} "
                        f"({type(model).__name__}).")
    if not model.layers or not model.built:
        raise ValueError(f"{where}: the model is not built yet, so its weights do not exist. "
                         f"Build it first: model.build(input_shape), give the first layer an "
                         f"input_shape, or call fit/predict once.")


def layer_weights(model) -> List[Dict[str, np.ndarray]]:
    """Copies of each layer's weights as {name: array}, aligned with ``model.layers``: those
    of ``model.get_weights()`` (for a mixed-precision model, the float32 master weights)."""
    flat = iter(model.get_weights())
    return [{name: next(flat) for name in layer.params} for layer in model.layers]


def weight_nbytes(array: np.ndarray, sparse: bool = False) -> int:
    """Bytes to store `array`: n · itemsize, or with `sparse` the smaller of that and
    ⌈n/8⌉ + nnz · itemsize (a bitmap of the nonzero elements plus their values)."""
    dense = int(array.nbytes)
    if not sparse:
        return dense
    packed = -(-array.size // 8) + int(np.count_nonzero(array)) * array.itemsize
    return min(dense, packed)
