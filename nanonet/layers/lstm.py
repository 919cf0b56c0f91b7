"""LSTM: the cell step, the sequence (backpropagation through time), and the layers.

The cell (Hochreiter & Schmidhuber, 1997, with a forget gate), Keras's layout. One fused gate
matrix; its four column blocks are, in order, [i, f, c̃, o]::

    z   = x_t W + h_{t−1} R + b          W: (D, 4U) kernel, R: (U, 4U) recurrent kernel, b: (4U,)
    i   = σ(z_i)                          input gate      (how much of the candidate to write)
    f   = σ(z_f)                          forget gate     (how much of the old cell to keep)
    c̃   = tanh(z_c)                       candidate cell value
    o   = σ(z_o)                          output gate
    c_t = f ⊙ c_{t−1} + i ⊙ c̃
    h_t = o ⊙ tanh(c_t)                   (h_0 = c_0 = 0)

Its backward pass, given dh = ∂L/∂h_t and dc_next = ∂L/∂c_t from the steps after t::

    do  = dh ⊙ tanh(c_t)
    dc  = dc_next + dh ⊙ o ⊙ (1 − tanh²(c_t))
    di  = dc ⊙ c̃     df = dc ⊙ c_{t−1}     dc̃ = dc ⊙ i     dc_{t−1} = dc ⊙ f
    dz  = [di ⊙ i(1−i),  df ⊙ f(1−f),  dc̃ ⊙ (1−c̃²),  do ⊙ o(1−o)]
    dx_t = dz Wᵀ      dh_{t−1} = dz Rᵀ     dW += x_tᵀ dz     dR += h_{t−1}ᵀ dz     db += Σ dz

Over a sequence (backpropagation through time) the step is repeated from t = T down to 1; the
input projection x W + b of every step is one matmul before the time loop, and dW, dR, db are
one matmul each after it. σ is computed as ½ + ½ tanh(z/2), so one tanh serves all four gates.

Masking (``Embedding(mask_zero=True)``): at a masked step h and c are carried over unchanged,
so the sequence output repeats the previous output (zeros before the first real token) and
the step passes its gradients straight through.

Dropout (inverted, training only), Keras's semantics: with ``recurrent_dropout > 0``, four
input masks (N, D) and four recurrent masks (N, U) — one per gate — are drawn per batch and
reused at every step; with only ``dropout > 0``, one mask (N, T, D) is applied to the inputs.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .. import initializers
from ..validation import (as_array, as_float_array, as_float_like, check_bool, check_int,
                          check_not_empty, check_same_shape)
from .base import Layer, _sample_shape
from .dropout import check_rate, dropout_mask
from .lstm_bptt import (LSTMWorkspace, gate_constants, lstm_backward,  # noqa: F401
                        lstm_forward)


# ====================================================================== the cell's nonlinear part
def activate_gates(z: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
    """[σ(z_i), σ(z_f), tanh(z_c), σ(z_o)] for pre-activations z: (..., 4U), with one tanh:
    σ(z) = ½ + ½ tanh(z/2)."""
    constants = gate_constants(z.shape[-1] // 4, z.dtype)
    gates = np.multiply(z, constants["scale"], out=out)
    np.tanh(gates, out=gates)
    gates *= constants["scale"]
    gates += constants["offset"]
    return gates


def lstm_cell_forward(z: np.ndarray, c_prev: np.ndarray):
    """The cell after its matmuls: the gates from z (N, 4U), then c_t and h_t (N, U).

    Returns (h, c, gates, tanh_c) with gates = [i f c̃ o] (N, 4U).
    """
    # --- exercise E07 begin ---
    units = c_prev.shape[-1]
    gates = activate_gates(z)
    i, f = gates[:, :units], gates[:, units:2 * units]
    g, o = gates[:, 2 * units:3 * units], gates[:, 3 * units:]
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    return o * tanh_c, c, gates, tanh_c
    # --- exercise E07 end ---


def lstm_cell_backward(dh: np.ndarray, dc_next: np.ndarray, c_prev: np.ndarray,
                       gates: np.ndarray, tanh_c: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Gradients through the cell's nonlinear part, the equations of the module docstring.

    dh, dc_next, c_prev, tanh_c: (N, U); gates: (N, 4U) = [i f c̃ o].
    Returns (dz: (N, 4U), dc_prev: (N, U)).
    """
    # --- exercise E08 begin ---
    units = c_prev.shape[-1]
    i, f = gates[:, :units], gates[:, units:2 * units]
    g, o = gates[:, 2 * units:3 * units], gates[:, 3 * units:]
    do = dh * tanh_c
    dc = dc_next + dh * o * (1.0 - tanh_c * tanh_c)
    di, df, dg = dc * g, dc * c_prev, dc * i
    dz = np.concatenate([di * i * (1.0 - i), df * f * (1.0 - f), dg * (1.0 - g * g),
                         do * o * (1.0 - o)], axis=1)
    return dz, dc * f
    # --- exercise E08 end ---


