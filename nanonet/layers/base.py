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

import inspect
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .. import initializers
from ..validation import (as_array, as_float_array, as_float_like, cast_checked, check_finite,
                          check_not_empty, check_same_shape, check_shape, first_non_finite,
                          float_dtype, guarded_allocation, keyword_checked, plain_if_array)

Shape = Tuple[Optional[int], ...]

#: the two implementations of every layer: "fast" (nanonet.fast, the default) and "reference"
#: (the plain equations of the layer's own module); both compute the same function
ENGINES = ("fast", "reference")


def check_engine(engine, where: str) -> str:
    """`engine` if it is one of ENGINES, else a ValueError naming `engine` and the choices."""
    if isinstance(engine, str) and engine in ENGINES:
        return engine
    raise ValueError(f"{where}: engine must be one of {', '.join(map(repr, ENGINES))}, got "
                     f"{engine!r}.")


class Layer:
    """Base class: parameters, gradients, config, build-on-first-call.

    Subclasses implement ``build_params(input_shape, rng)``, ``compute_output_shape``,
    ``forward(x, training)`` and ``backward(dy)``.
    """

    default_name = "layer"
    #: the Sequential this layer belongs to, set by ``Sequential.add`` (a layer belongs to one
    #: model); layers read nothing of it
    model = None
    in_model_step = False  # (set per instance in __init__; see there)
    #: "sigmoid" or "softmax" for layers whose output is σ(logits) or softmax(logits) with the
    #: logits kept by forward; a cross-entropy loss then starts from the logits, as Keras does.
    output_activation: Optional[str] = None
    _engine = "fast"

    def __init_subclass__(cls, **kwargs):
        """Every layer's constructor refuses an unknown keyword argument by listing the ones
        it takes (and Keras's renamings: init → kernel_initializer, …), not with Python's
        bare TypeError: validation.keyword_checked, applied here once for all layers."""
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = keyword_checked(cls.__dict__["__init__"])

    @keyword_checked
    def __init__(self, name: Optional[str] = None, dtype=None,
                 input_shape: Optional[Sequence[Optional[int]]] = None):
        where = type(self).__name__
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{where}: name must be a string (or None for an automatic one), "
                            f"got {name!r} ({type(name).__name__}).")
        self.name = name
        where = self.describe()
        self.dtype = float_dtype(dtype, "dtype", where) if dtype is not None else None
        self.declared_input_shape: Optional[Shape] = (
            check_shape(input_shape, "input_shape", where) if input_shape is not None else None)
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
        #: True while the model this layer belongs to runs its own step (fit, evaluate,
        #: predict), which sets it: the model has checked the data at its entry point, and the
        #: arrays passed between layers are its temporaries (see may_reuse_*)
        self.in_model_step = False

    @property
    def engine(self) -> str:
        """Which implementation ``forward``/``backward`` run: ``"fast"`` (the default: nanonet.fast,
        fused and in place) or ``"reference"`` (the plain functions of the layer's module, the
        docstring's equations). Both compute the same numbers; ``Sequential(..., engine=...)``
        sets it on every layer. Not part of the config: saved files do not depend on it."""
        return self._engine

    @engine.setter
    def engine(self, value: str) -> None:
        self._engine = check_engine(value, f"{self.describe()}.engine")

    @property
    def uses_reference(self) -> bool:
        """True when ``engine == "reference"``."""
        return self._engine == "reference"

    # ----------------------------------------------------------------- building
    def build(self, input_shape: Shape, rng: Optional[np.random.Generator] = None,
              dtype=None) -> None:
        """Create the weights for inputs of per-sample shape `input_shape`.

        Building a built layer again is a no-op for the same shape and an error for another
        (its weights are sized for the first one)."""
        where = f"{self.describe()}.build"
        input_shape = check_shape(input_shape, "input_shape", where)
        if self.built:
            if input_shape != tuple(self.input_shape):
                raise ValueError(
                    f"{where}: the layer is already built for inputs of shape "
                    f"{_batch_shape(self.input_shape)}, got input_shape "
                    f"{_batch_shape(input_shape)}. A built layer's input size cannot change; "
                    f"make a new layer for the new size.")
            return
        if rng is None:
            rng = np.random.default_rng()
        elif not isinstance(rng, np.random.Generator):
            raise TypeError(f"{where}: rng must be a numpy.random.Generator such as "
                            f"np.random.default_rng(0), got {rng!r} ({type(rng).__name__}).")
        if self.dtype is None:
            self.dtype = float_dtype(dtype if dtype is not None else np.float32, "dtype", where)
        self.build_params(input_shape, rng)
        self.input_shape = input_shape
        self.output_shape = self.compute_output_shape(input_shape)
        self.built = True

    def build_params(self, input_shape: Shape, rng: np.random.Generator) -> None:
        """Create ``self.params`` (and matching ``self.grads``). Default: no weights."""

    def weight_shapes(self, input_shape: Shape) -> Dict[str, Tuple[int, ...]]:
        """The shape of every weight ``build(input_shape)`` creates, in ``get_weights()``
        order, computed without creating any (``load_model`` checks a file against it before
        it builds anything); refuses an `input_shape` the layer cannot be built for as build
        does. Layers with weights override it and create them from it. Default: none."""
        return {}

    def add_weight(self, name: str, shape: Tuple[int, ...], initializer,
                   rng: np.random.Generator, sized_by: str = "") -> np.ndarray:
        """Create parameter `name` with `initializer` and a zero gradient of the same shape.

        What a custom initializer returns is checked: numbers, of `shape`, all finite. A
        weight too large for the machine's memory is a MemoryError naming the layer, the
        weight, `sized_by` (the arguments behind its shape, e.g. "units=1000000") and its
        size — refused before anything is allocated when it exceeds the memory there is."""
        cause = f"weight {name!r}" + (f" ({sized_by})" if sized_by else "")
        with guarded_allocation(shape, self.dtype, self.describe(), cause,
                                "Make the layer smaller: the arguments in brackets set its size."):
            return self._create_weight(name, shape, initializer, rng)

    def _create_weight(self, name: str, shape: Tuple[int, ...], initializer,
                       rng: np.random.Generator) -> np.ndarray:
        """add_weight's work: the initializer called and its result checked."""
        function = initializers.get(initializer)
        where = f"{self.describe()}: the initializer of weight {name!r}"
        try:
            value = function(shape, rng, self.dtype)
        except TypeError:
            if _accepts_three_arguments(function):
                raise
            raise TypeError(
                f"{where} ({getattr(function, '__name__', function)!r}) must accept "
                f"(shape, rng, dtype) — nanonet's initializer signature, e.g. "
                f"def init(shape, rng, dtype): return rng.normal(0, 0.05, size=shape)"
                f".astype(dtype) — but it cannot be called that way.") from None
        value = as_array(value, "its result", where)
        if value.shape != tuple(shape):
            raise ValueError(f"{where} returned an array of shape {value.shape}, expected "
                             f"shape {tuple(shape)}.")
        value = cast_checked(value, self.dtype, "its result", where) \
            if value.dtype != self.dtype else value
        check_finite(value, "its result", where)
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
        """Backward pass entered below the final sigmoid or softmax (only if
        output_activation is set): dz = ∂L/∂logits."""
        raise NotImplementedError(f"{self.describe()} has no sigmoid or softmax output to "
                                  f"skip.")

    @property
    def logits(self) -> Optional[np.ndarray]:
        """The pre-activation values of the last forward pass, if the output is a sigmoid or
        a softmax."""
        return None

    def __call__(self, x, training: bool = False) -> np.ndarray:
        """Build from `x` if needed (float32 unless the layer has a dtype), then ``forward``.

        A layer built this way fixes only its feature size: sequence lengths stay open."""
        x = self.prepare_input(x)
        if not self.built:
            self.build(self.shape_from_data(_sample_shape(x, self.describe())))
        else:
            self.check_input_shape(x)
        with np.errstate(all="ignore"):          # an overflow is reported below, clearly
            output = self.forward(x, training=training)
        self.check_output(output, x)
        return output

    def check_output(self, output, x: np.ndarray) -> None:
        """Refuse an output that stopped being finite although the (checked) input is finite:
        something overflowed the layer's dtype inside it. Raises a ValueError naming the
        sample and the sizes behind it."""
        for array in (output if isinstance(output, (list, tuple)) else [output]):
            found = first_non_finite(array)
            if found is None:
                continue
            index, value = found
            sizes = [f"largest |input| = {float(np.max(np.abs(x))):.3g}"] \
                if x.dtype.kind == "f" and x.size else []
            weights = [float(np.max(np.abs(p))) for p in self.params.values() if p.size]
            if weights:
                sizes.append(f"largest |weight| = {max(weights):.3g}")
            raise ValueError(
                f"{self.describe()}: the output for sample {index[0] if index else 0} is "
                f"{value} although the input is finite — a value overflowed {array.dtype} "
                f"inside the layer ({', '.join(sizes)}). Expected inputs of moderate size: "
                f"scale them, or use a float64 layer (dtype='float64').")

    # ----------------------------------------------------------------- direct calls
    @property
    def called_directly(self) -> bool:
        """True unless the layer runs inside its model's own step (fit/evaluate/predict), where
        the model has checked the data once at its entry point. Layers check what a direct
        call to ``forward``/``backward`` receives; the model's inner calls skip the checks."""
        return not self.in_model_step

    def require_built(self, method: str) -> None:
        if not self.built:
            raise ValueError(
                f"{self.describe()}.{method}: the layer is not built yet, so its weights do not "
                f"exist. Call the layer on data, layer(x), which builds it, or "
                f"layer.build(input_shape) first.")

    def checked_input(self, x, method: str = "forward") -> np.ndarray:
        """A direct call's input: an array of the layer's dtype (ints, bools and other floats
        are cast, as Keras casts inputs to a layer's dtype), finite, of the built shape."""
        where = f"{self.describe()}.{method}"
        x = as_float_like(x, "x", where, self.dtype)
        check_not_empty(x, "x", where)
        if self.built:
            self.check_input_shape(x)
        elif x.ndim < 2:
            raise ValueError(f"{where}: x must be a batch with shape (batch, features...), "
                             f"got shape {x.shape}{self.batch_hint(x, 'x')}")
        return x

    def checked_gradient(self, dy, expected_shape, dtype, method: str = "backward",
                         name: str = "dy") -> np.ndarray:
        """A direct call's upstream gradient: numbers of the forward output's shape exactly
        (never broadcast — a (N,) gradient for a (N, 1) output would silently become (N, N))
        and dtype, finite."""
        where = f"{self.describe()}.{method}"
        dy = as_float_like(dy, name, where, dtype)
        check_same_shape(dy, expected_shape, name, where,
                         "the shape of the last forward output")
        return dy

    def require_forward(self, cache, method: str = "backward") -> None:
        if cache is None:
            raise RuntimeError(f"{self.describe()}.{method}: call forward first (backward "
                               f"uses what the last forward pass stored).")

    def prepare_input(self, x, name: str = "input", where: Optional[str] = None) -> np.ndarray:
        """A user's input as an array this layer accepts: a float batch (N, ...) of the layer's
        dtype (float32 before it is built), all finite. Layers taking token ids override this."""
        where = where or self.describe()
        dtype = self.dtype if self.dtype is not None else np.dtype(np.float32)
        x = as_float_array(x, name, where, dtype)
        if x.ndim < 2:
            raise ValueError(f"{where}: {name} must be a batch with shape (batch, features...), "
                             f"got shape {x.shape}{self.batch_hint(x, name)}")
        check_not_empty(x, name, where)
        return x

    def batch_hint(self, x: np.ndarray, name: str) -> str:
        """The fix for an input `x` of 0 or 1 dimensions, as the rest of a sentence. (N,) is
        N samples of one feature — ``x[:, None]``, what Keras 2 reads it as — or one sample of
        N features — ``x[None]``; the built input shape says which, else both are offered."""
        if x.ndim == 0:
            return f"; one sample of one feature is [[{x.item()!r}]]."
        samples = f"{name}[:, None] (or {name}.reshape(-1, 1)) for {len(x)} samples of one " \
                  f"feature each"
        single = f"{name}[None] for one sample of {len(x)} features"
        built = tuple(self.input_shape) if self.built else None
        if built == (1,):
            return f"; use {samples}."
        if built == (len(x),):
            return f"; use {single}."
        return f"; use {samples}, or {single}."

    def check_input_shape(self, x: np.ndarray) -> None:
        """Raise ValueError if `x` does not match the shape the layer was built for."""
        expected = self.input_shape
        got = x.shape[1:]
        if x.ndim < 1 or len(got) != len(expected) or any(e is not None and e != g
                                                          for e, g in zip(expected, got)):
            raise ValueError(
                f"{self.describe()} was built for inputs of shape {_batch_shape(expected)}, "
                f"got {x.shape}. A built layer's input size cannot change; "
                f"make a new layer (or model) for the new size.")

    @property
    def temporary_gradients(self) -> bool:
        """True while the model runs its own step and dy/dx are its temporaries."""
        return self.may_reuse_gradients and self.in_model_step

    @property
    def temporary_outputs(self) -> bool:
        """True while the model runs its own step and this layer's output is a temporary."""
        return self.may_reuse_outputs and self.in_model_step

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
        for name, value in zip(self.params, self.checked_weights(weights)):
            self.params[name][...] = value

    def checked_weight_masks(self, where: str) -> Dict[str, np.ndarray]:
        """The layer's pruning masks (``weight_masks``, set by nanonet.compress.prune), checked
        — a dict of boolean arrays (True = keep) shaped like the weights they name — and
        returned in the order of the layer's weights; {} if it has none. What fit and save
        both rely on."""
        masks = getattr(self, "weight_masks", None)
        if masks is None or (isinstance(masks, dict) and not masks):
            return {}
        label = f"{where}: {self.describe()}.weight_masks"
        if not isinstance(masks, dict):
            raise TypeError(f"{label} must be a dict {{weight name: boolean array}} (as "
                            f"nanonet.compress.prune sets it), e.g. "
                            f"{{'kernel': np.abs(kernel) > 0.01}}, got {type(masks).__name__}.")
        unknown = [name for name in masks if name not in self.params]
        if unknown:
            raise ValueError(f"{label} names the weight {unknown[0]!r}, which the layer does "
                             f"not have; its weights are "
                             f"{', '.join(map(repr, self.params)) or 'none'}.")
        checked = {}
        for name, weight in self.params.items():
            mask = plain_if_array(masks.get(name), f"{self.describe()}.weight_masks[{name!r}]",
                                  where)
            if mask is None:
                continue
            if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
                got = f"a {mask.dtype} array" if isinstance(mask, np.ndarray) \
                    else type(mask).__name__
                raise TypeError(f"{label}[{name!r}] must be a boolean NumPy array (True = "
                                f"keep, False = pruned) of shape {weight.shape}, got {got}; "
                                f"e.g. mask.astype(bool).")
            if mask.shape != weight.shape:
                raise ValueError(f"{label}[{name!r}] must have the weight's shape "
                                 f"{weight.shape}, got {mask.shape}.")
            checked[name] = mask
        return checked

    def checked_weights(self, weights, where: Optional[str] = None) -> List[np.ndarray]:
        """`weights` (a ``get_weights()``-style list) checked against this layer's weights —
        count, shapes, numbers, finite, representable in the layer's dtype — and cast to it.
        Nothing is written, so a model can check every layer before writing any."""
        where = where or f"{self.describe()}.set_weights"
        if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
            raise TypeError(f"{where}: weights must be a list of arrays (as get_weights() "
                            f"returns), got {type(weights).__name__}.")
        names = list(self.params)
        if len(weights) != len(names):
            raise ValueError(
                f"{where}: expected {len(names)} arrays "
                f"({', '.join(f'{n} {self.params[n].shape}' for n in names) or 'none'}), "
                f"got {len(weights)}.")
        checked = []
        for name, value in zip(names, weights):
            value = as_array(value, f"weight {name!r}", where)
            if value.shape != self.params[name].shape:
                raise ValueError(
                    f"{where}: weight {name!r} must have shape "
                    f"{self.params[name].shape}, got {value.shape}.")
            check_finite(value, f"weight {name!r}", where)
            checked.append(cast_checked(value, self.dtype, f"weight {name!r}", where))
        return checked

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


def _sample_shape(x: np.ndarray, where: str) -> Tuple[int, ...]:
    """The per-sample shape of a first batch, refusing empty samples (a layer cannot be
    built for 0 features or 0 timesteps)."""
    if 0 in x.shape[1:]:
        raise ValueError(f"{where}: got input of shape {x.shape}, whose samples are empty "
                         f"(a dimension of size 0 after the batch); expected at least one "
                         f"feature (and timestep) per sample.")
    return x.shape[1:]


def _accepts_three_arguments(function) -> bool:
    try:
        inspect.signature(function).bind(None, None, None)
    except TypeError:
        return False
    except ValueError:                      # no signature available (a builtin): assume yes
        return True
    return True
