"""check_layer and check_model: a layer's or a compiled model's backward pass, checked in float64.

Each is checked on a float64 copy (same config and weights); a layer's output is reduced with
a random upstream gradient per output, a model's with its own loss.
"""
from __future__ import annotations

from typing import List

import numpy as np

from ..validation import as_array, show_value
from .comparison import compare
from .numerical import estimate_gradient
from .reports import GradCheckReport
from .settings import DEFAULT_EPS, DEFAULT_TOL, check_settings, noise_floor


def check_layer(layer, x, training: bool = False, mask=None, eps: float = DEFAULT_EPS,
                tol: float = DEFAULT_TOL, seed: int = 0) -> GradCheckReport:
    """Check a layer's backward pass (input gradient and every weight) at input `x`.

    A float64 copy of the layer is checked (same config; same weights if it is built, else
    new ones from `seed`). `x` is a batch (N, …) with N ≥ 1 (token ids for an Embedding;
    anything else is checked as float64, so int inputs get an input-gradient row too).
    Randomness inside the layer (dropout with ``training=True``) is re-seeded before every
    forward pass, so the same masks are used throughout; `mask` (N, T) is passed to forward as
    an Embedding would. A layer returning a list (an LSTM with ``return_state``) gets one
    random upstream gradient per output.
    """
    where = "check_layer"
    _check_layer_instance(layer, where)
    eps, tol, seed = check_settings(eps, tol, seed, where)
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"{where}: training must be True or False, got {show_value(training)}.")
    probe, x = _float64_copy(layer, x, seed, where)
    mask = _check_mask(mask, x, where)

    def forward() -> List[np.ndarray]:
        probe.rng = np.random.default_rng(seed)
        output = probe.forward(x, training=training, mask=mask)
        return list(output) if isinstance(output, (list, tuple)) else [output]

    outputs = forward()
    rng = np.random.default_rng(seed + 1)
    douts = [rng.standard_normal(output.shape) for output in outputs]
    probe.needs_input_grad = x.dtype.kind == "f"
    dx = probe.backward(douts if len(douts) > 1 else douts[0])
    analytic = {name: g.copy() for name, g in probe.grads.items()}
    with np.errstate(over="ignore"):
        scale = sum(float(np.abs(o * d).sum()) for o, d in zip(outputs, douts))
    if not np.isfinite(scale):
        raise ValueError(f"{where}: the layer's outputs are too large to check numerically "
                         f"(x reaches {float(np.abs(x).max()):.3g}); check it at inputs of "
                         f"moderate size.")
    noise = noise_floor(scale, eps)

    def reduced(_=None) -> float:
        return sum(float(np.sum(o * d)) for o, d in zip(forward(), douts))

    title = probe.describe() if layer.name else repr(probe)
    report = GradCheckReport(title, eps=eps, tol=tol)
    if x.dtype.kind == "f":
        report.rows.append(compare("input", dx, estimate_gradient(reduced, x, eps, where,
                                                                     "x"), tol, noise))
    for name, param in probe.params.items():
        report.rows.append(compare(name, analytic[name],
                                   estimate_gradient(reduced, param, eps, where, name),
                                   tol, noise))
    return report


def _check_layer_instance(layer, where: str) -> None:
    from ..layers.base import Layer
    if isinstance(layer, type) and issubclass(layer, Layer):
        raise TypeError(f"{where}: layer must be a layer instance, got the class "
                        f"{layer.__name__} itself; create one, e.g. {layer.__name__}(...).")
    if not isinstance(layer, Layer):
        raise TypeError(f"{where}: layer must be a nanonet layer, e.g. layers.Dense(3), got "
                        f"{show_value(layer)}.")