# ====================================================================== one step (the lesson)
def lstm_step_forward(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
                      kernel: np.ndarray, recurrent_kernel: np.ndarray,
                      bias: Optional[np.ndarray]):
    """One LSTM step: z = x W + h_prev R + b, then the gates, c and h (module docstring).

    x: (N, D); h_prev, c_prev: (N, U); kernel: (D, 4U); recurrent_kernel: (U, 4U); bias: (4U,).
    Returns (h, c, cache) with h, c: (N, U).
    """
    # --- exercise E07 begin ---
    z = x @ kernel + h_prev @ recurrent_kernel
    if bias is not None:
        z += bias
    h, c, gates, tanh_c = lstm_cell_forward(z, c_prev)
    return h, c, (x, h_prev, c_prev, gates, tanh_c, kernel, recurrent_kernel, bias is not None)
    # --- exercise E07 end ---


def lstm_step_backward(dh: np.ndarray, dc: np.ndarray, cache: tuple):
    """Backward of one step, given dh = ∂L/∂h and dc = ∂L/∂c (the part not through h).

    Returns (dx (N, D), dh_prev (N, U), dc_prev (N, U), d_kernel (D, 4U),
    d_recurrent_kernel (U, 4U), d_bias (4U,) or None).
    """
    # --- exercise E08 begin ---
    x, h_prev, c_prev, gates, tanh_c, kernel, recurrent_kernel, has_bias = cache
    dz, dc_prev = lstm_cell_backward(dh, dc, c_prev, gates, tanh_c)
    return (dz @ kernel.T, dz @ recurrent_kernel.T, dc_prev, x.T @ dz, h_prev.T @ dz,
            dz.sum(axis=0) if has_bias else None)
    # --- exercise E08 end ---


# ====================================================================== layers
def _add_lstm_weights(layer: Layer, input_dim: int, rng: np.random.Generator) -> None:
    """kernel (D, 4U) glorot_uniform, recurrent_kernel (U, 4U) orthogonal, bias (4U,) zeros
    with the forget block at 1 when unit_forget_bias (Keras's defaults)."""
    units = layer.units
    layer.add_weight("kernel", (input_dim, 4 * units), layer.kernel_initializer, rng)
    layer.add_weight("recurrent_kernel", (units, 4 * units), layer.recurrent_initializer, rng)
    if layer.use_bias:
        bias = layer.add_weight("bias", (4 * units,), layer.bias_initializer, rng)
        if layer.unit_forget_bias:
            bias[units:2 * units] = 1.0


