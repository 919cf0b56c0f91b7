"""Numerically stable elementwise math, and the derivatives the backward passes need.

Every function here works on any float dtype (float16/32/64), keeps the input's dtype, and
never raises NumPy overflow/invalid warnings for finite input, however large: the formulas
only ever call ``exp`` on non-positive numbers. Python numbers, lists, ints and bools are
taken too (as float64), and ndarray subclasses (np.matrix, np.memmap) as plain arrays;
strings, complex numbers and masked arrays (whose mask would be dropped) are a TypeError.
NaN in gives NaN out (elementwise math has no better answer; the layers and losses refuse
NaN at their entry).
The ``*_from_output`` derivatives expect what the forward produced: σ(x) in [0, 1], tanh(x)
in [−1, 1].

Derivatives are written in terms of what the forward pass already computed, the way backward
passes use them::

    σ(x)  = 1 / (1 + e^{-x})          σ'(x)   = σ(x) (1 − σ(x))
    tanh(x)                           tanh'(x) = 1 − tanh(x)²
    relu(x) = max(x, 0)               relu'(x) = 1 if x > 0 else 0   (0 at the kink, as Keras and PyTorch)
    softplus(x) = log(1 + e^{x})      softplus'(x) = σ(x)
    log σ(x) = −softplus(−x)

Softmax acts on the last axis (a row of K scores → K probabilities summing to 1). It is not
elementwise: each output depends on every input of its row, so its derivative is a K×K matrix
per row, the Jacobian J = diag(s) − s sᵀ. A backward pass never builds it; it needs only J dy::

    softmax(x)_j = e^{x_j} / Σ_k e^{x_k}      (J dy)_j = s_j (dy_j − Σ_k s_k dy_k)
    logsumexp(x) = log Σ_k e^{x_k}            ∂/∂x_j = softmax(x)_j
    log softmax(x) = x − logsumexp(x)
(each computed with the row's maximum subtracted first, so e^{…} never overflows)
"""
from __future__ import annotations

import functools

import numpy as np

from .validation import plain_array


def _float_input(function):
    """Let `function` take any real numbers: Python numbers, lists, bool and integer arrays
    become float64 arrays first (``-x`` of an unsigned int would wrap around, ``exp`` of a
    large int overflows); plain float arrays pass untouched, keeping their dtype, and an
    ndarray subclass (np.matrix, np.memmap, …) is viewed as a plain array (its operators
    never compute: ``*`` is a matrix product for np.matrix). Anything else — strings,
    complex, objects, masked arrays — is a TypeError naming the function."""
    where = f"nanonet.ops.{function.__name__}"

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*(_as_float(x, where) for x in args),
                        **{name: _as_float(x, where) for name, x in kwargs.items()})
    return wrapper


def _as_float(x, where: str) -> np.ndarray:
    if type(x) is np.ndarray and x.dtype.kind == "f":
        return x
    array = plain_array(x, "x", where)
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    raise TypeError(f"{where}: x must hold real numbers (floats, ints or bools), got an array "
                    f"of dtype {array.dtype}.")


@_float_input
def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^{-x}), computed without overflow.

    With e = e^{-|x|} (always in (0, 1]): σ(x) = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0.
    Both branches are exact to the last bit of the dtype, also deep in the tails.
    """
    # --- exercise E01 begin ---
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    s = 1.0 / (1.0 + e)
    return np.where(x >= 0, s, e * s).astype(_float_dtype(x), copy=False)
    # --- exercise E01 end ---


@_float_input
def sigmoid_grad_from_output(s: np.ndarray) -> np.ndarray:
    """σ'(x) given s = σ(x): s (1 − s)."""
    # --- exercise E01 begin ---
    return s * (1.0 - s)
    # --- exercise E01 end ---


@_float_input
def tanh(x: np.ndarray) -> np.ndarray:
    """tanh(x); NumPy's tanh is already stable for all finite x."""
    return np.tanh(x)


@_float_input
def tanh_grad_from_output(t: np.ndarray) -> np.ndarray:
    """tanh'(x) given t = tanh(x): 1 − t²."""
    return 1.0 - t * t


@_float_input
def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0)."""
    return np.maximum(x, 0)


@_float_input
def relu_grad(x_or_output: np.ndarray) -> np.ndarray:
    """relu'(x): 1 where x > 0, else 0 (0 at x = 0). Works on x or on relu(x) alike."""
    return (np.asarray(x_or_output) > 0).astype(_float_dtype(x_or_output), copy=False)


@_float_input
def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}), without overflow."""
    x = np.asarray(x)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


@_float_input
def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log σ(x) = −softplus(−x), finite for every finite x."""
    return -softplus(-np.asarray(x))


@_float_input
def softmax(x: np.ndarray) -> np.ndarray:
    """softmax over the last axis: s_j = e^{x_j − m} / Σ_k e^{x_k − m}, m = max_k x_k.

    x: (..., K) -> s: (..., K), each row positive and summing to 1. Subtracting the row's
    maximum changes nothing mathematically (it cancels) and keeps every exponent ≤ 0.
    """
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


@_float_input
def softmax_backward_from_output(dy: np.ndarray, s: np.ndarray) -> np.ndarray:
    """dx = J dy for s = softmax(x), with J = diag(s) − s sᵀ per row (J is symmetric):

        dx_j = s_j (dy_j − Σ_k s_k dy_k)

    dy, s: (..., K) -> dx: (..., K).
    """
    return s * (dy - np.sum(dy * s, axis=-1, keepdims=True))


@_float_input
def logsumexp(x: np.ndarray) -> np.ndarray:
    """log Σ_k e^{x_k} over the last axis, as m + log Σ_k e^{x_k − m} (m = max_k x_k).

    x: (..., K) -> (...).
    """
    m = np.max(x, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def linear(x: np.ndarray) -> np.ndarray:
    """The identity, for `activation=None` / `"linear"`."""
    return x


def _float_dtype(x) -> np.dtype:
    dtype = np.asarray(x).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)
