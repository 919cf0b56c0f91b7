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

Over a sequence, ``lstm_forward`` is a loop of ``lstm_step_forward`` for t = 1 … T and
``lstm_backward`` (backpropagation through time) a loop of ``lstm_step_backward`` from t = T
down to 1, adding up the weight gradients of every step (CS231n's rnn_layers shape).
nanonet.fast.lstm computes the same function fast (fused gates, hoisted input projection,
workspaces); ``LSTM(...).engine`` chooses between them.

Masking (``Embedding(mask_zero=True)``): at a masked step h and c are carried over unchanged,
so the sequence output repeats the previous output (zeros before the first real token) and
the step passes its gradients straight through.

Dropout (inverted, training only), Keras's semantics: with ``recurrent_dropout > 0``, four
input masks (N, D) and four recurrent masks (N, U) — one per gate — are drawn per batch and
reused at every step; with only ``dropout > 0``, one mask (N, T, D) is applied to the inputs.
With per-gate masks p_g (inputs) and q_g (recurrent), gate g sees its own masked copies::

    z_g = (x_t ⊙ p_g) W_g + (h_{t−1} ⊙ q_g) R_g + b_g          (see gate_inputs)
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .. import initializers
from ..validation import (as_array, as_float_array, as_float_like, check_bool, check_int,
                          check_not_empty, check_same_shape)
from .base import Layer, _sample_shape
from .dropout import check_rate, dropout_mask
from ..fast import lstm as fast_lstm


# ====================================================================== the cell's nonlinear part
def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)). For z ≪ 0, e^(−z) overflows to inf and σ(z) is 0, as it should."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def activate_gates(z: np.ndarray) -> np.ndarray:
    """[σ(z_i), σ(z_f), tanh(z_c), σ(z_o)] for pre-activations z: (N, 4U) → (N, 4U)."""
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    return np.concatenate([sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)], axis=-1)


def lstm_cell_forward(z: np.ndarray, c_prev: np.ndarray):
    """The cell after its matmuls: the gates from z (N, 4U), then c_t and h_t (N, U).

    Returns (h, c, gates, tanh_c) with gates = [i f c̃ o] (N, 4U).
    """
    # --- exercise E07 begin ---
    gates = activate_gates(z)
    i, f, g, o = np.split(gates, 4, axis=1)
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
    i, f, g, o = np.split(gates, 4, axis=1)
    do = dh * tanh_c
    dc = dc_next + dh * o * (1.0 - tanh_c * tanh_c)
    di, df, dg = dc * g, dc * c_prev, dc * i
    dz = np.concatenate([di * i * (1.0 - i), df * f * (1.0 - f), dg * (1.0 - g * g),
                         do * o * (1.0 - o)], axis=1)
    return dz, dc * f
    # --- exercise E08 end ---


# ====================================================================== the matmuls, with dropout
def gate_inputs(v: np.ndarray, weights: np.ndarray,
                masks: Optional[np.ndarray] = None) -> np.ndarray:
    """v W for v: (N, K) and weights W: (K, 4U). With per-gate dropout masks (4, N, K), each
    gate block g sees its own masked copy: [(v ⊙ m_g) W_g]_g (Keras's recurrent dropout)."""
    if masks is None:
        return v @ weights
    blocks = np.split(weights, 4, axis=1)
    return np.concatenate([(v * m) @ w for m, w in zip(masks, blocks)], axis=1)


def gate_inputs_backward(dz: np.ndarray, v: np.ndarray, weights: np.ndarray,
                         masks: Optional[np.ndarray] = None):
    """(dv (N, K), dW (K, 4U)) of gate_inputs: dv = dz Wᵀ, dW = vᵀ dz; with masks,
    dv = Σ_g (dz_g W_gᵀ) ⊙ m_g and dW_g = (v ⊙ m_g)ᵀ dz_g."""
    if masks is None:
        return dz @ weights.T, v.T @ dz
    dv, d_weights = 0.0, []
    for m, w, dz_g in zip(masks, np.split(weights, 4, axis=1), np.split(dz, 4, axis=1)):
        dv = dv + (dz_g @ w.T) * m
        d_weights.append((v * m).T @ dz_g)
    return dv, np.concatenate(d_weights, axis=1)


