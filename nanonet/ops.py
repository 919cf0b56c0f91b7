"""Numerically stable elementwise math, and the derivatives the backward passes need.

Every function here works on any float dtype (float16/32/64), keeps the input's dtype, and
never raises NumPy overflow/invalid warnings for finite input, however large: the formulas
only ever call ``exp`` on non-positive numbers.

Derivatives are written in terms of what the forward pass already computed, the way backward
passes use them::

    σ(x)  = 1 / (1 + e^{-x})          σ'(x)   = σ(x) (1 − σ(x))
    tanh(x)                           tanh'(x) = 1 − tanh(x)²
    relu(x) = max(x, 0)               relu'(x) = 1 if x > 0 else 0   (0 at the kink, as Keras and PyTorch)
    softplus(x) = log(1 + e^{x})      softplus'(x) = σ(x)
    log σ(x) = −softplus(−x)
"""
from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^{-x}), computed without overflow.

    With e = e^{-|x|} (always in (0, 1]): σ(x) = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0.
    Both branches are exact to the last bit of the dtype, also deep in the tails.
    """
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    s = 1.0 / (1.0 + e)
    return np.where(x >= 0, s, e * s).astype(_float_dtype(x), copy=False)


def sigmoid_grad_from_output(s: np.ndarray) -> np.ndarray:
    """σ'(x) given s = σ(x): s (1 − s)."""
    return s * (1.0 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    """tanh(x); NumPy's tanh is already stable for all finite x."""
    return np.tanh(x)


def tanh_grad_from_output(t: np.ndarray) -> np.ndarray:
    """tanh'(x) given t = tanh(x): 1 − t²."""
    return 1.0 - t * t


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0)."""
    return np.maximum(x, 0)


def relu_grad(x_or_output: np.ndarray) -> np.ndarray:
    """relu'(x): 1 where x > 0, else 0 (0 at x = 0). Works on x or on relu(x) alike."""
    return (np.asarray(x_or_output) > 0).astype(_float_dtype(x_or_output), copy=False)


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}), without overflow."""
    x = np.asarray(x)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log σ(x) = −softplus(−x), finite for every finite x."""
    return -softplus(-np.asarray(x))


def linear(x: np.ndarray) -> np.ndarray:
    """The identity, for `activation=None` / `"linear"`."""
    return x


def _float_dtype(x) -> np.dtype:
    dtype = np.asarray(x).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)
