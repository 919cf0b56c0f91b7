"""PyTorch → nanonet: ``from_torch(module)`` is the nanonet model with the module's weights.

The inverse of ``to_torch`` (see torch_export.py for the correspondence, module by module)::

    nn.Linear(D, U) [+ nn.Sigmoid / nn.ReLU / nn.Tanh / nn.Identity]
                       → Dense(U, activation)       kernel = weightᵀ (D, U), bias (U,)
    nn.Sigmoid / nn.ReLU / nn.Tanh / nn.Identity
                       → Sigmoid / ReLU / Tanh / Activation("linear")
    nn.Dropout(p)      → Dropout(p)
    nn.Embedding(V, E) → Embedding(V, E)            embeddings = weight (V, E)
    nn.LSTM(D, U)      → LSTM(U)                    kernel = weight_ih_l0ᵀ (D, 4U),
                                                    recurrent_kernel = weight_hh_l0ᵀ (U, 4U),
                                                    bias = bias_ih_l0 + bias_hh_l0 (4U,)

with the LSTM's gate blocks put back from PyTorch's [i, f, g, o] into Keras's [i, f, c̃, o]
(the same order: the permutation is the identity, written out). Only what nanonet computes
identically is accepted: an nn.LSTM with one layer, one direction, batch_first=True and no
proj_size; an nn.Embedding without max_norm (its padding_idx, scale_grad_by_freq and sparse
only change PyTorch's training, and are dropped).

The round trip is exact: ``from_torch(to_torch(model)).get_weights()`` equals
``model.get_weights()`` bit for bit (PyTorch's bias_hh is 0, so the sum is ours untouched).
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np
import torch
from torch import nn

from .torch_export import (TORCH_FROM_KERAS, TorchDense, TorchEmbedding, TorchLSTM,
                           TorchSequential, reorder_gates)

__all__ = ["from_torch"]

_NUMPY_DTYPES = {torch.float16: np.float16, torch.float32: np.float32,
                 torch.float64: np.float64}
_ACTIVATIONS = {nn.Sigmoid: "sigmoid", nn.ReLU: "relu", nn.Tanh: "tanh", nn.Identity: "linear"}
_SUPPORTED = ("supported: nn.Linear (optionally followed by nn.Sigmoid, nn.ReLU, nn.Tanh or "
              "nn.Identity), nn.Sigmoid, nn.ReLU, nn.Tanh, nn.Identity, nn.Dropout, "
              "nn.Embedding, and nn.LSTM with one layer, one direction, batch_first=True and "
              "no proj_size — alone, in a torch.nn.Sequential, or in to_torch's "
              "TorchSequential")


class _Converted:
    """One nanonet layer to be, with its weights (get_weights() order) and input shape."""

    def __init__(self, layer, weights: List[np.ndarray], input_shape=None):
        self.layer, self.weights, self.input_shape = layer, weights, input_shape


def from_torch(module: nn.Module, seed: Optional[int] = None):
    """The nanonet model (or layer) computing what `module` computes, with its weights.

    module: a container — to_torch's ``TorchSequential`` or a ``torch.nn.Sequential`` of the
    modules in the module docstring — becomes a built ``Sequential``; one layer's module
    (what ``to_torch(layer)`` returns, or a lone nn.Linear, nn.Embedding, nn.LSTM, …) becomes
    that nanonet layer, built (weightless ones build on their first call). A lone nn.LSTM
    returns (output, (h, c)), so it becomes ``LSTM(return_sequences=True, return_state=True)``;
    inside an nn.Sequential only the last module may be an nn.LSTM (PyTorch would pass its
    tuple on), and it becomes ``LSTM(return_sequences=True)``.
    seed: the new model's seed (its dropout and shuffling streams; the weights are the module's).

    The dtype is the parameters' (float32 or float64; float16 works too).
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(module).__name__}.")
    dtype = _dtype_of(module)
    if isinstance(module, TorchSequential):
        groups = [(_flatten(entry, str(index)), name)
                  for index, (entry, name) in enumerate(zip(module.layers, module.names))]
        converted = []
        for index, (modules, name) in enumerate(groups):
            layers = _convert_all(modules, dtype, masks_flow=True,
                                  ends_model=index == len(groups) - 1)
            if len(layers) == 1:
                layers[0].layer.name = name
            converted += layers
        return _model(converted, dtype, seed, module.input_shape, module.name)
    if type(module) is nn.Sequential:
        modules = _flatten(module, "")
        if not modules:
            raise ValueError("from_torch: the nn.Sequential is empty; nothing to convert.")
        converted = _convert_all(modules, dtype, masks_flow=False)
        return _model(converted, dtype, seed, None, "sequential")
    converted = _convert_all(_flatten(module, ""), dtype, masks_flow=True, alone=True)
    if len(converted) != 1:
        raise ValueError(f"from_torch: {type(module).__name__} holds {len(converted)} layers; "
                         f"pass it as a torch.nn.Sequential to get a nanonet Sequential.")
    return _built_layer(converted[0], dtype, seed)


