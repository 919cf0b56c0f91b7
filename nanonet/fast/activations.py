"""FAST activations: equal layers.activations.activation_forward / activation_backward.

What it speeds up: inside a model's step the arrays passed between layers are the model's own
temporaries, so relu, tanh and softmax may overwrite their input (``inplace=True``) and the
backward pass may write dx over dy — no new array per layer per batch.
"""
from __future__ import annotations

from typing import Callable, Dict, Optional, Tuple

import numpy as np

from .. import ops


def _relu_forward(x: np.ndarray, inplace: bool) -> np.ndarray:
    return np.maximum(x, 0, out=x if inplace else None)


def _tanh_forward(x: np.ndarray, inplace: bool) -> np.ndarray:
    return np.tanh(x, out=x if inplace else None)


def _softmax_forward(x: np.ndarray, inplace: bool) -> np.ndarray:
    """ops.softmax, computed in x's own memory when `inplace`."""
    out = x if inplace else None
    e = np.exp(np.subtract(x, np.max(x, axis=-1, keepdims=True), out=out), out=out)
    return np.divide(e, np.sum(e, axis=-1, keepdims=True), out=e)


def _elementwise_backward(derivative: Callable) -> Callable:
    """backward(dy, y, inplace) = dy · f'(y), written over dy when `inplace`."""
    def backward(dy, y, inplace):
        return np.multiply(dy, derivative(y), out=dy if inplace else None)
    return backward


def _softmax_backward(dy: np.ndarray, y: np.ndarray, inplace: bool) -> np.ndarray:
    """ops.softmax_backward_from_output, y (dy − Σ y dy), written over dy when `inplace`."""
    out = dy if inplace else None
    inner = np.sum(dy * y, axis=-1, keepdims=True)
    return np.multiply(np.subtract(dy, inner, out=out), y, out=out)


#: name -> (forward(x, inplace), backward(dy, y, inplace) or None for the identity)
_FAST_ACTIVATIONS: Dict[str, Tuple[Callable, Optional[Callable]]] = {
    "linear": (lambda x, inplace: x, None),
    "sigmoid": (lambda x, inplace: ops.sigmoid(x),
                _elementwise_backward(ops.sigmoid_grad_from_output)),
    "tanh": (_tanh_forward, _elementwise_backward(ops.tanh_grad_from_output)),
    "relu": (_relu_forward, _elementwise_backward(lambda y: y > 0)),
    "softmax": (_softmax_forward, _softmax_backward),
}


def activation_forward(x: np.ndarray, name: str,
                       inplace: bool = False) -> Tuple[np.ndarray, tuple]:
    """y = f(x), overwriting `x` for relu, tanh and softmax when `inplace`.
    Returns (y, (name, y))."""
    y = _FAST_ACTIVATIONS[name][0](x, inplace)
    return y, (name, y)


def activation_backward(dy: np.ndarray, cache: tuple, inplace: bool = False) -> np.ndarray:
    """dx = ∂L/∂x from dy and the cached output y, written over `dy` when `inplace`."""
    name, y = cache
    backward = _FAST_ACTIVATIONS[name][1]
    if backward is None:
        return dy
    return backward(dy, y, inplace)
