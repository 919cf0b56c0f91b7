"""FAST activations: equal layers.activations.activation_forward / activation_backward.

What it speeds up: inside a model's step the arrays passed between layers are the model's own
temporaries, so relu and tanh may overwrite their input (``inplace=True``) and the backward
pass may write dx over dy — no new array per layer per batch.
"""
from __future__ import annotations

from typing import Callable, Dict, Tuple

import numpy as np

from .. import ops


def _relu_forward(x: np.ndarray, inplace: bool) -> np.ndarray:
    return np.maximum(x, 0, out=x if inplace else None)


def _tanh_forward(x: np.ndarray, inplace: bool) -> np.ndarray:
    return np.tanh(x, out=x if inplace else None)


#: name -> (forward(x, inplace), derivative from the output y)
_FAST_ACTIVATIONS: Dict[str, Tuple[Callable, Callable]] = {
    "linear": (lambda x, inplace: x, None),
    "sigmoid": (lambda x, inplace: ops.sigmoid(x), ops.sigmoid_grad_from_output),
    "tanh": (_tanh_forward, ops.tanh_grad_from_output),
    "relu": (_relu_forward, lambda y: y > 0),
}


def activation_forward(x: np.ndarray, name: str,
                       inplace: bool = False) -> Tuple[np.ndarray, tuple]:
    """y = f(x), overwriting `x` for relu and tanh when `inplace`. Returns (y, (name, y))."""
    y = _FAST_ACTIVATIONS[name][0](x, inplace)
    return y, (name, y)


def activation_backward(dy: np.ndarray, cache: tuple, inplace: bool = False) -> np.ndarray:
    """dx = dy · f'(y), written over `dy` when `inplace`."""
    name, y = cache
    derivative = _FAST_ACTIVATIONS[name][1]
    if derivative is None:
        return dy
    return np.multiply(dy, derivative(y), out=dy if inplace else None)