def _float64_copy(layer, x, seed: int, where: str):
    """(a float64 copy of `layer`, built like it, and `x` as that copy takes it)."""
    probe = type(layer).from_config(layer.get_config())
    probe.dtype = np.dtype(np.float64)
    probe.engine = layer.engine                  # not in the config: the same code is checked
    x = probe.prepare_input(x, "x", f"{where} ({layer.describe()})")
    if x.shape[0] == 0:
        raise ValueError(f"{where}: x is an empty batch (shape {x.shape}); expected at least "
                         f"one sample.")
    input_shape = layer.input_shape if layer.built else x.shape[1:]
    probe.build(input_shape, np.random.default_rng(seed), np.float64)
    if layer.built:
        probe.check_input_shape(x)
        probe.set_weights(layer.get_weights())
    return probe, x


def _check_mask(mask, x: np.ndarray, where: str):
    """`mask` as an (N, T) boolean array matching x, or None."""
    if mask is None:
        return None
    mask = as_array(mask, "mask", where)
    if mask.shape != x.shape[:2] or x.ndim < 2:
        raise ValueError(f"{where}: mask must have shape (N, T) = {x.shape[:2]} (one entry "
                         f"per sample and timestep of x, shape {x.shape}), got shape "
                         f"{mask.shape}.")
    if mask.dtype.kind != "b":
        if not np.isin(mask, (0, 1)).all():
            bad = tuple(int(i) for i in np.argwhere(~np.isin(mask, (0, 1)))[0])
            raise ValueError(f"{where}: mask must hold True/False (or 1/0), but mask{list(bad)} "
                             f"= {mask[bad].item()!r}.")
        mask = mask.astype(bool)
    return mask


def check_model(model, x, y, eps: float = DEFAULT_EPS, tol: float = DEFAULT_TOL,
                seed: int = 0) -> GradCheckReport:
    """Check ``model.loss_and_grads`` (every weight of every layer) on (x, y), in float64.

    The model must be compiled (its loss is what is differentiated); a float64 copy with the
    same weights is checked, dropout off.
    """
    from ..models import Sequential
    from ..training import evaluate_batches
    where = "gradcheck.check_model"
    if isinstance(model, type) and issubclass(model, Sequential):
        raise TypeError(f"{where}: model must be a Sequential instance, got the class itself; "
                        f"build one, e.g. Sequential([layers.Dense(1)]).")
    if not isinstance(model, Sequential):
        raise TypeError(f"{where}: model must be a compiled nanonet Sequential, got "
                        f"{show_value(model)}.")
    eps, tol, seed = check_settings(eps, tol, seed, where)
    model.require_compiled(where)
    x = model.prepare_x(x, where)
    probe = Sequential.from_config(model.get_config(), dtype="float64")
    probe.engine = model.engine                  # not in the config: the same code is checked
    probe.prepare_x(x, where)                              # builds it like the model
    probe.set_weights(model.get_weights())
    probe.compile(optimizer="sgd", loss=type(model.loss)(**_loss_kwargs(model.loss)))
    x = x if x.dtype.kind in "iub" else x.astype(np.float64)
    _, y64 = probe.prepare_xy(x, y, where)                 # x/y mismatches name check_model
    evaluate_batches(probe, x, y64, len(x), where)        # … and so do bad labels
    loss, grads = probe.loss_and_grads(x, y64)

    def loss_value(_=None) -> float:
        return evaluate_batches(probe, x, y64, len(x), where)["loss"]

    report = GradCheckReport(f"model {model.name!r} with {probe.loss.name}", eps=eps, tol=tol)
    params = [(layer, name) for layer in probe.layers for name in layer.params]
    for (layer, name), gradient in zip(params, grads):
        numeric = estimate_gradient(loss_value, layer.params[name], eps, where,
                                      f"{layer.name}/{name}")
        report.rows.append(compare(f"{layer.name}/{name}", gradient, numeric, tol,
                                   noise_floor(abs(loss), eps)))
    return report


def _loss_kwargs(loss) -> dict:
    config = loss.get_config()
    config.pop("name", None)
    return config
