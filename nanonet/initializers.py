"""Weight initializers, with Keras's definitions.

An initializer is a function ``init(shape, rng, dtype) -> np.ndarray``; `rng` is a
``numpy.random.Generator`` (the model's seed decides it, so a seed reproduces every weight).
Keras draws from the same *distributions*; its random streams differ from NumPy's, so the
numbers themselves differ — compare a Keras model by copying its weights with `set_weights`.

Fans (Keras's ``_compute_fans``): a kernel of shape (fan_in, fan_out); a vector of shape (n,)
has fan_in = fan_out = n; higher ranks multiply the leading "receptive field" dimensions in.
"""
from __future__ import annotations

import functools
import numbers
from typing import Callable, Dict, Tuple, Union

import numpy as np

from .validation import float_dtype, unknown_name_error

Initializer = Callable[[Tuple[int, ...], np.random.Generator, np.dtype], np.ndarray]


def compute_fans(shape: Tuple[int, ...]) -> Tuple[int, int]:
    """(fan_in, fan_out) of a weight of `shape`, as Keras computes them."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = int(np.prod(shape[:-2]))
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _checked_arguments(function):
    """Check what an initializer receives: a shape of sizes ≥ 0, a Generator (None: a fresh
    one; an int: a seed, as Keras's ``seed=``) and a float dtype."""
    @functools.wraps(function)
    def wrapper(shape, rng=None, dtype=np.float32, **kwargs):
        where = f"initializers.{function.__name__}"
        if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)) or not all(
                isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 0
                for s in shape):
            raise ValueError(f"{where}: shape must be a tuple of sizes >= 0, e.g. (3, 4), "
                             f"got {shape!r}.")
        if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
            rng = np.random.default_rng(rng)
        elif not isinstance(rng, np.random.Generator):
            raise TypeError(f"{where}: rng must be a numpy.random.Generator (e.g. "
                            f"np.random.default_rng(0)), an integer seed or None, got "
                            f"{rng!r} ({type(rng).__name__}).")
        dtype = float_dtype(dtype, "dtype", where)
        return function(tuple(int(s) for s in shape), rng, dtype, **kwargs)
    return wrapper


@_checked_arguments
def glorot_uniform(shape, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Uniform on [−limit, limit] with limit = √(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010).

    The variance is limit²/3 = 2 / (fan_in + fan_out).
    """
    fan_in, fan_out = compute_fans(tuple(shape))
    limit = np.sqrt(6.0 / max(1.0, fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


@_checked_arguments
def zeros(shape, rng: np.random.Generator = None, dtype=np.float32) -> np.ndarray:
    """All zeros (Keras's default bias initializer)."""
    return np.zeros(shape, dtype=dtype)


@_checked_arguments
def ones(shape, rng: np.random.Generator = None, dtype=np.float32) -> np.ndarray:
    """All ones."""
    return np.ones(shape, dtype=dtype)


@_checked_arguments
def random_uniform(shape, rng: np.random.Generator, dtype=np.float32,
                   minval: float = -0.05, maxval: float = 0.05) -> np.ndarray:
    """Uniform on [minval, maxval], by default ±0.05 (Keras's "uniform", Embedding's default)."""
    return rng.uniform(minval, maxval, size=shape).astype(dtype)


@_checked_arguments
def orthogonal(shape, rng: np.random.Generator, dtype=np.float32, gain: float = 1.0) -> np.ndarray:
    """A (semi-)orthogonal matrix (Saxe et al., 2014), Keras's construction.

    With rows = prod(shape[:-1]) and cols = shape[-1]: draw A ~ N(0, 1) of shape
    (max(rows, cols), min(rows, cols)), factor A = QR, fix the signs (Q · sign(diag R)) so the
    result is uniformly distributed, and transpose if rows < cols. Then W Wᵀ = I (rows ≤ cols)
    or Wᵀ W = I (rows ≥ cols). The LSTM's recurrent kernel (U, 4U) is initialised this way.
    """
    if len(shape) < 1:
        raise ValueError("initializers.orthogonal: shape must have at least one dimension, "
                         "got ().")
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    cols = shape[-1]
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return (gain * q).reshape(shape).astype(dtype)


_REGISTRY: Dict[str, Initializer] = {
    "glorot_uniform": glorot_uniform,
    "zeros": zeros,
    "ones": ones,
    "random_uniform": random_uniform,
    "uniform": random_uniform,
    "orthogonal": orthogonal,
}


def register(name: str, initializer: Initializer) -> None:
    """Make `initializer` available by `name` (used by layers that bring their own)."""
    if not isinstance(name, str) or not callable(initializer):
        raise TypeError(f"initializers.register: expected a name (str) and a function "
                        f"init(shape, rng, dtype), got {name!r} and {initializer!r}.")
    _REGISTRY[name] = initializer


def get(identifier: Union[str, Initializer], argument: str = "initializer") -> Initializer:
    """Look an initializer up by name; a callable is returned unchanged."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _REGISTRY:
        return _REGISTRY[identifier.lower()]
    raise unknown_name_error(argument, identifier, _REGISTRY)


def name_of(initializer: Union[str, Initializer]) -> str:
    """The registered name of an initializer (for configs); custom callables cannot be saved."""
    if isinstance(initializer, str):
        return initializer.lower()
    for name, function in _REGISTRY.items():
        if function is initializer:
            return name
    raise ValueError(f"Initializer {initializer!r} is not registered, so it cannot be saved in a "
                     f"model config; register it with nanonet.initializers.register(name, fn).")