# ====================================================================== one step (the lesson)
def lstm_step_forward(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
                      kernel: np.ndarray, recurrent_kernel: np.ndarray,
                      bias: Optional[np.ndarray], input_masks: Optional[np.ndarray] = None,
                      recurrent_masks: Optional[np.ndarray] = None):
    """One LSTM step: z = x W + h_prev R + b, then the gates, c and h (module docstring).

    x: (N, D); h_prev, c_prev: (N, U); kernel: (D, 4U); recurrent_kernel: (U, 4U); bias: (4U,)
    or None; input_masks (4, N, D), recurrent_masks (4, N, U): per-gate dropout masks or None.
    Returns (h, c, cache) with h, c: (N, U) and cache = (x, h_prev, c_prev, gates, tanh_c,
    kernel, recurrent_kernel, has_bias, input_masks, recurrent_masks).
    """
    # --- exercise E07 begin ---
    z = gate_inputs(x, kernel, input_masks) + gate_inputs(h_prev, recurrent_kernel,
                                                           recurrent_masks)
    if bias is not None:
        z = z + bias
    h, c, gates, tanh_c = lstm_cell_forward(z, c_prev)
    return h, c, (x, h_prev, c_prev, gates, tanh_c, kernel, recurrent_kernel, bias is not None,
                  input_masks, recurrent_masks)
    # --- exercise E07 end ---


def lstm_step_backward(dh: np.ndarray, dc: np.ndarray, cache: tuple):
    """Backward of one step, given dh = ∂L/∂h and dc = ∂L/∂c (the part not through h).

    Returns (dx (N, D), dh_prev (N, U), dc_prev (N, U), d_kernel (D, 4U),
    d_recurrent_kernel (U, 4U), d_bias (4U,) or None).
    """
    # --- exercise E08 begin ---
    x, h_prev, c_prev, gates, tanh_c = cache[:5]
    kernel, recurrent_kernel, has_bias, input_masks, recurrent_masks = cache[5:]
    dz, dc_prev = lstm_cell_backward(dh, dc, c_prev, gates, tanh_c)
    dx, d_kernel = gate_inputs_backward(dz, x, kernel, input_masks)
    dh_prev, d_recurrent = gate_inputs_backward(dz, h_prev, recurrent_kernel, recurrent_masks)
    return dx, dh_prev, dc_prev, d_kernel, d_recurrent, dz.sum(axis=0) if has_bias else None
    # --- exercise E08 end ---


# ====================================================================== the sequence
def lstm_forward(x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
                 bias: Optional[np.ndarray], h0: Optional[np.ndarray] = None,
                 c0: Optional[np.ndarray] = None, mask: Optional[np.ndarray] = None,
                 input_mask: Optional[np.ndarray] = None,
                 gate_input_masks: Optional[np.ndarray] = None,
                 recurrent_masks: Optional[np.ndarray] = None):
    """The cell over a sequence: lstm_step_forward for t = 1 … T.

    x: (N, T, D); h0, c0: (N, U) or None (zeros); mask: (N, T) bool, True = a real step (a
    masked step carries h and c over unchanged). Dropout masks (None = no dropout):
    input_mask (N, T, D) on the inputs; gate_input_masks (4, N, D) and recurrent_masks
    (4, N, U), one per gate, the same at every step.
    Returns (hs (N, T, U), h_T (N, U), c_T (N, U), cache).
    """
    n, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    h = np.zeros((n, units), x.dtype) if h0 is None else h0
    c = np.zeros((n, units), x.dtype) if c0 is None else c0
    if input_mask is not None:
        x = x * input_mask
    hs, caches = [], []
    for t in range(steps):
        h_t, c_t, step_cache = lstm_step_forward(x[:, t], h, c, kernel, recurrent_kernel, bias,
                                                 gate_input_masks, recurrent_masks)
        if mask is not None:
            keep = mask[:, t, None]                      # (N, 1): True = a real step
            h_t, c_t = np.where(keep, h_t, h), np.where(keep, c_t, c)
        h, c = h_t, c_t
        hs.append(h)
        caches.append(step_cache)
    return np.stack(hs, axis=1), h, c, (caches, mask, input_mask)