# ====================================================================== walking the modules
def _flatten(module: nn.Module, path: str) -> List[Tuple[str, nn.Module]]:
    """(path, module) of every leaf, nested nn.Sequential (and TorchDense) opened in order."""
    if type(module) is nn.Sequential or type(module) is TorchDense:
        leaves = []
        for name, child in module.named_children():
            leaves += _flatten(child, f"{path}.{name}" if path else name)
        return leaves
    return [(path, module)]


def _describe(path: str, module: nn.Module) -> str:
    return f"module {path!r} ({type(module).__name__})" if path else type(module).__name__


def _convert_all(modules: List[Tuple[str, nn.Module]], dtype, masks_flow: bool,
                 alone: bool = False, ends_model: bool = True) -> List[_Converted]:
    """nanonet layers for a list of leaf modules: a Linear and the activation after it
    merge into one Dense. ends_model: the list's last module is the model's last. masks_flow: a TorchEmbedding's mask_zero reaches the LSTMs (in a
    TorchSequential); in an nn.Sequential it does not, so the embedding is imported without."""
    from .. import layers as nl

    converted, index = [], 0
    while index < len(modules):
        path, module = modules[index]
        kind = type(module)
        if kind is nn.Linear:
            activation = "linear"
            if index + 1 < len(modules) and type(modules[index + 1][1]) in _ACTIVATIONS:
                activation = _ACTIVATIONS[type(modules[index + 1][1])]
                index += 1
            converted.append(_linear(module, activation, dtype))
        elif kind in _ACTIVATIONS:
            name = _ACTIVATIONS[kind]
            layer = {"sigmoid": nl.Sigmoid, "relu": nl.ReLU, "tanh": nl.Tanh}.get(name)
            converted.append(_Converted(layer(dtype=dtype) if layer
                                        else nl.Activation("linear", dtype=dtype), []))
        elif kind is nn.Dropout:
            converted.append(_Converted(nl.Dropout(module.p, dtype=dtype), []))
        elif kind in (nn.Embedding, TorchEmbedding):
            converted.append(_embedding(module, path, dtype, masks_flow))
        elif kind in (nn.LSTM, TorchLSTM):
            is_last = ends_model and index == len(modules) - 1
            converted.append(_lstm(module, path, dtype, is_last, alone))
        else:
            raise ValueError(f"from_torch: {_describe(path, module)} has no nanonet "
                             f"counterpart; {_SUPPORTED}.")
        index += 1
    return converted


def _dtype_of(module: nn.Module) -> np.dtype:
    dtypes = {p.dtype for p in module.parameters()}
    if len(dtypes) > 1:
        raise ValueError(f"from_torch: the module's parameters mix the dtypes "
                         f"{sorted(str(d) for d in dtypes)}; a nanonet model has one dtype — "
                         f"convert the module first, e.g. module.float() or module.double().")
    dtype = dtypes.pop() if dtypes else torch.float32
    if dtype not in _NUMPY_DTYPES:
        raise ValueError(f"from_torch: the module's parameters are {dtype}; nanonet supports "
                         f"float16, float32 and float64 (e.g. module.float() first).")
    return np.dtype(_NUMPY_DTYPES[dtype])