class _LSTMWeights(Layer):
    """What LSTM and LSTMCell share: arguments, weights and config."""

    def __init__(self, units: int, use_bias: bool = True, unit_forget_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", name: Optional[str] = None, dtype=None,
                 input_shape=None):
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)
        self.units = check_int(units, "units", self.describe(), minimum=1)
        self.use_bias = check_bool(use_bias, "use_bias", self.describe())
        self.unit_forget_bias = check_bool(unit_forget_bias, "unit_forget_bias", self.describe())
        self._cache = None
        for argument, value in (("kernel_initializer", kernel_initializer),
                                ("recurrent_initializer", recurrent_initializer),
                                ("bias_initializer", bias_initializer)):
            initializers.get(value, argument)
            setattr(self, argument, value)

    def build_params(self, input_shape, rng) -> None:
        if input_shape[-1] is None:
            raise ValueError(f"{self.describe()}: the feature size (last input dimension) must "
                             f"be known, got input shape {input_shape}.")
        _add_lstm_weights(self, input_shape[-1], rng)

    def _check_features(self, x: np.ndarray) -> None:
        expected = self.params["kernel"].shape[0]
        if x.shape[-1] != expected:
            raise ValueError(f"{self.describe()} was built for {expected} features per step, "
                             f"got input of shape {x.shape}. A built layer's input size "
                             f"cannot change; make a new layer for the new size.")

    def check_input_shape(self, x: np.ndarray) -> None:
        """Only the rank and the feature size are fixed (sequence lengths stay open, as Keras)."""
        if x.ndim != len(self.input_shape) + 1:
            super().check_input_shape(x)
        self._check_features(x)

    def _checked_states(self, states, n: int, where: str, name: str, dtype,
                        allow_none: bool) -> list:
        """[h, c] (or their gradients): a list of two arrays (N, U), finite; None entries are
        allowed where `allow_none` (then returned as None)."""
        if isinstance(states, np.ndarray) or not isinstance(states, (list, tuple)) \
                or len(states) != 2:
            got = type(states).__name__
            if isinstance(states, (list, tuple)):
                got += f" of length {len(states)}"
            raise TypeError(f"{where}: {name} must be a list of two arrays [h, c], each of "
                            f"shape ({n}, {self.units}), got {got}.")
        checked = []
        for label, value in zip(("h", "c"), states):
            if value is None and allow_none:
                checked.append(None)
                continue
            value = as_float_like(value, f"{name}[{len(checked)}] ({label})", where, dtype)
            check_same_shape(value, (n, self.units), f"{name}[{len(checked)}] ({label})", where,
                             "(batch, units)")
            checked.append(value)
        return checked

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias,
                "unit_forget_bias": self.unit_forget_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "recurrent_initializer": initializers.name_of(self.recurrent_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer)}


class LSTMCell(_LSTMWeights):
    """One LSTM step as a layer, as Keras's ``LSTMCell(units)``: ``h, [h, c] = cell(x, [h, c])``.

    Weights (Keras order): kernel (D, 4U), recurrent_kernel (U, 4U), bias (4U,).
    ``forward(x, states=None)``: x (N, D), states [h_prev, c_prev] (zeros if None).
    ``backward(dh, dstates=None)`` → (dx, [dh_prev, dc_prev]) and fills ``grads``.
    """

    default_name = "lstm_cell"

    def __call__(self, x, states: Optional[Sequence[np.ndarray]] = None,
                 training: bool = False):
        """``h, [h, c] = cell(x, [h_prev, c_prev])`` (states None: zeros), as Keras's cell."""
        x = self.prepare_input(x)
        if not self.built:
            self.build(_sample_shape(x, self.describe()))
        with np.errstate(all="ignore"):          # an overflow is reported below, clearly
            output = self.forward(x, states, training=training)
        self.check_output([output[0]] + list(output[1]), x)
        return output

    def forward(self, x: np.ndarray, states: Optional[Sequence[np.ndarray]] = None,
                training: bool = False, mask=None):
        where = f"{self.describe()}.forward"
        if self.called_directly:
            self.require_built("forward")
            x = as_float_like(x, "x", where, self.dtype)
            check_not_empty(x, "x", where)
        if x.ndim != 2:
            raise ValueError(f"{where}: expected one step, x of shape (batch, "
                             f"features), got shape {x.shape}.")
        self._check_features(x)
        if states is not None and self.called_directly:
            states = self._checked_states(states, len(x), where, "states", self.dtype, False)
        if states is None:
            states = [np.zeros((len(x), self.units), x.dtype)] * 2
        h, c, self._cache = lstm_step_forward(x, states[0], states[1], self.params["kernel"],
                                              self.params["recurrent_kernel"],
                                              self.params.get("bias"))
        return h, [h, c]

    def compute_output_shape(self, input_shape):
        return (self.units,)

    def backward(self, dh: np.ndarray, dstates: Optional[Sequence[np.ndarray]] = None):
        """dh: gradient of the output h; dstates: [dh, dc] of the returned states (optional)."""
        if self.called_directly:
            where = f"{self.describe()}.backward"
            self.require_forward(self._cache)
            n = len(self._cache[0])
            dh = self.checked_gradient(dh, (n, self.units), self.dtype, name="dh")
            if dstates is not None:
                dstates = self._checked_states(dstates, n, where, "dstates", self.dtype, True)
        dh_total = dh if dstates is None or dstates[0] is None else dh + dstates[0]
        dc = np.zeros_like(dh) if dstates is None or dstates[1] is None else dstates[1]
        dx, dh_prev, dc_prev, d_kernel, d_recurrent, d_bias = lstm_step_backward(
            dh_total, dc, self._cache)
        self.grads["kernel"][...] = d_kernel
        self.grads["recurrent_kernel"][...] = d_recurrent
        if d_bias is not None:
            self.grads["bias"][...] = d_bias
        return dx, [dh_prev, dc_prev]


