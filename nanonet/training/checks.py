"""The checks at a Sequential's entry points: the layers, shapes, metrics, data and weights a
user hands the model are checked once, there, with errors naming the method and what it
expected — so the inner loops (training/step.py, training/loop.py) check nothing.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np

from .. import metrics as metrics_module
from .. import precision
from ..layers.base import Layer
from ..validation import (as_array, as_float_array, cast_checked, check_not_empty,
                          check_same_length, check_shape, check_targets_shape,
                          shape_matches, show_value)


def layer_list(layers) -> list:
    """``Sequential(layers)``'s `layers` as a list: None, one layer, or an iterable of them."""
    if layers is None:
        return []
    if isinstance(layers, Layer):
        return [layers]
    if isinstance(layers, (str, bytes, dict)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"Sequential: layers must be a list of nanonet layers, e.g. "
                        f"[layers.Dense(1)], got {layers!r} ({type(layers).__name__}).")
    return layers


def check_new_layer(model, layer) -> None:
    """What ``model.add(layer)`` refuses: no layer, a layer with return_state=True, a layer of
    another model, a dtype a mixed-precision model cannot use."""
    if not isinstance(layer, Layer):
        hint = ""
        if isinstance(layer, type):
            hint = " — did you pass the class instead of an instance, e.g. Dense instead of Dense(1)?"
        elif isinstance(layer, str):
            hint = f" — for an activation use layers.Activation({layer!r})."
        raise TypeError(f"Sequential.add: expected a nanonet layer, got {layer!r}{hint}")
    if getattr(layer, "return_state", False):
        raise ValueError(f"Sequential.add: {layer.describe()} has return_state=True, so it "
                         f"returns a list [output, h, c], which a Sequential cannot pass "
                         f"on; call the layer directly to get its states.")
    if getattr(layer, "model", None) is not None:
        raise ValueError(f"Sequential.add: {layer.describe()} already belongs to a model; "
                         f"create a new layer instead of sharing one.")
    if model.dtype_policy.mixed and layer.dtype is not None and layer.dtype != model.dtype:
        raise ValueError(f"Sequential.add: {layer.describe()} has dtype {layer.dtype}, but "
                         f"a {model.dtype_policy.name} model sets its layers' dtypes itself "
                         f"(float32 weights, {model.compute_dtype} computations); create the "
                         f"layer without a dtype.")


def layer_name(layers, layer) -> str:
    """The name `layer` gets among `layers`: its own (refused if taken), or its default name
    with the first free suffix (dense, dense_1, …)."""
    taken = {existing.name for existing in layers}
    if layer.name is None:
        name, index = layer.default_name, 0
        while name in taken:
            index += 1
            name = f"{layer.default_name}_{index}"
        return name
    if layer.name in taken:
        raise ValueError(f"Sequential.add: a layer named {layer.name!r} is already in the "
                         f"model; layer names must be unique.")
    return layer.name


