"""nanonet → PyTorch: ``to_torch(model)`` is a ``torch.nn.Module`` with the same layers and weights.

nanonet stores its weights as Keras does, for rows x: z = x W + b with W: (D, U). PyTorch's
``nn.Linear`` stores W as (U, D) and computes z = x Wᵀ + b, so every kernel is transposed.
Layer by layer::

    Dense(U, activation)    → TorchDense(nn.Linear(D, U), activation module)
                              weight = kernelᵀ (U, D),  bias = bias (U,)
    Sigmoid / ReLU / Tanh   → nn.Sigmoid / nn.ReLU / nn.Tanh
    Activation(name)        → the same, nn.Identity for "linear"
    Embedding(V, E)         → TorchEmbedding (an nn.Embedding(V, E)),  weight = embeddings (V, E)
    LSTM(U)                 → TorchLSTM (an nn.LSTM(D, U, batch_first=True))
                              weight_ih_l0 = kernelᵀ (4U, D),  weight_hh_l0 = recurrent_kernelᵀ (4U, U)
                              bias_ih_l0 = bias (4U,),  bias_hh_l0 = 0  (PyTorch adds the two)
    Dropout(rate)           → nn.Dropout(rate)

The LSTM's gates. nanonet (Keras) fuses the four gate blocks as [i, f, c̃, o]; PyTorch fuses
them as [i, f, g, o], where its g is our candidate c̃. The two orders coincide, so the
permutation below is the identity — it is still written out (``TORCH_FROM_KERAS``) and applied,
so the code says which block goes where, and a test checks that any other order fails.

Masking. With ``Embedding(mask_zero=True)`` nanonet's LSTM skips the steps whose id is 0: h and c
are carried over unchanged, so a sequence output repeats the previous h (zeros before the first
real token). nn.LSTM cannot skip arbitrary steps, so TorchSequential passes the mask to
TorchLSTM, which then runs the cell step by step, carrying h and c with ``torch.where``.

The module is returned in training mode, as every new PyTorch module: call ``.eval()`` before
comparing outputs of a model with dropout.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from ..layers.embedding import id_out_of_range

__all__ = ["to_torch", "TorchSequential", "TorchDense", "TorchEmbedding", "TorchLSTM",
           "KERAS_GATES", "TORCH_GATES", "TORCH_FROM_KERAS", "reorder_gates"]

#: the gate blocks of nanonet's (Keras's) fused LSTM matrices, in column order
KERAS_GATES = ("i", "f", "c̃", "o")
#: the gate blocks of PyTorch's fused LSTM matrices, in row order (torch.nn.LSTM's docs)
TORCH_GATES = ("i", "f", "g", "o")
#: which Keras gate each PyTorch gate is: PyTorch's g (the cell candidate) is our c̃
_SAME_GATE = {"i": "i", "f": "f", "g": "c̃", "o": "o"}
#: PyTorch block k holds Keras block TORCH_FROM_KERAS[k] — (0, 1, 2, 3): the orders coincide
TORCH_FROM_KERAS: Tuple[int, ...] = tuple(KERAS_GATES.index(_SAME_GATE[g]) for g in TORCH_GATES)

_TORCH_DTYPES = {np.dtype(np.float16): torch.float16, np.dtype(np.float32): torch.float32,
                 np.dtype(np.float64): torch.float64}
_SUPPORTED = "Dense, Sigmoid, ReLU, Tanh, Activation, Embedding, LSTM and Dropout"
_LSTM_DROPOUT_CHOICES = ("error", "drop")


# ====================================================================== the modules
class TorchDense(nn.Sequential):
    """One nanonet Dense layer: ``TorchDense(linear, activation)``, y = f(x Wᵀ + b).

    linear: nn.Linear(D, U); activation: nn.Sigmoid / nn.ReLU / nn.Tanh / nn.Identity.
    Input (N, ..., D) → output (N, ..., U). A plain nn.Sequential, marked as one layer.
    """


class TorchEmbedding(nn.Embedding):
    """nn.Embedding that refuses ids outside [0, V) with a ValueError (as nanonet does) and
    knows nanonet's ``mask_zero``: ``compute_mask(ids)`` is ids ≠ 0, or None.

    ids: (N, T) integers (torch.long or torch.int) → (N, T, E).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, mask_zero: bool = False,
                 name: str = "embedding", **kwargs):
        super().__init__(num_embeddings, embedding_dim, **kwargs)
        self.mask_zero = bool(mask_zero)
        self.name = name

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        check_token_ids(ids, self.num_embeddings, f"Embedding {self.name!r}")
        return super().forward(ids)

    def compute_mask(self, ids: torch.Tensor) -> Optional[torch.Tensor]:
        """(N, T) bool, True = a real token (id ≠ 0), if mask_zero; else None."""
        return ids != 0 if self.mask_zero else None

    def extra_repr(self) -> str:
        return super().extra_repr() + (", mask_zero=True" if self.mask_zero else "")