class LSTM(_LSTMWeights):
    """``LSTM(units, dropout=0., recurrent_dropout=0., return_sequences=False,
    return_state=False, unit_forget_bias=True)`` — see the module docstring.

    Input (N, T, D) floats (and a mask from ``Embedding(mask_zero=True)``). Output: h_T (N, U),
    or every h_t (N, T, U) with ``return_sequences``; with ``return_state``, the list
    [output, h_T, c_T]. Weights (Keras order): kernel (D, 4U), recurrent_kernel (U, 4U),
    bias (4U,), gate blocks [i, f, c̃, o] — so ``set_weights(keras_lstm.get_weights())`` works.
    """

    default_name = "lstm"

    def __init__(self, units: int, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 return_sequences: bool = False, return_state: bool = False,
                 unit_forget_bias: bool = True, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", name: Optional[str] = None, dtype=None,
                 input_shape=None):
        super().__init__(units, use_bias, unit_forget_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, name, dtype, input_shape)
        self.dropout = check_rate(dropout, "dropout", self.describe())
        self.recurrent_dropout = check_rate(recurrent_dropout, "recurrent_dropout",
                                            self.describe())
        self.return_sequences = check_bool(return_sequences, "return_sequences",
                                           self.describe())
        self.return_state = check_bool(return_state, "return_state", self.describe())
        self._cache = None
        self._workspace: Optional[LSTMWorkspace] = None

    def build_params(self, input_shape, rng) -> None:
        if len(input_shape) != 2:
            raise ValueError(f"{self.describe()}: expects inputs of shape (batch, timesteps, "
                             f"features), got per-sample shape {tuple(input_shape)}.")
        super().build_params(input_shape, rng)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units) if self.return_sequences else (self.units,)

    def prepare_input(self, x, name: str = "input", where: Optional[str] = None) -> np.ndarray:
        where = where or self.describe()
        dtype = self.dtype if self.dtype is not None else np.dtype(np.float32)
        x = as_float_array(x, name, where, dtype)
        if x.ndim != 3:
            hint = (" Token ids go through an Embedding first." if x.ndim == 2 else "")
            raise ValueError(f"{where}: {self.describe()} expects {name} of shape (batch, "
                             f"timesteps, features), got {x.ndim}-D shape {x.shape}.{hint} "
                             f"For one feature per step use x[..., None].")
        check_not_empty(x, name, where)
        if x.shape[1] == 0:
            raise ValueError(f"{where}: {self.describe()} got {name} of shape {x.shape}, "
                             f"sequences of 0 timesteps; expected at least one step.")
        return x

    def forward(self, x: np.ndarray, training: bool = False, mask: Optional[np.ndarray] = None):
        if self.called_directly:                 # a model checked its data at its entry point
            self.require_built("forward")
            x = self.prepare_input(x, "x", f"{self.describe()}.forward")
            if mask is not None:
                mask = self._checked_mask(mask, x)
        self._check_features(x)
        # inside a model's step, the workspace (the BPTT cache) is reused from batch to batch
        reuse = self._workspace if self.temporary_outputs else None
        hs, h_last, c_last, self._cache = lstm_forward(
            x, self.params["kernel"], self.params["recurrent_kernel"], self.params.get("bias"),
            mask=None if mask is None else mask.astype(bool), workspace=reuse,
            **self._dropout_masks(x, training))
        self._workspace = self._cache[0]
        output = hs if self.return_sequences else h_last
        return [output, h_last, c_last] if self.return_state else output

    def compute_mask(self, mask):
        return mask if self.return_sequences else None

    def backward(self, dy):
        """dy: the gradient of the output, or with return_state the list [d_output, dh_T, dc_T]
        (entries may be None). Returns dx (N, T, D); fills ``grads``."""
        if self._cache is None:
            raise RuntimeError(f"{self.describe()}.backward: call forward first (each forward's "
                               f"cache is used up by one backward).")
        if self.called_directly:
            d_out, dh_last, dc_last = self._checked_output_gradients(dy)
        else:
            d_out, dh_last, dc_last = (list(dy) + [None, None])[:3] if self.return_state \
                else (dy, None, None)
        dhs = d_out if self.return_sequences else None
        if not self.return_sequences and d_out is not None:
            dh_last = d_out if dh_last is None else d_out + dh_last
        dx, *_ = lstm_backward(dhs, dh_last, dc_last, self._cache, self.needs_input_grad,
                               out=(self.grads["kernel"], self.grads["recurrent_kernel"],
                                    self.grads.get("bias")))
        self._cache = None                       # spent: the gate cache now holds gradients
        return dx

    def _checked_mask(self, mask, x: np.ndarray) -> np.ndarray:
        """A direct call's mask: (N, T) of booleans (or 0/1), True = a real timestep."""
        where = f"{self.describe()}.forward"
        mask = as_array(mask, "mask", where)
        check_same_shape(mask, x.shape[:2], "mask", where, "(batch, timesteps) of x")
        if mask.dtype.kind != "b":
            if not np.isin(mask, (0, 1)).all():
                raise ValueError(f"{where}: mask must hold True/False (or 1/0) per timestep, "
                                 f"got values such as "
                                 f"{mask[~np.isin(mask, (0, 1))].flat[0].item()!r}.")
            mask = mask.astype(bool)
        return mask

    def _checked_output_gradients(self, dy):
        """A direct call's upstream gradients: (d_output, dh_T, dc_T), shapes checked."""
        where = f"{self.describe()}.backward"
        steps, n = self._cache[0].key[:2]
        out_shape = (n, steps, self.units) if self.return_sequences else (n, self.units)
        if not self.return_state:
            return self.checked_gradient(dy, out_shape, self.dtype), None, None
        if isinstance(dy, np.ndarray) or not isinstance(dy, (list, tuple)) \
                or not 1 <= len(dy) <= 3:
            raise TypeError(f"{where}: with return_state=True, dy must be a list "
                            f"[d_output, dh_T, dc_T] (entries may be None), got "
                            f"{type(dy).__name__}.")
        entries = list(dy) + [None] * (3 - len(dy))
        return tuple(None if value is None else
                     self.checked_gradient(value, shape, self.dtype, name=f"dy[{index}]")
                     for index, (value, shape) in enumerate(
                         zip(entries, (out_shape, (n, self.units), (n, self.units)))))

    def _dropout_masks(self, x: np.ndarray, training: bool) -> Dict[str, np.ndarray]:
        """Keras's dropout masks for this batch, as keyword arguments of lstm_forward."""
        if not training or (self.dropout == 0 and self.recurrent_dropout == 0):
            return {}
        if self.rng is None:
            self.rng = np.random.default_rng()
        n, steps, d = x.shape
        if self.recurrent_dropout == 0:           # one (N, T, D) mask on the inputs
            return {"input_mask": dropout_mask((n, steps, d), self.dropout, self.rng, x.dtype)}
        masks = {}
        if self.dropout > 0:                      # four per-gate (N, D) masks, every step
            masks["gate_input_masks"] = np.stack(
                [dropout_mask((n, d), self.dropout, self.rng, x.dtype) for _ in range(4)])
        masks["recurrent_masks"] = np.stack(
            [dropout_mask((n, self.units), self.recurrent_dropout, self.rng, x.dtype)
             for _ in range(4)])
        return masks

    def get_config(self) -> dict:
        return {**super().get_config(), "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout,
                "return_sequences": self.return_sequences, "return_state": self.return_state}