def _array(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy()


# ====================================================================== module by module
def _linear(module: nn.Linear, activation: str, dtype) -> _Converted:
    """kernel = weightᵀ (D, U); bias (U,)."""
    from .. import layers as nl

    layer = nl.Dense(module.out_features, activation=activation,
                     use_bias=module.bias is not None, dtype=dtype)
    weights = [_array(module.weight).T] + ([_array(module.bias)] if module.bias is not None
                                           else [])
    return _Converted(layer, weights, (module.in_features,))


def _embedding(module: nn.Embedding, path: str, dtype, masks_flow: bool) -> _Converted:
    """embeddings = weight (V, E)."""
    from .. import layers as nl

    if module.max_norm is not None:
        raise ValueError(f"from_torch: {_describe(path, module)} has max_norm="
                         f"{module.max_norm}, which rescales looked-up rows in the forward "
                         f"pass; nanonet's Embedding has no such option. Use max_norm=None.")
    mask_zero = masks_flow and getattr(module, "mask_zero", False)
    layer = nl.Embedding(module.num_embeddings, module.embedding_dim, mask_zero=mask_zero,
                         dtype=dtype)
    return _Converted(layer, [_array(module.weight)], (None,))


def _lstm(module: nn.LSTM, path: str, dtype, is_last: bool, alone: bool) -> _Converted:
    """kernel = weight_ih_l0ᵀ, recurrent_kernel = weight_hh_l0ᵀ, bias = bias_ih + bias_hh,
    gate blocks from PyTorch's [i, f, g, o] back to Keras's [i, f, c̃, o]."""
    from .. import layers as nl

    where = f"from_torch: {_describe(path, module)}"
    problems = [problem for problem, bad in (
        (f"num_layers={module.num_layers} (stack single-layer LSTMs with return_sequences "
         f"instead)", module.num_layers != 1),
        ("bidirectional=True", module.bidirectional),
        ("batch_first=False (nanonet is batch-first: create it with batch_first=True)",
         not module.batch_first),
        (f"proj_size={module.proj_size}", module.proj_size != 0)) if bad]
    if problems:
        raise ValueError(f"{where} has {'; '.join(problems)}. nanonet's LSTM is one layer, "
                         f"one direction, batch-first, without projection.")
    if type(module) is TorchLSTM:
        flags = {"return_sequences": module.return_sequences,
                 "return_state": module.return_state, **module.dropped_rates}
        if module.return_state and not alone:
            raise ValueError(f"{where} has return_state=True, so it returns (output, h, c), "
                             f"which a nanonet Sequential cannot pass on; convert it alone.")
    elif alone:
        flags = {"return_sequences": True, "return_state": True}
    elif not is_last:
        raise ValueError(f"{where} is followed by other modules, but an nn.LSTM returns the "
                         f"tuple (output, (h, c)), which PyTorch's nn.Sequential passes on "
                         f"as it is. Put it last, or use to_torch's TorchLSTM, which returns "
                         f"a tensor as nanonet's LSTM does.")
    else:
        flags = {"return_sequences": True}
    keras_from_torch = [TORCH_FROM_KERAS.index(k) for k in range(4)]   # the inverse
    weights = [reorder_gates(_array(module.weight_ih_l0).T, keras_from_torch),
               reorder_gates(_array(module.weight_hh_l0).T, keras_from_torch)]
    if module.bias:
        bias_ih, bias_hh = _array(module.bias_ih_l0), _array(module.bias_hh_l0)
        bias = bias_ih if not bias_hh.any() else bias_ih + bias_hh      # to_torch's: exact
        weights.append(reorder_gates(bias, keras_from_torch))
    layer = nl.LSTM(module.hidden_size, use_bias=module.bias, dtype=dtype, **flags)
    return _Converted(layer, weights, (None, module.input_size))


# ====================================================================== assembling
def _model(converted: List[_Converted], dtype, seed, input_shape, name: str):
    """A built Sequential of the converted layers, holding their weights."""
    from ..models import Sequential

    if input_shape is None:
        input_shape = next((c.input_shape for c in converted if c.input_shape is not None),
                           None)
    if input_shape is None:
        raise ValueError("from_torch: the module has no layer with weights, so the input "
                         "size is unknown; nothing to convert.")
    model = Sequential([c.layer for c in converted], seed=seed, dtype=dtype, name=name)
    model.build((None,) + tuple(input_shape))
    model.set_weights([w for c in converted for w in c.weights])
    return model


def _built_layer(converted: _Converted, dtype, seed):
    layer = converted.layer
    if converted.input_shape is not None:
        layer.build(converted.input_shape, np.random.default_rng(seed), dtype)
        layer.set_weights(converted.weights)
    return layer