def lstm_backward(dhs: Optional[np.ndarray], dh_last: Optional[np.ndarray],
                  dc_last: Optional[np.ndarray], cache: tuple):
    """Backpropagation through time: lstm_step_backward from t = T down to 1.

    dhs: (N, T, U) gradient of the sequence output, or None (only h_T was used);
    dh_last, dc_last: (N, U) gradients of h_T and c_T, or None. The weight gradients are the
    sums over the steps; a masked step passes dh and dc straight through to t − 1.
    Returns (dx (N, T, D), d_kernel, d_recurrent_kernel, d_bias or None, dh0, dc0).
    """
    # --- exercise E09 begin ---
    caches, mask, input_mask = cache
    _, h_0, _, _, _, kernel, recurrent_kernel, has_bias, _, _ = caches[0]
    dh = np.zeros_like(h_0) if dh_last is None else dh_last
    dc = np.zeros_like(h_0) if dc_last is None else dc_last
    d_kernel, d_recurrent = np.zeros_like(kernel), np.zeros_like(recurrent_kernel)
    d_bias = np.zeros(kernel.shape[1], kernel.dtype) if has_bias else None
    dxs = [None] * len(caches)
    for t in reversed(range(len(caches))):
        if dhs is not None:
            dh = dh + dhs[:, t]                          # the output at t is h_t
        keep = True if mask is None else mask[:, t, None]
        dxs[t], dh_prev, dc_prev, dW, dR, db = lstm_step_backward(dh * keep, dc * keep,
                                                                  caches[t])
        dh, dc = np.where(keep, dh_prev, dh), np.where(keep, dc_prev, dc)
        d_kernel, d_recurrent = d_kernel + dW, d_recurrent + dR
        if has_bias:
            d_bias = d_bias + db
    dx = np.stack(dxs, axis=1)
    return (dx if input_mask is None else dx * input_mask, d_kernel, d_recurrent, d_bias,
            dh, dc)
    # --- exercise E09 end ---


# ====================================================================== layers
def _add_lstm_weights(layer: Layer, shapes: dict, rng: np.random.Generator) -> None:
    """kernel (D, 4U) glorot_uniform, recurrent_kernel (U, 4U) orthogonal, bias (4U,) zeros
    with the forget block at 1 when unit_forget_bias (Keras's defaults); `shapes` from
    weight_shapes."""
    units = layer.units
    sized_by = f"units={units} for {shapes['kernel'][0]} input features"
    layer.add_weight("kernel", shapes["kernel"], layer.kernel_initializer, rng, sized_by)
    layer.add_weight("recurrent_kernel", shapes["recurrent_kernel"],
                     layer.recurrent_initializer, rng, sized_by)
    if layer.use_bias:
        bias = layer.add_weight("bias", shapes["bias"], layer.bias_initializer, rng, sized_by)
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

    def weight_shapes(self, input_shape):
        """kernel (features, 4·units), recurrent_kernel (units, 4·units), bias (4·units,)."""
        if input_shape[-1] is None:
            raise ValueError(f"{self.describe()}: the feature size (last input dimension) must "
                             f"be known, got input shape {input_shape}.")
        units = self.units
        shapes = {"kernel": (input_shape[-1], 4 * units), "recurrent_kernel": (units, 4 * units)}
        if self.use_bias:
            shapes["bias"] = (4 * units,)
        return shapes

    def build_params(self, input_shape, rng) -> None:
        _add_lstm_weights(self, self.weight_shapes(input_shape), rng)

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
        self._cache_engine = None                # the engine whose forward made the cache
        self._sequence_shape = None              # (steps, batch) of the last forward
        self._workspace: Optional[fast_lstm.LSTMWorkspace] = None

    def weight_shapes(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"{self.describe()}: expects inputs of shape (batch, timesteps, "
                             f"features), got per-sample shape {tuple(input_shape)}.")
        return super().weight_shapes(input_shape)

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
        mask = None if mask is None else mask.astype(bool)
        masks = self._dropout_masks(x, training)
        weights = (self.params["kernel"], self.params["recurrent_kernel"], self.params.get("bias"))
        if self.uses_reference:
            hs, h_last, c_last, self._cache = lstm_forward(x, *weights, mask=mask, **masks)
        else:
            # inside a model's step, the workspace (the BPTT cache) is reused batch to batch
            reuse = self._workspace if self.temporary_outputs else None
            hs, h_last, c_last, self._cache = fast_lstm.lstm_forward(
                x, *weights, mask=mask, workspace=reuse, **masks)
            self._workspace = self._cache[0]
        self._cache_engine, self._sequence_shape = self.engine, x.shape[1::-1]
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
        if self._cache_engine == "reference":
            dx, d_kernel, d_recurrent, d_bias, _, _ = lstm_backward(dhs, dh_last, dc_last,
                                                                    self._cache)
            self._store_gradients(d_kernel, d_recurrent, d_bias)
            dx = dx if self.needs_input_grad else None
        else:
            dx, *_ = fast_lstm.lstm_backward(
                dhs, dh_last, dc_last, self._cache, self.needs_input_grad,
                out=(self.grads["kernel"], self.grads["recurrent_kernel"],
                     self.grads.get("bias")))
        self._cache = None                       # spent (the fast cache now holds gradients)
        return dx

    def _store_gradients(self, d_kernel, d_recurrent, d_bias) -> None:
        self.grads["kernel"][...] = d_kernel
        self.grads["recurrent_kernel"][...] = d_recurrent
        if d_bias is not None:
            self.grads["bias"][...] = d_bias

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
        steps, n = self._sequence_shape
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
