"""Dense (fully connected) layer: y = f(x W + b).

Equations, for a batch x: (N, D), kernel W: (D, U), bias b: (U,), activation f::

    z  = x W + b                    (N, U)     the article's z = W1 x + b1, batch-first (x is a row)
    y  = f(z)
    dz = dy · f'(z)                 (see layers/activations.py)
    dW = xᵀ dz                      (D, U)     sum over the batch of outer products x_n dz_n
    db = Σ_n dz_n                   (U,)
    dx = dz Wᵀ                      (N, D)     the "Wᵀ factor" that carries the error back a layer

Inputs with more dimensions, (N, ..., D), are handled like Keras: the kernel acts on the last
axis, and the weight gradients sum over every leading axis.
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .. import initializers
from ..fast import activations as fast_activations
from ..fast import dense as fast_dense
from ..validation import check_bool, check_int
from .activations import (activation_backward, activation_forward, canonical_activation,
                          check_softmax_width, output_activation_of)
from .base import Layer


def dense_forward(x: np.ndarray, kernel: np.ndarray,
                  bias: Optional[np.ndarray]) -> Tuple[np.ndarray, tuple]:
    """z = x W + b.

    x: (N, ..., D), kernel W: (D, U), bias b: (U,) or None.
    Returns z: (N, ..., U) and cache = (x, kernel, has_bias).
    """
    # --- exercise E02 begin ---
    z = x @ kernel
    if bias is not None:
        z = z + bias
    return z, (x, kernel, bias is not None)
    # --- exercise E02 end ---


def dense_backward(dz: np.ndarray, cache: tuple):
    """Gradients of z = x W + b given dz = ∂L/∂z: (N, ..., U).

    Returns (dx, dW, db): dx = dz Wᵀ (N, ..., D); dW = xᵀ dz (D, U), summed over every
    leading axis; db = Σ dz (U,), or None without a bias.
    """
    # --- exercise E02 begin ---
    x, kernel, has_bias = cache
    x2 = x.reshape(-1, x.shape[-1])                  # (M, D): every leading axis is a row
    dz2 = dz.reshape(-1, dz.shape[-1])               # (M, U)
    d_kernel = x2.T @ dz2
    d_bias = dz2.sum(axis=0) if has_bias else None
    dx = dz @ kernel.T
    return dx, d_kernel, d_bias
    # --- exercise E02 end ---


class Dense(Layer):
    """``Dense(units, activation=None, use_bias=True, kernel_initializer="glorot_uniform")``.

    Weights (Keras order): kernel (D, units), bias (units,). Input (N, ..., D) -> (N, ..., units).
    Kernel init: glorot_uniform, limit √(6/(D+units)); bias init: zeros (as Keras).
    ``input_shape=(D,)`` or ``input_dim=D`` lets a model build before it sees data.
    """

    default_name = "dense"

    def __init__(self, units: int, activation: Optional[str] = None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 name: Optional[str] = None, dtype=None, input_shape=None,
                 input_dim: Optional[int] = None):
        where = f"Dense{'' if name is None else ' ' + repr(name)}"
        self.units = check_int(units, "units", where, minimum=1)
        if input_dim is not None:
            input_shape = (check_int(input_dim, "input_dim", where, minimum=1),)
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.activation = canonical_activation(activation, "activation")
        check_softmax_width(self.activation, self.units, where)
        self.output_activation = output_activation_of(self.activation)
        self.use_bias = check_bool(use_bias, "use_bias", self.describe())
        self.kernel_initializer = initializers.name_of(
            kernel_initializer) if isinstance(kernel_initializer, str) else kernel_initializer
        self.bias_initializer = bias_initializer
        initializers.get(self.kernel_initializer, "kernel_initializer")
        initializers.get(self.bias_initializer, "bias_initializer")
        self._cache = None
        self._activation_cache = None
        self._logits = None

    def weight_shapes(self, input_shape):
        """kernel (features, units) and, with use_bias, bias (units,)."""
        if len(input_shape) < 1 or input_shape[-1] is None:
            raise ValueError(f"{self.describe()}: the last input dimension must be known, "
                             f"got input shape {input_shape}.")
        shapes = {"kernel": (input_shape[-1], self.units)}
        if self.use_bias:
            shapes["bias"] = (self.units,)
        return shapes

    def build_params(self, input_shape, rng) -> None:
        initializers = {"kernel": self.kernel_initializer, "bias": self.bias_initializer}
        sized_by = f"units={self.units} for {input_shape[-1]} input features"
        for name, shape in self.weight_shapes(input_shape).items():
            self.add_weight(name, shape, initializers[name], rng, sized_by)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    supports_masking = True

    def forward(self, x: np.ndarray, training: bool = False, mask=None) -> np.ndarray:
        if not self.in_model_step:               # a model checked its data at its entry point
            self.require_built("forward")
            x = self.checked_input(x)
        elif x.shape[-1] != self.params["kernel"].shape[0] \
                or x.ndim - 1 != len(self.input_shape):
            self.check_input_shape(x)
        if self.uses_reference:
            z, self._cache = dense_forward(x, self.params["kernel"], self.params.get("bias"))
            y, self._activation_cache = activation_forward(z, self.activation)
        else:
            z, y = self._fast_forward(x)
        self._logits = z if self.output_activation is not None else None
        return y

    def _fast_forward(self, x: np.ndarray):
        """(z, y) by nanonet.fast: z into a workspace, the activation in place over it."""
        out = self.workspace("z", x.shape[:-1] + (self.units,)) \
            if self.temporary_outputs else None
        z, self._cache = fast_dense.dense_forward(x, self.params["kernel"],
                                                  self.params.get("bias"), out)
        y, self._activation_cache = fast_activations.activation_forward(
            z, self.activation, inplace=self.output_activation is None)
        return z, y

    def backward(self, dy: np.ndarray) -> Optional[np.ndarray]:
        if not self.in_model_step:
            dy = self._checked_gradient(dy, "backward", "dy")
        if self.uses_reference:
            dz = activation_backward(dy, self._activation_cache)
        else:
            dz = fast_activations.activation_backward(dy, self._activation_cache,
                                                      inplace=self.temporary_gradients)
        return self.backward_from_logits(dz)

    def backward_from_logits(self, dz: np.ndarray) -> Optional[np.ndarray]:
        """Backward from dz = ∂L/∂z, the gradient before the activation."""
        if not self.in_model_step:
            dz = self._checked_gradient(dz, "backward_from_logits", "dz")
        if self.uses_reference:
            dx, d_kernel, d_bias = dense_backward(dz, self._cache)
            self.grads["kernel"][...] = d_kernel
            if d_bias is not None:
                self.grads["bias"][...] = d_bias
            return dx if self.needs_input_grad else None
        x = self._cache[0]
        dx_out = self.workspace("dx", x.shape) \
            if self.temporary_gradients and self.needs_input_grad else None
        dx, _, _ = fast_dense.dense_backward(
            dz, self._cache, self.needs_input_grad,
            out=(dx_out, self.grads["kernel"], self.grads.get("bias")))
        return dx

    def _checked_gradient(self, dy, method: str, name: str) -> np.ndarray:
        self.require_forward(self._cache, method)
        x = self._cache[0]
        return self.checked_gradient(dy, x.shape[:-1] + (self.units,), self._cache[1].dtype,
                                     method, name)

    @property
    def logits(self) -> Optional[np.ndarray]:
        return self._logits

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "activation": self.activation,
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer)}
