"""Dropout (inverted, as Keras): during training each value is kept with probability 1 − rate
and scaled by 1/(1 − rate), so the expected output equals the input; at inference it is the
identity.

Equations, with a mask M of the input's shape, M = [u ≥ rate] / (1 − rate), u ~ U[0, 1)::

    y  = x ⊙ M          dx = dy ⊙ M
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np

from ..validation import check_float, check_int, check_shape
from .base import Layer


def check_rate(rate, name: str, where: str) -> float:
    """A dropout rate in [0, 1)."""
    return check_float(rate, name, where, low=0.0, high=1.0, high_inclusive=False)


def dropout_mask(shape: Tuple[int, ...], rate: float, rng: np.random.Generator,
                 dtype=np.float32) -> np.ndarray:
    """The inverted-dropout mask: 1/(1 − rate) where kept (probability 1 − rate), else 0."""
    keep = rng.random(shape, dtype=np.float64 if np.dtype(dtype) == np.float64
                      else np.float32) >= rate
    return keep.astype(dtype) * np.asarray(1.0 / (1.0 - rate), dtype=dtype)


def dropout_forward(x: np.ndarray, mask: Optional[np.ndarray]) -> Tuple[np.ndarray, tuple]:
    """y = x ⊙ mask (mask None: identity). Returns (y, cache)."""
    return (x if mask is None else x * mask), (mask,)


def dropout_backward(dy: np.ndarray, cache: tuple) -> np.ndarray:
    """dx = dy ⊙ mask."""
    (mask,) = cache
    return dy if mask is None else dy * mask


class Dropout(Layer):
    """``Dropout(rate, noise_shape=None, seed=None)``: see the module docstring.

    Inside a Sequential the masks come from the model's seed (reproducible); ``seed`` gives a
    standalone layer its own generator. ``noise_shape`` (e.g. ``(None, 1, D)``) shares one
    mask value along the axes of size 1, as Keras.
    """

    default_name = "dropout"
    supports_masking = True

    def __init__(self, rate: float, noise_shape: Optional[Sequence[Optional[int]]] = None,
                 seed: Optional[int] = None, name: Optional[str] = None, dtype=None,
                 input_shape=None):
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.rate = check_rate(rate, "rate", self.describe())
        self.noise_shape = None if noise_shape is None else \
            check_shape(noise_shape, "noise_shape", self.describe())
        self.seed = check_int(seed, "seed", self.describe(), minimum=0, allow_none=True)
        if self.seed is not None:
            self.rng = np.random.default_rng(self.seed)
        self._cache = (None,)
        self._output = None                       # (shape, dtype) of the last forward output

    def forward(self, x: np.ndarray, training: bool = False, mask=None) -> np.ndarray:
        if self.called_directly:
            x = self.checked_input(x)
        keep = None
        if training and self.rate > 0:
            if self.rng is None:
                self.rng = np.random.default_rng()
            keep = dropout_mask(self._mask_shape(x.shape), self.rate, self.rng, x.dtype)
        y, self._cache = dropout_forward(x, keep)
        self._output = (x.shape, x.dtype)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if self.called_directly:
            self.require_forward(self._output)
            dy = self.checked_gradient(dy, *self._output)
        return dropout_backward(dy, self._cache)

    def _mask_shape(self, shape: Tuple[int, ...]) -> Tuple[int, ...]:
        if self.noise_shape is None:
            return shape
        if len(self.noise_shape) != len(shape) or any(
                n not in (None, 1, s) for n, s in zip(self.noise_shape, shape)):
            raise ValueError(f"{self.describe()}: noise_shape {self.noise_shape} must have one "
                             f"entry per input dimension, each None, 1 (share the mask along "
                             f"that axis) or the input's own size; got input shape {shape}.")
        return tuple(s if n is None else n for n, s in zip(self.noise_shape, shape))

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape),
                "seed": self.seed}
