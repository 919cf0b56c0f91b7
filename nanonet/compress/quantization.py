"""Post-training quantization: int8 weights with one float32 scale per output channel (or float16).

Symmetric int8, per channel c (a column of a kernel, a row of an embedding table)::

    s_c = max |w_c| / 127                   float32; a channel of zeros gets s_c = 1 (and q = 0)
    q   = clip(round(w / s_c), −127, 127)   int8 (round half to even); −128 is never used
    ŵ   = q · s_c                           the dequantized weight; |ŵ − w| ≤ s_c / 2

Which axis is a channel:

- Dense kernel W (D, U): one scale per column u (per output unit), so the scale comes out of
  the sum: z_u = Σ_d x_d q_du s_u + b_u = (x q)_u · s_u + b_u — an integer-weight matmul
  followed by one multiply per output.
- Embedding table E (V, F): one scale per row v (per token). A lookup returns one row, and
  q[v] · s_v keeps a rare token's small vector as precise as a frequent token's big one
  (PyTorch's quantized Embedding also scales per row). The price: V scales instead of F, i.e.
  4/F bytes per element on top of the 1 — with F = 32, lesson 07's model shrinks to 0.28 of
  its float32 size instead of 0.25.
- LSTM kernel (D, 4U) and recurrent kernel (U, 4U): one scale per column (per gate and unit).
- Biases stay as they are, float32 (they are few, and added after the scale).

Inference (``QuantizedModel.predict``) keeps the int8 arrays and computes in float32 (float64
for a float64 model, so that the error bound can be checked without float32's own rounding)::

    Dense      z = (x @ float32(q)) · s + b,   y = f(z)
    Embedding  y[n, t] = float32(q[ids]) · s[ids]
    LSTM       nanonet's lstm_forward with W = q_W · s_W, R = q_R · s_R (expanded per batch)

float32(q) is exact (|q| ≤ 127) and the matmul runs in BLAS. The alternatives, measured for
x (32, 1024) @ W (1024, 1024) on 2 cores: expanding q per call 0.9 ms; a cached float32 copy
0.6 ms (but it holds the full float weights again, which is what quantizing was to avoid);
an integer matmul — x quantized to int8 too, products accumulated in int32, which is what int8
hardware does — 170 ms, because NumPy's integer matmul has no BLAS. The expansion costs D·U
per batch against N·D·U for the matmul, so it is cheap for any but tiny batches; for an LSTM
the weights are expanded once per batch, not per step, and whole models predict as fast as
their float32 originals (lesson 07's model and the benchmarks' W3, within a few percent).

The error this causes at the output (``error_bound``; derived in its docstring), per Dense
layer with exact inputs x: |Δz_u| ≤ (s_u / 2) · Σ_d |x_d|.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np

from ..fast.activations import activation_forward
from ..fast.lstm import lstm_forward
from ..layers import LSTM, Activation, Dense, Dropout, Embedding
from ..layers.embedding import check_token_ids
from ..layers.lstm import lstm_step_forward
from ..progress import ProgressBar
from ..training.loop import check_verbose
from ..validation import (as_float_array, check_int, first_non_finite, keyword_checked,
                          plain_array, unknown_name_error)
from .weights import layer_weights, require_built_model, weight_nbytes

BITS = (8, 16, 32)
#: the weights stored as int8 with bits=8, and the axis their channels (and scales) run along
INT8_CHANNEL_AXIS = {(Dense, "kernel"): 1, (Embedding, "embeddings"): 0,
                     (LSTM, "kernel"): 1, (LSTM, "recurrent_kernel"): 1}
SUPPORTED = (Dense, Embedding, LSTM, Activation, Dropout)
#: largest |f(a) − f(b)| / |a − b| of each activation
LIPSCHITZ = {"linear": 1.0, "relu": 1.0, "tanh": 1.0, "sigmoid": 0.25}
#: the largest |w| of a channel quantize_int8 stores as zeros (s < float32's smallest normal)
ZERO_CHANNEL_PEAK = 127.0 * float(np.finfo(np.float32).tiny)


# ====================================================================== one array
def _channel_shape(ndim: int, axis: int) -> Tuple[int, ...]:
    """Shape to broadcast a (C,) per-channel vector along `axis` of an `ndim`-D array."""
    return tuple(-1 if a == axis else 1 for a in range(ndim))


def quantize_int8(w: np.ndarray, axis: int) -> Tuple[np.ndarray, np.ndarray]:
    """Symmetric per-channel int8 (module docstring). w: (…) finite floats; `axis`: the axis
    whose entries are the channels (1 for a kernel's columns, 0 for an embedding's rows).
    Returns q: int8 shaped like w, and s: (w.shape[axis],) float32 with |q·s − w| ≤ s/2.

    A channel whose largest |w| is below float32's smallest normal number (~1.2e-38 · 127)
    counts as zero: s = 1, q = 0.
    """
    w64 = plain_array(w, "w", "quantize_int8").astype(np.float64, copy=False)
    others = tuple(a for a in range(w64.ndim) if a != axis)
    scale = (np.max(np.abs(w64), axis=others) / 127.0).astype(np.float32)
    scale[scale < np.finfo(np.float32).tiny] = 1.0
    s = scale.astype(np.float64).reshape(_channel_shape(w64.ndim, axis))
    q = np.clip(np.rint(w64 / s), -127, 127).astype(np.int8)
    return q, scale


def dequantize_int8(q: np.ndarray, scale: np.ndarray, axis: int, dtype=np.float32) -> np.ndarray:
    """ŵ = q · s as `dtype` (float32), the scale broadcast along `axis`."""
    q = plain_array(q, "q", "dequantize_int8")
    scale = plain_array(scale, "scale", "dequantize_int8")
    return q.astype(dtype) * scale.astype(dtype).reshape(_channel_shape(q.ndim, axis))


class StoredWeight:
    """One stored weight: ``values`` (int8 with a per-channel float32 ``scale`` along ``axis``,
    or floats — float16, float32, float64 — with scale None)."""

    def __init__(self, values: np.ndarray, scale: Optional[np.ndarray] = None,
                 axis: Optional[int] = None):
        self.values, self.scale, self.axis = values, scale, axis

    def dequantize(self, dtype=np.float32) -> np.ndarray:
        """The weight as `dtype` (float32): q · s, or the stored floats cast."""
        if self.scale is None:
            return self.values.astype(dtype)
        return dequantize_int8(self.values, self.scale, self.axis, dtype)

    def half_step(self, original: np.ndarray) -> np.ndarray:
        """The guaranteed elementwise bound on |ŵ − w| (float64, shaped like w): s/2 for
        int8 (≈ 0 in a channel stored as zeros); for a float16 copy of float32 weights half an
        ulp, 2⁻¹¹|w| (2⁻²⁵ below float16's normal range); 0 for weights kept as they were."""
        if self.scale is not None:
            s = self.scale.astype(np.float64).reshape(_channel_shape(original.ndim, self.axis))
            others = tuple(a for a in range(original.ndim) if a != self.axis)
            zero = ~np.any(self.values, axis=others, keepdims=True)
            return np.broadcast_to(np.where(zero, ZERO_CHANNEL_PEAK, s / 2), original.shape)
        stored = np.finfo(self.values.dtype)
        if stored.bits >= np.finfo(original.dtype).bits:
            return np.zeros(original.shape)   # kept in its own float dtype (or wider): exact
        return np.maximum(float(stored.eps) / 2 * np.abs(original.astype(np.float64)),
                          float(stored.smallest_subnormal) / 2)

    def actual_error(self, original: np.ndarray) -> np.ndarray:
        """|ŵ − w| elementwise (float64), with ŵ = q · s computed exactly."""
        if self.scale is None:
            return np.abs(self.values.astype(np.float64) - original)
        s = self.scale.astype(np.float64).reshape(_channel_shape(original.ndim, self.axis))
        return np.abs(self.values * s - original)

    def nbytes(self, sparse: bool = False) -> int:
        return weight_nbytes(self.values, sparse) + (0 if self.scale is None
                                                      else int(self.scale.nbytes))


def _store(layer, name: str, w: np.ndarray, bits: int) -> StoredWeight:
    """Weight `name` (values `w`) of `layer` stored with `bits` bits (module docstring)."""
    if bits == 8:
        axis = next((axis for (cls, weight), axis in INT8_CHANNEL_AXIS.items()
                     if isinstance(layer, cls) and weight == name), None)
        if axis is not None:
            return StoredWeight(*quantize_int8(w, axis), axis=axis)
        return StoredWeight(w.copy())          # biases: unchanged (float32)
    if bits == 16:
        largest = float(np.max(np.abs(w))) if w.size else 0.0
        if largest > float(np.finfo(np.float16).max):
            raise ValueError(f"quantize: {layer.describe()}'s weight {name!r} holds values up "
                             f"to {largest:.4g}, beyond float16's range (±65504); use bits=8 "
                             f"(scaled int8) instead.")
        return StoredWeight(w.astype(np.float16))
    return StoredWeight(w.astype(np.float32))


# ====================================================================== layers
class QuantizedLayer:
    """One layer of a QuantizedModel: its name, kind (Dense, Embedding, LSTM, Activation,
    Dropout), the settings inference needs, and its ``weights`` ({name: StoredWeight}, in
    the original layer's get_weights() order)."""

    def __init__(self, layer, weights: Dict[str, np.ndarray], bits: int, dtype):
        self.name, self.kind, self.dtype = layer.name, _kind(layer), dtype
        self.weights: Dict[str, StoredWeight] = {name: _store(layer, name, w, bits)
                                                 for name, w in weights.items()}
        self.activation = getattr(layer, "activation", "linear")
        self.mask_zero = getattr(layer, "mask_zero", False)
        self.return_sequences = getattr(layer, "return_sequences", False)
        self.workspace = None                    # an LSTM's arrays, reused from batch to batch

    def nbytes(self, sparse: bool = False) -> int:
        return sum(w.nbytes(sparse) for w in self.weights.values())

    def bias(self) -> Optional[np.ndarray]:
        stored = self.weights.get("bias")
        return None if stored is None else stored.dequantize(self.dtype)

    def forward(self, x: np.ndarray, mask: Optional[np.ndarray]):
        """(output, mask for the next layer) for the batch `x` — the equations of the module
        docstring; in float32 (float64 for a float64 model) throughout."""
        return _FORWARD[self.kind](self, x, mask)


def _kind(layer) -> str:
    for cls in SUPPORTED:
        if isinstance(layer, cls):
            return cls.__name__
    raise ValueError(f"quantize: {layer.describe()} is not supported; quantize handles "
                     f"models made of {', '.join(c.__name__ for c in SUPPORTED)} layers "
                     f"(and Sigmoid, ReLU, Tanh).")


def _dense(layer: QuantizedLayer, x: np.ndarray, mask):
    """z = (x @ float32(q)) · s + b, y = f(z); with float weights s is absent."""
    kernel = layer.weights["kernel"]
    z = np.matmul(x, kernel.values.astype(layer.dtype))
    if kernel.scale is not None:
        z *= kernel.scale.astype(layer.dtype)
    bias = layer.bias()
    if bias is not None:
        z += bias
    return activation_forward(z, layer.activation, inplace=True)[0], mask


def _embedding(layer: QuantizedLayer, ids: np.ndarray, mask):
    """y[n, t] = float32(q[ids[n, t]]) · s[ids[n, t]]."""
    table = layer.weights["embeddings"]
    y = table.values[ids].astype(layer.dtype)
    if table.scale is not None:
        y *= table.scale[ids][..., None].astype(layer.dtype)
    return y, (ids != 0) if layer.mask_zero else None


def _lstm(layer: QuantizedLayer, x: np.ndarray, mask):
    """nanonet's lstm_forward with the weights expanded to float32 for this batch (its
    outputs are views into the reused workspace, so they are copied)."""
    weights = layer.weights
    hs, h_last, _, cache = lstm_forward(x, weights["kernel"].dequantize(layer.dtype),
                                        weights["recurrent_kernel"].dequantize(layer.dtype),
                                        layer.bias(), mask=mask, workspace=layer.workspace)
    layer.workspace = cache[0]                   # reused by the next batch of the same shape
    if layer.return_sequences:
        return np.ascontiguousarray(hs), mask
    return h_last.copy(), None


def _activation(layer: QuantizedLayer, x: np.ndarray, mask):
    return activation_forward(x, layer.activation)[0], mask


_FORWARD = {"Dense": _dense, "Embedding": _embedding, "LSTM": _lstm,
            "Activation": _activation, "Dropout": lambda layer, x, mask: (x, mask)}


# ====================================================================== the model
class QuantizedModel:
    """A model's architecture with its weights stored in `bits` bits (8: int8 + float32
    scales, float32 biases; 16: float16; 32: float32), for inference only.

    ``predict(x, batch_size=None)``, ``dequantize()`` → a float32 Sequential,
    ``nbytes``, ``layers`` (QuantizedLayer objects), ``summary()``. Inference computes in
    ``compute_dtype``: float32, or float64 for a float64 model (for exact checks).
    """

    def __init__(self, model, bits: int):
        self.bits = bits
        self.name = model.name
        self.compute_dtype = np.dtype(np.float64 if model.dtype == np.float64 else np.float32)
        self.config = model.get_config()
        self.input_shape = tuple(model.layers[0].input_shape)
        self.input_dim = getattr(model.layers[0], "input_dim", None) \
            if isinstance(model.layers[0], Embedding) else None
        self.layers: List[QuantizedLayer] = [
            QuantizedLayer(layer, weights, bits, self.compute_dtype)
            for layer, weights in zip(model.layers, layer_weights(model))]

    @property
    def nbytes(self) -> int:
        """Bytes of the stored arrays (values, scales, biases)."""
        return sum(layer.nbytes() for layer in self.layers)

    @keyword_checked
    def predict(self, x, batch_size: Optional[int] = None, verbose: int = 0) -> np.ndarray:
        """Outputs for `x` (float32; float64 for a float64 model), computed from the stored
        weights in batches of `batch_size` (default 32), quiet unless verbose=1 — the
        arguments of Sequential.predict."""
        where = "QuantizedModel.predict"
        batch_size = check_int(32 if batch_size is None else batch_size, "batch_size", where, 1)
        verbose = check_verbose(verbose, where)
        x = self.prepare_x(x, where)
        progress = ProgressBar(-(-len(x) // batch_size), verbose)
        outputs = []
        with np.errstate(all="ignore"):        # an overflow is reported below, clearly
            for start in range(0, len(x), batch_size):
                out, mask = x[start:start + batch_size], None
                for layer in self.layers:
                    out, mask = layer.forward(out, mask)
                outputs.append(out)
        progress.update(progress.target, {})
        outputs = np.concatenate(outputs, axis=0)
        found = first_non_finite(outputs)
        if found is not None:
            raise ValueError(f"{where}: the output for sample {found[0][0]} is {found[1]} "
                             f"although x is finite — a value overflowed "
                             f"{self.compute_dtype}; scale the inputs (e.g. standardise each "
                             f"feature).")
        return outputs

    def prepare_x(self, x, where: str) -> np.ndarray:
        """`x` (n, …) checked and converted as the first layer takes it (token ids, or floats
        of the compute dtype) and of the model's input shape; errors name `where`."""
        if x is None:
            raise ValueError(f"{where}: x is required.")
        if self.input_dim is not None:
            x = check_token_ids(x, self.input_dim, "x", where)
        else:
            x = as_float_array(x, "x", where, self.compute_dtype)
        expected = self.input_shape
        if x.ndim != len(expected) + 1 or any(e is not None and e != g
                                              for e, g in zip(expected, x.shape[1:])):
            raise ValueError(f"{where}: x has shape {x.shape}, but the model expects "
                             f"{(None,) + expected}.")
        if x.size == 0:
            raise ValueError(f"{where}: x is empty (shape {x.shape}).")
        return x

    def dequantize(self):
        """A float32 Sequential (float64 for a float64 model) with the same architecture and
        the weights ŵ = q · s (or the float16 values widened): the quantized model's function,
        trainable again."""
        from ..models import Sequential

        model = Sequential.from_config(self.config, dtype=self.compute_dtype.name)
        if not model.built:
            model.build((None,) + self.input_shape)
        model.set_weights([w.dequantize(self.compute_dtype) for layer in self.layers
                           for w in layer.weights.values()])
        return model

    def summary(self, print_fn=print) -> None:
        """Print each stored weight: dtype, shape, scale count, bytes."""
        print_fn(f'QuantizedModel "{self.name}", {self.bits}-bit weights')
        print_fn(f"{'weight':<28}{'stored as':<11}{'shape':<14}{'scales':>7}{'bytes':>11}")
        for layer in self.layers:
            for name, w in layer.weights.items():
                scales = 0 if w.scale is None else w.scale.size
                print_fn(f"{layer.name + '/' + name:<28}{w.values.dtype.name:<11}"
                         f"{str(w.values.shape):<14}{scales:>7}{w.nbytes():>11,}")
        print_fn(f"total: {self.nbytes:,} bytes")

    def __repr__(self) -> str:
        kinds = ", ".join(f"{layer.kind} {layer.name!r}" for layer in self.layers)
        return f"QuantizedModel(bits={self.bits}, [{kinds}], {self.nbytes:,} bytes)"


def quantize(model, bits: int = 8) -> QuantizedModel:
    """Post-training quantization of a built Sequential (module docstring): ``bits=8`` stores
    Dense/LSTM kernels and embeddings as int8 with per-channel float32 scales, biases
    unchanged (float32); ``bits=16`` every weight as float16; ``bits=32`` as float32 (a baseline).
    The model is not changed. Layers other than Dense, Embedding, LSTM, activations and
    Dropout → ValueError."""
    where = "quantize"
    require_built_model(model, where)
    if isinstance(bits, bool) or bits not in BITS:
        raise ValueError(f"{where}: bits must be 8 (int8 + scales), 16 (float16) or 32 "
                         f"(float32), got {bits!r}.")
    for layer, weights in zip(model.layers, layer_weights(model)):
        _kind(layer)
        for name, w in weights.items():
            found = first_non_finite(w)
            if found is not None:
                raise ValueError(f"{where}: {layer.describe()}'s weight {name!r} holds "
                                 f"{found[1]} at {list(found[0])}; only finite weights can "
                                 f"be quantized.")
    return QuantizedModel(model, int(bits))


# ====================================================================== the error bound
def error_bound(model, quantized: QuantizedModel, x, weight_errors: str = "half_step"
                ) -> np.ndarray:
    """A guaranteed bound on |quantized.predict(x) − model.predict(x)|, elementwise, in exact
    arithmetic (float32 rounding of either model comes on top, ~1e-6 relative).

    Carried through the layers: e ≥ |x̂ − x| for each layer's input (0 for the model's input),
    with δ ≥ |ŵ − w| elementwise and the float model's own values x, h, c and gates::

        Dense       ẑ − z = Δx Ŵ + x (Ŵ − W)
                    e_z = e |Ŵ| + |x| δ_W (+ δ_b),   e_y = L_f · e_z     (L = ¼ for σ, else 1)
                    (one layer, exact input, int8: |Δz_u| ≤ (s_u/2) Σ_d |x_d|)
        Embedding   e_y = δ_E[ids]                  (s_v/2 for token v)
        LSTM        e_z = e_x |Ŵ| + |x_t| δ_W + e_h |R̂| + |h_{t−1}| δ_R (+ δ_b)
                    e_i, e_f, e_o = min(¼ e_z, 1),  e_c̃ = min(e_z, 2)
                    e_c = e_f |c_{t−1}| + min(1, f + e_f) e_c + e_i |c̃| + min(1, i + e_i) e_c̃
                    e_h = e_o |tanh c_t| + min(1, o + e_o) min(e_c, 2)
                    (from âb̂ − ab = (â − a) b + â (b̂ − b); masked steps carry e_h, e_c on)

    weight_errors: "half_step" — δ = s/2 (int8; half an ulp for float16), the guarantee
    known from the scales alone; "actual" — δ = |ŵ − w| as rounded (tighter).

    It is a worst case: every rounding error is taken with the sign that hurts. For Dense
    layers it is reached (a one-hot input picks out one weight's error) and typically ~30×
    the measured error (lesson 04's model: 3e-2 against 2e-3). Through an LSTM it grows
    geometrically with the sequence length, since e_h |R̂| adds up magnitudes that in fact
    cancel: for lesson 07's model (U = 32, int8) it is 7e-4 at T = 1, 3e-2 at T = 10 and
    useless (> 1) from T ≈ 20, while the measured error stays ~4e-5 at every length.
    `quantized` must be ``quantize(model, bits)`` (the same layers). Returns a float64 array
    shaped like the model's output.
    """
    require_built_model(model, "error_bound")
    if not isinstance(quantized, QuantizedModel) or \
            [layer.name for layer in model.layers] != [q.name for q in quantized.layers]:
        raise ValueError("error_bound: quantized must be quantize(model) of this model (the "
                         "same layers).")
    if weight_errors not in ("half_step", "actual"):
        raise _unknown("error_bound: weight_errors", weight_errors, ("half_step", "actual"))
    x = quantized.prepare_x(x, "error_bound")
    value = x.astype(np.float64) if x.dtype.kind == "f" else x
    err, mask = np.zeros(x.shape), None
    for weights, q_layer in zip(layer_weights(model), quantized.layers):
        layer = _BoundWeights(weights, q_layer, weight_errors)
        value, err, mask = _BOUND[q_layer.kind](layer, value, err, mask)
    return err


def _unknown(where: str, name, valid) -> ValueError:
    return ValueError(f"{where}: {unknown_name_error('name', name, valid)}")


class _BoundWeights:
    """One layer's weights for error_bound: w (float64), |ŵ| and δ ≥ |ŵ − w| by name."""

    def __init__(self, weights: Dict[str, np.ndarray], q_layer: QuantizedLayer, mode: str):
        self.q_layer = q_layer
        self.w = {name: w.astype(np.float64) for name, w in weights.items()}
        stored = q_layer.weights
        self.delta = {name: stored[name].half_step(w) if mode == "half_step"
                      else stored[name].actual_error(w.astype(np.float64))
                      for name, w in weights.items()}
        self.abs_hat = {name: np.abs(stored[name].dequantize(np.float64))
                        for name in self.w}

    def matmul_bound(self, name: str, x: np.ndarray, err: np.ndarray) -> np.ndarray:
        """The error bound of one product x W: e |Ŵ| + |x| δ_W."""
        return err @ self.abs_hat[name] + np.abs(x) @ self.delta[name]

    def bias_bound(self):
        return self.delta.get("bias", 0.0)


def _dense_bound(layer: _BoundWeights, x, err, mask):
    z = x @ layer.w["kernel"] + layer.w.get("bias", 0.0)
    e_z = layer.matmul_bound("kernel", x, err) + layer.bias_bound()
    activation = layer.q_layer.activation
    return activation_forward(z, activation)[0], LIPSCHITZ[activation] * e_z, mask


def _embedding_bound(layer: _BoundWeights, ids, err, mask):
    table = layer.w["embeddings"]
    return table[ids], layer.delta["embeddings"][ids], \
        (ids != 0) if layer.q_layer.mask_zero else None


def _activation_bound(layer: _BoundWeights, x, err, mask):
    activation = layer.q_layer.activation
    return activation_forward(x, activation)[0], LIPSCHITZ[activation] * err, mask


def _lstm_bound(layer: _BoundWeights, x, err, mask):
    """Steps the float LSTM (lstm_step_forward) and the bound of error_bound together."""
    n, steps, _ = x.shape
    w = layer.w
    units = w["recurrent_kernel"].shape[0]
    h, c, e_h, e_c = (np.zeros((n, units)) for _ in range(4))
    hs, e_hs = [], []
    for t in range(steps):
        h_new, c_new, cache = lstm_step_forward(x[:, t], h, c, w["kernel"],
                                                w["recurrent_kernel"], w.get("bias"))
        e_z = layer.matmul_bound("kernel", x[:, t], err[:, t]) \
            + layer.matmul_bound("recurrent_kernel", h, e_h) + layer.bias_bound()
        e_h_new, e_c_new = _lstm_cell_bound(cache[3], c, cache[4], e_z, e_c, units)
        if mask is not None:                     # a masked step carries h, c (and errors) on
            keep = mask[:, t, None]
            h_new, c_new = np.where(keep, h_new, h), np.where(keep, c_new, c)
            e_h_new, e_c_new = np.where(keep, e_h_new, e_h), np.where(keep, e_c_new, e_c)
        h, c, e_h, e_c = h_new, c_new, e_h_new, e_c_new
        hs.append(h)
        e_hs.append(e_h)
    if layer.q_layer.return_sequences:
        return np.stack(hs, axis=1), np.stack(e_hs, axis=1), mask
    return h, e_h, None


def _lstm_cell_bound(gates, c_prev, tanh_c, e_z, e_c_prev, units):
    """(e_h, e_c) of one step from the bound e_z on the pre-activations (error_bound)."""
    i, f, g, o = (gates[:, k * units:(k + 1) * units] for k in range(4))
    e_i, e_f, e_g, e_o = (e_z[:, k * units:(k + 1) * units] for k in range(4))
    e_i, e_f, e_o = (np.minimum(0.25 * e, 1.0) for e in (e_i, e_f, e_o))
    e_g = np.minimum(e_g, 2.0)
    e_c = e_f * np.abs(c_prev) + np.minimum(1.0, f + e_f) * e_c_prev \
        + e_i * np.abs(g) + np.minimum(1.0, i + e_i) * e_g
    e_h = e_o * np.abs(tanh_c) + np.minimum(1.0, o + e_o) * np.minimum(e_c, 2.0)
    return e_h, e_c


_BOUND = {"Dense": _dense_bound, "Embedding": _embedding_bound, "LSTM": _lstm_bound,
          "Activation": _activation_bound,
          "Dropout": lambda layer, x, err, mask: (x, err, mask)}

__all__ = ["quantize", "QuantizedModel", "QuantizedLayer", "StoredWeight", "quantize_int8",
           "dequantize_int8", "error_bound", "BITS"]