class TorchLSTM(nn.LSTM):
    """nn.LSTM (one layer, batch_first) that returns what nanonet's LSTM returns.

    ``forward(x, mask=None)``: x (N, T, D); mask (N, T) bool, True = a real step, or None.
    Output: h_T (N, U), or every h_t (N, T, U) with ``return_sequences``; with
    ``return_state``, the tuple (output, h_T, c_T). Without a mask, nn.LSTM's own (fast) kernel
    runs; with one, the cell is stepped in Python and masked steps carry h and c (nanonet's
    semantics)::

        z = x_t W_ihᵀ + b_ih + h W_hhᵀ + b_hh,   [i, f, g, o] = z's four blocks
        c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g),   h' = σ(o) ⊙ tanh(c')
        h, c ← (h', c') where mask[:, t] else (h, c)

    ``dropped_rates`` records nanonet's dropout / recurrent_dropout left out by
    ``to_torch(..., lstm_dropout="drop")`` ({} if none), so ``from_torch`` can restore them.
    """

    def __init__(self, input_size: int, hidden_size: int, return_sequences: bool = False,
                 return_state: bool = False, name: str = "lstm",
                 dropped_rates: Optional[dict] = None, **kwargs):
        super().__init__(input_size, hidden_size, batch_first=True, **kwargs)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.name = name
        self.dropped_rates = dict(dropped_rates or {})

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None):
        if mask is None:
            sequence, (h_n, c_n) = super().forward(x)
            h, c = h_n[0], c_n[0]
        else:
            sequence, h, c = self._masked_forward(x, mask)
        output = sequence if self.return_sequences else h
        return (output, h, c) if self.return_state else output

    def _masked_forward(self, x: torch.Tensor, mask: torch.Tensor):
        """The module docstring's step loop. Returns (every h_t (N, T, U), h_T, c_T)."""
        n, steps, _ = x.shape
        h = x.new_zeros(n, self.hidden_size)
        c = x.new_zeros(n, self.hidden_size)
        projected = nn.functional.linear(x, self.weight_ih_l0, self.bias_ih_l0 if self.bias
                                         else None)               # (N, T, 4U): one matmul
        if self.bias:
            projected = projected + self.bias_hh_l0
        keep = mask.to(torch.bool).unsqueeze(-1)                    # (N, T, 1)
        outputs = []
        for t in range(steps):
            z = projected[:, t] + nn.functional.linear(h, self.weight_hh_l0)
            i, f, g, o = z.chunk(4, dim=1)                          # PyTorch's order
            c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h_new = torch.sigmoid(o) * torch.tanh(c_new)
            h = torch.where(keep[:, t], h_new, h)
            c = torch.where(keep[:, t], c_new, c)
            outputs.append(h)
        return torch.stack(outputs, dim=1), h, c

    def extra_repr(self) -> str:
        extra = [f"{flag}=True" for flag in ("return_sequences", "return_state")
                 if getattr(self, flag)]
        return ", ".join([super().extra_repr()] + extra)


class TorchSequential(nn.Module):
    """A nanonet Sequential in PyTorch: ``layers`` (an nn.ModuleList, one module per nanonet
    layer) run in order; the mask of a ``TorchEmbedding(mask_zero=True)`` travels to the next
    TorchLSTM, as in nanonet.

    names: nanonet's layer names; input_shape: the per-sample input shape nanonet was built
    for (None = any length), e.g. (None,) for token ids; name: the model's name.
    """

    def __init__(self, layers: Sequence[nn.Module], names: Optional[Sequence[str]] = None,
                 input_shape: Optional[Sequence[Optional[int]]] = None,
                 name: str = "sequential"):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.names = list(names) if names is not None else \
            [f"layer_{index}" for index in range(len(self.layers))]
        if len(self.names) != len(self.layers):
            raise ValueError(f"TorchSequential: got {len(self.layers)} layers but "
                             f"{len(self.names)} names.")
        self.input_shape = None if input_shape is None else tuple(input_shape)
        self.name = name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (N, D) floats, (N, T, D) floats, or (N, T) token ids → the last layer's output."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"TorchSequential {self.name!r}: expected a torch.Tensor, got "
                            f"{type(x).__name__}; convert it with torch.as_tensor(x) (token "
                            f"ids as torch.long, features in the model's float dtype).")
        mask = None
        for layer in self.layers:
            if isinstance(layer, TorchEmbedding):
                mask = layer.compute_mask(x)
                x = layer(x)
            elif isinstance(layer, TorchLSTM):
                x = layer(x, mask=mask)
                mask = mask if layer.return_sequences else None
            else:
                x = layer(x)
        return x