def config_precision(config, dtype) -> tuple:
    """(Policy, LossScale or None) of a ``get_config()`` dict, `dtype` overriding the stored
    one (a stored loss scale is used only if the dtype is mixed); refuses what is no config."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError(f"Sequential.from_config: expected a dict with a list of 'layers' "
                         f"(as get_config() returns), got "
                         f"{config if not isinstance(config, dict) else sorted(config)!r}.")
    policy = precision.get_policy(dtype if dtype is not None else config.get("dtype", "float32"),
                                  "Sequential.from_config")
    loss_scale = config.get("loss_scale")
    loss_scale = precision.LossScale.from_config(loss_scale) \
        if loss_scale is not None and policy.mixed else None
    return policy, loss_scale


def build_shape(model, input_shape) -> Optional[tuple]:
    """``model.build``'s `input_shape` as one sample's shape, e.g. (20,) or (None, 8); None if
    the model is already built for it (an error if built for another)."""
    if not model.layers:
        raise ValueError("Sequential.build: the model has no layers; add some first.")
    if input_shape is None:
        input_shape = model.known_input_shape()
        if input_shape is None:
            raise ValueError(
                "Sequential.build: the input shape is unknown. Pass it, e.g. "
                "model.build((20,)), give the first layer input_shape=(20,) (or "
                "input_length for Embedding), or call fit/predict with data.")
    input_shape = check_shape(input_shape, "input_shape", "Sequential.build")
    if input_shape and input_shape[0] is None:
        input_shape = input_shape[1:]
    if not input_shape:
        raise ValueError("Sequential.build: input_shape must give the size of each "
                         "sample, e.g. (None, 20) or (20,), got (None,).")
    if model.built:
        built_for = tuple(model.layers[0].input_shape)
        if not shape_matches(input_shape, built_for) or len(input_shape) != len(built_for):
            raise ValueError(
                f"Sequential.build: the model is already built for inputs of shape "
                f"{(None,) + built_for}, got input_shape {(None,) + input_shape}. A built "
                f"model's input size cannot change (its weights are sized for it); build "
                f"a new model for the new size.")
        return None
    return input_shape


def compiled_metrics(metrics) -> List[Tuple[str, object]]:
    """``compile``'s `metrics` (one name or function, or a list of them) as (name shown in
    History, function) pairs. Two with the same name are refused, as Keras ("Found two
    metrics with the same name"): History keeps one value per name, so one would vanish."""
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    if metrics is not None and (isinstance(metrics, (dict, set, frozenset))
                                or not hasattr(metrics, "__iter__")):
        raise TypeError(f"Sequential.compile: metrics must be a list of names or "
                        f"functions, e.g. metrics=['accuracy'], got {metrics!r} "
                        f"({type(metrics).__name__}).")
    pairs, given = [], {"loss": "the loss"}
    for metric in list(metrics or []):
        name, function = metrics_module.get(metric)
        if name in given:
            raise ValueError(
                f"Sequential.compile: metrics {show_value(metric)} and {given[name]} both "
                f"report as {name!r}, and History keeps one value per name; list each metric "
                f"once, and give functions of your own different names (def my_metric("
                f"y_true, y_pred): …).")
        given[name] = show_value(metric)
        pairs.append((name, function))
    return pairs


def prepare_x(model, x, where: str) -> np.ndarray:
    """See ``Sequential.prepare_x``. `x` (and prepare_xy's `y`) may be any array-like
    (validation.as_array): ndarray subclasses — np.matrix, np.memmap — are read as plain
    arrays, masked arrays are a TypeError."""
    if not model.layers:
        raise ValueError(f"{where}: the model has no layers; add some first.")
    if x is None:
        raise ValueError(f"{where}: x is required.")
    x = model.layers[0].prepare_input(x, "x", where)
    if x.size == 0 or x.ndim == 0:
        check_not_empty(x, "x", where)
        raise ValueError(f"{where}: x has shape {x.shape}: its samples are empty (a "
                         f"dimension of size 0 after the batch); expected at least one "
                         f"feature (or timestep) per sample.")
    if not model.built:
        model.build_layers(model.layers[0].shape_from_data(x.shape[1:]))
    expected = model.layers[0].input_shape
    if not shape_matches(x.shape[1:], expected):
        raise ValueError(
            f"{where}: x has shape {x.shape}, but the model expects "
            f"{(None,) + tuple(expected)} — "
            f"its first layer, {model.layers[0].describe()}, was built for that. Build a new "
            f"model for a different input size.")
    return x


def prepare_xy(model, x, y, where: str) -> Tuple[np.ndarray, np.ndarray]:
    """See ``Sequential.prepare_xy``."""
    x = prepare_x(model, x, where)
    if y is None:
        raise ValueError(f"{where}: y (the targets) is required.")
    y = as_float_array(y, "y", where, model.dtype)
    check_same_length(x, y, where)
    output = tuple(model.layers[-1].output_shape)
    if model.loss is None:
        return x, check_targets_shape(y, output, where)
    model.loss.check_targets(y, where)
    return x, model.loss.targets_for(y, output, where)


def weight_lists(model, weights) -> List[list]:
    """``set_weights``'s `weights` checked against every layer's (before any is written): one
    list of arrays per layer, cast as the layer (or, mixed, its float32 masters) holds them."""
    where = "Sequential.set_weights"
    if not model.built:
        raise ValueError("Sequential.set_weights: the model is not built yet, so its "
                         "weights do not exist; call build(input_shape) or give the first "
                         "layer an input_shape.")
    if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
        raise TypeError(f"{where}: weights must be a list of arrays (as get_weights() "
                        f"returns), got {type(weights).__name__}.")
    weights = list(weights)
    expected = [(layer, name, p.shape) for layer in model.layers
                for name, p in layer.params.items()]
    if len(weights) != len(expected):
        listing = ", ".join(f"{layer.name}/{name} {shape}" for layer, name, shape in expected)
        raise ValueError(f"{where}: expected {len(expected)} arrays "
                         f"({listing}), got {len(weights)}.")
    checked, offset = [], 0                  # check every layer's before writing any
    for layer in model.layers:
        count = len(layer.params)
        given = weights[offset:offset + count]
        values = layer.checked_weights(given, f"{where}: {layer.describe()}")
        if model.dtype_policy.mixed:          # (float16-representable, checked above)
            values = [cast_checked(as_array(value, f"weight {name!r}", where), model.dtype,
                                   f"weight {name!r}", f"{where}: {layer.describe()}")
                      for name, value in zip(layer.params, given)]
        checked.append(values)
        offset += count
    return checked
