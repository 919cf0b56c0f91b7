"""The Layer contract every nanonet layer follows.

A layer's *math* lives in a pair of plain functions (``*_forward(x, …) -> (y, cache)`` and
``*_backward(dy, cache) -> gradients``) in the layer's own module. The layer *class* only owns:

- ``params``: its weights, a dict in Keras's ``get_weights()`` order (e.g. kernel, bias);
- ``grads``: arrays of the same shapes, filled by ``backward``;
- its config (``get_config``), and the cache of the last ``forward`` (used by ``backward``).

Shapes are batch-first. ``input_shape``/``output_shape`` exclude the batch dimension, the way
Keras writes ``(None, 10)`` for a batch of 10-feature rows.

The model may re-point ``params`` and ``grads`` at views of one flat buffer (so an optimizer
updates every weight in one vectorised pass); layers therefore always write into
``self.grads[name]`` in place and never rebind a parameter array.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .. import initializers
from ..validation import as_array, as_float_array, check_finite

Shape = Tuple[Optional[int], ...]


class Layer:
    """Base class: parameters, gradients, config, build-on-first-call.

    Subclasses implement ``build_params(input_shape, rng)``, ``compute_output_shape``,
    ``forward(x, training)`` and ``backward(dy)``.
    """

    default_name = "layer"
    _model = None  # the Sequential this layer belongs to, once added
    #: set to "sigmoid" by layers whose output is σ(logits) with the logits kept by forward;
    #: losses use it to compute binary cross-entropy from the logits, as Keras does.
    output_activation: Optional[str] = None

    def __init__(self, name: Optional[str] = None, dtype=None,
                 input_shape: Optional[Sequence[Optional[int]]] = None):
        self.name = name
        self.dtype = np.dtype(dtype) if dtype is not None else None
        self.declared_input_shape: Optional[Shape] = (
            tuple(input_shape) if input_shape is not None else None)
        self.params: Dict[str, np.ndarray] = {}
        self.grads: Dict[str, np.ndarray] = {}
        self.built = False
        self.input_shape: Optional[Shape] = None
        self.output_shape: Optional[Shape] = None
        #: whether backward must return dx (the model turns it off for its first layer)
        self.needs_input_grad = True
        #: inside a model, the gradients passed between layers are the model's temporaries:
        #: backward may overwrite dy and return dx in a buffer reused on the next call
        self.may_reuse_gradients = False
        #: likewise for forward's output, for every layer but a model's last
        self.may_reuse_outputs = False
        self._workspaces: Dict[str, np.ndarray] = {}
        #: random generator for training-time randomness (dropout); the model sets it
        self.rng: Optional[np.random.Generator] = None

    # ----------------------------------------------------------------- building
    def build(self, input_shape: Shape, rng: Optional[np.random.Generator] = None,
              dtype=None) -> None:
        """Create the weights for inputs of per-sample shape `input_shape`."""
        if self.dtype is None:
            self.dtype = np.dtype(dtype if dtype is not None else np.float32)
        if rng is None:
            rng = np.random.default_rng()
        input_shape = tuple(input_shape)
        self.build_params(input_shape, rng)
        self.input_shape = input_shape
        self.output_shape = self.compute_output_shape(input_shape)
        self.built = True

    def build_params(self, input_shape: Shape, rng: np.random.Generator) -> None:
        """Create ``self.params`` (and matching ``self.grads``). Default: no weights."""

    def add_weight(self, name: str, shape: Tuple[int, ...], initializer,
                   rng: np.random.Generator) -> np.ndarray:
        """Create parameter `name` with `initializer` and a zero gradient of the same shape."""
        value = initializers.get(initializer)(shape, rng, self.dtype)
        self.params[name] = np.ascontiguousarray(value, dtype=self.dtype)
        self.grads[name] = np.zeros_like(self.params[name])
        return self.params[name]

    def shape_from_data(self, sample_shape: Tuple[int, ...]) -> Shape:
        """The input shape to build for, seeing data of per-sample `sample_shape`: sequence
        lengths stay open (None), as in Keras, so later batches may be longer or shorter;
        the feature size (last axis) is fixed."""
        sample_shape = tuple(sample_shape)
        return (None,) * (len(sample_shape) - 1) + sample_shape[-1:]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """Per-sample output shape for per-sample `input_shape`. Default: unchanged."""
        return tuple(input_shape)

    # ----------------------------------------------------------------- computing
    #: whether the layer passes a mask (from Embedding(mask_zero=True)) on unchanged
    supports_masking = False

    def forward(self, x: np.ndarray, training: bool = False,
                mask: Optional[np.ndarray] = None) -> np.ndarray:
        """The layer's output for the batch `x`; `mask` (N, T) marks real timesteps."""
        raise NotImplementedError

    def compute_mask(self, mask: Optional[np.ndarray]) -> Optional[np.ndarray]:
        """The mask for the next layer, given the one this layer received (after forward)."""
        if mask is None or self.supports_masking:
            return mask
        raise ValueError(f"{self.describe()} cannot take a mask (made by an Embedding with "
                         f"mask_zero=True); put it after the LSTM that consumes the mask.")

    def backward(self, dy: np.ndarray) -> Optional[np.ndarray]:
        raise NotImplementedError

    def backward_from_logits(self, dz: np.ndarray) -> Optional[np.ndarray]:
        """Backward pass entered below the final sigmoid (only if output_activation == "sigmoid")."""
        raise NotImplementedError(f"{self.describe()} has no sigmoid output to skip.")

    @property
    def logits(self) -> Optional[np.ndarray]:
        """The pre-sigmoid values of the last forward pass, if the output is a sigmoid."""
        return None

    def __call__(self, x, training: bool = False) -> np.ndarray:
        """Build from `x` if needed (float32 unless the layer has a dtype), then ``forward``."""
        x = self.prepare_input(x)
        if not self.built:
            self.build(x.shape[1:])
        else:
            self.check_input_shape(x)
        return self.forward(x, training=training)

    def prepare_input(self, x, name: str = "input", where: Optional[str] = None) -> np.ndarray:
        """A user's input as an array this layer accepts: a float batch (N, ...) of the layer's
        dtype (float32 before it is built), all finite. Layers taking token ids override this."""
        where = where or self.describe()
        dtype = self.dtype if self.dtype is not None else np.dtype(np.float32)
        x = as_float_array(x, name, where, dtype)
        if x.ndim < 2:
            raise ValueError(f"{where}: {name} must be a batch with shape (batch, features...), "
                             f"got shape {x.shape}; for a single sample use x[None].")
        return x

    def check_input_shape(self, x: np.ndarray) -> None:
        """Raise ValueError if `x` does not match the shape the layer was built for."""
        expected = self.input_shape
        got = x.shape[1:]
        if len(got) != len(expected) or any(e is not None and e != g
                                             for e, g in zip(expected, got)):
            raise ValueError(
                f"{self.describe()} was built for inputs of shape {_batch_shape(expected)}, "
                f"got {x.shape}. A built layer's input size cannot change; "
                f"make a new layer (or model) for the new size.")

    @property
    def temporary_gradients(self) -> bool:
        """True while the model runs its own step and dy/dx are its temporaries."""
        return self.may_reuse_gradients and self._model is not None and self._model._running

    @property
    def temporary_outputs(self) -> bool:
        """True while the model runs its own step and this layer's output is a temporary."""
        return self.may_reuse_outputs and self._model is not None and self._model._running

    def workspace(self, key: str, shape: Tuple[int, ...]) -> np.ndarray:
        """A reusable array of `shape` in the layer's dtype (for temporaries that would
        otherwise be allocated, and page-faulted in, on every batch)."""
        buffer = self._workspaces.get(key)
        if buffer is None or buffer.shape != shape or buffer.dtype != self.dtype:
            buffer = self._workspaces[key] = np.empty(shape, self.dtype)
        return buffer

    # ----------------------------------------------------------------- weights & config
    def get_weights(self) -> List[np.ndarray]:
        """Copies of the weights, in Keras's order."""
        return [p.copy() for p in self.params.values()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Overwrite the weights in place from a list in ``get_weights()`` order."""
        if not self.built:
            raise ValueError(
                f"{self.describe()}.set_weights: the layer is not built yet, so its weights do "
                f"not exist; call layer.build(input_shape) first, or add it to a model that "
                f"knows its input shape.")
        weights = list(weights)
        names = list(self.params)
        if len(weights) != len(names):
            raise ValueError(
                f"{self.describe()}.set_weights: expected {len(names)} arrays "
                f"({', '.join(f'{n} {self.params[n].shape}' for n in names) or 'none'}), "
                f"got {len(weights)}.")
        for name, value in zip(names, weights):
            value = as_array(value, f"weight {name!r}", f"{self.describe()}.set_weights")
            if value.shape != self.params[name].shape:
                raise ValueError(
                    f"{self.describe()}.set_weights: weight {name!r} must have shape "
                    f"{self.params[name].shape}, got {value.shape}.")
            check_finite(value.astype(np.float64), f"weight {name!r}",
                         f"{self.describe()}.set_weights")
            self.params[name][...] = value

    def count_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def get_config(self) -> dict:
        """Everything needed to rebuild this layer (not its weights)."""
        config = {"name": self.name}
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        return cls(**config)

    def describe(self) -> str:
        """How messages refer to this layer, e.g. ``Dense 'dense_1'``."""
        return f"{type(self).__name__} {self.name!r}" if self.name else type(self).__name__

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


def _batch_shape(shape: Shape) -> tuple:
    return (None,) + tuple(shape)