def check_token_ids(ids: torch.Tensor, input_dim: int, where: str) -> None:
    """Raise a TypeError unless `ids` is an integer tensor, a ValueError (naming the first bad
    position) unless every id is in [0, input_dim) — instead of torch's IndexError."""
    if not isinstance(ids, torch.Tensor) or ids.dtype not in (torch.int64, torch.int32):
        got = ids.dtype if isinstance(ids, torch.Tensor) else type(ids).__name__
        raise TypeError(f"{where}: token ids must be an integer tensor (torch.long or "
                        f"torch.int), got {got}.")
    if ids.numel() == 0:
        return
    bad = (ids < 0) | (ids >= input_dim)
    if bool(bad.any()):
        index = [int(i) for i in torch.nonzero(bad)[0]]
        raise id_out_of_range(int(ids[tuple(index)]), index, "ids", input_dim, where)


# ====================================================================== the conversion
def to_torch(model, lstm_dropout: str = "error") -> nn.Module:
    """A ``torch.nn.Module`` with `model`'s architecture and weights (module docstring).

    model: a built nanonet ``Sequential`` → a ``TorchSequential``; or one built nanonet layer
    → that layer's module (the way to export an ``LSTM(return_state=True)``, which a
    Sequential cannot hold: its module returns (output, h_T, c_T)).
    lstm_dropout: what to do with an LSTM's ``dropout`` / ``recurrent_dropout``, which
    nn.LSTM cannot reproduce (it has no recurrent dropout, and applies its dropout between
    stacked layers, not to the inputs): "error" (default) refuses; "drop" exports the LSTM
    without them — outputs in eval mode are identical, training in PyTorch is then without
    that dropout (the rates are kept in ``TorchLSTM.dropped_rates``).

    The module's floats have the model's dtype (float32 by default; float64 works too), its
    parameters are fresh copies (training one never changes the other), and creating it
    leaves PyTorch's random generator where it was.
    """
    from ..layers.base import Layer
    from ..models import Sequential

    if lstm_dropout not in _LSTM_DROPOUT_CHOICES:
        raise ValueError(f"to_torch: lstm_dropout must be 'error' or 'drop', got "
                         f"{lstm_dropout!r}.")
    if isinstance(model, Layer):
        if not model.built:
            raise ValueError(f"to_torch: {model.describe()} is not built yet, so its weights "
                             f"do not exist; call it on data or layer.build(input_shape) first.")
        return _convert_layer(model, _torch_dtype(model.dtype, model.describe()), lstm_dropout)
    if not isinstance(model, Sequential):
        raise TypeError(f"to_torch: expected a nanonet Sequential (or one nanonet layer), got "
                        f"{type(model).__name__}.")
    if not model.layers:
        raise ValueError(f"to_torch: the model {model.name!r} has no layers.")
    if not model.built:
        raise ValueError(f"to_torch: the model {model.name!r} is not built yet, so its weights "
                         f"do not exist. Call model.build(input_shape), give the first layer "
                         f"an input_shape (or input_length for an Embedding), or run "
                         f"model.predict on some data first.")
    dtype = _torch_dtype(model.dtype, f"the model {model.name!r}")
    if getattr(model, "compute_dtype", model.dtype) != model.dtype:
        raise ValueError(f"to_torch: the model {model.name!r} trains in mixed precision "
                         f"(float16 compute, float32 weights); export a float32 copy: "
                         f"build the same layers with dtype='float32', copy the weights with "
                         f"set_weights(model.get_weights()), and export that (in PyTorch, "
                         f"torch.autocast gives mixed precision back).")
    for layer in model.layers:
        if layer.dtype != model.dtype:
            raise ValueError(f"to_torch: {layer.describe()} computes in {layer.dtype}, the "
                             f"model in {model.dtype}; a PyTorch module has one dtype — build "
                             f"the layers without their own dtype.")
    modules = [_convert_layer(layer, dtype, lstm_dropout) for layer in model.layers]
    return TorchSequential(modules, names=[layer.name for layer in model.layers],
                           input_shape=model.layers[0].input_shape, name=model.name)


def _torch_dtype(dtype, what: str) -> torch.dtype:
    try:
        return _TORCH_DTYPES[np.dtype(dtype)]
    except KeyError:
        raise ValueError(f"to_torch: {what} has dtype {dtype}; PyTorch export supports "
                         f"float16, float32 and float64.") from None


def _convert_layer(layer, dtype: torch.dtype, lstm_dropout: str) -> nn.Module:
    """The module of one built nanonet layer (its exact class: subclasses may compute
    something else)."""
    from .. import layers as nl

    converters = {nl.Dense: _dense, nl.Activation: _activation, nl.Sigmoid: _activation,
                  nl.ReLU: _activation, nl.Tanh: _activation, nl.Embedding: _embedding,
                  nl.LSTM: _lstm, nl.Dropout: _dropout}
    converter = converters.get(type(layer))
    if converter is None:
        raise ValueError(f"to_torch: {layer.describe()} has no PyTorch conversion; "
                         f"supported layers: {_SUPPORTED}.")
    with torch.no_grad():
        return converter(layer, dtype, lstm_dropout)


