"""Activations: the pure forward/backward pair, and the layers Sigmoid, ReLU, Tanh, Softmax, Activation.

Equations (y is the forward output, dy the upstream gradient ∂L/∂y, all of the same shape)::

    sigmoid   y = σ(x) = 1/(1+e^{−x})      dx = dy · y (1 − y)
    tanh      y = tanh(x)                  dx = dy · (1 − y²)
    relu      y = max(x, 0)                dx = dy · [x > 0]
    linear    y = x                        dx = dy
    softmax   y_j = e^{x_j} / Σ_k e^{x_k}  dx_j = y_j (dy_j − Σ_k y_k dy_k)   (over the last axis)

The first four are elementwise; softmax mixes each row (its Jacobian is diag(y) − y yᵀ, see
ops.py). Every backward pass needs only y (relu: y > 0 exactly where x > 0), so the cache is y.
"""
from __future__ import annotations

from typing import Callable, Dict, Optional, Tuple

import numpy as np

from .. import ops
from ..fast import activations as fast_activations
from ..validation import unknown_name_error
from .base import Layer

#: name -> (f(x), backward(dy, y) = dy · f'(x) written with the output y)
_ACTIVATIONS: Dict[str, Tuple[Callable, Callable]] = {
    "linear": (lambda x: x, lambda dy, y: dy),
    "sigmoid": (ops.sigmoid, lambda dy, y: dy * ops.sigmoid_grad_from_output(y)),
    "tanh": (np.tanh, lambda dy, y: dy * ops.tanh_grad_from_output(y)),
    "relu": (lambda x: np.maximum(x, 0), lambda dy, y: dy * (y > 0)),   # y > 0 ⇔ x > 0
    "softmax": (ops.softmax, ops.softmax_backward_from_output),
}

#: activations whose logits a layer keeps, so a cross-entropy can start from them (as Keras)
LOGIT_ACTIVATIONS = ("sigmoid", "softmax")


def activation_names() -> Tuple[str, ...]:
    return tuple(_ACTIVATIONS)


def canonical_activation(name, where: str = "activation") -> str:
    """Validate an activation name (None means "linear") and return its canonical form."""
    if name is None:
        return "linear"
    if isinstance(name, str) and name.lower() in _ACTIVATIONS:
        return name.lower()
    raise unknown_name_error(where, name, _ACTIVATIONS)


def output_activation_of(name: str) -> Optional[str]:
    """The layer attribute ``output_activation`` for activation `name`: the name itself for
    sigmoid and softmax (their logits are kept), else None."""
    return name if name in LOGIT_ACTIVATIONS else None


def check_softmax_width(activation: str, units, where: str) -> None:
    """A softmax over one unit is the constant 1 (e^x / e^x): refuse it, naming the fix."""
    if activation == "softmax" and units == 1:
        raise ValueError(f"{where}: a softmax over 1 unit always outputs 1 (e^x / e^x), so "
                         f"nothing could be learned. Expected at least 2 units (one per "
                         f"class); for two classes, 1 unit with activation='sigmoid' is the "
                         f"same model.")


def activation_forward(x: np.ndarray, name: str) -> Tuple[np.ndarray, tuple]:
    """y = f(x) for the activation `name`; x: any shape (softmax: over the last axis).
    Returns (y, cache = (name, y))."""
    y = _ACTIVATIONS[name][0](x)
    return y, (name, y)


def activation_backward(dy: np.ndarray, cache: tuple) -> np.ndarray:
    """dx = ∂L/∂x from dy = ∂L/∂y and the cached output y (module docstring): dy · f'(x) for
    the elementwise ones, the Jacobian product for softmax."""
    name, y = cache
    return _ACTIVATIONS[name][1](dy, y)


class Activation(Layer):
    """Applies an activation: ``Activation("relu")``, ``"sigmoid"``, ``"tanh"``, ``"softmax"``, ``"linear"``.

    Input (N, ...) -> output of the same shape (softmax: over the last axis). No weights.
    """

    default_name = "activation"

    def __init__(self, activation: str, name: Optional[str] = None, dtype=None, input_shape=None):
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.activation = canonical_activation(activation, "activation")
        self.output_activation = output_activation_of(self.activation)
        self._cache = None
        self._input = None

    def build_params(self, input_shape, rng) -> None:
        check_softmax_width(self.activation, input_shape[-1] if input_shape else None,
                            self.describe())

    supports_masking = True

    def forward(self, x: np.ndarray, training: bool = False, mask=None) -> np.ndarray:
        if self.called_directly:
            x = self.checked_input(x)
        forward = activation_forward if self.uses_reference \
            else fast_activations.activation_forward
        y, self._cache = forward(x, self.activation)
        self._input = x
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if self.called_directly:
            dy = self._checked_gradient(dy, "backward", "dy")
        if self.uses_reference:
            return activation_backward(dy, self._cache)
        return fast_activations.activation_backward(dy, self._cache,
                                                    inplace=self.temporary_gradients)

    def backward_from_logits(self, dz: np.ndarray) -> np.ndarray:
        if self.output_activation is None:
            return super().backward_from_logits(dz)
        if self.called_directly:
            dz = self._checked_gradient(dz, "backward_from_logits", "dz")
        return dz

    def _checked_gradient(self, dy, method: str, name: str) -> np.ndarray:
        self.require_forward(self._cache, method)
        y = self._cache[1]
        return self.checked_gradient(dy, y.shape, y.dtype, method, name)

    @property
    def logits(self) -> Optional[np.ndarray]:
        return self._input if self.output_activation is not None else None

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": self.activation}


class _NamedActivation(Activation):
    """An Activation whose function is fixed by the class (Sigmoid, ReLU, Tanh)."""

    fixed_activation = "linear"

    def __init__(self, name: Optional[str] = None, dtype=None, input_shape=None):
        super().__init__(self.fixed_activation, name=name, dtype=dtype, input_shape=input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["activation"]
        return config


class Sigmoid(_NamedActivation):
    """σ(x) = 1/(1+e^{−x}); the article's σ. Same as ``Activation("sigmoid")``."""

    default_name = "sigmoid"
    fixed_activation = "sigmoid"


class ReLU(_NamedActivation):
    """max(x, 0). Same as ``Activation("relu")``."""

    default_name = "re_lu"
    fixed_activation = "relu"


class Tanh(_NamedActivation):
    """tanh(x). Same as ``Activation("tanh")``."""

    default_name = "tanh"
    fixed_activation = "tanh"


class Softmax(Activation):
    """``Softmax(axis=-1)``: e^{x_j} / Σ_k e^{x_k} over the last axis, as Keras's
    ``layers.Softmax``. Same as ``Activation("softmax")``; only axis=-1 is supported."""

    default_name = "softmax"

    def __init__(self, axis: int = -1, name: Optional[str] = None, dtype=None, input_shape=None):
        if isinstance(axis, bool) or axis != -1:
            raise ValueError(f"Softmax: axis={axis!r} is not supported; expected axis=-1 (the "
                             f"last axis, Keras's default): move the class axis last, e.g. "
                             f"with np.moveaxis, before the model.")
        super().__init__("softmax", name=name, dtype=dtype, input_shape=input_shape)
        self.axis = -1

    def get_config(self) -> dict:
        config = super().get_config()
        del config["activation"]
        return {**config, "axis": self.axis}