def _activation_module(name: str) -> nn.Module:
    return {"linear": nn.Identity, "sigmoid": nn.Sigmoid, "relu": nn.ReLU,
            "tanh": nn.Tanh}[name]()


def _empty(cls, *args, dtype: torch.dtype, **kwargs) -> nn.Module:
    """`cls(*args, **kwargs)`, whose parameters we then overwrite. PyTorch initialises them
    at random; the generator's state is restored afterwards, so exporting never shifts a
    user's seeded PyTorch run. (Not the meta device: its first use imports sympy, ~1 s.)"""
    with torch.random.fork_rng(devices=[]):
        return cls(*args, dtype=dtype, **kwargs)


def _tensor(array: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
    """A copy of `array` as a contiguous tensor (never sharing nanonet's memory)."""
    return torch.tensor(np.ascontiguousarray(array), dtype=dtype)


def _dense(layer, dtype, lstm_dropout) -> nn.Module:
    """weight = kernelᵀ: (U, D); bias: (U,)."""
    kernel = layer.params["kernel"]
    linear = _empty(nn.Linear, kernel.shape[0], kernel.shape[1], bias=layer.use_bias,
                    dtype=dtype)
    linear.weight.copy_(_tensor(kernel.T, dtype))
    if layer.use_bias:
        linear.bias.copy_(_tensor(layer.params["bias"], dtype))
    return TorchDense(linear, _activation_module(layer.activation))


def _activation(layer, dtype, lstm_dropout) -> nn.Module:
    return _activation_module(layer.activation)


def _embedding(layer, dtype, lstm_dropout) -> nn.Module:
    """weight = embeddings: (V, E), the same table."""
    module = _empty(TorchEmbedding, layer.input_dim, layer.output_dim,
                    mask_zero=layer.mask_zero, name=layer.name, dtype=dtype)
    module.weight.copy_(_tensor(layer.params["embeddings"], dtype))
    return module


def _dropout(layer, dtype, lstm_dropout) -> nn.Module:
    if layer.noise_shape is not None:
        raise ValueError(f"to_torch: {layer.describe()} has noise_shape={layer.noise_shape}, "
                         f"which nn.Dropout cannot reproduce (it draws one value per "
                         f"element); export a model without noise_shape.")
    return nn.Dropout(layer.rate)


def reorder_gates(array: np.ndarray, order: Sequence[int], axis: int = -1) -> np.ndarray:
    """`array` with its four gate blocks along `axis` (each of size U) re-arranged: block k of
    the result is block order[k] of `array`. (D, 4U) → (D, 4U), (4U,) → (4U,)."""
    blocks = np.split(array, 4, axis=axis)
    return np.concatenate([blocks[k] for k in order], axis=axis)


def _lstm(layer, dtype, lstm_dropout) -> nn.Module:
    """weight_ih_l0 = kernelᵀ, weight_hh_l0 = recurrent_kernelᵀ, gate blocks from Keras's
    [i, f, c̃, o] to PyTorch's [i, f, g, o]; bias_ih_l0 = bias, bias_hh_l0 = 0."""
    rates = {name: getattr(layer, name) for name in ("dropout", "recurrent_dropout")
             if getattr(layer, name) > 0}
    if rates and lstm_dropout == "error":
        listed = ", ".join(f"{name}={value}" for name, value in rates.items())
        raise ValueError(
            f"to_torch: {layer.describe()} has {listed}, which nn.LSTM cannot reproduce "
            f"(it has no recurrent dropout, and its dropout acts between stacked layers). "
            f"Pass lstm_dropout='drop' to export the LSTM without them: outputs in eval mode "
            f"are identical, but training in PyTorch is then without that dropout.")
    kernel, recurrent = layer.params["kernel"], layer.params["recurrent_kernel"]
    order = TORCH_FROM_KERAS
    module = _empty(TorchLSTM, kernel.shape[0], layer.units, bias=layer.use_bias,
                    return_sequences=layer.return_sequences, return_state=layer.return_state,
                    name=layer.name, dropped_rates=rates, dtype=dtype)
    module.weight_ih_l0.copy_(_tensor(reorder_gates(kernel, order).T, dtype))
    module.weight_hh_l0.copy_(_tensor(reorder_gates(recurrent, order).T, dtype))
    if layer.use_bias:
        module.bias_ih_l0.copy_(_tensor(reorder_gates(layer.params["bias"], order), dtype))
        module.bias_hh_l0.zero_()
    return module

